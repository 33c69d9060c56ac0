"""Mis-labelled pages through the ingest layer on SQLite: a windows-1251 page declared as
UTF-8 is stored as Cyrillic text, and a page whose text is lost is stored as
``bad_encoding`` with its reason, never as a clean ``ok`` article."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.ingest.ingestor import Ingestor
from crawler.items import FetchedPage
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import Article, Page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "encoding"


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'charset.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _page(name: str) -> FetchedPage:
    meta = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return FetchedPage(
        source="vestnik",
        url=meta["url"],
        final_url=meta["url"],
        status=200,
        headers={"content-type": meta["content_type"]},
        body=(FIXTURES / meta["file"]).read_bytes(),
    )


def test_mislabelled_page_is_stored_decoded_and_lost_text_is_flagged(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        source_id = repo.get_or_create_source(session, "vestnik", ["vestnik.example"]).id
        session.commit()
    ingestor = Ingestor.open(factory)
    good = ingestor.ingest(_page("cp1251_declared_utf8"), source_id=source_id)
    lost = ingestor.ingest(_page("replacement_characters"), source_id=source_id)
    assert good.extraction_status == "ok"
    assert lost.extraction_status == "bad_encoding"
    with factory() as session:
        pages = {p.url: p for p in session.scalars(select(Page))}
        articles = list(session.scalars(select(Article)))
    assert pages["https://vestnik.example/news/lost"].extraction_status == "bad_encoding"
    reason = pages["https://vestnik.example/news/lost"].extraction_reason
    assert reason is not None and "U+FFFD" in reason
    assert [a.title for a in articles] == ["Новости технологий: процессор для ноутбуков"]
