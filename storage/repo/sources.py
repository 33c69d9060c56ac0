"""Sources: rows that mirror the configured sources by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Source


def get_source(session: Session, name: str) -> Source | None:
    """The source called ``name``, or None."""
    return session.scalars(select(Source).where(Source.name == name)).one_or_none()


def get_or_create_source(session: Session, name: str, domains: list[str]) -> Source:
    """The source called ``name``, created if missing; its domains updated if they changed.

    Args:
        session: the session (not committed here).
        name: the source's configured name.
        domains: its allowed domains, in configured order.
    """
    source = get_source(session, name)
    if source is None:
        source = Source(name=name, domains=list(domains))
        session.add(source)
        session.flush()
    elif list(source.domains or []) != list(domains):
        source.domains = list(domains)
    return source
