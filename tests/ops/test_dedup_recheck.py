"""``newsdedup dedup recheck``: copies stored by two ingestors that did not share an index
(the bug of crawls running at the same time) are linked afterwards, without fetching, as
one ingestor would have linked them; a second run changes nothing; ``--dry-run`` only
prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from crawler.cli import main
from crawler.demo.content import ARTICLES, SYNDICATED
from crawler.demo.pages import article_url, render_article
from crawler.ingest.ingestor import Ingestor
from crawler.items import FetchedPage
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import Article, Cluster, ClusterMember, DuplicateLink, Paragraph

Links = set[tuple[str, int, str, int, str]]


def pages() -> list[FetchedPage]:
    out = []
    for article in ARTICLES:
        url = article_url(article)
        out.append(
            FetchedPage(
                source=article.publisher,
                url=url,
                final_url=url,
                status=200,
                headers={"content-type": "text/html; charset=utf-8"},
                body=render_article(article),
            )
        )
    return out


def database(tmp_path: Path, name: str) -> tuple[str, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    return url, make_session_factory(make_engine(url))


def ingest_all(factory: sessionmaker[Session], ingestors: list[Ingestor]) -> None:
    """Ingest the sample pages in order, page i by ingestor i mod len(ingestors)."""
    for i, page in enumerate(pages()):
        with factory() as session:
            source = repo.get_or_create_source(session, page.source, [f"{page.source}.example"])
            session.commit()
            source_id = source.id
        ingestors[i % len(ingestors)].ingest(page, source_id=source_id)


def links(factory: sessionmaker[Session]) -> Links:
    """Every link as (url, position) -> (url, position), with its kind."""
    this, other = aliased(Paragraph), aliased(Paragraph)
    a, b = aliased(Article), aliased(Article)
    with factory() as session:
        rows = session.execute(
            select(a.url, this.position, b.url, other.position, DuplicateLink.kind)
            .join(this, DuplicateLink.paragraph_id == this.id)
            .join(a, this.article_id == a.id)
            .join(other, DuplicateLink.matched_paragraph_id == other.id)
            .join(b, other.article_id == b.id)
        )
        return {tuple(row) for row in rows}  # type: ignore[misc]


def clusters(factory: sessionmaker[Session]) -> set[tuple[frozenset[str], str | None, str]]:
    """Every cluster as (member urls, original url, reason), plus its update time."""
    with factory() as session:
        out = set()
        for cluster in session.scalars(select(Cluster)):
            urls = frozenset(
                session.scalars(
                    select(Article.url)
                    .join(ClusterMember, ClusterMember.article_id == Article.id)
                    .where(ClusterMember.cluster_id == cluster.id)
                )
            )
            original = session.get(Article, cluster.original_article_id)
            out.add((urls, original.url if original else None, str(cluster.updated_at)))
        return out


def without_times(found: set[tuple[frozenset[str], str | None, str]]) -> set[object]:
    return {(urls, original) for urls, original, _when in found}


def test_recheck_links_copies_that_separate_indexes_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ref_url, reference = database(tmp_path, "reference.db")
    ingest_all(reference, [Ingestor.open(reference)])
    expected = links(reference)
    cross = {link for link in expected if link[4] != "near_within" and link[4] != "exact_within"}
    assert cross, "the sample site has syndicated copies"

    url, buggy = database(tmp_path, "buggy.db")
    # Two ingestors opened before either wrote: neither sees what the other stores.
    ingest_all(buggy, [Ingestor.open(buggy), Ingestor.open(buggy)])
    before = links(buggy)
    missing = expected - before
    assert missing, "the bug left copies unlinked"
    copy_url = article_url(next(a for a in ARTICLES if (a.publisher, a.slug) == SYNDICATED[1]))
    assert not clusters(buggy) or all(copy_url not in c[0] for c in clusters(buggy))

    assert main(["--database-url", url, "dedup", "recheck", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would link: article" in out and "(dry run: nothing changed)" in out
    assert links(buggy) == before  # nothing written

    assert main(["--database-url", url, "dedup", "recheck"]) == 0
    out = capsys.readouterr().out
    assert "linked: article" in out and f"{len(missing)} link(s) added" in out
    assert links(buggy) == expected  # exactly what one shared index gave
    assert without_times(clusters(buggy)) == without_times(clusters(reference))

    # Idempotent: a second run adds nothing and touches nothing.
    after = (links(buggy), clusters(buggy))
    assert main(["--database-url", url, "dedup", "recheck"]) == 0
    out = capsys.readouterr().out
    assert "linked:" not in out and "0 link(s) added" in out
    assert (links(buggy), clusters(buggy)) == after
