"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not tell names apart.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class PasswordError(ValueError):
    """A password that is not acceptable, with the reason."""


def check_new_password(password: str) -> None:
    """Raise :class:`PasswordError` unless ``password`` is acceptable for a new account."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"password too short: at least {MIN_LENGTH} characters")
    if password != password.strip():
        raise PasswordError("password must not start or end with whitespace")


def hash_password(password: str) -> str:
    """The encoded Argon2id hash of ``password`` (salt and parameters included)."""
    return _hasher.hash(password)


def verify_password(encoded: str | None, password: str) -> bool:
    """True if ``password`` matches ``encoded``; a missing or broken hash never matches."""
    try:
        return _hasher.verify(encoded or _DUMMY_HASH, password) and encoded is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True if ``encoded`` was made with parameters older than the current ones."""
    try:
        return _hasher.check_needs_rehash(encoded)
    except InvalidHashError:
        return True
