"""The paragraph dedup engine: exact and near repeats within an article and across
everything indexed before.

Memory: the engine keeps, per indexed paragraph, its key, article and group (8 bytes
each), the 64-bit prefix of its exact hash and one 64-bit key per LSH band (12 bytes each
with the slot). Texts stay in storage and are fetched through ``lookup`` only for the
candidates being verified.

Example:
    >>> engine = DedupEngine()
    >>> texts = ["GPU prices fell again this quarter as supply from three fabs recovered."]
    >>> sigs = engine.signatures(texts)
    >>> engine.add(1, article=10, sig=sigs[0])
    >>> [m.kind for m in engine.check_article(texts, article=11)]
    ['exact_cross']
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from crawler.dedup.lsh import SortedMultiMap, band_keys, exact_key, exact_keys
from crawler.dedup.params import DedupParams
from crawler.dedup.signature import Signature, Signer
from crawler.dedup.verify import (
    IdfModel,
    Profile,
    Weigher,
    Weighted,
    decide,
    profile,
    within_article,
)

log = logging.getLogger(__name__)

Lookup = Callable[[Sequence[int]], Mapping[int, str]]

EXACT_WITHIN = "exact_within"
NEAR_WITHIN = "near_within"
EXACT_CROSS = "exact_cross"
NEAR_CROSS = "near_cross"


@dataclass(frozen=True)
class Match:
    """One flagged repeat.

    Attributes:
        index: position (in the list passed) of the paragraph that is a repeat.
        other: within-article, the position of the earlier paragraph; cross, the stored key.
        kind: ``exact_within`` | ``near_within`` | ``exact_cross`` | ``near_cross``.
        method: how it was decided, e.g. ``exact-hash`` or ``minhash+verify:...``.
        score: the deciding score in [0, 1].
        scores: every score computed.
    """

    index: int
    other: int
    kind: str
    method: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


class DedupEngine:
    """Finds repeated paragraphs.

    Args:
        params: the parameters (default :class:`DedupParams`).
        lookup: returns stored paragraph texts by key; needed to verify near candidates
            across articles. Without it only exact repeats are found across articles.
    """

    def __init__(self, params: DedupParams | None = None, lookup: Lookup | None = None) -> None:
        self.params = params or DedupParams()
        self.lookup = lookup
        self.signer = Signer(self.params)
        self.idf = IdfModel()
        self._bands, self._rows = self.params.bands
        self._keys = array("q")
        self._articles = array("q")
        self._groups = array("q")
        self._exact = SortedMultiMap()
        self._lsh = SortedMultiMap()
        self._sentences = SortedMultiMap()

    def __len__(self) -> int:
        return len(self._keys)

    def signatures(self, texts: Sequence[str]) -> list[Signature]:
        """Signatures of many paragraphs (one numpy pass)."""
        return self.signer.signatures(texts)

    def observe(self, texts: Iterable[str]) -> None:
        """Learn document frequencies from texts (e.g. a sample of stored paragraphs after
        :meth:`load`); :meth:`check_article` also learns from every text it sees."""
        for text in texts:
            words = profile(text).words
            if words:
                self.idf.observe(words)

    # --- indexing ---------------------------------------------------------------------

    def add(self, key: int, article: int, sig: Signature, group: int | None = None) -> None:
        """Index one stored paragraph (``key``: paragraph id, ``group``: source id)."""
        self._add_many([key], [article], [-1 if group is None else group], [sig])

    def add_many(
        self,
        keys: Sequence[int],
        article: int,
        sigs: Sequence[Signature],
        group: int | None = None,
    ) -> None:
        """Index the stored paragraphs of one article at once (faster than :meth:`add`)."""
        if len(keys) != len(sigs):
            raise ValueError(f"{len(keys)} keys but {len(sigs)} signatures")
        g = -1 if group is None else group
        self._add_many(list(keys), [article] * len(keys), [g] * len(keys), sigs)

    def load(self, rows: Iterable[tuple[int, int, int, str, bytes | None]]) -> int:
        """Bulk add storage rows ``(paragraph_id, article_id, source_id, norm_hash,
        hashvalues bytes)``. A row with unreadable bytes is logged and skipped.

        Returns:
            the number of rows indexed.
        """
        keys: list[int] = []
        articles: list[int] = []
        groups: list[int] = []
        sigs: list[Signature] = []
        for row in rows:
            try:
                pid, aid, sid, norm, data = row
                sig = Signature.from_bytes(norm, data)
                exact_key(norm)
            except (ValueError, TypeError) as exc:
                log.warning("dedup: skipping stored paragraph row %r: %s", row[:1], exc)
                continue
            if sig.hashvalues is not None and len(sig.hashvalues) != self.params.num_perm:
                log.warning(
                    "dedup: skipping paragraph %s: %d hash values, params say %d",
                    pid,
                    len(sig.hashvalues),
                    self.params.num_perm,
                )
                continue
            keys.append(int(pid))
            articles.append(int(aid))
            groups.append(-1 if sid is None else int(sid))
            sigs.append(sig)
        self._add_many(keys, articles, groups, sigs)
        for index in (self._exact, self._lsh, self._sentences):
            index.flush()
        return len(keys)

    def _add_many(
        self,
        keys: Sequence[int],
        articles: Sequence[int],
        groups: Sequence[int],
        sigs: Sequence[Signature],
    ) -> None:
        if not keys:
            return
        first = len(self._keys)
        self._keys.extend(keys)
        self._articles.extend(articles)
        self._groups.extend(groups)
        slots = np.arange(first, first + len(keys), dtype=np.int32)
        self._exact.add_many(exact_keys(s.exact_hash for s in sigs), slots)
        with_mh = [i for i, s in enumerate(sigs) if s.hashvalues is not None]
        if with_mh:
            values = np.stack([sigs[i].hashvalues for i in with_mh])  # type: ignore[misc]
            bk = band_keys(values, self._bands, self._rows)
            band_slots = np.repeat(slots[with_mh], self._bands)
            self._lsh.add_many(bk.reshape(-1), band_slots)
        n_sent = [len(s.sentence_keys) for s in sigs]
        if sum(n_sent):
            self._sentences.add_many(
                np.concatenate([s.sentence_keys for s in sigs]).astype(np.uint64),
                np.repeat(slots, n_sent),
            )

    def index_nbytes(self) -> int:
        """Bytes of the index arrays (slot columns and sorted runs)."""
        cols = sum(a.itemsize * len(a) for a in (self._keys, self._articles, self._groups))
        runs = sum(i.nbytes() for i in (self._exact, self._lsh, self._sentences))
        return cols + runs

    # --- checking ---------------------------------------------------------------------

    def check_article(
        self,
        texts: Sequence[str],
        sigs: Sequence[Signature] | None = None,
        *,
        article: int | None = None,
    ) -> list[Match]:
        """Repeats in one article's paragraphs (in order): within the article (a later
        paragraph repeating an earlier one) and against everything indexed before, never
        against paragraphs of the same ``article`` id. A paragraph can have one match of
        each scope. Nothing is indexed; call :meth:`add` for that."""
        if sigs is None:
            sigs = self.signatures(texts)
        if len(sigs) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(sigs)} signatures")
        profiles = [profile(t, s.sentences) for t, s in zip(texts, sigs, strict=True)]
        for p in profiles:
            if p.words:
                self.idf.observe(p.words)
        weigh = Weigher(self.idf)
        weighted = [weigh(p) for p in profiles]
        matches = self._within(sigs, profiles, weighted)
        matches.extend(self._cross(sigs, profiles, weighted, article))
        matches.sort(key=lambda m: (m.index, m.kind))
        return matches

    def _within(
        self, sigs: Sequence[Signature], profiles: Sequence[Profile], weighted: list[Weighted]
    ) -> list[Match]:
        out: list[Match] = []
        first_seen: dict[str, int] = {}
        exact_repeat: set[int] = set()
        for i, (sig, prof) in enumerate(zip(sigs, profiles, strict=True)):
            if not prof.has_tokens:
                continue
            earlier = first_seen.setdefault(sig.exact_hash, i)
            if earlier != i:
                exact_repeat.add(i)
                out.append(Match(i, earlier, EXACT_WITHIN, "exact-hash", 1.0, {"exact": 1.0}))
        found = within_article(
            profiles, self.idf, self.params, skip=exact_repeat, weighted=weighted
        )
        for later, (earlier, decision) in found.items():
            out.append(
                Match(later, earlier, NEAR_WITHIN, decision.method, decision.score, decision.scores)
            )
        return out

    def _cross(
        self,
        sigs: Sequence[Signature],
        profiles: Sequence[Profile],
        weighted: list[Weighted],
        article: int | None,
    ) -> list[Match]:
        if not len(self._keys) or not sigs:
            return []
        keys = np.frombuffer(self._keys, dtype=np.int64)
        arts = np.frombuffer(self._articles, dtype=np.int64)
        out: list[Match] = []
        exact_done: set[int] = set()
        live = [i for i, p in enumerate(profiles) if p.has_tokens]
        if live:
            slots, qidx = self._exact.lookup(exact_keys(sigs[i].exact_hash for i in live))
            if article is not None and len(slots):
                keep = arts[slots] != article
                slots, qidx = slots[keep], qidx[keep]
            if len(slots):
                # the earliest stored key per paragraph (keys grow with time)
                found = keys[slots]
                order = np.lexsort((found, qidx))
                firsts, at = np.unique(qidx[order], return_index=True)
                for q, k in zip(firsts.tolist(), found[order][at].tolist(), strict=True):
                    i = live[q]
                    exact_done.add(i)
                    out.append(Match(i, k, EXACT_CROSS, "exact-hash", 1.0, {"exact": 1.0}))
        out.extend(self._near_cross(sigs, profiles, weighted, article, exact_done))
        return out

    def candidates(
        self,
        sigs: Sequence[Signature],
        positions: Sequence[int] | None = None,
        *,
        article: int | None = None,
    ) -> dict[int, list[int]]:
        """Stored keys to verify for each paragraph (LSH bands and whole shared sentences),
        best first, never from ``article``.

        Args:
            sigs: signatures of the paragraphs.
            positions: which of them to look up (default: all with MinHash values).
            article: the id whose own paragraphs are left out.

        Returns:
            ``{position: [stored key, ...]}`` for positions with at least one candidate.
        """
        todo = [
            i
            for i in (range(len(sigs)) if positions is None else positions)
            if sigs[i].hashvalues is not None
        ]
        if not todo or not len(self._keys):
            return {}
        keys = np.frombuffer(self._keys, dtype=np.int64)
        arts = np.frombuffer(self._articles, dtype=np.int64)
        values = np.stack([sigs[i].hashvalues for i in todo])  # type: ignore[misc]
        bk = band_keys(values, self._bands, self._rows).reshape(-1)
        slots, qidx = self._lsh.lookup(bk)
        query = qidx // self._bands
        # containment search: paragraphs sharing a whole sentence (trimmed or extended copies)
        n_sent = [len(sigs[i].sentence_keys) for i in todo]
        if sum(n_sent):
            s_slots, s_qidx = self._sentences.lookup(
                np.concatenate([sigs[i].sentence_keys for i in todo]).astype(np.uint64)
            )
            owner = np.repeat(np.arange(len(todo)), n_sent)
            # a shared sentence weighs like every band: verified first
            slots = np.concatenate([slots, np.repeat(s_slots, self._bands)])
            query = np.concatenate([query, np.repeat(owner[s_qidx], self._bands)])
        if article is not None and len(slots):
            keep = arts[slots] != article
            slots, query = slots[keep], query[keep]
        if not len(slots):
            return {}
        width = len(self._keys) + 1
        pair = query.astype(np.int64) * width + slots
        uniq, counts = np.unique(pair, return_counts=True)
        strong = counts >= self.params.min_band_hits
        uniq, counts = uniq[strong], counts[strong]
        per_query: dict[int, list[tuple[int, int]]] = {}
        for p, c in zip(uniq.tolist(), counts.tolist(), strict=True):
            q, slot = divmod(p, width)
            per_query.setdefault(todo[q], []).append((-c, int(keys[slot])))
        return {
            i: [k for _, k in sorted(lst)[: self.params.max_candidates]]
            for i, lst in per_query.items()
        }

    def _near_cross(
        self,
        sigs: Sequence[Signature],
        profiles: Sequence[Profile],
        weighted: list[Weighted],
        article: int | None,
        exact_done: set[int],
    ) -> list[Match]:
        if self.lookup is None:
            return []
        todo = [
            i
            for i, s in enumerate(sigs)
            if s.hashvalues is not None
            and i not in exact_done
            and len(profiles[i].counts) >= self.params.near_min_words
        ]
        wanted = self.candidates(sigs, todo, article=article)
        all_keys = sorted({k for ks in wanted.values() for k in ks})
        if not all_keys:
            return []
        texts = self.lookup(all_keys)
        weigh = Weigher(self.idf)
        cand = {k: weigh(profile(t)) for k, t in texts.items()}
        out: list[Match] = []
        for i, ks in sorted(wanted.items()):
            query = weighted[i]
            best: tuple[float, int, str, dict[str, float]] | None = None
            for k in ks:
                cp = cand.get(k)
                if cp is None:
                    continue
                d = decide(query, cp, self.params)
                if d.duplicate and (best is None or d.score > best[0]):
                    best = (d.score, k, d.method, d.scores)
            if best is not None:
                out.append(Match(i, best[1], NEAR_CROSS, best[2], best[0], best[3]))
        return out
