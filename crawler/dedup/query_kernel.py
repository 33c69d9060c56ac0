"""Compiled kernels that turn one article's signatures into index keys and the index's
hits into matches: what the engine did with some thirty small numpy calls per article.

Keys of the three kinds share one index, told apart by their two low bits
(:data:`EXACT`, :data:`BAND`, :data:`SENTENCE`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel
from crawler.dedup.lsh_kernel import rank_candidates

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

EXACT, BAND, SENTENCE = 0, 1, 2
_TAG_MASK = 0xFFFFFFFFFFFFFFFC


@kernel
def article_keys(
    exact: U64,
    exact_pos: I64,
    bands: U64,
    band_pos: I64,
    n_bands: int,
    sentences: U64,
    sentence_counts: I64,
    sentence_pos: I64,
) -> tuple[U64, I64, F64]:
    """The tagged index keys of some paragraphs, in this order: exact keys, LSH band keys
    (``n_bands`` per paragraph of ``band_pos``), sentence keys (``sentence_counts[i]`` of
    them for paragraph ``sentence_pos[i]``); with the position each key belongs to and its
    weight for ranking candidates (a band 1, a whole shared sentence as much as every
    band together; exact keys 0: they are not ranked)."""
    n = len(exact) + len(bands) + len(sentences)
    keys = np.empty(n, dtype=np.uint64)
    pos = np.empty(n, dtype=np.int64)
    weight = np.empty(n, dtype=np.float64)
    mask = np.uint64(_TAG_MASK)
    o = 0
    for i in range(len(exact)):
        keys[o] = (exact[i] & mask) | np.uint64(EXACT)
        pos[o] = exact_pos[i]
        weight[o] = 0.0
        o += 1
    for i in range(len(bands)):
        keys[o] = (bands[i] & mask) | np.uint64(BAND)
        pos[o] = band_pos[i // n_bands]
        weight[o] = 1.0
        o += 1
    s = 0
    for p in range(len(sentence_counts)):
        for _ in range(sentence_counts[p]):
            keys[o] = (sentences[s] & mask) | np.uint64(SENTENCE)
            pos[o] = sentence_pos[p]
            weight[o] = float(n_bands)
            o += 1
            s += 1
    return keys, pos, weight


@kernel
def route_hits(
    slots: I32,
    qidx: I64,
    qpos: I64,
    qweight: F64,
    n_exact: int,
    stored_keys: I64,
    stored_articles: I64,
    skip_article: int,
    use_skip: bool,
    min_hits: float,
    max_per_owner: int,
) -> tuple[I64, I64, I64, I64]:
    """Sort an index lookup's hits (``slots``, each for query key ``qidx``) into exact
    repeats and near candidates, leaving out stored paragraphs of ``skip_article`` when
    ``use_skip``. Query keys below ``n_exact`` are exact keys.

    Returns:
        ``(exact positions, earliest stored key of each)`` in increasing position, and
        ``(near positions, candidate stored keys)`` ranked as :func:`rank_candidates`.
    """
    n = len(slots)
    ex_best = np.full(n_exact, -1, dtype=np.int64)
    near_owner = np.empty(n, dtype=np.int64)
    near_slots = np.empty(n, dtype=np.int32)
    near_weight = np.empty(n, dtype=np.float64)
    m = 0
    for h in range(n):
        slot = slots[h]
        if use_skip and stored_articles[slot] == skip_article:
            continue
        q = qidx[h]
        if q < n_exact:
            key = stored_keys[slot]
            if ex_best[q] == -1 or key < stored_keys[ex_best[q]]:
                ex_best[q] = slot
        else:
            near_owner[m] = qpos[q]
            near_slots[m] = slot
            near_weight[m] = qweight[q]
            m += 1
    n_found = 0
    for q in range(n_exact):
        if ex_best[q] != -1:
            n_found += 1
    ex_pos = np.empty(n_found, dtype=np.int64)
    ex_key = np.empty(n_found, dtype=np.int64)
    f = 0
    for q in range(n_exact):
        if ex_best[q] != -1:
            ex_pos[f] = qpos[q]
            ex_key[f] = stored_keys[ex_best[q]]
            f += 1
    owners, found = rank_candidates(
        near_owner[:m], near_slots[:m], near_weight[:m], stored_keys, min_hits, max_per_owner
    )
    return ex_pos, ex_key, owners, found
