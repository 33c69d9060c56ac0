"""Term ids: every token maps once to an integer id, and the per-term facts that shingling
and verification need (shingle hash, content word or not, figure or not) live in numpy
arrays indexed by that id. Tokenising a paragraph then costs one dict lookup per token;
everything after that is array work.

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

from crawler.dedup.lexicon import STOPWORDS, stem

IdArray = npt.NDArray[np.int64]


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
            self._add(toks[first:])
            out[first:] = map(tokens.__getitem__, toks[first:])
        return out

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

    def _add(self, toks: list[str]) -> None:
        tokens, terms = self._tokens, self._terms
        for tok in toks:
            if tok in tokens:
                continue
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


VOCAB = Vocabulary()
"""The process-wide vocabulary."""
