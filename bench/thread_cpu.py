"""Run a module as ``python -m`` would, and say at exit how much CPU each thread used.

Usage (by path, so that any checkout's code can be run under it):
    python bench/thread_cpu.py MODULE [ARG...]

At exit (after ``sys.exit`` too) one line goes to standard error::

    thread CPU: {"main": 4.13, "newsdedup-writer": 45.65}

CPU seconds (user + system) per thread name: ``main`` is the main thread (the crawl's
reactor), every other thread is under its name (threads of the same name summed).
A thread that ended is counted from ``time.thread_time`` at its end; one still running
at exit (a daemon thread) from ``/proc/self/task`` (Linux; elsewhere it is left out).
Benchmark-only: ``bench.pipeline_bench --threads`` runs the crawl child under it.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
import threading
import time

PREFIX = "thread CPU: "

_ended: dict[str, float] = {}
_lock = threading.Lock()


def _record(name: str, seconds: float) -> None:
    with _lock:
        _ended[name] = _ended.get(name, 0.0) + seconds


def _install() -> None:
    original = threading.Thread.run

    def run(self: threading.Thread) -> None:
        try:
            original(self)
        finally:
            _record(self.name, time.thread_time())

    threading.Thread.run = run  # type: ignore[method-assign]


def _running_cpu(thread: threading.Thread) -> float | None:
    """CPU seconds of a live thread, from /proc (None where there is none)."""
    tid = thread.native_id
    if tid is None:
        return None
    try:
        with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)


def figures() -> dict[str, float]:
    """CPU seconds per thread name so far (the caller is the main thread)."""
    found = {"main": time.thread_time()}
    with _lock:
        for name, seconds in _ended.items():
            found[name] = found.get(name, 0.0) + seconds
    for thread in threading.enumerate():
        if thread is threading.main_thread() or not thread.is_alive():
            continue
        live = _running_cpu(thread)
        if live is not None:
            found[thread.name] = found.get(thread.name, 0.0) + live
    return found


def parse(output: str) -> dict[str, float]:
    """The figures of the last ``thread CPU:`` line in ``output`` (empty if none)."""
    for line in reversed(output.splitlines()):
        if line.startswith(PREFIX):
            loaded = json.loads(line[len(PREFIX) :])
            return {str(k): float(v) for k, v in loaded.items()}
    return {}


def _report() -> None:
    rounded = {name: round(seconds, 3) for name, seconds in figures().items()}
    print(PREFIX + json.dumps(rounded, sort_keys=True), file=sys.stderr, flush=True)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: python bench/thread_cpu.py MODULE [ARG...]")
    module = sys.argv[1]
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # bench/ itself: its modules are not the run module's imports
    _install()
    atexit.register(_report)
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
