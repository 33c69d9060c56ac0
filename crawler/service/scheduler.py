"""The scheduler behind ``newsdedup schedule``: start each source's crawl on its cron times.

One long-lived foreground process. ``newsdedup schedule`` runs every crawl inside it, on
its one reactor (:class:`ServiceLauncher`, :meth:`Scheduler.start_on`), so all due
sources crawl at once against one dedup index through one database writer;
:class:`SubprocessLauncher` (one child process per crawl) remains for callers that want
it. The loop is built around an injectable :class:`Clock` and launcher, so tests fire
schedules with a fake clock and no sleeping.

Rules:

- **Times**: a source is due at the fire times of its ``schedule`` cron expression,
  read in UTC. The next due time is kept in the ``schedule_state`` table.
- **Never two at once**: a due source is not started while its previous child still
  runs, nor while the database shows a run of it in a live process (a manual
  ``newsdedup crawl``, another scheduler). That fire time is skipped, logged.
- **Missed runs** (the scheduler was down at a fire time): at start, a source whose
  stored next due time has passed is crawled once at once; the fire times it missed
  are not caught up one by one. A source never scheduled before waits for its next
  fire time. A source whose last run was cut short (left ``running`` by a process that
  is gone: a killed service) has that run marked ``interrupted`` and is crawled again at
  once (incrementally: what was stored stays, nothing is stored twice).
- **SIGTERM/SIGINT**: no new crawl starts; each running crawl stops gracefully (requests
  in flight finish, their pages are stored, the run is recorded ``interrupted``; a child
  process gets one SIGTERM); the scheduler waits for them and exits 0.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from croniter import croniter

from crawler.config import SourceConfig

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.service.alerts import SilenceWatch

__all__ = [
    "Child",
    "Clock",
    "DatabaseStateStore",
    "InProcessChild",
    "Launcher",
    "Scheduler",
    "SerialStateStore",
    "ServiceLauncher",
    "StateStore",
    "SubprocessLauncher",
    "SystemClock",
    "due_times",
    "next_fire",
]

log = logging.getLogger(__name__)

#: Longest single wait, so a changed system clock is noticed within this many seconds.
MAX_WAIT = 60.0


def next_fire(expression: str, after: datetime) -> datetime:
    """The first fire time of a cron expression strictly after ``after`` (naive UTC)."""
    return croniter(expression, after).get_next(datetime)  # type: ignore[no-any-return]


class Clock(Protocol):
    """Time for the scheduler: now, and waiting that a stop request cuts short."""

    def now(self) -> datetime:
        """Naive UTC now."""

    def wait(self, seconds: float) -> None:
        """Wait up to ``seconds``, or less if :meth:`wake` is called."""

    def wake(self) -> None:
        """End the current (or next) wait early."""


class SystemClock:
    """The real clock; waiting is an interruptible ``Event.wait``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    def wait(self, seconds: float) -> None:
        self._event.wait(max(0.0, seconds))
        self._event.clear()

    def wake(self) -> None:
        self._event.set()


class Child(Protocol):
    """A started crawl (``subprocess.Popen`` fits)."""

    pid: int

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...


Launcher = Callable[[SourceConfig], Child]


class StateStore(Protocol):
    """Where the scheduler keeps its state and learns about runs of other processes."""

    def next_due(self) -> dict[str, datetime | None]:
        """The stored next due time of each source that has one, by name."""

    def save(self, name: str, next_due: datetime, started_at: datetime | None = None) -> None:
        """Store a source's next due time (and when a crawl of it was started)."""

    def busy(self, name: str) -> str | None:
        """Why a source must not start now (a run of it is going), or None."""


@dataclass
class _Slot:
    source: SourceConfig
    due: datetime
    child: Child | None = None


