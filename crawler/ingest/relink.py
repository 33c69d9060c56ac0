"""Link the copies a past bug left unlinked: ``newsdedup dedup recheck``.

Until one crawl service shared one dedup index, crawls running at the same time each
checked new articles only against the index they had loaded at start, so an article and
its copy stored by two of them were never linked, and a later crawl does not repair it
(the text is unchanged, so it is not deduplicated again). This pass re-runs dedup over
the stored articles without fetching or extracting anything:

- a fresh, empty index; the stored articles in the order a crawl stored them (first
  seen, then id); each one is checked against the index (the ingestor's own dedup:
  :meth:`crawler.ingest.ingestor.Ingestor.relink`), then its paragraphs are added to it.
  So each article is checked against exactly the articles stored before it, as one
  crawl with one index would have done, and gets the links and cluster memberships
  that crawl would have given it;
- what is stored already stays: a pair already linked is not linked again, an editor's
  choice of original is kept, pairs judged "not a duplicate" stay out, and site
  boilerplate evidence is applied but not counted again. So a second run changes
  nothing;
- writing transactions of :data:`BATCH` articles each (:func:`storage.db.write_session`);
  ``dry_run`` rolls every batch back and only reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from crawler.dedup import DedupParams
from crawler.ingest.ingestor import Ingestor
from crawler.ingest.recheck import recheck_from_settings
from crawler.ingest.site_boilerplate import SiteBoilerplate
from storage import repository as repo
from storage.db import retrying, write_session
from storage.models import Article, ClusterMember, DuplicateLink, Paragraph

#: Articles per writing transaction.
BATCH = 50


@dataclass(frozen=True)
class NewLinks:
    """Links added (or, in a dry run, that would be) from one article to an earlier one."""

    article_id: int
    url: str
    matched_article_id: int
    matched_url: str
    kind: str
    paragraphs: int


@dataclass
class RelinkReport:
    """What a recheck did (or would do)."""

    articles: int = 0
    links: dict[str, int] = field(default_factory=dict)
    cluster_joins: int = 0
    pairs: list[NewLinks] = field(default_factory=list)


def recheck_links(
    factory: sessionmaker[Session],
    *,
    dry_run: bool = False,
    params: DedupParams | None = None,
    batch: int = BATCH,
    on_pair: Callable[[NewLinks], None] | None = None,
) -> RelinkReport:
    """Re-run cross-article dedup over every stored article (see the module).

    Args:
        factory: the database's session factory.
        dry_run: roll back instead of committing; only report.
        params: the dedup parameters (default: the crawl's).
        batch: articles per transaction.
        on_pair: called with each article pair as its links are found.
    """
    params = params or DedupParams()
    params_id = retrying(
        factory,
        lambda s: repo.get_or_create_params(s, params.fingerprint(), params.to_dict()).id,
    )
    ingestor = Ingestor(factory, params, params_id, recheck_from_settings())  # empty index
    ingestor.boilerplate = SiteBoilerplate(record=False)
    with factory() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.first_seen_at, Article.id)))
    report = RelinkReport()
    for start in range(0, len(ids), batch):
        with write_session(factory) as session:
            last_link = session.scalar(select(func.max(DuplicateLink.id))) or 0
            members = _members(session)
            for article_id in ids[start : start + batch]:
                article = session.get(Article, article_id)
                if article is None:  # deleted meanwhile
                    continue
                outcome = ingestor.relink(session, article)
                report.articles += 1
                for kind, n in outcome.duplicates.items():
                    report.links[kind] = report.links.get(kind, 0) + n
            session.flush()
            for pair in _links_after(session, last_link):
                report.pairs.append(pair)
                if on_pair is not None:
                    on_pair(pair)
            report.cluster_joins += _members(session) - members
            if dry_run:
                session.rollback()
    return report


def _members(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ClusterMember)) or 0)


def _links_after(session: Session, last_link: int) -> list[NewLinks]:
    """The links with an id above ``last_link``, by article pair and kind."""
    this, other = aliased(Paragraph), aliased(Paragraph)
    this_article, other_article = aliased(Article), aliased(Article)
    rows = session.execute(
        select(
            this_article.id,
            this_article.url,
            other_article.id,
            other_article.url,
            DuplicateLink.kind,
            func.count(),
        )
        .join(this, DuplicateLink.paragraph_id == this.id)
        .join(this_article, this.article_id == this_article.id)
        .join(other, DuplicateLink.matched_paragraph_id == other.id)
        .join(other_article, other.article_id == other_article.id)
        .where(DuplicateLink.id > last_link)
        .group_by(
            this_article.id,
            this_article.url,
            other_article.id,
            other_article.url,
            DuplicateLink.kind,
        )
        .order_by(this_article.id, other_article.id, DuplicateLink.kind)
    )
    return [NewLinks(a, u, b, v, kind, int(n)) for a, u, b, v, kind, n in rows]
