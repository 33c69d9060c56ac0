"""One article's paragraphs at once: document frequencies and the within-article check
from a sparse paragraphs x terms count table, instead of a Python loop over every pair of
paragraphs (the loops run as compiled kernels, :mod:`crawler.dedup.pair_kernel`).

Only pairs whose overlap could pass a rule (IDF novelty, containment, the pair model's
floor or the rare-overlap test) reach :func:`crawler.dedup.verify.judge`, with the same
statistics a pairwise check would compute, so decisions are those of
:func:`~crawler.dedup.verify.decide` applied to every pair. Within an article the sums run
in one order for every pair, so that equal overlaps give equal scores and the earliest
paragraph wins a tie.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from itertools import accumulate, repeat

import numpy as np

from crawler.dedup import pair_kernel as pk
from crawler.dedup.pairmodel import PAIR_MODEL_MIN_OVERLAP
from crawler.dedup.params import DedupParams
from crawler.dedup.verify import Decision, IdArray, IdfModel, PairStats, Profile, judge
from crawler.dedup.vocab import VOCAB

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
_BLOCK = {LIST_ITEM: pk.LISTED} | dict.fromkeys(NEAR_EXCLUDED_KINDS, pk.LEFT_OUT)
"""What :func:`~crawler.dedup.pair_kernel.within_pairs` takes of a block kind."""
_NO_IDS: IdArray = np.empty(0, dtype=np.int64)


class ArticleTerms:
    """The content words of some paragraphs as a sparse paragraphs x terms count table
    (rows in compressed sparse row form).

    Args:
        profiles: the paragraphs.

    Attributes:
        n: the number of paragraphs.
        terms: the distinct content-word term ids (in order of first occurrence).
        n_words: the number of distinct content words of each paragraph.
        indptr, cols, counts: paragraph ``p``'s content words at
            ``indptr[p]:indptr[p + 1]``: positions in :attr:`terms` and occurrences.
    """

    def __init__(self, profiles: Sequence[Profile]) -> None:
        self.n = len(profiles)
        arrays = [p.ids for p in profiles]
        ids = np.concatenate(arrays) if arrays else _NO_IDS
        offsets = np.array(list(accumulate(map(len, arrays), initial=0)), dtype=np.int64)
        self.terms, self._docs, self.n_words, self.indptr, self.cols, self.counts = (
            pk.article_terms(ids, offsets, VOCAB.hashes)
        )

    def observe(self, idf: IdfModel) -> None:
        """Count each paragraph with content words as one document."""
        idf.observe_terms(self.terms, self._docs, int(np.count_nonzero(self.n_words)))


def pair_stats_many(
    profiles: Sequence[Profile], pairs: Sequence[tuple[int, int]], idf: IdfModel
) -> list[PairStats]:
    """:class:`PairStats` of the pairs ``(a, b)`` of positions in ``profiles`` (e.g. the
    queries of an article followed by their candidates), with the weights of ``idf``:
    one table and one kernel call for all of them."""
    if not pairs:
        return []
    terms = ArticleTerms(profiles)
    ends = np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)
    rows = pk.pair_stats(terms.indptr, terms.cols, terms.counts, idf.weights(terms.terms), ends)
    return [
        PairStats(int(n_shared), int(na), int(nb), *floats)
        for n_shared, na, nb, *floats in rows.tolist()
    ]


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
    if kinds is not None and len(kinds) != len(profiles):
        raise ValueError(f"{len(profiles)} paragraphs but {len(kinds)} kinds")
    if terms is None:
        terms = ArticleTerms(profiles)
    elif terms.n != len(profiles):
        raise ValueError(f"{len(profiles)} paragraphs but terms of {terms.n}")
    if kinds is None and not skip:
        block = np.zeros(len(profiles), dtype=np.int8)
    else:
        block = np.array(
            [
                pk.LEFT_OUT if i in skip else _BLOCK.get(kind, pk.PARAGRAPH)
                for i, kind in enumerate(repeat("", len(profiles)) if kinds is None else kinds)
            ],
            dtype=np.int8,
        )
    pairs = pk.within_pairs(
        terms.indptr,
        terms.cols,
        terms.counts,
        idf.weights(terms.terms),
        block,
        params.within_min_words,
        float(params.max_novelty),
        float(min(params.containment_min, 1.0)),
        PAIR_MODEL_MIN_OVERLAP,
        float(params.within_rare_min),
        float(params.within_rare_share_min),
        float(params.within_idf_cosine_min),
        float(params.within_strong_rare_min),
        float(params.within_strong_share_min),
    )
    found: dict[int, tuple[int, Decision]] = {}
    rejected: list[tuple[int, int, Decision]] = []
    # one row per pair that could pass a rule, ordered by (later, earlier)
    for row in pairs.tolist():
        i, j, n_shared, na, nb, *floats, exclusive, rare_share, local_cos, rare = row
        i, j = int(i), int(j)
        st = PairStats(int(n_shared), int(na), int(nb), *floats)
        decision = judge(st, profiles[i], profiles[j], params)
        if (
            decision.duplicate
            and decision.method == "minhash+verify:pair-model"
            and decision.scores.get("name_conflict")
            and decision.scores["min_words"] < params.within_name_veto_words
        ):
            # the same frame around other names: a template, not a repeat
            decision = Decision(False, "veto:names", 0.0, decision.scores)
        if rare and not decision.duplicate and not decision.method.startswith("veto"):
            scores = dict(decision.scores)
            scores.update(
                rare_overlap=rare_share, rare_shared=exclusive, local_idf_cosine=local_cos
            )
            if rare == 2.0:
                decision = Decision(
                    True,
                    "minhash+verify:rare-overlap+local-idf-cosine"
                    if local_cos >= params.within_idf_cosine_min
                    else "minhash+verify:strong-rare-overlap",
                    rare_share,
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
