"""The crawl writer's ``prepare``: a batch's pages are prepared (extracted) one after
another before the batch's transaction, outside the write lock; a page whose
preparation fails gets its error and the rest are stored."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from crawler.service.writer import DatabaseWriter
from storage.db import make_engine, make_session_factory


@pytest.fixture
def writer(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    writer = DatabaseWriter(make_session_factory(engine), url, batch=10)
    yield writer, engine
    writer.close()
    engine.dispose()


def test_prepared_back_to_back_before_the_batch_and_outside_its_transaction(writer) -> None:
    writer, engine = writer
    events: list[str] = []
    lock = threading.Lock()
    release = threading.Event()
    # keep the writer busy so that the jobs below wait and are taken as one batch
    blocker = threading.Thread(target=lambda: writer.call(lambda: release.wait(10)))
    blocker.start()

    def prepare(n: int):
        def run() -> int:
            # no write lock held: another connection can write meanwhile
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": -n})
            with lock:
                events.append(f"prepare {n}")
            if n == 2:
                raise ValueError("page 2 is broken")
            return n * 10

        return run

    def store(n: int):
        def run(session: Session, prepared: int) -> int:
            with lock:
                events.append(f"store {n}")
            session.execute(text("INSERT INTO t VALUES (:n)"), {"n": prepared})
            return prepared

        return run

    results: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            results[n] = writer.call(store(n), batched=True, prepare=prepare(n))
        except ValueError as exc:
            results[n] = exc

    callers = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for caller in callers:
        caller.start()
    while writer._queue.qsize() < 4:  # all four queued behind the blocker
        threading.Event().wait(0.01)
    release.set()
    for thread in [blocker, *callers]:
        thread.join(10)

    assert results[0] == 0 and results[1] == 10 and results[3] == 30
    assert isinstance(results[2], ValueError) and "page 2" in str(results[2])
    prepares = [i for i, e in enumerate(events) if e.startswith("prepare")]
    stores = [i for i, e in enumerate(events) if e.startswith("store")]
    assert len(prepares) == 4 and len(stores) == 3
    assert max(prepares) < min(stores), events
    assert "store 2" not in events
    with engine.connect() as connection:
        stored = sorted(n for (n,) in connection.execute(text("SELECT n FROM t")))
    assert stored == [-3, -2, -1, 0, 0, 10, 30]
    assert writer.fault is None
