"""Where the crawl writer's CPU goes: a cProfile of ingest alone, as the writer runs it.

Usage:
    python -m bench.ingest_profile [--data PATH] [--pages N] [--batch B] [--top K]
    PYTHONPATH=OTHER OTHER/.venv/bin/python bench/ingest_profile.py ...   # another checkout

Stores the pages (generated as by ``bench.pipeline_bench``, or a corpus with ``--data``)
into a fresh SQLite file the way the crawl writer does: ``B`` pages per writing
transaction (:func:`storage.db.write_session`), the index refreshed first, each page
``Ingestor.ingest_in`` in a SAVEPOINT, one commit. Prints CPU per page of that loop,
with and without extraction (extraction alone is timed on the same pages first), and
the cumulative shares of the functions that cost most (cProfile timed by CPU time, a
second pass into a second database, so both passes store the same rows). Shares are of
profiled time: cProfile slows small calls more than big ones, so read them as
proportions.

Run as a script with another checkout first on ``PYTHONPATH`` (and its interpreter) it
profiles that checkout's ingest on the same pages: a baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent


def _news_pages() -> ModuleType:
    """``bench/news_pages.py`` beside this file, whatever checkout is on the path."""
    spec = importlib.util.spec_from_file_location("_bench_news_pages", HERE / "news_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(data: str | None, count: int) -> list[tuple[str, str, bytes]]:
    """``(url, content type, body)`` of the pages to store."""
    if data:
        from crawler.extract.evaluate import load_corpus

        return [
            (f"http://bench.example/a/page-{n:05d}", page.content_type or "text/html", page.data)
            for n, page in enumerate(load_corpus(data))
        ]
    news = _news_pages()
    return [
        (f"http://{news.HOST}{path}", content_type, body)
        for path, (content_type, body) in news.generated_pages(count).items()
    ]


def extraction_cpu(pages: list[tuple[str, str, bytes]]) -> float:
    """CPU seconds of extracting every page, one after another (extraction alone)."""
    from crawler.extract import extract

    started = time.process_time()
    for page_url, content_type, body in pages:
        extract(body, url=page_url, content_type=content_type)
    return time.process_time() - started


def store_all(database: Path, pages: list[tuple[str, str, bytes]], batch: int) -> float:
    """Store every page as the crawl writer does; returns the CPU seconds of the loop."""
    from crawler.ingest.ingestor import Ingestor
    from crawler.items import FetchedPage
    from storage.db import make_engine, make_session_factory, write_session
    from storage.migrate import upgrade
    from storage.repository import get_or_create_source, start_run

    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with write_session(factory) as session:
        source = get_or_create_source(session, "bench", ["bench.example"])
        run = start_run(session, source.id)
        source_id, run_id = source.id, run.id
    ingestor = Ingestor.open(factory)
    started = time.process_time()
    for start in range(0, len(pages), batch):
        with write_session(factory) as session:
            ingestor.refresh(session)
            for page_url, content_type, body in pages[start : start + batch]:
                item = FetchedPage(
                    url=page_url,
                    source="bench",
                    status=200,
                    headers={"content-type": content_type},
                    body=body,
                    final_url=page_url,
                )
                with session.begin_nested():
                    ingestor.ingest_in(session, item, source_id=source_id, run_id=run_id)
    spent = time.process_time() - started
    engine.dispose()
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="corpus directory or .tgz (default: generated pages)")
    parser.add_argument("--pages", type=int, default=1100, help="generated pages (default 1100)")
    parser.add_argument("--batch", type=int, default=50, help="pages per transaction")
    parser.add_argument("--top", type=int, default=40, help="functions listed")
    parser.add_argument("--save", help="also write the profile to this file (pstats format)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    from crawler.dedup.warmup import warm_up

    warm_up()
    pages = load_pages(args.data, args.pages)
    extraction_cpu(pages[:20])  # warm
    extraction = extraction_cpu(pages)
    n = len(pages)
    with tempfile.TemporaryDirectory() as tmp:
        plain = store_all(Path(tmp) / "plain.db", pages, args.batch)
        profile = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        profile.enable()
        store_all(Path(tmp) / "profiled.db", pages, args.batch)
        profile.disable()
    import crawler

    print(f"code: {Path(crawler.__file__).resolve().parents[1]}; pages: {n}; batch {args.batch}")
    print(f"extraction alone:      {1000 * extraction / n:7.2f} ms/page")
    print(f"ingest (writer loop):  {1000 * plain / n:7.2f} ms/page")
    print(f"  less extraction:     {1000 * (plain - extraction) / n:7.2f} ms/page")
    print(f"  ratio extraction/ingest: {extraction / plain:.2f}")
    _shares(profile, args.top)
    if args.save:
        profile.dump_stats(args.save)
    return 0


def _shares(profile: cProfile.Profile, top: int) -> None:
    stats: Any = pstats.Stats(profile, stream=io.StringIO())
    total = max((row[3] for key, row in stats.stats.items() if key[2] == "store_all"), default=0.0)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)
    print(f"cumulative share of profiled ingest ({total:.1f} s under cProfile):")
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in rows[:top]:
        where = _short(filename)
        print(
            f"  {100 * cumulative / total:5.1f} %  own {100 * own / total:4.1f} %  "
            f"{calls:>8}  {where}:{line}({name})"
        )


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/crawler/", "/storage/", "/bench/"):
        if marker in filename:
            cut = filename.index(marker) + (len(marker) if marker == "site-packages/" else 1)
            return filename[cut:]
    return filename


if __name__ == "__main__":
    sys.exit(main())
