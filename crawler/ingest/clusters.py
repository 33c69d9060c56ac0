"""Clusters at ingest: join a new or changed article to the clusters it verifiably copies,
and choose each touched cluster's original again from its members' evidence.

The decisions are the pure functions of :mod:`crawler.dedup.clusters`; this module reads
and writes the rows (:mod:`storage.repo.clusters`). The caller owns the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from crawler.dedup import EXACT_CROSS, NEAR_CROSS, Match
from crawler.dedup.clusters import (
    ArticleEvidence,
    OriginalChoice,
    choose_original,
    copy_targets,
    matched_paragraphs,
    overlaps_from_matches,
)
from crawler.dedup.within import DEDUP_KINDS
from storage.models import Article, Cluster
from storage.repo import clusters as repo_clusters
from storage.repo.flags import article_ids_of_paragraphs, paragraph_counts


def update_clusters(
    session: Session,
    article_id: int,
    matches: Sequence[Match],
    paragraphs: int,
    *,
    new: bool = False,
    article_of: Mapping[int, int] | None = None,
) -> Cluster | None:
    """Join article ``article_id`` to every cluster (or unclustered article) it verifiably
    copies, merging them into one, and choose the cluster's original again.

    An article already in a cluster has its cluster revisited even when it matched
    nothing new (its text, date or credit line may have changed).

    Args:
        session: the ingest session (not committed here).
        article_id: the stored article, new or changed.
        matches: the engine's matches for its dedup paragraphs (after suppression).
        paragraphs: how many of its paragraphs take part in dedup.
        new: the article was inserted in this transaction (so it is in no cluster yet).
        article_of: paragraph id -> article id, for (at least) the cross matches'
            paragraphs when the caller knows them (else they are read).

    Returns:
        the article's cluster, or None when it is in none.
    """
    cross = [m for m in matches if m.kind in (EXACT_CROSS, NEAR_CROSS)]
    own = None if new else repo_clusters.cluster_of(session, article_id)
    targets = []
    if cross:
        wanted = sorted({m.other for m in cross})
        if article_of is None or any(pid not in article_of for pid in wanted):
            article_of = article_ids_of_paragraphs(session, wanted)
        else:
            article_of = {pid: article_of[pid] for pid in wanted}
        stored = paragraph_counts(session, sorted(set(article_of.values())), DEDUP_KINDS)
        overlaps = overlaps_from_matches(cross, article_of, paragraphs, stored)
        cluster_of = repo_clusters.cluster_ids_of(session, [o.article for o in overlaps])
        targets = copy_targets(overlaps, cluster_of, matched_paragraphs(cross, article_of))
    if not targets and own is None:
        return None
    if targets:
        cluster = repo_clusters.gather_cluster(
            session,
            article_id,
            max(t.share for t in targets),
            clusters=[t.cluster for t in targets if t.cluster is not None],
            articles={t.articles[0]: t.share for t in targets if t.cluster is None},
        )
    else:
        assert own is not None
        cluster = own
    revisit(session, cluster)
    return cluster


def revisit(session: Session, cluster: Cluster) -> OriginalChoice | None:
    """Choose the cluster's original again from all its members; an editor's choice is
    kept. Returns the automatic choice, or None when an editor chose."""
    if cluster.original_chosen_by is not None:
        return None
    members = repo_clusters.cluster_articles(session, cluster)
    if not members:
        return None
    choice = choose_original([evidence(a) for a in members])
    repo_clusters.set_original(session, cluster, choice.article, choice.reason, rule=choice.rule)
    return choice


def evidence(article: Article) -> ArticleEvidence:
    """What an article tells about who published first."""
    return ArticleEvidence(
        article=article.id,
        url=article.url,
        first_seen=article.first_seen_at,
        site=article.site_name or (article.source.name if article.source else ""),
        canonical_url=article.canonical_url,
        credit_text=article.credit,
        credit_url=article.credit_url,
        published=article.published_at,
        text=article.text,
    )
