"""Editors' review: the queue of flagged duplicates, one pair in full, decisions, and
the figures behind the dashboard.

Every decision here also appends an audit row (:mod:`storage.repo.audit`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Article,
    AuditLog,
    Cluster,
    ClusterMember,
    DuplicateLink,
    Paragraph,
    Source,
    SuppressedPair,
    User,
    utcnow,
)
from storage.repo.audit import append_audit
from storage.repo.clusters import set_original
from storage.repo.suppressed import ordered, suppress_pair

STATES = ("pending", "duplicate", "not_duplicate", "boilerplate")
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "within": ("exact_within", "near_within"),
    "syndicated": ("exact_cross", "near_cross"),
    "boilerplate": ("boilerplate",),
}
BULK_MAX = 2000
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "score": "Highest score first",
    "size": "Most paragraphs first",
}
UNDOABLE = ("decide:", "decide_story:", "bulk:")

_Ts = TypeVarTuple("_Ts")

_para, _other = aliased(Paragraph), aliased(Paragraph)
_art, _other_art = aliased(Article), aliased(Article)
_src, _other_src = aliased(Source), aliased(Source)


class ReviewError(ValueError):
    """A decision that cannot be applied, with a message naming what and why."""


@dataclass(frozen=True)
class QueueFilter:
    """Which flags to show. None means "any"."""

    kind: str | None = None  # within | syndicated | boilerplate
    source_id: int | None = None  # either side's source
    date_from: date | None = None  # flagged on or after (UTC day)
    date_to: date | None = None  # flagged on or before (UTC day)
    score_min: float | None = None
    score_max: float | None = None
    state: str | None = "pending"
    q: str | None = None  # words in either paragraph or either article's title
    sort: str = "newest"  # one of SORTS


@dataclass(frozen=True)
class Side:
    """One paragraph of a pair, with its article."""

    paragraph_id: int
    position: int
    text: str
    norm_hash: str
    article_id: int
    url: str
    title: str | None
    source_id: int
    source: str
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True)
class QueueRow:
    """One flag: ``flagged`` repeats the earlier ``matched``."""

    id: int
    kind: str
    method: str
    score: float
    scores: dict[str, Any]
    created_at: datetime
    review_state: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    flagged: Side
    matched: Side


@dataclass(frozen=True)
class Page:
    """One page of the queue, with counts."""

    rows: list[QueueRow]
    total: int
    page: int
    per_page: int
    state_counts: dict[str, int] = field(default_factory=dict)
    kind_counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _joined(stmt: Select[*_Ts]) -> Select[*_Ts]:
    return (
        stmt.join(_para, DuplicateLink.paragraph_id == _para.id)
        .join(_art, _para.article_id == _art.id)
        .join(_other, DuplicateLink.matched_paragraph_id == _other.id)
        .join(_other_art, _other.article_id == _other_art.id)
    )


def _conditions(f: QueueFilter, *, with_state: bool = True) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.kind == "boilerplate":
        conds.append(
            or_(DuplicateLink.kind == "boilerplate", DuplicateLink.review_state == "boilerplate")
        )
    elif f.kind is not None:
        conds.append(DuplicateLink.kind.in_(KIND_GROUPS.get(f.kind, (f.kind,))))
    if f.source_id is not None:
        conds.append(or_(_art.source_id == f.source_id, _other_art.source_id == f.source_id))
    if f.date_from is not None:
        conds.append(DuplicateLink.created_at >= datetime.combine(f.date_from, time.min))
    if f.date_to is not None and f.date_to < date.max:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min)
        conds.append(DuplicateLink.created_at < end)
    if f.score_min is not None:
        conds.append(DuplicateLink.score >= f.score_min)
    if f.score_max is not None:
        conds.append(DuplicateLink.score <= f.score_max)
    if with_state and f.state is not None:
        conds.append(DuplicateLink.review_state == f.state)
    if f.q:
        conds.append(_text_condition(f.q))
    return conds


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_condition(q: str) -> ColumnElement[bool]:
    """Every word of ``q`` occurs in a paragraph of the pair or an article's title."""
    words = q.split()[:8]
    per_word = []
    for word in words:
        pattern = _like(word)
        per_word.append(
            or_(
                _para.text.ilike(pattern, escape="\\"),
                _other.text.ilike(pattern, escape="\\"),
                _art.title.ilike(pattern, escape="\\"),
                _other_art.title.ilike(pattern, escape="\\"),
            )
        )
    return and_(*per_word) if per_word else true()


