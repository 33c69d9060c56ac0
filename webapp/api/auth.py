"""Bearer-token authentication of the read API (tokens from ``newsdedup tokens add``)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage.db import describe_error, is_busy_error, retrying
from storage.models import utcnow
from storage.repo.tokens import live_token, needs_touch, touch_token
from webapp.deps import db_session

log = logging.getLogger(__name__)

bearer = HTTPBearer(
    auto_error=False,
    description="A read-only API token: `newsdedup tokens add NAME` prints one.",
)


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[Session, Depends(db_session)],
) -> str:
    """The name of the live token in ``Authorization: Bearer TOKEN``; 401 otherwise.

    Records the token's ``last_used_at`` (at most once a minute) in its own short write
    transaction (:func:`storage.db.retrying`), committed at once; the request's session
    only reads. If the database stays locked even after the retries, the call is served
    anyway and the bookkeeping waits for the next call.
    """
    if credentials is None:
        raise _unauthorized("missing bearer token (header `Authorization: Bearer TOKEN`)")
    token = live_token(session, credentials.credentials)
    if token is None:
        raise _unauthorized("invalid or revoked API token")
    now = utcnow()
    if needs_touch(token, now):
        token_id = token.id
        try:
            retrying(request.app.state.session_factory, lambda s: touch_token(s, token_id, now))
        except DBAPIError as exc:
            if not is_busy_error(exc):
                raise
            log.warning("token %s: last use not recorded: %s", token.name, describe_error(exc))
    return token.name


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="newsdedup"'},
    )
