"""Starting the index from its snapshot file on a real SQLite database: the same answers as a
load from SQL, caught up when stale, matched with SQL after deletions, rebuilt when made
with other parameters or damaged, and no snapshot (a warning) on a read-only place."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crawler.cli import main
from crawler.dedup import DedupParams, Match
from crawler.demo.content import ARTICLES
from crawler.demo.pages import article_url, render_article
from crawler.ingest.index_snapshot import configured_path, snapshot_path
from crawler.ingest.ingestor import Ingestor
from crawler.items import FetchedPage
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import Article, Paragraph
from storage.repo.index_state import iter_signature_idents


def page_of(i: int) -> FetchedPage:
    article = ARTICLES[i]
    url = article_url(article)
    return FetchedPage(
        source=article.publisher,
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=render_article(article),
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield url, make_session_factory(engine)
    engine.dispose()


def ingest(ingestor: Ingestor, factory: sessionmaker[Session], which: range) -> None:
    for i in which:
        page = page_of(i)
        with factory() as session:
            src = repo.get_or_create_source(session, page.source, [f"{page.source}.example"])
            session.commit()
            sid = src.id
        ingestor.ingest(page, source_id=sid)


def answers(ingestor: Ingestor, factory: sessionmaker[Session]) -> list[list[Match]]:
    """What the index says about every stored article (as a new article, and with a
    word changed in each paragraph)."""
    with factory() as session:
        articles = [
            [p.text for p in a.paragraphs if p.kind == "paragraph"]
            for a in session.query(Article).order_by(Article.id)
        ]
    out = []
    for texts in articles:
        edited = [t.replace(" the ", " a ", 1) for t in texts]
        for batch in (texts, edited):
            out.append(ingestor.engine.check_article(batch, article=-1))
            sigs = ingestor.engine.signatures(batch)
            out.append(
                [
                    Match(i, k, "cand", "", 0.0)
                    for i, ks in sorted(ingestor.engine.candidates(sigs, article=-1).items())
                    for k in ks
                ]
            )
    return out


def from_sql(factory: sessionmaker[Session]) -> Ingestor:
    return Ingestor.open(factory)


def snapshotted(url: str, factory: sessionmaker[Session], pages: int) -> tuple[Path, Ingestor]:
    """A process that crawled ``pages`` pages and wrote its snapshot."""
    path = snapshot_path(url)
    assert path is not None
    first = Ingestor.open(factory, snapshot=path)
    ingest(first, factory, range(0, pages))
    assert first.save_snapshot() and path.exists()
    return path, first


def assert_same_as_sql(ingestor: Ingestor, factory: sessionmaker[Session]) -> None:
    sql = from_sql(factory)
    assert len(ingestor.engine) == len(sql.engine) > 0
    assert ingestor.watermark == sql.watermark
    assert answers(ingestor, factory) == answers(sql, factory)


def test_snapshot_path_beside_sqlite_and_in_a_directory(tmp_path: Path) -> None:
    assert snapshot_path(f"sqlite:///{tmp_path}/a.db") == Path(f"{tmp_path}/a.db.index")
    assert snapshot_path("sqlite://") is None
    assert snapshot_path("postgresql://u:secret@h/news") is None
    pg = snapshot_path("postgresql://u:secret@h/news", str(tmp_path))
    other = snapshot_path("postgresql://u:secret@h2/news", str(tmp_path))
    assert pg is not None and pg.parent == tmp_path and pg.name.startswith("news-")
    assert pg != other and "secret" not in str(pg)


def test_round_trip_gives_the_answers_of_a_sql_load(
    db: tuple[str, sessionmaker[Session]],
) -> None:
    url, factory = db
    path, _ = snapshotted(url, factory, 8)
    again = Ingestor.open(factory, snapshot=path)
    assert_same_as_sql(again, factory)


def test_stale_snapshot_is_caught_up_from_sql(
    db: tuple[str, sessionmaker[Session]], caplog: pytest.LogCaptureFixture
) -> None:
    url, factory = db
    path, first = snapshotted(url, factory, 5)
    other = Ingestor.open(factory)  # another process, no snapshot written
    ingest(other, factory, range(5, 10))
    caplog.set_level(logging.INFO, logger="crawler.ingest.ingestor")
    again = Ingestor.open(factory, snapshot=path)
    assert "(snapshot, " in caplog.text
    with factory() as session:
        newer = session.query(Paragraph).filter(Paragraph.id > first.watermark).count()
    assert newer > 0
    assert_same_as_sql(again, factory)


def test_deleted_articles_leave_no_stale_entries(
    db: tuple[str, sessionmaker[Session]], caplog: pytest.LogCaptureFixture
) -> None:
    url, factory = db
    path, _ = snapshotted(url, factory, 8)
    with factory() as session:  # purge two articles, the newest among them (ids reused)
        ids = [a.id for a in session.query(Article).order_by(Article.id)]
        for aid in (ids[1], ids[-1]):
            session.delete(session.get(Article, aid))
        session.commit()
    other = Ingestor.open(factory)
    ingest(other, factory, range(8, 9))
    caplog.set_level(logging.INFO)
    again = Ingestor.open(factory, snapshot=path)
    assert "(reconciled, " in caplog.text
    sql = from_sql(factory)
    assert len(again.engine) == len(sql.engine)
    assert sorted(again.engine.export_arrays().keys.tolist()) == sorted(
        sql.engine.export_arrays().keys.tolist()
    )
    assert answers(again, factory) == answers(sql, factory)
    caplog.clear()
    Ingestor.open(factory, snapshot=path)  # the reconciled snapshot was written back
    assert "(snapshot, " in caplog.text


def test_snapshot_of_other_parameters_is_rebuilt(
    db: tuple[str, sessionmaker[Session]], caplog: pytest.LogCaptureFixture
) -> None:
    url, factory = db
    path, _ = snapshotted(url, factory, 4)
    params = DedupParams(num_perm=64)
    again = Ingestor.open(factory, params=params, snapshot=path)
    assert "made with other dedup parameters" in caplog.text and str(path) in caplog.text
    sql = Ingestor.open(factory, params=params)
    assert answers(again, factory) == answers(sql, factory)


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_snapshot_is_rebuilt_with_a_warning(
    db: tuple[str, sessionmaker[Session]], caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    url, factory = db
    path, _ = snapshotted(url, factory, 4)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else os.urandom(len(data)))
    again = Ingestor.open(factory, snapshot=path)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(path) in r.getMessage() and "ignored" in r.getMessage() for r in warnings)
    assert_same_as_sql(again, factory)
    caplog.clear()
    caplog.set_level(logging.INFO)
    Ingestor.open(factory, snapshot=path)  # rewritten after the rebuild
    assert "(snapshot, " in caplog.text


def test_unwritable_place_means_no_snapshot_but_the_crawl_goes_on(
    db: tuple[str, sessionmaker[Session]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, factory = db
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the snapshot directory should be")
    path = blocker / "crawl.db.index"
    ingestor = Ingestor.open(factory, snapshot=path)
    ingest(ingestor, factory, range(0, 3))
    assert ingestor.save_snapshot() is False
    assert any(r.levelno == logging.WARNING and str(path) in r.getMessage() for r in caplog.records)
    ingest(ingestor, factory, range(3, 5))  # still crawling
    assert len(ingestor.engine) == len(from_sql(factory).engine)


def test_settings_choose_the_file_or_none(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    url = f"sqlite:///{tmp_path}/a.db"
    assert configured_path(url, "1", "") == Path(f"{tmp_path}/a.db.index")
    assert configured_path(url, "1", str(tmp_path / "snaps")) == tmp_path / "snaps" / "a.db.index"
    assert configured_path(url, "0", "") is None
    assert "NEWSDEDUP_INDEX_SNAPSHOT=0" in caplog.text
    assert configured_path("postgresql://u@h/news", "1", "") is None
    assert "set NEWSDEDUP_INDEX_SNAPSHOT_DIR" in caplog.text


def test_index_status_and_rebuild_commands(
    db: tuple[str, sessionmaker[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, factory = db
    ingest(from_sql(factory), factory, range(0, 4))

    def run(*argv: str) -> tuple[int, str]:
        code = main(["--database-url", url, "index", *argv])
        return code, capsys.readouterr().out

    assert run("status") == (
        0,
        f"snapshot: {url[10:]}.index\n" + "state: missing; the next"
        " crawl loads the index from SQL and writes it\n",
    )
    code, out = run("rebuild")
    assert code == 0 and out.startswith(f"wrote {url[10:]}.index: ")
    code, out = run("status")
    assert code == 0 and out.endswith("state: current\n")
    ingest(from_sql(factory), factory, range(4, 6))
    assert run("status")[1].endswith("from SQL\n") and "stale" in run("status")[1]
    with factory() as session:
        session.delete(session.query(Article).order_by(Article.id).first())
        session.commit()
    assert "changed since" in run("status")[1]


def test_stored_idents_come_in_batches_in_id_order(db: tuple[str, sessionmaker[Session]]) -> None:
    _, factory = db
    ingestor = from_sql(factory)
    ingest(ingestor, factory, range(0, 3))
    with factory() as session:
        whole = list(iter_signature_idents(session, ingestor.params_id, ingestor.watermark))
        parts = list(iter_signature_idents(session, ingestor.params_id, ingestor.watermark, 4))
        upto = list(iter_signature_idents(session, ingestor.params_id, 5, 4))
    assert len(whole) == 1 and len(parts) > 2
    ids = [i for p in parts for i in p.ids]
    assert ids == whole[0].ids == sorted(ids) and len(ids) == len(ingestor.engine)
    assert [h for p in parts for h in p.hashes] == whole[0].hashes
    assert all(len(h) == 16 for h in whole[0].hashes)
    assert [i for p in upto for i in p.ids] == [i for i in ids if i <= 5]


def test_postgresql_snapshot_in_its_directory(postgres_url: str, tmp_path: Path) -> None:
    from tests.storage.databases import throwaway_postgres_database

    with throwaway_postgres_database(postgres_url) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            path = snapshot_path(url, str(tmp_path / "snapshots"))
            assert path is not None
            first = Ingestor.open(factory, snapshot=path)
            ingest(first, factory, range(0, 6))
            assert first.save_snapshot() and path.exists()
            with factory() as session:
                session.delete(session.query(Article).order_by(Article.id).first())
                session.commit()
            ingest(from_sql(factory), factory, range(6, 8))
            again = Ingestor.open(factory, snapshot=path)
            sql = from_sql(factory)
            assert len(again.engine) == len(sql.engine) and again.watermark == sql.watermark
            assert answers(again, factory) == answers(sql, factory)
        finally:
            engine.dispose()


def test_a_running_index_that_missed_deletions_is_matched_before_writing(
    db: tuple[str, sessionmaker[Session]], caplog: pytest.LogCaptureFixture
) -> None:
    url, factory = db
    path = snapshot_path(url)
    running = Ingestor.open(factory, snapshot=path)
    ingest(running, factory, range(0, 8))
    with factory() as session:  # another process purges the newest article and stores one
        newest = session.query(Article).order_by(Article.id.desc()).first()
        assert newest is not None
        session.delete(newest)
        session.commit()
    ingest(Ingestor.open(factory), factory, range(8, 9))  # its ids reuse the purged ones
    assert running.save_snapshot()
    caplog.set_level(logging.INFO)
    again = Ingestor.open(factory, snapshot=path)
    assert "(snapshot, " in caplog.text
    sql = from_sql(factory)
    assert len(again.engine) == len(sql.engine)
    assert answers(again, factory) == answers(sql, factory)
