"""Compiled kernels of the overlap statistics (:mod:`crawler.dedup.within`): the content
words of some paragraphs as a sparse paragraphs x terms count table, and the pair
statistics of :class:`~crawler.dedup.verify.PairStats` from it, for every pair of an
article's paragraphs (through an inverted index: the work is the sum over terms of the
squared number of paragraphs holding them, never a paragraphs x terms matrix) or for a
given list of pairs.

One call each replaces the hundred or so numpy calls (a few microseconds apiece) that the
same work costs as matrix products over a dense count matrix.

``w`` is the IDF weight of each term of the table (from
:meth:`crawler.dedup.verify.IdfModel.weights`); a term's frequency weight in a paragraph
is ``1 + log(count)``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]

# what within_pairs takes of each paragraph (block kinds, see crawler.dedup.within)
PARAGRAPH, LISTED, LEFT_OUT = 0, 1, 2

# columns of the rows within_pairs returns (one row per pair to judge)
EARLIER, LATER = 0, 1
N_SHARED, NA, NB, SHARED_WEIGHT, TOTAL_A, TOTAL_B, DOT, NORM_A, NORM_B = range(2, 11)
EXCLUSIVE, RARE_SHARE, LOCAL_COS, RARE = range(11, 15)
WITHIN_COLUMNS = 15
# columns of the rows pair_stats returns: the fields of PairStats, in order
STATS_COLUMNS = 9
_HASH_MUL = 0x9E3779B1


@kernel
def article_terms(ids: I64, offsets: I64, hashes: I64) -> tuple[I64, I64, I64, I64, I64, I64]:
    """The content words of paragraphs (term ids ``ids[offsets[p]:offsets[p + 1]]`` of
    paragraph ``p``; a term is a content word where ``hashes[term] >= 0``), through a hash
    table of the terms seen (no sort).

    Returns:
        ``(terms, docs, n_words, indptr, cols, counts)``: the distinct content terms, in
        order of first occurrence; how many paragraphs hold each; the number of distinct
        content words of each paragraph; and per paragraph ``p``, at
        ``indptr[p]:indptr[p + 1]``, the positions in ``terms`` of its distinct content
        words (in order of first occurrence) and their number of occurrences.
    """
    n = len(offsets) - 1
    size = 16
    while size < 2 * len(ids):
        size *= 2
    mask = size - 1
    slot_term = np.full(size, -1, dtype=np.int64)
    slot_col = np.empty(size, dtype=np.int64)
    terms = np.empty(len(ids), dtype=np.int64)
    docs = np.empty(len(ids), dtype=np.int64)
    last_row = np.empty(len(ids), dtype=np.int64)  # per term, the last paragraph with it
    last_entry = np.empty(len(ids), dtype=np.int64)  # and its entry there
    cols = np.empty(len(ids), dtype=np.int64)
    counts = np.empty(len(ids), dtype=np.int64)
    indptr = np.empty(n + 1, dtype=np.int64)
    n_words = np.empty(n, dtype=np.int64)
    n_terms = 0
    nnz = 0
    for p in range(n):
        indptr[p] = nnz
        for k in range(offsets[p], offsets[p + 1]):
            t = ids[k]
            if hashes[t] < 0:
                continue
            h = ((t * _HASH_MUL) >> 16) & mask  # t < 2**31: no overflow
            while slot_term[h] != t and slot_term[h] != -1:
                h = (h + 1) & mask
            if slot_term[h] == t:
                c = slot_col[h]
            else:
                c = n_terms
                n_terms += 1
                slot_term[h] = t
                slot_col[h] = c
                terms[c] = t
                docs[c] = 0
                last_row[c] = -1
            if last_row[c] == p:
                counts[last_entry[c]] += 1
            else:
                last_row[c] = p
                last_entry[c] = nnz
                cols[nnz] = c
                counts[nnz] = 1
                docs[c] += 1
                nnz += 1
        n_words[p] = nnz - indptr[p]
    indptr[n] = nnz
    return terms[:n_terms], docs[:n_terms], n_words, indptr, cols[:nnz], counts[:nnz]


@kernel
def _tf(count: int) -> float:
    """Frequency weight ``1 + log(count)`` (no logarithm for the common count of 1)."""
    return 1.0 if count == 1 else 1.0 + math.log(count)


@kernel
def pair_stats(indptr: I64, cols: I64, counts: I64, w: F64, pairs: I64) -> F64:
    """:class:`~crawler.dedup.verify.PairStats` fields (one row per pair, in field order)
    of the rows ``pairs[i, 0]`` and ``pairs[i, 1]`` of an :func:`article_terms` table:
    row ``a``'s term frequencies go into a scratch array indexed by term, row ``b`` is
    read against it (sums in each row's order, so equal rows give equal statistics)."""
    n = len(indptr) - 1
    out = np.empty((len(pairs), STATS_COLUMNS), dtype=np.float64)
    tf_a = np.zeros(len(w), dtype=np.float64)  # 0: not in row a (a frequency is >= 1)
    for i in range(len(pairs)):
        a, b = pairs[i, 0], pairs[i, 1]
        if not (0 <= a < n and 0 <= b < n):
            raise IndexError("pair_stats: a pair's row is out of range")
        total_a = 0.0
        sq_a = 0.0
        for k in range(indptr[a], indptr[a + 1]):
            c = cols[k]
            tf_a[c] = _tf(counts[k])
            tw = tf_a[c] * w[c]
            total_a += w[c]
            sq_a += tw * tw
        shared = 0
        weight = 0.0
        dot = 0.0
        total_b = 0.0
        sq_b = 0.0
        for k in range(indptr[b], indptr[b + 1]):
            c = cols[k]
            tw = _tf(counts[k]) * w[c]
            total_b += w[c]
            sq_b += tw * tw
            if tf_a[c] > 0.0:
                shared += 1
                weight += w[c]
                dot += tf_a[c] * w[c] * tw
        for k in range(indptr[a], indptr[a + 1]):
            tf_a[cols[k]] = 0.0
        out[i, 0] = shared
        out[i, 1] = indptr[a + 1] - indptr[a]
        out[i, 2] = indptr[b + 1] - indptr[b]
        out[i, 3] = weight
        out[i, 4] = total_a
        out[i, 5] = total_b
        out[i, 6] = dot
        out[i, 7] = math.sqrt(sq_a)
        out[i, 8] = math.sqrt(sq_b)
    return out


@kernel
def _ratio(x: float, y: float) -> float:
    """``x / y`` as numpy divides (``inf`` or ``nan`` when ``y`` is 0, no exception)."""
    if y != 0.0:
        return x / y
    if x == 0.0 or x != x:
        return math.nan
    return math.inf if x > 0.0 else -math.inf


@kernel
def _eligible(indptr: I64, block: I8, min_words: int) -> I64:
    """The paragraphs not left out with at least ``min_words`` distinct content words."""
    rows = np.empty(len(block), dtype=np.int64)
    n = 0
    for p in range(len(block)):
        if block[p] != LEFT_OUT and indptr[p + 1] - indptr[p] >= min_words:
            rows[n] = p
            n += 1
    return rows[:n]


@kernel
def _postings(indptr: I64, cols: I64, counts: I64, rows: I64, n_terms: int) -> tuple[I64, I64, F64]:
    """An inverted index over the table's ``rows``: term ``c``'s postings are at
    ``start[c]:start[c + 1]`` (so ``start[c + 1] - start[c]`` is its local document
    frequency), each the position in ``rows`` of a row holding it (ascending) and the
    frequency weight there."""
    start = np.zeros(n_terms + 1, dtype=np.int64)
    for r in range(len(rows)):
        for k in range(indptr[rows[r]], indptr[rows[r] + 1]):
            start[cols[k] + 1] += 1
    for c in range(n_terms):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    post_row = np.empty(start[n_terms], dtype=np.int64)
    post_tf = np.empty(start[n_terms], dtype=np.float64)
    for r in range(len(rows)):
        for k in range(indptr[rows[r]], indptr[rows[r] + 1]):
            c = cols[k]
            post_row[fill[c]] = r
            post_tf[fill[c]] = _tf(counts[k])
            fill[c] += 1
    return start, post_row, post_tf


@kernel
def within_pairs(
    indptr: I64,
    cols: I64,
    counts: I64,
    w: F64,
    block: I8,
    min_words: int,
    max_novelty: float,
    containment_min: float,
    overlap_min: float,
    rare_min: float,
    rare_share_min: float,
    cosine_min: float,
    strong_rare_min: float,
    strong_share_min: float,
) -> F64:
    """The pairs of an article's paragraphs (an :func:`article_terms` table) whose overlap
    could pass a rule of :func:`crawler.dedup.within.within_article`, with their
    statistics.

    The rows compared are the paragraphs with at least ``min_words`` distinct content
    words whose ``block`` is not :data:`LEFT_OUT`. A pair (earlier ``a``, later ``b``) is
    kept when its IDF novelty is at most ``max_novelty``, or its containment at least
    ``containment_min``, or its IDF overlap (1 - novelty) at least ``overlap_min``, or it
    is rare-ok (below), unless both are :data:`LISTED` (list items). Among the rows, a
    term's local document frequency ``ldf`` is the number of rows holding it; the pair's
    exclusive words are those only this pair holds (``ldf == 2``), the rare share is their
    share of the smaller side, and the local cosine is the TF-IDF cosine with
    article-local IDF ``log((n + 1) / ldf)`` (``n`` rows). Rare-ok: at least four rows,
    at least ``rare_min`` shared words, and either (``rare_min`` exclusive words, rare
    share at least ``rare_share_min``, local cosine at least ``cosine_min``) or
    (``strong_rare_min`` exclusive words, rare share at least ``strong_share_min``).

    Returns:
        one row per kept pair, ordered by later then earlier paragraph; columns
        :data:`EARLIER`, :data:`LATER` (paragraph positions), the
        :class:`~crawler.dedup.verify.PairStats` fields (:data:`N_SHARED` ..
        :data:`NORM_B`), :data:`EXCLUSIVE`, :data:`RARE_SHARE`, :data:`LOCAL_COS` and
        :data:`RARE`: 2.0 if rare-ok, 1.0 if not but at least four rows and at least
        ``rare_min`` shared and exclusive words (the rare overlap is worth reporting),
        else 0.0.
    """
    rows = _eligible(indptr, block, min_words)
    n = len(rows)
    if n < 2:
        return np.empty((0, WITHIN_COLUMNS), dtype=np.float64)
    n_terms = len(w)
    start, post_row, post_tf = _postings(indptr, cols, counts, rows, n_terms)
    local_idf = np.zeros(n + 1, dtype=np.float64)  # by local document frequency
    for d in range(1, n + 1):
        local_idf[d] = math.log((n + 1) / d)
    # sums over each row's terms and each pair's shared terms (a < b), all in term order
    # (a side contained in the other has exactly its total as shared weight)
    sizes = np.zeros(n, dtype=np.float64)
    totals = np.zeros(n, dtype=np.float64)
    norms = np.zeros(n, dtype=np.float64)
    lnorms = np.zeros(n, dtype=np.float64)
    n_shared = np.zeros((n, n), dtype=np.float64)
    weight = np.zeros((n, n), dtype=np.float64)
    dot = np.zeros((n, n), dtype=np.float64)
    exclusive = np.zeros((n, n), dtype=np.float64)
    local = np.zeros((n, n), dtype=np.float64)
    for c in range(n_terms):
        lo, hi = start[c], start[c + 1]
        x = w[c]
        lidf = local_idf[hi - lo]
        for i in range(lo, hi):
            a = post_row[i]
            tw_a = post_tf[i] * x
            lt_a = post_tf[i] * lidf
            sizes[a] += 1.0
            totals[a] += x
            norms[a] += tw_a * tw_a
            lnorms[a] += lt_a * lt_a
            for j in range(i + 1, hi):
                b = post_row[j]
                n_shared[a, b] += 1.0
                weight[a, b] += x
                dot[a, b] += tw_a * (post_tf[j] * x)
                local[a, b] += lt_a * (post_tf[j] * lidf)
                if hi - lo == 2:
                    exclusive[a, b] += 1.0
    for r in range(n):
        norms[r] = math.sqrt(norms[r])
        lnorms[r] = math.sqrt(lnorms[r])
    # the rules; a pair's rare share, local cosine and rare test go to the lower triangle
    share, cosine, rare = exclusive.T, local.T, n_shared.T
    keep = np.zeros((n, n), dtype=np.bool_)
    for b in range(1, n):
        for a in range(b):
            small = min(sizes[a], sizes[b])
            share[a, b] = _ratio(exclusive[a, b], small)
            cosine[a, b] = _ratio(local[a, b], lnorms[a] * lnorms[b])
            rare[a, b] = 0.0
            if n >= 4 and n_shared[a, b] >= rare_min:
                if exclusive[a, b] >= rare_min:
                    rare[a, b] = 1.0
                if (
                    exclusive[a, b] >= rare_min
                    and share[a, b] >= rare_share_min
                    and cosine[a, b] >= cosine_min
                ) or (exclusive[a, b] >= strong_rare_min and share[a, b] >= strong_share_min):
                    rare[a, b] = 2.0
            nov_a = 1.0 - _ratio(weight[a, b], totals[a])
            nov_b = 1.0 - _ratio(weight[a, b], totals[b])
            novelty = nov_a if nov_a >= nov_b or nov_a != nov_a else nov_b  # nan wins
            keep[a, b] = (
                novelty <= max_novelty
                or _ratio(n_shared[a, b], small) >= containment_min
                or 1.0 - novelty >= overlap_min
                or rare[a, b] == 2.0
            ) and not (block[rows[a]] == LISTED and block[rows[b]] == LISTED)
    out = np.empty((np.count_nonzero(keep), WITHIN_COLUMNS), dtype=np.float64)
    i = 0
    for b in range(1, n):
        for a in range(b):
            if not keep[a, b]:
                continue
            out[i, EARLIER] = rows[a]
            out[i, LATER] = rows[b]
            out[i, N_SHARED] = n_shared[a, b]
            out[i, NA] = sizes[a]
            out[i, NB] = sizes[b]
            out[i, SHARED_WEIGHT] = weight[a, b]
            out[i, TOTAL_A] = totals[a]
            out[i, TOTAL_B] = totals[b]
            out[i, DOT] = dot[a, b]
            out[i, NORM_A] = norms[a]
            out[i, NORM_B] = norms[b]
            out[i, EXCLUSIVE] = exclusive[a, b]
            out[i, RARE_SHARE] = share[a, b]
            out[i, LOCAL_COS] = cosine[a, b]
            out[i, RARE] = rare[a, b]
            i += 1
    return out
