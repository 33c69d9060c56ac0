"""Different facts in a restated sentence: a negation put in, a clause added.

Two paragraphs of one article that share most of their words can still report different
facts. :func:`crawler.dedup.verify.fact_conflict` sets each sentence of one against the
sentence of the other that shares most of its content words (a restated sentence) and
looks for another actor or an opposite word; this module adds two tests on the same
sentence pairs, both on the order of the tokens so that a reworded repeat (words swapped
for others, sentences moved) does not trip them:

- :func:`negation_inserted`: one sentence negates what the other states, the negation
  standing where the other has none, between words both have in that order ("the plan
  is not ready" against "the plan is ready"; contractions are split first: "isnt" is
  "is not", "cannot" is "can not");
- :func:`clause_added`: one sentence holds, where the other has nothing in its place, a
  run of at least :data:`CLAUSE_MIN_WORDS` content words that the other paragraph does
  not have at all (a claim added: "..., and the company restated its earnings").

Plain Python, on token lists (see :mod:`crawler.dedup.normalize`).

Example:
    >>> negation_inserted("the plan is not ready yet".split(), "the plan is ready yet".split())
    True
    >>> negation_inserted("alcohol is not allowed".split(), "food and drink allowed".split())
    False
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from difflib import SequenceMatcher

from crawler.dedup.lexicon import NEGATIONS, STOPWORDS, expand_negations
from crawler.dedup.verify import Profile, restated_sentences

CLAUSE_MIN_WORDS = 3
"""The least number of content words, in a run where the other sentence has none, that
the other paragraph lacks altogether, for :func:`clause_added`: chosen on the fitting seed
(7) of ``newsdedup eval dedup --facts`` (3: 7 of 146 added clauses flagged, 145 of 146
repeats; 4: 19; 5: 36), checked on the labelled real pairs and held out on seed 8 (see
``bench/README.md``)."""


def _occurs(tokens: Sequence[str], pattern: Sequence[str | None]) -> bool:
    """Whether ``pattern`` (words, ``None`` for any one word but a negation) occurs in
    ``tokens`` as consecutive words."""
    n = len(pattern)
    for j in range(len(tokens) - n + 1):
        for k, want in enumerate(pattern):
            got = tokens[j + k]
            if got != want if want is not None else got in NEGATIONS:
                break
        else:
            return True
    return False


def negation_inserted(x: Sequence[str], y: Sequence[str]) -> bool:
    """Whether sentence ``x`` (tokens) negates where sentence ``y`` states: ``x`` has more
    negations than ``y``, and one of them stands where ``y`` has none, between words both
    have in that order. For ``x`` = ... a b NOT c d ..., ``y`` has "b c" ("is not ready" /
    "is ready"), or "a b _ d" or "a _ c d" (the word before or after the negation
    reworded: "it is not significant for" / "it is important for"), where ``_`` is a word
    other than a negation; a negation that ends ``x`` after "a b" matches a ``y`` that
    ends with "a b"."""
    xs, ys = expand_negations(x), expand_negations(y)
    if sum(t in NEGATIONS for t in xs) <= sum(t in NEGATIONS for t in ys):
        return False
    last = len(xs) - 1
    for i, tok in enumerate(xs):
        if tok not in NEGATIONS or i == 0:
            continue
        if i == last:
            if i >= 2 and list(ys[-2:]) == list(xs[i - 2 : i]):
                return True
            continue
        if _occurs(ys, (xs[i - 1], xs[i + 1])):
            return True
        if i >= 2 and i + 2 <= last:
            if _occurs(ys, (xs[i - 2], xs[i - 1], None, xs[i + 2])):
                return True
            if _occurs(ys, (xs[i - 2], None, xs[i + 1], xs[i + 2])):
                return True
    return False


def clause_added(
    x: Sequence[str], y: Sequence[str], other_words: Set[str], min_words: int = CLAUSE_MIN_WORDS
) -> bool:
    """Whether sentence ``x`` (tokens) holds, where sentence ``y`` has nothing in its place
    (an insertion in the alignment of their content words, or a replacement by at least
    ``min_words`` more words than it replaces), a run of at least ``min_words`` content
    words that are not in ``other_words`` (the content words of ``y``'s paragraph)."""
    cx = [t for t in x if t not in STOPWORDS]
    cy = [t for t in y if t not in STOPWORDS]
    if len(cx) - len(cy) < min_words:
        return False
    matcher = SequenceMatcher(None, cx, cy, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("insert", "delete", "replace"):
            continue
        if (i2 - i1) - (j2 - j1) < min_words:
            continue
        run = 0
        for t in cx[i1:i2]:
            run = run + 1 if t not in other_words else 0
            if run >= min_words:
                return True
    return False


ENGLISH_SHARE_MIN = 0.15
"""The least share of a paragraph's tokens that are English function words
(:data:`~crawler.dedup.lexicon.STOPWORDS`) for :func:`clause_added` to be asked of it:
content words are the words off that list, so in another language every function word
would count as one and a run of them would say nothing."""


def english_enough(p: Profile) -> bool:
    """At least :data:`ENGLISH_SHARE_MIN` of the tokens of ``p`` are English stopwords."""
    toks = p.token_list
    return bool(toks) and sum(t in STOPWORDS for t in toks) >= ENGLISH_SHARE_MIN * len(toks)


def added_facts(earlier: Profile, later: Profile) -> str | None:
    """How a later paragraph that restates an earlier one reports different facts, by the
    tests of this module (None: neither test finds any), for each restated sentence pair
    (:func:`~crawler.dedup.verify.restated_sentences`):

    - ``negation``: :func:`negation_inserted`, either way round;
    - ``clause``: :func:`clause_added` in the later paragraph's sentence (the later one
      adds a claim; an earlier paragraph longer than its repeat is a trimmed copy), if the
      later paragraph is English enough (:func:`english_enough`)."""
    for x, y in ((earlier, later), (later, earlier)):
        for sx, sy in restated_sentences(x, y):
            if negation_inserted(sx, sy):
                return "negation"
    if not english_enough(later):
        return None
    other = frozenset(t for t in earlier.token_list if t not in STOPWORDS)
    for sx, sy in restated_sentences(later, earlier):
        if clause_added(sx, sy, other, CLAUSE_MIN_WORDS):
            return "clause"
    return None
