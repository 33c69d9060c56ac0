"""Request-scoped dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """One session per request; the handler commits what it changes."""
    factory = request.app.state.session_factory
    with factory() as session:
        yield session
