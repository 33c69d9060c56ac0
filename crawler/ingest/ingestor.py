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
from storage.models import Article, CrawlRun, Paragraph, utcnow
from storage.repo import hashes as repo_hashes
from storage.repo.incremental import mark_seen
from storage.repo.suppressed import ordered, suppressed_among

log = logging.getLogger(__name__)

BOILERPLATE = "boilerplate"

# Block kinds that take part in dedup; headings are too short and too generic.
REBUILD_BATCH = 2000


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

    def refresh(self, session: Session) -> int:
        """Index the signatures stored since the index was loaded or last refreshed, by
        paragraph id watermark: what other processes on this database stored. Correct when
        every writer holds the database's crawl write lock from its refresh to its commit
        (:mod:`crawler.service.dblock`), so ids below the watermark are all indexed."""
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
        extraction = extract(
            page.body, url=page.final_url or page.url, content_type=page.headers.get("content-type")
        )
        with self._factory() as session, self._bound(session):
            outcome, added = self._store(session, page, extraction, source_id, run_id)
            session.commit()
        # Index only what was committed.
        self._index(added, source_id)
        return outcome

    def ingest_in(
        self, session: Session, page: FetchedPage, *, source_id: int, run_id: int | None = None
    ) -> IngestOutcome:
        """Store one page in the caller's transaction (the crawl writer commits a batch of
        pages at once) and index its paragraphs at once, so the next page of the batch is
        checked against it. The caller commits, or gives up the index on failure (a crawl
        stops when a commit fails: :mod:`crawler.service.writer`)."""
        extraction = extract(
            page.body, url=page.final_url or page.url, content_type=page.headers.get("content-type")
        )
        with self._bound(session):
            outcome, added = self._store(session, page, extraction, source_id, run_id)
            session.flush()
        self._index(added, source_id)
        return outcome

    def _index(self, added: Sequence[tuple[int, int, Signature]], source_id: int) -> None:
        for key, article_id, sig in added:
            self.engine.add(key, article_id, sig, group=source_id)
            self.watermark = max(self.watermark, key)

    def relink(self, session: Session, article: Article) -> IngestOutcome:
        """Dedup a stored article again against the index, without fetching or extracting
        (``newsdedup dedup recheck``): adds the duplicate links and cluster memberships it
        lacks (links already stored stay as they are), then indexes its paragraphs so that
        later articles are checked against it. The caller commits."""
        outcome = IngestOutcome(url=article.url, extraction_status="ok", article_id=article.id)
        with self._bound(session):
            added = self._dedup_article(session, article, None, outcome)
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
        run = session.get(CrawlRun, run_id) if run_id is not None else None
        stored_page = repo.upsert_page(
            session,
            source_id=source_id,
            url=page.url,
            final_url=page.final_url,
            http_status=page.status,
            content_type=page.headers.get("content-type"),
            etag=page.headers.get("etag"),
            last_modified=page.headers.get("last-modified"),
            body=page.body,
            extraction_status=extraction.status,
            extraction_reason=extraction.reason,
            run_id=run_id,
        )
        if page.lastmod:
            stored_page.lastmod = page.lastmod[:64]
        outcome = IngestOutcome(
            url=page.url, extraction_status=extraction.status, reason=extraction.reason
        )
        if run is not None:
            repo.bump(run, "pages_fetched")
            run.heartbeat_at = utcnow()
        if not extraction.ok:
            log.info("no article at %s: %s (%s)", page.url, extraction.status, extraction.reason)
            if run is not None:
                repo.bump(run, "errors", extraction.status)
            return outcome, []

        body, removed = self.boilerplate.clean(session, source_id, extraction.blocks, norm_hash)
        if removed:
            log.debug("%s: removed %d site-boilerplate block(s)", page.url, len(removed))
        blocks = [(b.kind, b.text, norm_hash(b.text)) for b in body]
        article, status = repo.save_article(
            session,
            page=stored_page,
            source_id=source_id,
            url=page.url,
            fields=article_fields(extraction),
            blocks=blocks,
            run_id=run_id,
        )
        outcome.article_id = article.id
        outcome.article_status = status
        outcome.paragraphs = len(blocks)
        if run is not None:
            repo.bump(run, f"articles_{status}")
            if status != "unchanged":
                repo.bump(run, "paragraphs", n=len(blocks))
        if status == "unchanged":
            return outcome, []
        added = self._dedup_article(session, article, run_id, outcome)
        if run is not None:
            for kind, count in outcome.duplicates.items():
                repo.bump(run, "duplicates", kind, n=count)
        return outcome, added

    def _dedup_article(
        self, session: Session, article: Article, run_id: int | None, outcome: IngestOutcome
    ) -> list[tuple[int, int, Signature]]:
        paragraphs = [p for p in article.paragraphs if p.kind in DEDUP_KINDS]
        if not paragraphs:
            return []
        texts = [p.text for p in paragraphs]
        sigs = self.engine.signatures(texts)
        matches: list[Match] = self.engine.check_article(
            texts, sigs, article=article.id, kinds=[p.kind for p in paragraphs]
        )
        matches = self._drop_stale(session, matches)
        matches = self._drop_suppressed(session, paragraphs, matches)
        matches, learned = self._site_repeats(session, article.source_id, matches)
        for match in matches:
            this = paragraphs[match.index]
            other_id = self._other_id(paragraphs, match)
            created = repo.add_duplicate_link(
                session,
                paragraph_id=this.id,
                matched_paragraph_id=other_id,
                kind=match.kind,
                method=match.method,
                score=match.score,
                scores=dict(match.scores),
                params_id=self.params_id,
                run_id=run_id,
            )
            if created:
                outcome.duplicates[match.kind] = outcome.duplicates.get(match.kind, 0) + 1
        repo.save_signatures(
            session,
            self.params_id,
            [(p.id, sig.to_bytes()) for p, sig in zip(paragraphs, sigs, strict=True)],
        )
        self._cluster(session, article, matches, len(paragraphs))
        added = [(p.id, article.id, sig) for p, sig in zip(paragraphs, sigs, strict=True)]
        if learned:  # boilerplate learned now: clean the source's first pages of it, this one too
            gone = self.boilerplate.reclean(session, article.source_id, learned)
            added = [entry for entry in added if entry[0] not in gone]
        return added

    @staticmethod
    def _other_id(paragraphs: Sequence[Paragraph], match: Match) -> int:
        return paragraphs[match.other].id if match.kind.endswith("_within") else match.other

    @staticmethod
    def _drop_stale(session: Session, matches: list[Match]) -> list[Match]:
        """Leave out matches of stored paragraphs that are gone (a replaced article version,
        re-cleaned boilerplate) but are still in the in-memory index."""
        cross_ids = sorted({m.other for m in matches if not m.kind.endswith("_within")})
        if not cross_ids:
            return matches
        alive = repo_hashes.paragraph_hashes(session, cross_ids)
        return [m for m in matches if m.kind.endswith("_within") or m.other in alive]

    def _drop_suppressed(
        self, session: Session, paragraphs: Sequence[Paragraph], matches: list[Match]
    ) -> list[Match]:
        """Leave out pairs that editors judged not to be duplicates."""
        if not matches:
            return matches
        cross_ids = [m.other for m in matches if not m.kind.endswith("_within")]
        other_hash = repo_hashes.paragraph_hashes(session, cross_ids)
        own = {i: p.norm_hash for i, p in enumerate(paragraphs)}

        def pair(m: Match) -> tuple[str, str] | None:
            other = own[m.other] if m.kind.endswith("_within") else other_hash.get(m.other)
            return None if other is None else ordered(own[m.index], other)

        pairs = {id(m): pair(m) for m in matches}
        suppressed = suppressed_among(session, [p for p in pairs.values() if p is not None])
        if not suppressed:
            return matches
        kept = [m for m in matches if pairs[id(m)] not in suppressed]
        log.info("left out %d flag(s) judged not duplicates", len(matches) - len(kept))
        return kept

    def _site_repeats(
        self, session: Session, source_id: int, matches: list[Match]
    ) -> tuple[list[Match], set[str]]:
        """Count repeats of the source's own stored paragraphs as site-boilerplate evidence,
        and give kind ``boilerplate`` to the matches whose paragraph is now boilerplate.
        Also returns the boilerplate hashes these repeats touch."""
        cross_ids = sorted({m.other for m in matches if m.kind in (EXACT_CROSS, NEAR_CROSS)})
        if not cross_ids:
            return matches, set()
        origins = repo_hashes.paragraph_origins(session, cross_ids)
        same_site = {pid: o for pid, o in origins.items() if o[1] == source_id}
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
        self, session: Session, article: Article, matches: Sequence[Match], paragraphs: int
    ) -> None:
        """Clusters and originals: see :mod:`crawler.ingest.clusters`."""
        update_clusters(session, article, matches, paragraphs)


LookupFn = Callable[[Sequence[int]], Mapping[int, str]]
