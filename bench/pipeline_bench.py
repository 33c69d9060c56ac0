"""CPU per page of the whole crawl pipeline against extraction alone, on the same pages.

Usage:
    python -m bench.pipeline_bench [--data PATH] [--pages N] [--checkout DIR] [--no-fast]

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
originals and 100 syndicated copies, with navigation, bylines, related links and
footers); with ``--data``, every page of a corpus in the trafilatura evaluation format
(``/work/shared/data/extraction-dev/trafilatura-eval.tgz``: directory or ``.tgz``).

The crawl uses the loopback fast profile (``--no-fast``: the project's settings as for
real sites), given as ``-s`` options: see :data:`FAST_PROFILE` and docs/operations.md.
``--checkout DIR`` runs the crawl with another checkout's code (its ``.venv``), e.g. the
main branch for a baseline; the fast profile needs ``-s`` there.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HOST = "benchwire.example"

#: The loopback fast profile: no AutoThrottle and no delay (the site is this process),
#: more requests at once, quiet logs. Robots.txt stays on. Never for real sites.
FAST_PROFILE = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "NEWSDEDUP_PROGRESS_ENABLED": "0",
}

_TEXT = (
    "council city river bridge budget plan report school station market water power road "
    "minister vote election court ruling judge police officer harbour port storm weather "
    "season team coach player match league festival museum library hospital doctor nurse "
    "company workers union strike price energy fuel housing rent tenant landlord village "
    "farm crop harvest rail line service delay project contract design plans residents "
    "meeting public hearing evidence inquiry statement spokesperson agency survey data"
)
_WORDS = _TEXT.split()
_NAMES = ["Ada Reyes", "Tomas Hale", "Mira Olsen", "Jon Pike", "Lena Ortiz", "Sam Okafor"]


def _vocabulary(size: int = 6000) -> list[str]:
    """Common words first, then made-up words from syllables: drawn by Zipf's law below,
    so that paragraphs share frequent words, as real text does, and rarely much else."""
    rng = random.Random(7)
    syllables = ["ka", "ri", "to", "me", "su", "na", "lo", "pe", "vi", "da", "ne", "ro"]
    syllables += ["fa", "gu", "mi", "te", "sa", "bo", "li", "ku", "ze", "ha", "mon", "tar"]
    words = ["the", "a", "of", "to", "and", "in", "on", "for", "said", "was", "is", "with"]
    words += _WORDS
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


_VOCABULARY = _vocabulary()
_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(_VOCABULARY))]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_VOCABULARY, _WEIGHTS, k=rng.randint(9, 24))
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), str(rng.randint(2, 2000)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?"])


def _paragraphs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(count)]


def _page(n: int, title: str, paragraphs: list[str], credit: str | None, path: str) -> bytes:
    rng = random.Random(n)
    nav = "".join(f"<li><a href='/section/{w}'>{w.title()}</a></li>" for w in _WORDS[:14])
    related = "".join(
        f"<li><a href='/a/story-{rng.randrange(1000):05d}'>{html.escape(_sentence(rng))}</a></li>"
        for _ in range(5)
    )
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    if credit:
        body += f"<p class='credit'><em>{html.escape(credit)}</em></p>\n"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} | Bench Wire</title>"
        f"<meta name='description' content='{html.escape(paragraphs[0][:150])}'>"
        f"<link rel='canonical' href='http://{HOST}{path}'>"
        "<style>body{font-family:serif}nav li{display:inline}</style>"
        "<script>window.analytics={page:1};</script></head><body>\n"
        f"<header><a href='/' class='logo'>Bench Wire</a><nav><ul>{nav}</ul></nav></header>\n"
        f"<main><article><h1>{html.escape(title)}</h1>\n"
        f"<p class='byline'>By {_NAMES[n % len(_NAMES)]} · "
        f"<time datetime='2026-11-{1 + n % 28:02d}T08:00:00Z'>November {1 + n % 28}, 2026</time>"
        f"</p>\n{body}</article>\n"
        f"<aside><h2>Related</h2><ul>{related}</ul></aside></main>\n"
        "<footer><p>Bench Wire, a made-up publisher.</p><a href='/about'>About</a> "
        "<a href='/privacy'>Privacy</a></footer>\n</body></html>\n"
    ).encode()


def generated_pages(count: int) -> dict[str, tuple[str, bytes]]:
    """``count`` pages: originals and, one in eleven, a syndicated copy of an original."""
    copies = count // 11
    originals = count - copies
    pages: dict[str, tuple[str, bytes]] = {}
    texts = []
    for n in range(originals):
        paras = _paragraphs(n, 6 + n % 5)
        texts.append(paras)
        path = f"/a/story-{n:05d}"
        pages[path] = ("text/html; charset=utf-8", _page(n, f"Story {n}", paras, None, path))
    for n in range(copies):
        credit = f"This story first appeared as Story {n} on Bench Wire."
        path = f"/a/copy-{n:05d}"
        body = _page(n, f"Copy of story {n}", texts[n], credit, path)
        pages[path] = ("text/html; charset=utf-8", body)
    return pages


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
    checkout: Path, proxy: str, directory: Path, *, sitemap: bool, fast: bool, tag: str
) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of one ``newsdedup crawl`` child process."""
    sources = directory / f"sources-{tag}.toml"
    sources.write_text(sources_toml(sitemap), encoding="utf-8")
    python = checkout / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-m", "crawler.cli"]
    command += ["--database-url", f"sqlite:///{directory / f'{tag}.db'}", "crawl", "benchwire"]
    command += ["--sources", str(sources), "--proxy", proxy, "--log-level", "WARNING"]
    for key, value in FAST_PROFILE.items() if fast else ():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ, NEWSDEDUP_PROGRESS_ENABLED="0", PYTHONPATH=str(checkout))
    started = time.monotonic()
    with open(directory / f"{tag}.log", "w+", encoding="utf-8") as log:
        child = subprocess.Popen(command, cwd=checkout, env=env, stdout=log, stderr=log, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    wall = time.monotonic() - started
    # the empty source's run "fails" (it yields no articles): only start-up is wanted
    if child.returncode != 0 and tag != "empty":
        raise SystemExit(f"crawl {tag} exited {child.returncode}:\n{output[-3000:]}")
    return usage.ru_utime + usage.ru_stime, wall, output


def extraction_cpu(pages: dict[str, tuple[str, bytes]]) -> float:
    from crawler.extract import extract

    started = time.process_time()
    for path, (content_type, body) in pages.items():
        extract(body, url=f"http://{HOST}{path}", content_type=content_type)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="corpus directory or .tgz (default: generated pages)")
    parser.add_argument("--pages", type=int, default=1100, help="generated pages (default 1100)")
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="code to crawl with (default: this one)"
    )
    parser.add_argument("--no-fast", action="store_true", help="no loopback fast profile")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    pages = corpus_pages(args.data) if args.data else generated_pages(args.pages)
    checkout = args.checkout.resolve()
    print(f"pages: {len(pages)} ({'corpus ' + args.data if args.data else 'generated'})")
    print(f"crawl code: {checkout}; profile: {'project settings' if args.no_fast else 'fast'}")
    from crawler.dedup.warmup import warm_up

    warm_up()  # compile (or load) the kernels once, outside every measurement
    extraction_cpu(dict(list(pages.items())[:20]))  # imports and caches, outside too
    with tempfile.TemporaryDirectory() as tmp, serve(routes_for(pages)) as proxy:
        directory = Path(tmp)
        fast = not args.no_fast
        empty, _, _ = crawl_cpu(checkout, proxy, directory, sitemap=False, fast=fast, tag="empty")
        total, wall, _ = crawl_cpu(checkout, proxy, directory, sitemap=True, fast=fast, tag="all")
        stored = _stored(directory / "all.db")
    extract_s = extraction_cpu(pages)
    n = len(pages)
    per_crawl = total / n
    per_steady = (total - empty) / n
    per_extract = extract_s / n
    print(f"pages stored: {stored}/{n}; crawl wall {wall:.1f} s ({n / wall:.1f} pages/s)")
    print(f"crawl CPU:           {total:8.2f} s  {1000 * per_crawl:7.2f} ms/page")
    print(f"  start-up (empty):  {empty:8.2f} s")
    print(f"  less start-up:     {total - empty:8.2f} s  {1000 * per_steady:7.2f} ms/page")
    print(f"extraction alone:    {extract_s:8.2f} s  {1000 * per_extract:7.2f} ms/page")
    print(f"ratio extraction/crawl: {per_extract / per_crawl:.2f} (with start-up)")
    print(f"ratio extraction/crawl: {per_extract / per_steady:.2f} (less start-up)")
    return 0


def _stored(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT count(*) FROM pages").fetchone()
    return int(row[0])


if __name__ == "__main__":
    sys.exit(main())
