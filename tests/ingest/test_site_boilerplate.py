"""Site boilerplate learned from the crawl: a paragraph that one source repeats on many of
its pages is recorded with its evidence, flagged as boilerplate rather than syndication,
removed from later bodies, and removed from earlier ones by ``newsdedup reextract``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.cli import main
from crawler.ingest.ingestor import Ingestor
from crawler.items import FetchedPage
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import Article, ClusterMember, DuplicateLink, Paragraph, SiteBoilerplate

DISCLAIMER = (
    "Prices and availability were checked on the morning of publication and may have "
    "changed since; the Lowmere Ledger takes no commission from the shops named here."
)

TOPICS = [
    ("Harbour cranes", "The port of Lowmere now plans its crane lifts four hours ahead."),
    ("Tram tickets", "Riders can now tap a bank card at every tram door in Lowmere."),
    ("Library robots", "A shelving robot at the central library sorts returned books."),
    ("Bridge sensors", "Strain gauges on the old swing bridge report every ten seconds."),
    ("School laptops", "Every pupil in year seven received a repairable laptop this week."),
    ("Market stalls", "Saturday traders can take contactless payments through a shared hub."),
    ("Flood barrier", "The river barrier closed automatically twice during the storm."),
]

DETAILS = [
    "Engineers spent two years testing the system on the quieter night shifts.",
    "The council expects the change to pay for itself within three winters.",
    "Residents were invited to an open evening to try it before the launch.",
    "A local firm wrote the software and will maintain it for five years.",
    "Critics asked for the usage figures to be published every quarter.",
    "Staff said the first weeks were bumpy but the queues are shorter now.",
    "The pilot will be reviewed next spring before any wider rollout.",
]


def page(n: int) -> FetchedPage:
    title, lead = TOPICS[n]
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Lowmere Ledger</title></head><body><article><h1>{title}</h1>
<p>{lead}</p>
<p>{DETAILS[n]} {DETAILS[(n + 3) % 7]}</p>
<p>{DISCLAIMER}</p>
</article></body></html>"""
    url = f"http://ledger.example/{n}"
    return FetchedPage(
        source="lowmere",
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=html.encode(),
    )


def test_site_boilerplate_is_learned_removed_and_recleaned(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bp.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        source_id = repo.get_or_create_source(session, "lowmere", ["ledger.example"]).id
        other_id = repo.get_or_create_source(session, "other", ["other.example"]).id
        session.commit()
    ingestor = Ingestor.open(factory)
    for n in range(4):
        ingestor.ingest(page(n), source_id=source_id)
    with factory() as session:
        # Before the threshold the repeats look like copies, and the first pages keep it.
        assert session.scalars(select(SiteBoilerplate.pages)).one() == 4
        assert len(list(session.scalars(select(Paragraph).where(Paragraph.text == DISCLAIMER))))
        assert list(session.scalars(select(DuplicateLink.kind)))

    ingestor.ingest(page(4), source_id=source_id)  # the fifth page makes it boilerplate
    with factory() as session:
        row = session.scalars(select(SiteBoilerplate)).one()
        assert row.text == DISCLAIMER and row.pages == 5
        # ... and the source's first five pages were cleaned again inside the same crawl:
        assert DISCLAIMER not in list(session.scalars(select(Paragraph.text)))
        assert list(session.scalars(select(DuplicateLink.kind))) == []
        assert sorted(session.scalars(select(Article.version))) == [2, 2, 2, 2, 2]
        assert session.scalars(select(ClusterMember)).first() is None

    outcome = ingestor.ingest(page(5), source_id=source_id)
    with factory() as session:
        article = session.get(Article, outcome.article_id)
        assert article is not None and DISCLAIMER not in article.text
        assert article.version == 1
        assert [p.kind for p in article.paragraphs] == ["paragraph", "paragraph"]

    # Another site repeating a re-cleaned article's paragraph is still flagged as a copy.
    copied = replace(page(0), source="other", url="http://other.example/0")
    copied = replace(copied, final_url=copied.url)
    copied_outcome = ingestor.ingest(copied, source_id=other_id)
    assert copied_outcome.duplicates.get("exact_cross", 0) >= 1

    assert main(["--database-url", url, "reextract", "--source", "lowmere"]) == 0
    with factory() as session:
        texts = list(
            session.scalars(
                select(Paragraph.text).join(Article).where(Article.source_id == source_id)
            )
        )
        assert texts and DISCLAIMER not in texts
        versions = list(
            session.scalars(select(Article.version).where(Article.source_id == source_id))
        )
        assert sorted(versions) == [1, 2, 2, 2, 2, 2]  # reextract finds nothing left to do
    engine.dispose()


def test_boilerplate_command_lists_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'bp.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        source_id = repo.get_or_create_source(session, "lowmere", ["ledger.example"]).id
        session.commit()
    ingestor = Ingestor.open(factory)
    for n in range(3):
        ingestor.ingest(page(n), source_id=source_id)
    engine.dispose()
    assert main(["--database-url", url, "boilerplate"]) == 0
    out = capsys.readouterr().out
    assert "lowmere: 0 boilerplate paragraph(s), 3 articles" in out
    assert "candidate   on    3 pages  Prices and availability" in out
    assert main(["--database-url", url, "boilerplate", "--source", "nope"]) == 2
