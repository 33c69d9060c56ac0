"""The pair statistics kernels (:mod:`crawler.dedup.kernels.pair`) and the within-article
check built on them, against a plainly correct reference written here: per pair, with
Python counters and sums, and the rules of :func:`crawler.dedup.within.within_article`
applied to every pair in turn. Statistics agree to a relative 1e-9 (sums in another
order differ in the last bits), decisions exactly. IDF weights are computed in the
kernels with the C library's logarithm, bit for bit as Python's ``math.log``."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.dedup import DedupEngine
from crawler.dedup.facts import added_facts
from crawler.dedup.kernels import pair as pk
from crawler.dedup.pairmodel import PAIR_MODEL_MIN_OVERLAP
from crawler.dedup.params import DedupParams
from crawler.dedup.verify import (
    Decision,
    IdfModel,
    PairStats,
    Profile,
    fact_conflict,
    judge,
    pair_stats,
    weigh,
)
from crawler.dedup.vocab import VOCAB
from crawler.dedup.within import (
    DEDUP_KINDS,
    LIST_ITEM,
    NEAR_EXCLUDED_KINDS,
    ArticleTerms,
    pair_stats_many,
    within_article,
)

TOL = 1e-9
SYLLABLES = ["ka", "lo", "mi", "ru", "te", "so", "va", "ne", "pi", "do", "gu", "fe"]
POOL = [
    *("".join(s) for s in itertools.islice(itertools.product(SYLLABLES, repeat=3), 90)),
    *("Velmora", "Oulu", "Tampere", "Laakso", "Nyman", "Berg", "Stockholm"),
    *("12", "2028", "9", "40"),
    *("the", "a", "of", "and", "to", "in", "will", "for", "that", "it", "said", "with"),
]
FACTS = st.sampled_from(["Velmora", "Oulu", "Nyman", "Berg", "12", "2028", "9", "40"])
"""Names and figures: edits that bring in one of them make vetoes and name conflicts."""
BACKGROUND = [
    " ".join(POOL[i] for i in range(k, len(POOL), 7)) + "." for k in range(7)
]  # documents the IDF model has seen before the article
LOOSE = DedupParams(
    near_min_words=2,
    within_min_words=3,
    within_rare_min=2,
    within_rare_share_min=0.1,
    within_idf_cosine_min=0.1,
    within_strong_rare_min=3,
    within_strong_share_min=0.15,
)
"""Low within-article thresholds, so that the rare-overlap rules fire on short texts."""
REPORTED = DedupParams(
    near_min_words=2,
    within_min_words=3,
    within_rare_min=2,
    within_rare_share_min=0.6,
    within_idf_cosine_min=0.95,
    within_strong_rare_min=99,
)
"""A rare overlap that is reported in the scores of a rejected pair but never decides."""


@st.composite
def paragraphs(draw: st.DrawFn) -> list[str]:
    """An article: fresh paragraphs from a window of a small vocabulary, and edited,
    trimmed, extended or joined copies of earlier ones, so that many pairs overlap."""
    words = st.lists(st.sampled_from(POOL), min_size=1, max_size=12)
    out: list[list[list[str]]] = []  # paragraphs as sentences of words
    for _ in range(draw(st.integers(0, 12))):
        how = draw(st.integers(0, 3)) if out else 0
        if how == 0:
            lo = draw(st.integers(0, len(POOL) - 1))
            window = (POOL * 2)[lo : lo + draw(st.integers(4, 60))]
            sentence = st.lists(st.sampled_from(window), min_size=1, max_size=12)
            para = draw(st.lists(sentence, max_size=5))
        elif how == 1:  # words replaced, dropped or added
            para = [list(s) for s in draw(st.sampled_from(out))]
            edits = st.tuples(st.integers(0, 2), st.integers(0, 999), st.sampled_from(POOL) | FACTS)
            for op, pos, word in draw(st.lists(edits, max_size=5)):
                if not para:
                    break
                s = para[pos % len(para)]
                at = pos // 7 % len(s)
                if op == 0:
                    s.insert(at, word)
                elif op == 1 and len(s) > 1:
                    del s[at]
                else:
                    s[at] = word
        elif how == 2:  # some sentences of an earlier one, maybe with new ones
            base = draw(st.sampled_from(out))
            lo = draw(st.integers(0, len(base)))
            hi = draw(st.integers(lo, len(base)))
            para = [list(s) for s in base[lo:hi]] + draw(st.lists(words, max_size=2))
        else:  # two earlier ones joined
            para = [list(s) for s in draw(st.sampled_from(out)) + draw(st.sampled_from(out))]
        out.append(para)
    return [" ".join(" ".join(s) + "." for s in para) for para in out]


def _background() -> IdfModel:
    """An IDF model that has seen the background documents."""
    idf = IdfModel()
    for text in BACKGROUND:
        idf.observe(Profile(text))
    return idf


def _article(texts: Sequence[str]) -> tuple[list[Profile], IdfModel]:
    """Profiles of the texts and an IDF model that has seen the background and them (as
    the engine's check does)."""
    idf = _background()
    profiles = [Profile(t) for t in texts]
    ArticleTerms(profiles).observe(idf)
    return profiles, idf


def _copy(idf: IdfModel) -> IdfModel:
    out = IdfModel()
    out.df, out.n_docs = idf.df.copy(), idf.n_docs
    return out


# --- the reference ----------------------------------------------------------------------


def _words(p: Profile) -> Counter[int]:
    """Content-word term ids of a profile and their occurrences."""
    return Counter(t for t in p.ids.tolist() if VOCAB.hashes[t] >= 0)


def _weight(idf: IdfModel, term: int) -> float:
    df = int(idf.df[term]) if term < len(idf.df) else 0
    return math.log((idf.n_docs + 1) / (df + 1.0)) + 1.0


def _tf(count: int) -> float:
    return 1.0 + math.log(count)


def _stats(a: Counter[int], b: Counter[int], idf: IdfModel) -> PairStats:
    w = {t: _weight(idf, t) for t in a.keys() | b.keys()}
    shared = a.keys() & b.keys()
    return PairStats(
        len(shared),
        len(a),
        len(b),
        math.fsum(w[t] for t in shared),
        math.fsum(w[t] for t in a),
        math.fsum(w[t] for t in b),
        math.fsum(_tf(a[t]) * w[t] * _tf(b[t]) * w[t] for t in shared),
        math.sqrt(math.fsum((_tf(c) * w[t]) ** 2 for t, c in a.items())),
        math.sqrt(math.fsum((_tf(c) * w[t]) ** 2 for t, c in b.items())),
    )


class Local:
    """The within-article statistics of the eligible paragraphs, pair by pair."""

    def __init__(self, words: Sequence[Counter[int]], eligible: Sequence[int]) -> None:
        self.n = n = len(eligible)
        self.words = words
        self.ldf = Counter(t for i in eligible for t in words[i])
        self.idf = {t: math.log((n + 1) / d) for t, d in self.ldf.items()}

    def norm(self, i: int) -> float:
        return math.sqrt(math.fsum((_tf(c) * self.idf[t]) ** 2 for t, c in self.words[i].items()))

    def pair(self, i: int, j: int) -> tuple[int, float, float]:
        """Exclusive words, rare share and local cosine of paragraphs ``i`` and ``j``."""
        a, b = self.words[i], self.words[j]
        shared = a.keys() & b.keys()
        exclusive = sum(1 for t in shared if self.ldf[t] == 2)
        dot = math.fsum(_tf(a[t]) * _tf(b[t]) * self.idf[t] ** 2 for t in shared)
        return exclusive, exclusive / min(len(a), len(b)), dot / (self.norm(i) * self.norm(j))


def _eligible(
    words: Sequence[Counter[int]],
    params: DedupParams,
    skip: set[int],
    kinds: Sequence[str] | None,
) -> list[int]:
    return [
        i
        for i, w in enumerate(words)
        if len(w) >= params.within_min_words
        and i not in skip
        and (kinds is None or kinds[i] not in NEAR_EXCLUDED_KINDS)
    ]


def _rare(
    local: Local, st_: PairStats, exclusive: int, share: float, cosine: float, p: DedupParams
) -> float:
    """2 if the pair passes the rare-overlap rule, 1 if its rare overlap is only reported,
    else 0 (the :data:`~crawler.dedup.kernels.pair.RARE` column)."""
    if local.n < 4 or st_.n_shared < p.within_rare_min:
        return 0.0
    if (
        exclusive >= p.within_rare_min
        and share >= p.within_rare_share_min
        and cosine >= p.within_idf_cosine_min
    ) or (exclusive >= p.within_strong_rare_min and share >= p.within_strong_share_min):
        return 2.0
    return 1.0 if exclusive >= p.within_rare_min else 0.0


Rejected = list[tuple[int, int, Decision]]


def reference_within(
    profiles: Sequence[Profile],
    idf: IdfModel,
    params: DedupParams,
    skip: set[int],
    kinds: Sequence[str] | None,
) -> tuple[dict[int, list[tuple[int, Decision]]], Rejected]:
    """Every pair in order (later, then earlier), each judged as ``within_article``
    describes. Returns, for each later paragraph, its accepted earlier paragraphs with
    their decisions, and the rejected pairs ``(earlier, later, decision)`` that go to a
    second opinion."""
    words = [_words(p) for p in profiles]
    eligible = _eligible(words, params, skip, kinds)
    local = Local(words, eligible)
    accepted: dict[int, list[tuple[int, Decision]]] = {}
    rejected: Rejected = []
    for j in eligible:
        for i in eligible:
            if i >= j or (kinds is not None and kinds[i] == kinds[j] == LIST_ITEM):
                continue
            stats = _stats(words[i], words[j], idf)
            exclusive, share, cosine = local.pair(i, j)
            rare = _rare(local, stats, exclusive, share, cosine, params)
            novelty = max(
                1.0 - stats.shared_weight / stats.total_a, 1.0 - stats.shared_weight / stats.total_b
            )
            if not (
                novelty <= params.max_novelty
                or stats.n_shared / min(stats.na, stats.nb) >= min(params.containment_min, 1.0)
                or 1.0 - novelty >= PAIR_MODEL_MIN_OVERLAP
                or rare == 2.0
            ):
                continue
            d = judge(stats, profiles[i], profiles[j], params, within=True)
            if not d.method.startswith("veto") and (d.duplicate or rare):
                conflict = fact_conflict(profiles[i], profiles[j]) or added_facts(
                    profiles[i], profiles[j]
                )
                if conflict is not None:
                    d = Decision(False, f"veto:{conflict}", 0.0, d.scores)
            if (
                d.duplicate
                and d.method == "minhash+verify:pair-model"
                and d.scores.get("name_conflict")
                and d.scores["min_words"] < params.within_name_veto_words
            ):
                d = Decision(False, "veto:names", 0.0, d.scores)
            if rare and not d.duplicate and not d.method.startswith("veto"):
                scores = {
                    **d.scores,
                    "rare_overlap": share,
                    "rare_shared": float(exclusive),
                    "local_idf_cosine": cosine,
                }
                if rare == 2.0:
                    method = (
                        "minhash+verify:rare-overlap+local-idf-cosine"
                        if cosine >= params.within_idf_cosine_min
                        else "minhash+verify:strong-rare-overlap"
                    )
                    d = Decision(True, method, share, scores)
                else:
                    d = Decision(False, d.method, d.score, scores)
            if d.duplicate:
                accepted.setdefault(j, []).append((i, d))
            else:
                rejected.append((i, j, d))
    return accepted, rejected


# --- helpers ----------------------------------------------------------------------------


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=TOL, abs_tol=TOL)


