"""Compiled kernels of tokenising (:mod:`crawler.dedup.normalize`) and of the term-id
table (:mod:`crawler.dedup.vocab`).

:func:`tokenize` does for many prepared ASCII texts at once what
:func:`crawler.dedup.normalize.sentence_tokens` and
:func:`crawler.dedup.normalize.sentence_key` do for one: the tokens and sentence breaks of
``[a-z]+|[0-9]+(?:\\.[0-9]+)*[a-z]*|[.!?:;](?=\\s)|\\n`` (``re.findall`` semantics), the
sentences, and the sentence keys (zlib's CRC-32 and Adler-32 of the sentence's tokens
joined by spaces). Its output holds each text's tokens joined by single spaces (tokens
never contain one), which is all the rest needs: the exact hash is the SHA-256 of it.
The same call maps the tokens to term ids and shingle hashes through an open-addressing
table keyed by the token bytes, computing each token's key while it copies the token,
and probing the table once all keys are known, so that the probes' cache misses overlap.
Text that is not ASCII is tokenised in Python and given to it as its tokens, so that a
batch is one call, in order, whatever its texts; the tokens it did not find are added by
:func:`insert_tokens` once Python has their stems and shingle hashes.

The texts come as one buffer, each followed by :data:`TEXT_END` (a byte no ASCII or UTF-8
text holds), and the outputs as few arrays as possible: each array a kernel returns costs
a third of a microsecond to hand over to Python, as much as tokenising a sentence.

Arithmetic is on int64 values masked to the width wanted, so a kernel gives the same
numbers compiled (wrapping) and as plain Python (``NUMBA_DISABLE_JIT=1``, exact integers).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crawler.dedup.kernels.jit import i64, kernel

U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

TEXT_END = 0xFF
"""The byte that ends each text of a buffer given to :func:`tokenize`."""
TOKENS_GIVEN = 0xFE
"""A text of a buffer given to :func:`tokenize` that starts with this byte is given as
its tokens already (tokenised in Python: text that is not ASCII): UTF-8, joined by single
spaces, its sentences separated by newlines. (UTF-8 holds neither this byte nor
:data:`TEXT_END`.)"""
JOINED, SENTENCES, KEYS, TOKENS = 0, 1, 2, 3
"""The rows of the ``bounds`` that :func:`tokenize` returns: where each text's joined
tokens, sentence ends, sentence keys and tokens start."""
SHORT = 7
"""Bytes packed into one integer."""
INLINE = 2 * SHORT
"""Tokens of at most this many bytes are kept in the table row itself."""
KEY, VALUE, FIRST, LAST = 0, 1, 2, 3
"""The columns of a table row (see :class:`crawler.dedup.vocab.TokenTable`)."""
EMPTY = 0
"""The key of an empty row (a token's key never is 0: it holds the token's length)."""
TERM_LIMIT = 1 << 30
"""Term ids are below this (a row holds one in its top bits)."""

_MASK31 = (1 << 31) - 1
_MASK32 = 0xFFFFFFFF
_MASK56 = (1 << 56) - 1
_MASK62 = (1 << 62) - 1
_SEED = 0x2545F4914F6CDD1D & _MASK62
_MIX = 0x9E3779B97F4A7C15 & _MASK62
_STOP = 1 << 32
_ADLER_MOD = 65521
_ADLER_NMAX = 5552  # bytes summed between two reductions (as zlib)
_SPACE = 32
_DOT = 46

# character classes of the tokeniser
# (in this order: the tests of the tokeniser are comparisons with one or two bounds)
_OTHER, _POINT, _END_MARK, _WHITE, _NEWLINE, _LOWER, _DIGIT, _TEXT_END = range(8)


def _char_classes() -> U8:
    """The class of each byte: the point, another sentence end mark ``!?:;``, whitespace
    other than the newline (the ASCII characters that Python's ``\\s`` matches in a ``str``
    pattern, the separators 0x1c to 0x1f included), the newline, a letter ``a-z``, a digit,
    :data:`TEXT_END`, or anything else."""
    classes = np.full(256, _OTHER, dtype=np.uint8)
    classes[ord("a") : ord("z") + 1] = _LOWER
    classes[ord("0") : ord("9") + 1] = _DIGIT
    classes[ord(".")] = _POINT
    classes[list(b"!?:;")] = _END_MARK
    classes[ord("\n")] = _NEWLINE
    classes[[9, 11, 12, 13, 28, 29, 30, 31, 32]] = _WHITE
    classes[TEXT_END] = _TEXT_END
    return classes


CHAR_CLASSES = _char_classes()
"""See :func:`_char_classes`."""


def _token_classes() -> U8:
    """The classes of the bytes of a text given as its tokens (see :data:`TOKENS_GIVEN`):
    the space separates tokens, the newline sentences, and every other byte but
    :data:`TEXT_END` belongs to a token (counted as a letter)."""
    classes = np.full(256, _LOWER, dtype=np.uint8)
    classes[_SPACE] = _WHITE
    classes[ord("\n")] = _NEWLINE
    classes[TEXT_END] = _TEXT_END
    return classes


TOKEN_CLASSES = _token_classes()
"""See :func:`_token_classes`."""


def _crc_tables() -> U32:
    """zlib's CRC-32 byte table (IEEE polynomial, reflected) and the seven more tables of
    the slicing-by-8 method: ``tables[k][n]`` is the CRC of byte ``n`` followed by ``k``
    zero bytes."""
    tables = np.empty((8, 256), dtype=np.uint32)
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
def sentence_key(data: U8, lo: int, hi: int, crc_tables: U32) -> np.uint64:
    """``zlib.crc32(d) << 32 | zlib.adler32(d)`` of ``d = data[lo:hi]``.

    Adler-32 is summed a block at a time in closed form (``a`` gains the bytes, ``b`` each
    byte times the number of sums it enters), a loop without a carried dependency that
    the compiler vectorises. (The table entries are 32-bit: read as int64, so that the
    arithmetic stays signed 64-bit, compiled or not.)"""
    crc = np.int64(_MASK32)
    i = lo
    while i + 8 <= hi:
        crc ^= (
            np.int64(data[i])
            | np.int64(data[i + 1]) << 8
            | np.int64(data[i + 2]) << 16
            | np.int64(data[i + 3]) << 24
        )
        crc = (
            np.int64(crc_tables[7, crc & 0xFF])
            ^ np.int64(crc_tables[6, (crc >> 8) & 0xFF])
            ^ np.int64(crc_tables[5, (crc >> 16) & 0xFF])
            ^ np.int64(crc_tables[4, crc >> 24])
            ^ np.int64(crc_tables[3, data[i + 4]])
            ^ np.int64(crc_tables[2, data[i + 5]])
            ^ np.int64(crc_tables[1, data[i + 6]])
            ^ np.int64(crc_tables[0, data[i + 7]])
        )
        i += 8
    while i < hi:
        crc = np.int64(crc_tables[0, (crc ^ np.int64(data[i])) & 0xFF]) ^ (crc >> 8)
        i += 1
    crc ^= _MASK32
    a = np.int64(1)
    b = np.int64(0)
    i = lo
    while i < hi:
        stop = min(hi, i + _ADLER_NMAX)
        sa = np.int64(0)
        sb = np.int64(0)
        for j in range(i, stop):
            x = np.int64(data[j])
            sa += x
            sb += (stop - j) * x
        b = (b + (stop - i) * a + sb) % _ADLER_MOD
        a = (a + sa) % _ADLER_MOD
        i = stop
    return (np.uint64(crc) << np.uint64(32)) | np.uint64((b << 16) | a)


@kernel
def _key_step(h: int, w: int, c: int) -> tuple[int, int]:
    """One more byte ``c`` of a token into its key's state ``(h, w)`` (from
    ``(_SEED, 0)``): a multiplicative hash of every byte, and the last :data:`SHORT`
    bytes packed into ``w`` (big-endian). No branch: the byte loops stay tight."""
    return ((h + c) * _MIX) & _MASK62, ((w << 8) | c) & _MASK56


@kernel
def _key_finish(h: int, w: int, length: int) -> int:
    """The key of a token of ``length`` bytes from its state (see :func:`_key_step`): a
    31-bit hash above the length (32 bits)."""
    h = ((h ^ w) * _MIX + int(length)) & _MASK62
    h ^= h >> 31
    h = (h * _MIX) & _MASK62
    h ^= h >> 29
    return ((h & _MASK31) << 32) | (length & _MASK32)


@kernel
def token_key(data: U8, lo: int, hi: int) -> tuple[int, int]:
    """``(key, packed)`` of the token ``data[lo:hi]``: ``key`` is a 31-bit hash of its
    bytes above its length, never :data:`EMPTY`; ``packed`` its last :data:`SHORT`
    bytes packed into an integer (all of a short token)."""
    h = i64(_SEED)
    w = i64(0)
    for i in range(lo, hi):
        h, w = _key_step(h, w, int(data[i]))
    return _key_finish(h, w, hi - lo), w


@kernel
def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


@kernel
def _is_lower(c: int) -> bool:
    return 97 <= c <= 122


@kernel
def _number_end(buf: U8, i: int) -> int:
    """The end of the number token ``[0-9]+(?:\\.[0-9]+)*[a-z]*`` starting at ``buf[i]``
    (a digit; the text ends with :data:`TEXT_END`, which stops every loop)."""
    j = i + 1
    while _is_digit(int(buf[j])):
        j += 1
    while buf[j] == _DOT and _is_digit(int(buf[j + 1])):
        j += 2
        while _is_digit(int(buf[j])):
            j += 1
    while _is_lower(int(buf[j])):
        j += 1
    return j


@kernel
def _tokenize(
    buf: U8, n: int, min_sentence: int, max_keys: int, crc_tables: U32
) -> tuple[U8, I64, I64, U64, I64, I64, I64]:
    """The tokens of :func:`tokenize` (``joined``, ``bounds``, ``ends`` and ``keys``: views,
    not copies), followed by each token's start in ``joined``, key and packed form
    (:func:`token_key`)."""
    # a token of k bytes takes at most 2k joined bytes (with a space), a token or a break
    # at least a byte of the buffer
    joined = np.empty(2 * len(buf), dtype=np.uint8)
    tok_lo = np.empty(len(buf), dtype=np.int64)
    tok_key = np.empty(len(buf), dtype=np.int64)
    tok_packed = np.empty(len(buf), dtype=np.int64)
    ends = np.empty(len(buf), dtype=np.int64)
    keys = np.empty(len(buf), dtype=np.uint64)
    bounds = np.zeros((4, n + 1), dtype=np.int64)
    i = 0  # read position in buf
    w = i64(0)  # write position in joined
    t = 0  # tokens so far
    n_ends = 0
    n_keys = 0
    for p in range(n):
        first = t  # the text's first token
        sent_count = 0  # tokens of the current sentence
        sent_lo = w  # where the current sentence's joined tokens start
        text_keys = 0
        cls = CHAR_CLASSES
        if buf[i] == TOKENS_GIVEN:
            cls = TOKEN_CLASSES
            i += 1
        while True:
            # skip to the next token, sentence break or the text's end
            c = cls[buf[i]]
            while c < _NEWLINE:  # not a newline, a token or the text's end
                if _POINT <= c <= _END_MARK and _WHITE <= cls[buf[i + 1]] <= _NEWLINE:
                    break
                i += 1
                c = cls[buf[i]]
            if _LOWER <= c <= _DIGIT:
                # a token: copy it, computing its key
                if t > first:
                    joined[w] = _SPACE
                    w += 1
                if sent_count == 0:
                    sent_lo = w
                lo = w
                h = i64(_SEED)
                acc = i64(0)
                b = int(buf[i])
                if c == _LOWER:
                    while True:
                        joined[w] = b
                        w += 1
                        h, acc = _key_step(h, acc, b)
                        i += 1
                        b = int(buf[i])
                        if cls[b] != _LOWER:
                            break
                else:
                    stop = _number_end(buf, i)
                    while i < stop:
                        b = int(buf[i])
                        joined[w] = b
                        w += 1
                        h, acc = _key_step(h, acc, b)
                        i += 1
                tok_lo[t] = lo
                tok_key[t] = _key_finish(h, acc, w - lo)
                tok_packed[t] = acc
                t += 1
                sent_count += 1
                continue
            # a sentence ends: at a break, or at the end of the text
            if sent_count == 0:
                sent_lo = w
            if sent_count >= min_sentence and text_keys < max_keys:
                keys[n_keys] = sentence_key(joined, sent_lo, w, crc_tables)
                n_keys += 1
                text_keys += 1
            ends[n_ends] = t - first
            n_ends += 1
            sent_count = 0
            i += 1  # past the break or the end
            if c == _TEXT_END:
                break
        bounds[JOINED, p + 1] = w
        bounds[SENTENCES, p + 1] = n_ends
        bounds[KEYS, p + 1] = n_keys
        bounds[TOKENS, p + 1] = t
    return joined[:w], bounds, ends[:n_ends], keys[:n_keys], tok_lo, tok_key, tok_packed


@kernel
def _chunk(data: U8, lo: int, n: int) -> int:
    """Bytes ``data[lo:lo + n]`` (``n`` from 1 to :data:`SHORT`) packed into an integer,
    little-endian: seven loads whatever ``n`` (at positions clamped to ``data``, then
    masked), no branch on the length."""
    last = len(data) - 1
    w = 0
    for k in range(SHORT):
        w |= int(data[min(lo + k, last)]) << (8 * k)
    return w & ((1 << (8 * n)) - 1)


@kernel
def _same_bytes(a: U8, a_lo: int, b: U8, b_lo: int, length: int) -> bool:
    k = 0
    while k < length and a[a_lo + k] == b[b_lo + k]:
        k += 1
    return k == length


@kernel
def _value(term: int, shingle: int) -> int:
    """A row's :data:`VALUE`: the term id, a stopword flag and the shingle hash."""
    return (term << 33) | (_STOP if shingle < 0 else shingle)


