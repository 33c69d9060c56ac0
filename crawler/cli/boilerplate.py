"""``newsdedup boilerplate [--source S]``: the site boilerplate learned from crawls."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "boilerplate",
        help="list paragraphs each source repeats on many pages (learned site boilerplate)",
        description="List, per source, the paragraphs seen on several of its pages, with on "
        "how many pages, and whether they count as boilerplate yet (removed from bodies; "
        "run `newsdedup reextract --source S` to re-clean earlier articles).",
    )
    parser.add_argument("--source", metavar="NAME", help="only this source")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from crawler.ingest.site_boilerplate import SiteBoilerplate
    from storage import repository as repo
    from storage.db import make_engine, make_session_factory
    from storage.models import Source
    from storage.repo import boilerplate as repo_bp

    engine = make_engine(database_url(args))
    learner = SiteBoilerplate()
    with make_session_factory(engine)() as session:
        if args.source:
            source = repo.get_source(session, args.source)
            if source is None:
                print(f"newsdedup: no such source in the database: {args.source}", file=sys.stderr)
                return 2
            sources = [source]
        else:
            sources = list(session.query(Source).order_by(Source.name))
        for source in sources:
            rows = repo_bp.site_boilerplate(session, source.id)
            if not rows:
                continue
            active = learner.active(session, source.id)
            total = repo_bp.source_article_count(session, source.id)
            print(f"{source.name}: {len(active)} boilerplate paragraph(s), {total} articles")
            for row in rows:
                state = "boilerplate" if row.norm_hash in active else "candidate  "
                text = textwrap.shorten(row.text, width=80, placeholder=" ...")
                print(f"  {state} on {row.pages:>4} pages  {text}")
    engine.dispose()
    return 0