def _order(stmt: Select[*_Ts], sort: str = "newest") -> Select[*_Ts]:
    if sort == "oldest":
        return stmt.order_by(DuplicateLink.created_at.asc(), DuplicateLink.id.asc())
    if sort == "score":
        return stmt.order_by(DuplicateLink.score.desc(), DuplicateLink.id.desc())
    return stmt.order_by(DuplicateLink.created_at.desc(), DuplicateLink.id.desc())


def queue_ids(session: Session, f: QueueFilter, limit: int = 10000) -> list[int]:
    """The ids of the flags matching ``f``, in queue order (newest first)."""
    stmt = _order(_joined(select(DuplicateLink.id)).where(*_conditions(f)), f.sort).limit(limit)
    return [int(i) for i in session.scalars(stmt)]


def count_queue(session: Session, f: QueueFilter) -> int:
    """How many flags match ``f``."""
    stmt = _joined(select(func.count(DuplicateLink.id))).where(*_conditions(f))
    return int(session.scalar(stmt) or 0)


def state_counts(session: Session, f: QueueFilter) -> dict[str, int]:
    """Per review state, how many flags match ``f`` ignoring its state."""
    stmt = (
        _joined(select(DuplicateLink.review_state, func.count(DuplicateLink.id)))
        .where(*_conditions(f, with_state=False))
        .group_by(DuplicateLink.review_state)
    )
    counts = {state: 0 for state in STATES}
    counts.update({str(s): int(n) for s, n in session.execute(stmt)})
    return counts


def kind_counts(session: Session, f: QueueFilter) -> dict[str, int]:
    """Per kind group, how many flags match ``f`` ignoring its kind."""
    base = QueueFilter(**{**f.__dict__, "kind": None})
    return {group: count_queue(session, _with_kind(base, group)) for group in KIND_GROUPS}


def _with_kind(f: QueueFilter, kind: str) -> QueueFilter:
    return QueueFilter(**{**f.__dict__, "kind": kind})


def queue_page(session: Session, f: QueueFilter, page: int = 1, per_page: int = 50) -> Page:
    """One page (1-based) of the flags matching ``f``, newest first, with counts."""
    page = max(1, page)
    total = count_queue(session, f)
    ids = _order(_joined(select(DuplicateLink.id)).where(*_conditions(f)), f.sort)
    ids = ids.limit(per_page).offset((page - 1) * per_page)
    wanted = [int(i) for i in session.scalars(ids)]
    rows = _rows(session, wanted)
    return Page(
        rows=rows,
        total=total,
        page=page,
        per_page=per_page,
        state_counts=state_counts(session, f),
        kind_counts=kind_counts(session, f),
    )


def get_row(session: Session, link_id: int) -> QueueRow | None:
    """One flag in full, or None."""
    rows = _rows(session, [link_id])
    return rows[0] if rows else None


def get_rows(session: Session, ids: list[int]) -> list[QueueRow]:
    """Several flags in full, in the order of ``ids`` (unknown ids left out)."""
    return _rows(session, ids)


def neighbours(session: Session, article_id: int, position: int) -> tuple[str | None, str | None]:
    """The texts of the paragraphs before and after ``position`` in an article."""
    rows = dict(
        session.execute(
            select(Paragraph.position, Paragraph.text).where(
                Paragraph.article_id == article_id,
                Paragraph.position.in_([position - 1, position + 1]),
            )
        ).all()
    )
    return rows.get(position - 1), rows.get(position + 1)


