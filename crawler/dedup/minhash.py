"""MinHash values of many paragraphs at once, in numpy (:mod:`crawler.dedup.signature`).

The values are datasketch 2.0's ``affine32`` scheme, as ``MinHash.update_batch`` computes
them: each 32-bit shingle hash is pre-mixed with MurmurHash3's ``fmix32``, then
permutation ``k`` maps it to ``(a[k] * h + b[k]) mod 2**32``, and a paragraph's value for
``k`` is the minimum over its shingles (``2**32 - 1`` without shingles, as an empty
``MinHash``). The shingles of a whole batch are one ``(shingles, num_perm)`` array
(in chunks of bounded size) and ``np.minimum.reduceat`` takes each paragraph's minimum.

Arithmetic is on uint32, which numpy wraps mod ``2**32``: exactly the ``mod 2**32`` of
the definition, for the pre-mix and for the affine map.

The permutations (:func:`affine32_permutations`) and the shingle hash
(:func:`sha1_hash32`) are datasketch 2.0's, written out here so that a crawl does not
import datasketch: its package imports SciPy (``datasketch.lsh``), 0.3 s of every crawl's
start-up. ``tests/dedup/test_signature.py`` checks both against datasketch.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

#: shingles per chunk: the chunk's temporary is ``_CHUNK * num_perm * 4`` bytes (4 MiB)
_CHUNK = 8192


def sha1_hash32(data: bytes) -> int:
    """datasketch's ``hashfunc.sha1_hash32``: the first 4 bytes of SHA-1, little-endian."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


def affine32_permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """``(a, b)`` of datasketch 2.0's ``MinHash(num_perm, seed, scheme="affine32")``: an odd
    ``a`` and any ``b`` per permutation, drawn from ``numpy.random.RandomState(seed)``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(h: U32) -> U32:
    """MurmurHash3's 32-bit finaliser of each value of ``h``."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _minhash(hashes: U32, counts: I64, a: U32, b: U32) -> U32:
    """Values of paragraphs whose shingle hashes are consecutive slices of ``hashes``
    (``counts[i]`` for paragraph ``i``, possibly 0)."""
    n = len(counts)
    out = np.full((n, len(a)), 0xFFFFFFFF, dtype=np.uint32)
    full = np.flatnonzero(counts)
    if not len(full):
        return out
    a32 = a.astype(np.uint32, copy=False)
    b32 = b.astype(np.uint32, copy=False)
    mixed = fmix32(hashes)
    ends = np.cumsum(counts[full])
    starts = ends - counts[full]
    lo = 0  # first paragraph (index into ``full``) of the chunk
    while lo < len(full):
        # the paragraphs whose shingles end within _CHUNK of the chunk's start (one at least)
        hi = max(lo + 1, int(np.searchsorted(ends, starts[lo] + _CHUNK, side="right")))
        first, last = int(starts[lo]), int(ends[hi - 1])
        values = mixed[first:last, None] * a32
        values += b32
        out[full[lo:hi]] = np.minimum.reduceat(values, starts[lo:hi] - first, axis=0)
        lo = hi
    return out


def minhash_flat(hashes: I64, bounds: I64, a: U32, b: U32) -> U32:
    """MinHash values, shape ``(n, len(a))``, of paragraphs whose 32-bit shingle hashes are
    ``hashes[bounds[i]:bounds[i + 1]]``."""
    counts = np.diff(bounds).astype(np.int64)
    flat = hashes[bounds[0] : bounds[-1]] if len(bounds) else hashes[:0]
    return _minhash(flat.astype(np.uint32), counts, a, b)


def minhash_terms(terms: I64, bounds: I64, min_tokens: int, a: U32, b: U32) -> tuple[U32, I64]:
    """MinHash values of paragraphs given as the shingle hashes of their tokens
    (``terms[1, bounds[i]:bounds[i + 1]]``, as :meth:`crawler.dedup.vocab.Vocabulary.tokenize`
    gives them; negative for a stopword, which is not a shingle); a paragraph of fewer than
    ``min_tokens`` tokens gets none.

    Returns:
        ``(values, shingles)``: values of shape ``(n, len(a))`` and each paragraph's count
        of shingles (repeats included; 0: no MinHash).
    """
    lengths = np.diff(bounds).astype(np.int64)
    n = len(lengths)
    hashes = terms[1, bounds[0] : bounds[-1]] if n else terms[1, :0]
    owner = np.repeat(np.arange(n), lengths)
    keep = (hashes >= 0) & (lengths >= min_tokens)[owner]
    counts = np.bincount(owner[keep], minlength=n).astype(np.int64)
    return _minhash(hashes[keep].astype(np.uint32), counts, a, b), counts
