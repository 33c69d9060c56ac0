"""Syndication clusters: verified groups of copies of one story and the chosen original."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import (
    Article,
    Cluster,
    ClusterMember,
    ClusterOriginalChange,
    Source,
    utcnow,
)

#: ``ClusterOriginalChange.rule`` of the row written when two clusters became one.
MERGED = "merged"


def cluster_of(session: Session, article_id: int) -> Cluster | None:
    """The cluster the article belongs to, if any."""
    member = session.get(ClusterMember, article_id)
    return member.cluster if member is not None else None


def join_cluster(
    session: Session, article_id: int, copy_of: int, share_matched: float, copy_of_share: float
) -> Cluster:
    """Put ``article_id`` in the cluster of ``copy_of`` (verified against it), creating the
    cluster when ``copy_of`` has none. An article already in another cluster stays there."""
    own = cluster_of(session, article_id)
    if own is not None:
        return own
    cluster = cluster_of(session, copy_of)
    if cluster is None:
        cluster = Cluster()
        session.add(cluster)
        session.flush()
        session.add(
            ClusterMember(article_id=copy_of, cluster_id=cluster.id, share_matched=copy_of_share)
        )
    session.add(
        ClusterMember(article_id=article_id, cluster_id=cluster.id, share_matched=share_matched)
    )
    cluster.updated_at = utcnow()
    session.flush()
    session.refresh(cluster)
    return cluster


def cluster_ids_of(session: Session, article_ids: Sequence[int]) -> dict[int, int]:
    """Article id -> cluster id, for those of ``article_ids`` that are in a cluster."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(ClusterMember.article_id, ClusterMember.cluster_id).where(
            ClusterMember.article_id.in_(sorted(set(article_ids)))
        )
    )
    return {int(a): int(c) for a, c in rows}


def gather_cluster(
    session: Session,
    article_id: int,
    share_matched: float,
    clusters: Sequence[int] = (),
    articles: Mapping[int, float] | None = None,
) -> Cluster:
    """Put ``article_id``, the unclustered ``articles`` (id -> share matched) and every
    member of ``clusters`` into one cluster, and return it.

    The article's own cluster, if it has one, takes part. The cluster kept is the one
    whose original an editor chose, else the oldest; the others are merged into it (their
    members and history move, and a ``merged`` history row records each one's original).
    Two clusters whose originals editors chose are never merged: the article joins the
    first and the other stays as it is, so no editor's choice is overridden.
    """
    own = cluster_of(session, article_id)
    ids = sorted({*clusters, *([own.id] if own is not None else [])})
    found = [c for c in (session.get(Cluster, i) for i in ids) if c is not None]
    by_editor = [c for c in found if c.original_chosen_by is not None]
    if by_editor:
        keep = own if own is not None and own.original_chosen_by is not None else by_editor[0]
        merge = [c for c in found if c.original_chosen_by is None]
    elif found:
        keep, merge = found[0], found[1:]
    else:
        keep, merge = Cluster(), []
        session.add(keep)
        session.flush()
    changed = False
    for other in merge:
        if other.id != keep.id:
            _merge_into(session, keep, other)
            changed = True
    if own is None:
        session.add(
            ClusterMember(article_id=article_id, cluster_id=keep.id, share_matched=share_matched)
        )
        changed = True
    taken = cluster_ids_of(session, sorted(articles or {}))
    for other_id, share in sorted((articles or {}).items()):
        if other_id not in taken and other_id != article_id:
            session.add(ClusterMember(article_id=other_id, cluster_id=keep.id, share_matched=share))
            changed = True
    if changed:  # a cluster whose members did not change is left as it was
        keep.updated_at = utcnow()
    session.flush()
    session.refresh(keep)
    return keep


def _merge_into(session: Session, keep: Cluster, other: Cluster) -> None:
    session.add(
        ClusterOriginalChange(
            cluster_id=other.id,
            article_id=keep.original_article_id,
            previous_article_id=other.original_article_id,
            reason=f"cluster {other.id} merged into cluster {keep.id}",
            previous_reason=other.original_reason,
            rule=MERGED,
        )
    )
    session.flush()
    session.execute(
        update(ClusterOriginalChange)
        .where(ClusterOriginalChange.cluster_id == other.id)
        .values(cluster_id=keep.id)
    )
    for member in list(other.members):
        member.cluster = keep
        member.is_original = False
    session.flush()
    session.delete(other)
    session.flush()


def set_original(
    session: Session,
    cluster: Cluster,
    article_id: int,
    reason: str,
    rule: str = "automatic",
    chosen_by: int | None = None,
) -> bool:
    """Record the chosen original of a cluster and why. A change of the original (the
    first choice included) also appends a :class:`ClusterOriginalChange` row with the
    earlier choice; the same original with a new reason only updates the reason.

    Returns:
        whether the original changed.
    """
    previous, previous_reason = cluster.original_article_id, cluster.original_reason
    changed = previous != article_id
    if changed:
        session.add(
            ClusterOriginalChange(
                cluster_id=cluster.id,
                article_id=article_id,
                previous_article_id=previous,
                reason=reason,
                previous_reason=previous_reason,
                rule=rule,
                chosen_by=chosen_by,
            )
        )
    cluster.original_article_id = article_id
    cluster.original_reason = reason
    if changed or previous_reason != reason:
        cluster.updated_at = utcnow()
    for member in cluster.members:
        member.is_original = member.article_id == article_id
    session.flush()
    return changed


def original_changes(session: Session, cluster_id: int) -> list[ClusterOriginalChange]:
    """A cluster's history of originals, oldest first."""
    return list(
        session.scalars(
            select(ClusterOriginalChange)
            .where(ClusterOriginalChange.cluster_id == cluster_id)
            .order_by(ClusterOriginalChange.id)
        )
    )


def cluster_articles(session: Session, cluster: Cluster) -> list[Article]:
    """The member articles of a cluster, oldest first."""
    ids = [m.article_id for m in cluster.members]
    return list(
        session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)).all()
    )


@dataclass(frozen=True)
class ClusterMemberView:
    article_id: int
    source: str
    url: str
    title: str | None
    share_matched: float
    is_original: bool


@dataclass(frozen=True)
class ClusterView:
    id: int
    original_article_id: int | None
    original_reason: str | None
    members: list[ClusterMemberView]


def list_clusters(session: Session, limit: int = 100) -> list[ClusterView]:
    """Clusters, newest first, with their members."""
    views = []
    for cluster in session.scalars(
        select(Cluster).order_by(Cluster.updated_at.desc(), Cluster.id.desc()).limit(limit)
    ):
        rows = session.execute(
            select(ClusterMember, Article, Source)
            .join(Article, ClusterMember.article_id == Article.id)
            .join(Source, Article.source_id == Source.id)
            .where(ClusterMember.cluster_id == cluster.id)
            .order_by(Article.id)
        )
        members = [
            ClusterMemberView(a.id, s.name, a.url, a.title, m.share_matched, m.is_original)
            for m, a, s in rows
        ]
        views.append(
            ClusterView(cluster.id, cluster.original_article_id, cluster.original_reason, members)
        )
    return views
