"""Word-level highlight of what two paragraphs share, computed with difflib.

Texts are escaped first; only then are matching runs wrapped in ``<mark>``.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\S+|\s+")
_WORD_STRIP = re.compile(r"^\W+|\W+$")
# A lone shared word from this list is noise, not evidence: it is not marked.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "who",
        "with",
    ]
)


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """All tokens (words and the spaces between), and the indexes of the words."""
    tokens = _TOKEN.findall(text)
    words = [i for i, t in enumerate(tokens) if not t.isspace()]
    return tokens, words


def _key(token: str) -> str:
    return _WORD_STRIP.sub("", token.casefold()) or token


def highlight_pair(left: str, right: str) -> tuple[Markup, Markup, float]:
    """Both texts as HTML with shared word runs in ``<mark>``, and the share of words of
    the shorter text inside those runs.

    Example:
        >>> a, b, share = highlight_pair("The <cat> sat.", "A cat sat down")
        >>> str(a), str(b), round(share, 2)
        ('The <mark>&lt;cat&gt; sat.</mark>', 'A <mark>cat sat</mark> down', 0.67)
    """
    lt, lw = _tokens(left)
    rt, rw = _tokens(right)
    left_keys = [_key(lt[i]) for i in lw]
    matcher = SequenceMatcher(None, left_keys, [_key(rt[i]) for i in rw], False)
    left_marked: set[int] = set()
    right_marked: set[int] = set()
    for block in matcher.get_matching_blocks():
        if block.size == 1 and left_keys[block.a] in STOPWORDS:
            continue
        for k in range(block.size):
            left_marked.add(lw[block.a + k])
            right_marked.add(rw[block.b + k])
    shorter = min(len(lw), len(rw))
    marked = len(left_marked) if len(lw) <= len(rw) else len(right_marked)
    share = marked / shorter if shorter else 0.0
    return _render(lt, left_marked), _render(rt, right_marked), share


def _render(tokens: list[str], marked: set[int]) -> Markup:
    out: list[str] = []
    open_run = False
    for i, token in enumerate(tokens):
        in_run = i in marked or (
            token.isspace() and open_run and (i + 1) in marked and (i - 1) in marked
        )
        if in_run and not open_run:
            out.append("<mark>")
        elif not in_run and open_run:
            out.append("</mark>")
        open_run = in_run
        out.append(str(escape(token)))
    if open_run:
        out.append("</mark>")
    return Markup("".join(out))
