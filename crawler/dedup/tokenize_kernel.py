"""Compiled kernels of tokenising (:mod:`crawler.dedup.normalize`) and of the term-id
table (:mod:`crawler.dedup.vocab`).

:func:`tokenize` does for many prepared ASCII texts at once what
:func:`crawler.dedup.normalize.sentence_tokens` and
:func:`crawler.dedup.normalize.sentence_key` do for one: the tokens and sentence breaks of
``[a-z]+|[0-9]+(?:\\.[0-9]+)*[a-z]*|[.!?:;](?=\\s)|\\n`` (``re.findall`` semantics), the
sentences, and the sentence keys (zlib's CRC-32 and Adler-32 of the sentence's tokens
joined by spaces). Its output holds each text's tokens joined by single spaces (tokens
never contain one), which is all the rest needs: the exact hash is the SHA-256 of it, and
:func:`lookup_tokens` maps its tokens to term ids through an open-addressing table keyed
by the token bytes.

Arithmetic is on int64 values masked to the width wanted, so a kernel gives the same
numbers compiled (wrapping) and as plain Python (``NEWSDEDUP_JIT=0``, exact integers).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

NONE = 0
WORD = 1
BREAK = 2
_MASK32 = 0xFFFFFFFF
_MASK62 = (1 << 62) - 1
_SEED = 0x2545F4914F6CDD1D & _MASK62
_MIX = 0x9E3779B97F4A7C15 & _MASK62
SHORT = 7
"""Tokens of at most this many bytes are kept in the table row itself."""
_ADLER_MOD = 65521
_ADLER_NMAX = 5552  # bytes summed before a reduction can overflow 32 bits (as zlib)
_SPACE = 32


def _crc_tables() -> I64:
    """zlib's CRC-32 byte table (IEEE polynomial, reflected) and the seven more tables of
    the slicing-by-8 method: ``tables[k][n]`` is the CRC of byte ``n`` followed by ``k``
    zero bytes."""
    tables = np.empty((8, 256), dtype=np.int64)
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else c >> 1
        tables[0, n] = c
    for k in range(1, 8):
        for n in range(256):
            c = int(tables[k - 1, n])
            tables[k, n] = (c >> 8) ^ int(tables[0, c & 0xFF])
    return tables


CRC_TABLES = _crc_tables()
"""See :func:`_crc_tables`."""


@kernel
def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


@kernel
def _is_lower(c: int) -> bool:
    return 97 <= c <= 122


@kernel
def _is_space(c: int) -> bool:
    """ASCII characters that Python's ``\\s`` matches in a ``str`` pattern (the
    separators 0x1c to 0x1f included)."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


@kernel
def _next_token(buf: U8, i: int, end: int) -> tuple[int, int, int]:
    """The next match at or after ``i`` in ``buf[:end]``: ``(start, stop, kind)`` with kind
    :data:`WORD`, :data:`BREAK` or :data:`NONE` (no match left; start = stop = end)."""
    while i < end:
        c = int(buf[i])
        if _is_lower(c):
            j = i + 1
            while j < end and _is_lower(int(buf[j])):
                j += 1
            return i, j, WORD
        if _is_digit(c):
            j = i + 1
            while j < end and _is_digit(int(buf[j])):
                j += 1
            while j + 1 < end and buf[j] == 46 and _is_digit(int(buf[j + 1])):
                j += 2
                while j < end and _is_digit(int(buf[j])):
                    j += 1
            while j < end and _is_lower(int(buf[j])):
                j += 1
            return i, j, WORD
        if c == 10:
            return i, i + 1, BREAK
        if (c == 46 or c == 33 or c == 63 or c == 58 or c == 59) and (
            i + 1 < end and _is_space(int(buf[i + 1]))
        ):
            return i, i + 1, BREAK
        i += 1
    return end, end, NONE


@kernel
def sentence_key(data: U8, lo: int, hi: int, crc_tables: I64) -> np.uint64:
    """``zlib.crc32(d) << 32 | zlib.adler32(d)`` of ``d = data[lo:hi]``."""
    crc = _MASK32
    i = lo
    while i + 8 <= hi:
        crc ^= (
            int(data[i]) | int(data[i + 1]) << 8 | int(data[i + 2]) << 16 | int(data[i + 3]) << 24
        )
        crc = (
            int(crc_tables[7, crc & 0xFF])
            ^ int(crc_tables[6, (crc >> 8) & 0xFF])
            ^ int(crc_tables[5, (crc >> 16) & 0xFF])
            ^ int(crc_tables[4, crc >> 24])
            ^ int(crc_tables[3, data[i + 4]])
            ^ int(crc_tables[2, data[i + 5]])
            ^ int(crc_tables[1, data[i + 6]])
            ^ int(crc_tables[0, data[i + 7]])
        )
        i += 8
    while i < hi:
        crc = int(crc_tables[0, (crc ^ int(data[i])) & 0xFF]) ^ (crc >> 8)
        i += 1
    crc ^= _MASK32
    a = 1
    b = 0
    i = lo
    while i < hi:
        stop = min(hi, i + _ADLER_NMAX)
        while i < stop:
            a += int(data[i])
            b += a
            i += 1
        a %= _ADLER_MOD
        b %= _ADLER_MOD
    return (np.uint64(crc) << np.uint64(32)) | np.uint64((b << 16) | a)


