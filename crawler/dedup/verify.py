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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from crawler.dedup.features import (
    char4_overlap,
    fast_overlaps,
    id_relations,
    sequence_ratio,
)
from crawler.dedup.lexicon import OPPOSITES, STOPWORDS
from crawler.dedup.normalize import Tokenized, prepare, tokens_of_normalized
from crawler.dedup.pairmodel import (
    PAIR_MODEL_MIN_OVERLAP,
    SLOW_FEATURES,
    SLOW_RANGE,
    WITHIN_SLOW_RANGE,
    pair_model_score,
    pair_model_z,
    probability,
)
from crawler.dedup.params import DedupParams
from crawler.dedup.vocab import VOCAB
from crawler.dedup.wordfeatures import word_features

if TYPE_CHECKING:
    from crawler.dedup.signature import Signature

# A capitalised word after a space that follows neither a space nor sentence punctuation.
# For ASCII text the preceding character is checked in Python after a search for the
# space and capital (four times faster than the look-behind, the same matches: a match
# never spans a space, so skipping one cannot hide another).
_ASCII_NAME = re.compile(r" ([A-Z][A-Za-z0-9'’&.-]*)")
_NOT_BEFORE_NAME = frozenset(' \t\n\r\f\v\x1c\x1d\x1e\x1f.!?:;"“(')
_NAME = re.compile(r"(?<=[^\s.!?:;\"“(]) ([^\W\d_][\w'’&.-]*)")

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_EMPTY_IDS: IdArray = np.empty(0, dtype=np.int64)


