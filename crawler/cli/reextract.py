"""``newsdedup reextract [--source S]``: run extraction again over stored raw pages."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "reextract",
        help="re-run extraction and dedup over stored pages, without fetching again",
        description="Re-run extraction (and dedup of changed bodies) over the raw pages "
        "stored by earlier crawls, after an extractor change. Articles whose body changed "
        "become a new version; unchanged ones are left as they are.",
    )
    parser.add_argument("--source", metavar="NAME", help="only pages of this source")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from crawler.ingest.ingestor import Ingestor
    from crawler.ingest.recheck import problem
    from crawler.items import FetchedPage
    from storage import repository as repo
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.models import Page, Source

    reason = problem()
    if reason is not None:
        print(f"newsdedup: {reason}", file=sys.stderr)
        return 2
    url = database_url(args)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        source_id = None
        if args.source:
            source = repo.get_source(session, args.source)
            if source is None:
                print(f"newsdedup: no such source in the database: {args.source}", file=sys.stderr)
                return 2
            source_id = source.id
        ids = repo.page_ids(session, source_id)
    ingestor = Ingestor.open(factory)
    tally: dict[str, int] = {}
    failures = 0
    for page_id in ids:
        with factory() as session:
            page = session.get(Page, page_id)
            assert page is not None
            source_row = session.get(Source, page.source_id)
            assert source_row is not None
            item = FetchedPage(
                source=source_row.name,
                url=page.url,
                final_url=page.final_url or page.url,
                status=page.http_status or 200,
                headers={
                    k: v
                    for k, v in {
                        "content-type": page.content_type,
                        "etag": page.etag,
                        "last-modified": page.last_modified,
                    }.items()
                    if v
                },
                body=repo.page_body(page),
            )
            page_source_id = page.source_id
        try:
            outcome = ingestor.ingest(item, source_id=page_source_id, run_id=None)
        except Exception as exc:  # one broken page must not stop the others
            failures += 1
            print(f"newsdedup: {item.url}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        key = outcome.article_status or outcome.extraction_status
        tally[key] = tally.get(key, 0) + 1
    engine.dispose()
    parts = ", ".join(f"{k} {v}" for k, v in sorted(tally.items())) or "nothing to do"
    print(f"re-extracted {len(ids)} pages: {parts}" + (f"; {failures} failed" if failures else ""))
    return 1 if failures else 0
