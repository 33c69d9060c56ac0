"""Concurrency-safe writes of a shared crawl, without Scrapy: two workers' ingestors (each
its own in-process engine, one PostgreSQL database, one Redis index) storing at the same
moment two copies of one story, or the same page twice."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.demo.generated import HOST, build_site
from crawler.items import FetchedPage
from crawler.scaleout.config import ScaleOutError, shared_redis_url
from crawler.scaleout.shared_ingest import SharedIngestor
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import Article, ClusterMember, DuplicateLink, Paragraph
from tests.ops.helpers import ROOT

pytestmark = pytest.mark.postgres


@pytest.fixture
def factory(migrated_db: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(migrated_db)
    yield make_session_factory(engine)
    engine.dispose()


def _ingestors(
    factory: sessionmaker[Session], redis_url: str, prefix: str, n: int
) -> list[SharedIngestor]:
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    return [SharedIngestor.open_shared(factory, client, prefix) for _ in range(n)]


def _page(path: str, pages: dict[str, tuple[str, bytes]]) -> FetchedPage:
    url = f"http://{HOST}{path}"
    return FetchedPage(source="wirebulk", url=url, final_url=url, status=200, body=pages[path][1])


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def _source_id(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        row = repo.get_or_create_source(session, "wirebulk", [HOST])
        session.commit()
        return row.id


@pytest.mark.parametrize("round_", range(3))
def test_two_copies_stored_at_once_are_linked(
    factory: sessionmaker[Session], redis_url: str, redis_prefix: str, round_: int
) -> None:
    routes, plan = build_site(4, 1)
    pages = routes[HOST]
    first, second = _ingestors(factory, redis_url, redis_prefix, 2)
    source_id = _source_id(factory)
    original, copy = "/a/story-00000", "/a/syndicated-00000"
    order = (original, copy) if round_ % 2 == 0 else (copy, original)
    _at_once(
        [
            lambda: first.ingest(_page(order[0], pages), source_id=source_id),
            lambda: second.ingest(_page(order[1], pages), source_id=source_id),
        ]
    )
    with factory() as session:
        ids = dict(session.execute(select(Article.url, Article.id)).all())
        para = dict(session.execute(select(Paragraph.id, Paragraph.article_id)).all())
        links = session.execute(
            select(DuplicateLink.paragraph_id, DuplicateLink.matched_paragraph_id)
        ).all()
        members = dict(
            session.execute(select(ClusterMember.article_id, ClusterMember.cluster_id)).all()
        )
    a, b = ids[plan.urls[0]], ids[next(iter(plan.copies))]
    linked = {frozenset((para[p], para[m])) for p, m in links}
    assert linked == {frozenset((a, b))}  # the later of the two found the earlier
    assert len(links) == 3  # one link per paragraph, never two
    assert members.get(a) is not None and members.get(a) == members.get(b)


def test_same_page_stored_by_two_workers_at_once_ends_as_one_row_set(
    factory: sessionmaker[Session], redis_url: str, redis_prefix: str
) -> None:
    routes, _ = build_site(2, 0)
    pages = routes[HOST]
    ingestors = _ingestors(factory, redis_url, redis_prefix, 3)
    source_id = _source_id(factory)
    page = _page("/a/story-00001", pages)

    def store(ingestor: SharedIngestor) -> Callable[[], Any]:
        def call() -> Any:
            return ingestor.ingest(page, source_id=source_id)

        return call

    outcomes = _at_once([store(i) for i in ingestors])
    assert sorted(o.article_status for o in outcomes).count("new") == 1
    with factory() as session:
        assert len(session.scalars(select(Article.id)).all()) == 1
        positions = session.scalars(select(Paragraph.position)).all()
        assert sorted(positions) == list(range(len(positions))) and len(positions) >= 3
        assert session.scalars(select(DuplicateLink.id)).all() == []


def test_redis_with_sqlite_is_refused_with_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(ScaleOutError, match="needs a PostgreSQL NEWSDEDUP_DATABASE_URL"):
        shared_redis_url(f"sqlite:///{tmp_path / 'x.db'}", "redis://127.0.0.1:6379/15")
    assert shared_redis_url("sqlite:///x.db", "") is None
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[sources]]\nname = "wirebulk"\ndomains = ["wirebulk.example"]\n'
        'sitemaps = ["http://wirebulk.example/sitemap.xml"]\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "crawler.cli", "--database-url", f"sqlite:///{tmp_path}/x.db"]
    result = subprocess.run(
        [*command, "crawl", "wirebulk", "--sources", str(sources)],
        cwd=ROOT,
        env={"NEWSDEDUP_REDIS_URL": "redis://127.0.0.1:6379/15", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard: the CLI start takes minutes on a loaded machine
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "a shared crawl needs a PostgreSQL NEWSDEDUP_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("ttl", [0, 600])
def test_index_files_and_finds_keys_with_optional_expiry(
    redis_url: str, redis_prefix: str, ttl: int
) -> None:
    import redis

    from crawler.dedup import DedupEngine, DedupParams
    from crawler.scaleout.shared_index import RedisParagraphIndex, signature_keys

    client: Any = redis.Redis.from_url(redis_url)
    params = DedupParams()
    index = RedisParagraphIndex(client, f"{redis_prefix}:index:t{ttl}", params, ttl=ttl)
    text_ = "Chip makers in three countries raised prices after a quarter of short supply."
    sigs = DedupEngine(params).signatures([text_, text_ + " Buyers waited."])
    keys = signature_keys(sigs, params)
    assert index.add([11, 12], sigs) == sum(len(k) for k in keys)
    assert index.lookup(keys[0].tolist()) >= {11}
    assert index.lookup([]) == set()
    some_key = next(iter(client.scan_iter(match=f"{redis_prefix}:index:t{ttl}:*")))
    remaining = client.ttl(some_key)
    assert (remaining == -1) if ttl == 0 else (0 < remaining <= ttl)
