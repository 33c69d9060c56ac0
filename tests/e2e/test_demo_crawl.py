"""End to end: ``newsdedup demo`` crawls the sample site over loopback into a real
database; the rows are checked directly. Runs the CLI in a subprocess (a Twisted
reactor cannot be restarted inside the test process)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.demo.content import SEED_TEASERS
from crawler.demo.server import serve_sample_site
from storage.db import make_engine
from storage.models import (
    Article,
    ClusterMember,
    CrawlRun,
    DuplicateLink,
    Page,
    Paragraph,
    ParagraphSignature,
)
from tests.storage.databases import throwaway_postgres_database

pytestmark = pytest.mark.e2e


def run_demo(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--database-url", url, "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def counts(session: Session) -> dict[str, int]:
    tables = {
        "pages": Page,
        "articles": Article,
        "paragraphs": Paragraph,
        "links": DuplicateLink,
        "signatures": ParagraphSignature,
        "members": ClusterMember,
    }
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in tables.items()
    }


def check_rows(url: str) -> dict[str, int]:
    with serve_sample_site() as site:  # only for the expected URLs; not crawled
        expected = set(site.expected_article_urls)
        disallowed = set(site.disallowed_urls)
        seed_url = site.seed_like_url
        syndicated = site.syndicated
    engine = make_engine(url)
    with Session(engine) as session:
        urls = set(session.scalars(select(Article.url)))
        assert urls == expected
        assert not (set(session.scalars(select(Page.url))) & disallowed)

        seed = session.scalars(select(Article).where(Article.url == seed_url)).one()
        seed_ids = {p.id for p in seed.paragraphs}
        within = session.scalars(
            select(DuplicateLink).where(DuplicateLink.paragraph_id.in_(seed_ids))
        ).all()
        assert [link.kind for link in within] == ["near_within"]
        assert within[0].matched_paragraph_id in seed_ids
        assert within[0].score > 0 and within[0].method

        stored_text = "\n".join(session.scalars(select(Paragraph.text)))
        for _heading, blurb in SEED_TEASERS:
            assert blurb[:60] not in stored_text

        for copy_url, original_url in syndicated.items():
            copy = session.scalars(select(Article).where(Article.url == copy_url)).one()
            original = session.scalars(select(Article).where(Article.url == original_url)).one()
            copy_member = session.get(ClusterMember, copy.id)
            original_member = session.get(ClusterMember, original.id)
            assert copy_member is not None and original_member is not None
            assert copy_member.cluster_id == original_member.cluster_id
            assert original_member.is_original and not copy_member.is_original
            # sources crawl at once: whichever of the two was stored second links to the other
            links = session.scalars(
                select(DuplicateLink)
                .join(Paragraph, DuplicateLink.paragraph_id == Paragraph.id)
                .where(
                    Paragraph.article_id.in_([copy.id, original.id]),
                    DuplicateLink.kind.like("%_cross"),
                )
            ).all()
            assert links, "the copy's and the original's paragraphs are linked"

        runs = session.scalars(select(CrawlRun)).all()
        assert runs and all(run.status == "ok" for run in runs)
        result = counts(session)
    engine.dispose()
    return result


def test_demo_crawl_sqlite_twice_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = run_demo(url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "[ok] the seed-like article's intro" in first.stdout
    assert "[FAILED]" not in first.stdout
    rows = check_rows(url)

    second = run_demo(url)
    assert second.returncode == 0, second.stdout + second.stderr
    assert check_rows(url) == rows


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    with throwaway_postgres_database(postgres_url) as url:
        yield url


@pytest.mark.postgres
def test_demo_crawl_postgres(postgres_db: str) -> None:
    result = run_demo(postgres_db)
    assert result.returncode == 0, result.stdout + result.stderr
    check_rows(postgres_db)