class Profile:
    """What verification needs of one text: its term ids (see
    :mod:`crawler.dedup.vocab`); content words, token sets, figures, names, n-grams and
    sentences are derived on first use (token strings only when a signal needs them).

    Args:
        text: the paragraph.
        sentences: its tokens, if already computed (a signature's
            :attr:`~crawler.dedup.signature.Signature.sentences`, or see
            :func:`profiles_of`).
        ids: the term ids of its tokens, if already computed (valid for ``generation``).
        generation: the vocabulary generation ``ids`` belong to.
    """

    def __init__(
        self,
        text: str,
        sentences: Tokenized | None = None,
        ids: IdArray | None = None,
        generation: int = -1,
    ) -> None:
        if sentences is None:
            batch, terms, _ = VOCAB.tokenize([prepare(text)], max_keys=0)
            sentences, ids, generation = batch.text(0), terms[0], VOCAB.generation
        elif ids is None or generation != VOCAB.generation or len(ids) != sentences.n_tokens:
            joined = sentences.joined
            ids, _ = VOCAB.ids_of_joined(joined, np.array([0, len(joined)], dtype=np.int64))
        self.text = text
        self._tokenized = sentences
        self.ids: IdArray = ids

    @classmethod
    def from_signature(cls, text: str, sig: Signature) -> Profile:
        """The profile of a paragraph from its signature: ``Profile(text, sig.sentences,
        sig.term_ids, sig.generation)``, for less (once per paragraph checked): the
        signature's tokens and term ids are taken as they are if they belong to the current
        vocabulary generation, without counting the tokens against the ids
        (:meth:`~crawler.dedup.signature.Signer.signatures` makes them together)."""
        tokenized, ids = sig.sentences, sig.term_ids
        if tokenized is None or ids is None or sig.generation != VOCAB.generation:
            return cls(text, tokenized, ids, sig.generation)
        return cls._made(text, tokenized, ids)

    @classmethod
    def _made(cls, text: str, tokenized: Tokenized, ids: IdArray) -> Profile:
        """A profile of tokens and ids known to belong together (nothing checked)."""
        p = cls.__new__(cls)
        p.text = text
        p._tokenized = tokenized
        p.ids = ids
        return p

    @cached_property
    def _toks(self) -> list[str]:
        return self._tokenized.tokens()

    @property
    def token_list(self) -> list[str]:
        """The tokens, in text order."""
        return self._toks

    @property
    def sentence_tokens(self) -> list[list[str]]:
        """The tokens of each sentence, in text order."""
        return self._sentences

    @cached_property
    def _sentences(self) -> list[list[str]]:
        return self._tokenized.sentences()

    @property
    def has_tokens(self) -> bool:
        """Whether the text has any token at all."""
        return len(self.ids) > 0

    @property
    def n_tokens(self) -> int:
        """Number of tokens."""
        return len(self.ids)

    @cached_property
    def content_ids(self) -> IdArray:
        """Term ids of the content-word tokens (stopwords dropped), in text order."""
        ids = self.ids
        return ids[VOCAB.hashes[ids] >= 0] if len(ids) else _EMPTY_IDS

    @cached_property
    def _unique(self) -> tuple[IdArray, IdArray]:
        words, counts = np.unique(self.content_ids, return_counts=True)
        return words.astype(np.int64), counts.astype(np.int64)

    @property
    def words(self) -> IdArray:
        """Distinct content-word term ids, sorted."""
        return self._unique[0]

    @property
    def counts(self) -> IdArray:
        """Occurrences of each of :attr:`words`."""
        return self._unique[1]

    @property
    def n_words(self) -> int:
        """Number of distinct content words."""
        return len(self._unique[0])

    @cached_property
    def tokens(self) -> frozenset[str]:
        """Distinct tokens."""
        return frozenset(self._toks)

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Tokens that are figures."""
        return frozenset(t for t in self._toks if t[0].isdigit())

    @cached_property
    def padded(self) -> str:
        """The tokens joined by single spaces, with a space before and after: a token
        ``t`` is one of them exactly when ``f" {t} "`` occurs in it (tokens hold no
        spaces), which is cheaper than building the set of token strings."""
        return f" {self._tokenized.joined.decode('utf-8')} "

    @cached_property
    def names(self) -> frozenset[str]:
        """Capitalised words that do not open a sentence, normalised."""
        return _names(self.text)

    @cached_property
    def sentences(self) -> frozenset[tuple[str, ...]]:
        """Token tuples of the sentences."""
        return frozenset(tuple(s) for s in self._sentences if s)


def profile(text: str, sentences: Tokenized | None = None) -> Profile:
    """Build the :class:`Profile` of ``text`` (see :class:`Profile`)."""
    return Profile(text, sentences)


def profiles_of(texts: Sequence[str]) -> list[Profile]:
    """The :class:`Profile` of each text, tokenised together (one kernel call for the
    tokens and term ids of the texts, if all are ASCII once prepared)."""
    batch, terms, bounds = VOCAB.tokenize([prepare(text) for text in texts], max_keys=0)
    ids = terms[0]
    b = bounds.tolist()
    made = Profile._made
    return [made(text, batch.text(i), ids[b[i] : b[i + 1]]) for i, text in enumerate(texts)]


def _names(text: str) -> frozenset[str]:
    """Capitalised words that do not open a sentence (names, acronyms), normalised."""
    if text.isascii():
        before = _NOT_BEFORE_NAME
        found = [
            m.group(1)
            for m in _ASCII_NAME.finditer(text)
            if m.start() and text[m.start() - 1] not in before
        ]
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
    """Document frequencies of content-word terms, learned incrementally (a numpy array
    indexed by term id; it starts afresh when the vocabulary does)."""

    def __init__(self) -> None:
        self.df: IdArray = np.zeros(4096, dtype=np.int64)
        self.n_docs = 0
        self._generation = VOCAB.generation

    def _fit(self) -> None:
        if self._generation != VOCAB.generation:
            self.df = np.zeros(4096, dtype=np.int64)
            self.n_docs = 0
            self._generation = VOCAB.generation
        if len(self.df) < VOCAB.n_terms:
            self.df = np.concatenate(
                [self.df, np.zeros(max(VOCAB.n_terms, 2 * len(self.df)) - len(self.df), np.int64)]
            )

    def observe(self, p: Profile) -> None:
        """Count one document's distinct content words (a text without any is skipped)."""
        if p.n_words:
            self.observe_terms(p.words, np.ones(p.n_words, dtype=np.int64), 1)

    def observe_terms(self, terms: IdArray, docs: IdArray, n_docs: int) -> None:
        """Add ``docs[i]`` documents containing ``terms[i]`` (distinct), out of ``n_docs``."""
        self._fit()
        self.df[terms] += docs
        self.n_docs += n_docs

    def fitted(self) -> IdArray:
        """:attr:`df`, grown to the vocabulary's size (afresh if the vocabulary started
        afresh): for kernels that weigh terms themselves or count documents into it in
        place (and add them to :attr:`n_docs`)."""
        self._fit()
        return self.df

    def weights(self, terms: IdArray) -> FloatArray:
        """Smoothed IDF, ``log((N + 1) / (df + 1)) + 1``, of each term."""
        self._fit()
        return np.log((self.n_docs + 1) / (self.df[terms] + 1.0)) + 1.0