class Scheduler:
    """Start crawls of ``sources`` at their cron times.

    Args:
        sources: the sources to schedule (the enabled ones, usually).
        clock: the time source (:class:`SystemClock`, or a fake one in tests).
        launcher: starts a source's crawl and returns the child.
        store: state in the database (:class:`DatabaseStateStore`).
        poll: most seconds between checks of running children.
        watch: called with the time at every tick (the silent-source alert check).
    """

    def __init__(
        self,
        sources: Sequence[SourceConfig],
        *,
        clock: Clock,
        launcher: Launcher,
        store: StateStore,
        poll: float = 5.0,
        watch: Callable[[datetime], object] | None = None,
    ) -> None:
        self.watch = watch
        self.clock = clock
        self.launcher = launcher
        self.store = store
        self.poll = poll
        self._sources = list(sources)
        self._slots: dict[str, _Slot] = {}
        self._stopping = False
        self.started: list[tuple[str, datetime]] = []

    def plan(self) -> dict[str, datetime]:
        """Load the state and apply the missed-run policy; returns each source's due time."""
        now = self.clock.now()
        stored = self.store.next_due()
        recover = getattr(self.store, "recover", None)
        cut_short = set(recover()) if recover is not None else set()
        for source in self._sources:
            due = stored.get(source.name)
            if source.name in cut_short:
                log.warning(
                    "source %s: its last crawl was cut short (its process is gone); "
                    "running it again now",
                    source.name,
                )
                due = now
            elif due is not None and due <= now:
                log.warning(
                    "source %s: scheduled crawl at %s was missed while the scheduler was "
                    "down; running it once now",
                    source.name,
                    due.isoformat(timespec="minutes"),
                )
                due = now
            elif due is None:
                due = next_fire(source.schedule, now)
                self.store.save(source.name, due)
            self._slots[source.name] = _Slot(source, due)
        return {name: slot.due for name, slot in self._slots.items()}

    def tick(self) -> list[str]:
        """Reap finished children and start every due source; returns the names started."""
        now = self.clock.now()
        self._reap()
        if self.watch is not None:
            try:
                self.watch(now)
            except Exception:  # a failed check must not stop the schedule
                log.exception("silent-source check failed")
        started: list[str] = []
        for name, slot in self._slots.items():
            if slot.due > now or self._stopping:
                continue
            following = next_fire(slot.source.schedule, now)
            reason = "its previous crawl is still running" if slot.child is not None else None
            reason = reason or self.store.busy(name)
            if reason is not None:
                log.warning("source %s: scheduled crawl skipped: %s", name, reason)
                self.store.save(name, following)
            else:
                slot.child = self.launcher(slot.source)
                log.info("source %s: crawl started (pid %d)", name, slot.child.pid)
                self.store.save(name, following, started_at=now)
                self.started.append((name, now))
                started.append(name)
            slot.due = following
        return started

    def _reap(self) -> None:
        for name, slot in self._slots.items():
            if slot.child is None:
                continue
            code = slot.child.poll()
            if code is None:
                continue
            level = logging.INFO if code == 0 else logging.ERROR
            log.log(level, "source %s: crawl (pid %d) exited with %d", name, slot.child.pid, code)
            slot.child = None

    @property
    def running(self) -> dict[str, Child]:
        """The children still running, by source name."""
        return {n: s.child for n, s in self._slots.items() if s.child is not None}

    def seconds_to_next(self) -> float:
        """How long to wait before the next tick."""
        now = self.clock.now()
        wait = min(((s.due - now).total_seconds() for s in self._slots.values()), default=MAX_WAIT)
        if self.running:
            wait = min(wait, self.poll)
        return max(0.0, min(wait, MAX_WAIT))

    def stop(self) -> None:
        """Ask the loop to end (safe from a signal handler)."""
        self._stopping = True
        self.clock.wake()

    def _plan_and_log(self) -> None:
        self.plan()
        for name, slot in sorted(self._slots.items()):
            log.info("source %s: next crawl at %s UTC", name, slot.due.isoformat(sep=" "))

    def start_on(self, call_later: Callable[[float, Callable[[], None]], object]) -> None:
        """Plan, then tick on a running reactor (``reactor.callLater``): each tick
        schedules the next, until :meth:`stop`. The crawls run on the same reactor
        (:class:`ServiceLauncher`); :meth:`stop_children` stops them."""
        self._plan_and_log()

        def step() -> None:
            if self._stopping:
                return
            try:
                self.tick()
            except Exception:
                log.exception("scheduler: a tick failed; trying again at the next")
            call_later(self.seconds_to_next() or 0.05, step)

        step()

    def stop_children(self) -> None:
        """Stop the loop and ask each running crawl to stop (without waiting)."""
        self.stop()
        for name, child in self.running.items():
            log.info("source %s: stopping its crawl (pid %d)", name, child.pid)
            child.terminate()

    def run(self) -> None:
        """Plan, then tick until :meth:`stop`; then stop the children and wait for them."""
        self._plan_and_log()
        while not self._stopping:
            self.tick()
            if self._stopping:
                break
            self.clock.wait(self.seconds_to_next())
        self.shutdown()

    def shutdown(self) -> None:
        """Send each running child one SIGTERM and wait for it to store and record."""
        children = self.running
        for name, child in children.items():
            log.info("source %s: stopping its crawl (pid %d)", name, child.pid)
            child.terminate()
        for name, child in children.items():
            code = child.wait()
            log.info("source %s: crawl (pid %d) ended with %d", name, child.pid, code)
            self._slots[name].child = None


