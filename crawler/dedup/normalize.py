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

Many texts are tokenised in one compiled kernel (:func:`text_buffer`,
:func:`crawler.dedup.kernels.tokenize.tokenize`, through
:meth:`crawler.dedup.vocab.Vocabulary.tokenize`; the same tokens, sentences and keys as
:func:`sentence_tokens` and :func:`sentence_key`): those whose prepared form is ASCII (most
news prose) from their text, the others from their tokens, found with the regular
expressions here. A :class:`TokenBatch` keeps each text's tokens joined by spaces
(:class:`Tokenized`) and makes token strings only when asked.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from crawler.dedup.kernels import tokenize as tk

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]

NORMALIZATION_VERSION = 1
MAX_SENTENCE_KEYS = 255
"""Sentence keys kept per paragraph (the stored signature counts them in one byte)."""

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


class TokenBatch:
    """The tokens of many texts, joined by single spaces (tokens never contain one), with
    sentence ends and sentence keys.

    Attributes:
        data: text ``i``'s tokens joined by spaces, UTF-8, at
            ``data[bounds[i]:bounds[i + 1]]`` (what the exact hash hashes).
        bounds: see ``data``.
        ends: the end of each sentence of text ``i`` (tokens from the start of the text)
            at ``ends[end_bounds[i]:end_bounds[i + 1]]``: at least one sentence per text,
            empty ones included, as :func:`sentence_tokens`.
        end_bounds: see ``ends``.
        keys: text ``i``'s sentence keys at ``keys[key_bounds[i]:key_bounds[i + 1]]``.
        key_bounds: see ``keys``.
        all_ascii: whether every text's prepared form is ASCII.
    """

    def __init__(
        self,
        data: bytes,
        bounds: I64,
        ends: I64,
        end_bounds: I64,
        keys: U64,
        key_bounds: I64,
        *,
        all_ascii: bool,
    ) -> None:
        self.all_ascii = all_ascii
        self.data = data
        self.bounds = bounds
        self.ends = ends
        self.end_bounds = end_bounds
        self.keys = keys
        self.key_bounds = key_bounds

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def text(self, i: int) -> Tokenized:
        """Text ``i``'s tokens (materialised on demand)."""
        return Tokenized(self, i)


class Tokenized:
    """One text's tokens in a :class:`TokenBatch`; the token strings are made on first
    use (most paragraphs never need them: verification works on term ids)."""

    __slots__ = ("batch", "index")

    def __init__(self, batch: TokenBatch, index: int) -> None:
        self.batch = batch
        self.index = index

    @property
    def joined(self) -> bytes:
        """The tokens joined by single spaces, UTF-8."""
        b = self.batch
        return b.data[int(b.bounds[self.index]) : int(b.bounds[self.index + 1])]

    @property
    def n_tokens(self) -> int:
        """The number of tokens."""
        b = self.batch
        return int(b.ends[b.end_bounds[self.index + 1] - 1])

    def tokens(self) -> list[str]:
        """The tokens."""
        joined = self.joined
        return joined.decode("utf-8").split(" ") if joined else []

    def sentences(self) -> list[list[str]]:
        """The tokens of each sentence (as :func:`sentence_tokens`)."""
        b = self.batch
        toks = self.tokens()
        ends = b.ends[b.end_bounds[self.index] : b.end_bounds[self.index + 1]].tolist()
        if len(ends) == 1:
            return [toks]
        starts = [0, *ends[:-1]]
        return [toks[lo:hi] for lo, hi in zip(starts, ends, strict=True)]


def text_buffer(prepared: Sequence[str]) -> tuple[U8, bool]:
    """Prepared texts as the tokenising kernels take them (see
    :func:`crawler.dedup.kernels.tokenize.tokenize`), and whether all are ASCII: one buffer,
    each text followed by :data:`~crawler.dedup.kernels.tokenize.TEXT_END`; a text that is
    not ASCII is tokenised here (:func:`sentence_tokens`) and given as its tokens
    (:data:`~crawler.dedup.kernels.tokenize.TOKENS_GIVEN`), so that a batch stays one kernel
    call, in order, whatever its texts."""
    end = chr(tk.TEXT_END)
    if all(map(str.isascii, prepared)):
        data = (end.join(prepared) + end).encode("latin-1")
        return np.frombuffer(data, dtype=np.uint8), True
    given = bytes([tk.TOKENS_GIVEN])
    parts = [
        norm.encode("ascii")
        if norm.isascii()
        else given + "\n".join(" ".join(s) for s in sentence_tokens(norm)).encode("utf-8")
        for norm in prepared
    ]
    data = bytes([tk.TEXT_END]).join(parts) + bytes([tk.TEXT_END])
    return np.frombuffer(data, dtype=np.uint8), False
