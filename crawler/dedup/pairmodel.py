"""The pair model: a small logistic model that accepts paraphrases the fixed rules miss.

Features (:data:`FEATURES`, computed by :func:`crawler.dedup.verify.pair_features`):
IDF cosine, the IDF overlap of the more and of the less novel side (1 - novelty), Jaccard
of all terms (stopwords included), Jaccard and containment of term bigrams, trigrams and
character 4-grams (word order, spelling), the matching-blocks ratio of the two term
sequences, the log of the larger and of the smaller unmatched IDF mass, the log of the
larger count of unmatched content words, the relative difference in length, and the
agreement of figures and names (a side with a figure or name the other lacks; the same
figures on both sides), and the word features of :mod:`crawler.dedup.wordfeatures`
(overlap of light stems with prefix matches, a different number of negations, the Jaccard
index of the names). Pairs where each side has a figure the other lacks
never get
here: that is a veto.

The weights are constants, fitted once by ``python -m crawler.dedup.research.fit_pairs --data
FILE`` on the odd-numbered lines of the MSR paraphrase training file (L2-regularised
logistic regression, Newton's method, penalty 0.1), with the intercept moved so that the
engine's whole decision (rules, then this model) reaches precision 0.91 on those lines; the
even lines
were held out and the figures on them are reported by that command and in
``bench/README.md``. Only pairs that no figure veto stops and whose IDF overlap is at
least :data:`PAIR_MODEL_MIN_OVERLAP` are scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from crawler.dedup.wordfeatures import WORD_FEATURES

FEATURES = (
    "idf_cosine",
    "overlap_min",
    "overlap_max",
    "term_jaccard",
    "bigram_jaccard",
    "bigram_containment",
    "trigram_jaccard",
    "trigram_containment",
    "log_unmatched_idf_max",
    "log_unmatched_idf_min",
    "log_unmatched_words_max",
    "length_difference",
    "name_conflict",
    "char4_jaccard",
    "char4_containment",
    "sequence_ratio",
    "number_one_sided",
    "numbers_equal",
    "name_one_sided",
    *WORD_FEATURES,
)

PAIR_MODEL_MIN_OVERLAP = 0.35
"""Pairs with a smaller IDF overlap than this are not scored (none of the accepted
training pairs is below it)."""

# fitted by ``python -m crawler.dedup.research.fit_pairs --data msr_paraphrase_train.txt``
# (--l2 0.1, precision floor 0.91 on the training split, copy_max_novelty 0.15):
# train (odd lines): precision=0.910 recall=0.595 f1=0.720
# held out (even lines): precision=0.915 recall=0.601 f1=0.726
# whole file: precision=0.913 recall=0.598 f1=0.723
WEIGHTS = (
    1.893548,  # idf_cosine
    -3.911649,  # overlap_min
    0.762934,  # overlap_max
    1.779159,  # term_jaccard
    4.097530,  # bigram_jaccard
    -0.991671,  # bigram_containment
    1.864354,  # trigram_jaccard
    -6.673574,  # trigram_containment
    -1.790472,  # log_unmatched_idf_max
    0.244284,  # log_unmatched_idf_min
    1.306663,  # log_unmatched_words_max
    -1.524468,  # length_difference
    0.061662,  # name_conflict
    2.336498,  # char4_jaccard
    -0.822790,  # char4_containment
    5.460189,  # sequence_ratio
    -0.477673,  # number_one_sided
    0.104821,  # numbers_equal
    -0.026336,  # name_one_sided
    1.003875,  # soft_overlap_min
    1.786489,  # soft_overlap_max
    -1.296095,  # negations_differ
    -0.442877,  # names_jaccard
)
INTERCEPT = -1.169813


# the constants before the word features (fitted the same way, 19 features; the word
# features weighted 0): the within-article check keeps them, because with refitted
# constants (then six word features) it raised 28 flags of real pages that the labels do
# not cover and its labelled pair-model flags lost precision (19 true / 16 false against
# 23 / 14; bench/README.md)
WITHIN_WEIGHTS = (
    1.278802,  # idf_cosine
    -3.626599,  # overlap_min
    2.393279,  # overlap_max
    2.389181,  # term_jaccard
    3.855907,  # bigram_jaccard
    -1.167502,  # bigram_containment
    1.898866,  # trigram_jaccard
    -6.660747,  # trigram_containment
    -1.739749,  # log_unmatched_idf_max
    0.255161,  # log_unmatched_idf_min
    1.184250,  # log_unmatched_words_max
    -1.521487,  # length_difference
    0.082123,  # name_conflict
    2.578010,  # char4_jaccard
    -0.233086,  # char4_containment
    5.720924,  # sequence_ratio
    -0.453497,  # number_one_sided
    0.188142,  # numbers_equal
    0.021130,  # name_one_sided
    *(0.0 for _ in WORD_FEATURES),
)
WITHIN_INTERCEPT = -1.367665


def pair_model_z(features: Sequence[float], within: bool = False) -> float:
    """The model's log-odds (>= 0: accept); ``within``: with the within-article constants
    (:data:`WITHIN_WEIGHTS`)."""
    weights, intercept = (WITHIN_WEIGHTS, WITHIN_INTERCEPT) if within else (WEIGHTS, INTERCEPT)
    return intercept + sum(w * x for w, x in zip(weights, features, strict=True))


def probability(z: float) -> float:
    """The logistic function, safe for large ``|z|``."""
    if z < -40.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def pair_model_score(features: Sequence[float], within: bool = False) -> float:
    """Probability that the pair is a paraphrase (>= 0.5: accept)."""
    return probability(pair_model_z(features, within))


SLOW_FEATURES = tuple(
    FEATURES.index(name)
    for name in ("char4_jaccard", "char4_containment", "sequence_ratio", *WORD_FEATURES)
)
"""Features that cost more than the rest; each lies in [0, 1], so the log-odds without them
bound the log-odds with them, and they are computed only when the bounds do not decide."""
SLOW_RANGE = (
    sum(min(WEIGHTS[i], 0.0) for i in SLOW_FEATURES),
    sum(max(WEIGHTS[i], 0.0) for i in SLOW_FEATURES),
)
WITHIN_SLOW_RANGE = (
    sum(min(WITHIN_WEIGHTS[i], 0.0) for i in SLOW_FEATURES),
    sum(max(WITHIN_WEIGHTS[i], 0.0) for i in SLOW_FEATURES),
)
""":data:`SLOW_RANGE` for :data:`WITHIN_WEIGHTS`."""
