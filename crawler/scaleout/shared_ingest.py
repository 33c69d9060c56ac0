"""Ingest for a worker of a shared crawl: the same steps as
:class:`crawler.ingest.ingestor.Ingestor`, safe with other workers writing to the same
PostgreSQL database at the same moment.

- **Shared index**: before an article's paragraphs are checked, the worker takes
  PostgreSQL advisory transaction locks on all their index keys (ascending, so no
  deadlock between workers), asks the Redis index (:mod:`crawler.scaleout.shared_index`) which
  stored paragraphs share a key, and loads the signatures of those it does not hold yet
  from PostgreSQL into its in-process engine. Its own paragraphs are filed in Redis
  before the commit; the locks are released by the commit. So of two copies of one story
  stored at the same moment by two workers (they share keys, or the engine could not
  match them either), the later waits for the earlier's commit and then finds it.
- **Retries**: a page whose transaction fails on a unique constraint (two workers
  storing the same URL), a deadlock or a serialisation failure is ingested again from
  the start, up to :data:`ATTEMPTS` times; nothing of a failed attempt stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crawler.dedup import DedupEngine, DedupParams, Match, Signature
from crawler.dedup.within import Recheck
from crawler.extract.model import Extraction
from crawler.ingest.ingestor import Ingestor, IngestOutcome
from crawler.ingest.recheck import recheck_from_settings
from crawler.items import FetchedPage
from crawler.scaleout.config import SETUP_LOCK, index_key
from crawler.scaleout.shared_index import RedisParagraphIndex, signature_keys, signed
from storage import repository as repo
from storage.repo import shared as repo_shared

log = logging.getLogger(__name__)

ATTEMPTS = 5
BUILD_BATCH = 2000
_RETRYABLE_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def retryable(exc: BaseException) -> bool:
    """Whether a failed page transaction is worth running again."""
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)
        return state in _RETRYABLE_STATES
    return False


class SharedDedupEngine(DedupEngine):
    """A :class:`DedupEngine` that, before checking an article, calls ``prepare`` (which
    loads the relevant stored paragraphs) and remembers which paragraph ids it holds."""

    def __init__(
        self, params: DedupParams, lookup: Any, prepare: Any, recheck: Recheck | None = None
    ) -> None:
        super().__init__(params, lookup=lookup, recheck=recheck)
        self._prepare = prepare
        self.held: set[int] = set()

    def add(self, key: int, article: int, sig: Signature, group: int | None = None) -> None:
        self.held.add(key)
        super().add(key, article, sig, group)

    def add_many(
        self,
        keys: Sequence[int],
        article: int,
        sigs: Sequence[Signature],
        group: int | None = None,
    ) -> None:
        self.held.update(keys)
        super().add_many(keys, article, sigs, group)

    def load(self, rows: Iterable[tuple[int, int, int, str, bytes | None]]) -> int:
        listed = [r for r in rows if r[0] not in self.held]
        self.held.update(r[0] for r in listed)
        return super().load(listed)

    def check_article(
        self,
        texts: Sequence[str],
        sigs: Sequence[Signature] | None = None,
        *,
        article: int | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[Match]:
        if sigs is None:
            sigs = self.signatures(texts)
        self._prepare(sigs)
        return super().check_article(texts, sigs, article=article, kinds=kinds)


class SharedIngestor(Ingestor):
    """An :class:`Ingestor` for one worker of a shared crawl (PostgreSQL + Redis index).

    Build it with :meth:`open_shared`.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        params: DedupParams,
        params_id: int,
        index: RedisParagraphIndex,
        recheck: Recheck | None = None,
    ) -> None:
        super().__init__(session_factory, params, params_id, recheck)
        self.index = index
        self.shared_engine = SharedDedupEngine(
            params, lookup=self._lookup, prepare=self._prepare, recheck=recheck
        )
        self.engine = self.shared_engine
        self.retries = 0

    @classmethod
    def open_shared(
        cls,
        session_factory: sessionmaker[Session],
        redis_client: Any,
        prefix: str,
        params: DedupParams | None = None,
        index_ttl: int = 0,
    ) -> SharedIngestor:
        """Set up under a database-wide lock (one worker at a time): the parameter row,
        signatures for the current parameters, and, the first time, the Redis index of
        every stored signature. The in-process engine starts empty and fills on demand."""
        params = params or DedupParams()
        with session_factory() as session:
            repo_shared.lock_one(session, SETUP_LOCK)
            row = repo.get_or_create_params(session, params.fingerprint(), params.to_dict())
            session.commit()
            params_id = row.id
        base = index_key(prefix, params.fingerprint())
        index = RedisParagraphIndex(redis_client, base, params, ttl=index_ttl)
        ingestor = cls(session_factory, params, params_id, index, recheck_from_settings())
        with session_factory() as session:
            repo_shared.lock_one(session, SETUP_LOCK)
            ingestor._rebuild_signatures()
            if not index.is_built():
                filed = ingestor._backfill(session)
                index.mark_built()
                log.info("shared paragraph index built from %d stored signatures", filed)
            session.commit()
        return ingestor

    def _backfill(self, session: Session) -> int:
        ids: list[int] = []
        sigs: list[Signature] = []
        filed = 0
        for pid, _aid, _sid, norm, data in repo.iter_signatures(session, self.params_id):
            ids.append(pid)
            sigs.append(Signature.from_bytes(norm, data))
            if len(ids) >= BUILD_BATCH:
                self.index.add(ids, sigs)
                filed += len(ids)
                ids, sigs = [], []
        self.index.add(ids, sigs)
        return filed + len(ids)

    def _prepare(self, sigs: Sequence[Signature]) -> None:
        """Lock the article's index keys, then load the stored paragraphs sharing them."""
        session = self._session
        if session is None:  # checked outside a page transaction: nothing to lock
            return
        keys = {k for arr in signature_keys(sigs, self.params) for k in arr.tolist()}
        repo_shared.lock_keys(session, signed(keys))
        missing = [pid for pid in self.index.lookup(keys) if pid not in self.shared_engine.held]
        if missing:
            self.shared_engine.load(repo_shared.signatures_of(session, self.params_id, missing))

    def _store(
        self,
        session: Session,
        page: FetchedPage,
        extraction: Extraction,
        source_id: int,
        run_id: int | None,
    ) -> tuple[IngestOutcome, list[tuple[int, int, Signature]]]:
        outcome, added = super()._store(session, page, extraction, source_id, run_id)
        if added:
            # Filed before the commit, while the keys are locked: the next worker to
            # lock them finds these ids, and their signatures once committed.
            session.flush()
            self.index.add([pid for pid, _, _ in added], [sig for _, _, sig in added])
        return outcome, added

    def ingest(
        self, page: FetchedPage, *, source_id: int, run_id: int | None = None
    ) -> IngestOutcome:
        """Store one page; a transaction that loses a race is run again from the start."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return super().ingest(page, source_id=source_id, run_id=run_id)
            except DBAPIError as exc:
                if attempt == ATTEMPTS or not retryable(exc):
                    raise
                self.retries += 1
                log.info(
                    "ingest of %s lost a race with another worker (%s); attempt %d",
                    page.url,
                    type(exc.orig).__name__,
                    attempt + 1,
                )
        raise AssertionError("unreachable")
