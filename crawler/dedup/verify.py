"""Verification of candidate pairs: exact set overlap plus paraphrase-proof signals.

Every candidate the MinHash index proposes is checked here on the texts before anything is
flagged. Signals:

- ``jaccard`` and ``containment`` of the stemmed content-word sets (exact, not estimated);
- ``novelty``: the larger of the two sides' IDF-weighted share of words the other side
  lacks, and ``idf_cosine``, with IDF learned incrementally (:class:`IdfModel`) from the
  texts the engine has seen;
- immutables: numbers and names. A pair where each side has a number the other side lacks
  reports different facts: a veto, whatever the overlap (names are reported as a score);
- ``sentence_containment``: every sentence of one side recurs in the other (trimmed copy);
- within one article, ``rare_overlap``: the share of the smaller paragraph's content words
  that only this pair shares within the article (rare words, names, figures coming back
  together is what a reworded repeat of the intro looks like).
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from crawler.dedup.lexicon import STOPWORDS, content_counts
from crawler.dedup.normalize import prepare, sentence_tokens, tokens_of_normalized
from crawler.dedup.params import DedupParams

_ASCII_NAME = re.compile(r"(?<=[^\s.!?:;\"“(]) ([A-Z][A-Za-z0-9'’&.-]*)")
_NAME = re.compile(r"(?<=[^\s.!?:;\"“(]) ([^\W\d_][\w'’&.-]*)")


class Profile:
    """What verification needs of one text. Content words are counted at once; tokens,
    figures, names and sentences only when a decision gets that far.

    Args:
        text: the paragraph.
        sentences: its tokens per sentence, if already computed (see
            :func:`crawler.dedup.normalize.sentence_tokens`).
    """

    def __init__(self, text: str, sentences: list[list[str]] | None = None) -> None:
        if sentences is None:
            sentences = sentence_tokens(prepare(text))
        self.text = text
        self._sentences = sentences
        self._toks = sentences[0] if len(sentences) == 1 else [t for s in sentences for t in s]
        self.counts: dict[str, int] = content_counts(self._toks)
        self.words: frozenset[str] = frozenset(self.counts)

    @property
    def has_tokens(self) -> bool:
        """Whether the text has any token at all."""
        return bool(self._toks)

    @cached_property
    def tokens(self) -> frozenset[str]:
        """Distinct tokens."""
        return frozenset(self._toks)

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Tokens that are figures."""
        return frozenset(t for t in self._toks if t[0].isdigit())

    @cached_property
    def names(self) -> frozenset[str]:
        """Capitalised words that do not open a sentence, normalised."""
        return _names(self.text)

    @cached_property
    def sentences(self) -> frozenset[tuple[str, ...]]:
        """Token tuples of the sentences."""
        return frozenset(tuple(s) for s in self._sentences if s)


def profile(text: str, sentences: list[list[str]] | None = None) -> Profile:
    """Build the :class:`Profile` of ``text`` (see :class:`Profile`)."""
    return Profile(text, sentences)


def _names(text: str) -> frozenset[str]:
    """Capitalised words that do not open a sentence (names, acronyms), normalised."""
    if text.isascii():
        found = _ASCII_NAME.findall(text)
    else:
        found = [w for w in _NAME.findall(text) if w[0].isupper()]
    if not found:
        return frozenset()
    return frozenset(
        tok
        for tok in tokens_of_normalized(prepare(" ".join(found)))
        if tok not in STOPWORDS and not tok[0].isdigit()
    )


class IdfModel:
    """Document frequencies learned incrementally, bounded in memory.

    Args:
        max_vocab: when the vocabulary grows past this, words seen once are dropped.
    """

    def __init__(self, max_vocab: int = 500_000) -> None:
        self.df: Counter[str] = Counter()
        self.n_docs = 0
        self.max_vocab = max_vocab
        self._cache: dict[str, float] = {}
        self._cache_docs = 0

    def observe(self, words: Iterable[str]) -> None:
        """Count one document's distinct words."""
        self.df.update(set(words))
        self.n_docs += 1
        if len(self.df) > self.max_vocab:
            self.df = Counter({w: c for w, c in self.df.items() if c > 1})
            self._cache = {}

    def idf(self, word: str) -> float:
        """Smoothed IDF, ``log((N + 1) / (df + 1)) + 1``; unseen words get the maximum."""
        return math.log((self.n_docs + 1) / (self.df.get(word, 0) + 1)) + 1.0

    def snapshot(self) -> dict[str, float]:
        """A memo of IDF values, reused until the corpus has grown by 2 % (IDF moves
        slowly; recomputing it for every word of every check would dominate the cost)."""
        if self.n_docs > self._cache_docs * 1.02 or len(self._cache) > 2 * self.max_vocab:
            self._cache = {}
            self._cache_docs = self.n_docs
        return self._cache


