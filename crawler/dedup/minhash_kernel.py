"""Compiled MinHash kernels (:mod:`crawler.dedup.signature`).

The values are datasketch 2.0's ``affine32`` scheme: each 32-bit shingle hash is pre-mixed
with MurmurHash3's ``fmix32``, then permutation ``k`` maps it to ``(a[k] * h + b[k]) mod
2**32``, and a paragraph's value for ``k`` is the minimum over its shingles (``2**32 - 1``
without shingles, as an empty ``MinHash``). One pass per paragraph keeps its row of
values in cache, where the numpy version needed a ``(num_perm, shingles)`` temporary.

Arithmetic is on int64 values masked to 32 bits, so the kernels give the same numbers
compiled (wrapping) and as plain Python (``NEWSDEDUP_JIT=0``, exact integers).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_MASK32 = 0xFFFFFFFF


@kernel
def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    return h ^ (h >> 16)


@kernel
def _update(row: U32, h: int, a: U32, b: U32) -> None:
    """Fold the shingle hash ``h`` into one paragraph's ``row`` of values: one
    permutation after the other, a loop the compiler turns into vector instructions
    (``a`` and ``b`` are 32-bit, so the products are too)."""
    hv = _fmix32(h)
    for k in range(len(row)):
        row[k] = min(int(row[k]), (int(a[k]) * hv + int(b[k])) & _MASK32)


@kernel
def minhash_flat(hashes: I64, bounds: I64, a: U32, b: U32) -> U32:
    """MinHash values, shape ``(n, len(a))``, of paragraphs whose 32-bit shingle hashes are
    ``hashes[bounds[i]:bounds[i + 1]]``."""
    n = len(bounds) - 1
    out = np.full((n, len(a)), _MASK32, dtype=np.uint32)
    for p in range(n):
        row = out[p]
        for i in range(bounds[p], bounds[p + 1]):
            _update(row, int(hashes[i]), a, b)
    return out


@kernel
def minhash_terms(terms: I64, bounds: I64, min_tokens: int, a: U32, b: U32) -> tuple[U32, I64]:
    """MinHash values of paragraphs given as the shingle hashes of their tokens
    (``terms[1, bounds[i]:bounds[i + 1]]``, as :meth:`crawler.dedup.vocab.Vocabulary.tokenize`
    gives them; negative for a stopword, which is not a shingle); a paragraph of fewer than
    ``min_tokens`` tokens gets none.

    Returns:
        ``(values, shingles)``: values of shape ``(n, len(a))`` and each paragraph's count
        of shingles (repeats included; 0: no MinHash).
    """
    n = len(bounds) - 1
    out = np.full((n, len(a)), _MASK32, dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    for p in range(n):
        if bounds[p + 1] - bounds[p] < min_tokens:
            continue
        row = out[p]
        c = 0
        for i in range(bounds[p], bounds[p + 1]):
            h = int(terms[1, i])
            if h >= 0:
                _update(row, h, a, b)
                c += 1
        counts[p] = c
    return out, counts
