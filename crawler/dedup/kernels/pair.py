"""Compiled kernels of the overlap statistics (:mod:`crawler.dedup.within`): the content
words of some paragraphs as a sparse paragraphs x terms count table, document frequencies
counted from it, and the pair statistics of :class:`~crawler.dedup.verify.PairStats`, for
every pair of an article's paragraphs (through an inverted index: the work is the sum over
terms of the squared number of paragraphs holding them, never a paragraphs x terms matrix)
or for a given list of pairs.

Paragraphs come as their term ids in one array (paragraph ``p``'s at
``ids[offsets[p]:offsets[p + 1]]``); a term is a content word where ``hashes[term] >= 0``
(:attr:`crawler.dedup.vocab.Vocabulary.hashes`). Each entry point does all of one step
(table, document counts, IDF weights, pairs) in one call: a call costs about a
microsecond plus a fraction per argument, a numpy call on the way as much.

IDF weights are those of :meth:`crawler.dedup.verify.IdfModel.weights`,
``log((n_docs + 1) / (df + 1)) + 1``, computed here from ``df`` (indexed by term id) and
``n_docs`` (the C library's logarithm: it may differ from numpy's vectorised one in the
last bit); a term's frequency weight in a paragraph is ``1 + log(count)``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from crawler.dedup.kernels.jit import i64, kernel

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
_COL_BITS = 32  # a hash slot holds (term << _COL_BITS) | column


@kernel
def _table_size(n: int) -> int:
    """The number of slots (a power of two, at least 16) of a hash table for ``n`` keys,
    at most half full."""
    size = 16
    while size < 2 * n:
        size *= 2
    return size


@kernel
def _slot(slots: I64, t: int) -> int:
    """The slot of term ``t`` in an open-addressing table (linear probing; ``-1``: empty):
    the one holding it, or the empty one where it goes."""
    mask = len(slots) - 1
    h = ((t * _HASH_MUL) >> 16) & mask  # t < 2**31: no overflow
    while slots[h] >= 0 and slots[h] >> _COL_BITS != t:
        h = (h + 1) & mask
    return h


@kernel
def article_terms(ids: I64, offsets: I64, hashes: I64) -> tuple[I64, I64, I64, I64, I64, I64]:
    """The content words of paragraphs, through a hash table of the terms seen (no sort).
    The content words are picked out first (without a branch per token), then counted.

    Returns:
        ``(terms, docs, n_words, indptr, cols, counts)``: the distinct content terms, in
        order of first occurrence; how many paragraphs hold each; the number of distinct
        content words of each paragraph; and per paragraph ``p``, at
        ``indptr[p]:indptr[p + 1]``, the positions in ``terms`` of its distinct content
        words (in order of first occurrence) and their number of occurrences.
    """
    n = len(offsets) - 1
    content = np.empty(len(ids), dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    m = i64(0)
    for p in range(n):
        for k in range(offsets[p], offsets[p + 1]):
            t = ids[k]
            content[m] = t
            m += hashes[t] >= 0
        ends[p] = m
    slots = np.full(_table_size(m), -1, dtype=np.int64)
    terms = np.empty(m, dtype=np.int64)
    docs = np.zeros(m, dtype=np.int64)
    last = np.full(m, -1, dtype=np.int64)  # per term, its latest entry
    cols = np.empty(m, dtype=np.int64)
    counts = np.empty(m, dtype=np.int64)
    indptr = np.empty(n + 1, dtype=np.int64)
    n_words = np.empty(n, dtype=np.int64)
    n_terms = 0
    nnz = 0
    k = 0
    for p in range(n):
        indptr[p] = nnz
        while k < ends[p]:
            t = content[k]
            k += 1
            h = _slot(slots, t)
            if slots[h] < 0:
                c = n_terms
                n_terms += 1
                slots[h] = (t << _COL_BITS) | c
                terms[c] = t
            else:
                c = slots[h] & ((1 << _COL_BITS) - 1)
            if last[c] >= indptr[p]:  # already in this paragraph
                counts[last[c]] += 1
            else:
                last[c] = nnz
                cols[nnz] = c
                counts[nnz] = 1
                docs[c] += 1
                nnz += 1
        n_words[p] = nnz - indptr[p]
    indptr[n] = nnz
    return terms[:n_terms], docs[:n_terms], n_words, indptr, cols[:nnz], counts[:nnz]


@kernel
def _count(terms: I64, docs: I64, n_words: I64, df: I64) -> int:
    """Add ``docs[i]`` to ``df[terms[i]]``; returns the number of paragraphs with content
    words (the documents counted)."""
    for c in range(len(terms)):  # plain loops: numpy's max and count_nonzero cost compiling
        if terms[c] >= len(df):
            raise IndexError("a term id beyond the document frequencies")
    for c in range(len(terms)):
        df[terms[c]] += docs[c]
    counted = 0
    for p in range(len(n_words)):
        counted += n_words[p] != 0
    return counted


def count_documents(ids: I64, offsets: I64, hashes: I64, df: I64) -> tuple[I64, int]:
    """Count each paragraph with content words as one document holding them (adds to
    ``df`` in place). A Python call of two kernels that :func:`within_pairs` compiles
    anyway (a compiled wrapper only added to the compiling).

    Returns:
        ``(n_words, counted)``: the number of distinct content words of each paragraph
        and the number of documents counted.
    """
    terms, docs, n_words, _, _, _ = article_terms(ids, offsets, hashes)
    return n_words, _count(terms, docs, n_words, df)


@kernel
def _weigh(terms: I64, n: int, df: I64, n_docs: int, w: F64) -> None:
    """The IDF weight ``log((n_docs + 1) / (df + 1)) + 1`` of each of the first ``n``
    terms, into ``w`` (the frequencies are gathered first, so that the loads overlap
    instead of each waiting for the logarithm before it). A length, not a slice: a slice
    is another array layout, and so a second compilation."""
    for c in range(n):
        t = terms[c]
        if not 0 <= t < len(df):
            raise IndexError("a term id beyond the document frequencies")
        w[c] = df[t] + 1.0
    for c in range(n):
        w[c] = math.log((n_docs + 1) / w[c]) + 1.0


@kernel
def _weights(terms: I64, df: I64, n_docs: int) -> F64:
    """The IDF weight of each term (see :func:`_weigh`)."""
    w = np.empty(len(terms), dtype=np.float64)
    _weigh(terms, len(terms), df, n_docs, w)
    return w


@kernel
def _tf(count: int) -> float:
    """Frequency weight ``1 + log(count)`` (no logarithm for the common count of 1)."""
    return 1.0 if count == 1 else 1.0 + math.log(count)


@kernel
def pair_stats(
    ids_a: I64,
    offsets_a: I64,
    ids_b: I64,
    offsets_b: I64,
    pairs: I64,
    hashes: I64,
    df: I64,
    n_docs: int,
) -> F64:
    """:class:`~crawler.dedup.verify.PairStats` fields (one row per pair, in field order)
    of paragraph ``pairs[i, 0]`` of the first paragraphs and paragraph ``pairs[i, 1]`` of
    the second (e.g. an article's queries and their candidates), with the IDF weights of
    ``df`` and ``n_docs``.

    Only the paragraphs in pairs are read, a paragraph ``a`` once for a run of pairs with
    it: its distinct content words go into a hash table, then each ``b``'s join them
    there (each token is hashed once; a shared word's weight is ``a``'s). Sums run in
    each paragraph's order of first occurrence, so equal paragraphs give equal
    statistics.
    """
    n_a, n_b = len(offsets_a) - 1, len(offsets_b) - 1
    longest = 0
    for i in range(len(pairs)):
        a, b = pairs[i, 0], pairs[i, 1]
        if not (0 <= a < n_a and 0 <= b < n_b):
            raise IndexError("pair_stats: a pair's paragraph is out of range")
        longest = max(longest, offsets_a[a + 1] - offsets_a[a], offsets_b[b + 1] - offsets_b[b])
    none = (1 << _COL_BITS) - 1  # in a slot: a word of b only
    slots = np.full(_table_size(2 * longest), -1, dtype=np.int64)  # (term << 32) | in a
    in_b = np.full(len(slots), -1, dtype=np.int64)  # by slot: position in b's words
    # distinct words, in order; arrays of their own (rows of one 2-d array would be another
    # layout for the kernels they are passed to, so another compilation)
    words_a, words_b = np.empty(longest, dtype=np.int64), np.empty(longest, dtype=np.int64)
    counts_a, counts_b = np.empty(longest, dtype=np.int64), np.empty(longest, dtype=np.int64)
    slot_a, slot_b = np.empty(longest, dtype=np.int64), np.empty(longest, dtype=np.int64)
    tf_a = np.empty(longest, dtype=np.float64)
    w_a, w_b = np.empty(longest, dtype=np.float64), np.empty(longest, dtype=np.float64)
    out = np.empty((len(pairs), STATS_COLUMNS), dtype=np.float64)
    na = i64(0)
    total_a = 0.0
    norm_a = 0.0
    for i in range(len(pairs)):
        a, b = pairs[i, 0], pairs[i, 1]
        if i == 0 or a != pairs[i - 1, 0]:
            for k in range(na):
                slots[slot_a[k]] = -1
            na = i64(0)
            for k in range(offsets_a[a], offsets_a[a + 1]):
                t = ids_a[k]
                if hashes[t] < 0:
                    continue
                h = _slot(slots, t)
                if slots[h] < 0:
                    slots[h] = (t << _COL_BITS) | na
                    words_a[na] = t
                    counts_a[na] = 1
                    slot_a[na] = h
                    na += 1
                else:
                    counts_a[slots[h] & none] += 1
            _weigh(words_a, na, df, n_docs, w_a)
            total_a = 0.0
            sq_a = 0.0
            for k in range(na):
                tf_a[k] = _tf(counts_a[k])
                tw = tf_a[k] * w_a[k]
                total_a += w_a[k]
                sq_a += tw * tw
            norm_a = math.sqrt(sq_a)
        nb = 0
        for k in range(offsets_b[b], offsets_b[b + 1]):
            t = ids_b[k]
            if hashes[t] < 0:
                continue
            h = _slot(slots, t)
            if slots[h] < 0:
                slots[h] = (t << _COL_BITS) | none
            if in_b[h] < 0:
                in_b[h] = nb
                words_b[nb] = t
                counts_b[nb] = 1
                slot_b[nb] = h
                nb += 1
            else:
                counts_b[in_b[h]] += 1
        # weights of b's words: a's where shared, else gathered, then logarithms
        for k in range(nb):
            if slots[slot_b[k]] & none == none:
                t = words_b[k]
                if not 0 <= t < len(df):
                    raise IndexError("a term id beyond the document frequencies")
                w_b[k] = df[t] + 1.0
        for k in range(nb):
            j = slots[slot_b[k]] & none
            w_b[k] = math.log((n_docs + 1) / w_b[k]) + 1.0 if j == none else w_a[j]
        shared = 0
        weight = 0.0
        dot = 0.0
        total_b = 0.0
        sq_b = 0.0
        for k in range(nb):
            x = w_b[k]
            tw = _tf(counts_b[k]) * x
            total_b += x
            sq_b += tw * tw
            j = slots[slot_b[k]] & none
            if j != none:
                shared += 1
                weight += x
                dot += tf_a[j] * w_a[j] * tw
        for k in range(nb):  # b's words leave the table (a's stay)
            h = slot_b[k]
            in_b[h] = -1
            if slots[h] & none == none:
                slots[h] = -1
        out[i, 0] = shared
        out[i, 1] = na
        out[i, 2] = nb
        out[i, 3] = weight
        out[i, 4] = total_a
        out[i, 5] = total_b
        out[i, 6] = dot
        out[i, 7] = norm_a
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
def _pairs(
    indptr: I64,
    cols: I64,
    counts: I64,
    w: F64,
    block: I8,
    rows: I64,
    max_novelty: float,
    containment_min: float,
    overlap_min: float,
    rare_min: float,
    rare_share_min: float,
    cosine_min: float,
    strong_rare_min: float,
    strong_share_min: float,
) -> F64:
    """:func:`within_pairs` on an :func:`article_terms` table with IDF weights ``w``,
    for the eligible ``rows`` (at least two)."""
    n = len(rows)
    n_terms = len(w)
    start, post_row, post_tf = _postings(indptr, cols, counts, rows, n_terms)
    local_idf = np.zeros(n + 1, dtype=np.float64)  # by local document frequency
    for d in range(1, n + 1):
        local_idf[d] = math.log((n + 1) / d)
    # sums over each row's terms and each pair's shared terms (a < b), all in term order
    # (a side contained in the other has exactly its total as shared weight)
    sizes, totals, norms, lnorms = np.zeros((4, n), dtype=np.float64)
    n_shared, weight, dot, exclusive, local = np.zeros((5, n, n), dtype=np.float64)
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
    out = np.empty((n * (n - 1) // 2, WITHIN_COLUMNS), dtype=np.float64)
    i = 0
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
            if not (
                novelty <= max_novelty
                or _ratio(n_shared[a, b], small) >= containment_min
                or 1.0 - novelty >= overlap_min
                or rare[a, b] == 2.0
            ) or (block[rows[a]] == LISTED and block[rows[b]] == LISTED):
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
    return out[:i]


@kernel
def within_pairs(
    ids: I64,
    offsets: I64,
    hashes: I64,
    df: I64,
    n_docs: int,
    count: bool,
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
) -> tuple[F64, I64, int]:
    """The pairs of an article's paragraphs whose overlap could pass a rule of
    :func:`crawler.dedup.within.within_article`, with their statistics: one call for the
    table, the optional document counts, the IDF weights and the pairs.

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

    The IDF weights are those of ``df`` and ``n_docs``; with ``count``, after counting
    the paragraphs into them (as :func:`count_documents` does).

    Returns:
        ``(rows, n_words, counted)``: one row per kept pair, ordered by later then earlier
        paragraph; the number of distinct content words of each paragraph; the documents
        counted (0 without ``count``). Columns of the rows: :data:`EARLIER`,
        :data:`LATER` (paragraph positions), the :class:`~crawler.dedup.verify.PairStats`
        fields (:data:`N_SHARED` .. :data:`NORM_B`), :data:`EXCLUSIVE`,
        :data:`RARE_SHARE`, :data:`LOCAL_COS` and :data:`RARE`: 2.0 if rare-ok, 1.0 if
        not but at least four rows and at least ``rare_min`` shared and exclusive words
        (the rare overlap is worth reporting), else 0.0.
    """
    terms, docs, n_words, indptr, cols, counts = article_terms(ids, offsets, hashes)
    counted = _count(terms, docs, n_words, df) if count else 0
    rows = _eligible(indptr, block, min_words)
    if len(rows) < 2:
        return np.empty((0, WITHIN_COLUMNS), dtype=np.float64), n_words, counted
    pairs = _pairs(
        indptr,
        cols,
        counts,
        _weights(terms, df, n_docs + counted),
        block,
        rows,
        max_novelty,
        containment_min,
        overlap_min,
        rare_min,
        rare_share_min,
        cosine_min,
        strong_rare_min,
        strong_share_min,
    )
    return pairs, n_words, counted
