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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from crawler.dedup.lsh import SortedMultiMap, band_keys, exact_key, exact_keys
from crawler.dedup.params import DedupParams
from crawler.dedup.query import article_keys, route_hits
from crawler.dedup.signature import Signature, Signer
from crawler.dedup.snapshot import IndexArrays
from crawler.dedup.verify import Decision, IdfModel, Profile, judge, profiles_of
from crawler.dedup.vocab import VOCAB
from crawler.dedup.within import ArticleTerms, Recheck, pair_stats_many, within_article

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
        recheck: a second opinion on candidate pairs the rules scored and rejected,
            within and across articles (see :func:`crawler.dedup.embed.embedding_recheck`
            for the optional sentence embeddings); None: the rules decide alone.
    """

    def __init__(
        self,
        params: DedupParams | None = None,
        lookup: Lookup | None = None,
        recheck: Recheck | None = None,
    ) -> None:
        self.params = params or DedupParams()
        self.lookup = lookup
        self.recheck = recheck
        self.signer = Signer(self.params)
        self.idf = IdfModel()
        self._bands, self._rows = self.params.bands
        self._keys = _Column()
        self._articles = _Column()
        self._groups = _Column()
        # one map for exact keys, LSH band keys and sentence keys (tagged in the low bits)
        self._index = SortedMultiMap()

    def __len__(self) -> int:
        return len(self._keys)

    def signatures(self, texts: Sequence[str]) -> list[Signature]:
        """Signatures of many paragraphs (one numpy pass)."""
        return self.signer.signatures(texts)

    def observe(self, texts: Iterable[str]) -> None:
        """Learn document frequencies from texts (e.g. a sample of stored paragraphs after
        :meth:`load`); :meth:`check_article` also learns from every text it sees."""
        VOCAB.maybe_reset()
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= 1000:
                ArticleTerms(profiles_of(batch)).observe(self.idf)
                batch = []
        if batch:
            ArticleTerms(profiles_of(batch)).observe(self.idf)

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
        self._index.flush()
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
        everyone = range(len(sigs))
        with_mh = [i for i in everyone if sigs[i].hashvalues is not None]
        index_keys, pos, _ = self._article_keys(sigs, everyone, with_mh, everyone)
        self._index.add_many(index_keys, (pos + first).astype(np.int32))

    def export_arrays(self) -> IndexArrays:
        """The index as arrays (views, not copies: do not add while using them), for
        :mod:`crawler.dedup.snapshot`."""
        return IndexArrays(
            self._keys.values,
            self._articles.values,
            self._groups.values,
            self._index.export_runs(),
        )

    def restore_arrays(self, arrays: IndexArrays) -> None:
        """Replace the index by ``arrays`` (from :meth:`export_arrays`, here or in a
        snapshot file); the arrays are taken over, not copied."""
        self._keys = _Column(arrays.keys)
        self._articles = _Column(arrays.articles)
        self._groups = _Column(arrays.groups)
        self._index.restore_runs(arrays.runs)

    def index_nbytes(self) -> int:
        """Bytes of the index arrays (slot columns and sorted runs)."""
        cols = sum(c.nbytes() for c in (self._keys, self._articles, self._groups))
        return cols + self._index.nbytes()

    # --- checking ---------------------------------------------------------------------

    def check_article(
        self,
        texts: Sequence[str],
        sigs: Sequence[Signature] | None = None,
        *,
        article: int | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[Match]:
        """Repeats in one article's paragraphs (in order): within the article (a later
        paragraph repeating an earlier one) and against everything indexed before, never
        against paragraphs of the same ``article`` id. A paragraph can have one match of
        each scope. Nothing is indexed; call :meth:`add` for that. ``kinds`` (the block
        kind of each paragraph, if known) keeps code, tables and pairs of list items out
        of near repeats within the article (see :func:`within_article`)."""
        if sigs is None:
            sigs = self.signatures(texts)
        if len(sigs) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(sigs)} signatures")
        VOCAB.maybe_reset()  # never in the middle of the check
        profiles = [Profile.from_signature(t, s) for t, s in zip(texts, sigs, strict=True)]
        terms = ArticleTerms(profiles)
        matches = self._within(sigs, profiles, terms, kinds)  # counts the article into idf
        matches.extend(self._cross(sigs, profiles, terms, article))
        matches.sort(key=lambda m: (m.index, m.kind))
        return matches

    def _within(
        self,
        sigs: Sequence[Signature],
        profiles: Sequence[Profile],
        terms: ArticleTerms,
        kinds: Sequence[str] | None = None,
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
            profiles,
            self.idf,
            self.params,
            skip=exact_repeat,
            terms=terms,
            recheck=self.recheck,
            kinds=kinds,
            observe=True,
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
        terms: ArticleTerms,
        article: int | None,
    ) -> list[Match]:
        if not len(self._keys) or not sigs:
            return []
        live = [i for i, p in enumerate(profiles) if p.has_tokens]
        if not live:
            return []
        n_words = terms.n_words.tolist()
        todo: list[int] = []
        if self.lookup is not None:
            todo = [
                i
                for i in live
                if sigs[i].hashvalues is not None and n_words[i] >= self.params.near_min_words
            ]
        query, qpos, qweight = self._article_keys(sigs, live, todo, todo)
        ex_pos, ex_key, near_pos, near_key = self._route(query, qpos, qweight, len(live), article)
        out: list[Match] = []
        exact_done: set[int] = set()
        for i, k in zip(ex_pos.tolist(), ex_key.tolist(), strict=True):
            exact_done.add(i)
            out.append(Match(i, k, EXACT_CROSS, "exact-hash", 1.0, {"exact": 1.0}))
        if todo:
            wanted: dict[int, list[int]] = {}
            for i, k in zip(near_pos.tolist(), near_key.tolist(), strict=True):
                if i not in exact_done:
                    wanted.setdefault(i, []).append(k)
            out.extend(self._near_cross(terms, wanted))
        return out

    def _route(
        self,
        query: U64,
        qpos: npt.NDArray[np.int64],
        qweight: npt.NDArray[np.float64],
        n_exact: int,
        article: int | None,
    ) -> tuple[
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]:
        """Look ``query`` up (its first ``n_exact`` keys exact keys) and sort the hits, never
        from ``article``: see :func:`~crawler.dedup.query.route_hits`."""
        slots, qidx = self._index.lookup(query)
        return route_hits(
            slots,
            qidx,
            qpos,
            qweight,
            n_exact,
            self._keys.values,
            self._articles.values,
            -1 if article is None else article,
            article is not None,
            float(self.params.min_band_hits),
            self.params.max_candidates,
        )

    def _article_keys(
        self,
        sigs: Sequence[Signature],
        exact: Sequence[int],
        near: Sequence[int],
        sentences: Sequence[int],
    ) -> tuple[U64, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Tagged index keys: the exact keys of ``sigs[i] for i in exact``, then the LSH
        band keys of ``near``, then the sentence keys of ``sentences``; with the position
        in ``sigs`` of each key and its ranking weight (see
        :func:`~crawler.dedup.query.article_keys`)."""
        bands = self._band_query(sigs, near) if near else _EMPTY_U64
        sent = [sigs[i].sentence_keys for i in sentences]
        return article_keys(
            exact_keys(sigs[i].exact_hash for i in exact),
            np.array(exact, dtype=np.int64),
            bands,
            np.array(near, dtype=np.int64),
            self._bands,
            np.concatenate(sent) if sent else _EMPTY_U64,
            np.array([len(k) for k in sent], dtype=np.int64),
            np.array(sentences, dtype=np.int64),
        )

    def _band_query(self, sigs: Sequence[Signature], which: Sequence[int]) -> U64:
        """LSH band keys of ``sigs[i] for i in which`` (shape: len(which) * bands),
        computed once per signature object and kept on it (not stored)."""
        todo = [i for i in which if sigs[i].band_cache is None]
        if todo:
            values = np.stack([sigs[i].hashvalues for i in todo])  # type: ignore[misc]
            bk = band_keys(values, self._bands, self._rows)
            for row, i in enumerate(todo):
                sigs[i].band_cache = bk[row]
            if len(todo) == len(which):  # all computed just now, in this order
                return bk.reshape(-1)
        return np.concatenate([sigs[i].band_cache for i in which])

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
        query, qpos, qweight = self._article_keys(sigs, [], todo, todo)
        _, _, near_pos, near_key = self._route(query, qpos, qweight, 0, article)
        out: dict[int, list[int]] = {}
        for i, k in zip(near_pos.tolist(), near_key.tolist(), strict=True):
            out.setdefault(i, []).append(k)
        return out

    def _near_cross(self, terms: ArticleTerms, wanted: dict[int, list[int]]) -> list[Match]:
        if self.lookup is None:
            return []
        all_keys = sorted({k for ks in wanted.values() for k in ks})
        if not all_keys:
            return []
        texts = self.lookup(all_keys)
        queries = sorted(wanted)
        stored = [k for k in all_keys if k in texts]
        if not stored:
            return []
        stored_profiles = profiles_of([texts[k] for k in stored])
        cand = dict(zip(stored, stored_profiles, strict=True))
        # overlap statistics of every (query, candidate) pair in one kernel call
        row_of = {k: n for n, k in enumerate(stored)}
        pairs = [(i, k) for i in queries for k in wanted[i] if k in cand]
        stats = pair_stats_many(
            terms, [(i, row_of[k]) for i, k in pairs], self.idf, others=stored_profiles
        )
        profiles = terms.profiles
        out: list[Match] = []
        rejected: list[tuple[int, int, Decision]] = []
        best: dict[int, tuple[float, int, str, dict[str, float]]] = {}
        for (i, k), st in zip(pairs, stats, strict=True):
            d = judge(st, profiles[i], cand[k], self.params)
            if d.duplicate and (i not in best or d.score > best[i][0]):
                best[i] = (d.score, k, d.method, d.scores)
            elif self.recheck is not None and not d.duplicate:
                rejected.append((i, k, d))
        for i in queries:
            if i in best:
                score, k, method, scores = best[i]
                out.append(Match(i, k, NEAR_CROSS, method, score, scores))
        if rejected and self.recheck is not None:
            out.extend(self._rechecked(profiles, cand, rejected, {m.index for m in out}))
        return out

    def _rechecked(
        self,
        profiles: Sequence[Profile],
        cand: Mapping[int, Profile],
        rejected: Sequence[tuple[int, int, Decision]],
        done: set[int],
    ) -> list[Match]:
        """Near-cross matches from the second opinion on pairs of paragraphs the rules
        matched with none of their candidates (the best accepted candidate each)."""
        todo = [(i, k, d) for i, k, d in rejected if i not in done]
        if not todo or self.recheck is None:
            return []
        second = self.recheck([(profiles[i], cand[k], d) for i, k, d in todo])
        best: dict[int, tuple[float, int, Decision]] = {}
        for (i, k, _), d in zip(todo, second, strict=True):
            if d.duplicate and (i not in best or d.score > best[i][0]):
                best[i] = (d.score, k, d)
        return [
            Match(i, k, NEAR_CROSS, d.method, d.score, d.scores)
            for i, (_, k, d) in sorted(best.items())
        ]


U64 = npt.NDArray[np.uint64]
_EMPTY_U64: U64 = np.empty(0, dtype=np.uint64)


class _Column:
    """A growable int64 column: a numpy array with spare room, replaced by a larger copy
    when full (so views taken by a check stay valid while the column grows)."""

    def __init__(self, values: npt.NDArray[np.int64] | None = None) -> None:
        self._data: npt.NDArray[np.int64] = (
            np.empty(1024, dtype=np.int64) if values is None else values
        )
        self._n = 0 if values is None else len(values)

    def __len__(self) -> int:
        return self._n

    def extend(self, values: Sequence[int]) -> None:
        need = self._n + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)), dtype=np.int64)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : need] = values
        self._n = need

    @property
    def values(self) -> npt.NDArray[np.int64]:
        """The column's values (a view)."""
        return self._data[: self._n]

    def nbytes(self) -> int:
        """Bytes allocated, spare room included."""
        return int(self._data.nbytes)
