"""A small syndication corpus written for the crawl-order test: four stories, each an
original and two lightly edited copies, plus one unrelated story that shares some words
with one of them. Every story carries a different kind of evidence about its original:

- ``rail``: dates are bare and equal; the first copy credits the original (link), the
  second copy credits the first copy (a copy of a copy: the chain must be followed);
- ``library``: equal bare dates; both copies have a ``rel=canonical`` link to the
  original;
- ``satellite``: the original itself credits a wire service that is not crawled; the
  copies credit the original by site name only (no link); one copy states an earlier
  time than the original;
- ``packaging``: no dates, credit lines or canonical links; the copies are trimmed, so
  only the original contains the others' text;
- ``port``: the copies took one half of the original each, so they do not match each
  other: crawled before the original, they are two separate articles until it arrives
  (dates decide the original);
- ``fab``: unrelated (another chip-plant story with some of ``packaging``'s words).

Also a command: ``python -m tests.ingest.order_corpus [--database-url URL]`` ingests the
corpus originals-first and copies-first through the real :class:`Ingestor` and prints
how many copies share their original's cluster, with the right original chosen.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import FetchedPage


@dataclass(frozen=True)
class Site:
    key: str
    host: str
    name: str


SITES = {
    s.key: s
    for s in (
        Site("alpha", "alpha.example", "Alpha Wire"),
        Site("beta", "beta.example", "Beta Daily"),
        Site("gamma", "gamma.example", "Gamma News"),
        Site("delta", "delta.example", "Delta Tech"),
    )
}


@dataclass(frozen=True)
class Doc:
    """One page of the corpus."""

    story: str
    role: str  # original | copy
    site: str
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: str | None = None
    canonical: str | None = None  # None: the page's own URL
    credit_html: str | None = None

    @property
    def url(self) -> str:
        return f"http://{SITES[self.site].host}/news/{self.slug}"


def _edit(paragraphs: Sequence[str], swaps: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """A light edit: each swap replaces the first occurrence of a word in every paragraph."""
    out = []
    for p in paragraphs:
        for old, new in swaps:
            p = p.replace(old, new, 1)
        out.append(p)
    return tuple(out)


SWAPS_A = [(" said ", " stated "), (" new ", " fresh "), (" about ", " roughly ")]
SWAPS_B = [(" the company ", " the firm "), (" will ", " is set to "), (" also ", " further ")]

RAIL = (
    "Northern Valley Rail said on Monday that its first battery trains will enter service "
    "on the coastal line in June, replacing diesel units that have run the route since the "
    "1980s and cutting about four thousand tonnes of emissions a year.",
    "The operator has ordered eleven two-car units from a builder in Ostrava. Each set "
    "charges from overhead wires on the electrified stretch near the city and runs on its "
    "batteries for the remaining sixty kilometres to the harbour towns.",
    "Engineers spent most of last winter testing the new trains at night, when the line is "
    "closed. The company said the batteries kept about a fifth of their charge at the end of "
    "each run even in freezing weather, which had been the main worry.",
    "Passenger groups welcomed the plan but asked for more frequent services. At present "
    "trains run once an hour, and the operator will only add a second train each hour in "
    "the morning and evening peaks, starting in the autumn.",
    "The regional transport authority is paying for two new charging points at the harbour "
    "stations. Work on them started in January and should be finished in May, a few weeks "
    "before the first passengers board the new trains.",
    "If the trial goes well, the company also wants to replace the diesel fleet on two "
    "inland branch lines by 2029, a plan that would need another eighteen units and about "
    "ninety million euros from the national rail fund.",
)

LIBRARY = (
    "The public library of Westmere has replaced its commercial catalogue with an open "
    "source system built by a group of twelve libraries, and said the switch will save "
    "about forty thousand pounds a year in licence fees.",
    "Readers will notice little at first: the search page looks much the same, and loans, "
    "holds and fines carried over from the old system. Staff said the new catalogue finds "
    "titles faster, especially for searches by series and subject.",
    "The move took eighteen months. The hardest part was cleaning records that had been "
    "copied between systems since the 1990s, some of them with authors in the title field "
    "and publication years that were plainly wrong.",
    "The libraries share one developer and pay for hosting together. Any of them can ask "
    "for a change, and the group votes each quarter on which requests to build next, which "
    "the head librarian said keeps costs predictable.",
    "Two neighbouring councils are watching the project closely. Both pay for the same "
    "commercial product, whose contract ends next year, and have asked the group what it "
    "would cost to join before they renew.",
)

SATELLITE = (
    "Orbital Relay launched its first four broadband satellites on Thursday from a pad in "
    "French Guiana, the start of a network the company says will bring internet access to "
    "ships, oil platforms and remote villages by the end of next year.",
    "The satellites fly in a medium orbit about eight thousand kilometres up, higher than "
    "the large low-orbit networks, so fewer of them are needed to cover the globe. The "
    "company plans twenty-four in total, launched four at a time.",
    "Each satellite carries steerable antennas that can point capacity where demand is, "
    "for example at a busy shipping lane during the day. Ground stations in Portugal, "
    "Chile and Malaysia will link the network to the internet.",
    "The launch was delayed twice by high winds, and the company said it lost contact with "
    "one satellite for about twenty minutes after separation before the spacecraft "
    "reported in and began unfolding its solar panels.",
    "Customers have signed contracts worth about three hundred million dollars so far, "
    "most of them shipping lines and offshore energy firms. Service for villages will "
    "depend on subsidies that two governments are still negotiating.",
)

PACKAGING = (
    "Kestrel Semiconductor will build a chip packaging plant outside Tampere, its first "
    "factory in Europe, and said the site will employ about six hundred people when it "
    "reaches full output in 2028.",
    "Packaging is the step after wafers leave the fab: chips are cut apart, mounted on a "
    "substrate, wired up and sealed. The new plant will focus on stacking several chips in "
    "one package, a technique in demand for artificial intelligence hardware.",
    "The company picked Finland for its cheap clean power, a local university with a strong "
    "microelectronics group, and a grant of about eighty million euros from the national "
    "government under the European chips programme.",
    "Construction will start in the spring. Kestrel said it will also train its first two "
    "hundred technicians at its plant in Penang, Malaysia, before they return to open the "
    "Finnish site.",
    "Local officials said the region had lost about two thousand manufacturing jobs over the "
    "past decade, mostly in paper mills, and that the plant would bring work for suppliers, "
    "builders and logistics firms as well.",
    "Analysts said the investment was modest by industry standards but filled a gap: most "
    "advanced packaging is done in Asia, and European carmakers have complained for years "
    "that they depend on a handful of plants there.",
    "Kestrel did not say which customers would use the Tampere plant. Its largest clients "
    "today are makers of data centre processors and industrial sensors, according to its "
    "annual report.",
)

PORT = (
    "The port of Hallstrand will automate two of its four container terminals over the "
    "next five years, its board said on Tuesday, in a plan that unions have opposed since "
    "it was first floated in the spring.",
    "Remote-controlled cranes will unload ships at the two terminals, and driverless "
    "carriers will move boxes to the stacks. The port said the change would let it handle "
    "the largest ships now being built without lengthening its quays.",
    "The dockworkers' union said about three hundred jobs were at risk and called a ballot "
    "on strike action. The port has offered retraining for crane operators and promised no "
    "compulsory redundancies before the first terminal opens.",
    "The cost is put at four hundred and fifty million euros, shared between the port "
    "authority, two shipping lines that lease the terminals and a loan from the European "
    "Investment Bank that is still being negotiated.",
    "Other ports in the region have gone further. Rotterdam and Hamburg already run fully "
    "automated terminals, and Hallstrand has lost some transhipment business to both over "
    "the past decade as ships grew larger.",
    "Work on the first terminal is due to begin next year, once the strike ballot and a "
    "review by the environment agency are out of the way. The second terminal would follow "
    "two years later if traffic keeps growing.",
)

FAB = (
    "Brightline Microsystems said it would pause work on its new wafer fab in Dresden for "
    "at least a year, blaming weak demand for the power chips the plant was meant to make "
    "for electric cars.",
    "About three hundred construction workers will leave the site this month. The company "
    "said the chip plant's shell is finished and the cleanrooms will be sealed so that the "
    "equipment can be installed quickly once orders recover.",
    "The delay is a blow to the regional government, which promised subsidies for the fab "
    "and had counted on two thousand jobs. A spokesman said the grant would only be paid "
    "once the plant starts production.",
    "Brightline's shares fell seven per cent after the announcement. Its chief executive "
    "told analysts that carmakers had cut their orders for the second half of the year and "
    "were running down stocks of chips they bought during the shortage.",
)

_RAIL_O = "http://alpha.example/news/battery-trains-coastal-line"
_RAIL_A = "http://beta.example/news/battery-trains-june"
_LIB_O = "http://delta.example/news/westmere-open-catalogue"
_SAT_O = "http://gamma.example/news/orbital-relay-first-launch"


def _credit(text: str, url: str | None = None) -> str:
    link = f' <a href="{escape(url)}">{escape(url)}</a>' if url else ""
    return f"<p><em>{escape(text)}{link}</em></p>"


CORPUS: tuple[Doc, ...] = (
    Doc("rail", "original", "alpha", "battery-trains-coastal-line",
        "Battery trains to run on the coastal line from June", RAIL, "2026-03-02"),
    Doc("rail", "copy", "beta", "battery-trains-june",
        "Battery trains will run on the coastal line in June", _edit(RAIL, SWAPS_A),
        "2026-03-02",
        credit_html=_credit("This article originally appeared on Alpha Wire:", _RAIL_O)),
    Doc("rail", "copy", "gamma", "coastal-line-battery-trains",
        "Coastal line gets battery trains", _edit(_edit(RAIL, SWAPS_A), SWAPS_B)[:5],
        "2026-03-02",
        credit_html=_credit("This article originally appeared on Beta Daily:", _RAIL_A)),
    Doc("library", "original", "delta", "westmere-open-catalogue",
        "Westmere library switches to an open source catalogue", LIBRARY, "2026-03-05"),
    Doc("library", "copy", "alpha", "library-open-source",
        "Library switches to open source catalogue", _edit(LIBRARY, SWAPS_B),
        "2026-03-05", canonical=_LIB_O),
    Doc("library", "copy", "beta", "westmere-catalogue",
        "Westmere's new catalogue", _edit(LIBRARY, SWAPS_A), "2026-03-05", canonical=_LIB_O),
    Doc("satellite", "original", "gamma", "orbital-relay-first-launch",
        "Orbital Relay launches its first broadband satellites", SATELLITE,
        "2026-03-07T10:00:00+00:00",
        credit_html=_credit("This story was first published by Wire Service (wire.example).")),
    Doc("satellite", "copy", "alpha", "orbital-relay-satellites",
        "First Orbital Relay satellites launched", _edit(SATELLITE, SWAPS_A),
        "2026-03-07T09:00:00+00:00",
        credit_html=_credit("This article originally appeared on Gamma News.")),
    Doc("satellite", "copy", "delta", "broadband-satellites-launch",
        "Broadband satellites launched", _edit(SATELLITE, SWAPS_B)[1:],
        "2026-03-07T15:30:00+00:00",
        credit_html=_credit("This article originally appeared on Gamma News.")),
    Doc("packaging", "original", "beta", "kestrel-packaging-plant-tampere",
        "Kestrel to build chip packaging plant in Finland", PACKAGING),
    Doc("packaging", "copy", "gamma", "kestrel-finland",
        "Kestrel picks Finland", _edit(PACKAGING, SWAPS_A)[:4]),
    Doc("packaging", "copy", "delta", "kestrel-tampere",
        "Chip packaging plant for Tampere", _edit(PACKAGING, SWAPS_B)[:5]),
    Doc("port", "original", "delta", "hallstrand-automated-terminals",
        "Hallstrand port to automate two terminals", PORT, "2026-03-10T08:00:00+00:00"),
    Doc("port", "copy", "alpha", "hallstrand-terminals",
        "Port plans automated terminals", _edit(PORT, SWAPS_A)[:3],
        "2026-03-10T12:00:00+00:00"),
    Doc("port", "copy", "gamma", "hallstrand-cost-and-jobs",
        "What Hallstrand's automation will cost", _edit(PORT, SWAPS_B)[3:], "2026-03-11"),
    Doc("fab", "original", "alpha", "brightline-pauses-dresden-fab",
        "Brightline pauses its Dresden fab", FAB, "2026-03-09"),
)  # fmt: skip


def render(doc: Doc) -> bytes:
    """The page of ``doc``: site chrome, metadata in ``<head>``, the article, a credit."""
    site = SITES[doc.site]
    meta = [
        f'<link rel="canonical" href="{escape(doc.canonical or doc.url)}">',
        f'<meta property="og:site_name" content="{escape(site.name)}">',
        f'<meta property="og:title" content="{escape(doc.title)}">',
    ]
    if doc.published:
        meta.append(f'<meta property="article:published_time" content="{doc.published}">')
    body = "\n".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs)
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(doc.title)} | {escape(site.name)}</title>
{chr(10).join(meta)}
</head><body>
<header class="site-header"><a href="/">{escape(site.name)}</a>
<nav><a href="/news/">News</a> <a href="/about">About</a></nav></header>
<main class="wrap"><article>
<h1>{escape(doc.title)}</h1>
<p class="byline">By the {escape(site.name)} desk</p>
{body}
{doc.credit_html or ""}
</article></main>
<footer class="site-footer"><p>Contact {escape(site.name)} at desk@{site.host}</p></footer>
</body></html>"""
    return html.encode()


