"""What the first crawl after a fresh install spends compiling the dedup kernels.

Usage:
    python -m bench.first_run_bench [--pages N] [--repeat K] [--baseline DIR]

numba compiles the engine's kernels (:mod:`crawler.dedup.kernels`) on their first call
after an install and caches them on disk. For each checkout (this one and, with
``--baseline``, another, e.g. a worktree of the previous commit: its ``.venv`` if it has
one, else this interpreter with its code first on the path) and each of ``--repeat``
rounds, with a new empty numba cache (``NUMBA_CACHE_DIR``) per round, this prints the
CPU seconds (user + system of the child, from ``wait4``) of:

- ``warm_up()`` in a new process with the empty cache, then again with the cache it left:
  the difference is what compiling costs;
- ``newsdedup crawl`` of ``--pages`` generated pages from loopback (the pipeline
  benchmark's site and fast profile) with the empty cache, then the same crawl again into
  a new database with the cache it left: the difference is the first crawl's compiling.

The figures are medians over the rounds; CPU time, so a busy machine moves them less
than wall time (but still some: caches and frequency are shared).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.news_pages import generated_pages
from bench.pipeline_bench import ROOT, crawl_cpu, routes_for, serve

WARM_UP = "from crawler.dedup.warmup import warm_up; warm_up()"


def warm_up_cpu(checkout: Path, cache: Path) -> float:
    """CPU seconds of a new process that imports the engine and runs ``warm_up()``."""
    python = checkout / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-c", WARM_UP]
    env = dict(os.environ, PYTHONPATH=str(checkout), NUMBA_CACHE_DIR=str(cache))
    child = subprocess.Popen(command, cwd=checkout, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"warm_up in {checkout} failed")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="generated pages (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per checkout (default 3)")
    parser.add_argument("--baseline", type=Path, help="also measure this checkout, same run")
    parser.add_argument("--no-crawl", action="store_true", help="warm_up() only")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    arms = [("this", ROOT)]
    if args.baseline is not None:
        arms.insert(0, ("baseline", args.baseline.resolve()))
    pages = generated_pages(args.pages)
    figures: dict[str, dict[str, list[float]]] = {name: {} for name, _ in arms}
    with tempfile.TemporaryDirectory() as tmp, serve(routes_for(pages)) as proxy:
        directory = Path(tmp)
        for round_ in range(args.repeat):
            for name, checkout in arms:  # alternating, so that load drifts hit both
                cache = directory / f"numba-{name}-{round_}"
                cache.mkdir()
                cold = warm_up_cpu(checkout, cache)
                warm = warm_up_cpu(checkout, cache)
                row = figures[name]
                row.setdefault("warm_up cold", []).append(cold)
                row.setdefault("warm_up warm", []).append(warm)
                row.setdefault("warm_up compiling", []).append(cold - warm)
                if args.no_crawl:
                    continue
                cache = directory / f"numba-crawl-{name}-{round_}"
                cache.mkdir()
                env = {"NUMBA_CACHE_DIR": str(cache)}
                tag = f"{name}-{round_}"
                cold, _, _ = crawl_cpu(
                    checkout, proxy, directory, sitemap=True, fast=True, tag=tag + "-cold", env=env
                )
                warm, _, _ = crawl_cpu(
                    checkout, proxy, directory, sitemap=True, fast=True, tag=tag + "-warm", env=env
                )
                row.setdefault("crawl cold", []).append(cold)
                row.setdefault("crawl warm", []).append(warm)
                row.setdefault("crawl compiling", []).append(cold - warm)
            print(f"round {round_ + 1}/{args.repeat} done (load {os.getloadavg()[0]:.1f})")
    print(f"CPU seconds, median of {args.repeat} (each round's figures in brackets)")
    for name, checkout in arms:
        print(f"[{name}] {checkout}")
        for key, values in figures[name].items():
            each = ", ".join(f"{v:.1f}" for v in values)
            print(f"  {key:<18} {statistics.median(values):6.2f}  [{each}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
