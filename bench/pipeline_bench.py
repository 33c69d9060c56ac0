"""CPU per page of the whole crawl pipeline against extraction alone, on the same pages.

Usage:
    python -m bench.pipeline_bench [--data PATH] [--pages N] [--baseline DIR]
        [--pools writer,thread,process] [--checkout DIR] [--no-fast] [--repeat R] [--floor]
        [--threads]
    python -m bench.pipeline_bench --calibrate [--data PATH]

Serves the pages from 127.0.0.1 (an HTTP forward proxy for the made-up host
``benchwire.example``, in this process), crawls them with the real ``newsdedup crawl``
into a fresh SQLite database in a child process, and prints:

- the crawl child's CPU seconds (user + system, from ``wait4``) per page, and the same
  less the CPU of a crawl of an empty source (start-up: imports, migrations, index load);
- extraction alone (``crawler.extract.extract``) on the same pages, in this process, CPU
  seconds per page;
- their ratio (extraction / crawl): 1.0 would be a pipeline that costs nothing beyond
  extracting.

Pages: without ``--data``, ``--pages`` generated news pages (default 1,100: 1,000
originals and 100 syndicated copies, shaped like real pages: :mod:`bench.news_pages`);
with ``--data``, every page of a corpus in the trafilatura evaluation format
(``/work/shared/data/extraction-dev/trafilatura-eval.tgz``: directory or ``.tgz``).
``--calibrate`` prints per-page figures (bytes, elements, scripts, links, extraction
CPU) of the generated pages beside those of ``--data`` and crawls nothing.

The crawl uses the loopback fast profile (``--no-fast``: the project's settings as for
real sites), given as ``-s`` options: see :data:`FAST_PROFILE` and docs/operations.md.
``--baseline DIR`` also crawls with another checkout's code (its ``.venv``), e.g. the
main branch, in the same run on the same pages; ``--pools`` runs one arm of this
checkout per ``NEWSDEDUP_EXTRACT_POOL``; ``--checkout DIR`` crawls with another
checkout only. ``--repeat R`` measures everything ``R`` times, the arms in alternating
order, extraction alone after each repetition's crawls, and prints every repetition and
the medians (each ratio against its own repetition's extraction): on a shared machine
whose speed moves by tens of percent within minutes, one extraction measured minutes
away from a crawl is no ceiling for it. ``--floor`` also crawls the pages, in every
repetition, with a bare Scrapy spider (:mod:`bench.scrapy_floor`: the same profile, one
item per page, nothing extracted or stored) and prints what a crawl that fetches with
Scrapy cannot go below: its ratio ceiling, the CPU per page left at 0.8 for everything
else, and what each arm spends beyond extraction and bare Scrapy. ``--threads`` runs each
crawl child under :mod:`bench.thread_cpu` and prints, per arm, its CPU per page by thread
less the empty crawl's (the reactor on the main thread, the database writer, the rest)
and the writer's beyond extraction alone: where the crawl's cost beyond extraction is;
and the CPU of the crawl's own calls of ``extract`` (on whichever thread ran them; not
those of a ``process`` pool's workers) beside extraction alone: what extracting the same
pages costs inside the crawl, and the threads' CPU beyond it.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import thread_cpu
from bench.news_pages import HOST, generated_pages

ROOT = Path(__file__).resolve().parents[1]

#: The loopback fast profile: no AutoThrottle and no delay (the site is this process),
#: more requests at once, quiet logs. Robots.txt stays on. Never for real sites.
FAST_PROFILE = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "NEWSDEDUP_PROGRESS_ENABLED": "0",
}

#: The crawl's calls of ``extract`` that ``--threads`` times (the writer's and a thread
#: pool's), as ``bench/thread_cpu.py --time`` targets.
EXTRACTION_CALLS = ("crawler.ingest.ingestor:extract", "crawler.service.extract_pool:extract")


def corpus_pages(path: str) -> dict[str, tuple[str, bytes]]:
    from crawler.extract.evaluate import load_corpus

    return {
        f"/a/page-{n:05d}": (page.content_type or "text/html", page.data)
        for n, page in enumerate(load_corpus(path))
    }


def routes_for(pages: dict[str, tuple[str, bytes]]) -> dict[str, dict[str, tuple[str, bytes]]]:
    entries = "".join(f"<url><loc>http://{HOST}{p}</loc></url>\n" for p in pages)
    site = dict(pages)
    site["/sitemap.xml"] = (
        "application/xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n"
        ).encode(),
    )
    site["/empty.xml"] = (
        "application/xml",
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n</urlset>\n',
    )
    site["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
    return {HOST: site}


def sources_toml(sitemap: bool) -> str:
    sitemaps = f'["http://{HOST}/{"sitemap" if sitemap else "empty"}.xml"]'
    return (
        "[[sources]]\n"
        'name = "benchwire"\n'
        f'domains = ["{HOST}"]\n'
        f"sitemaps = {sitemaps}\n"
        "article_pattern = '^http://benchwire\\.example/a/[a-z0-9-]+$'\n"
        "concurrency = 32\n"
        "download_delay = 0.0\n"
        "max_pages = 1000000\n"
    )


@contextmanager
def serve(routes: dict[str, dict[str, tuple[str, bytes]]]) -> Iterator[str]:
    from crawler.demo.server import SampleSite, _Server

    site = SampleSite(host="127.0.0.1", port=0, routes=routes)
    server = _Server(site)
    site.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="bench-site", daemon=True)
    thread.start()
    try:
        yield site.proxy_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def crawl_cpu(
    checkout: Path,
    proxy: str,
    directory: Path,
    *,
    sitemap: bool,
    fast: bool,
    tag: str,
    settings: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    threads: bool = False,
) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of one ``newsdedup crawl`` child process
    (``threads``: run under :mod:`bench.thread_cpu`, whose line ends the output)."""
    sources = directory / f"sources-{tag}.toml"
    sources.write_text(sources_toml(sitemap), encoding="utf-8")
    python = checkout / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable)]
    if threads:
        command.append(thread_cpu.__file__)
        for target in EXTRACTION_CALLS:
            command += ["--time", target]
        command.append("crawler.cli")
    else:
        command += ["-m", "crawler.cli"]
    command += ["--database-url", f"sqlite:///{directory / f'{tag}.db'}", "crawl", "benchwire"]
    command += ["--sources", str(sources), "--proxy", proxy, "--log-level", "WARNING"]
    for key, value in FAST_PROFILE.items() if fast else ():
        command += ["-s", f"{key}={value}"]
    for key, value in (settings or {}).items():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ, NEWSDEDUP_PROGRESS_ENABLED="0", PYTHONPATH=str(checkout), **(env or {}))
    started = time.monotonic()
    cpu, returncode, output = _child_cpu(command, checkout, env, directory / f"{tag}.log")
    wall = time.monotonic() - started
    # the empty source's run "fails" (it yields no articles): only start-up is wanted
    if returncode != 0 and not tag.endswith("empty"):
        raise SystemExit(f"crawl {tag} exited {returncode}:\n{output[-3000:]}")
    return cpu, wall, output


