"""The scheduler fires cron schedules with a fake clock and launcher: no sleeping, no
subprocesses. State is kept in a real (SQLite) database through DatabaseStateStore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import SourceConfig
from crawler.service.scheduler import DatabaseStateStore, Scheduler, SubprocessLauncher, next_fire
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import ScheduleState

T0 = datetime(2026, 11, 25, 9, 58, 30)


class FakeClock:
    """Time that moves only when the scheduler waits."""

    def __init__(self, now: datetime) -> None:
        self.current = now
        self.waits: list[float] = []

    def now(self) -> datetime:
        return self.current

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.current += timedelta(seconds=seconds)

    def wake(self) -> None:
        pass


class FakeChild:
    _next_pid = 1000

    def __init__(self) -> None:
        FakeChild._next_pid += 1
        self.pid = FakeChild._next_pid
        self.code: int | None = None
        self.terminated = False

    def poll(self) -> int | None:
        return self.code

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        self.code = -15 if self.terminated else 0
        return self.code


class FakeLauncher:
    def __init__(self) -> None:
        self.children: list[tuple[str, FakeChild]] = []

    def __call__(self, source: SourceConfig) -> FakeChild:
        child = FakeChild()
        self.children.append((source.name, child))
        return child


def source(name: str, schedule: str) -> SourceConfig:
    return SourceConfig(
        name=name,
        domains=(f"{name}.example",),
        feeds=(f"http://{name}.example/feed",),
        schedule=schedule,
    )


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'schedule.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def scheduler(
    factory: sessionmaker[Session],
    sources: list[SourceConfig],
    clock: FakeClock,
    launcher: FakeLauncher,
    alive: set[int] | None = None,
) -> Scheduler:
    live = alive if alive is not None else set()
    store = DatabaseStateStore(factory, sources, lambda pid: pid in live)
    return Scheduler(sources, clock=clock, launcher=launcher, store=store, poll=5.0)


def test_schedule_fires_at_cron_times_with_a_fake_clock(factory: sessionmaker[Session]) -> None:
    clock, launcher = FakeClock(T0), FakeLauncher()
    hourly, quarter = source("hourly", "0 * * * *"), source("quarter", "*/15 * * * *")
    sched = scheduler(factory, [hourly, quarter], clock, launcher)
    planned = sched.plan()
    assert planned == {"hourly": datetime(2026, 11, 25, 10, 0), "quarter": planned["quarter"]}
    assert sched.tick() == []  # nothing due at 09:58:30
    started: list[str] = []
    for _ in range(10):  # no real sleeping: the fake clock jumps (at most 60 s a wait)
        clock.wait(sched.seconds_to_next())
        started = sched.tick()
        if started:
            break
    assert clock.now() == datetime(2026, 11, 25, 10, 0)
    assert sorted(started) == ["hourly", "quarter"]
    # Finished children are reaped; the next fire times come from cron.
    for _name, child in launcher.children:
        child.code = 0
    clock.current = datetime(2026, 11, 25, 10, 15)
    assert sched.tick() == ["quarter"]
    with factory() as session:
        row = repo.get_source(session, "hourly")
        assert row is not None
        state = session.get(ScheduleState, row.id)
        assert state is not None
        assert state.last_started_at == datetime(2026, 11, 25, 10, 0)
        assert state.next_due_at == datetime(2026, 11, 25, 11, 0)


def test_run_loop_with_fake_clock_stops_and_terminates_children(
    factory: sessionmaker[Session],
) -> None:
    clock = FakeClock(T0)

    class StopAfterTwo(FakeLauncher):
        def __call__(self, source: SourceConfig) -> FakeChild:
            child = super().__call__(source)
            if len(self.children) == 2:
                sched.stop()  # as SIGTERM would
            return child

    launcher = StopAfterTwo()
    sched = scheduler(factory, [source("quarter", "*/15 * * * *")], clock, launcher)

    def first_ends_at_1020() -> int | None:
        return 0 if clock.now() >= datetime(2026, 11, 25, 10, 20) else None

    original_call = launcher.__call__

    def launch(src: SourceConfig) -> FakeChild:
        child = original_call(src)
        if len(launcher.children) == 1:
            child.poll = first_ends_at_1020  # type: ignore[method-assign]
        return child

    sched.launcher = launch
    # The first crawl runs 10:00-10:20: at 10:15 it must not be started a second time.
    sched.run()
    names = [name for name, _ in launcher.children]
    assert names == ["quarter", "quarter"]
    first, second = (child for _, child in launcher.children)
    assert not first.terminated  # it had ended and was reaped
    assert second.terminated and second.code == -15  # got SIGTERM and was waited for
    assert [at for _, at in sched.started] == [
        datetime(2026, 11, 25, 10, 0),
        datetime(2026, 11, 25, 10, 30),  # 10:15 skipped: the 10:00 crawl still ran
    ]
    assert max(clock.waits) <= 60.0


def test_missed_fire_time_runs_once_at_start(factory: sessionmaker[Session]) -> None:
    clock, launcher = FakeClock(T0), FakeLauncher()
    quarter = source("quarter", "*/15 * * * *")
    first = scheduler(factory, [quarter], clock, launcher)
    first.plan()  # due 10:00; then the scheduler is down until 13:07
    clock.current = datetime(2026, 11, 25, 13, 7)
    again = scheduler(factory, [quarter], clock, launcher)
    assert again.plan() == {"quarter": clock.current}
    assert again.tick() == ["quarter"]  # once, not once per missed quarter hour
    assert again.tick() == []
    assert again._slots["quarter"].due == datetime(2026, 11, 25, 13, 15)


def test_a_live_run_in_another_process_blocks_the_start(factory: sessionmaker[Session]) -> None:
    clock, launcher = FakeClock(datetime(2026, 11, 25, 10, 0)), FakeLauncher()
    quarter = source("quarter", "*/15 * * * *")
    sched = scheduler(factory, [quarter], clock, launcher, alive={4242})
    with factory() as session:
        row = repo.get_source(session, "quarter")
        assert row is not None
        live = repo.start_run(session, row.id)
        live.pid = 4242
        dead = repo.start_run(session, row.id)
        dead.pid = 999999
        session.commit()
        live_id, dead_id = live.id, dead.id
    sched.plan()
    clock.current = datetime(2026, 11, 25, 10, 15)
    assert sched.tick() == []  # a manual crawl of it is running
    with factory() as session:
        from storage.models import CrawlRun

        assert session.get(CrawlRun, dead_id).status == "interrupted"  # type: ignore[union-attr]
        assert session.get(CrawlRun, live_id).status == "running"  # type: ignore[union-attr]


def test_subprocess_launcher_command() -> None:
    launcher = SubprocessLauncher("sqlite:///x.db", "conf/sources.toml", proxy="http://p:1")
    command = launcher.command(source("quarter", "*/15 * * * *"))
    assert command[1:] == [
        "-m",
        "crawler.cli",
        "--database-url",
        "sqlite:///x.db",
        "crawl",
        "quarter",
        "--sources",
        "conf/sources.toml",
        "--trigger",
        "schedule",
        "--proxy",
        "http://p:1",
    ]


def test_next_fire_is_strictly_after() -> None:
    at = datetime(2026, 11, 25, 10, 0)
    assert next_fire("0 * * * *", at) == datetime(2026, 11, 25, 11, 0)
