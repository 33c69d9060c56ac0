"""bench.thread_cpu: a module run under it, and its CPU per thread said at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bench import thread_cpu

# Each worker spins until its own thread has used this much CPU: what it must report.
SPIN = 0.2

MODULE = textwrap.dedent(
    f"""
    import sys
    import threading
    import time

    def spin():
        start = time.thread_time()
        while time.thread_time() - start < {SPIN}:
            pass

    ended = threading.Thread(target=spin, name="ended")
    ended.start()
    ended.join()
    spun = threading.Event()

    def spin_then_sleep():
        spin()
        spun.set()
        time.sleep(60)  # still alive at exit: a daemon thread

    threading.Thread(target=spin_then_sleep, name="live", daemon=True).start()
    spun.wait(30)
    print("args", sys.argv[1:])
    sys.exit(3)
    """
)


def test_a_module_runs_under_it_and_each_thread_is_counted(tmp_path: Path) -> None:
    (tmp_path / "spinner.py").write_text(MODULE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, thread_cpu.__file__, "spinner", "a", "b"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3  # the module's own exit code
    assert "args ['a', 'b']" in done.stdout  # run as __main__ with its arguments
    figures = thread_cpu.parse(done.stderr)
    assert set(figures) == {"main", "ended", "live"}, done.stderr
    # a thread that ended is counted at its end; a daemon still alive at exit from /proc
    assert figures["ended"] >= SPIN * 0.95
    assert figures["live"] >= SPIN * 0.9
    assert figures["main"] < figures["ended"] + figures["live"]


def test_parse_takes_the_last_line_and_nothing_without_one() -> None:
    output = 'x\nthread CPU: {"main": 1.0}\nmore\nthread CPU: {"main": 2.5, "w": 1}\n'
    assert thread_cpu.parse(output) == {"main": 2.5, "w": 1.0}
    assert thread_cpu.parse("no figures here\n") == {}


TIMED = textwrap.dedent(
    f"""
    import time

    def work(depth=0):
        start = time.thread_time()
        while time.thread_time() - start < {SPIN} / 4:
            pass
        if depth == 0:
            work(1)  # a nested call: counted in its outer call, not as a call of its own
    """
)

CALLER = textwrap.dedent(
    """
    import threading

    import timed

    timed.work()
    worker = threading.Thread(target=timed.work, name="worker")
    worker.start()
    worker.join()
    """
)


def test_time_counts_a_functions_calls_on_every_thread(tmp_path: Path) -> None:
    (tmp_path / "timed.py").write_text(TIMED, encoding="utf-8")
    (tmp_path / "caller.py").write_text(CALLER, encoding="utf-8")
    command = [sys.executable, thread_cpu.__file__, "--time", "timed:work"]
    command += ["--time", "timed:absent", "--time", "nowhere:work", "caller"]
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # targets that cannot be found are said, and the module runs all the same
    assert "cannot time timed:absent" in done.stderr
    assert "cannot time nowhere:work" in done.stderr
    timed = thread_cpu.parse_timed(done.stderr)
    assert set(timed) == {"timed:work"}
    seconds, calls = timed["timed:work"]
    assert calls == 2  # the main thread's and the worker's; the nested ones not again
    assert seconds >= 4 * SPIN / 4 * 0.95  # each outer call spins twice
    figures = thread_cpu.parse(done.stderr)
    assert figures["worker"] >= SPIN / 2 * 0.95
    assert seconds <= figures["main"] + figures["worker"]


def test_a_run_module_is_required() -> None:
    done = subprocess.run(
        [sys.executable, thread_cpu.__file__, "--time", "timed:work"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "usage: python bench/thread_cpu.py" in done.stderr