class SubprocessLauncher:
    """Start ``python -m crawler.cli crawl SOURCE --trigger schedule`` as a child process.

    The child gets its own session (process group), so a Ctrl-C in the terminal reaches
    only the scheduler, which then sends the child exactly one SIGTERM.
    """

    def __init__(self, database_url: str, sources_path: str, *, proxy: str | None = None) -> None:
        self.database_url = database_url
        self.sources_path = sources_path
        self.proxy = proxy

    def command(self, source: SourceConfig) -> list[str]:
        """The child's command line."""
        command = [sys.executable, "-m", "crawler.cli", "--database-url", self.database_url]
        command += ["crawl", source.name, "--sources", self.sources_path, "--trigger", "schedule"]
        if self.proxy:
            command += ["--proxy", self.proxy]
        return command

    def __call__(self, source: SourceConfig) -> Child:
        env = dict(os.environ, NEWSDEDUP_PROGRESS_LIVE="0")  # children share the terminal
        return subprocess.Popen(self.command(source), env=env, start_new_session=True)


class InProcessChild:
    """A crawl running on this process's reactor (fits :class:`Child`): its pid is the
    service's; it ends when the crawl's Deferred fires (code 0: run ok, else 1)."""

    def __init__(self, done: Any, stop: Callable[[], object]) -> None:
        self.pid = os.getpid()
        self.code: int | None = None
        self._stop = stop
        done.addCallbacks(self._ended, self._broke)

    def _ended(self, report: Any) -> None:
        self.code = 0 if getattr(report, "status", None) == "ok" else 1

    def _broke(self, failure: Any) -> None:
        log.error("a scheduled crawl broke: %s", failure.getErrorMessage())
        self.code = 1

    def poll(self) -> int | None:
        return self.code

    def terminate(self) -> None:
        self._stop()

    def wait(self, timeout: float | None = None) -> int:
        if self.code is None:
            raise RuntimeError("an in-process crawl ends on the reactor: do not wait for it")
        return self.code


class ServiceLauncher:
    """Start a source's crawl on this process's reactor, through its
    :class:`crawler.service.runner.ServiceRunner` (one index, one writer for all)."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def __call__(self, source: SourceConfig) -> Child:
        return InProcessChild(
            self.runner.crawl(source), lambda: self.runner.stop_source(source.name)
        )


class SerialStateStore:
    """A :class:`StateStore` whose calls run on the service's writer thread (``call``:
    :meth:`crawler.service.writer.DatabaseWriter.call`), in turn with the crawls' writes."""

    def __init__(self, store: StateStore, call: Callable[[Callable[[], Any]], Any]) -> None:
        self.store = store
        self.call = call

    def next_due(self) -> dict[str, datetime | None]:
        result: dict[str, datetime | None] = self.call(self.store.next_due)
        return result

    def save(self, name: str, next_due: datetime, started_at: datetime | None = None) -> None:
        self.call(lambda: self.store.save(name, next_due, started_at))

    def busy(self, name: str) -> str | None:
        result: str | None = self.call(lambda: self.store.busy(name))
        return result

    def recover(self) -> list[str]:
        recover = getattr(self.store, "recover", None)
        result: list[str] = self.call(recover) if recover is not None else []
        return result

    def last_success(self) -> dict[str, datetime | None]:
        last = getattr(self.store, "last_success", None)
        result: dict[str, datetime | None] = self.call(last) if last is not None else {}
        return result


