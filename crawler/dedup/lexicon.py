"""Word lists and the light stemmer used by shingling and verification."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

LEXICON_VERSION = 1

# English function words: dropped from shingles and from the paraphrase signals, because
# they carry no content and make unrelated paragraphs look alike.
_STOPWORD_TEXT = """
    a about above after again against all almost also although always am among an and
    another any are around as at be because been before being below between both but by can
    could did do does doing done down during each either else even ever every few for from
    further had has have having he her here hers herself him himself his how however i if in
    into is it its itself just least less like many may me might more most much must my
    myself neither no nor not now of off often on once one only or other others our ours
    ourselves out over own per quite rather really said same say says she should since so
    some such than that the their theirs them themselves then there these they this those
    though through thus to too toward towards under until up upon us very via was we were
    what when where whether which while who whom whose why will with within without would
    yet you your yours yourself yourselves
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


def stem(word: str) -> str:
    """A deliberately light suffix stripper (plural, -ing, -ed, -ly), so that "policies",
    "policy" and "backed", "backing" meet. Words of four characters or less are kept."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "ly", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)]
    return word


_CONTENT_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 1_000_000


def content_counts(toks: list[str]) -> Counter[str]:
    """Counts of the stemmed content words of ``toks`` (memoised per token)."""
    cache = _CONTENT_CACHE
    try:
        counts = Counter(map(cache.__getitem__, toks))
    except KeyError:
        missing = [t for t in toks if t not in cache]
        if len(cache) + len(missing) >= _CACHE_LIMIT:
            cache.clear()
            missing = toks
        for tok in missing:
            cache[tok] = "" if tok in STOPWORDS else stem(tok)
        counts = Counter(map(cache.__getitem__, toks))
    counts.pop("", None)
    return counts


def content_words(toks: list[str]) -> list[str]:
    """Stemmed tokens without stopwords (memoised per token)."""
    cache = _CONTENT_CACHE
    out: list[str] = []
    for tok in toks:
        word = cache.get(tok)
        if word is None:
            word = "" if tok in STOPWORDS else stem(tok)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[tok] = word
        if word:
            out.append(word)
    return out


# Pairs of words of opposite sense: a paragraph that says one where another says the other
# reports a different outcome, not the same one reworded.
_OPPOSITE_TEXT = """
    rose fell  rise fall  rises falls  rising falling  up down  increase decrease
    increased decreased  increases decreases  higher lower  high low  gain loss  gained lost
    won lost  win lose  wins loses  winning losing  approved rejected  approve reject
    accept refuse  accepted refused  open close  opened closed  before after  more fewer
    more less  most least  support oppose  supported opposed  supports opposes  agreed refused
    confirmed denied  confirm deny  added removed  strong weak  stronger weaker  first last
    early late  earlier later  best worst  better worse  good bad  success failure
    succeeded failed  always never  profit loss  profits losses  buy sell  bought sold
    buying selling  hire fire  hired fired  expand shrink  expanded shrank  raise cut
    raised cut  start stop  started stopped  begin end  began ended  allow ban  allowed banned
    legal illegal  guilty innocent  true false  right wrong  north south  east west  above below
    inside outside  import export  imports exports  maximum minimum  majority minority
    """
_OPPOSITE_WORDS = _OPPOSITE_TEXT.split()
OPPOSITES: dict[str, frozenset[str]] = {}
for _a, _b in zip(_OPPOSITE_WORDS[::2], _OPPOSITE_WORDS[1::2], strict=True):
    OPPOSITES[_a] = OPPOSITES.get(_a, frozenset()) | {_b}
    OPPOSITES[_b] = OPPOSITES.get(_b, frozenset()) | {_a}


NEGATIONS = frozenset({"not", "nt", "no", "never", "nor", "neither", "none", "nothing", "nobody"})
"""Words that negate what follows (after :func:`expand_negations`; ``nt`` is what is left
of a "n't" written apart, as in "did n't")."""
_CONTRACTED = {
    "cannot": "can",
    "cant": "can",
    "wont": "will",
    "shant": "shall",
    "aint": "is",
}
"""Negated forms whose stem is not the form less its ``nt`` (the rest: ``isnt`` is
``is`` + ``not``, and so on for :data:`_NT_STEMS`)."""
_NT_STEMS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "would",
        "could",
        "should",
        "must",
        "need",
        "might",
        "dare",
    ]
)


def expand_negations(tokens: Sequence[str]) -> list[str]:
    """``tokens`` with each contracted negation split in two: ``isnt`` -> ``is not``,
    ``cannot`` / ``cant`` -> ``can not``, ``wont`` -> ``will not``."""
    out: list[str] = []
    for tok in tokens:
        base = _CONTRACTED.get(tok)
        if base is None and tok.endswith("nt") and tok[:-2] in _NT_STEMS:
            base = tok[:-2]
        if base is None:
            out.append(tok)
        else:
            out += (base, "not")
    return out