@kernel
def _row_term(value: int) -> int:
    return value >> 33


@kernel
def _row_shingle(value: int) -> int:
    return -1 if value & _STOP else value & _MASK32


@kernel
def _first(data: U8, lo: int, length: int, where: int) -> int:
    """A row's :data:`FIRST` column for the token ``data[lo:lo + length]``: nothing for a
    short token, its first :data:`SHORT` bytes for one of at most :data:`INLINE` bytes
    (:data:`LAST` holds the last ones), else where its bytes are in the arena."""
    if length <= SHORT:
        return 0
    if length <= INLINE:
        return _chunk(data, lo, i64(SHORT))
    return where


@kernel
def _find(data: U8, lo: int, key: int, packed: int, table: I64, arena: U8) -> int:
    """The row of ``table`` holding the token at ``data[lo:]`` (key and packed form from
    :func:`token_key`), or the empty row where it would go."""
    mask = len(table) - 1
    length = key & _MASK32
    s = (key >> 32) & mask
    while True:
        k = table[s, KEY]
        if k == EMPTY:
            return s
        if k == key and table[s, LAST] == packed:
            if length <= INLINE:
                if table[s, FIRST] == _first(data, lo, length, i64(0)):
                    return s
            elif _same_bytes(arena, table[s, FIRST], data, lo, length):
                return s
        s = (s + 1) & mask


