"""The summary ``newsdedup demo`` prints after crawling the sample site."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from crawler.service.runner import RunReport


def _short(text: str, width: int = 96) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" ...")


def print_summary(database_url: str, reports: Sequence[RunReport], site: Any) -> int:
    """Print what the crawl of the sample site stored; return 0 when every check passed."""
    from crawler.demo.content import SEED_TEASERS
    from storage import repository as repo
    from storage.db import display_url, make_engine, make_session_factory

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        total = repo.summary(session)
        flags = repo.list_flags(session, limit=1000)
        clusters = repo.list_clusters(session)
        seed = repo.get_article(session, site.seed_like_url)
        teasers_stored = sum(
            1
            for _, blurb in SEED_TEASERS
            if repo.count_paragraphs_containing(session, blurb[:60]) > 0
        )
    engine.dispose()

    print()
    print(f"Database: {display_url(database_url)}")
    print("Runs:")
    for report in reports:
        print(f"  {report.source:<14} run {report.run_id:<4} {report.status}")
    print(
        f"Pages: {total.pages}  " + ", ".join(f"{k} {v}" for k, v in total.pages_by_status.items())
    )
    print(f"Articles: {total.articles}")
    print(f"Paragraphs: {total.paragraphs}")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(total.duplicates_by_kind.items())) or "none"
    rejected = (
        f"; {total.duplicates_rejected} more judged not duplicates by editors, not counted"
        if total.duplicates_rejected
        else ""
    )
    print(f"Duplicates flagged: {total.duplicate_links} ({kinds}){rejected}")

    within = [f for f in flags if f.kind.endswith("_within")]
    print()
    print("Repeated inside one article:")
    for flag in within:
        print(f"  [{flag.kind}] {flag.url}")
        print(
            f"    paragraph {flag.position} repeats paragraph {flag.matched_position}"
            f"  score {flag.score:.2f}  method {flag.method}"
        )
        print(f"    earlier: {_short(flag.matched_text)}")
        print(f"    later:   {_short(flag.text)}")
    if not within:
        print("  none")

    print()
    print("Syndicated copies:")
    for cluster in clusters:
        for member in cluster.members:
            mark = "original" if member.is_original else "copy    "
            print(
                f"  cluster {cluster.id} {mark} {member.source:<12} {member.url}"
                f"  ({member.share_matched:.0%} of paragraphs matched)"
            )
        print(f"    original chosen because: {cluster.original_reason}")
    if not clusters:
        print("  none")
    cross = [f for f in flags if f.kind.endswith("_cross")]
    print(f"  {len(cross)} paragraph links across articles")

    print()
    print("Checks:")
    seed_flagged = seed is not None and any(
        f.url == site.seed_like_url and f.kind == "near_within" for f in flags
    )
    syndicated_ok = all(
        any(
            {copy, original} <= {m.url for m in c.members}
            and any(m.is_original and m.url == original for m in c.members)
            for c in clusters
        )
        for copy, original in site.syndicated.items()
    )
    checks = [
        (seed_flagged, "the seed-like article's intro, repeated later reworded, is flagged"),
        (syndicated_ok, "the syndicated copy is linked to its original"),
        (
            teasers_stored == 0,
            f'no "Explore more" teaser stored as body text ({teasers_stored} of '
            f"{len(SEED_TEASERS)} found)",
        ),
        (all(r.status == "ok" for r in reports), "every run ended ok"),
    ]
    for ok, text in checks:
        print(f"  [{'ok' if ok else 'FAILED'}] {text}")
    return 0 if all(ok for ok, _ in checks) else 1
