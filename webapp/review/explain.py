"""Plain words for what the dedup engine stored: the method that flagged a pair, each
score next to its threshold, and the reason a cluster's original was chosen.

Thresholds are the defaults of :class:`crawler.dedup.params.DedupParams`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.dedup.params import DedupParams

_P = DedupParams()


@dataclass(frozen=True)
class Explained:
    """One stored figure with its meaning."""

    name: str
    label: str
    value: str
    meaning: str


METHODS = {
    "exact-hash": "Exact copy: the two paragraphs are the same text once case, spacing and "
    "punctuation are ignored (the same normalised-text hash).",
    "norm_hash": "Exact copy: the two paragraphs are the same text once case, spacing and "
    "punctuation are ignored.",
    "minhash+verify:idf-novelty+immutables": "Near copy: MinHash found the pair, and almost "
    f"every weighted word of each side is in the other (new words at most "
    f"{_P.max_novelty:.0%} of the weight; {_P.copy_max_novelty:.0%} or less counts as a "
    "copy even without the model); no side has a figure the other lacks.",
    "minhash+verify:pair-model": "Paraphrase: MinHash found the pair, and the pair model "
    "(word, two- and three-word overlaps and new-word shares) puts the chance that it is "
    "the same paragraph at 50% or more.",
    "minhash+verify:sentence-containment": "Trimmed or extended copy: every sentence of one "
    f"side is a sentence of the other (at least {_P.sentence_min_words} content words).",
    "minhash+verify:containment": "Trimmed copy: the shorter side (at least "
    f"{_P.containment_min_words} words) is almost entirely inside the longer one (at least "
    f"{_P.containment_min:.0%} of its words, at most {_P.small_novelty_max:.0%} new weight).",
    "minhash+verify:rare-overlap+local-idf-cosine": "Repeat inside the article: the two "
    f"paragraphs share at least {_P.within_rare_min} words that are rare in this article, "
    f"and their weighted word vectors point the same way (cosine at least "
    f"{_P.within_idf_cosine_min}).",
    "minhash+verify:strong-rare-overlap": "Repeat inside the article: the two paragraphs "
    f"share at least {_P.within_strong_rare_min} words that are rare in this article.",
    "minhash+jaccard": "Near copy: MinHash found the pair and most of their words are the "
    "same (word-set overlap, Jaccard).",
    "boilerplate": "Site boilerplate: the same text appears on many pages of this site.",
}

SCORES = {
    "jaccard": ("Shared words", "share of all distinct words that both sides use"),
    "containment": ("Shorter side inside", "share of the shorter side's words found in the other"),
    "novelty": (
        "New words",
        f"weighted share of words only one side has (a copy: at most {_P.max_novelty:.0%})",
    ),
    "small_novelty": ("New words, shorter side", "the same for the shorter side alone"),
    "min_words": ("Words, shorter side", "content words of the shorter paragraph"),
    "idf_cosine": ("Weighted similarity", "cosine of the two weighted word vectors (1 = same)"),
    "number_conflict": (
        "Different figures",
        "1 when each side has a number the other lacks (then it is never a duplicate)",
    ),
    "name_conflict": ("Different names", "1 when each side names someone the other does not"),
    "sentence_containment": (
        "Whole sentences inside",
        "1 when every sentence of one side is in the other",
    ),
    "pair_model": ("Paraphrase model", "the pair model's chance that it is the same paragraph"),
    "pair_model_min": ("Paraphrase model, at least", "a lower bound of the model's chance"),
    "pair_model_max": ("Paraphrase model, at most", "an upper bound of the model's chance"),
    "embedding_cosine": ("Meaning similarity", "cosine of sentence embeddings (1 = same)"),
    "exact": ("Exact copy", "1 when the normalised texts are the same"),
    "rare_shared": ("Rare words shared", "words rare in the article that both sides use"),
}


def method_words(method: str) -> str:
    """What the method that flagged a pair means, in plain words."""
    if method in METHODS:
        return METHODS[method]
    if method.startswith("embedding"):
        return "Paraphrase confirmed by sentence embeddings (optional extra)."
    return f"Flagged by {method}."


def _figure(name: str, value: float) -> str:
    if name in ("number_conflict", "name_conflict", "sentence_containment"):
        return "yes" if value else "no"
    if name == "min_words":
        return str(int(value))
    if name in ("idf_cosine", "embedding_cosine"):
        return f"{value:.2f}"
    return f"{value:.0%}"


def score_words(scores: dict[str, object]) -> list[Explained]:
    """Every stored score with a label, a readable value and what it means."""
    out = []
    for name, value in sorted(scores.items()):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        label, meaning = SCORES.get(name, (name.replace("_", " ").capitalize(), ""))
        out.append(Explained(name, label, _figure(name, float(value)), meaning))
    return out


@dataclass(frozen=True)
class Member:
    """What the reason needs to know about a cluster member."""

    article_id: int
    source: str
    title: str | None


def _article(members: Sequence[Member], article_id: int) -> str:
    for m in members:
        if m.article_id == article_id:
            return f"{m.source}'s article “{m.title or 'untitled'}”"
    return f"article {article_id}"


def cluster_reason(
    reason: str | None, members: Sequence[Member], original: int | None = None
) -> str:
    """A cluster's stored reason in plain words, naming the articles.

    Example:
        >>> cluster_reason("credit line: 1 member(s) credit article 3",
        ...                [Member(3, "techwire", "Chip plants")])
        "1 copy credits techwire's article “Chip plants” in a credit line."
    """
    if not reason:
        return "No reason recorded."
    match = re.fullmatch(
        r"(canonical link|credit line): (\d+) member\(s\) \w+ (?:to )?article (\d+)", reason
    )
    if match:
        kind, count, article = match.group(1), int(match.group(2)), int(match.group(3))
        copies = f"{count} cop{'y' if count == 1 else 'ies'}"
        if kind == "credit line":
            verb = "credits" if count == 1 else "credit"
            return f"{copies} {verb} {_article(members, article)} in a credit line."
        verb = "points" if count == 1 else "point"
        return f"{copies} {verb} to {_article(members, article)} with a canonical link."
    match = re.fullmatch(r"earliest (published date|first seen) (.+)", reason)
    if match:
        what = "was published first" if match.group(1) == "published date" else "was seen first"
        who = _article(members, original) if original is not None else "The original"
        who = who[:1].upper() + who[1:]
        return f"{who} {what} ({match.group(2)}); no copy credits or links to another."
    if reason == "only member":
        return "The only article of the cluster."
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
