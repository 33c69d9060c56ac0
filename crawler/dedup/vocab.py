"""Term ids: every token maps once to an integer id, and the per-term facts that shingling
and verification need (shingle hash, content word or not, figure or not) live in numpy
arrays indexed by that id. Tokenising a paragraph then costs one lookup per token (a dict
lookup for token strings; for tokens given as bytes, a probe of an open-addressing table
in a compiled kernel, :class:`TokenTable`); everything after that is array work.

A term is the stem of a content word (so "policies" and "policy" share one id) or the
token itself for a stopword. The vocabulary is process-wide and bounded: once it has grown
past ``limit`` tokens, the next operation (signing a batch, checking an article) starts it
afresh under a new :attr:`Vocabulary.generation`, and whatever holds ids (signatures kept
in memory, :class:`~crawler.dedup.verify.IdfModel`) notices the generation change and
recomputes or relearns (IDF is learned again from the articles that follow).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
import numpy.typing as npt
from datasketch.hashfunc import sha1_hash32

from crawler.dedup import tokenize_kernel as tk
from crawler.dedup.lexicon import STOPWORDS, stem

IdArray = npt.NDArray[np.int64]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]


class TokenTable:
    """Token bytes -> term id, as numpy arrays a kernel can probe
    (:mod:`crawler.dedup.tokenize_kernel`): open addressing with linear probing over the
    rows of ``table`` (a power of two of them, at most half full), each ``(hash, term id,
    token, length)``, where ``token`` is a token of at most
    :data:`~crawler.dedup.tokenize_kernel.SHORT` bytes packed into the integer, or where a
    longer one's bytes start in ``arena`` (hash -1: an empty row). Lookups compare the
    tokens themselves, so a hash collision costs a probe, never a wrong id."""

    def __init__(self) -> None:
        self.n_entries = 0
        self.table: I64 = np.full((1024, 4), -1, dtype=np.int64)
        self.arena: U8 = np.empty(4096, dtype=np.uint8)
        self.arena_used = 0

    def lookup(self, data: U8, bounds: I64) -> tuple[I64, I64, I64, I64]:
        """See :func:`crawler.dedup.tokenize_kernel.lookup_tokens`."""
        return tk.lookup_tokens(data, bounds, self.table, self.arena)

    def insert(self, data: U8, lo: I64, hi: I64, ids: I64) -> None:
        """Add the distinct tokens ``data[lo[k]:hi[k]]``, none in the table yet, with term
        ids ``ids[k]`` (the arrays grow as needed)."""
        n = self.n_entries + len(lo)
        if 2 * n > len(self.table):
            size = len(self.table)
            while 2 * n > size:
                size *= 2
            self.table = tk.rebuild_table(self.table, size)
        need = self.arena_used + int((hi - lo).sum())
        if need > len(self.arena):
            self.arena = np.resize(self.arena, max(need, 2 * len(self.arena)))
        self.arena_used = tk.insert_tokens(
            data, lo, hi, ids, self.table, self.arena, self.arena_used
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
        self._tokens: dict[str, int] = {}
        self._table = TokenTable()
        self._pending: list[str] = []  # tokens added to the dict but not yet to the table
        self._terms: dict[str, int] = {}
        self.hashes: npt.NDArray[np.int64] = np.empty(4096, dtype=np.int64)
        self.numeric: npt.NDArray[np.bool_] = np.empty(4096, dtype=bool)
        self.n_terms = 0

    def __len__(self) -> int:
        return self.n_terms

    def ids(self, toks: list[str]) -> list[int]:
        """Term ids of ``toks`` (new tokens are added)."""
        tokens = self._tokens
        out: list[int] = list(map(tokens.get, toks, repeat(-1)))
        if -1 in out:
            # add the new tokens in order, from the first unknown one on
            first = out.index(-1)
            self._pending.extend(self._add(toks[first:]))
            out[first:] = map(tokens.__getitem__, toks[first:])
        return out

    def ids_of_joined(self, data: bytes, bounds: I64) -> tuple[IdArray, I64]:
        """Term ids of the tokens of texts given as their tokens joined by single spaces,
        UTF-8 (``data[bounds[i]:bounds[i + 1]]``), in one kernel call; new tokens are added
        in order of first appearance, as :meth:`ids` on each text in turn would.

        Returns:
            ``(ids, token_bounds)``: text ``i``'s ids at
            ``ids[token_bounds[i]:token_bounds[i + 1]]``.
        """
        self._flush()
        raw = np.frombuffer(data, dtype=np.uint8)
        ids, token_bounds, new_lo, new_hi = self._table.lookup(raw, bounds)
        if len(new_lo):
            new = [
                data[lo:hi].decode("utf-8")
                for lo, hi in zip(new_lo.tolist(), new_hi.tolist(), strict=True)
            ]
            self._add(new)  # all unknown and distinct: all added
            tokens = self._tokens
            new_ids = np.array([tokens[tok] for tok in new], dtype=np.int64)
            self._table.insert(raw, new_lo, new_hi, new_ids)
            unknown = ids < 0
            ids[unknown] = new_ids[-1 - ids[unknown]]
        return ids, token_bounds

    def maybe_reset(self) -> bool:
        """Start afresh (new generation) if the vocabulary has grown past its limit.

        Called only at the start of an operation (signing a batch, checking an article),
        never in the middle of one, so the ids used together always belong to one
        generation. Returns whether it reset."""
        if len(self._tokens) <= self.limit:
            return False
        self.generation += 1
        self._reset()
        return True

    def _flush(self) -> None:
        """Put the tokens :meth:`ids` added into the table."""
        if not self._pending:
            return
        encoded = [tok.encode("utf-8") for tok in self._pending]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        hi = np.cumsum(lengths)
        ids = np.array([self._tokens[tok] for tok in self._pending], dtype=np.int64)
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self._table.insert(data, hi - lengths, hi, ids)
        self._pending = []

    def _add(self, toks: list[str]) -> list[str]:
        """Add the tokens of ``toks`` not known yet; returns them."""
        tokens, terms = self._tokens, self._terms
        added: list[str] = []
        for tok in toks:
            if tok in tokens:
                continue
            added.append(tok)
            stop = tok in STOPWORDS
            term = "\x00" + tok if stop else stem(tok)
            tid = terms.get(term)
            if tid is None:
                tid = self.n_terms
                if tid >= len(self.hashes):
                    self.hashes = np.resize(self.hashes, 2 * len(self.hashes))
                    self.numeric = np.resize(self.numeric, 2 * len(self.numeric))
                self.hashes[tid] = -1 if stop else sha1_hash32(term.encode("utf-8"))
                self.numeric[tid] = tok[0].isdigit()
                terms[term] = tid
                self.n_terms += 1
            tokens[tok] = tid
        return added


VOCAB = Vocabulary()
"""The process-wide vocabulary."""
