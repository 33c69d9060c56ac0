"""A generated site of several publishers that copy each other, and the figures a test
asserts: pages stored / expected, copies linked / expected.

Each publisher ``wire-X.example`` has ``originals`` articles and copies of the first
``copies`` originals of the next publisher (wrapping round), listed in its sitemap at the
same position as the original in its own: crawled at the same time, a copy and its
original are fetched in the same instant by two crawls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from crawler.demo.generated import _page, _paragraphs
from crawler.demo.server import SampleSite, _Server
from storage.db import make_engine
from storage.models import Article, DuplicateLink, Page, Paragraph


@dataclass
class CopyPlan:
    names: list[str]
    urls: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # copy URL -> original URL


def host(name: str) -> str:
    return f"{name}.example"


def build(
    names: list[str], originals: int, copies: int
) -> tuple[dict[str, dict[str, tuple[str, bytes]]], CopyPlan]:
    plan = CopyPlan(names)
    routes: dict[str, dict[str, tuple[str, bytes]]] = {}
    texts: dict[str, list[list[str]]] = {}
    for i, name in enumerate(names):
        texts[name] = [_paragraphs(1000 * (i + 1) + n, 3, 48) for n in range(originals)]
    for i, name in enumerate(names):
        pages: dict[str, tuple[str, bytes]] = {}
        order: list[str] = []
        other = names[(i + 1) % len(names)]
        for n in range(originals):
            path = f"/a/story-{n:04d}"
            pages[path] = ("text/html; charset=utf-8", _page(f"{name} {n}", texts[name][n], None))
            order.append(path)
            if n < copies:
                copy = f"/a/copy-{other}-{n:04d}"
                credit = f"This story first appeared on {other}."
                body = _page(f"{other} {n} (copy)", texts[other][n], credit)
                pages[copy] = ("text/html; charset=utf-8", body)
                order.append(copy)
                plan.copies[f"http://{host(name)}{copy}"] = f"http://{host(other)}/a/story-{n:04d}"
        # originals and copies interleaved, so that copy n and original n come up together
        plan.urls += [f"http://{host(name)}{p}" for p in order]
        entries = "".join(f"<url><loc>http://{host(name)}{p}</loc></url>\n" for p in order)
        pages["/sitemap.xml"] = (
            "application/xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{entries}</urlset>\n"
            ).encode(),
        )
        pages["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
        routes[host(name)] = pages
    return routes, plan


def sources_toml(names: list[str], concurrency: int = 4) -> str:
    out = []
    for name in names:
        h = host(name).replace(".", r"\.")
        out.append(
            "[[sources]]\n"
            f'name = "{name}"\n'
            f'domains = ["{host(name)}"]\n'
            f'sitemaps = ["http://{host(name)}/sitemap.xml"]\n'
            f"article_pattern = '^http://{h}/a/[a-z0-9-]+$'\n"
            f"concurrency = {concurrency}\n"
            "download_delay = 0.0\n"
            "max_pages = 100000\n"
        )
    return "\n".join(out)


@contextmanager
def serve(
    names: list[str], originals: int, copies: int, *, delay: float = 0.05
) -> Iterator[tuple[SampleSite, CopyPlan]]:
    routes, plan = build(names, originals, copies)
    site = SampleSite(host="127.0.0.1", port=0, routes=routes, delay=delay)
    server = _Server(site)
    site.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="copy-site", daemon=True)
    thread.start()
    try:
        yield site, plan
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_sources(directory: Path, names: list[str]) -> Path:
    path = directory / "sources.toml"
    path.write_text(sources_toml(names), encoding="utf-8")
    return path


@dataclass
class Figures:
    pages_stored: int
    pages_expected: int
    pages_doubled: int
    copies_linked: int
    copies_expected: int

    def __str__(self) -> str:
        return (
            f"pages stored {self.pages_stored}/{self.pages_expected} "
            f"(doubled {self.pages_doubled}), "
            f"copies linked {self.copies_linked}/{self.copies_expected}"
        )


def figures(db_url: str, plan: CopyPlan) -> Figures:
    """What the database holds of the plan."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            stored = session.execute(select(Page.url, func.count()).group_by(Page.url)).all()
            by_url = dict(stored)
            article_of = dict(session.execute(select(Article.url, Article.id)).all())
            this, other = aliased(Paragraph), aliased(Paragraph)
            linked_pairs = {
                (a, b)
                for a, b in session.execute(
                    select(this.article_id, other.article_id)
                    .join(DuplicateLink, DuplicateLink.paragraph_id == this.id)
                    .join(other, DuplicateLink.matched_paragraph_id == other.id)
                    .where(this.article_id != other.article_id)
                )
            }
    finally:
        engine.dispose()
    linked = 0
    for copy, original in plan.copies.items():
        a, b = article_of.get(copy), article_of.get(original)
        if a is not None and b is not None and ((a, b) in linked_pairs or (b, a) in linked_pairs):
            linked += 1
    return Figures(
        pages_stored=sum(1 for u in plan.urls if u in by_url),
        pages_expected=len(plan.urls),
        pages_doubled=sum(1 for n in by_url.values() if n > 1),
        copies_linked=linked,
        copies_expected=len(plan.copies),
    )