@dataclass(frozen=True, eq=False)
class Weighted:
    """A profile with IDF weights fixed for one check."""

    prof: Profile
    idf: dict[int, float]
    tfidf: dict[int, float]
    total: float
    norm: float


def weigh(p: Profile, idf: IdfModel) -> Weighted:
    """IDF weights of a profile's content words."""
    w = idf.weights(p.words)
    return _weighted(p, p.words, p.counts, w)


def _weighted(p: Profile, words: IdArray, counts: IdArray, w: FloatArray) -> Weighted:
    tf = w * (1.0 + np.log(counts))
    keys = words.tolist()
    return Weighted(
        p,
        dict(zip(keys, w.tolist(), strict=True)),
        dict(zip(keys, tf.tolist(), strict=True)),
        float(w.sum()),
        float(np.sqrt(np.dot(tf, tf))),
    )


class Weigher:
    """Weighs profiles with an :class:`IdfModel` (kept for callers of the old API)."""

    def __init__(self, idf: IdfModel) -> None:
        self.model = idf

    def __call__(self, p: Profile) -> Weighted:
        return weigh(p, self.model)


@dataclass(frozen=True)
class Decision:
    """The verdict on one pair."""

    duplicate: bool
    method: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


class PairStats(NamedTuple):
    """Set overlap of two profiles' content words, with IDF weights (a named tuple: one
    is built per candidate pair, and a tuple is the cheapest record to build)."""

    n_shared: int
    na: int
    nb: int
    shared_weight: float
    total_a: float
    total_b: float
    dot: float
    norm_a: float
    norm_b: float


def _name_conflict(own: frozenset[str], other: Profile) -> bool:
    """``own`` has a name that is not one of ``other``'s tokens."""
    padded = other.padded
    return any(f" {name} " not in padded for name in own)


class Relations(NamedTuple):
    """How the terms of two profiles relate (see :func:`relations`)."""

    a_figures: int
    a_extra_figure: bool
    b_extra_figure: bool
    a_inside_b: bool
    b_inside_a: bool


def relations(a: Profile, b: Profile) -> Relations:
    """The figures of ``a``, whether each side has a figure the other lacks, and whether
    each side's terms all occur in the other, in one kernel call over the term ids. (A
    figure's term is the token itself, so comparing figure ids compares figure tokens;
    the figures' term ids stand for the figure tokens one to one.)"""
    return Relations(*id_relations(a.ids, b.ids, VOCAB.numeric))


def number_conflict(a: Profile, b: Profile) -> bool:
    """Each side has a number the other lacks: different facts (the figures veto of
    :func:`judge`, whatever the overlap)."""
    rel = relations(a, b)
    return rel.a_extra_figure and rel.b_extra_figure


def _sentences_inside(a: Profile, b: Profile) -> bool:
    """Every sentence of ``a`` is a sentence of ``b`` and ``b`` has more (a trimmed copy)."""
    return bool(a.sentences) and len(a.sentences) < len(b.sentences) and a.sentences <= b.sentences


def pair_stats(a: Weighted, b: Weighted) -> PairStats:
    """:class:`PairStats` of two weighed profiles."""
    shared = a.idf.keys() & b.idf.keys()
    ai, at, bt = a.idf, a.tfidf, b.tfidf
    return PairStats(
        len(shared),
        len(ai),
        len(b.idf),
        sum(ai[w] for w in shared),
        a.total,
        b.total,
        sum(at[w] * bt[w] for w in shared),
        a.norm,
        b.norm,
    )


def decide(a: Weighted, b: Weighted, params: DedupParams) -> Decision:
    """Decide whether two paragraphs are the same paragraph (copy, light edit, trim or
    paraphrase). The decision the engine uses for cross-article candidates and that
    ``newsdedup eval dedup --pairs`` scores. See :func:`judge`."""
    return judge(pair_stats(a, b), a.prof, b.prof, params)


