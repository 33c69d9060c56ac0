"""Ingest one fetched page: extract, deduplicate, store.

This is the one place where extraction, dedup and storage meet. It takes a session
factory (the caller owns the engine and the session lifecycle) and knows nothing of
Scrapy: the pipeline and ``newsdedup reextract`` both call it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from crawler.dedup import (
    EXACT_CROSS,
    NEAR_CROSS,
    DedupEngine,
    DedupParams,
    Match,
    Signature,
    norm_hash,
)
from crawler.dedup.within import DEDUP_KINDS, Recheck
from crawler.extract import extract
from crawler.extract.model import Extraction
from crawler.fetch.incremental import NotModified
from crawler.ingest.clusters import update_clusters
from crawler.ingest.index_snapshot import load_index, save_index
from crawler.ingest.recheck import recheck_from_settings
from crawler.ingest.site_boilerplate import SiteBoilerplate
from crawler.items import FetchedPage
from storage import repository as repo
from storage.models import Article, CrawlRun, Page, utcnow
from storage.repo import bulk as repo_bulk
from storage.repo.bulk import BodyParagraph, StoredArticle
from storage.repo.incremental import mark_seen
from storage.repo.suppressed import ordered, suppressed_among

log = logging.getLogger(__name__)

BOILERPLATE = "boilerplate"

# Block kinds that take part in dedup; headings are too short and too generic.
REBUILD_BATCH = 2000

#: What dedup needs of a stored paragraph: (norm_hash, article id, source id).
Fact = tuple[str, int, int]


@dataclass
class IngestOutcome:
    """What ingesting one page did."""

    url: str
    extraction_status: str
    reason: str | None = None
    article_id: int | None = None
    article_status: str | None = None  # new | updated | unchanged
    paragraphs: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)


def parse_when(value: str | None) -> datetime | None:
    """An ISO date or datetime from extraction as naive UTC; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def extract_fetched(page: FetchedPage) -> Extraction:
    """Extract a fetched page: its body, at the URL it ended at, by its content type."""
    return extract(
        page.body, url=page.final_url or page.url, content_type=page.headers.get("content-type")
    )


def article_fields(extraction: Extraction) -> repo.ArticleFields:
    return repo.ArticleFields(
        canonical_url=extraction.canonical_url,
        title=extraction.title,
        authors=list(extraction.authors),
        published_at=parse_when(extraction.published),
        updated_at=parse_when(extraction.updated),
        language=extraction.language,
        site_name=extraction.site_name,
        credit=extraction.credit,
        credit_url=extraction.credit_url,
    )


