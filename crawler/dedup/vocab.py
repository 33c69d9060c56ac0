"""Term ids: every token maps once to an integer id, and the per-term facts that shingling
and verification need (shingle hash, content word or not, figure or not) live in numpy
arrays indexed by that id. Tokenising a paragraph then costs one lookup per token, a probe
of an open-addressing table in a compiled kernel (:class:`TokenTable`), the tokenising
kernel's own output for ASCII text; everything after that is array work. Only tokens seen
for the first time take Python: their stems and shingle hashes.

A term is the stem of a content word (so "policies" and "policy" share one id) or the
token itself for a stopword. The vocabulary is process-wide and bounded: once it has grown
past ``limit`` tokens, the next operation (signing a batch, checking an article) starts it
afresh under a new :attr:`Vocabulary.generation`, and whatever holds ids (signatures kept
in memory, :class:`~crawler.dedup.verify.IdfModel`) notices the generation change and
recomputes or relearns (IDF is learned again from the articles that follow).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from crawler.dedup.kernels import tokenize as tk
from crawler.dedup.lexicon import STOPWORDS, stem
from crawler.dedup.normalize import MAX_SENTENCE_KEYS, TokenBatch, text_buffer

IdArray = npt.NDArray[np.int64]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]


def _rows(n: int) -> I64:
    """``n`` empty table rows, 64-byte aligned, so that a row (32 bytes) never straddles
    two cache lines."""
    raw = np.zeros(4 * n + 8, dtype=np.int64)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip : skip + 4 * n].reshape(n, 4)


def rebuild_table(table: I64, out: I64) -> I64:
    """The rows of ``table`` put into ``out`` (empty, a power of two of rows), with the
    same linear probing as the kernels' lookups; returns ``out``.

    numpy, in rounds: every row still to place tries the slot ``home + tries``; of the
    rows trying one free slot the first takes it and the others try the next slot in the
    following round. A row only moves past slots that are taken, so a lookup probing from
    its home slot finds it. Runs only when the table doubles (a few times per million
    tokens), so it is not worth a compiled kernel (2 s of compiling on a fresh install).
    """
    mask = len(out) - 1
    rows = np.flatnonzero(table[:, tk.KEY] != tk.EMPTY)
    home = (table[rows, tk.KEY] >> 32) & mask
    taken = out[:, tk.KEY] != tk.EMPTY
    pending = np.arange(len(rows))
    tries = np.zeros(len(rows), dtype=np.int64)
    while len(pending):
        slots = (home[pending] + tries[pending]) & mask
        free = ~taken[slots]
        slot_free, first = np.unique(slots[free], return_index=True)
        winners = pending[free][first]
        out[slot_free] = table[rows[winners]]
        taken[slot_free] = True
        placed = np.zeros(len(rows), dtype=bool)
        placed[winners] = True
        pending = pending[~placed[pending]]
        tries[pending] += 1
    return out


class TokenTable:
    """Token bytes -> term id and shingle hash, as numpy arrays a kernel can probe
    (:mod:`crawler.dedup.kernels.tokenize`): open addressing with linear probing over the
    rows of ``table`` (a power of two of them, at most half full). A row holds (columns
    :data:`~crawler.dedup.kernels.tokenize.KEY`, ``VALUE``, ``FIRST``, ``LAST``) a hash of
    the token above its length (0: an empty row); its term id, whether it is a stopword
    and its shingle hash; and the token itself, packed into the last two integers if of
    at most :data:`~crawler.dedup.kernels.tokenize.INLINE` bytes, or else its last bytes
    and where the others are in ``arena``. Lookups compare the tokens themselves, so a
    hash collision costs a probe, never a wrong id. A token's lookup reads one row of 32
    bytes, one cache line (and the arena for a longer token)."""

    def __init__(self) -> None:
        self.n_entries = 0
        self.table: I64 = _rows(1024)
        self.arena: U8 = np.empty(4096, dtype=np.uint8)
        self.arena_used = 0

    def tokenize(
        self, buf: U8, n: int, min_sentence: int, max_keys: int
    ) -> tuple[U8, I64, I64, npt.NDArray[np.uint64], I64, I64]:
        """See :func:`crawler.dedup.kernels.tokenize.tokenize`."""
        return tk.tokenize(buf, n, min_sentence, max_keys, tk.CRC_TABLES, self.table, self.arena)

    def insert(self, data: U8, new: I64, n_bytes: int, new_terms: I64, found: I64) -> None:
        """Add the distinct tokens ``data[new[0, k]:new[1, k]]`` (``n_bytes`` in all), none
        in the table yet, with term ids ``new_terms[0, k]`` and shingle hashes
        ``new_terms[1, k]`` (the arrays grow as needed), and put them in place of the
        placeholders for new tokens in ``found``, the kernel's output (see
        :func:`crawler.dedup.kernels.tokenize.insert_tokens`)."""
        n = self.n_entries + new.shape[1]
        if 2 * n > len(self.table):
            size = len(self.table)
            while 2 * n > size:
                size *= 2
            self.table = rebuild_table(self.table, _rows(size))
        if self.arena_used + n_bytes > len(self.arena):
            self.arena = np.resize(self.arena, max(self.arena_used + n_bytes, 2 * len(self.arena)))
        self.arena_used = tk.insert_tokens(
            data, new, new_terms, self.table, self.arena, self.arena_used, found
        )
        self.n_entries = n


class Vocabulary:
    """Token -> term id, with per-term arrays.

    Attributes:
        hashes: per term, the 32-bit shingle hash of its stem (``sha1_hash32``, as
            datasketch), or -1 for a stopword.
        numeric: per term, whether it is a figure (starts with a digit).
        generation: bumped each time the vocabulary starts afresh.
    """

    def __init__(self, limit: int = 2_000_000) -> None:
        self.limit = limit
        self.generation = 0
        self._reset()

    def _reset(self) -> None:
        self._table = TokenTable()
        self._terms: dict[str, int] = {}
        self.hashes: npt.NDArray[np.int64] = np.empty(4096, dtype=np.int64)
        self.numeric: npt.NDArray[np.bool_] = np.empty(4096, dtype=bool)
        self.n_terms = 0

    def __len__(self) -> int:
        return self.n_terms

    def ids(self, toks: list[str]) -> list[int]:
        """Term ids of ``toks`` (tokens: not empty, without spaces; new ones are added)."""
        data = " ".join(toks).encode("utf-8")
        ids, _ = self.ids_of_joined(data, np.array([0, len(data)], dtype=np.int64))
        out: list[int] = ids.tolist()
        return out

    def ids_of_joined(self, data: bytes, bounds: I64) -> tuple[IdArray, I64]:
        """Term ids of the tokens of texts given as their tokens joined by single spaces,
        UTF-8 (``data[bounds[i]:bounds[i + 1]]``), in one kernel call; new tokens are added
        in order of first appearance (so new terms are numbered in that order).

        Returns:
            ``(ids, token_bounds)``: text ``i``'s ids at
            ``ids[token_bounds[i]:token_bounds[i + 1]]``.
        """
        given, end = bytes([tk.TOKENS_GIVEN]), bytes([tk.TEXT_END])
        b = bounds.tolist()
        buf = b"".join(given + data[lo:hi] + end for lo, hi in pairwise(b))
        _, found, token_bounds = self._scan(np.frombuffer(buf, np.uint8), len(b) - 1, 1, 0, False)
        return found[0], token_bounds

    def tokenize(
        self, prepared: Sequence[str], min_sentence: int = 1, max_keys: int = MAX_SENTENCE_KEYS
    ) -> tuple[TokenBatch, I64, I64]:
        """Tokens, sentences and sentence keys (of the first ``max_keys`` sentences of at
        least ``min_sentence`` tokens) of texts already
        :func:`~crawler.dedup.normalize.prepare`-d, with the term ids of the tokens, in one
        kernel call (new tokens are added as by :meth:`ids_of_joined`).

        Returns:
            ``(batch, terms, token_bounds)``: text ``i``'s term ids at
            ``terms[0, token_bounds[i]:token_bounds[i + 1]]``, their shingle hashes (-1:
            a stopword) at the same places of ``terms[1]``.
        """
        buf, all_ascii = text_buffer(prepared)
        return self._scan(buf, len(prepared), min_sentence, max_keys, all_ascii)

    def _scan(
        self, buf: U8, n: int, min_sentence: int, max_keys: int, all_ascii: bool
    ) -> tuple[TokenBatch, I64, I64]:
        """:meth:`tokenize` of the ``n`` texts of a buffer as
        :func:`~crawler.dedup.normalize.text_buffer` makes it."""
        joined, bounds, ends, keys, terms, new = self._table.tokenize(
            buf, n, min_sentence, max_keys
        )
        data = joined.tobytes()
        self._resolve(data, joined, terms, new)
        batch = TokenBatch(
            data,
            bounds[tk.JOINED],
            ends,
            bounds[tk.SENTENCES],
            keys,
            bounds[tk.KEYS],
            all_ascii=all_ascii,
        )
        return batch, terms, bounds[tk.TOKENS]

    def maybe_reset(self) -> bool:
        """Start afresh (new generation) if the vocabulary has grown past its limit.

        Called only at the start of an operation (signing a batch, checking an article),
        never in the middle of one, so the ids used together always belong to one
        generation. Returns whether it reset."""
        if self._table.n_entries <= self.limit:
            return False
        self.generation += 1
        self._reset()
        return True

    def _resolve(self, data: bytes, raw: U8, found: I64, new: I64) -> None:
        """Add the tokens ``data[new[0, k]:new[1, k]]`` that the kernel did not find (all
        distinct) and put their term ids and shingle hashes in place of the placeholders
        in ``found`` (see :func:`crawler.dedup.kernels.tokenize.tokenize`)."""
        if not new.shape[1]:
            return
        los, his = new.tolist()
        ids, shingles = self._add(
            [data[lo:hi].decode("utf-8") for lo, hi in zip(los, his, strict=True)]
        )
        new_terms = np.array((ids, shingles), dtype=np.int64)
        self._table.insert(raw, new, sum(his) - sum(los), new_terms, found)

    def _add(self, toks: list[str]) -> tuple[list[int], list[int]]:
        """Term ids and shingle hashes of new tokens (distinct, none known yet), adding the
        terms not known yet. A new term's shingle hash is datasketch's ``sha1_hash32`` of
        its stem (the first four bytes of its SHA-1, little-endian), computed here in the
        loop; the arrays of the new terms are filled once at the end."""
        terms = self._terms
        sha1 = hashlib.sha1
        ids: list[int] = []
        shingles: list[int] = []
        first = n_terms = self.n_terms
        new_hashes: list[int] = []
        new_numeric: list[bool] = []
        for tok in toks:
            stop = tok in STOPWORDS
            term = "\x00" + tok if stop else stem(tok)
            tid = terms.get(term)
            if tid is None:
                tid = terms[term] = n_terms
                n_terms += 1
                shingle = -1 if stop else int.from_bytes(sha1(term.encode()).digest()[:4], "little")
                new_hashes.append(shingle)
                new_numeric.append(tok[0].isdigit())
            elif tid >= first:
                shingle = new_hashes[tid - first]
            else:
                shingle = int(self.hashes[tid])
            ids.append(tid)
            shingles.append(shingle)
        if n_terms > first:
            if n_terms > tk.TERM_LIMIT:
                raise OverflowError(f"{n_terms} terms: the table holds ids below {tk.TERM_LIMIT}")
            if n_terms > len(self.hashes):
                size = max(n_terms, 2 * len(self.hashes))
                self.hashes = np.resize(self.hashes, size)
                self.numeric = np.resize(self.numeric, size)
            self.hashes[first:n_terms] = new_hashes
            self.numeric[first:n_terms] = new_numeric
            self.n_terms = n_terms
        return ids, shingles


VOCAB = Vocabulary()
"""The process-wide vocabulary."""
