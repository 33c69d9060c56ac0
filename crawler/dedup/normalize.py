"""Text normalisation and tokenisation for dedup.

Policy (versioned by :data:`NORMALIZATION_VERSION`, part of the shingling name):

- Unicode NFKC, then ``casefold``.
- Possessive ``'s`` is dropped, other apostrophes inside words too (``don't`` ->
  ``dont``); other punctuation splits.
- Digits are kept: numbers are the strongest "immutable" facts of a news paragraph.
  Thousands separators are removed and decimal commas become points, so ``1,000`` and
  ``1000`` agree and ``3,5`` and ``3.5`` agree.
- Text in scripts written without spaces (Han, Hiragana, Katakana, Thai...) is split into
  single characters, so word n-grams over it become character n-grams.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

NORMALIZATION_VERSION = 1

_POSSESSIVE = re.compile(r"(?<=\w)['\u2019\u02bc]s\b")
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc`](?=\w)")
_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\u00a0\u2009](?=\d{3}(?!\d))")
_HAS_APOSTROPHE = re.compile(r"['\u2019\u02bc`]")
_HAS_DIGIT_SEP = re.compile(r"\d[,\u202f\u00a0\u2009]\d")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_ASCII_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)*[a-z]*|[a-z]+")
_TOKEN = re.compile(r"\d+(?:\.\d+)*(?:[^\W\d_]+)?|[^\W\d_]+", re.UNICODE)
# Scripts commonly written without spaces between words.
NO_SPACE_SCRIPT = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (NFKC, casefolded, numbers unified,
    whitespace collapsed). Punctuation other than apostrophes is kept here; it is
    dropped by :func:`tokens`."""
    return " ".join(prepare(text).split())


# Typographic characters of English text folded to ASCII characters that tokenise the
# same way (NFKC gives the same for the ellipsis and the spaces; the curly apostrophe is
# an apostrophe in both paths; the others are separators), so that text whose only
# non-ASCII characters are these takes the faster ASCII path.
_TYPOGRAPHIC = (
    ("\u2019", "'"),
    ("\u2018", '"'),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u2026", "..."),
    ("\u00a0", " "),
    ("\u2009", " "),
    ("\u202f", " "),
)


def _fold_typographic(text: str) -> str:
    for char, plain in _TYPOGRAPHIC:
        if char in text:
            text = text.replace(char, plain)
    return text


def prepare(text: str) -> str:
    """:func:`normalize` without collapsing whitespace (enough for tokenising)."""
    if not text.isascii():
        folded = _fold_typographic(text)
        if folded.isascii():
            text = folded
    if text.isascii():
        text = text.lower()
        if "'" in text or "`" in text:
            text = _APOSTROPHES.sub("", _POSSESSIVE.sub("", text))
    else:
        text = unicodedata.normalize("NFKC", text).casefold()
        if _HAS_APOSTROPHE.search(text):
            text = _APOSTROPHES.sub("", _POSSESSIVE.sub("", text))
    if ("," in text or not text.isascii()) and _HAS_DIGIT_SEP.search(text):
        text = _THOUSANDS.sub("", text)
        text = _DECIMAL_COMMA.sub(".", text)
    return text


def tokens_of_normalized(norm: str) -> list[str]:
    """Split already-normalised text into tokens (see :func:`tokens`)."""
    if norm.isascii():
        ascii_found: list[str] = _ASCII_TOKEN.findall(norm)
        return ascii_found
    found: list[str] = _TOKEN.findall(norm)
    if not NO_SPACE_SCRIPT.search(norm):
        return found
    out: list[str] = []
    for tok in found:
        if NO_SPACE_SCRIPT.search(tok):
            out.extend(_split_no_space(tok))
        else:
            out.append(tok)
    return out


def tokens(text: str) -> list[str]:
    """Words and numbers of ``text`` after :func:`normalize`; characters for scripts
    without spaces.

    >>> tokens("Don't buy 1,000 GPUs!")
    ['dont', 'buy', '1000', 'gpus']
    """
    return tokens_of_normalized(prepare(text))


def _split_no_space(tok: str) -> list[str]:
    out: list[str] = []
    run = ""
    for ch in tok:
        if NO_SPACE_SCRIPT.match(ch):
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        else:
            run += ch
    if run:
        out.append(run)
    return out


SENTENCE_BREAK = re.compile(r"[.!?:;]\s|\n")


_ASCII_TOKEN_OR_BREAK = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*[a-z]*|[.!?:;](?=\s)|\n")
_TOKEN_OR_BREAK = re.compile(r"\d+(?:\.\d+)*(?:[^\W\d_]+)?|[^\W\d_]+|[.!?:;](?=\s)|\n", re.UNICODE)
_BREAKS = frozenset(".!?:;\n")


def sentence_tokens(norm: str) -> list[list[str]]:
    """Tokens of each sentence of prepared text (split after ``.!?:;`` followed by a space,
    and at newlines; empty sentences may appear)."""
    if norm.isascii():
        found: list[str] = _ASCII_TOKEN_OR_BREAK.findall(norm)
    elif NO_SPACE_SCRIPT.search(norm) is None:
        # one pass for tokens and breaks, as for ASCII text
        found = _TOKEN_OR_BREAK.findall(norm)
    else:
        return [tokens_of_normalized(part) for part in SENTENCE_BREAK.split(norm)]
    out: list[list[str]] = []
    start = 0
    breaks = _BREAKS
    for i, tok in enumerate(found):
        if tok in breaks:
            out.append(found[start:i])
            start = i + 1
    if not out:
        return [found]
    out.append(found[start:])
    return out


def sentence_key(toks: list[str]) -> int:
    """64-bit key of a sentence's tokens (CRC-32 and Adler-32 side by side: fast, and a rare
    collision only adds a candidate that verification rejects)."""
    data = " ".join(toks).encode("utf-8")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


def norm_hash(text: str) -> str:
    """The exact-repeat key of a paragraph: sha256 hex of its tokens joined by spaces.

    Two paragraphs that differ only in case, punctuation, Unicode form or spacing share
    this key.
    """
    return hashlib.sha256(" ".join(tokens(text)).encode("utf-8")).hexdigest()