def _rows(session: Session, ids: list[int]) -> list[QueueRow]:
    if not ids:
        return []
    reviewer = aliased(User)
    stmt = (
        _joined(select(DuplicateLink, _para, _art, _src, _other, _other_art, _other_src, reviewer))
        .join(_src, _art.source_id == _src.id)
        .join(_other_src, _other_art.source_id == _other_src.id)
        .outerjoin(reviewer, DuplicateLink.reviewed_by == reviewer.id)
        .where(DuplicateLink.id.in_(ids))
    )
    by_id: dict[int, QueueRow] = {}
    for link, p, a, s, op, oa, os_, user in session.execute(stmt):
        by_id[link.id] = QueueRow(
            id=link.id,
            kind=link.kind,
            method=link.method,
            score=float(link.score),
            scores=dict(link.scores or {}),
            created_at=link.created_at,
            review_state=link.review_state,
            reviewed_by=user.name if user is not None else None,
            reviewed_at=link.reviewed_at,
            review_note=link.review_note,
            flagged=_side(p, a, s),
            matched=_side(op, oa, os_),
        )
    return [by_id[i] for i in ids if i in by_id]


def _side(p: Paragraph, a: Article, s: Source) -> Side:
    return Side(
        paragraph_id=p.id,
        position=p.position,
        text=p.text,
        norm_hash=p.norm_hash,
        article_id=a.id,
        url=a.url,
        title=a.title,
        source_id=s.id,
        source=s.name,
        published_at=a.published_at,
        first_seen_at=a.first_seen_at,
    )


def list_sources(session: Session) -> list[Source]:
    """Every source, by name (for the filter)."""
    return list(session.scalars(select(Source).order_by(Source.name)).all())


def _record(link: DuplicateLink) -> dict[str, Any]:
    """What a decision overwrites on ``link``: kept in the audit row, for undo."""
    return {
        "id": link.id,
        "state": link.review_state,
        "by": link.reviewed_by,
        "at": link.reviewed_at.isoformat() if link.reviewed_at else None,
        "note": link.review_note,
    }


def _set_state(
    session: Session,
    link: DuplicateLink,
    state: str,
    user_id: int | None,
    note: str | None,
    at: datetime | None,
    decided_by: int | None,
) -> None:
    """Put ``link`` into ``state``, keeping the suppressed pairs in step."""
    previous = link.review_state
    if state == "not_duplicate" or previous == "not_duplicate":
        hashes = _pair_hashes(session, link)
        if state == "not_duplicate":
            suppress_pair(session, hashes[0], hashes[1], decided_by)
        elif previous == "not_duplicate":
            _lift_suppression(session, hashes)
    link.review_state = state
    link.reviewed_by = user_id
    link.reviewed_at = at
    link.review_note = note


