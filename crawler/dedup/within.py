"""One article's paragraphs at once: document frequencies, the within-article check and
the statistics of given pairs (e.g. with candidates from other articles), each one
compiled kernel call over the paragraphs' term ids (:mod:`crawler.dedup.kernels.pair`)
instead of a Python loop over every pair of paragraphs. The engine's check counts the
article into the document frequencies and finds its repeats in the same call
(``within_article(..., observe=True)``).

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
import numpy.typing as npt

from crawler.dedup.facts import added_facts
from crawler.dedup.kernels import pair as pk
from crawler.dedup.pairmodel import PAIR_MODEL_MIN_OVERLAP
from crawler.dedup.params import DedupParams
from crawler.dedup.verify import (
    Decision,
    FloatArray,
    IdArray,
    IdfModel,
    PairStats,
    Profile,
    fact_conflict,
    judge,
)
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
"""What :func:`~crawler.dedup.kernels.pair.within_pairs` takes of a block kind."""
_NO_IDS: IdArray = np.empty(0, dtype=np.int64)


class ArticleTerms:
    """Some paragraphs' term ids in one array, as the kernels of
    :mod:`crawler.dedup.kernels.pair` take them (the ids are concatenated once, and each
    step over them is one kernel call).

    Args:
        profiles: the paragraphs.
        ids, offsets: their term ids already in one array, if at hand (e.g. from one
            tokenising pass over their texts): paragraph ``p``'s at
            ``ids[offsets[p]:offsets[p + 1]]`` (not checked beyond the lengths).

    Attributes:
        profiles: the paragraphs.
        n: their number.
        ids, offsets: paragraph ``p``'s term ids at ``ids[offsets[p]:offsets[p + 1]]``.
    """

    def __init__(
        self,
        profiles: Sequence[Profile],
        ids: IdArray | None = None,
        offsets: IdArray | None = None,
    ) -> None:
        self.profiles = profiles
        self.n = len(profiles)
        if ids is None or offsets is None:
            arrays = [p.ids for p in profiles]
            ids = np.concatenate(arrays) if arrays else _NO_IDS
            offsets = np.fromiter(
                accumulate(map(len, arrays), initial=0), dtype=np.int64, count=self.n + 1
            )
        elif len(offsets) != self.n + 1 or offsets[0] != 0 or offsets[-1] != len(ids):
            raise ValueError(f"offsets of {len(offsets) - 1} paragraphs do not fit {self.n}")
        self.ids: IdArray = ids
        self.offsets: IdArray = offsets
        self._n_words: IdArray | None = None

    @property
    def n_words(self) -> IdArray:
        """The number of distinct content words of each paragraph (as :meth:`observe` or
        :func:`within_article` on these terms counted them, else counted here)."""
        if self._n_words is None:
            self._n_words = pk.article_terms(self.ids, self.offsets, VOCAB.hashes)[2]
        return self._n_words

    def observe(self, idf: IdfModel) -> None:
        """Count each paragraph with content words as one document."""
        self._n_words, counted = pk.count_documents(
            self.ids, self.offsets, VOCAB.hashes, idf.fitted()
        )
        idf.n_docs += counted

    def within_pairs(
        self, idf: IdfModel, params: DedupParams, block: npt.NDArray[np.int8], observe: bool
    ) -> FloatArray:
        """The rows of :func:`~crawler.dedup.kernels.pair.within_pairs` (the pairs to judge)
        for these paragraphs, with the weights of ``idf``; with ``observe``, after counting
        them into it as :meth:`observe` does (in the same call)."""
        rows, self._n_words, counted = pk.within_pairs(
            self.ids,
            self.offsets,
            VOCAB.hashes,
            idf.fitted(),
            idf.n_docs,
            observe,
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
        idf.n_docs += counted
        return rows


def _terms(profiles: Sequence[Profile] | ArticleTerms) -> ArticleTerms:
    """The :class:`ArticleTerms` of ``profiles``, unless they are some already."""
    return profiles if isinstance(profiles, ArticleTerms) else ArticleTerms(profiles)


def pair_stats_many(
    profiles: Sequence[Profile] | ArticleTerms,
    pairs: Sequence[tuple[int, int]],
    idf: IdfModel,
    others: Sequence[Profile] | ArticleTerms | None = None,
) -> list[PairStats]:
    """:class:`PairStats` of the pairs ``(a, b)`` of positions in ``profiles``, or with
    ``others``, of ``a`` in ``profiles`` and ``b`` in ``others`` (e.g. an article's
    paragraphs and the candidates of some of them), with the weights of ``idf``: one
    kernel call for all of them, which reads only the paragraphs in pairs. Either list
    can come as its :class:`ArticleTerms`."""
    if not pairs:
        return []
    first = _terms(profiles)
    second = first if others is None else _terms(others)
    rows = pk.pair_stats(
        first.ids,
        first.offsets,
        second.ids,
        second.offsets,
        np.array(pairs, dtype=np.int64).reshape(len(pairs), 2),
        VOCAB.hashes,
        idf.fitted(),
        idf.n_docs,
    )
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
    observe: bool = False,
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
        observe: count the paragraphs into ``idf`` first, as :meth:`ArticleTerms.observe`
            does (in the same kernel call; the engine's check).
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
    pairs = terms.within_pairs(idf, params, block, observe)
    found: dict[int, tuple[int, Decision]] = {}
    rejected: list[tuple[int, int, Decision]] = []
    # one row per pair that could pass a rule, ordered by (later, earlier)
    for row in pairs.tolist():
        i, j, n_shared, na, nb, *floats, exclusive, rare_share, local_cos, rare = row
        i, j = int(i), int(j)
        st = PairStats(int(n_shared), int(na), int(nb), *floats)
        decision = judge(st, profiles[i], profiles[j], params, within=True)
        if not decision.method.startswith("veto") and (decision.duplicate or rare):
            conflict = fact_conflict(profiles[i], profiles[j]) or added_facts(
                profiles[i], profiles[j]
            )
            if conflict is not None:
                # the same event with another actor, outcome, a negation or a claim added:
                # not a repeat
                decision = Decision(False, f"veto:{conflict}", 0.0, decision.scores)
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