class Ingestor:
    """Extract, dedup and store pages into one database, with one in-memory paragraph index.

    Build it with :meth:`open`, which (re)builds stored signatures for the current dedup
    parameters and loads them into the index.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        params: DedupParams,
        params_id: int,
        recheck: Recheck | None = None,
    ) -> None:
        self._factory = session_factory
        self._session: Session | None = None
        self.params = params
        self.params_id = params_id
        self.engine = DedupEngine(params, lookup=self._lookup, recheck=recheck)
        self.boilerplate = SiteBoilerplate()
        #: the highest paragraph id in the index (see :meth:`refresh`)
        self.watermark = 0
        # run counts of the pages stored in this session, applied when it commits
        self._tally: dict[int, dict[tuple[str, str | None], int]] = {}
        self._tally_session: Session | None = None
        self._held: tuple[Session, int | None, list[tuple[str, str | None, int]]] | None = None
        #: the index snapshot file (see :meth:`open`)
        self.snapshot: Path | None = None
        self._saved: tuple[int, int] | None = None  # (paragraphs, watermark) of the file

    @classmethod
    def open(
        cls,
        session_factory: sessionmaker[Session],
        params: DedupParams | None = None,
        recheck: Recheck | None = None,
        snapshot: Path | None = None,
    ) -> Ingestor:
        """Build the ingestor; ``recheck`` defaults to what ``NEWSDEDUP_EMBEDDINGS`` (the
        environment) asks for: a crawl passes the one its Scrapy settings ask for.
        ``snapshot``: the index snapshot file to start from and to write with
        :meth:`save_snapshot` (:mod:`crawler.ingest.index_snapshot`); None: SQL only."""
        params = params or DedupParams()
        with session_factory() as session:
            row = repo.get_or_create_params(session, params.fingerprint(), params.to_dict())
            session.commit()
            params_id = row.id
        if recheck is None:
            recheck = recheck_from_settings()
        ingestor = cls(session_factory, params, params_id, recheck)
        ingestor._rebuild_signatures()
        ingestor.snapshot = snapshot
        with session_factory() as session:
            how = load_index(ingestor.engine, session, params_id, snapshot)
        ingestor.watermark = how.watermark
        log.info(
            "dedup index loaded: %d paragraphs in %.1fs (%s, %d rows from SQL; params %s)",
            how.paragraphs,
            how.seconds,
            how.source,
            how.from_sql,
            params.fingerprint()[:12],
        )
        if snapshot is not None:
            if how.source in ("rebuilt", "reconciled"):
                ingestor.save_snapshot()
            elif how.from_sql == 0:
                ingestor._saved = (len(ingestor.engine), ingestor.watermark)
        return ingestor

    def save_snapshot(self, *, force: bool = False) -> bool:
        """Write the index snapshot (when one is configured), unless nothing was indexed
        since it was last written or read (``force``: write anyway). False when not
        written (no snapshot configured, or a warning said why)."""
        if self.snapshot is None:
            return False
        state = (len(self.engine), self.watermark)
        if state == self._saved and not force:
            return True
        with self._factory() as session:
            done = save_index(self.engine, session, self.params_id, self.watermark, self.snapshot)
        if done:
            self._saved = (len(self.engine), self.watermark)
        return done

    def _load(self, session: Session, after: int | None) -> int:
        top = after or 0

        def rows() -> Iterator[tuple[int, int, int, str, bytes | None]]:
            nonlocal top
            for row in repo.iter_signatures(session, self.params_id, after=after):
                top = max(top, row[0])
                yield row

        loaded = self.engine.load(rows())
        self.watermark = max(self.watermark, top)
        return loaded

    def _count(
        self, session: Session, run_id: int | None, field: str, key: str | None = None, n: int = 1
    ) -> None:
        """Count on the run, applied to its row once, when the session's transaction
        commits (one ``UPDATE`` per batch, not per page): see :meth:`_apply_counts`."""
        if run_id is None:
            return
        if self._tally_session is not session:
            self._tally = {}
            self._tally_session = session
            event.listen(session, "before_commit", self._apply_counts)
        counts = self._tally.setdefault(run_id, {})
        counts[(field, key)] = counts.get((field, key), 0) + n

    def _apply_counts(self, session: Session) -> None:
        """Add the counts of the committing transaction's pages to their runs (and their
        heartbeat). A page rolled back to its SAVEPOINT takes its counts with it: they
        are kept aside until the page is stored (:meth:`ingest_in`)."""
        if session.in_nested_transaction() or session is not self._tally_session:
            return
        tally, self._tally = self._tally, {}
        for run_id, counts in tally.items():
            run = session.get(CrawlRun, run_id)
            if run is None:
                continue
            for (name, key), n in counts.items():
                repo.bump(run, name, key, n=n)
            run.heartbeat_at = utcnow()

    def refresh(self, session: Session) -> int:
        """Index the signatures stored since the index was loaded or last refreshed, by
        paragraph id watermark: what other processes on this database stored. Correct when
        every crawl writer refreshes inside a serialized writing transaction
        (:func:`storage.db.retrying` with ``serialized=True``), so ids below the watermark
        are all indexed.

        Also starts the batch's cache of site-boilerplate evidence (read once per source
        per batch, then kept up to date by this ingestor's own writes)."""
        self.boilerplate.start_cache()
        return self._load(session, self.watermark)

    def _rebuild_signatures(self) -> None:
        """Drop signatures made with other parameters; sign paragraphs that have none."""
        with self._factory() as session:
            dropped = repo.delete_signatures_except(session, self.params_id)
            session.commit()
            if dropped:
                log.warning(
                    "dedup parameters changed: dropped %d old signatures, rebuilding", dropped
                )
            batch: list[tuple[int, str]] = []
            made = 0
            for paragraph in repo.paragraphs_missing_signature(
                session, self.params_id, kinds=DEDUP_KINDS
            ):
                batch.append((paragraph.id, paragraph.text))
                if len(batch) >= REBUILD_BATCH:
                    made += self._sign(session, batch)
                    batch = []
            made += self._sign(session, batch)
            session.commit()
            if made:
                log.info("signed %d stored paragraphs", made)

    def _sign(self, session: Session, batch: Sequence[tuple[int, str]]) -> int:
        if not batch:
            return 0
        sigs = self.engine.signatures([text for _, text in batch])
        pairs = [(pid, sig.to_bytes()) for (pid, _), sig in zip(batch, sigs, strict=True)]
        repo.save_signatures(session, self.params_id, pairs)
        return len(batch)

    def _lookup(self, keys: Sequence[int]) -> Mapping[int, str]:
        if self._session is not None:
            return repo.paragraph_texts(self._session, keys)
        with self._factory() as session:
            return repo.paragraph_texts(session, keys)

    @contextmanager
    def _bound(self, session: Session) -> Iterator[None]:
        self._session = session
        try:
            yield
        finally:
            self._session = None

    def ingest(
        self, page: FetchedPage, *, source_id: int, run_id: int | None = None
    ) -> IngestOutcome:
        """Store one page; returns what happened. Commits once, at the end."""
        extraction = extract_fetched(page)
        self.boilerplate.forget()  # a transaction of its own: nothing cached from another
        with self._factory() as session, self._bound(session):
            outcome, added = self._store(session, page, extraction, source_id, run_id)
            self._release_counts()
            session.commit()
        # Index only what was committed.
        self._index(added, source_id)
        return outcome

    def ingest_in(
        self,
        session: Session,
        page: FetchedPage,
        *,
        source_id: int,
        run_id: int | None = None,
        extraction: Extraction | None = None,
    ) -> IngestOutcome:
        """Store one page in the caller's transaction (the crawl writer commits a batch of
        pages at once) and index its paragraphs at once, so the next page of the batch is
        checked against it. The caller commits, or gives up the index on failure (a crawl
        stops when a commit fails: :mod:`crawler.service.writer`). ``extraction``: the
        page extracted already (by :mod:`crawler.service.extract_pool`)."""
        if extraction is None:
            extraction = extract_fetched(page)
        try:
            with self._bound(session):
                outcome, added = self._store(session, page, extraction, source_id, run_id)
                session.flush()
            self._release_counts()
        except BaseException:
            self._held = None
            if self.boilerplate.caching:  # the caller rolls this page back: read again
                self.boilerplate.start_cache()
            raise
        self._index(added, source_id)
        return outcome

    def _index(self, added: Sequence[tuple[int, int, Signature]], source_id: int) -> None:
        by_article: dict[int, list[tuple[int, Signature]]] = {}
        for key, article_id, sig in added:
            by_article.setdefault(article_id, []).append((key, sig))
        for article_id, entries in by_article.items():  # one index call per article
            self.engine.add_many(
                [key for key, _ in entries], article_id, [sig for _, sig in entries], source_id
            )
        if added:
            self.watermark = max(self.watermark, max(key for key, _, _ in added))

    def relink(self, session: Session, article: Article) -> IngestOutcome:
        """Dedup a stored article again against the index, without fetching or extracting
        (``newsdedup dedup recheck``): adds the duplicate links and cluster memberships it
        lacks (links already stored stay as they are), then indexes its paragraphs so that
        later articles are checked against it. The caller commits."""
        outcome = IngestOutcome(url=article.url, extraction_status="ok", article_id=article.id)
        with self._bound(session):
            added = self._dedup_article(session, repo_bulk.stored_article(article), None, outcome)
        for key, article_id, sig in added:
            self.engine.add(key, article_id, sig, group=article.source_id)
        return outcome

    def not_modified(
        self, item: NotModified, *, source_id: int, run_id: int | None = None
    ) -> IngestOutcome:
        """Record a known page that did not change (lastmod not newer, or a 304 answer):
        its article counts as unchanged and is marked seen; nothing is extracted."""
        del source_id  # the page keeps the source it was stored with
        with self._factory() as session:
            outcome = self.not_modified_in(session, item, run_id=run_id)
            session.commit()
        return outcome

    def not_modified_in(
        self, session: Session, item: NotModified, *, run_id: int | None = None
    ) -> IngestOutcome:
        """:meth:`not_modified` in the caller's transaction."""
        outcome = IngestOutcome(url=item.url, extraction_status="not_modified")
        article = mark_seen(session, item.url, lastmod=item.lastmod, run_id=run_id)
        run = session.get(CrawlRun, run_id) if run_id is not None else None
        if article is not None:
            outcome.article_id = article.id
            outcome.article_status = repo.STATUS_UNCHANGED
            if run is not None:
                repo.bump(run, "articles_unchanged")
        if run is not None:
            run.heartbeat_at = utcnow()
        return outcome

    def _store(
        self,
        session: Session,
        page: FetchedPage,
        extraction: Extraction,
        source_id: int,
        run_id: int | None,
    ) -> tuple[IngestOutcome, list[tuple[int, int, Signature]]]:
        count = self._page_counter(session, run_id)
        stored_page = repo_bulk.store_page(
            session,
            source_id=source_id,
            url=page.url,
            final_url=page.final_url,
            http_status=page.status,
            content_type=page.headers.get("content-type"),
            etag=page.headers.get("etag"),
            last_modified=page.headers.get("last-modified"),
            lastmod=page.lastmod,
            body=page.body,
            extraction_status=extraction.status,
            extraction_reason=extraction.reason,
            run_id=run_id,
        )
        outcome = IngestOutcome(
            url=page.url, extraction_status=extraction.status, reason=extraction.reason
        )
        count("pages_fetched")
        if not extraction.ok:
            log.info("no article at %s: %s (%s)", page.url, extraction.status, extraction.reason)
            count("errors", extraction.status)
            return outcome, []

        body, removed = self.boilerplate.clean(session, source_id, extraction.blocks, norm_hash)
        if removed:
            log.debug("%s: removed %d site-boilerplate block(s)", page.url, len(removed))
        blocks = [(b.kind, b.text, norm_hash(b.text)) for b in body]
        article, status = self._save_article(
            session, stored_page, source_id, page.url, article_fields(extraction), blocks, run_id
        )
        outcome.article_id = article.id
        outcome.article_status = status
        outcome.paragraphs = len(blocks)
        count(f"articles_{status}")
        if status != "unchanged":
            count("paragraphs", n=len(blocks))
        if status == "unchanged":
            return outcome, []
        added = self._dedup_article(session, article, run_id, outcome)
        for kind, found in outcome.duplicates.items():
            count("duplicates", kind, n=found)
        return outcome, added

    def _page_counter(self, session: Session, run_id: int | None) -> Callable[..., None]:
        """``count(field, key=None, n=1)`` for one page: held back until the page is
        stored (a page rolled back to its SAVEPOINT counts nothing), then
        :meth:`_count`."""
        held: list[tuple[str, str | None, int]] = []
        self._held = (session, run_id, held)

        def count(field: str, key: str | None = None, n: int = 1) -> None:
            repo.validate_counter(field, key)
            held.append((field, key, n))

        return count

    def _release_counts(self) -> None:
        """The page was stored: its counts join the transaction's."""
        if self._held is None:
            return
        session, run_id, held = self._held
        self._held = None
        for name, key, n in held:
            self._count(session, run_id, name, key, n)

    def _save_article(
        self,
        session: Session,
        page: repo_bulk.StoredPage,
        source_id: int,
        url: str,
        fields: repo.ArticleFields,
        blocks: Sequence[tuple[str, str, str]],
        run_id: int | None,
    ) -> tuple[StoredArticle, str]:
        """A new article is inserted with Core statements (:mod:`storage.repo.bulk`); a
        stored one goes through :func:`storage.repo.articles.save_article` (versions,
        paragraphs replaced or kept). A page inserted just now has no article: articles
        are stored under their page's URL, and pages are never deleted."""
        if page.inserted or repo_bulk.find_article(session, url, page.id) is None:
            article = repo_bulk.insert_article(
                session,
                page_id=page.id,
                source_id=source_id,
                url=url,
                fields=fields,
                blocks=blocks,
                run_id=run_id,
            )
            self.boilerplate.article_added(source_id)
            return article, repo.STATUS_NEW
        stored_page = session.get(Page, page.id)
        assert stored_page is not None
        orm_article, status = repo.save_article(
            session,
            page=stored_page,
            source_id=source_id,
            url=url,
            fields=fields,
            blocks=blocks,
            run_id=run_id,
        )
        return repo_bulk.stored_article(orm_article), status

    def _dedup_article(
        self, session: Session, article: StoredArticle, run_id: int | None, outcome: IngestOutcome
    ) -> list[tuple[int, int, Signature]]:
        paragraphs = [p for p in article.paragraphs if p.kind in DEDUP_KINDS]
        if not paragraphs:
            return []
        session.flush()  # pending ORM changes before the Core statements below
        texts = [p.text for p in paragraphs]
        sigs = self.engine.signatures(texts)
        matches: list[Match] = self.engine.check_article(
            texts, sigs, article=article.id, kinds=[p.kind for p in paragraphs]
        )
        # what is known of the stored paragraphs matched, in one query
        cross_ids = sorted({m.other for m in matches if not m.kind.endswith("_within")})
        facts = repo_bulk.paragraph_facts(session, cross_ids) if cross_ids else {}
        matches = self._drop_stale(matches, facts)
        matches = self._drop_suppressed(session, paragraphs, matches, facts)
        matches, learned = self._site_repeats(session, article.source_id, matches, facts)
        links = [
            repo_bulk.LinkRow(
                paragraph_id=paragraphs[match.index].id,
                matched_paragraph_id=self._other_id(paragraphs, match),
                kind=match.kind,
                method=match.method,
                score=match.score,
                scores=dict(match.scores),
            )
            for match in matches
        ]
        created = repo_bulk.insert_duplicate_links(
            session, links, params_id=self.params_id, run_id=run_id, fresh=article.new
        )
        for match, stored in zip(matches, created, strict=True):
            if stored:
                outcome.duplicates[match.kind] = outcome.duplicates.get(match.kind, 0) + 1
        repo.save_signatures(
            session,
            self.params_id,
            [(p.id, sig.to_bytes()) for p, sig in zip(paragraphs, sigs, strict=True)],
        )
        article_of = {pid: fact[1] for pid, fact in facts.items()}
        self._cluster(session, article, matches, len(paragraphs), article_of)
        added = [(p.id, article.id, sig) for p, sig in zip(paragraphs, sigs, strict=True)]
        if learned:  # boilerplate learned now: clean the source's first pages of it, this one too
            gone = self.boilerplate.reclean(session, article.source_id, learned)
            added = [entry for entry in added if entry[0] not in gone]
        return added

    @staticmethod
    def _other_id(paragraphs: Sequence[BodyParagraph], match: Match) -> int:
        return paragraphs[match.other].id if match.kind.endswith("_within") else match.other

    @staticmethod
    def _drop_stale(matches: list[Match], facts: Mapping[int, Fact]) -> list[Match]:
        """Leave out matches of stored paragraphs that are gone (a replaced article version,
        re-cleaned boilerplate) but are still in the in-memory index."""
        return [m for m in matches if m.kind.endswith("_within") or m.other in facts]

    def _drop_suppressed(
        self,
        session: Session,
        paragraphs: Sequence[BodyParagraph],
        matches: list[Match],
        facts: Mapping[int, Fact],
    ) -> list[Match]:
        """Leave out pairs that editors judged not to be duplicates."""
        if not matches:
            return matches
        own = {i: p.norm_hash for i, p in enumerate(paragraphs)}

        def pair(m: Match) -> tuple[str, str] | None:
            if m.kind.endswith("_within"):
                return ordered(own[m.index], own[m.other])
            fact = facts.get(m.other)
            return None if fact is None else ordered(own[m.index], fact[0])

        pairs = {id(m): pair(m) for m in matches}
        suppressed = suppressed_among(session, [p for p in pairs.values() if p is not None])
        if not suppressed:
            return matches
        kept = [m for m in matches if pairs[id(m)] not in suppressed]
        log.info("left out %d flag(s) judged not duplicates", len(matches) - len(kept))
        return kept

    def _site_repeats(
        self, session: Session, source_id: int, matches: list[Match], facts: Mapping[int, Fact]
    ) -> tuple[list[Match], set[str]]:
        """Count repeats of the source's own stored paragraphs as site-boilerplate evidence,
        and give kind ``boilerplate`` to the matches whose paragraph is now boilerplate.
        Also returns the boilerplate hashes these repeats touch."""
        cross_ids = sorted({m.other for m in matches if m.kind in (EXACT_CROSS, NEAR_CROSS)})
        same_site = {
            pid: (facts[pid][0], facts[pid][2])
            for pid in cross_ids
            if pid in facts and facts[pid][2] == source_id
        }
        if not same_site:
            return matches, set()
        texts = repo.paragraph_texts(session, sorted(same_site))
        repeats = {pid: (o[0], texts.get(pid, "")) for pid, o in same_site.items()}
        active = self.boilerplate.observe(
            session, source_id, repeats, {pid: o[1] for pid, o in same_site.items()}
        )
        if not active:
            return matches, set()
        return [
            replace(m, kind=BOILERPLATE)
            if m.other in same_site and same_site[m.other][0] in active
            else m
            for m in matches
        ], active

    def _cluster(
        self,
        session: Session,
        article: StoredArticle,
        matches: Sequence[Match],
        paragraphs: int,
        article_of: Mapping[int, int],
    ) -> None:
        """Clusters and originals: see :mod:`crawler.ingest.clusters`."""
        update_clusters(
            session, article.id, matches, paragraphs, new=article.new, article_of=article_of
        )


LookupFn = Callable[[Sequence[int]], Mapping[int, str]]