def decide(
    session: Session,
    link_id: int,
    state: str,
    user_id: int,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> DuplicateLink:
    """Record an editor's decision on one flag and append it to the audit log.

    ``not_duplicate`` also records the pair of paragraph texts as suppressed, so later
    crawls never flag it again; changing a ``not_duplicate`` decision lifts that.

    Args:
        session: the session (flushed, not committed).
        link_id: the duplicate link.
        state: ``duplicate``, ``not_duplicate``, ``boilerplate`` or ``pending``.
        user_id: the deciding editor.
        note: an optional note.
        details: extra audit details.

    Raises:
        ReviewError: unknown state or no such link.
    """
    _check_state(state)
    link = session.get(DuplicateLink, link_id)
    if link is None:
        raise ReviewError(f"no flagged pair with id {link_id}")
    note = (note or "").strip() or None
    before = _record(link)
    _set_state(session, link, state, user_id, note, utcnow(), user_id)
    append_audit(
        session,
        user_id=user_id,
        action=f"decide:{state}",
        target_type="duplicate_link",
        target_id=link.id,
        note=note,
        details={
            "previous": before["state"],
            "kind": link.kind,
            "score": link.score,
            "state": state,
            "count": 1,
            "links": [before],
            **(details or {}),
        },
    )
    session.flush()
    return link


def _check_state(state: str) -> None:
    if state not in STATES:
        raise ReviewError(f"unknown decision {state!r}: expected one of {', '.join(STATES)}")


def decide_links(
    session: Session,
    link_ids: list[int],
    state: str,
    user_id: int,
    note: str | None,
    *,
    action: str,
    target_type: str,
    target_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """One decision on several flags (a story, or selected stories): one audit row with
    the count and what each flag was before (so it can be undone).

    Raises:
        ReviewError: unknown state, no flags, too many, or an unknown flag.
    """
    _check_state(state)
    if not link_ids:
        raise ReviewError("no flagged pairs to decide")
    if len(link_ids) > BULK_MAX:
        raise ReviewError(f"at most {BULK_MAX} flagged pairs at once")
    links = session.scalars(select(DuplicateLink).where(DuplicateLink.id.in_(link_ids))).all()
    if len(links) != len(set(link_ids)):
        raise ReviewError("some of the flagged pairs no longer exist; reload the page")
    note = (note or "").strip() or None
    now = utcnow()
    records = []
    for link in sorted(links, key=lambda item: item.id):
        records.append(_record(link))
        _set_state(session, link, state, user_id, note, now, user_id)
    row = append_audit(
        session,
        user_id=user_id,
        action=f"{action}:{state}",
        target_type=target_type,
        target_id=target_id,
        note=note,
        details={"state": state, "count": len(records), "links": records, **(details or {})},
    )
    session.flush()
    return row


def _pair_hashes(session: Session, link: DuplicateLink) -> tuple[str, str]:
    rows = dict(
        session.execute(
            select(Paragraph.id, Paragraph.norm_hash).where(
                Paragraph.id.in_([link.paragraph_id, link.matched_paragraph_id])
            )
        ).all()
    )
    return ordered(rows[link.paragraph_id], rows[link.matched_paragraph_id])


def _lift_suppression(session: Session, hashes: tuple[str, str]) -> None:
    session.execute(
        delete(SuppressedPair).where(
            and_(SuppressedPair.hash_a == hashes[0], SuppressedPair.hash_b == hashes[1])
        )
    )


def decide_many(
    session: Session, f: QueueFilter, state: str, user_id: int, note: str | None = None
) -> int:
    """Apply one decision to every flag matching ``f`` (at most :data:`BULK_MAX`), with
    one audit row for the whole action.

    Returns:
        How many flags were decided.
    """
    ids = queue_ids(session, f, limit=BULK_MAX)
    if not ids:
        return 0
    decide_links(
        session,
        ids,
        state,
        user_id,
        note,
        action="bulk",
        target_type="filter",
        target_id=None,
        details={"filter": _filter_details(f)},
    )
    return len(ids)


@dataclass(frozen=True)
class Undoable:
    """A decision of one editor that can still be undone."""

    audit_id: int
    at: datetime
    action: str
    state: str
    count: int
    target_type: str
    target_id: int | None
    note: str | None
    details: dict[str, Any]


def _undone_ids(session: Session) -> Select[int | None]:
    return select(AuditLog.target_id).where(AuditLog.action == "undo")


def undoable(session: Session, user_id: int, limit: int = 5) -> list[Undoable]:
    """The editor's latest decisions that were not undone yet, newest first."""
    rows = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.user_id == user_id,
            or_(*[AuditLog.action.startswith(prefix) for prefix in UNDOABLE]),
            AuditLog.id.not_in(_undone_ids(session)),
        )
        .order_by(AuditLog.id.desc())
        .limit(limit * 3)
    ).all()
    found = []
    for row in rows:
        details = dict(row.details or {})
        if not isinstance(details.get("links"), list):
            continue  # recorded before undo existed
        found.append(
            Undoable(
                audit_id=row.id,
                at=row.at,
                action=row.action,
                state=str(details.get("state") or row.action.split(":", 1)[-1]),
                count=int(details.get("count") or len(details["links"])),
                target_type=row.target_type,
                target_id=row.target_id,
                note=row.note,
                details=details,
            )
        )
    return found[:limit]