@kernel
def tokenize(
    buf: U8, bounds: I64, min_sentence: int, max_keys: int, crc_tables: I64
) -> tuple[U8, I64, I64, I64, U64, I64]:
    """Tokens, sentences and sentence keys of the texts ``buf[bounds[i]:bounds[i + 1]]``.

    Returns:
        ``(joined, joined_bounds, ends, end_bounds, keys, key_bounds)``: text ``i``'s tokens
        joined by single spaces at ``joined[joined_bounds[i]:joined_bounds[i + 1]]``; the
        end of each of its sentences (a count of tokens from the start of the text) at
        ``ends[end_bounds[i]:end_bounds[i + 1]]`` (at least one sentence; empty ones too);
        the keys of its first ``max_keys`` sentences of at least ``min_sentence`` tokens
        at ``keys[key_bounds[i]:key_bounds[i + 1]]``.
    """
    n = len(bounds) - 1
    # upper bounds: a token of k bytes takes at most 2k joined bytes (with a space), a
    # break at least one byte of text (pages never written are never committed)
    joined = np.empty(2 * len(buf), dtype=np.uint8)
    ends = np.empty(len(buf) + n, dtype=np.int64)
    keys = np.empty(len(buf) + n, dtype=np.uint64)
    joined_bounds = np.empty(n + 1, dtype=np.int64)
    end_bounds = np.empty(n + 1, dtype=np.int64)
    key_bounds = np.empty(n + 1, dtype=np.int64)
    w = 0  # write position in joined
    n_ends = 0
    n_keys = 0
    joined_bounds[0] = end_bounds[0] = key_bounds[0] = 0
    for p in range(n):
        i = bounds[p]
        end = bounds[p + 1]
        count = 0  # tokens of the text so far
        sent_count = 0  # tokens of the current sentence
        sent_lo = w  # where the current sentence's joined tokens start
        text_keys = 0
        while True:
            start, stop, kind = _next_token(buf, i, end)
            if kind == WORD:
                if count:
                    joined[w] = _SPACE
                    w += 1
                if sent_count == 0:
                    sent_lo = w
                for k in range(start, stop):
                    joined[w] = buf[k]
                    w += 1
                count += 1
                sent_count += 1
            else:
                # a sentence ends: at a break, or at the end of the text
                if sent_count == 0:
                    sent_lo = w
                if sent_count >= min_sentence and text_keys < max_keys:
                    keys[n_keys] = sentence_key(joined, sent_lo, w, crc_tables)
                    n_keys += 1
                    text_keys += 1
                ends[n_ends] = count
                n_ends += 1
                sent_count = 0
                if kind == NONE:
                    break
            i = stop
        joined_bounds[p + 1] = w
        end_bounds[p + 1] = n_ends
        key_bounds[p + 1] = n_keys
    return (
        joined[:w].copy(),
        joined_bounds,
        ends[:n_ends].copy(),
        end_bounds,
        keys[:n_keys].copy(),
        key_bounds,
    )


@kernel
def token_key(data: U8, lo: int, end: int) -> tuple[int, int, int]:
    """The token starting at ``lo`` (up to the next space or ``end``): ``(hi, h, packed)``
    with its end ``hi``, a 62-bit hash ``h`` and, for a token of at most :data:`SHORT`
    bytes, the token itself packed into an integer (little-endian), which (with the
    length) a table row holds instead of a pointer to the bytes."""
    h = _SEED
    w = 0
    shift = 0
    hi = lo
    while hi < end:
        c = int(data[hi])
        if c == _SPACE:
            break
        if shift == 8 * SHORT:
            h = ((h ^ w) * _MIX) & _MASK62
            w = 0
            shift = 0
        w |= c << shift
        shift += 8
        hi += 1
    h = ((h ^ w) * _MIX + int(hi - lo)) & _MASK62
    h ^= h >> 31
    h = (h * _MIX) & _MASK62
    return hi, h ^ (h >> 29), w


@kernel
def _home(h: int, mask: int) -> int:
    return ((int(h) * _MIX) & _MASK62) >> 30 & mask


@kernel
def _same_bytes(a: U8, a_lo: int, b: U8, b_lo: int, length: int) -> bool:
    k = 0
    while k < length and a[a_lo + k] == b[b_lo + k]:
        k += 1
    return k == length


