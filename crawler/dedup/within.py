"""One article's paragraphs at once: document frequencies and the within-article check as
matrix products over a paragraphs x terms count matrix, instead of a Python loop over
every pair of paragraphs.

Only pairs whose overlap could pass a rule (IDF novelty, containment, the pair model's
floor or the rare-overlap test) reach :func:`crawler.dedup.verify.judge`, with the same
statistics a pairwise check would compute, so decisions are those of :func:`decide`
applied to every pair. Articles with many paragraphs use scipy's sparse matrices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from crawler.dedup.pairmodel import PAIR_MODEL_MIN_OVERLAP
from crawler.dedup.params import DedupParams
from crawler.dedup.verify import Decision, IdArray, IdfModel, PairStats, Profile, judge
from crawler.dedup.vocab import VOCAB

FloatArray = npt.NDArray[np.float64]
Recheck = Callable[[Sequence[tuple[Profile, Profile, Decision]]], list[Decision]]
"""A second opinion on pairs the rules rejected (e.g. sentence embeddings): takes
``(earlier, later, decision)`` triples, returns a decision for each."""
DEDUP_KINDS = frozenset({"paragraph", "list_item", "quote", "table", "code"})
"""The extracted block kinds that take part in dedup (headings and captions do not)."""
NEAR_EXCLUDED_KINDS = frozenset({"code", "table"})
"""Block kinds that never take part in near repeats within an article (measured on 271
labelled flags of real pages: 14 flags among code and table blocks, none a repeat; they
still take part in exact repeats)."""
LIST_ITEM = "list_item"
"""Two list items are never a near repeat of each other (items of one list share their
frame: 13 of the 17 such flags were false); a list item repeating a paragraph can be."""
_DENSE_CELLS = 1_000_000  # paragraphs x terms above which matrices are sparse


class ArticleTerms:
    """The content words of some paragraphs as a paragraphs x terms count matrix (dense
    numpy, or scipy CSR when large).

    Args:
        profiles: the paragraphs.
    """

    def __init__(self, profiles: Sequence[Profile]) -> None:
        self.profiles = profiles
        n = len(profiles)
        lens = [len(p.ids) for p in profiles]
        if n and sum(lens):
            ids = np.concatenate([p.ids for p in profiles])
        else:
            ids = np.empty(0, dtype=np.int64)
        owner = np.repeat(np.arange(n, dtype=np.int64), lens)
        content = VOCAB.hashes[ids] >= 0
        self.terms, col = _unique_inverse(ids[content])
        owner = owner[content]
        self.n = n
        self.width = width = len(self.terms)
        self.dense = n * width <= _DENSE_CELLS
        self.counts: Any
        if self.dense:
            self.counts = np.bincount(owner * width + col, minlength=n * width).reshape(n, width)
            present = self.counts > 0
            self.n_words: IdArray = present.sum(axis=1)
            self._docs: IdArray = present.sum(axis=0)
        else:
            m = sp.csr_matrix((np.ones(len(col), dtype=np.float64), (owner, col)), shape=(n, width))
            m.sum_duplicates()
            self.counts = m
            self.n_words = np.diff(m.indptr).astype(np.int64)
            self._docs = np.bincount(m.indices, minlength=width)

    def observe(self, idf: IdfModel) -> None:
        """Count each paragraph with content words as one document."""
        idf.observe_terms(self.terms, self._docs, int(np.count_nonzero(self.n_words)))


def _unique_inverse(ids: IdArray) -> tuple[IdArray, IdArray]:
    """``np.unique(ids, return_inverse=True)`` (sorted distinct ids, and the position of
    each id among them), with less overhead for the small arrays of one article."""
    if not len(ids):
        return ids.copy(), np.empty(0, dtype=np.intp)
    s = np.sort(ids)
    first = np.empty(len(s), dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    terms = s[first]
    return terms, np.searchsorted(terms, ids)


class PairMatrix:
    """Overlap statistics of every pair among some paragraphs of an :class:`ArticleTerms`,
    by matrix products: shared words, their IDF weight, TF-IDF dot products and, with
    ``local``, the within-article statistics (words only the pair shares, article-local
    IDF dot products).

    Args:
        terms: the paragraphs' terms.
        rows: which paragraphs (positions in ``terms``).
        idf: document frequencies for the weights.
        local: also compute the within-article statistics over ``rows``.
    """

    def __init__(
        self, terms: ArticleTerms, rows: Sequence[int], idf: IdfModel, local: bool = False
    ) -> None:
        n = len(rows)
        self.n = n
        sel = list(rows)
        if terms.dense:
            if n == terms.n and sel == list(range(n)):
                # every row: every column is used (each term occurs in some paragraph)
                c = terms.counts.astype(np.float64, order="F")  # the layout of c[:, used]
                w = idf.weights(terms.terms)
            else:
                c = terms.counts[sel]
                used = np.flatnonzero(c.any(axis=0))
                c = c[:, used].astype(np.float64)
                w = idf.weights(terms.terms[used])
            b = (c > 0).astype(np.float64)
            tfs = b + np.log(np.maximum(c, 1.0))  # 1 + log(count) where present, else 0
            tfs *= b
            tw = tfs * w
            # counts of 0/1 values: exact whatever the order of the additions, and a BLAS
            # product is much cheaper than many short reductions along the rows
            ones = np.ones(n)
            local_df = ones @ b
            # only terms in two or more of the rows can be shared: the products run over
            # those; the diagonals (sizes, totals, norms) over all terms
            sc = np.flatnonzero(local_df >= 2)
            bs, tws = b[:, sc], tw[:, sc]
            self.n_shared = bs @ bs.T
            self.shared_weight = (bs * w[sc]) @ bs.T
            self.dot = tws @ tws.T
            self.totals = b @ w
            self.sizes = b @ np.ones(b.shape[1])
            self.norms = np.sqrt((tw * tw).sum(axis=1))
            if local:
                ex = b[:, local_df == 2]
                self.exclusive = ex @ ex.T
                lt = tfs * np.log((n + 1) / np.maximum(local_df, 1.0))
                lts = lt[:, sc]
                self.local = lts @ lts.T
                self.local_norms = np.sqrt((lt * lt).sum(axis=1))
        else:
            m = terms.counts[sel]
            m = m[:, np.unique(m.indices)].tocsr()
            used = np.unique(terms.counts[sel].indices)
            w = idf.weights(terms.terms[used])
            bm = m.copy()
            bm.data[:] = 1.0
            tfm = m.copy()
            tfm.data = 1.0 + np.log(tfm.data)
            wd = sp.diags(w)
            self.n_shared = _gram(bm, bm)
            self.shared_weight = _gram(bm @ wd, bm)
            tw = tfm @ wd
            self.dot = _gram(tw, tw)
            if local:
                local_df = np.asarray(bm.sum(axis=0)).reshape(-1)
                ex = bm @ sp.diags((local_df == 2).astype(np.float64))
                self.exclusive = _gram(ex, ex)
                lm = tfm @ sp.diags(np.log((n + 1) / np.maximum(local_df, 1.0)))
                self.local = _gram(lm, lm)
                self.local_norms = np.sqrt(np.diag(self.local))
            self.totals = np.asarray((bm @ wd).sum(axis=1)).reshape(-1)
            self.sizes = np.diag(self.n_shared).copy()
            self.norms = np.sqrt(np.diag(self.dot))

    def stats(self, a: int, b: int) -> PairStats:
        """:class:`PairStats` of local rows ``a`` and ``b``."""
        return PairStats(
            int(self.n_shared[a, b]),
            int(self.sizes[a]),
            int(self.sizes[b]),
            float(self.shared_weight[a, b]),
            float(self.totals[a]),
            float(self.totals[b]),
            float(self.dot[a, b]),
            float(self.norms[a]),
            float(self.norms[b]),
        )


def _gram(m: Any, other: Any) -> FloatArray:
    g = m @ other.T
    return np.asarray(g.toarray() if sp.issparse(g) else g, dtype=np.float64)


def within_article(
    profiles: Sequence[Profile],
    idf: IdfModel,
    params: DedupParams,
    skip: AbstractSet[int] = frozenset(),
    terms: ArticleTerms | None = None,
    recheck: Recheck | None = None,
    kinds: Sequence[str] | None = None,
) -> dict[int, tuple[int, Decision]]:
    """Near repeats inside one article: for each later paragraph that repeats an earlier
    one, ``{later: (earlier, decision)}`` (the best-scoring earlier paragraph, the earliest
    on ties).

    Besides :func:`crawler.dedup.verify.judge`, a pair is a reworded repeat when the words
    that only this pair shares within the article (no other paragraph has them) make up at
    least ``within_rare_share_min`` of the smaller paragraph, at least ``within_rare_min``
    of them, with article-local IDF cosine at least ``within_idf_cosine_min``. This needs at
    least four eligible paragraphs, so that "only this pair" means something. A pair vetoed
    by the rules (different figures) is never a repeat.

    Args:
        profiles: the article's paragraphs in order.
        idf: document frequencies learned so far.
        params: thresholds.
        skip: positions left out (e.g. exact repeats, already flagged).
        terms: the article's :class:`ArticleTerms`, if at hand.
        recheck: called once with the rejected pairs that were scored and not vetoed;
            the pairs it accepts are repeats too.
        kinds: the block kind of each paragraph (``paragraph``, ``list_item``, ``quote``,
            ``table``, ``code``), if known: see :data:`NEAR_EXCLUDED_KINDS` and
            :data:`LIST_ITEM`.
    """
    if terms is None:
        terms = ArticleTerms(profiles)
    n_words = terms.n_words.tolist()
    if kinds is not None and len(kinds) != len(profiles):
        raise ValueError(f"{len(profiles)} paragraphs but {len(kinds)} kinds")
    eligible = [
        i
        for i in range(len(profiles))
        if n_words[i] >= params.within_min_words
        and i not in skip
        and (kinds is None or kinds[i] not in NEAR_EXCLUDED_KINDS)
    ]
    n = len(eligible)
    if n < 2:
        return {}
    pm = PairMatrix(terms, eligible, idf, local=True)
    n_shared, shared_weight, totals, sizes = pm.n_shared, pm.shared_weight, pm.totals, pm.sizes
    exclusive, local, lnorms = pm.exclusive, pm.local, pm.local_norms
    with np.errstate(divide="ignore", invalid="ignore"):
        nov = 1.0 - shared_weight / totals[:, None]
        novelty = np.maximum(nov, nov.T)
        small = np.minimum(sizes[:, None], sizes[None, :])
        containment = n_shared / small
        local_cos = local / (lnorms[:, None] * lnorms[None, :])
        rare_share = exclusive / small
    strong = (exclusive >= params.within_strong_rare_min) & (
        rare_share >= params.within_strong_share_min
    )
    rare_ok = (n_shared >= params.within_rare_min) & (
        (
            (exclusive >= params.within_rare_min)
            & (rare_share >= params.within_rare_share_min)
            & (local_cos >= params.within_idf_cosine_min)
        )
        | strong
    )
    if n < 4:
        rare_ok[:] = False
    maybe = (
        (novelty <= params.max_novelty)
        | (containment >= min(params.containment_min, 1.0))
        | (1.0 - novelty >= PAIR_MODEL_MIN_OVERLAP)
        | rare_ok
    )
    if kinds is not None:
        listed = np.array([kinds[i] == LIST_ITEM for i in eligible], dtype=bool)
        maybe &= ~(listed[:, None] & listed[None, :])
    maybe = np.triu(maybe, k=1)
    found: dict[int, tuple[int, Decision]] = {}
    rejected: list[tuple[int, int, Decision]] = []
    pi, pj = np.nonzero(maybe)
    order = np.lexsort((pi, pj))
    for a, b_ in zip(pi[order].tolist(), pj[order].tolist(), strict=True):
        i, j = eligible[a], eligible[b_]
        st = pm.stats(a, b_)
        decision = judge(st, profiles[i], profiles[j], params)
        if (
            decision.duplicate
            and decision.method == "minhash+verify:pair-model"
            and decision.scores.get("name_conflict")
            and decision.scores["min_words"] < params.within_name_veto_words
        ):
            # the same frame around other names: a template, not a repeat
            decision = Decision(False, "veto:names", 0.0, decision.scores)
        if (
            not decision.duplicate
            and not decision.method.startswith("veto")
            and (
                rare_ok[a, b_]
                or (
                    n >= 4
                    and n_shared[a, b_] >= params.within_rare_min
                    and exclusive[a, b_] >= params.within_rare_min
                )
            )
        ):
            scores = dict(decision.scores)
            scores.update(
                rare_overlap=float(rare_share[a, b_]),
                rare_shared=float(exclusive[a, b_]),
                local_idf_cosine=float(local_cos[a, b_]),
            )
            if rare_ok[a, b_]:
                decision = Decision(
                    True,
                    "minhash+verify:rare-overlap+local-idf-cosine"
                    if local_cos[a, b_] >= params.within_idf_cosine_min
                    else "minhash+verify:strong-rare-overlap",
                    float(rare_share[a, b_]),
                    scores,
                )
            else:
                decision = Decision(False, decision.method, decision.score, scores)
        if decision.duplicate and (j not in found or decision.score > found[j][1].score):
            found[j] = (i, decision)
        elif recheck is not None and not decision.duplicate:
            rejected.append((i, j, decision))
    if rejected and recheck is not None:
        second = recheck([(profiles[i], profiles[j], d) for i, j, d in rejected])
        for (i, j, _), decision in zip(rejected, second, strict=True):
            if decision.duplicate and (j not in found or decision.score > found[j][1].score):
                found[j] = (i, decision)
    return found
