"""A separate process that writes one SQLite database as hard as a crawl does.

``python -m tests.storage.sqlite_writer DATABASE_URL STOP_FILE``: loops over
ingest-like transactions (a batch of pages, the run's counters and heartbeat bumped,
committed) through :func:`storage.db.retrying` until ``STOP_FILE`` exists. Between two
transactions it pauses :data:`PAUSE` seconds, as a crawl does while it extracts the next
page outside any transaction (a writer that never lets go would starve every other
writer of any database, not only SQLite). Prints ``writing`` after its first commit
(the test waits for that line) and ``transactions N`` at the end.
"""

from __future__ import annotations

import sys
import time
import zlib
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session

from storage import repository as repo
from storage.db import make_engine, make_session_factory, retrying
from storage.models import CrawlRun, Page, utcnow

PAGES_PER_TRANSACTION = 20
PAUSE = 0.01
BODY = zlib.compress(("<p>" + "filler text of a page " * 200 + "</p>").encode())


def main(url: str, stop: Path) -> int:
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def open_run(session: Session) -> int:
        source = repo.get_or_create_source(session, "writer", ["writer.example"])
        return repo.start_run(session, source.id).id

    run_id = retrying(factory, open_run)
    serial = count()
    done = 0

    def write(session: Session) -> None:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        for _ in range(PAGES_PER_TRANSACTION):
            n = next(serial)
            session.add(
                Page(
                    source_id=run.source_id,
                    url=f"http://writer.example/{n}",
                    http_status=200,
                    raw=BODY,
                    extraction_status="ok",
                )
            )
            repo.bump(run, "pages_fetched")
        run.heartbeat_at = utcnow()

    while not stop.exists():
        retrying(factory, write)
        done += 1
        if done == 1:
            print("writing", flush=True)
        time.sleep(PAUSE)
    print(f"transactions {done}", flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
