"""save_article keeps the old version in article_versions when the text changed; the
incremental repository helpers read validators and mark pages seen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Page
from storage.repo.incremental import known_pages, mark_seen
from storage.repo.versions import article_versions
from storage.repository import ArticleFields, save_article
from tests.storage.factories import BLOCKS_TEXT, blocks, source


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'versions.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _page(session: Session, source_id: int, url: str) -> Page:
    page = Page(
        source_id=source_id,
        url=url,
        http_status=200,
        etag='"v1"',
        last_modified="Fri, 20 Nov 2026 08:00:00 GMT",
        lastmod="2026-11-20",
        extraction_status="ok",
    )
    session.add(page)
    session.flush()
    return page


def test_changed_text_keeps_each_old_version(session: Session) -> None:
    src = source(session)
    url = "http://lowmere-ledger.example/a/cranes"
    page = _page(session, src.id, url)
    first = ArticleFields(title="Cranes schedule themselves", published_at=datetime(2026, 11, 2))
    article, status = save_article(
        session, page=page, source_id=src.id, url=url, fields=first, blocks=blocks(), run_id=None
    )
    assert status == "new"
    v1_text = article.text
    changed = [*BLOCKS_TEXT, ("paragraph", "A correction was added to the figures on Tuesday.")]
    second = ArticleFields(title="Cranes schedule themselves (corrected)")
    article, status = save_article(
        session,
        page=page,
        source_id=src.id,
        url=url,
        fields=second,
        blocks=blocks(changed),
        run_id=None,
    )
    assert (status, article.version) == ("updated", 2)
    _, status = save_article(
        session,
        page=page,
        source_id=src.id,
        url=url,
        fields=second,
        blocks=blocks(changed),
        run_id=None,
    )
    assert status == "unchanged"
    article, status = save_article(
        session, page=page, source_id=src.id, url=url, fields=first, blocks=blocks(), run_id=None
    )
    assert (status, article.version) == ("updated", 3)

    kept = article_versions(session, article.id)
    assert [v.version for v in kept] == [1, 2]
    assert kept[0].text == v1_text and kept[0].title == "Cranes schedule themselves"
    assert kept[0].published_at == datetime(2026, 11, 2)
    stored_blocks: Any = kept[0].blocks  # typed list[str] in the model; holds [kind, text]
    assert stored_blocks == [[kind, text] for kind, text in BLOCKS_TEXT]
    assert kept[1].title == "Cranes schedule themselves (corrected)"
    assert kept[0].seen_from == article.first_seen_at
    assert kept[1].seen_from == kept[0].replaced_at


def test_known_pages_and_mark_seen(session: Session) -> None:
    src = source(session)
    url = "http://lowmere-ledger.example/a/cranes"
    page = _page(session, src.id, url)
    article, _ = save_article(
        session,
        page=page,
        source_id=src.id,
        url=url,
        fields=ArticleFields(),
        blocks=blocks(),
        run_id=None,
    )
    assert known_pages(session, src.id) == {
        url: ("2026-11-20", '"v1"', "Fri, 20 Nov 2026 08:00:00 GMT")
    }
    before = article.last_seen_at
    seen = mark_seen(session, url, lastmod="2026-11-21", run_id=None)
    assert seen is article and article.last_seen_at >= before
    assert page.lastmod == "2026-11-21"
    assert (
        mark_seen(session, "http://lowmere-ledger.example/missing", lastmod=None, run_id=None)
        is None
    )