def _child_cpu(
    command: list[str], cwd: Path, env: dict[str, str], log_path: Path
) -> tuple[float, int, str]:
    """(CPU seconds from ``wait4``, exit code, output) of one child process."""
    with open(log_path, "w+", encoding="utf-8") as log:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    return usage.ru_utime + usage.ru_stime, child.returncode, output


def floor_cpu(proxy: str, directory: Path, *, sitemap: bool, fast: bool) -> tuple[float, int]:
    """(CPU seconds, items scraped) of one bare Scrapy crawl (:mod:`bench.scrapy_floor`)."""
    url = f"http://{HOST}/{'sitemap' if sitemap else 'empty'}.xml"
    command = [sys.executable, "-m", "bench.scrapy_floor", url, proxy]
    command += [f"{key}={value}" for key, value in (FAST_PROFILE.items() if fast else ())]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cpu, returncode, output = _child_cpu(command, ROOT, env, directory / "floor.log")
    if returncode != 0 or "items:" not in output:
        raise SystemExit(f"bare Scrapy crawl failed:\n{output[-3000:]}")
    return cpu, int(output.rsplit("items:", 1)[-1].split()[0])


def extraction_cpu(pages: dict[str, tuple[str, bytes]]) -> float:
    from crawler.extract import extract

    started = time.process_time()
    for path, (content_type, body) in pages.items():
        extract(body, url=f"http://{HOST}{path}", content_type=content_type)
    return time.process_time() - started


def page_figures(pages: dict[str, tuple[str, bytes]]) -> dict[str, list[float]]:
    """Per page: bytes, elements, scripts, inline script/style bytes, links, ``div``s,
    extraction CPU ms and body blocks kept (the calibration figures)."""
    import lxml.html

    from crawler.extract import extract

    figures: dict[str, list[float]] = {name: [] for name in CALIBRATION}
    for path, (content_type, body) in pages.items():
        tree = lxml.html.fromstring(body)
        inline = sum(len(e.text or "") for e in tree.iter("script", "style"))
        started = time.process_time()
        result = extract(body, url=f"http://{HOST}{path}", content_type=content_type)
        spent = time.process_time() - started
        row = (
            len(body),
            sum(1 for _ in tree.iter()),
            len(tree.findall(".//script")),
            inline,
            len(tree.findall(".//a")),
            len(tree.findall(".//div")),
            1000 * spent,
            len(result.blocks) if result.ok else 0,
        )
        for name, value in zip(CALIBRATION, row, strict=True):
            figures[name].append(float(value))
    return figures