@kernel
def _probe(
    data: U8, tok_lo: I64, tok_key: I64, tok_packed: I64, n_tok: int, table: I64, arena: U8
) -> tuple[I64, I64]:
    """The ``terms`` and ``new`` of :func:`tokenize` for tokens given by their start in
    ``data``, key and packed form. Overwrites the token arrays."""
    # first each token's row (what the row holds decides, but for a token longer than
    # INLINE bytes, whose bytes are in the arena), a short loop whose cache misses overlap;
    # then the check of those longer tokens in the arena, another such loop (a mismatch, a
    # collision of keys, is probed again in full)
    rows = np.empty(n_tok, dtype=np.int64)
    mask = len(table) - 1
    zero = i64(0)  # typed, not a literal: one compilation of _first
    for k in range(n_tok):
        key = tok_key[k]
        length = key & _MASK32
        s = (key >> 32) & mask
        while True:
            row_key = table[s, KEY]
            if row_key == EMPTY or (
                row_key == key
                and table[s, LAST] == tok_packed[k]
                and (length > INLINE or table[s, FIRST] == _first(data, tok_lo[k], length, zero))
            ):
                break
            s = (s + 1) & mask
        rows[k] = s
    terms = np.empty((2, n_tok), dtype=np.int64)
    n_missing = 0
    for k in range(n_tok):
        s = rows[k]
        length = tok_key[k] & _MASK32
        if (
            length > INLINE
            and table[s, KEY] != EMPTY
            and not _same_bytes(arena, table[s, FIRST], data, tok_lo[k], length)
        ):
            s = _find(data, tok_lo[k], tok_key[k], tok_packed[k], table, arena)
        if table[s, KEY] != EMPTY:
            value = table[s, VALUE]
            terms[0, k] = _row_term(value)
            terms[1, k] = _row_shingle(value)
        else:
            # the missing tokens, in order, over the tokens already probed
            tok_lo[n_missing] = tok_lo[k]
            tok_key[n_missing] = tok_key[k]
            tok_packed[n_missing] = tok_packed[k]
            terms[0, k] = -2 - n_missing  # its position among them, for now
            terms[1, k] = -1
            n_missing += 1
    if n_missing == 0:
        return terms, np.empty((2, 0), dtype=np.int64)
    # number the distinct missing tokens in order, in a table of their own (its "arena"
    # is data)
    size = 64
    while size < 2 * n_missing:
        size *= 2
    seen = np.zeros((size, 4), dtype=np.int64)
    new = np.empty((2, n_missing), dtype=np.int64)
    number = np.empty(n_missing, dtype=np.int64)
    n_new = i64(0)
    for m in range(n_missing):
        lo, key, packed = tok_lo[m], tok_key[m], tok_packed[m]
        length = key & _MASK32
        s = _find(data, lo, key, packed, seen, data)
        if seen[s, KEY] == EMPTY:
            value = _value(n_new, i64(-1))
            _set_row(seen, s, key, value, _first(data, lo, length, lo), packed)
            new[0, n_new] = lo
            new[1, n_new] = lo + length
            n_new += 1
        number[m] = _row_term(seen[s, VALUE])
    for k in range(n_tok):
        if terms[0, k] < -1:
            terms[0, k] = -1 - number[-2 - terms[0, k]]
    return terms, new[:, :n_new].copy()


