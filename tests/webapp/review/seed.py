"""A small review database written for these tests: three made-up publishers, flags of
every kind, one syndication cluster, two accounts and one paragraph carrying script."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import DuplicateLink
from storage.repo.articles import ArticleFields, save_article
from storage.repo.clusters import join_cluster, set_original
from storage.repo.dedup import add_duplicate_link
from storage.repo.pages import upsert_page
from storage.repo.sources import get_or_create_source
from storage.repo.users import add_user
from webapp.review.passwords import hash_password

EDITOR = ("edna", "tide-tables-42")
VIEWER = ("vic", "harbour-lights-7")
SCRIPT_PAYLOAD = "<script>alert(1)</script>"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"

WIRE = [
    "Lowmere's harbour board voted on Tuesday to replace its diesel tugs with four "
    "battery-powered boats by the end of next year, at a cost of 31 million crowns.",
    "The board's chair, Ines Varga, said the new tugs would cut the port's fuel bill by "
    "almost half and make the night shifts noticeably quieter for the old town.",
    "Charging points will be installed at the north quay, where the grid operator has "
    "promised a dedicated cable before the first boat is delivered in the spring.",
]
HERALD = [
    "Lowmere's harbour board voted on Tuesday to swap its diesel tugs for four "
    "battery-powered boats by the end of next year, at a cost of 31 million crowns.",
    WIRE[1],
    "Sign up to the Harbour Herald morning briefing for the news that moves the quays.",
]
COURIER = [
    "Inland farmers are watching the tug decision closely, since their grain leaves "
    "through the same harbour every autumn.",
    "Freight rates along the river have risen twice this year, the courier has learned.",
    "Inland farmers are watching the tug decision very closely, because their grain "
    "leaves through the same harbour each autumn.",
]
HOSTILE = [
    f"A reader wrote in: {SCRIPT_PAYLOAD} and then {IMG_PAYLOAD} about the tugs.",
    "The new quay cable will be laid in the spring before the first boat arrives.",
]


@contextmanager
def fast_password_hashing() -> Iterator[None]:
    """Cheap Argon2 parameters for tests (the real ones cost a lot of CPU per login)."""
    from argon2 import PasswordHasher

    from webapp.review import passwords

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


def norm_hash(text: str) -> str:
    normal = " ".join(re.sub(r"\W+", " ", text.lower()).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass
class Seeded:
    """Ids of the seeded rows the tests refer to."""

    near_cross: int
    exact_cross: int
    near_within: int
    boilerplate: int
    hostile: int
    cluster: int
    wire_article: int
    herald_article: int
    editor_id: int
    viewer_id: int
    courier_article: int = 0


def _article(session: Session, source: str, url: str, title: str, texts: list[str]) -> list[int]:
    src = get_or_create_source(session, source, [f"{source}.example"])
    page = upsert_page(
        session,
        source_id=src.id,
        url=url,
        final_url=url,
        http_status=200,
        content_type="text/html",
        etag=None,
        last_modified=None,
        body=b"<html></html>",
        extraction_status="ok",
        extraction_reason=None,
        run_id=None,
    )
    article, _ = save_article(
        session,
        page=page,
        source_id=src.id,
        url=url,
        fields=ArticleFields(title=title, published_at=datetime(2026, 11, 20, 8, 0)),
        blocks=[("paragraph", t, norm_hash(t)) for t in texts],
        run_id=None,
    )
    return [article.id] + [p.id for p in article.paragraphs]


def _link(
    session: Session, para: int, matched: int, kind: str, score: float, when: datetime
) -> int:
    add_duplicate_link(
        session,
        paragraph_id=para,
        matched_paragraph_id=matched,
        kind=kind,
        method="norm_hash" if kind.startswith("exact") else "minhash+jaccard",
        score=score,
        scores={"jaccard": score, "containment": min(1.0, score + 0.05)},
        params_id=None,
        run_id=None,
    )
    link = session.query(DuplicateLink).filter_by(paragraph_id=para, matched_paragraph_id=matched)
    row = link.one()
    row.created_at = when
    return row.id


def seed(session: Session) -> Seeded:
    """Write the test rows (committed by the caller)."""
    wire = _article(
        session, "coastline-wire", "https://coastline-wire.example/tugs", "Tugs go electric", WIRE
    )
    herald = _article(
        session,
        "harbour-herald",
        "https://harbour-herald.example/2026/tugs",
        "Harbour goes electric",
        HERALD,
    )
    herald2 = _article(
        session,
        "harbour-herald",
        "https://harbour-herald.example/2026/ferries",
        "Ferry timetable",
        ["The winter ferry timetable starts on Monday with two fewer crossings.", HERALD[2]],
    )
    courier = _article(
        session, "inland-courier", "https://inland-courier.example/grain", "Grain and tugs", COURIER
    )
    hostile = _article(
        session,
        "inland-courier",
        "javascript:alert(1)",
        f"Letters {SCRIPT_PAYLOAD}",
        HOSTILE,
    )
    ids = Seeded(
        near_cross=_link(
            session, herald[1], wire[1], "near_cross", 0.91, datetime(2026, 11, 20, 9)
        ),
        exact_cross=_link(
            session, herald[2], wire[2], "exact_cross", 1.0, datetime(2026, 11, 21, 9)
        ),
        near_within=_link(
            session, courier[3], courier[1], "near_within", 0.72, datetime(2026, 11, 22, 9)
        ),
        boilerplate=_link(
            session, herald2[2], herald[3], "boilerplate", 1.0, datetime(2026, 11, 23, 9)
        ),
        hostile=_link(session, hostile[1], wire[3], "near_cross", 0.55, datetime(2026, 11, 24, 9)),
        cluster=0,
        wire_article=wire[0],
        herald_article=herald[0],
        editor_id=add_user(session, EDITOR[0], hash_password(EDITOR[1]), "editor").id,
        viewer_id=add_user(session, VIEWER[0], hash_password(VIEWER[1]), "viewer").id,
    )
    cluster = join_cluster(session, herald[0], wire[0], 0.67, 0.67)
    set_original(session, cluster, wire[0], "earliest first seen; credited by the copy")
    ids.cluster = cluster.id
    ids.courier_article = courier[0]
    session.flush()
    return ids


def build_seeded_database(directory: Path) -> tuple[Path, Seeded]:
    """Create ``template.db`` in ``directory``: migrated to head and seeded."""
    path = directory / "template.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ids = seed(session)
        session.commit()
    engine.dispose()
    return path, ids


def copy_database(template: Path, target: Path) -> str:
    """Copy the seeded template to ``target`` (one per test) and return its URL."""
    shutil.copy(template, target)
    return f"sqlite:///{target}"