def judge(
    st: PairStats,
    pa: Profile,
    pb: Profile,
    params: DedupParams,
    use_model: bool = True,
    within: bool = False,
) -> Decision:
    """The decision rules, on precomputed overlap statistics.

    Rules, in order: too few content words (and not identical) -> no; a smaller side of
    at least ``long_containment_min_words`` content words with at least
    ``long_containment_min`` of its IDF weight in the other side -> yes (containment at
    length, see :func:`_long_containment`; not within one article); little overlap (IDF
    novelty above ``max_novelty``, containment below ``containment_min`` and IDF
    overlap below the pair model's floor) -> no; each side has a number the other lacks
    -> no (different facts, a veto); IDF novelty of both sides at most
    ``copy_max_novelty`` (a near copy) -> yes; at most ``max_novelty`` and the pair model
    agreeing -> yes; all sentences of one side are sentences of the other, with at least
    ``sentence_min_words`` content words -> yes (whole sentences cut or added); a long
    smaller side (``containment_min_words``) almost entirely inside the other
    (``containment_min`` and ``small_novelty_max``) -> yes; the pair model (a logistic
    model over overlap, n-gram and novelty features, see :mod:`crawler.dedup.pairmodel`)
    at least 0.5 -> yes (paraphrase); otherwise no. ``use_model=False`` leaves the model
    out (IDF novelty alone decides; for fitting). ``within`` (two paragraphs of one
    article): no containment at length (one article's long paragraphs share their topic's
    words; see :func:`crawler.dedup.within.within_article` for its own rules).
    """
    n_shared, na, nb = st.n_shared, st.na, st.nb
    small = min(na, nb)
    union = na + nb - n_shared
    nov_a = 1.0 - st.shared_weight / st.total_a if st.total_a else 1.0
    nov_b = 1.0 - st.shared_weight / st.total_b if st.total_b else 1.0
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
    small_total = st.total_a if na <= nb else st.total_b
    scores["small_overlap"] = st.shared_weight / small_total if small_total else 0.0
    if not within and small >= params.long_containment_min_words:
        long = _long_containment(scores, params)
        if long is not None:
            return long
    if (
        novelty > params.max_novelty
        and containment < min(params.containment_min, 1.0)
        and 1.0 - novelty < PAIR_MODEL_MIN_OVERLAP
    ):
        return Decision(False, "below-thresholds", 1.0 - novelty, scores)
    scores["idf_cosine"] = st.dot / (st.norm_a * st.norm_b) if st.norm_a and st.norm_b else 0.0
    scores["small_novelty"] = nov_a if na <= nb else nov_b
    rel = relations(pa, pb)
    scores["number_conflict"] = float(rel.a_extra_figure and rel.b_extra_figure)
    scores["name_conflict"] = float(_name_conflict(pa.names, pb) and _name_conflict(pb.names, pa))
    # a side whose sentences are all sentences of the other has all its terms there too
    scores["sentence_containment"] = float(
        containment == 1.0
        and (
            (rel.a_inside_b and _sentences_inside(pa, pb))
            or (rel.b_inside_a and _sentences_inside(pb, pa))
        )
    )
    if scores["number_conflict"]:
        return Decision(False, "veto:numbers", 0.0, scores)
    if novelty <= params.copy_max_novelty:
        return Decision(True, "minhash+verify:idf-novelty+immutables", 1.0 - novelty, scores)
    prob = -1.0
    if use_model:
        prob = _model(st, pa, pb, scores, within)
    if novelty <= params.max_novelty and (not use_model or prob >= 0.5):
        return Decision(True, "minhash+verify:idf-novelty+immutables", 1.0 - novelty, scores)
    rule = containment_rule(scores, params)
    if rule is not None:
        return rule
    if prob >= 0.5:
        return Decision(True, "minhash+verify:pair-model", prob, scores)
    return Decision(False, "below-thresholds", 1.0 - novelty, scores)