@kernel
def tokenize(
    buf: U8, n: int, min_sentence: int, max_keys: int, crc_tables: U32, table: I64, arena: U8
) -> tuple[U8, I64, I64, U64, I64, I64]:
    """Tokens, sentences, sentence keys, term ids and shingle hashes of ``n`` texts, each
    followed by :data:`TEXT_END` in ``buf``: prepared ASCII texts, or texts given as their
    tokens (:data:`TOKENS_GIVEN`). Term ids and shingle hashes come from ``table`` and
    ``arena`` (see :class:`crawler.dedup.vocab.TokenTable`).

    Returns:
        ``(joined, bounds, ends, keys, terms, new)``: text ``i``'s tokens joined by single
        spaces at ``joined[bounds[JOINED, i]:bounds[JOINED, i + 1]]`` (``joined`` is a view
        of a larger buffer); the end of each of its sentences (a count of tokens from the
        start of the text) at ``ends[bounds[SENTENCES, i]:bounds[SENTENCES, i + 1]]`` (at
        least one sentence; empty ones too); the keys of its first ``max_keys`` sentences
        of at least ``min_sentence`` tokens at ``keys[bounds[KEYS, i]:bounds[KEYS, i +
        1]]``; its tokens' term ids at ``terms[0, bounds[TOKENS, i]:bounds[TOKENS, i +
        1]]`` and their shingle hashes (-1: a stopword) at the same places of
        ``terms[1]``. A token not in the table has id ``-1 - k`` (and shingle hash -1) if it
        is the ``k``-th distinct such token of the batch (in order of first appearance),
        found at ``joined[new[0, k]:new[1, k]]`` (see :func:`insert_tokens`).
    """
    joined, bounds, ends, keys, tok_lo, tok_key, tok_packed = _tokenize(
        buf, n, min_sentence, max_keys, crc_tables
    )
    terms, new = _probe(joined, tok_lo, tok_key, tok_packed, bounds[TOKENS, n], table, arena)
    return joined, bounds, ends.copy(), keys.copy(), terms, new