def page(doc: Doc) -> FetchedPage:
    return FetchedPage(
        source=doc.site,
        url=doc.url,
        final_url=doc.url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=render(doc),
    )


def originals_first() -> list[Doc]:
    return sorted(CORPUS, key=lambda d: d.role != "original")


def copies_first() -> list[Doc]:
    return sorted(CORPUS, key=lambda d: d.role == "original")


def shuffled(seed: int) -> list[Doc]:
    docs = list(CORPUS)
    random.Random(seed).shuffle(docs)
    return docs


@dataclass
class Outcome:
    """What one crawl of the corpus produced, by URL (independent of row ids)."""

    clusters: dict[frozenset[str], str | None] = field(default_factory=dict)  # members -> original
    reasons: dict[str, str | None] = field(default_factory=dict)  # original -> reason
    flagged: frozenset[tuple[str, int]] = frozenset()  # paragraphs in a cross-article flag
    cross_story_flags: int = 0
    within_flags: int = 0

    def key(self) -> tuple[object, ...]:
        return (self.clusters, self.flagged, self.cross_story_flags, self.within_flags)


def crawl(factory: sessionmaker[Session], docs: Sequence[Doc]) -> Outcome:
    """Ingest ``docs`` in this order with a fresh :class:`Ingestor`, and read the result."""
    from crawler.ingest.ingestor import Ingestor
    from storage import repository as repo
    from storage.models import Article, Cluster, ClusterMember, DuplicateLink, Paragraph

    ingestor = Ingestor.open(factory)
    for doc in docs:
        with factory() as session:
            source = repo.get_or_create_source(session, doc.site, [SITES[doc.site].host])
            session.commit()
            source_id = source.id
        outcome = ingestor.ingest(page(doc), source_id=source_id)
        if outcome.article_status != "new":
            raise RuntimeError(f"{doc.url}: {outcome.extraction_status} {outcome.reason}")
    story = {d.url: d.story for d in CORPUS}
    result = Outcome()
    with factory() as session:
        url_of = {int(a): str(u) for a, u in session.execute(select(Article.id, Article.url))}
        for cluster in session.scalars(select(Cluster)):
            members = session.scalars(
                select(ClusterMember.article_id).where(ClusterMember.cluster_id == cluster.id)
            )
            original = url_of.get(cluster.original_article_id or -1)
            result.clusters[frozenset(url_of[a] for a in members)] = original
            if original is not None:
                result.reasons[original] = cluster.original_reason
        where = {
            p.id: (url_of[p.article_id], p.position) for p in session.scalars(select(Paragraph))
        }
        flagged: set[tuple[str, int]] = set()
        for link in session.scalars(select(DuplicateLink)):
            a, b = where[link.paragraph_id], where[link.matched_paragraph_id]
            if a[0] == b[0]:
                result.within_flags += 1
                continue
            flagged |= {a, b}
            if story[a[0]] != story[b[0]]:
                result.cross_story_flags += 1
        result.flagged = frozenset(flagged)
    return result


