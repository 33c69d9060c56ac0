"""Integers from paths, query strings and forms: ASCII digits within the id range only.

``str.isdigit`` accepts ``"²"`` and ``int()`` accepts ``"١٢"``; neither is an id here.
Values beyond :data:`ID_MAX` (ids are 32-bit integers on PostgreSQL) name nothing.

Example:
    >>> ascii_int("42"), ascii_int("²"), ascii_int("9223372036854775808")
    (42, None, None)
"""

from __future__ import annotations

from webapp.api.cursor import ID_MAX
from webapp.review.errors import PageError, not_found

PAGE_MAX = 100_000


def ascii_int(value: str | None, maximum: int = ID_MAX) -> int | None:
    """``value`` as an int when it is 1-10 ASCII digits from 1 to ``maximum``, else None."""
    if not value or len(value) > 10 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None


def path_id(value: str, what: str) -> int:
    """A path segment that must be an id; anything else is a 404 page naming ``what``."""
    number = ascii_int(value)
    if number is None:
        raise not_found(f"There is no {what} with id {value[:40]!r}.")
    return number


def form_id(value: str, what: str) -> int:
    """A form field that must be an id; anything else is a 400 page."""
    number = ascii_int(value)
    if number is None:
        raise PageError(400, "Bad request", f"bad {what} id {value[:40]!r}")
    return number


def page_number(value: str | None) -> int:
    """The 1-based page of a list; missing or bad values are page 1."""
    return ascii_int(value, PAGE_MAX) or 1
