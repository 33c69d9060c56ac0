"""Bearer-token authentication of the read API (tokens from ``newsdedup tokens add``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from storage.repo.tokens import authenticate
from webapp.deps import db_session

bearer = HTTPBearer(
    auto_error=False,
    description="A read-only API token: `newsdedup tokens add NAME` prints one.",
)


def require_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[Session, Depends(db_session)],
) -> str:
    """The name of the live token in ``Authorization: Bearer TOKEN``; 401 otherwise.

    Records the token's ``last_used_at`` (committed at once, at most once a minute).
    """
    if credentials is None:
        raise _unauthorized("missing bearer token (header `Authorization: Bearer TOKEN`)")
    token = authenticate(session, credentials.credentials)
    if token is None:
        raise _unauthorized("invalid or revoked API token")
    session.commit()  # keep last_used_at even if the handler fails later
    return token.name


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="newsdedup"'},
    )
