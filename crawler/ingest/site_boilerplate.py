"""Site boilerplate learned from the crawl itself.

A paragraph that recurs, exactly or nearly, on many pages of one source is that site's
boilerplate or a teaser it places everywhere, not syndication (syndication repeats a story
across sites). Evidence comes from the dedup matches the ingest layer already computes: a
paragraph of a new article that matches a stored paragraph of the *same* source counts as
one more page for the stored paragraph's hash. Once a hash is on enough pages
(:func:`crawler.extract.boilerplate.boilerplate_hashes`), it is removed from new bodies,
its flags get kind ``boilerplate``, and the source's articles stored before (its first
pages) are cleaned of it at once, inside the same crawl (:meth:`SiteBoilerplate.reclean`).
``newsdedup reextract --source S`` re-extracts every stored page of a source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.extract.boilerplate import (
    DEFAULT_MIN_PAGES,
    DEFAULT_MIN_SHARE,
    boilerplate_hashes,
    remove_boilerplate,
)
from crawler.extract.model import Block, RemovedBlock
from storage.models import Article, Paragraph
from storage.repo import boilerplate as repo_bp
from storage.repo.versions import keep_version


class SiteBoilerplate:
    """Learns and applies each source's boilerplate, keeping the evidence in SQL.

    Args:
        min_pages: a paragraph must recur on at least this many pages of the source.
        min_share: ... and on at least this share of the source's stored articles.
        record: count new evidence (False: only apply what is stored, as
            ``newsdedup dedup recheck`` does, so that running it again changes nothing).
    """

    def __init__(
        self,
        min_pages: int = DEFAULT_MIN_PAGES,
        min_share: float = DEFAULT_MIN_SHARE,
        *,
        record: bool = True,
    ) -> None:
        self.min_pages = min_pages
        self.min_share = min_share
        self.record = record
        # per source: evidence (hash -> pages) and stored article count, while caching
        self._evidence: dict[int, dict[str, int]] | None = None
        self._articles: dict[int, int] = {}

    def start_cache(self) -> None:
        """Keep what :meth:`active` reads in memory from now on, updated by this object's
        own writes (:meth:`observe`, :meth:`article_added`): for one transaction whose
        writer is the only one (the crawl writer's batch, under the write lock). Starting
        again drops what was kept (a page rolled back, a new transaction)."""
        self._evidence = {}
        self._articles = {}

    @property
    def caching(self) -> bool:
        return self._evidence is not None

    def forget(self) -> None:
        """Stop caching: every :meth:`active` reads the database again."""
        self._evidence = None
        self._articles = {}

    def article_added(self, source_id: int) -> None:
        """An article of the source was inserted in the current transaction."""
        if source_id in self._articles:
            self._articles[source_id] += 1

    def active(self, session: Session, source_id: int) -> set[str]:
        """The source's boilerplate hashes, as of the evidence stored now."""
        if self._evidence is None:
            evidence = repo_bp.site_evidence(session, source_id)
        elif source_id in self._evidence:
            evidence = self._evidence[source_id]
        else:
            evidence = repo_bp.site_evidence(session, source_id)
            self._evidence[source_id] = evidence
        if not evidence:
            return set()
        total = self._articles.get(source_id)
        if total is None:
            total = repo_bp.source_article_count(session, source_id)
            if self._evidence is not None:
                self._articles[source_id] = total
        return boilerplate_hashes(
            evidence,
            total_pages=max(total, 1),
            min_pages=self.min_pages,
            min_share=self.min_share,
        )

    def clean(
        self,
        session: Session,
        source_id: int,
        blocks: Sequence[Block],
        hash_text: Callable[[str], str],
    ) -> tuple[list[Block], list[RemovedBlock]]:
        """Remove the source's known boilerplate from an article body."""
        known = self.active(session, source_id)
        if not known:
            return list(blocks), []
        return remove_boilerplate(blocks, known, hash_text)

    def observe(
        self,
        session: Session,
        source_id: int,
        repeats: Mapping[int, tuple[str, str]],
        matched_sources: Mapping[int, int],
    ) -> set[str]:
        """Count the same-source repeats of one new article as evidence.

        Args:
            repeats: stored paragraph id -> (its norm_hash, its text), for each stored
                paragraph that a paragraph of the new article repeats (exactly or nearly).
            matched_sources: stored paragraph id -> its source id.

        Returns:
            The hashes (of stored paragraphs) that are boilerplate of the source after
            counting this article.
        """
        texts: dict[str, str] = {}
        for paragraph_id, (digest, text) in repeats.items():
            if matched_sources.get(paragraph_id) == source_id and digest not in texts:
                texts[digest] = text
        if not texts:
            return set()
        if self.record:
            grown = repo_bp.record_occurrences(session, source_id, texts, pages=2)
            if self._evidence is not None and source_id in self._evidence:
                self._evidence[source_id].update(grown)
        return self.active(session, source_id) & set(texts)

    def reclean(
        self, session: Session, source_id: int, hashes: set[str], skip: int | None = None
    ) -> set[int]:
        """Remove the source's boilerplate from its articles stored before it was learned
        (its first pages), inside the crawl that learned it.

        Each such article loses the boilerplate paragraphs (with their signatures and
        flags) and becomes a new version (the old one kept in article_versions); its other
        paragraphs keep their ids, signatures and flags.

        Args:
            hashes: boilerplate hashes of the source (from :meth:`observe`).
            skip: an article to leave as it is (the one being stored).

        Returns:
            The ids of the paragraphs removed (to leave out of the dedup index).
        """
        if not hashes:
            return set()
        query = (
            select(Article)
            .join(Paragraph, Paragraph.article_id == Article.id)
            .where(Article.source_id == source_id, Paragraph.norm_hash.in_(sorted(hashes)))
            .distinct()
            .order_by(Article.id)
        )
        removed: set[int] = set()
        for article in session.scalars(query).all():
            if article.id == skip:
                continue
            gone = [p for p in article.paragraphs if p.norm_hash in hashes]
            if not gone:
                continue
            keep_version(session, article)
            for paragraph in gone:
                removed.add(paragraph.id)
                article.paragraphs.remove(paragraph)
            article.text = "\n".join(p.text for p in article.paragraphs)
            article.text_sha256 = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
            article.version = (article.version or 1) + 1
            session.flush()
        return removed