class DatabaseStateStore:
    """Scheduler state in ``schedule_state``; busy sources from ``crawl_runs``.

    Args:
        session_factory: makes sessions on the crawl database.
        sources: the scheduled sources (their rows are created if missing).
        is_alive: whether a pid is a live process (runs of dead ones are closed as
            interrupted).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        sources: Sequence[SourceConfig],
        is_alive: Callable[[int | None], bool],
    ) -> None:
        from storage import repository as repo
        from storage.db import retrying

        self._factory = session_factory
        self._is_alive = is_alive
        # Writes go through storage.db.retrying: write lock up front, retried while locked.
        self._ids: dict[str, int] = retrying(
            session_factory,
            lambda session: {
                s.name: repo.get_or_create_source(session, s.name, list(s.domains)).id
                for s in sources
            },
        )
        # At service start: runs left running by processes that are gone are closed.
        from storage.repo.runs_query import mark_interrupted

        names = {source_id: name for name, source_id in self._ids.items()}
        #: sources whose last crawl was cut short (their run closed here), for recover()
        self._cut_short: set[str] = set()
        for run in retrying(session_factory, lambda session: mark_interrupted(session, is_alive)):
            log.warning("run %d marked interrupted: %s", run.id, run.message)
            if run.source_id in names:
                self._cut_short.add(names[run.source_id])

    def next_due(self) -> dict[str, datetime | None]:
        from storage.repo.schedule import schedule_states

        with self._factory() as session:
            states = schedule_states(session)
        names = {source_id: name for name, source_id in self._ids.items()}
        return {names[i]: s.next_due_at for i, s in states.items() if i in names}

    def save(self, name: str, next_due: datetime, started_at: datetime | None = None) -> None:
        from storage.db import retrying
        from storage.repo.schedule import save_schedule_state

        retrying(
            self._factory,
            lambda session: save_schedule_state(
                session, self._ids[name], next_due_at=next_due, last_started_at=started_at
            ),
        )

    def recover(self) -> list[str]:
        """Close as ``interrupted`` the runs left running by processes that are gone (a
        killed service); returns their sources' names, which the scheduler runs again."""
        from storage.repo.runs_query import mark_interrupted

        names = {source_id: name for name, source_id in self._ids.items()}
        cut: list[str] = []
        with self._factory() as session:
            for source_id, name in names.items():
                for run in mark_interrupted(session, self._is_alive, source_id):
                    log.warning(
                        "source %s: run %d (pid %s) was left running by a process that is "
                        "gone; marked interrupted",
                        name,
                        run.id,
                        run.pid,
                    )
                    cut.append(name)
            session.commit()
        return sorted(set(cut) | self._cut_short)

    def busy(self, name: str) -> str | None:
        from storage.db import retrying
        from storage.repo.runs_query import mark_interrupted, running_runs

        def work(session: Session) -> str | None:
            mark_interrupted(session, self._is_alive, self._ids[name])
            runs = running_runs(session, self._ids[name])
            return f"run {runs[0].id} (pid {runs[0].pid}) of it is still running" if runs else None

        return retrying(self._factory, work)

    def last_success(self) -> dict[str, datetime | None]:
        """Each scheduled source's last ``ok`` run's finish time (None: never)."""
        from storage.repo.metrics import last_success

        with self._factory() as session:
            known = last_success(session)
        return {name: known.get(name) for name in self._ids}


def schedule_period(expression: str, now: datetime) -> timedelta:
    """The time between two fire times of a cron expression (the next two after ``now``)."""
    first = next_fire(expression, now)
    return next_fire(expression, first) - first


def silence_check(
    sources: Sequence[SourceConfig],
    store: Any,
    watch: SilenceWatch,
    since: datetime,
) -> Callable[[datetime], object]:
    """The scheduler's ``watch``: alert once for each source silent too long (``store``
    has ``last_success()``: :class:`DatabaseStateStore` or :class:`SerialStateStore`)."""
    periods = {s.name: schedule_period(s.schedule, since) for s in sources}

    def check(now: datetime) -> object:
        return watch.check(now, store.last_success(), periods, since)

    return check


def due_times(
    sources: Sequence[SourceConfig], stored: dict[str, datetime | None], now: datetime
) -> dict[str, datetime]:
    """Each source's next scheduled time: the stored one, or the next cron fire time."""
    result: dict[str, datetime] = {}
    for source in sources:
        due = stored.get(source.name)
        result[source.name] = due if due is not None else next_fire(source.schedule, now)
    return result