@kernel
def _find(data: U8, lo: int, length: int, h: int, packed: int, table: I64, arena: U8) -> int:
    """The row of ``table`` holding the token ``data[lo:lo + length]`` (hash and packed
    form from :func:`token_key`), or the empty row where it would go."""
    mask = len(table) - 1
    s = _home(h, mask)
    while True:
        if table[s, 0] < 0:
            return s
        if table[s, 0] == h and table[s, 3] == length:
            if length <= SHORT:
                if table[s, 2] == packed:
                    return s
            elif _same_bytes(arena, table[s, 2], data, lo, length):
                return s
        s = (s + 1) & mask


@kernel
def lookup_tokens(data: U8, bounds: I64, table: I64, arena: U8) -> tuple[I64, I64, I64, I64]:
    """Term ids of the tokens of texts given joined by single spaces
    (``data[bounds[i]:bounds[i + 1]]``), from ``table`` and ``arena`` (see
    :class:`crawler.dedup.vocab.TokenTable`).

    Returns:
        ``(ids, token_bounds, new_lo, new_hi)``: text ``i``'s ids at
        ``ids[token_bounds[i]:token_bounds[i + 1]]``, where a token not in the table has
        ``-1 - k`` if it is the ``k``-th distinct such token of the batch (in order of first
        appearance), found at ``data[new_lo[k]:new_hi[k]]``.
    """
    n = len(bounds) - 1
    n_tok = 0
    for p in range(n):
        if bounds[p + 1] > bounds[p]:
            n_tok += 1
            for i in range(bounds[p], bounds[p + 1]):
                if data[i] == _SPACE:
                    n_tok += 1
    ids = np.empty(n_tok, dtype=np.int64)
    token_bounds = np.empty(n + 1, dtype=np.int64)
    token_bounds[0] = 0
    # tokens not in the table: position in ids, start and end in data
    missing = np.empty((16, 3), dtype=np.int64)
    n_missing = 0
    t = 0
    for p in range(n):
        lo = bounds[p]
        end = bounds[p + 1]
        while lo < end:
            hi, h, packed = token_key(data, lo, end)
            s = _find(data, lo, hi - lo, h, packed, table, arena)
            ids[t] = table[s, 1]  # -1 in an empty row
            if table[s, 0] < 0:
                if n_missing == len(missing):
                    grown = np.empty((2 * n_missing, 3), dtype=np.int64)
                    grown[:n_missing] = missing
                    missing = grown
                missing[n_missing, 0] = t
                missing[n_missing, 1] = lo
                missing[n_missing, 2] = hi
                n_missing += 1
            t += 1
            lo = hi + 1
        token_bounds[p + 1] = t
    # number the distinct missing tokens in order, in a table of their own (its "arena"
    # is data)
    size = 64
    while size < 2 * n_missing:
        size *= 2
    new = np.full((size, 4), -1, dtype=np.int64)
    new_lo = np.empty(n_missing, dtype=np.int64)
    new_hi = np.empty(n_missing, dtype=np.int64)
    n_new = 0
    for m in range(n_missing):
        lo = missing[m, 1]
        hi, h, packed = token_key(data, lo, missing[m, 2])
        length = hi - lo
        s = _find(data, lo, length, h, packed, new, data)
        if new[s, 0] < 0:
            _set_row(new, s, h, n_new, packed if length <= SHORT else lo, length)
            new_lo[n_new] = lo
            new_hi[n_new] = hi
            n_new += 1
        ids[missing[m, 0]] = -1 - new[s, 1]
    return ids, token_bounds, new_lo[:n_new].copy(), new_hi[:n_new].copy()


@kernel
def _set_row(table: I64, s: int, h: int, term: int, where: int, length: int) -> None:
    table[s, 0] = h
    table[s, 1] = term
    table[s, 2] = where
    table[s, 3] = length


@kernel
def insert_tokens(
    data: U8, lo: I64, hi: I64, ids: I64, table: I64, arena: U8, arena_used: int
) -> int:
    """Add the tokens ``data[lo[k]:hi[k]]`` (not in the table, distinct) with term ids
    ``ids[k]``, the bytes of those longer than :data:`SHORT` at ``arena[arena_used:]``; the
    caller has made ``table`` and ``arena`` large enough (``table`` at most half full
    afterwards). Returns the arena's new used length."""
    for k in range(len(lo)):
        length = hi[k] - lo[k]
        _, h, packed = token_key(data, lo[k], hi[k])
        s = _find(data, lo[k], length, h, packed, table, arena)
        if length <= SHORT:
            _set_row(table, s, h, ids[k], packed, length)
        else:
            for i in range(length):
                arena[arena_used + i] = data[lo[k] + i]
            _set_row(table, s, h, ids[k], arena_used, length)
            arena_used += length
    return arena_used


@kernel
def rebuild_table(table: I64, size: int) -> I64:
    """The rows of ``table`` in a new table of ``size`` rows (a power of two)."""
    out = np.full((size, table.shape[1]), -1, dtype=np.int64)
    mask = size - 1
    for r in range(len(table)):
        if table[r, 0] >= 0:
            s = _home(table[r, 0], mask)
            while out[s, 0] >= 0:
                s = (s + 1) & mask
            out[s] = table[r]
    return out
