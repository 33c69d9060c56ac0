"""Pair-model features on the words themselves (stems, prefixes, negations, names).

The term-id features of :func:`crawler.dedup.verify.pair_features` compare tokens as
they are; these compare the light stems of the content words
(:func:`crawler.dedup.lexicon.stem`), let an unmatched word of one side meet an unmatched
word of the other with the same first five letters ("restructure" / "restructuring"),
count the negations of each side after splitting contractions
(:func:`crawler.dedup.lexicon.expand_negations`) and set the names of the two sides side by
side. Each lies in [0, 1], so that the pair model can leave them to the cases its other
features leave open (see :data:`crawler.dedup.pairmodel.SLOW_FEATURES`).

Example:
    >>> from crawler.dedup.verify import profile
    >>> f = word_features(profile("Shares rose sharply."), profile("The shares rose."))
    >>> [round(v, 3) for v in f]
    [0.667, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.dedup.lexicon import NEGATIONS, content_words, expand_negations

if TYPE_CHECKING:
    from crawler.dedup.verify import Profile

WORD_FEATURES = (
    "soft_overlap_min",
    "soft_overlap_max",
    "negations_differ",
    "names_jaccard",
)
"""The names of :func:`word_features`' values, in order."""
PREFIX = 5
"""Letters two unmatched stems share at the start to count as one word (both at least
this long)."""


def _soft_matches(own: set[str], other: set[str]) -> int:
    """Words of ``own`` whose first :data:`PREFIX` letters begin a word of ``other``."""
    starts = {w[:PREFIX] for w in other if len(w) >= PREFIX}
    return sum(1 for w in own if len(w) >= PREFIX and w[:PREFIX] in starts)


def word_features(pa: Profile, pb: Profile) -> tuple[float, ...]:
    """The :data:`WORD_FEATURES` of a pair: the smaller and the larger share of a side's
    distinct content stems found in the other (exactly, or as an unmatched stem with the
    same first :data:`PREFIX` letters as an unmatched stem of the other); whether the two
    sides have different numbers of negations; and the Jaccard index of their names."""
    ta, tb = pa.token_list, pb.token_list
    sa, sb = set(content_words(ta)), set(content_words(tb))
    shared = len(sa & sb)
    ua, ub = sa - sb, sb - sa
    soft_a = (shared + _soft_matches(ua, ub)) / len(sa) if sa else 0.0
    soft_b = (shared + _soft_matches(ub, ua)) / len(sb) if sb else 0.0
    neg_a = sum(t in NEGATIONS for t in expand_negations(ta))
    neg_b = sum(t in NEGATIONS for t in expand_negations(tb))
    names_a, names_b = pa.names, pb.names
    union = len(names_a | names_b)
    return (
        min(soft_a, soft_b),
        max(soft_a, soft_b),
        float(neg_a != neg_b),
        len(names_a & names_b) / union if union else 0.0,
    )
