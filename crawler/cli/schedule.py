"""``newsdedup schedule``: the long-lived scheduler (foreground service).

Starts each enabled source's crawl at the times of its cron expression, as a child
process ``python -m crawler.cli crawl SOURCE --trigger schedule``; see
:mod:`crawler.service.scheduler` for the rules (no overlap, missed runs, SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
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
    from crawler.service.alerts import AlertSender, SilenceWatch
    from crawler.service.runner import pid_alive
    from crawler.service.scheduler import (
        DatabaseStateStore,
        Scheduler,
        SubprocessLauncher,
        SystemClock,
        silence_check,
    )
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade

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
    url = database_url(args)
    upgrade(url)
    engine = make_engine(url)
    store = DatabaseStateStore(make_session_factory(engine), sources, pid_alive)
    try:
        alerts = AlertSender.from_settings(settings.get)
    except ValueError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    clock = SystemClock()
    watch = SilenceWatch(float(settings.get("NEWSDEDUP_ALERT_SILENT_PERIODS")), alerts)
    scheduler = Scheduler(
        sources,
        clock=clock,
        launcher=SubprocessLauncher(url, path, proxy=args.proxy),
        store=store,
        poll=float(settings.get("NEWSDEDUP_SCHEDULE_POLL")),
        watch=silence_check(sources, store, watch, clock.now()) if alerts else None,
    )

    def stop(signum: int, _frame: Any) -> None:
        logging.getLogger("crawler.service.scheduler").info(
            "%s: stopping after the running crawls", signal.Signals(signum).name
        )
        scheduler.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("crawler.service.scheduler").info(
        "scheduling %d source(s) from %s", len(sources), path
    )
    try:
        scheduler.run()
    finally:
        alerts.wait(timeout=30.0)
        engine.dispose()
    return 0
