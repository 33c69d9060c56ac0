"""``newsdedup schedule``: the long-lived scheduler (foreground service).

Starts each enabled source's crawl at the times of its cron expression, inside this one
process on its one reactor (every due source at once, one dedup index, one database
writer); see :mod:`crawler.service.scheduler` for the rules (no overlap, missed runs,
SIGTERM).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url, sources_path


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "schedule",
        help="run scheduled crawls in the foreground until SIGTERM/Ctrl-C",
        description="Run as a foreground service: start each enabled source's crawl at "
        "the times of its cron expression (UTC) in the sources file. A fire time missed "
        "while the scheduler was down runs once at start. SIGTERM or Ctrl-C stops it after "
        "the running crawls have stored their current pages.",
    )
    parser.add_argument(
        "--sources", metavar="PATH", help="sources file (default: config/sources.toml)"
    )
    parser.add_argument("--proxy", metavar="URL", help="send every request through this HTTP proxy")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import logging

    from crawler import settings
    from crawler.config import ConfigError, load_sources
    from crawler.ingest.index_snapshot import snapshot_problem
    from crawler.service.alerts import SilenceWatch
    from crawler.service.runner import ServiceRunner, pid_alive
    from crawler.service.scheduler import (
        DatabaseStateStore,
        Scheduler,
        SerialStateStore,
        ServiceLauncher,
        SystemClock,
        silence_check,
    )

    reason = snapshot_problem(settings.NEWSDEDUP_INDEX_SNAPSHOT_EVERY)
    if reason is not None:
        print(f"newsdedup: {reason}", file=sys.stderr)
        return 2
    path = sources_path(args)
    try:
        config = load_sources(path)
    except ConfigError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    sources = config.enabled
    if not sources:
        print(f"newsdedup: {path}: no enabled source to schedule", file=sys.stderr)
        return 2
    runner = ServiceRunner(
        database_url(args),
        proxy=args.proxy,
        log_level=str(settings.LOG_LEVEL),
        trigger="schedule",
        sources=sources,
        overrides={"NEWSDEDUP_PROGRESS_LIVE": False},  # several crawls share the terminal
    )
    try:
        writer = runner.service.writer
        store = writer.call(lambda: DatabaseStateStore(runner.service.factory, sources, pid_alive))
        clock = SystemClock()
        serial = SerialStateStore(store, writer.call)
        alerts = runner.alerts
        watch = SilenceWatch(float(settings.get("NEWSDEDUP_ALERT_SILENT_PERIODS")), alerts)
        scheduler = Scheduler(
            sources,
            clock=clock,
            launcher=ServiceLauncher(runner),
            store=serial,
            poll=float(settings.get("NEWSDEDUP_SCHEDULE_POLL")),
            watch=silence_check(sources, serial, watch, clock.now()) if alerts else None,
        )
        runner.on_stop.append(scheduler.stop_children)
        logging.getLogger("crawler.service.scheduler").info(
            "scheduling %d source(s) from %s", len(sources), path
        )
        from twisted.internet import reactor as installed

        reactor: Any = installed

        runner.start(lambda: scheduler.start_on(reactor.callLater))
    finally:
        runner.finish()
    return 0
