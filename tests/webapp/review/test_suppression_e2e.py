"""End to end: a crawl flags a shared paragraph, an editor says "not a duplicate" in the
web app, and a later crawl of the same texts under new URLs never flags that pair again."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from crawler.ingest.ingestor import Ingestor
from crawler.items import FetchedPage
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import DuplicateLink, Paragraph, SuppressedPair
from storage.repo.sources import get_or_create_source
from storage.repo.users import add_user
from tests.webapp.review.conftest import log_in
from webapp.app import create_app
from webapp.review.passwords import hash_password

SHARED = (
    "The river authority opened the new lock at Carrow Bend on Monday, ending three years "
    "of detours for barges that carry timber and grain down to the estuary ports."
)
NORTH = [
    "Barge crews gathered on the towpath before dawn to watch the first boat pass through "
    "the gates, some of them having waited since the old lock closed.",
    SHARED,
    "The lock keeper, a former ferry captain, said the new gates open in four minutes "
    "instead of the twenty that the old timber ones needed on a cold morning.",
]
SOUTH = [
    "Engineers from the south bank firm that built the chamber said the concrete had cured "
    "faster than expected during the dry summer months.",
    SHARED,
    "Local councillors want the towpath resurfaced next, arguing that cyclists and walkers "
    "have shared a muddy strip for too long already.",
]


def html_page(url: str, title: str, paragraphs: list[str]) -> FetchedPage:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )
    return FetchedPage(
        source="",
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=html.encode("utf-8"),
    )


def crawl(factory: sessionmaker[Session], north_url: str, south_url: str) -> None:
    """One crawl: a fresh ingestor (as a new process would build) over both pages."""
    with factory() as session:
        north = get_or_create_source(session, "north-gazette", ["north-gazette.example"]).id
        south = get_or_create_source(session, "south-tribune", ["south-tribune.example"]).id
        session.commit()
    ingestor = Ingestor.open(factory)
    assert ingestor.ingest(html_page(north_url, "Lock opens", NORTH), source_id=north).article_id
    assert ingestor.ingest(html_page(south_url, "New lock", SOUTH), source_id=south).article_id


def links_by_hash(session: Session) -> list[tuple[int, frozenset[str]]]:
    para, other = aliased(Paragraph), aliased(Paragraph)
    rows = session.execute(
        select(DuplicateLink.id, para.norm_hash, other.norm_hash)
        .join(para, DuplicateLink.paragraph_id == para.id)
        .join(other, DuplicateLink.matched_paragraph_id == other.id)
    ).all()
    return [(int(i), frozenset((a, b))) for i, a, b in rows]


def test_not_a_duplicate_is_never_flagged_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        add_user(session, "edna", hash_password("tide-tables-42"), "editor")
        session.commit()

    crawl(factory, "https://north-gazette.example/lock", "https://south-tribune.example/lock")
    with factory() as session:
        first = links_by_hash(session)
    assert len(first) == 1, "the shared paragraph is flagged by the first crawl"
    link_id, pair = first[0]

    with TestClient(create_app(url), follow_redirects=False) as client:
        csrf = log_in(client, "edna", "tide-tables-42")
        assert f'id="row-{link_id}"' in client.get("/review?view=paragraphs").text
        response = client.post(
            f"/review/pair/{link_id}/decide",
            data={"csrf_token": csrf, "decision": "not_duplicate", "note": "separate reports"},
        )
        assert response.status_code == 303
    with factory() as session:
        assert len(session.scalars(select(SuppressedPair)).all()) == 1

    crawl(factory, "https://north-gazette.example/lock-2", "https://south-tribune.example/lock-2")
    with factory() as session:
        later = [(i, p) for i, p in links_by_hash(session) if i != link_id]
        paragraphs = session.scalar(select(Paragraph.id).order_by(Paragraph.id.desc()))
    assert paragraphs is not None and paragraphs > 8, "the later crawl stored the new pages"
    assert later, "the later crawl still flags the other repeated paragraphs"
    assert all(p != pair for _, p in later), "the suppressed pair was flagged again"
    engine.dispose()