@dataclass(frozen=True, eq=False)
class Weighted:
    """A profile with IDF weights fixed for one check."""

    prof: Profile
    idf: dict[str, float]
    tfidf: dict[str, float]
    total: float
    norm: float


class Weigher:
    """Weighs profiles with one snapshot of an :class:`IdfModel` (memoised per word)."""

    def __init__(self, idf: IdfModel) -> None:
        self.model = idf
        self._cache = idf.snapshot()

    def __call__(self, p: Profile) -> Weighted:
        cache = self._cache
        try:
            w = {k: cache[k] for k in p.words}
        except KeyError:
            idf = self.model.idf
            for k in p.words:
                if k not in cache:
                    cache[k] = idf(k)
            w = {k: cache[k] for k in p.words}
        tfidf = w.copy()
        for k, n in p.counts.items():
            if n > 1:
                tfidf[k] = w[k] * (1.0 + math.log(n))
        values = list(tfidf.values())
        norm = math.sqrt(sum(map(operator.mul, values, values)))
        return Weighted(p, w, tfidf, sum(w.values()), norm)


@dataclass(frozen=True)
class Decision:
    """The verdict on one pair."""

    duplicate: bool
    method: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def _conflict(own: frozenset[str], other_tokens: frozenset[str]) -> bool:
    return any(x not in other_tokens for x in own)


def _sentences_inside(a: Profile, b: Profile) -> bool:
    """Every sentence of ``a`` is a sentence of ``b`` and ``b`` has more (a trimmed copy)."""
    return bool(a.sentences) and len(a.sentences) < len(b.sentences) and a.sentences <= b.sentences


def decide(a: Weighted, b: Weighted, params: DedupParams) -> Decision:
    """Decide whether two paragraphs are the same paragraph (copy, light edit, trim or
    paraphrase). The decision the engine uses for cross-article candidates and that
    ``newsdedup eval dedup --pairs`` scores.

    Rules, in order: too few content words (and not identical) -> no; each side has a
    number the other lacks -> no (different facts); IDF novelty of both sides at most
    ``max_novelty`` -> yes; all sentences of one side are sentences of the other, with at
    least ``sentence_min_words`` content words -> yes (whole sentences cut or added); a long
    smaller side (``containment_min_words``) almost entirely inside the other
    (``containment_min`` and ``small_novelty_max``) -> yes; otherwise no.
    """
    pa, pb = a.prof, b.prof
    shared = pa.words & pb.words
    n_shared = len(shared)
    na, nb = len(pa.words), len(pb.words)
    small = min(na, nb)
    union = na + nb - n_shared
    shared_weight = sum(a.idf[w] for w in shared)
    nov_a = 1.0 - shared_weight / a.total if a.total else 1.0
    nov_b = 1.0 - shared_weight / b.total if b.total else 1.0
    novelty = max(nov_a, nov_b)
    containment = n_shared / small if small else 0.0
    scores = {
        "jaccard": n_shared / union if union else 0.0,
        "containment": containment,
        "novelty": novelty,
        "min_words": float(small),
    }
    if small < params.near_min_words and scores["jaccard"] < 1.0:
        return Decision(False, "too-short", 0.0, scores)
    if novelty > params.max_novelty and containment < min(params.containment_min, 1.0):
        return Decision(False, "below-thresholds", 1.0 - novelty, scores)
    dot = sum(a.tfidf[w] * b.tfidf[w] for w in shared)
    scores["idf_cosine"] = dot / (a.norm * b.norm) if a.norm and b.norm else 0.0
    scores["small_novelty"] = nov_a if na <= nb else nov_b
    scores["number_conflict"] = float(
        _conflict(pa.numbers, pb.tokens) and _conflict(pb.numbers, pa.tokens)
    )
    scores["name_conflict"] = float(
        _conflict(pa.names, pb.tokens) and _conflict(pb.names, pa.tokens)
    )
    scores["sentence_containment"] = float(
        containment == 1.0 and (_sentences_inside(pa, pb) or _sentences_inside(pb, pa))
    )
    if scores["number_conflict"]:
        return Decision(False, "veto:numbers", 0.0, scores)
    if novelty <= params.max_novelty:
        return Decision(True, "minhash+verify:idf-novelty+immutables", 1.0 - novelty, scores)
    if scores["sentence_containment"] and small >= params.sentence_min_words:
        return Decision(True, "minhash+verify:sentence-containment", 1.0, scores)
    if (
        small >= params.containment_min_words
        and containment >= params.containment_min
        and scores["small_novelty"] <= params.small_novelty_max
    ):
        return Decision(True, "minhash+verify:containment", containment, scores)
    return Decision(False, "below-thresholds", 1.0 - novelty, scores)