def undo(session: Session, audit_id: int, user_id: int) -> AuditLog:
    """Undo one of the editor's own decisions: each flag it changed goes back to what it
    was, unless someone decided it again since (those are left and counted as skipped).
    Appends an ``undo`` audit row naming the undone row.

    Raises:
        ReviewError: no such decision of this editor, already undone, or not undoable.
    """
    row = session.get(AuditLog, audit_id)
    if row is None or row.user_id != user_id or not row.action.startswith(UNDOABLE):
        raise ReviewError(f"no decision of yours with audit id {audit_id}")
    done = session.scalars(
        select(AuditLog.id).where(AuditLog.action == "undo", AuditLog.target_id == audit_id)
    ).first()
    if done is not None:
        raise ReviewError(f"decision {audit_id} was already undone")
    details = dict(row.details or {})
    records = details.get("links")
    if not isinstance(records, list):
        raise ReviewError(f"decision {audit_id} was recorded before undo existed")
    state = str(details.get("state") or row.action.split(":", 1)[-1])
    ids = [int(r["id"]) for r in records]
    links = {
        link.id: link
        for link in session.scalars(select(DuplicateLink).where(DuplicateLink.id.in_(ids)))
    }
    restored, skipped = [], []
    for record in records:
        link = links.get(int(record["id"]))
        if link is None or link.review_state != state or link.reviewed_by != user_id:
            skipped.append(int(record["id"]))
            continue
        at = datetime.fromisoformat(record["at"]) if record.get("at") else None
        before = _record(link)
        _set_state(
            session, link, str(record["state"]), record.get("by"), record.get("note"), at, user_id
        )
        restored.append(before)
    entry = append_audit(
        session,
        user_id=user_id,
        action="undo",
        target_type="audit_log",
        target_id=audit_id,
        details={
            "undone_action": row.action,
            "count": len(restored),
            "skipped": skipped,
            "links": restored,
        },
    )
    session.flush()
    return entry


def _filter_details(f: QueueFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in f.__dict__.items()}


@dataclass(frozen=True)
class MemberView:
    """A cluster member for the side-by-side page."""

    article_id: int
    source: str
    url: str
    title: str | None
    share_matched: float
    is_original: bool
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True)
class ClusterDetail:
    """A syndication cluster with every copy and the chosen original."""

    id: int
    original_article_id: int | None
    original_reason: str | None
    chosen_by: str | None
    members: list[MemberView]


def cluster_for_articles(session: Session, article_ids: list[int]) -> ClusterDetail | None:
    """The cluster holding any of ``article_ids`` (first found), in full; None if none."""
    member = session.scalars(
        select(ClusterMember).where(ClusterMember.article_id.in_(article_ids)).limit(1)
    ).first()
    return None if member is None else cluster_detail(session, member.cluster_id)