def _long_containment(scores: dict[str, float], params: DedupParams) -> Decision | None:
    """Containment at length: the smaller side (at least ``long_containment_min_words``
    content words) has at least ``long_containment_min`` of its IDF weight in the other
    side (a passage cut, merged, split, reordered or reworded from a longer text). The
    figures veto does not apply: at this length a copy that adds material of its own brings
    figures the source lacks (measured: 15 of 122 heavy revisions), and figures are
    content words, weighed in the overlap like any other. Scored as containment: the share
    of the smaller side found in the other, whatever the larger side holds besides."""
    if scores["small_overlap"] < params.long_containment_min:
        return None
    return Decision(True, "minhash+verify:long-containment", scores["small_overlap"], scores)


def _model(
    st: PairStats, pa: Profile, pb: Profile, scores: dict[str, float], within: bool = False
) -> float:
    """The pair model's probability; when the fast features already decide (see
    :data:`~crawler.dedup.pairmodel.SLOW_RANGE`), a bound of it (``pair_model_min`` or
    ``pair_model_max`` in ``scores``) instead of the exact value (``pair_model``).
    ``within``: the within-article constants
    (:data:`~crawler.dedup.pairmodel.WITHIN_WEIGHTS`)."""
    features = pair_features(st, pa, pb, scores, slow=False)
    z = pair_model_z(features, within)
    low, high = WITHIN_SLOW_RANGE if within else SLOW_RANGE
    lo, hi = z + low, z + high
    if lo >= 0.0:
        scores["pair_model_min"] = prob = probability(lo)
        return prob
    if hi < 0.0:
        scores["pair_model_max"] = prob = probability(hi)
        return prob
    for i, value in zip(SLOW_FEATURES, slow_features(pa, pb), strict=True):
        features[i] = value
    scores["pair_model"] = prob = pair_model_score(features, within)
    return prob


def containment_rule(scores: dict[str, float], params: DedupParams) -> Decision | None:
    """The acceptances for trimmed or extended copies (whole sentences inside the other
    side; a long smaller side almost entirely inside the other), else None."""
    small = scores["min_words"]
    if scores["sentence_containment"] and small >= params.sentence_min_words:
        return Decision(True, "minhash+verify:sentence-containment", 1.0, scores)
    if (
        small >= params.containment_min_words
        and scores["containment"] >= params.containment_min
        and scores["small_novelty"] <= params.small_novelty_max
    ):
        return Decision(True, "minhash+verify:containment", scores["containment"], scores)
    return None


def pair_features(
    st: PairStats, pa: Profile, pb: Profile, scores: dict[str, float], slow: bool = True
) -> list[float]:
    """The pair model's features (order: :data:`crawler.dedup.pairmodel.FEATURES`); with
    ``slow=False`` the slow ones (:data:`~crawler.dedup.pairmodel.SLOW_FEATURES`) are 0."""
    nov_a = 1.0 - st.shared_weight / st.total_a if st.total_a else 1.0
    nov_b = 1.0 - st.shared_weight / st.total_b if st.total_b else 1.0
    term_j, bi_j, bi_c, tri_j, tri_c = fast_overlaps(pa.ids, pb.ids)
    rel = relations(pa, pb)
    slow_values = slow_features(pa, pb) if slow else (0.0,) * len(SLOW_FEATURES)
    c4_j, c4_c, ratio, *words = slow_values
    un_a = st.total_a - st.shared_weight
    un_b = st.total_b - st.shared_weight
    longest = max(pa.n_tokens, pb.n_tokens)
    return [
        scores["idf_cosine"],
        1.0 - max(nov_a, nov_b),
        1.0 - min(nov_a, nov_b),
        term_j,
        bi_j,
        bi_c,
        tri_j,
        tri_c,
        math.log1p(max(un_a, un_b, 0.0)),
        math.log1p(max(min(un_a, un_b), 0.0)),
        math.log1p(max(st.na, st.nb) - st.n_shared),
        abs(pa.n_tokens - pb.n_tokens) / longest if longest else 0.0,
        scores["name_conflict"],
        c4_j,
        c4_c,
        ratio,
        float(rel.a_extra_figure or rel.b_extra_figure),
        float(rel.a_figures > 0 and not rel.a_extra_figure and not rel.b_extra_figure),
        float(_name_conflict(pa.names, pb) or _name_conflict(pb.names, pa)),
        *words,
    ]