def verify_pair(a: Profile, b: Profile, idf: IdfModel, params: DedupParams) -> Decision:
    """:func:`decide` for two profiles, weighed with ``idf``."""
    weigh = Weigher(idf)
    return decide(weigh(a), weigh(b), params)


def within_article(
    profiles: Sequence[Profile],
    idf: IdfModel,
    params: DedupParams,
    skip: AbstractSet[int] = frozenset(),
    weighted: Sequence[Weighted] | None = None,
) -> dict[int, tuple[int, Decision]]:
    """Near repeats inside one article: for each later paragraph that repeats an earlier
    one, ``{later: (earlier, decision)}`` (the best-scoring earlier paragraph).

    Besides :func:`decide`, a pair is a reworded repeat when the words that only this
    pair shares within the article (no other paragraph has them) make up at least
    ``within_rare_share_min`` of the smaller paragraph, at least ``within_rare_min`` of them,
    with article-local IDF cosine at least ``within_idf_cosine_min``. This needs at least
    four eligible paragraphs, so that "only this pair" means something.

    Args:
        profiles: the article's paragraphs in order.
        idf: document frequencies learned so far.
        params: thresholds.
        skip: positions left out (e.g. exact repeats, already flagged).
        weighted: the profiles already weighed (same order), if at hand.
    """
    eligible = [
        i
        for i, p in enumerate(profiles)
        if len(p.counts) >= params.within_min_words and i not in skip
    ]
    if len(eligible) < 2:
        return {}
    if weighted is None:
        weigh = Weigher(idf)
        weighted = [weigh(p) for p in profiles]
    local_df: Counter[str] = Counter()
    for i in eligible:
        local_df.update(profiles[i].words)
    n = len(eligible)
    local_idf = {w: math.log((n + 1) / c) for w, c in local_df.items()}
    local: dict[int, tuple[dict[str, float], float]] = {}

    def local_vector(i: int) -> tuple[dict[str, float], float]:
        if i not in local:
            local[i] = _local_vector(profiles[i], local_idf)
        return local[i]

    found: dict[int, tuple[int, Decision]] = {}
    for pos, j in enumerate(eligible):
        for i in eligible[:pos]:
            decision = decide(weighted[i], weighted[j], params)
            if not decision.duplicate and not decision.method.startswith("veto") and n >= 4:
                decision = _rare_overlap(
                    profiles[i], profiles[j], local_vector, (i, j), local_df, decision, params
                )
            if decision.duplicate and (j not in found or decision.score > found[j][1].score):
                found[j] = (i, decision)
    return found


def _local_vector(p: Profile, local_idf: dict[str, float]) -> tuple[dict[str, float], float]:
    vec = {k: local_idf[k] * (1.0 + math.log(c)) for k, c in p.counts.items()}
    return vec, math.sqrt(sum(v * v for v in vec.values()))


def _rare_overlap(
    a: Profile,
    b: Profile,
    local_vector: Callable[[int], tuple[dict[str, float], float]],
    pair: tuple[int, int],
    local_df: Counter[str],
    decision: Decision,
    params: DedupParams,
) -> Decision:
    shared = a.words & b.words
    if len(shared) < params.within_rare_min:
        return decision
    exclusive = [w for w in shared if local_df[w] == 2]
    if len(exclusive) < params.within_rare_min:
        return decision
    small = min(len(a.words), len(b.words))
    rare_overlap = len(exclusive) / small if small else 0.0
    la, lb = local_vector(pair[0]), local_vector(pair[1])
    dot = sum(la[0][w] * lb[0][w] for w in shared)
    local_cos = dot / (la[1] * lb[1]) if la[1] and lb[1] else 0.0
    scores = dict(decision.scores)
    scores.update(
        rare_overlap=rare_overlap, rare_shared=float(len(exclusive)), local_idf_cosine=local_cos
    )
    if rare_overlap >= params.within_rare_share_min and local_cos >= params.within_idf_cosine_min:
        return Decision(True, "minhash+verify:rare-overlap+local-idf-cosine", rare_overlap, scores)
    return Decision(False, decision.method, decision.score, scores)
