"""Crawling the same pages in any order gives the same clusters, originals and flags: the
corpus of :mod:`tests.ingest.order_corpus` through the real Ingestor, on SQLite and on
PostgreSQL. Also: moves of an original are recorded, and an editor's choice stays."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.ingest.ingestor import Ingestor
from storage import repository as repo
from storage.models import Article, Cluster, User
from storage.repo.clusters import MERGED, cluster_of, original_changes
from storage.repo.review import choose_original
from tests.ingest.order_corpus import (
    CORPUS,
    PORT,
    SITES,
    SWAPS_A,
    SWAPS_B,
    Doc,
    Outcome,
    _edit,
    _factory,
    copies_first,
    crawl,
    expected,
    originals_first,
    page,
    score,
    shuffled,
)
from tests.storage.databases import throwaway_postgres_database

ORDERS: dict[str, Callable[[], list[Doc]]] = {
    "originals first": originals_first,
    "copies first": copies_first,
    "reversed": lambda: list(reversed(CORPUS)),
    **{f"shuffled {seed}": partial(shuffled, seed) for seed in (1, 2, 3)},
}


@pytest.fixture(scope="module")
def sqlite_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    out = {}
    for n, (name, docs) in enumerate(ORDERS.items()):
        url = f"sqlite:///{tmp_path_factory.mktemp('order') / f'{n}.db'}"
        factory, engine = _factory(url)
        out[name] = crawl(factory, docs())
        engine.dispose()  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("name", list(ORDERS))
def test_clusters_and_originals_are_right_in_every_order(
    sqlite_results: dict[str, Outcome], name: str
) -> None:
    result = sqlite_results[name]
    assert result.clusters == expected()
    assert score(result) == (10, 10, 10)
    assert result.cross_story_flags == 0  # the unrelated fab story is never flagged


def test_every_order_gives_the_same_flags(sqlite_results: dict[str, Outcome]) -> None:
    first = sqlite_results["originals first"]
    assert first.flagged  # every copy's paragraphs are flagged against its story
    for result in sqlite_results.values():
        assert result.key() == first.key()


def test_postgres_gives_the_same(postgres_url: str, sqlite_results: dict[str, Outcome]) -> None:
    for name in ("originals first", "copies first"):
        with throwaway_postgres_database(postgres_url) as url:
            factory, engine = _factory(url)
            try:
                result = crawl(factory, ORDERS[name]())
            finally:
                engine.dispose()  # type: ignore[attr-defined]
        assert result.key() == sqlite_results[name].key()
        assert result.clusters == expected()


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    made, engine = _factory(f"sqlite:///{tmp_path / 'history.db'}")
    yield made
    engine.dispose()  # type: ignore[attr-defined]


def _ingest(ingestor: Ingestor, factory: sessionmaker[Session], doc: Doc) -> int:
    with factory() as session:
        source = repo.get_or_create_source(session, doc.site, [SITES[doc.site].host])
        session.commit()
        source_id = source.id
    outcome = ingestor.ingest(page(doc), source_id=source_id)
    assert outcome.article_id is not None
    return outcome.article_id


def _rail() -> tuple[Doc, Doc, Doc]:
    original, copy, copy_of_copy = (d for d in CORPUS if d.story == "rail")
    return original, copy, copy_of_copy


def test_original_moves_when_the_original_arrives_with_history(
    factory: sessionmaker[Session],
) -> None:
    original, copy, copy_of_copy = _rail()
    ingestor = Ingestor.open(factory)
    c2 = _ingest(ingestor, factory, copy_of_copy)
    c1 = _ingest(ingestor, factory, copy)
    with factory() as session:
        cluster = cluster_of(session, c1)
        assert cluster is not None and cluster.original_article_id == c1  # credited by c2
    o = _ingest(ingestor, factory, original)
    with factory() as session:
        cluster = cluster_of(session, o)
        assert cluster is not None and cluster.original_article_id == o
        assert cluster.original_reason == (
            f"credit line: 2 member(s) credit article {o}, some through another copy"
        )
        history = original_changes(session, cluster.id)
        assert [(h.previous_article_id, h.article_id, h.rule) for h in history] == [
            (None, c1, "credit_line"),
            (c1, o, "credit_line"),
        ]
        assert history[1].previous_reason == history[0].reason
        assert {m.article_id for m in cluster.members} == {o, c1, c2}


def test_an_editors_choice_is_never_overridden(factory: sessionmaker[Session]) -> None:
    original, copy, copy_of_copy = _rail()
    ingestor = Ingestor.open(factory)
    c2 = _ingest(ingestor, factory, copy_of_copy)
    c1 = _ingest(ingestor, factory, copy)
    with factory() as session:
        editor = User(name="ed", password_hash="x", role="editor")
        session.add(editor)
        session.flush()
        cluster = cluster_of(session, c1)
        assert cluster is not None
        choose_original(session, cluster.id, c2, editor, "our own rewrite")
        session.commit()
    o = _ingest(ingestor, factory, original)
    with factory() as session:
        cluster = cluster_of(session, o)
        assert cluster is not None
        assert cluster.original_article_id == c2
        assert cluster.original_reason == "chosen by editor ed: our own rewrite"
        history = original_changes(session, cluster.id)
        assert [(h.previous_article_id, h.article_id, h.rule) for h in history] == [
            (None, c1, "credit_line"),
            (c1, c2, "editor"),
        ]


def test_two_clusters_become_one_when_the_original_joins_them(
    factory: sessionmaker[Session],
) -> None:
    # Two copies of each half of the port story: the halves do not match each other, so
    # they form two clusters until the original, which contains both, arrives.
    original = next(d for d in CORPUS if d.story == "port" and d.role == "original")
    halves = [
        replace(
            original, role="copy", site="alpha", slug="p1", paragraphs=_edit(PORT, SWAPS_A)[:3]
        ),
        replace(original, role="copy", site="beta", slug="p2", paragraphs=_edit(PORT, SWAPS_B)[:3]),
        replace(
            original, role="copy", site="gamma", slug="p3", paragraphs=_edit(PORT, SWAPS_A)[3:]
        ),
        replace(
            original, role="copy", site="delta", slug="p4", paragraphs=_edit(PORT, SWAPS_B)[3:]
        ),
    ]
    halves = [replace(d, published="2026-03-11") for d in halves]
    ingestor = Ingestor.open(factory)
    copies = [_ingest(ingestor, factory, d) for d in halves]
    with factory() as session:
        assert len(session.scalars(select(Cluster)).all()) == 2
    o = _ingest(ingestor, factory, original)
    with factory() as session:
        (cluster,) = session.scalars(select(Cluster)).all()
        assert {m.article_id for m in cluster.members} == {o, *copies}
        assert cluster.original_article_id == o
        assert MERGED in {h.rule for h in original_changes(session, cluster.id)}
        assert sum(a.id == o for a in session.scalars(select(Article))) == 1