def slow_features(pa: Profile, pb: Profile) -> tuple[float, ...]:
    """The pair model's slow features, in :data:`~crawler.dedup.pairmodel.SLOW_FEATURES`
    order: Jaccard and containment of character 4-grams, the matching-blocks ratio of
    the two term sequences (``difflib.SequenceMatcher(None, a, b, autojunk=False)``'s,
    computed by :func:`~crawler.dedup.features.sequence_ratio`), then the
    :data:`~crawler.dedup.wordfeatures.WORD_FEATURES`."""
    c4_j, c4_c = char4_overlap(_joined_bytes(pa), _joined_bytes(pb))
    return (c4_j, c4_c, sequence_ratio(pa.ids, pb.ids), *word_features(pa, pb))


def _joined_bytes(p: Profile) -> npt.NDArray[np.uint8]:
    """The tokens of ``p`` joined by spaces, UTF-8, as a byte array."""
    return np.frombuffer(p._tokenized.joined, dtype=np.uint8)


def verify_pair(a: Profile, b: Profile, idf: IdfModel, params: DedupParams) -> Decision:
    """:func:`decide` for two profiles, weighed with ``idf``."""
    return decide(weigh(a, idf), weigh(b, idf), params)


def fact_conflict(a: Profile, b: Profile) -> str | None:
    """How two overlapping paragraphs report different facts, besides figures (the
    within-article vetoes; None: no conflict found). Each sentence of one side is set
    against the sentence of the other that shares most of its content words; where they
    share at least :data:`RESTATED_SHARE` of the shorter one's (a restated sentence):

    - ``names``: each names someone or something the other does not (another actor; a
      name counts as present when a token of the other starts with its first five
      letters, so that "Europe" and "European" meet);
    - ``opposite``: a word of one whose opposite (:data:`~crawler.dedup.lexicon.OPPOSITES`)
      is in the other only (another outcome: "rose" for "fell").

    A negation put in and a clause added are the tests of :mod:`crawler.dedup.facts`
    (:func:`crawler.dedup.facts.added_facts`), applied beside this one within an article.
    The names test vetoes 27 true and 59 false ones of the 293 labelled within-article
    pairs of real pages (``bench/labels/within-dev.tsv``).
    """
    for x, y in ((a, b), (b, a)):
        for sx, sy in restated_sentences(x, y):
            conflict = _sentence_conflict(sx, sy, x, y)
            if conflict is not None:
                return conflict
    return None


RESTATED_SHARE = 0.5
"""The least share of the shorter sentence's content words in the other for the two to be
a restated sentence (see :func:`fact_conflict`)."""


def _content_tokens(sentence: list[str]) -> list[str]:
    return [t for t in sentence if t not in STOPWORDS]


def restated_sentences(x: Profile, y: Profile) -> list[tuple[list[str], list[str]]]:
    """Each sentence of ``x`` with the sentence of ``y`` sharing most of its content words,
    where they share at least :data:`RESTATED_SHARE` of the shorter one's."""
    ys = [(s, set(_content_tokens(s))) for s in y._sentences if s]
    out = []
    for sx in x._sentences:
        cx = set(_content_tokens(sx))
        if not cx or not ys:
            continue
        sy, cy = max(ys, key=lambda item: len(cx & item[1]))
        if cy and len(cx & cy) >= RESTATED_SHARE * min(len(cx), len(cy)):
            out.append((sx, sy))
    return out


def _sentence_conflict(sx: list[str], sy: list[str], x: Profile, y: Profile) -> str | None:
    tx, ty = set(sx), set(sy)
    names_x = {n for n in x.names if n in tx}
    names_y = {n for n in y.names if n in ty}
    if _new_name_in(names_x, ty) and _new_name_in(names_y, tx):
        return "names"
    for word in tx - ty:
        opposite = OPPOSITES.get(word)
        if opposite is not None and not opposite.isdisjoint(ty - tx):
            return "opposite"
    return None


def _new_name_in(names: set[str], tokens: set[str]) -> bool:
    """One of ``names`` has no token in ``tokens`` starting with its first five characters
    (the whole name, if shorter)."""
    return any(
        not any(t.startswith(n[:5]) for t in tokens) if len(n) > 5 else n not in tokens
        for n in names
    )