def cluster_detail(session: Session, cluster_id: int) -> ClusterDetail | None:
    """One cluster in full, or None."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        return None
    rows = session.execute(
        select(ClusterMember, Article, Source)
        .join(Article, ClusterMember.article_id == Article.id)
        .join(Source, Article.source_id == Source.id)
        .where(ClusterMember.cluster_id == cluster_id)
        .order_by(Article.first_seen_at, Article.id)
    )
    members = [
        MemberView(
            a.id,
            s.name,
            a.url,
            a.title,
            m.share_matched,
            m.is_original,
            a.published_at,
            a.first_seen_at,
        )
        for m, a, s in rows
    ]
    chooser = session.get(User, cluster.original_chosen_by) if cluster.original_chosen_by else None
    return ClusterDetail(
        id=cluster.id,
        original_article_id=cluster.original_article_id,
        original_reason=cluster.original_reason,
        chosen_by=chooser.name if chooser is not None else None,
        members=members,
    )


def choose_original(
    session: Session, cluster_id: int, article_id: int, user: User, note: str | None = None
) -> Cluster:
    """An editor chooses the cluster's original; automatic choice will not override it.

    Raises:
        ReviewError: no such cluster, or the article is not one of its members.
    """
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise ReviewError(f"no cluster with id {cluster_id}")
    if article_id not in {m.article_id for m in cluster.members}:
        raise ReviewError(f"article {article_id} is not a member of cluster {cluster_id}")
    note = (note or "").strip() or None
    previous = cluster.original_article_id
    reason = f"chosen by editor {user.name}" + (f": {note}" if note else "")
    set_original(session, cluster, article_id, reason, rule="editor", chosen_by=user.id)
    cluster.original_chosen_by = user.id
    append_audit(
        session,
        user_id=user.id,
        action="choose_original",
        target_type="cluster",
        target_id=cluster.id,
        note=note,
        details={"previous_original": previous, "original": article_id},
    )
    session.flush()
    return cluster


@dataclass(frozen=True)
class DailyCounts:
    """Flags per source per day over a window of days (oldest first)."""

    days: list[date]
    by_source: dict[str, list[int]]


def daily_counts(session: Session, days: int = 30) -> DailyCounts:
    """Flags per source of the flagged paragraph per UTC day, over the ``days`` days that
    end on the day of the newest flag."""
    newest = session.scalar(select(func.max(DuplicateLink.created_at)))
    if newest is None:
        return DailyCounts(days=[], by_source={})
    last = newest.date()
    first = last - timedelta(days=days - 1)
    window = [first + timedelta(days=i) for i in range(days)]
    rows = session.execute(
        select(DuplicateLink.created_at, Source.name)
        .join(Paragraph, DuplicateLink.paragraph_id == Paragraph.id)
        .join(Article, Paragraph.article_id == Article.id)
        .join(Source, Article.source_id == Source.id)
        .where(DuplicateLink.created_at >= datetime.combine(first, time.min))
    )
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for created, name in rows:
        counts[name][created.date()] += 1
    return DailyCounts(
        days=window,
        by_source={name: [c[d] for d in window] for name, c in sorted(counts.items())},
    )


def republish_edges(session: Session) -> dict[tuple[str, str], int]:
    """Who republishes whom: (copy's source, original's source) -> number of copies,
    over every cluster with a chosen original."""
    orig_art, orig_src = aliased(Article), aliased(Source)
    rows = session.execute(
        select(Source.name, orig_src.name)
        .select_from(ClusterMember)
        .join(Cluster, ClusterMember.cluster_id == Cluster.id)
        .join(Article, ClusterMember.article_id == Article.id)
        .join(Source, Article.source_id == Source.id)
        .join(orig_art, Cluster.original_article_id == orig_art.id)
        .join(orig_src, orig_art.source_id == orig_src.id)
        .where(ClusterMember.article_id != Cluster.original_article_id)
    )
    return dict(Counter((copy, original) for copy, original in rows))


@dataclass(frozen=True)
class ArticleText:
    """An article with its paragraphs, for the whole-article comparison."""

    id: int
    title: str | None
    url: str
    source: str
    published_at: datetime | None
    paragraphs: list[tuple[int, int, str]]  # (paragraph id, position, text)


def article_text(session: Session, article_id: int) -> ArticleText | None:
    """One article with its paragraphs in order, or None."""
    row = session.execute(
        select(Article, Source)
        .join(Source, Article.source_id == Source.id)
        .where(Article.id == article_id)
    ).one_or_none()
    if row is None:
        return None
    article, source = row
    paragraphs = session.execute(
        select(Paragraph.id, Paragraph.position, Paragraph.text)
        .where(Paragraph.article_id == article_id)
        .order_by(Paragraph.position)
    ).all()
    return ArticleText(
        id=article.id,
        title=article.title,
        url=article.url,
        source=source.name,
        published_at=article.published_at,
        paragraphs=[(int(i), int(p), str(t)) for i, p, t in paragraphs],
    )


def links_between(session: Session, left: ArticleText, right: ArticleText) -> dict[int, int]:
    """Flags joining a paragraph of ``left`` to one of ``right``, both ways, as
    paragraph id -> partner paragraph id (the first flag of each paragraph wins)."""
    left_ids = [p[0] for p in left.paragraphs]
    right_ids = [p[0] for p in right.paragraphs]
    if not left_ids or not right_ids:
        return {}
    rows = session.execute(
        select(DuplicateLink.paragraph_id, DuplicateLink.matched_paragraph_id)
        .where(
            or_(
                and_(
                    DuplicateLink.paragraph_id.in_(left_ids),
                    DuplicateLink.matched_paragraph_id.in_(right_ids),
                ),
                and_(
                    DuplicateLink.paragraph_id.in_(right_ids),
                    DuplicateLink.matched_paragraph_id.in_(left_ids),
                ),
            )
        )
        .order_by(DuplicateLink.id)
    ).all()
    partners: dict[int, int] = {}
    for a, b in rows:
        partners.setdefault(int(a), int(b))
        partners.setdefault(int(b), int(a))
    return partners
