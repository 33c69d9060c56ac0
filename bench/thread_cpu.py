"""Run a module as ``python -m`` would, and say at exit how much CPU each thread used.

Usage (by path, so that any checkout's code can be run under it):
    python bench/thread_cpu.py [--time MODULE:NAME]... MODULE [ARG...]

At exit (after ``sys.exit`` too) one line goes to standard error::

    thread CPU: {"main": 4.13, "newsdedup-writer": 45.65}

CPU seconds (user + system) per thread name: ``main`` is the main thread (the crawl's
reactor), every other thread is under its name (threads of the same name summed).
A thread that ended is counted from ``time.thread_time`` at its end; one still running
at exit (a daemon thread) from ``/proc/self/task`` (Linux; elsewhere it is left out).

``--time MODULE:NAME`` (repeatable) also counts the calls of the function ``NAME`` of
``MODULE``, imported before the run module and replaced there by a wrapper: the CPU of
the calling thread (``time.thread_time``) during each outermost call, and the number of
calls, said on a line before the threads' one::

    timed CPU: {"crawler.ingest.ingestor:extract": [27.41, 1100]}

A call through another module's own reference to the function is not counted, and
neither is one in another process. A target that cannot be imported is said on standard
error and left out; the module runs all the same.
Benchmark-only: ``bench.pipeline_bench --threads`` runs the crawl child under it.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import runpy
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

PREFIX = "thread CPU: "
TIMED_PREFIX = "timed CPU: "

_ended: dict[str, float] = {}
_timed: dict[str, list[float]] = {}  # "MODULE:NAME" -> [CPU seconds, calls]
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


def time_calls(target: str) -> bool:
    """Count the CPU and the calls of ``MODULE:NAME`` from now on (see the module's
    docstring); False, said on standard error, when it cannot be found."""
    module_name, _, name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        original: Callable[..., Any] = getattr(module, name)
    except (ImportError, AttributeError, ValueError) as exc:
        print(f"thread_cpu: cannot time {target}: {exc}", file=sys.stderr, flush=True)
        return False
    counted = _timed.setdefault(target, [0.0, 0])
    calling = threading.local()

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if getattr(calling, "inside", False):  # a nested call: the outer one counts it
            return original(*args, **kwargs)
        calling.inside = True
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent = time.thread_time() - started
            calling.inside = False
            with _lock:
                counted[0] += spent
                counted[1] += 1

    setattr(module, name, timed)
    return True


def timed_figures() -> dict[str, tuple[float, int]]:
    """(CPU seconds, calls) per timed target so far."""
    with _lock:
        return {target: (seconds, int(calls)) for target, (seconds, calls) in _timed.items()}


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


def parse_timed(output: str) -> dict[str, tuple[float, int]]:
    """The timed targets' (CPU seconds, calls) of the last ``timed CPU:`` line in
    ``output`` (empty if none)."""
    for line in reversed(output.splitlines()):
        if line.startswith(TIMED_PREFIX):
            loaded = json.loads(line[len(TIMED_PREFIX) :])
            return {str(k): (float(v[0]), int(v[1])) for k, v in loaded.items()}
    return {}


def _report() -> None:
    if _timed:
        timed = {target: [round(s, 3), n] for target, (s, n) in timed_figures().items()}
        print(TIMED_PREFIX + json.dumps(timed, sort_keys=True), file=sys.stderr, flush=True)
    rounded = {name: round(seconds, 3) for name, seconds in figures().items()}
    print(PREFIX + json.dumps(rounded, sort_keys=True), file=sys.stderr, flush=True)


USAGE = "usage: python bench/thread_cpu.py [--time MODULE:NAME]... MODULE [ARG...]"


def main() -> None:
    args = sys.argv[1:]
    targets = []
    while len(args) >= 2 and args[0] == "--time":
        targets.append(args[1])
        args = args[2:]
    if not args or args[0].startswith("-"):
        raise SystemExit(USAGE)
    module = args[0]
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # bench/ itself: its modules are not the run module's imports
    _install()
    for target in targets:
        time_calls(target)
    atexit.register(_report)
    sys.argv = [module, *args[1:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