def expected() -> dict[frozenset[str], str]:
    """The right clusters (stories with copies) and their originals."""
    out: dict[frozenset[str], str] = {}
    for s in sorted({d.story for d in CORPUS}):
        docs = [d for d in CORPUS if d.story == s]
        if len(docs) > 1:
            out[frozenset(d.url for d in docs)] = next(d.url for d in docs if d.role == "original")
    return out


def score(result: Outcome) -> tuple[int, int, int]:
    """Copies in their original's cluster (cluster exactly right), those with the right
    original too, out of how many copies."""
    in_cluster = right = total = 0
    truth = expected()
    for members, original in truth.items():
        copies = len(members) - 1
        total += copies
        own = [m for m in result.clusters if original in m]
        cluster = own[0] if own else frozenset()
        together = len(cluster & members) - 1 if cluster else 0
        in_cluster += max(0, together)
        if result.clusters.get(cluster) == original:
            right += max(0, together)
    return in_cluster, right, total


def _factory(url: str) -> tuple[sessionmaker[Session], object]:
    from storage import migrate
    from storage.db import make_engine, make_session_factory

    migrate.upgrade(url)
    engine = make_engine(url)
    return make_session_factory(engine), engine


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shuffles", type=int, default=4, help="also this many random orders")
    args = parser.parse_args(argv)
    orders = [("originals first", originals_first()), ("copies first", copies_first())]
    orders += [(f"shuffled (seed {s})", shuffled(s)) for s in range(args.shuffles)]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, docs) in enumerate(orders):
            factory, engine = _factory(f"sqlite:///{Path(tmp) / f'order{n}.db'}")
            result = crawl(factory, docs)
            engine.dispose()  # type: ignore[attr-defined]
            in_cluster, right, total = score(result)
            print(
                f"{name:20s} copies in their original's cluster {in_cluster}/{total}, "
                f"with the right original {right}/{total}; "
                f"cross-story flags {result.cross_story_flags}; clusters {len(result.clusters)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
