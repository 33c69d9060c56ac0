"""A small database for the API and export tests: made-up publishers and prose.

Layout (ids in insertion order):
- ``lowmere-ledger``: the cranes story (original of cluster A), a German wind-farm
  story with a paragraph repeated inside it, an undated note, the filler bulletins;
- ``harbourline``: a copy of the cranes story (cluster A), a ferry story whose only flag
  was reviewed ``not_duplicate``, and a text full of FTS5 operators;
- ``quayside-daily``: two copies of a tram story in a cluster with no chosen original.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import DuplicateLink, Paragraph
from storage.repository import (
    ArticleFields,
    add_duplicate_link,
    finish_run,
    get_or_create_source,
    join_cluster,
    save_article,
    set_original,
    start_run,
    upsert_page,
)

CRANES = [
    ("heading", "Harbour cranes learn to schedule themselves"),
    (
        "paragraph",
        "The port authority of Lowmere has switched its container cranes to a scheduler "
        "that plans the next four hours of lifts from the ships' manifests.",
    ),
    (
        "paragraph",
        "Operators say the queue of trucks at the gate has shortened since the change, "
        "although the dockworkers' union wants the planning rules published.",
    ),
]
WIND = [
    ("paragraph", "Vor der Küste von Nordhavn entsteht ein Windpark mit vierzig Turbinen."),
    ("paragraph", "Die Netzbetreiber rechnen mit dem ersten Strom im kommenden Herbst."),
    ("paragraph", "Vor der Küste von Nordhavn entsteht ein Windpark mit vierzig Turbinen."),
]
FERRY = [
    ("paragraph", "Two ferry operators on the Brask estuary are testing battery packs."),
    ("paragraph", "Read more stories like this one in our weekly transport letter."),
]
NOTE = [("paragraph", "An undated note about lighthouse maintenance schedules on Skerrow.")]
OPERATORS = [
    ("paragraph", 'Engineers wrote NEAR(pump valve) and "quoted * terms" OR title: in a log.'),
]
TRAM = [
    ("paragraph", "The city of Ostrell will run driverless trams on its ring line next year."),
    ("paragraph", "Safety inspectors must still approve the obstacle detection system."),
]
FILLER_COUNT = 20


@dataclass
class Seeded:
    """Ids of what :func:`seed` stored."""

    sources: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, int] = field(default_factory=dict)
    runs: list[int] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def canonical(self) -> set[int]:
        copies = {self.articles["cranes_copy"], self.articles["tram_b"]}
        return set(self.articles.values()) - copies


def _norm(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def _article(
    session: Session,
    source_id: int,
    url: str,
    blocks: list[tuple[str, str]],
    *,
    title: str,
    published: datetime | None,
    language: str,
    run_id: int | None = None,
) -> int:
    page = upsert_page(
        session,
        source_id=source_id,
        url=url,
        final_url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        etag=None,
        last_modified=None,
        body=b"<html><body><p>stored page</p></body></html>",
        extraction_status="ok",
        extraction_reason=None,
        run_id=run_id,
    )
    article, _status = save_article(
        session,
        page=page,
        source_id=source_id,
        url=url,
        fields=ArticleFields(
            title=title, authors=["M. Tern"], published_at=published, language=language
        ),
        blocks=[(kind, text, _norm(text)) for kind, text in blocks],
        run_id=run_id,
    )
    return article.id


def _paragraph_ids(session: Session, article_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Paragraph.id)
            .where(Paragraph.article_id == article_id)
            .order_by(Paragraph.position)
        )
    )


def _link(session: Session, paragraph: int, matched: int, kind: str) -> int:
    add_duplicate_link(
        session,
        paragraph_id=paragraph,
        matched_paragraph_id=matched,
        kind=kind,
        method="norm_hash",
        score=1.0,
        scores={"jaccard": 1.0},
        params_id=None,
        run_id=None,
    )
    return int(
        session.scalars(
            select(DuplicateLink.id).where(
                DuplicateLink.paragraph_id == paragraph,
                DuplicateLink.matched_paragraph_id == matched,
            )
        ).one()
    )


def seed(session: Session) -> Seeded:
    """Store the test database's rows (flushed; the caller commits)."""
    out = Seeded()
    ledger = get_or_create_source(session, "lowmere-ledger", ["lowmere-ledger.example"])
    harbour = get_or_create_source(session, "harbourline", ["harbourline.example"])
    quay = get_or_create_source(session, "quayside-daily", ["quayside-daily.example"])
    out.sources = {
        "lowmere-ledger": ledger.id,
        "harbourline": harbour.id,
        "quayside-daily": quay.id,
    }

    run = start_run(session, ledger.id)
    finish_run(session, run, "ok")
    failed = start_run(session, harbour.id)
    finish_run(session, failed, "failed", "proxy refused the connection")
    out.runs = [run.id, failed.id]

    a = out.articles
    a["cranes"] = _article(
        session,
        ledger.id,
        "https://lowmere-ledger.example/2026/cranes",
        CRANES,
        title="Harbour cranes learn to schedule themselves",
        published=datetime(2026, 11, 1, 9, 0),
        language="en",
        run_id=run.id,
    )
    a["cranes_copy"] = _article(
        session,
        harbour.id,
        "https://harbourline.example/news/cranes-scheduler",
        CRANES,
        title="Cranes at Lowmere now plan their own lifts",
        published=datetime(2026, 11, 2, 7, 30),
        language="en",
    )
    a["wind"] = _article(
        session,
        ledger.id,
        "https://lowmere-ledger.example/de/windpark",
        WIND,
        title="Windpark vor Nordhavn",
        published=datetime(2026, 11, 3, 12, 0),
        language="de",
    )
    a["ferry"] = _article(
        session,
        harbour.id,
        "https://harbourline.example/news/ferries",
        FERRY,
        title="Battery ferries on the Brask",
        published=datetime(2026, 11, 5, 8, 0),
        language="en",
    )
    a["note"] = _article(
        session,
        ledger.id,
        "https://lowmere-ledger.example/notes/lighthouse",
        NOTE,
        title="Lighthouse note",
        published=None,
        language="en",
    )
    a["operators"] = _article(
        session,
        harbour.id,
        "https://harbourline.example/news/log",
        OPERATORS,
        title="A log full of operators",
        published=datetime(2026, 11, 6, 8, 0),
        language="en",
    )
    a["tram_a"] = _article(
        session,
        quay.id,
        "https://quayside-daily.example/tram",
        TRAM,
        title="Driverless trams for Ostrell",
        published=datetime(2026, 11, 7, 8, 0),
        language="en",
    )
    a["tram_b"] = _article(
        session,
        quay.id,
        "https://quayside-daily.example/tram-again",
        TRAM,
        title="Ostrell trams go driverless",
        published=datetime(2026, 11, 8, 8, 0),
        language="en",
    )
    for i in range(FILLER_COUNT):
        a[f"bulletin{i}"] = _article(
            session,
            ledger.id,
            f"https://lowmere-ledger.example/bulletin/{i}",
            [("paragraph", f"Bulletin number {i} lists the tide tables for week {i + 1}.")],
            title=f"Bulletin {i}",
            published=datetime(2026, 10, 1 + i, 6, 0),
            language="en",
        )

    cranes, copy = _paragraph_ids(session, a["cranes"]), _paragraph_ids(session, a["cranes_copy"])
    for mine, theirs in zip(copy, cranes, strict=True):
        out.flags.setdefault("cross", _link(session, mine, theirs, "exact_cross"))
    wind = _paragraph_ids(session, a["wind"])
    out.flags["within"] = _link(session, wind[2], wind[0], "exact_within")
    ferry = _paragraph_ids(session, a["ferry"])
    note = _paragraph_ids(session, a["note"])
    out.flags["rejected"] = _link(session, ferry[1], note[0], "near_cross")
    session.execute(
        update(DuplicateLink)
        .where(DuplicateLink.id == out.flags["rejected"])
        .values(review_state="not_duplicate")
    )
    tram_a, tram_b = _paragraph_ids(session, a["tram_a"]), _paragraph_ids(session, a["tram_b"])
    for mine, theirs in zip(tram_b, tram_a, strict=True):
        _link(session, mine, theirs, "exact_cross")

    cluster = join_cluster(session, a["cranes_copy"], a["cranes"], 1.0, 1.0)
    set_original(session, cluster, a["cranes"], "published first")
    out.clusters["cranes"] = cluster.id
    out.clusters["tram"] = join_cluster(session, a["tram_b"], a["tram_a"], 1.0, 1.0).id
    session.flush()
    return out
