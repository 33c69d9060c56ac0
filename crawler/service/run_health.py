"""Judge a finished crawl run: ok, failed (with the reason) or interrupted.

Plain Python: works on the run's counters, not on the database. A run fails when
Scrapy did not finish normally, when the source yielded no articles at all (new,
updated or unchanged), or when the share of fetched pages whose extraction failed is
over the limit (setting ``NEWSDEDUP_MAX_FAILURE_SHARE``, or the source's
``max_failure_share`` in sources.toml).

Example:
    >>> counters = RunCounters(pages_fetched=10, articles=3, extraction_failures=7)
    >>> judge(counters, "finished", max_failure_share=0.5).reason
    'extraction failed on 7 of 10 pages (70%), over the limit of 50%'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.model import STATUS_OK, STATUSES

__all__ = ["EXTRACTION_FAILURES", "RunCounters", "Verdict", "counters_of", "judge"]

#: Keys of a run's ``errors`` counter that are failed extractions of a fetched page.
EXTRACTION_FAILURES = frozenset(s for s in STATUSES if s != STATUS_OK) | {"ingest_error"}


@dataclass(frozen=True)
class RunCounters:
    """The counters of a run that its health depends on."""

    pages_fetched: int = 0
    articles: int = 0
    extraction_failures: int = 0
    http_statuses: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """A run's final status (``ok``, ``failed`` or ``interrupted``) and why."""

    status: str
    reason: str | None = None


def counters_of(run: Any) -> RunCounters:
    """:class:`RunCounters` from a ``CrawlRun`` row (or anything with its attributes)."""
    errors: Mapping[str, Any] = run.errors or {}
    return RunCounters(
        pages_fetched=int(run.pages_fetched or 0),
        articles=int(
            (run.articles_new or 0) + (run.articles_updated or 0) + (run.articles_unchanged or 0)
        ),
        extraction_failures=sum(int(v) for k, v in errors.items() if k in EXTRACTION_FAILURES),
        http_statuses={str(k): int(v) for k, v in (run.http_statuses or {}).items()},
    )


def judge(counters: RunCounters, finish_reason: str | None, max_failure_share: float) -> Verdict:
    """The verdict on a finished run.

    Args:
        counters: the run's counters.
        finish_reason: Scrapy's finish reason (``finished``, ``shutdown``, ...); None when
            the crawl did not start.
        max_failure_share: the most extraction failures per fetched page (0..1) a healthy
            run may have.
    """
    if finish_reason == "shutdown":
        return Verdict("interrupted", "stopped by a signal before the crawl finished")
    if finish_reason != "finished":
        return Verdict("failed", f"crawl ended: {finish_reason or 'did not start'}")
    if counters.articles == 0:
        return Verdict("failed", "the source yielded no articles" + _statuses(counters))
    if counters.pages_fetched:
        share = counters.extraction_failures / counters.pages_fetched
        if share > max_failure_share:
            return Verdict(
                "failed",
                f"extraction failed on {counters.extraction_failures} of "
                f"{counters.pages_fetched} pages ({share:.0%}), over the limit of "
                f"{max_failure_share:.0%}",
            )
    return Verdict("ok")


def _statuses(counters: RunCounters) -> str:
    bad = {k: v for k, v in sorted(counters.http_statuses.items()) if not k.startswith(("2", "3"))}
    if not bad:
        return ""
    return " (HTTP " + ", ".join(f"{k} x{v}" for k, v in bad.items()) + ")"