@kernel
def _set_row(table: I64, s: int, key: int, value: int, first: int, last: int) -> None:
    table[s, KEY] = key
    table[s, VALUE] = value
    table[s, FIRST] = first
    table[s, LAST] = last


@kernel
def insert_tokens(
    data: U8,
    new: I64,
    new_terms: I64,
    table: I64,
    arena: U8,
    arena_used: int,
    found: I64,
) -> int:
    """Add the tokens ``data[new[0, k]:new[1, k]]`` (not in the table, distinct) with term
    ids ``new_terms[0, k]`` (below :data:`TERM_LIMIT`) and shingle hashes
    ``new_terms[1, k]``, the bytes of those longer than :data:`INLINE` at
    ``arena[arena_used:]``, and replace the placeholders ``-1 - k`` of :func:`tokenize` in
    ``found`` (term ids and shingle hashes of a lookup) by the
    ``k``-th new token's. The caller has made ``table`` and ``arena`` large enough
    (``table`` at most half full afterwards). Returns the arena's new used length."""
    for k in range(new.shape[1]):
        lo, hi = new[0, k], new[1, k]
        key, packed = token_key(data, lo, hi)
        s = _find(data, lo, key, packed, table, arena)
        first = _first(data, lo, hi - lo, arena_used)
        if hi - lo > INLINE:
            for j in range(lo, hi):  # a loop, not a slice assignment: numba's shape-
                arena[arena_used + j - lo] = data[j]  # error message costs 2-4 s to compile
            arena_used += hi - lo
        _set_row(table, s, key, _value(new_terms[0, k], new_terms[1, k]), first, packed)
    for i in range(found.shape[1]):
        k = -1 - found[0, i]
        if k >= 0:
            found[0, i] = new_terms[0, k]
            found[1, i] = new_terms[1, k]
    return arena_used
