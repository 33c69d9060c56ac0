"""The dedup engine's optional second opinion, chosen by the ``NEWSDEDUP_EMBEDDINGS``
setting: ``0`` (default) lets the lexical rules decide alone; ``1`` rechecks the pairs they
scored and rejected with sentence embeddings (the ``embed`` extra, see
:mod:`crawler.dedup.embed`)."""

from __future__ import annotations

from crawler import settings
from crawler.dedup.within import Recheck


class RecheckConfigError(ValueError):
    """``NEWSDEDUP_EMBEDDINGS`` is not usable (a bad value, or the extra is missing)."""


def embeddings_wanted(value: str | None = None) -> bool:
    """Whether ``NEWSDEDUP_EMBEDDINGS`` asks for sentence embeddings (``value``: the setting
    as a crawl's Scrapy settings have it; None: the environment's).

    Raises:
        RecheckConfigError: for a value other than ``0``, ``1`` or empty.
    """
    value = (settings.get("NEWSDEDUP_EMBEDDINGS") if value is None else str(value)).strip()
    if value in ("", "0"):
        return False
    if value == "1":
        return True
    raise RecheckConfigError(f"NEWSDEDUP_EMBEDDINGS must be 0 or 1, not {value!r}")


def problem(value: str | None = None) -> str | None:
    """What keeps the setting from working (to report before a crawl starts), or None."""
    try:
        if not embeddings_wanted(value):
            return None
    except RecheckConfigError as exc:
        return str(exc)
    from crawler.dedup.embed import Embedder

    reason = Embedder.unavailable_reason()
    return None if reason is None else f"NEWSDEDUP_EMBEDDINGS=1, but {reason}"


def recheck_from_settings(value: str | None = None) -> Recheck | None:
    """The second opinion the setting asks for (None: the rules alone); ``value`` as in
    :func:`embeddings_wanted`.

    Raises:
        RecheckConfigError: see :func:`problem`.
    """
    if not embeddings_wanted(value):
        return None
    from crawler.dedup.embed import Embedder, embedding_recheck

    reason = Embedder.unavailable_reason()
    if reason is not None:
        raise RecheckConfigError(f"NEWSDEDUP_EMBEDDINGS=1, but {reason}")

    return embedding_recheck(Embedder())
