"""An article's index keys, and the routing of the index's hits into exact repeats and
ranked near candidates, in numpy.

Keys of the three kinds share one index, told apart by their two low bits
(:data:`EXACT`, :data:`BAND`, :data:`SENTENCE`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

EXACT, BAND, SENTENCE = 0, 1, 2
_TAG_MASK = np.uint64(0xFFFFFFFFFFFFFFFC)


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
    keys = np.concatenate(
        [
            (exact & _TAG_MASK) | np.uint64(EXACT),
            (bands & _TAG_MASK) | np.uint64(BAND),
            (sentences & _TAG_MASK) | np.uint64(SENTENCE),
        ]
    )
    pos = np.concatenate(
        [
            exact_pos.astype(np.int64, copy=False),
            np.repeat(band_pos.astype(np.int64, copy=False), n_bands)[: len(bands)],
            np.repeat(sentence_pos.astype(np.int64, copy=False), sentence_counts),
        ]
    )
    weight = np.concatenate(
        [
            np.zeros(len(exact)),
            np.ones(len(bands)),
            np.full(len(sentences), float(n_bands)),
        ]
    )
    return keys, pos, weight


def rank_candidates(
    owner: I64,
    slots: I32,
    weight: F64,
    stored_keys: I64,
    min_hits: float,
    max_per_owner: int,
) -> tuple[I64, I64]:
    """The candidates of each query: the stored entries (``slots``) a query (``owner``)
    hit with a total ``weight`` of at least ``min_hits``, at most ``max_per_owner`` per
    query, most weight first, then smallest stored key.

    Returns:
        ``(owners, stored keys)``, grouped by owner in increasing order.
    """
    if not len(owner):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    width = np.int64(len(stored_keys) + 1)
    code = owner.astype(np.int64) * width + slots.astype(np.int64)
    # one row per distinct (owner, slot), in increasing code, with its summed weight
    # (weights are whole numbers: the sum does not depend on the order)
    distinct, inverse = np.unique(code, return_inverse=True)
    total = np.bincount(inverse.reshape(-1), weights=weight, minlength=len(distinct))
    keep = total >= min_hits
    u_owner = distinct[keep] // width
    u_key = stored_keys[distinct[keep] % width]
    u_weight = total[keep]
    order = np.lexsort((u_key, -u_weight, u_owner))
    u_owner = u_owner[order]
    u_key = u_key[order]
    # rank within each owner's group: keep the first max_per_owner
    starts = np.flatnonzero(np.r_[True, u_owner[1:] != u_owner[:-1]])
    sizes = np.diff(np.r_[starts, len(u_owner)])
    rank = np.arange(len(u_owner)) - np.repeat(starts, sizes)
    first = rank < max_per_owner
    return u_owner[first].astype(np.int64), u_key[first].astype(np.int64)


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
        ``(exact positions, earliest stored key of each)`` in increasing query order, and
        ``(near positions, candidate stored keys)`` ranked as :func:`rank_candidates`.
    """
    if use_skip:
        live = stored_articles[slots] != skip_article
        slots, qidx = slots[live], qidx[live]
    is_exact = qidx < n_exact
    # exact: per exact query key, the smallest stored key among its hits
    eq = qidx[is_exact]
    ek = stored_keys[slots[is_exact]]
    order = np.lexsort((ek, eq))
    eq, ek = eq[order], ek[order]
    first = np.r_[True, eq[1:] != eq[:-1]] if len(eq) else np.empty(0, dtype=bool)
    ex_pos = qpos[eq[first]].astype(np.int64)
    ex_key = ek[first].astype(np.int64)
    near = ~is_exact
    nq = qidx[near]
    owners, found = rank_candidates(
        qpos[nq], slots[near], qweight[nq], stored_keys, min_hits, max_per_owner
    )
    return ex_pos, ex_key, owners, found