CALIBRATION = (
    "bytes",
    "elements",
    "scripts",
    "inline script+style bytes",
    "links",
    "divs",
    "extraction ms",
    "body blocks",
)


def calibrate(generated: dict[str, tuple[str, bytes]], real_path: str | None) -> None:
    """Print the generated pages' figures beside a real corpus's (median, quartiles, mean)."""
    arms = [("generated", page_figures(generated))]
    if real_path:
        arms.append(("real", page_figures(corpus_pages(real_path))))
    print(f"{'per page':<26}" + "".join(f"{name + ' median (q1-q3) mean':>40}" for name, _ in arms))
    for key in CALIBRATION:
        cells = []
        for _name, figures in arms:
            values = figures[key]
            q1, _q2, q3 = statistics.quantiles(values, n=4)
            median, mean = statistics.median(values), statistics.mean(values)
            cells.append(f"{median:>12,.1f} ({q1:,.0f}-{q3:,.0f}) {mean:,.1f}")
        print(f"{key:<26}" + "".join(f"{cell:>40}" for cell in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="corpus directory or .tgz (default: generated pages)")
    parser.add_argument("--pages", type=int, default=1100, help="generated pages (default 1100)")
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="code to crawl with (default: this one)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="also crawl with this checkout's code, in the same run"
    )
    parser.add_argument("--no-fast", action="store_true", help="no loopback fast profile")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repetitions, arms in alternating order, extraction alone after each (medians)",
    )
    parser.add_argument(
        "--pools",
        default="",
        help="comma-separated NEWSDEDUP_EXTRACT_POOL values, one arm each (this checkout)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also crawl the pages with a bare Scrapy spider: the floor of a Scrapy crawl",
    )
    parser.add_argument(
        "--threads",
        action="store_true",
        help="also print each arm's CPU per page by thread (reactor, writer, the rest) "
        "and of the crawl's own extract calls",
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="only print the pages' figures (with --data: beside the generated pages')",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    logging.disable(logging.CRITICAL)
    try:
        return _run(args)
    finally:
        logging.disable(logging.NOTSET)  # main() may run inside another program (tests)


def _run(args: argparse.Namespace) -> int:
    from crawler.dedup.warmup import warm_up

    if args.calibrate:
        generated = generated_pages(args.pages)
        extraction_cpu(dict(list(generated.items())[:20]))  # imports and caches first
        calibrate(generated, args.data)
        return 0
    pages = corpus_pages(args.data) if args.data else generated_pages(args.pages)
    arms: list[tuple[str, Path, dict[str, str]]] = [("this", args.checkout.resolve(), {})]
    if args.pools:
        arms = [
            (f"this, pool {pool}", args.checkout.resolve(), {"NEWSDEDUP_EXTRACT_POOL": pool})
            for pool in args.pools.split(",")
        ]
    if args.baseline is not None:
        arms.insert(0, ("baseline", args.baseline.resolve(), {}))
    print(f"pages: {len(pages)} ({'corpus ' + args.data if args.data else 'generated'})")
    print(f"profile: {'project settings' if args.no_fast else 'loopback fast profile'}")
    warm_up()  # compile (or load) the kernels once, outside every measurement
    extraction_cpu(dict(list(pages.items())[:20]))  # imports and caches, outside too
    n = len(pages)
    fast = not args.no_fast
    # rows: (rep, arm number, name, checkout, empty CPU, crawl CPU, wall, stored)
    rows: list[tuple[int, int, str, Path, float, float, float, int]] = []
    extraction: list[float] = []  # extraction alone, CPU seconds, one per repetition
    floors: list[tuple[float, float, int]] = []  # bare Scrapy: (empty CPU, CPU, items) per rep
    # --threads: (rep, arm number) -> CPU seconds by thread of the (empty, full) crawl
    by_thread: dict[tuple[int, int], tuple[dict[str, float], dict[str, float]]] = {}
    inside: dict[tuple[int, int], dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp, serve(routes_for(pages)) as proxy:
        directory = Path(tmp)
        for rep in range(args.repeat):
            # odd repetitions take the arms in reverse: the first arm pays for a cold machine
            order = list(enumerate(arms))
            if rep % 2:
                order.reverse()
            for number, (name, checkout, settings) in order:
                tag = f"r{rep}-arm{number}-"
                empty, _, empty_out = crawl_cpu(
                    checkout,
                    proxy,
                    directory,
                    sitemap=False,
                    fast=fast,
                    tag=tag + "empty",
                    settings=settings,
                    threads=args.threads,
                )
                total, wall, out = crawl_cpu(
                    checkout,
                    proxy,
                    directory,
                    sitemap=True,
                    fast=fast,
                    tag=tag + "all",
                    settings=settings,
                    threads=args.threads,
                )
                if args.threads:
                    by_thread[rep, number] = (thread_cpu.parse(empty_out), thread_cpu.parse(out))
                    inside[rep, number] = thread_cpu.parse_timed(out)
                stored = _stored(directory / f"{tag}all.db")
                rows.append((rep, number, name, checkout, empty, total, wall, stored))
            if args.floor:
                bare_empty, _ = floor_cpu(proxy, directory, sitemap=False, fast=fast)
                bare, items = floor_cpu(proxy, directory, sitemap=True, fast=fast)
                floors.append((bare_empty, bare, items))
            extraction.append(extraction_cpu(pages))
    if args.repeat > 1:
        print(f"repetitions: {args.repeat} (each: every arm's crawls, then extraction alone)")
        for rep, _number, name, _checkout, empty, total, _wall, _stored_n in rows:
            per_extract = extraction[rep] / n
            print(
                f"  rep {rep} [{name}] crawl {1000 * total / n:7.2f} ms/page, "
                f"extraction {1000 * per_extract:7.2f} ms/page, ratio "
                f"{per_extract * n / total:.2f} / {per_extract * n / (total - empty):.2f}"
            )
        for rep, (bare_empty, bare, _items) in enumerate(floors):
            print(f"  rep {rep} [bare Scrapy] {1000 * (bare - bare_empty) / n:7.2f} ms/page")
        print("medians over the repetitions (each ratio against its own repetition's extraction):")
    extract_s = statistics.median(extraction)
    per_extract = extract_s / n
    print(f"extraction alone:    {extract_s:8.2f} s  {1000 * per_extract:7.2f} ms/page")
    for number, (name, checkout, _settings) in enumerate(arms):
        mine = [row for row in rows if row[1] == number]
        empty = statistics.median(row[4] for row in mine)
        total = statistics.median(row[5] for row in mine)
        wall = statistics.median(row[6] for row in mine)
        stored = min(row[7] for row in mine)
        ratio = statistics.median(extraction[row[0]] / row[5] for row in mine)
        ratio_steady = statistics.median(extraction[row[0]] / (row[5] - row[4]) for row in mine)
        per_crawl = total / n
        per_steady = (total - empty) / n
        print(f"[{name}] {checkout}")
        print(f"  pages stored: {stored}/{n}; crawl wall {wall:.1f} s ({n / wall:.1f} pages/s)")
        print(f"  crawl CPU:           {total:8.2f} s  {1000 * per_crawl:7.2f} ms/page")
        print(f"    start-up (empty):  {empty:8.2f} s")
        print(f"    less start-up:     {total - empty:8.2f} s  {1000 * per_steady:7.2f} ms/page")
        print(f"  ratio extraction/crawl: {ratio:.2f} (with start-up)")
        print(f"  ratio extraction/crawl: {ratio_steady:.2f} (less start-up)")
        if args.threads:
            _print_threads(by_thread, inside, extraction, mine, n)
    if floors:
        _print_floor(floors, extraction, rows, arms, n)
    return 0


def _print_floor(
    floors: list[tuple[float, float, int]],
    extraction: list[float],
    rows: list[tuple[int, int, str, Path, float, float, float, int]],
    arms: list[tuple[str, Path, dict[str, str]]],
    n: int,
) -> None:
    """What a crawl that fetches with Scrapy cannot go below, and what is left at 0.8."""
    bare = statistics.median((total - empty) / n for empty, total, _ in floors)
    per_extract = statistics.median(extraction) / n
    print("[bare Scrapy] same pages and profile, one item per page, nothing extracted or stored")
    print(f"  items: {min(items for _, _, items in floors)}/{n}")
    print(f"  start-up (empty):    {statistics.median(e for e, _, _ in floors):8.2f} s")
    print(f"  less start-up:       {1000 * bare:8.2f} ms/page")
    ceiling = statistics.median(
        extraction[rep] / (extraction[rep] + total - empty)
        for rep, (empty, total, _) in enumerate(floors)
    )
    print(f"  ceiling of a Scrapy crawl, extraction/(extraction + bare Scrapy): {ceiling:.2f}")
    print(
        "  left at 0.8 (less start-up) beyond extraction and bare Scrapy: "
        f"{1000 * (0.25 * per_extract - bare):.2f} ms/page"
    )
    for number, (name, _checkout, _settings) in enumerate(arms):
        beyond = statistics.median(
            (row[5] - row[4] - extraction[row[0]] - floors[row[0]][1] + floors[row[0]][0]) / n
            for row in rows
            if row[1] == number
        )
        print(
            f"  [{name}] beyond extraction and bare Scrapy, less start-up: "
            f"{1000 * beyond:.2f} ms/page"
        )


def _print_threads(
    by_thread: dict[tuple[int, int], tuple[dict[str, float], dict[str, float]]],
    inside: dict[tuple[int, int], dict[str, tuple[float, int]]],
    extraction: list[float],
    mine: list[tuple[int, int, str, Path, float, float, float, int]],
    n: int,
) -> None:
    """One arm's CPU per page by thread, less the empty crawl's (medians over reps), then
    its extraction inside the crawl (:func:`_print_inside`); ``mine``: the arm's rows
    (rep, arm, name, checkout, empty CPU, crawl CPU, ...)."""
    from crawler.service.writer import THREAD_NAME

    def parts(figures: dict[str, float], process: float) -> dict[str, float]:
        reactor, writer = figures.get("main", 0.0), figures.get(THREAD_NAME, 0.0)
        counted = sum(figures.values())
        return {
            "reactor (main)": reactor,
            "writer": writer,
            "other threads": counted - reactor - writer,
            "outside threads": process - counted,  # CPU that no thread's counter saw
        }

    if any(not all(by_thread[row[0], row[1]]) for row in mine):
        print("  by thread: no figures (a crawl child printed no thread CPU line)")
        return
    # per repetition: (rep, each part of the full crawl less the empty crawl's)
    steady = []
    for rep, number, _name, _checkout, empty_cpu, total, _wall, _stored_n in mine:
        empty, full = by_thread[rep, number]
        before, after = parts(empty, empty_cpu), parts(full, total)
        steady.append((rep, {label: after[label] - before[label] for label in after}))
    print("  by thread, less start-up (the empty crawl's):")
    for label in steady[0][1]:
        per_page = statistics.median(part[label] / n for _rep, part in steady)
        print(f"    {label + ':':20s}{1000 * per_page:8.2f} ms/page")
    beyond = statistics.median((part["writer"] - extraction[rep]) / n for rep, part in steady)
    print(f"    writer beyond extraction alone: {1000 * beyond:.2f} ms/page")
    _print_inside(inside, steady, extraction, mine, n)


def _print_inside(
    inside: dict[tuple[int, int], dict[str, tuple[float, int]]],
    steady: list[tuple[int, dict[str, float]]],
    extraction: list[float],
    mine: list[tuple[int, int, str, Path, float, float, float, int]],
    n: int,
) -> None:
    """One arm's extraction inside the crawl against extraction alone, and its threads'
    CPU beyond that extraction (``steady``: each repetition's parts by thread, less the
    empty crawl's); medians over repetitions."""
    timed = [list(inside[row[0], row[1]].values()) for row in mine]
    calls = min(sum(c for _s, c in figures) for figures in timed)
    if calls == 0:
        print("  extraction inside the crawl: not counted (no timed call ran in the crawl)")
        return
    spent = [sum(s for s, _c in figures) for figures in timed]
    per_page = statistics.median(seconds / n for seconds in spent)
    beyond_alone = statistics.median(
        (seconds - extraction[rep]) / n for seconds, (rep, _part) in zip(spent, steady, strict=True)
    )
    print(
        f"  extraction inside the crawl: {1000 * per_page:.2f} ms/page ({calls} calls); "
        f"beyond extraction alone: {1000 * beyond_alone:.2f} ms/page"
    )
    threads = ("reactor (main)", "writer", "other threads")
    rest = statistics.median(
        (sum(part[label] for label in threads) - seconds) / n
        for seconds, (_rep, part) in zip(spent, steady, strict=True)
    )
    print(
        f"  the crawl's threads beyond extraction inside, less start-up: {1000 * rest:.2f} ms/page"
    )


def _stored(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT count(*) FROM pages").fetchone()
    return int(row[0])


if __name__ == "__main__":
    sys.exit(main())
