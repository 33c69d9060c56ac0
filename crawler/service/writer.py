"""The crawl process's one database writer: a thread that does every write, in order.

Every source's pipeline hands its pages to :meth:`DatabaseWriter.submit`; the reactor
thread never runs SQL. The thread takes the pages that are waiting (up to ``batch``),
runs their ``prepare`` (the extraction) one after another outside any transaction, and
stores them in one transaction, the project's one way to write
(:func:`storage.db.retrying` with ``serialized=True``): the write lock first (SQLite
``BEGIN IMMEDIATE``; PostgreSQL an advisory transaction lock), waited for and retried
while the database is locked, then ``before_batch`` (the ingestor indexes what other
processes stored since its last batch), then each page in a SAVEPOINT (a page that fails
is rolled back alone and reported to its caller), then one commit. After the commit and
the callers' results, ``after_batch`` runs on the writer thread outside any transaction
(the service writes its index snapshot there now and then). Once the batch has
begun it is not run again (the dedup index has changed): a "locked" error then is a
storage fault. Callers get their result after the commit.

A storage fault (the database is read-only, the disk is full, the file or server is gone)
is fatal: the writer logs one ERROR naming the database and the cause, calls ``on_fault``
(the crawl service stops every crawl) and fails every later job with :class:`StorageFault`
at once, without touching the database, except jobs submitted with ``always=True``
(recording the runs' end), which are still tried.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import describe_error, display_url, is_busy_error, retrying, sqlite_path

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Most pages stored in one transaction.
DEFAULT_BATCH = 50

#: The name of the writer's thread (benchmarks count its CPU by it).
THREAD_NAME = "newsdedup-writer"


class StorageFault(RuntimeError):
    """The database cannot be written; the crawl stops."""


def is_storage_fault(exc: BaseException) -> bool:
    """Whether an exception means the database cannot be written (not a bad page)."""
    if isinstance(exc, StorageFault | OSError):
        return True
    if isinstance(exc, IntegrityError | DataError):
        return False
    return isinstance(exc, DBAPIError)


def storage_message(database_url: str, exc: BaseException) -> str:
    """``database URL: cannot write: cause`` (password masked, no SQL)."""
    if isinstance(exc, StorageFault) and str(exc).startswith("database "):
        return str(exc)
    cause = describe_error(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
    return f"database {display_url(database_url)}: cannot write: {cause}"


Deliver = Callable[[Any, BaseException | None], None]


@dataclass
class _Job:
    fn: Callable[..., Any]
    deliver: Deliver
    batched: bool  # fn(session) inside the batch transaction; else fn() on its own
    always: bool = False
    prepare: Callable[[], Any] | None = None  # run before the batch's transaction
    submitted: float = field(default_factory=time.monotonic)


class DatabaseWriter:
    """One writer thread for a database.

    Args:
        factory: session factory of the database.
        database_url: for messages (password masked).
        batch: most page jobs per transaction.
        before_batch: called with the batch's session after the write lock is taken.
        after_batch: called after each committed batch (outside the transaction and the
            write lock); an exception there is logged, never fatal.
        on_fault: called once, on the writer thread, with the first storage fault.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        database_url: str,
        *,
        batch: int = DEFAULT_BATCH,
        before_batch: Callable[[Session], object] | None = None,
        after_batch: Callable[[], object] | None = None,
        on_fault: Callable[[StorageFault], object] | None = None,
    ) -> None:
        self.factory = factory
        self.database = display_url(database_url)
        self._path = sqlite_path(database_url)
        self.batch = max(1, batch)
        self.before_batch = before_batch
        self.after_batch = after_batch
        self.on_fault = on_fault
        self.fault: StorageFault | None = None
        self._abandoned: str | None = None
        self.batches = 0
        self.jobs = 0
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._held: list[_Job | None] = []
        self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
        self._thread.start()

    # --- submitting ------------------------------------------------------------------

    def submit(
        self,
        fn: Callable[..., T],
        *,
        batched: bool = True,
        always: bool = False,
        prepare: Callable[[], Any] | None = None,
    ) -> Any:
        """Run ``fn`` on the writer thread; returns a Deferred fired on the reactor thread
        (``batched``: ``fn(session)`` in the batch transaction; else ``fn()`` alone;
        ``always``: tried even after a storage fault; ``prepare``, batched jobs only: run
        first, before the batch's transaction begins, and ``fn(session, prepared)`` is
        called with what it returned)."""
        from twisted.internet import defer
        from twisted.internet import reactor as installed

        reactor: Any = installed

        d: defer.Deferred[T] = defer.Deferred()

        def fire(result: Any, exc: BaseException | None) -> None:
            if exc is None:
                d.callback(result)
            else:
                d.errback(exc)

        def deliver(result: Any, exc: BaseException | None) -> None:
            reactor.callFromThread(fire, result, exc)

        self._queue.put(_Job(fn, deliver, batched, always=always, prepare=prepare))
        return d

    def call(
        self,
        fn: Callable[..., T],
        *,
        batched: bool = False,
        always: bool = False,
        prepare: Callable[[], Any] | None = None,
    ) -> T:
        """Run ``fn`` on the writer thread and wait for it (outside the reactor thread, or
        before/after the reactor runs); the arguments as for :meth:`submit`."""
        future: Future[T] = Future()

        def deliver(result: Any, exc: BaseException | None) -> None:
            if exc is None:
                future.set_result(result)
            else:
                future.set_exception(exc)

        self._queue.put(_Job(fn, deliver, batched, always=always, prepare=prepare))
        return future.result()

    def abandon(self, reason: str) -> None:
        """Stop at once: page jobs still queued fail with ``reason`` instead of being
        stored (a second SIGTERM); jobs with ``always`` still run."""
        self._abandoned = reason

    def close(self) -> None:
        """Finish the queued jobs and end the thread."""
        self._queue.put(None)
        self._thread.join()

    # --- the thread --------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            job = self._held.pop() if self._held else self._queue.get()
            if job is None:
                return
            if not job.batched:
                self._solo(job)
                continue
            jobs = [job]
            while len(jobs) < self.batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None or not more.batched:
                    self._held.append(more)  # after this batch, in order
                    break
                jobs.append(more)
            self._run_batch(jobs)

    def _solo(self, job: _Job) -> None:
        if self.fault is not None and not job.always:
            job.deliver(None, self.fault)
            return
        try:
            result = job.fn()
        except BaseException as exc:  # handed to the caller
            if is_storage_fault(exc) and not job.always:
                job.deliver(None, self._fail(exc))
            else:
                job.deliver(None, exc)
            return
        job.deliver(result, None)

    def _run_batch(self, jobs: list[_Job]) -> None:
        if self._abandoned is not None:
            for job in jobs:
                job.deliver(None, RuntimeError(self._abandoned))
            return
        if self.fault is not None:
            for job in jobs:
                job.deliver(None, self.fault)
            return
        jobs = self._prepare(jobs)
        if not jobs:
            return
        try:
            self._check_present()
            results = retrying(
                self.factory, lambda session: self._store_batch(session, jobs), serialized=True
            )
        except Exception as exc:  # a storage fault, or a bug: both fatal
            fault = self._fail(exc)
            for job in jobs:
                job.deliver(None, fault)
            return
        self.batches += 1
        self.jobs += len(jobs)
        for job, result, error in results:
            job.deliver(result, error)
        if self.after_batch is not None:
            try:
                self.after_batch()
            except Exception:
                log.exception("after a write batch")

    def _prepare(self, jobs: list[_Job]) -> list[_Job]:
        """Run the jobs' ``prepare`` (extraction) one after another, before the batch's
        transaction: outside the write lock, and back to back. A job whose ``prepare``
        raises gets that error and is not stored."""
        ready: list[_Job] = []
        for job in jobs:
            if job.prepare is None:
                ready.append(job)
                continue
            try:
                prepared = job.prepare()
            except Exception as exc:
                job.deliver(None, exc)
                continue
            fn = job.fn
            job.fn = lambda session, fn=fn, prepared=prepared: fn(session, prepared)
            ready.append(job)
        return ready

    def _store_batch(
        self, session: Session, jobs: list[_Job]
    ) -> list[tuple[_Job, Any, BaseException | None]]:
        """The batch's unit of work, in the transaction :func:`storage.db.retrying` began
        with the write lock held; not to be run twice (see the module's docstring)."""
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            if self.before_batch is not None:
                self.before_batch(session)
            for job in jobs:
                try:
                    with session.begin_nested():
                        results.append((job, job.fn(session), None))
                except Exception as exc:  # one page's trouble
                    if is_storage_fault(exc):
                        raise
                    results.append((job, None, exc))
        except DBAPIError as exc:
            if is_busy_error(exc):  # not retried: the batch has begun
                raise StorageFault(storage_message(self.database, exc)) from exc
            raise
        return results

    def _check_present(self) -> None:
        if self._path is not None and not self._path.exists():
            raise StorageFault(f"the database file {self._path} is gone")

    def check_present(self) -> None:
        """Raise :class:`StorageFault` when the SQLite file was removed."""
        self._check_present()

    def _fail(self, exc: BaseException) -> StorageFault:
        if self.fault is None:
            self.fault = StorageFault(storage_message(self.database, exc))
            log.error("%s; stopping the crawl", self.fault)
            log.debug("storage fault", exc_info=exc)
            if self.on_fault is not None:
                try:
                    self.on_fault(self.fault)
                except Exception:
                    log.exception("stopping the crawl after a storage fault failed")
        return self.fault
