"""A generated site for scale tests and benchmarks: many short articles, some of them
syndicated copies of others, served like the sample site (an HTTP forward proxy for its
``.example`` host, see :mod:`crawler.demo.server`), with a per-request delay.

The text is made-up words from a seeded generator: every original is different, and each
copy repeats its original's paragraphs under another URL and title, with a credit line.

Example:
    >>> with serve_generated_site(articles=20, copies=5) as (site, plan):  # doctest: +SKIP
    ...     print(site.proxy_url, len(plan.urls))
"""

from __future__ import annotations

import html
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from crawler.demo.server import SampleSite, _Server

HOST = "wirebulk.example"
ARTICLE_PATTERN = r"^http://wirebulk\.example/a/[a-z0-9-]+$"
_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "me",
    "su",
    "na",
    "lo",
    "pe",
    "vi",
    "da",
    "ne",
    "ro",
    "fa",
    "gu",
    "mi",
    "te",
    "sa",
    "bo",
    "li",
    "ku",
    "ze",
    "ha",
    "ya",
    "wo",
    "chi",
    "mon",
    "tar",
    "bel",
    "gan",
    "dor",
    "pix",
    "lum",
    "ver",
    "sol",
    "quin",
    "zap",
]


@dataclass
class SitePlan:
    """What the generated site holds.

    Attributes:
        urls: every article URL (originals, then copies).
        copies: copy URL -> URL of the original it repeats.
    """

    urls: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))


def _paragraphs(seed: int, count: int, words: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentences = []
        for _ in range(max(1, words // 12)):
            sentence = " ".join(_word(rng) for _ in range(12))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        out.append(" ".join(sentences))
    return out


def _page(title: str, paragraphs: list[str], credit: str | None) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    if credit:
        body += f"<p><em>{html.escape(credit)}</em></p>\n"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>\n"
        "<header><nav><a href='/'>Wire Bulk</a></nav></header>\n"
        f"<article><h1>{html.escape(title)}</h1>\n{body}</article>\n"
        "<footer>Wire Bulk, a made-up publisher.</footer>\n</body></html>\n"
    ).encode()


def build_site(
    articles: int, copies: int, *, paragraphs: int = 3, words: int = 48
) -> tuple[dict[str, dict[str, tuple[str, bytes]]], SitePlan]:
    """Routes (host -> path -> (content type, body)) and the plan of a generated site.

    Args:
        articles: original articles.
        copies: syndicated copies (of the first ``copies`` originals).
        paragraphs: paragraphs per article.
        words: words per paragraph (about).
    """
    if copies > articles:
        raise ValueError(f"{copies} copies of {articles} articles: at most one copy each")
    pages: dict[str, tuple[str, bytes]] = {}
    plan = SitePlan()
    texts: list[list[str]] = []
    for n in range(articles):
        paras = _paragraphs(n + 1, paragraphs, words)
        texts.append(paras)
        path = f"/a/story-{n:05d}"
        pages[path] = ("text/html; charset=utf-8", _page(f"Story {n}", paras, None))
        plan.urls.append(f"http://{HOST}{path}")
    for n in range(copies):
        path = f"/a/syndicated-{n:05d}"
        credit = f"This story first appeared as Story {n} on Wire Bulk."
        pages[path] = ("text/html; charset=utf-8", _page(f"Copy of story {n}", texts[n], credit))
        url = f"http://{HOST}{path}"
        plan.urls.append(url)
        plan.copies[url] = plan.urls[n]
    entries = "".join(f"<url><loc>{html.escape(u)}</loc></url>\n" for u in plan.urls)
    pages["/sitemap.xml"] = (
        "application/xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n"
        ).encode(),
    )
    pages["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
    return {HOST: pages}, plan


def sources_toml(name: str = "wirebulk", concurrency: int = 8) -> str:
    """A sources file with the one source of the generated site (its sitemap)."""
    return (
        "[[sources]]\n"
        f'name = "{name}"\n'
        f'domains = ["{HOST}"]\n'
        f'sitemaps = ["http://{HOST}/sitemap.xml"]\n'
        f"article_pattern = '{ARTICLE_PATTERN}'\n"
        f"concurrency = {concurrency}\n"
        "download_delay = 0.0\n"
        "max_pages = 100000\n"
    )


@contextmanager
def serve_generated_site(
    articles: int = 500,
    copies: int = 50,
    *,
    delay: float = 0.0,
    paragraphs: int = 3,
    words: int = 48,
) -> Iterator[tuple[SampleSite, SitePlan]]:
    """Serve a generated site on 127.0.0.1 (a free port) in a background thread.

    Args:
        articles: original articles.
        copies: syndicated copies.
        delay: seconds every answer waits.
        paragraphs: paragraphs per article.
        words: words per paragraph (about).
    """
    routes, plan = build_site(articles, copies, paragraphs=paragraphs, words=words)
    site = SampleSite(host="127.0.0.1", port=0, routes=routes, delay=delay)
    server = _Server(site)
    site.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="generated-site", daemon=True)
    thread.start()
    try:
        yield site, plan
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