def _assert_stats(got: PairStats, want: PairStats) -> None:
    assert (got.n_shared, got.na, got.nb) == (want.n_shared, want.na, want.nb)
    for name in ("shared_weight", "total_a", "total_b", "dot", "norm_a", "norm_b"):
        assert _close(getattr(got, name), getattr(want, name)), name


def _assert_scores(got: dict[str, float], want: dict[str, float]) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert _close(got[key], value), key


def _plain(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The plain Python function under a compiled kernel (as ``NUMBA_DISABLE_JIT=1``
    runs it)."""
    return getattr(fn, "py_func", fn)


def _all_pairs(terms: ArticleTerms, idf: IdfModel, block: np.ndarray[Any, Any]) -> Any:
    """``within_pairs`` with thresholds that keep every pair of the eligible paragraphs
    (the pair rows, without counting the paragraphs into ``idf``)."""
    rows, n_words, counted = pk.within_pairs(
        terms.ids,
        terms.offsets,
        VOCAB.hashes,
        idf.fitted(),
        idf.n_docs,
        False,
        block,
        LOOSE.within_min_words,
        math.inf,
        1.0,
        0.0,
        float(LOOSE.within_rare_min),
        LOOSE.within_rare_share_min,
        LOOSE.within_idf_cosine_min,
        float(LOOSE.within_strong_rare_min),
        LOOSE.within_strong_share_min,
    )
    assert counted == 0 and np.array_equal(n_words, terms.n_words)
    return rows


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- tests ------------------------------------------------------------------------------


@FAST
@given(paragraphs())
def test_article_terms_equal_the_counted_words(texts: list[str]) -> None:
    profiles, _ = _article(texts)
    terms = ArticleTerms(profiles)
    assert terms.n == len(profiles) and terms.profiles is profiles
    for p, lo, hi in zip(profiles, terms.offsets[:-1], terms.offsets[1:], strict=True):
        assert np.array_equal(terms.ids[lo:hi], p.ids)
    words = [_words(p) for p in profiles]
    assert terms.n_words.tolist() == [len(w) for w in words]
    table, docs, n_words, indptr, cols, counts = pk.article_terms(
        terms.ids, terms.offsets, VOCAB.hashes
    )
    assert n_words.tolist() == [len(w) for w in words]
    assert sorted(table.tolist()) == sorted(set().union(*words))
    assert docs.tolist() == [sum(t in w for w in words) for t in table.tolist()]
    for row, w in enumerate(words):
        lo, hi = indptr[row], indptr[row + 1]
        assert dict(zip(table[cols[lo:hi]].tolist(), counts[lo:hi].tolist(), strict=True)) == w
    # observing the table counts each paragraph with content words as one document
    one_by_one, at_once = IdfModel(), IdfModel()
    for p in profiles:
        one_by_one.observe(p)
    fresh = ArticleTerms(profiles)
    fresh.observe(at_once)
    assert fresh.n_words.tolist() == [len(w) for w in words]
    assert at_once.n_docs == one_by_one.n_docs
    assert np.array_equal(at_once.df, one_by_one.df)


@FAST
@given(paragraphs(), st.integers(0, 12))
def test_pair_stats_many_equal_the_reference(texts: list[str], cut: int) -> None:
    profiles, idf = _article(texts)
    words = [_words(p) for p in profiles]
    pairs = [(a, b) for a in range(len(profiles)) for b in range(len(profiles))]
    got = pair_stats_many(profiles, pairs, idf)
    assert len(got) == len(pairs)
    for (a, b), stats in zip(pairs, got, strict=True):
        _assert_stats(stats, _stats(words[a], words[b], idf))
    # pairs across two lists (an article's paragraphs and candidates), in any order
    first, second = profiles[:cut], profiles[cut:]
    cross = [(b, a) for a in range(len(second)) for b in range(len(first))]
    got = pair_stats_many(ArticleTerms(first), cross, idf, others=second)
    assert got == pair_stats_many(first, cross, idf, others=ArticleTerms(second))
    for (a, b), stats in zip(cross, got, strict=True):
        _assert_stats(stats, _stats(words[a], words[cut + b], idf))


@FAST
@given(paragraphs(), st.data())
def test_within_pairs_statistics_equal_the_reference(texts: list[str], data: st.DataObject) -> None:
    profiles, idf = _article(texts)
    words = [_words(p) for p in profiles]
    n = len(texts)
    codes = data.draw(
        st.lists(st.sampled_from([pk.PARAGRAPH, pk.LEFT_OUT]), min_size=n, max_size=n)
    )
    block = np.array(codes, dtype=np.int8)
    skip = {i for i, b in enumerate(block.tolist()) if b == pk.LEFT_OUT}
    eligible = _eligible(words, LOOSE, skip, None)
    rows = _all_pairs(ArticleTerms(profiles), idf, block)
    want_pairs = [(i, j) for j in eligible for i in eligible if i < j]
    assert [(int(r[pk.EARLIER]), int(r[pk.LATER])) for r in rows] == want_pairs
    local = Local(words, eligible)
    for row, (i, j) in zip(rows.tolist(), want_pairs, strict=True):
        stats = PairStats(int(row[2]), int(row[3]), int(row[4]), *row[5:11])
        want = _stats(words[i], words[j], idf)
        _assert_stats(stats, want)
        exclusive, share, cosine = local.pair(i, j)
        assert row[pk.EXCLUSIVE] == exclusive
        assert _close(row[pk.RARE_SHARE], share)
        assert _close(row[pk.LOCAL_COS], cosine)
        if abs(cosine - LOOSE.within_idf_cosine_min) > TOL:
            assert row[pk.RARE] == _rare(local, want, exclusive, share, cosine, LOOSE)


def _check_within(
    profiles: list[Profile],
    idf: IdfModel,
    params: DedupParams,
    skip: set[int],
    kinds: list[str] | None,
    observe: bool = False,
) -> None:
    """``within_article`` against the reference, with ``idf`` having seen the article
    (with ``observe``, the check counts it into a model that has seen the background:
    the same model afterwards)."""
    second: Rejected = []

    def recheck(triples: Sequence[tuple[Profile, Profile, Decision]]) -> list[Decision]:
        index = {id(p): k for k, p in enumerate(profiles)}
        second.extend((index[id(a)], index[id(b)], d) for a, b, d in triples)
        return [Decision(False, d.method, d.score, d.scores) for _, _, d in triples]

    model = idf
    if observe:
        model = _background()
    terms = ArticleTerms(profiles)
    found = within_article(
        profiles, model, params, skip, terms, recheck=recheck, kinds=kinds, observe=observe
    )
    assert (model.n_docs, model.df[: len(idf.df)].tolist()) == (idf.n_docs, idf.df.tolist())
    assert terms.n_words.tolist() == [len(_words(p)) for p in profiles]
    accepted, rejected = reference_within(profiles, idf, params, skip, kinds)
    assert [(i, j, d.method) for i, j, d in second] == [(i, j, d.method) for i, j, d in rejected]
    for (_, _, got), (_, _, want) in zip(second, rejected, strict=True):
        assert (got.duplicate, _close(got.score, want.score)) == (want.duplicate, True)
        _assert_scores(got.scores, want.scores)
    assert sorted(found) == sorted(accepted)
    for j, (i, decision) in found.items():
        best = max(d.score for _, d in accepted[j])
        # the best-scoring earlier paragraph, the earliest of those tied
        tied = [(e, d) for e, d in accepted[j] if d.score >= best - TOL]
        assert i in [e for e, _ in tied]
        want = dict(tied)[i]
        assert (decision.duplicate, decision.method) == (want.duplicate, want.method)
        assert _close(decision.score, want.score)
        _assert_scores(decision.scores, want.scores)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs(), st.sampled_from([DedupParams(), LOOSE, REPORTED]), st.booleans(), st.data())
def test_within_article_decides_as_the_reference(
    texts: list[str], params: DedupParams, observe: bool, data: st.DataObject
) -> None:
    profiles, idf = _article(texts)
    n = len(texts)
    skip = data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=2)) if n else set()
    kinds = data.draw(
        st.none() | st.lists(st.sampled_from(sorted(DEDUP_KINDS)), min_size=n, max_size=n)
    )
    _check_within(profiles, idf, params, skip, kinds, observe)


@FAST
@given(paragraphs(), st.sampled_from([DedupParams(), LOOSE]))
def test_observing_in_the_check_equals_observing_first(
    texts: list[str], params: DedupParams
) -> None:
    # the engine's one call gives what observing, then checking gave: the same model,
    # the same decisions with the same scores, bit for bit
    profiles = [Profile(t) for t in texts]
    first, fused = _background(), _background()
    ArticleTerms(profiles).observe(first)
    want = within_article(profiles, first, params)
    got = within_article(profiles, fused, params, observe=True)
    assert (fused.n_docs, fused.df.tolist()) == (first.n_docs, first.df.tolist())
    assert got == want


def test_a_long_article_is_checked_through_the_inverted_index() -> None:
    # the size that used to take scipy's sparse path: every pair's statistics still agree
    texts = [
        " ".join(POOL[(k * 7 + m * m) % len(POOL)] for m in range(k % 23 + 5)) for k in range(160)
    ]
    texts += [t + " Velmora said." for t in texts[:40:3]]
    profiles, idf = _article(texts)
    _check_within(profiles, idf, LOOSE, set(), None)
    _check_within(profiles, idf, LOOSE, set(), None, observe=True)
    words = [_words(p) for p in profiles]
    pairs = [(a, b) for a in range(0, len(texts), 5) for b in range(len(texts))]
    for (a, b), stats in zip(pairs, pair_stats_many(profiles, pairs, idf), strict=True):
        _assert_stats(stats, _stats(words[a], words[b], idf))


def test_pair_stats_many_equal_the_pairwise_statistics_of_verify() -> None:
    texts = [
        "Velmora, a battery maker based in Tampere, said on Tuesday it will build a second "
        "cell factory near Oulu, adding 12 gigawatt hours of yearly capacity by 2028.",
        "The plant will make lithium iron phosphate cells for grid storage rather than cars.",
        "Velmora, the Tampere battery maker, announced Tuesday that a second cell factory near "
        "Oulu will add 12 gigawatt hours of annual capacity by 2028.",
        "",
    ]
    profiles, idf = _article(texts)
    pairs = list(itertools.combinations(range(len(texts)), 2))
    for (a, b), got in zip(pairs, pair_stats_many(profiles, pairs, idf), strict=True):
        want = pair_stats(weigh(profiles[a], idf), weigh(profiles[b], idf))
        _assert_stats(got, want)
    assert pair_stats_many(profiles, [], idf) == []
    with pytest.raises(IndexError):
        pair_stats_many(profiles, [(0, len(texts))], idf)
    with pytest.raises(IndexError):
        pair_stats_many(profiles, [(0, 0)], idf, others=[])


def test_article_terms_take_ids_already_in_one_array() -> None:
    profiles = [Profile(t) for t in ["Velmora builds cells near Oulu.", "", "Grid cells."]]
    ids = np.concatenate([p.ids for p in profiles])
    offsets = np.array([0, *itertools.accumulate(len(p.ids) for p in profiles)], dtype=np.int64)
    given_, built = ArticleTerms(profiles, ids, offsets), ArticleTerms(profiles)
    assert given_.ids is ids and given_.offsets is offsets
    assert np.array_equal(given_.ids, built.ids) and np.array_equal(given_.offsets, built.offsets)
    assert given_.n_words.tolist() == built.n_words.tolist() == [5, 0, 2]
    for bad in (offsets[:-1], offsets + 1, np.array([0, 1, 2, len(ids) + 1], dtype=np.int64)):
        with pytest.raises(ValueError, match="do not fit"):
            ArticleTerms(profiles, ids, bad)


def test_the_engine_counts_each_article_once() -> None:
    texts = ["Velmora builds a second cell factory near Oulu.", "", "The of and.", "Grid cells."]
    articles = [texts, texts[::-1], ["Velmora, the Tampere battery maker, builds in Oulu."]]
    engine, want = DedupEngine(), IdfModel()
    for article in articles:
        engine.check_article(article)
        ArticleTerms([Profile(t) for t in article]).observe(want)
    assert engine.idf.n_docs == want.n_docs == 5
    assert np.array_equal(engine.idf.df, want.df)


def test_kernels_refuse_a_term_beyond_the_document_frequencies() -> None:
    profiles = [Profile("Velmora builds a cell factory near Oulu."), Profile("Grid cells.")]
    terms = ArticleTerms(profiles)
    ids, offsets, hashes = terms.ids, terms.offsets, VOCAB.hashes
    short = np.zeros(int(ids[hashes[ids] >= 0].max()), dtype=np.int64)  # one content id out
    with pytest.raises(IndexError):
        pk.count_documents(ids, offsets, hashes, short)
    limits = (np.zeros(2, np.int8), 1, 0.3, 0.9, 0.35, 2.0, 0.1, 0.1, 3.0, 0.1)
    with pytest.raises(IndexError):
        pk.within_pairs(ids, offsets, hashes, short, 1, False, *limits)
    pairs = np.array([[0, 0], [1, 1]], dtype=np.int64)
    with pytest.raises(IndexError):
        pk.pair_stats(ids, offsets, ids, offsets, pairs, hashes, short, 1)


@FAST
@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=50), st.integers(0, 10**7))
def test_idf_weights_are_the_formula_with_the_c_logarithm(df: list[int], extra: int) -> None:
    n_docs = max(df) + extra
    terms = np.arange(len(df), dtype=np.int64)
    got = pk._weights(terms, np.array(df, dtype=np.int64), n_docs)
    assert got.tolist() == [math.log((n_docs + 1) / (d + 1.0)) + 1.0 for d in df]
    # numpy's vectorised logarithm may differ in the last bit
    idf = IdfModel()
    idf.df[: len(df)], idf.n_docs = df, n_docs
    assert np.allclose(got, idf.weights(terms), rtol=4e-16, atol=0.0)


def test_an_empty_article_has_no_terms_and_no_pairs() -> None:
    profiles, idf = _article([])
    terms = ArticleTerms(profiles)
    assert (terms.n, len(terms.ids), terms.offsets.tolist(), len(terms.n_words)) == (0, 0, [0], 0)
    assert within_article(profiles, idf, DedupParams(), observe=True) == {}
    assert pk.article_terms(terms.ids, terms.offsets, VOCAB.hashes)[3].tolist() == [0]
    profiles, idf = _article(["", "the of and", ""])
    n_docs = idf.n_docs
    terms = ArticleTerms(profiles)
    assert terms.n_words.tolist() == [0, 0, 0]
    assert within_article(profiles, idf, LOOSE, terms=terms, observe=True) == {}
    assert idf.n_docs == n_docs
    assert pair_stats_many(profiles, [(0, 1)], idf) == [PairStats(0, 0, 0, *[0.0] * 6)]


@settings(max_examples=40, deadline=None)
@given(paragraphs(), st.booleans())
def test_plain_python_kernels_give_the_same_results(texts: list[str], count: bool) -> None:
    profiles, idf = _article(texts)
    terms = ArticleTerms(profiles)
    ids, offsets, hashes = terms.ids, terms.offsets, VOCAB.hashes
    compiled = pk.article_terms(ids, offsets, hashes)
    plain = _plain(pk.article_terms)(ids, offsets, hashes)
    for x, y in zip(compiled, plain, strict=True):
        assert np.array_equal(x, y)
    block = np.zeros(len(profiles), dtype=np.int8)
    limits = (block, 3, 0.3, 0.9, 0.35, 2.0, 0.1, 0.1, 3.0, 0.15)
    df, plain_df = idf.fitted(), idf.fitted().copy()
    rows, n_words, counted = pk.within_pairs(ids, offsets, hashes, df, idf.n_docs, count, *limits)
    want = _plain(pk.within_pairs)(ids, offsets, hashes, plain_df, idf.n_docs, count, *limits)
    assert np.array_equal(rows, want[0]) and np.array_equal(n_words, want[1])
    assert counted == want[2] and np.array_equal(df, plain_df)
    assert np.array_equal(
        pk.count_documents(ids, offsets, hashes, df)[0],
        _plain(pk.count_documents)(ids, offsets, hashes, plain_df)[0],
    )
    assert np.array_equal(df, plain_df)
    pairs = np.array(list(itertools.product(range(len(profiles)), repeat=2)), dtype=np.int64)
    args = (ids, offsets, ids, offsets, pairs.reshape(-1, 2), hashes, df, idf.n_docs)
    assert np.array_equal(pk.pair_stats(*args), _plain(pk.pair_stats)(*args))
