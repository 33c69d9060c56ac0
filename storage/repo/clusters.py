"""Syndication clusters: verified groups of copies of one story and the chosen original."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Cluster, ClusterMember, Source, utcnow


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


def set_original(session: Session, cluster: Cluster, article_id: int, reason: str) -> None:
    """Record the chosen original of a cluster and why (no change when already so)."""
    if (
        cluster.original_article_id == article_id
        and cluster.original_reason == reason
        and all(m.is_original == (m.article_id == article_id) for m in cluster.members)
    ):
        return
    cluster.original_article_id = article_id
    cluster.original_reason = reason
    cluster.updated_at = utcnow()
    for member in cluster.members:
        member.is_original = member.article_id == article_id
    session.flush()


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
