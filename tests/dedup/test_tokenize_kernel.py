"""The compiled tokenising, term-id and MinHash paths give exactly what the plain Python
definitions give: the regular-expression tokeniser (:func:`sentence_tokens`), zlib's
sentence keys, SHA-256 of the joined tokens, term ids numbered with plain dicts (and
datasketch's ``sha1_hash32`` of each stem), and MinHash computed one permutation at a time
with Python integers."""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup import signature as signature_module
from crawler.dedup.kernels import tokenize as tk
from crawler.dedup.lexicon import STOPWORDS, stem
from crawler.dedup.minhash import minhash_flat, minhash_terms
from crawler.dedup.normalize import (
    MAX_SENTENCE_KEYS,
    prepare,
    sentence_key,
    sentence_tokens,
    text_buffer,
)
from crawler.dedup.params import DedupParams
from crawler.dedup.shingles import shingle_bytes
from crawler.dedup.signature import Signer
from crawler.dedup.verify import Profile, profiles_of
from crawler.dedup.vocab import Vocabulary

# the ASCII tokeniser's definition, applied to raw bytes (letters A-Z are skipped)
ASCII_TOKEN_OR_BREAK = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)*[a-z]*|[.!?:;](?=\s)|\n")

EDGE_CASES = [
    "",
    "...",
    "!?",
    ". . .",
    "1.5.3gb",
    "a1.5",
    "a1.5.",
    "1..5 2.x 3.4.",
    "v2.0.1rc and 10.5.",
    "trailing.",
    "trailing. ",
    "no break.at end",
    "Breaks at the end!\n",
    "x.\n\ny",
    "\n\n\n",
    "a.\x1cb;\x1dc:\x1ed?\x1fe",
    "tab.\tvertical!\x0bfeed?\x0creturn:\rend;",
    "Don't stop—it's e-mail, (really)!",
    "rock'n'roll isn`t O'Neil's",
    "x" * 100_000,
    "12345678901234567890.123456789 abcdefghijklmnopqrstuvwxyz0123",
    " ".join(f"Sentence {i} has six tokens here." for i in range(300)),
    "UPPER CASE ONLY",
    "Die Münchner Firma verkauft 12.500 Geräte. Sie wächst!",
    "東京の新しいデータセンターは来年に稼働する予定です。 Apple 2.5 ships.",
    "Apple\u2019s chief said \u201cwe\u2019ll ship 1,000 units\u201d \u2013 soon\u2026 Then: more.",
]

_ALPHABET = (
    "abcxyz" * 4
    + "ABZ"
    + "0123456789" * 2
    + ".!?:;" * 3
    + ",'`-()\"/"
    + " " * 8
    + "\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x00\x7f"
)
ascii_texts = st.text(alphabet=_ALPHABET, max_size=200)
mixed_texts = st.one_of(
    ascii_texts,
    st.text(alphabet=_ALPHABET + "éüß’“”–…\u00a0東京デ", max_size=120),
    st.sampled_from(EDGE_CASES),
)


def _reference_keys(sentences: list[list[str]], min_sentence: int, max_keys: int) -> list[int]:
    return [sentence_key(s) for s in sentences if len(s) >= min_sentence][:max_keys]


def _check_batch(texts: list[str], min_sentence: int, max_keys: int) -> None:
    prepared = [prepare(t) for t in texts]
    batch, _, _ = Vocabulary().tokenize(prepared, min_sentence, max_keys)
    assert len(batch) == len(texts)
    for i, norm in enumerate(prepared):
        sentences = sentence_tokens(norm)
        toks = [t for s in sentences for t in s]
        got = batch.text(i)
        assert got.sentences() == sentences, repr(texts[i])
        assert got.tokens() == toks
        assert got.n_tokens == len(toks)
        assert got.joined == " ".join(toks).encode("utf-8")
        keys = batch.keys[batch.key_bounds[i] : batch.key_bounds[i + 1]].tolist()
        assert keys == _reference_keys(sentences, min_sentence, max_keys)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(mixed_texts, max_size=8),
    st.integers(min_value=0, max_value=8),
    st.sampled_from([0, 1, 3, MAX_SENTENCE_KEYS]),
)
def test_batches_equal_the_regex_tokeniser(
    texts: list[str], min_sentence: int, max_keys: int
) -> None:
    _check_batch(texts, min_sentence, max_keys)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases(text: str) -> None:
    _check_batch([text], 6, MAX_SENTENCE_KEYS)
    _check_batch([text, "plain words here. and more", text], 1, 3)


def test_at_most_255_sentence_keys() -> None:
    text = " ".join(f"Sentence {i} has six tokens here." for i in range(300))
    batch, _, _ = Vocabulary().tokenize([prepare(text)], 6)
    assert len(batch.keys) == MAX_SENTENCE_KEYS
    assert batch.text(0).sentences() == sentence_tokens(prepare(text))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200).map(lambda b: bytes(c & 0x7F for c in b)))
def test_kernel_follows_the_regex_on_any_ascii(raw: bytes) -> None:
    """Raw bytes (uppercase letters, control characters...), not only prepared text."""
    found = ASCII_TOKEN_OR_BREAK.findall(raw.decode("ascii"))
    sentences: list[list[str]] = [[]]
    for tok in found:
        if tok in ".!?:;\n":
            sentences.append([])
        else:
            sentences[-1].append(tok)
    words = [t for s in sentences for t in s]
    buf = np.frombuffer(raw + bytes([tk.TEXT_END]), dtype=np.uint8)
    joined, _, ends, keys, _, _, _ = tk._tokenize(buf, 1, 0, 10**6, tk.CRC_TABLES)
    assert joined.tobytes() == " ".join(words).encode("ascii")
    assert ends.tolist() == np.cumsum([len(s) for s in sentences]).tolist()
    assert keys.tolist() == [sentence_key(s) for s in sentences]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=12_000))
def test_sentence_key_is_crc32_and_adler32(data: bytes) -> None:
    buf = np.frombuffer(b"xy" + data, dtype=np.uint8)
    key = int(tk.sentence_key(buf, 2, len(buf), tk.CRC_TABLES))
    assert key == (zlib.crc32(data) << 32) | zlib.adler32(data)


def _tokens(text: str) -> list[str]:
    return [t for s in sentence_tokens(prepare(text)) for t in s]


def _reference_ids(
    token_lists: list[list[str]],
) -> tuple[list[list[int]], dict[str, int], list[int], list[bool]]:
    """Term ids numbered in order of first appearance, with plain dicts and lists: the ids
    of each list's tokens, the terms, and each term's shingle hash and figure flag."""
    tokens: dict[str, int] = {}
    terms: dict[str, int] = {}
    hashes: list[int] = []
    numeric: list[bool] = []
    out = []
    for toks in token_lists:
        ids = []
        for tok in toks:
            if tok not in tokens:
                stop = tok in STOPWORDS
                term = "\x00" + tok if stop else stem(tok)
                if term not in terms:
                    terms[term] = len(terms)
                    hashes.append(-1 if stop else sha1_hash32(term.encode("utf-8")))
                    numeric.append(tok[0].isdigit())
                tokens[tok] = terms[term]
            ids.append(tokens[tok])
        out.append(ids)
    return out, terms, hashes, numeric


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(mixed_texts, max_size=6), max_size=4))
def test_term_ids_equal_the_reference(batches: list[list[str]]) -> None:
    """Batches through the table give the ids, terms and per-term facts of the plain
    definition, whichever path (tokenising kernel, lookup of joined tokens) they take."""
    expected, terms, hashes, numeric = _reference_ids([_tokens(t) for b in batches for t in b])
    for joined_path in (False, True):
        vocab = Vocabulary()
        got: list[list[int]] = []
        for texts in batches:
            prepared = [prepare(t) for t in texts]
            if joined_path:
                batch, _, _ = Vocabulary().tokenize(prepared)
                ids, bounds = vocab.ids_of_joined(batch.data, batch.bounds)
            else:
                _, found, bounds = vocab.tokenize(prepared)
                ids = found[0]
            got.extend(ids[bounds[i] : bounds[i + 1]].tolist() for i in range(len(texts)))
        assert got == expected
        assert vocab._terms == terms
        assert vocab.hashes[: vocab.n_terms].tolist() == hashes
        assert vocab.numeric[: vocab.n_terms].tolist() == numeric


def test_table_grows_and_keeps_every_token() -> None:
    vocab = Vocabulary()
    words = [f"w{i}x" + "y" * (i % 20) for i in range(20_000)]
    for lo in range(0, len(words), 3_000):
        vocab.ids(words[lo : lo + 3_000])
    data = " ".join(words).encode()
    ids, _ = vocab.ids_of_joined(data, np.array([0, len(data)], dtype=np.int64))
    expected, _, _, _ = _reference_ids([words])
    assert ids.tolist() == expected[0]
    assert vocab._table.n_entries == len(words)


@pytest.mark.parametrize("token", [b"abc", b"twelve-bytes", b"longer-than-fourteen"])
def test_hash_collisions_are_told_apart_by_the_bytes(token: bytes) -> None:
    """A row with the probed token's key but other bytes is not a match, whether the
    probed token is in the table (further along) or not."""
    other = token[:-1] + b"z"
    k = len(token)
    data = np.frombuffer(token + b" " + other, dtype=np.uint8)
    new = np.array([[0, k + 1], [k, len(data)]])
    other_key, _ = tk.token_key(data, k + 1, len(data))
    for n in (1, 2):  # the token alone, or both
        vocab = Vocabulary()
        new_terms = np.array([[7, 8][:n], [70, 80][:n]])
        vocab._table.insert(data, new[:, :n], 2 * k, new_terms, np.empty((2, 0), np.int64))
        table = vocab._table.table
        rows = table[table[:, tk.KEY] != tk.EMPTY]
        terms = rows[:, tk.VALUE] >> 33
        rows[terms == 7, tk.KEY] = other_key  # now "colliding" with the other
        # the colliding row first where the other token's probe starts, its own row next
        home = (other_key >> 32) & (len(table) - 1)
        table[:] = tk.EMPTY
        table[home : home + n] = rows[np.argsort(terms)]
        buf = np.frombuffer(bytes([tk.TOKENS_GIVEN]) + other + bytes([tk.TEXT_END]), np.uint8)
        _, _, _, _, found, missing = vocab._table.tokenize(buf, 1, 1, 0)
        if n == 2:
            assert found.tolist() == [[8], [80]]
            assert missing.shape == (2, 0)
        else:
            assert found.tolist() == [[-1], [-1]]
            assert missing.tolist() == [[0], [len(other)]]


def test_token_keys_of_the_tokeniser_equal_token_key() -> None:
    """The keys the tokeniser computes while copying equal :func:`token_key` of the
    joined tokens (the table is filled through the one and probed through the other)."""
    texts = [prepare(t) for t in EDGE_CASES]  # texts not ASCII given as their tokens
    joined, bounds, _, _, tok_lo, tok_key, tok_packed = tk._tokenize(
        text_buffer(texts)[0], len(texts), 1, 0, tk.CRC_TABLES
    )
    for p in range(len(texts)):
        last = bounds[tk.TOKENS, p + 1]
        for t in range(bounds[tk.TOKENS, p], last):
            end = tok_lo[t + 1] - 1 if t + 1 < last else bounds[tk.JOINED, p + 1]
            assert (tok_key[t], tok_packed[t]) == tk.token_key(joined, tok_lo[t], end)


def _reference_minhash(hashes: list[int], a: list[int], b: list[int]) -> list[int]:
    """datasketch's affine32 scheme, one permutation at a time with Python integers."""
    mask = 0xFFFFFFFF
    out = [mask] * len(a)
    for h in hashes:
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & mask
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & mask
        h ^= h >> 16
        out = [min(o, (ak * h + bk) & mask) for o, ak, bk in zip(out, a, b, strict=True)]
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=20), max_size=5),
    st.integers(1, 2**31),
)
def test_minhash_kernel_equals_the_definition(parts: list[list[int]], seed: int) -> None:
    perm = MinHash(num_perm=16, seed=seed, scheme="affine32").permutations
    a = np.asarray(perm[0], dtype=np.uint32)
    b = np.asarray(perm[1], dtype=np.uint32)
    bounds = np.cumsum([0] + [len(p) for p in parts]).astype(np.int64)
    flat = np.array([h for p in parts for h in p], dtype=np.int64)
    values = minhash_flat(flat, bounds, a, b)
    for i, p in enumerate(parts):
        assert values[i].tolist() == _reference_minhash(p, a.tolist(), b.tolist())
    # the same values from the shingle hashes of tokens, negative ones (stopwords) left
    # out, and none for a part of fewer than min_tokens tokens
    terms = np.stack([np.arange(len(flat) + 1), np.append(flat, -1)]).astype(np.int64)
    term_bounds = bounds.copy()
    term_bounds[-1] += 1  # the stopword goes with the last part
    got, n = minhash_terms(terms, term_bounds, 0, a, b)
    assert np.array_equal(got, values)
    assert n.tolist() == [len(p) for p in parts]
    min_tokens = 3
    got, n = minhash_terms(terms, term_bounds, min_tokens, a, b)
    for i in range(len(parts)):
        short = term_bounds[i + 1] - term_bounds[i] < min_tokens
        assert n[i] == (0 if short else len(parts[i]))
        if not short:
            assert np.array_equal(got[i], values[i])


@settings(max_examples=100, deadline=None)
@given(st.lists(mixed_texts, max_size=8))
def test_signatures_equal_the_python_definition(texts: list[str]) -> None:
    params = DedupParams(num_perm=32)
    with pytest.MonkeyPatch.context() as mp:
        # a fresh vocabulary, to compare the ids with those of a fresh reference
        mp.setattr(signature_module, "VOCAB", Vocabulary())
        sigs = Signer(params).signatures(texts)
    expected_ids, _, _, _ = _reference_ids([_tokens(t) for t in texts])
    for text, sig, ids in zip(texts, sigs, expected_ids, strict=True):
        sentences = sentence_tokens(prepare(text))
        toks = [t for s in sentences for t in s]
        joined = " ".join(toks).encode("utf-8")
        assert sig.exact_hash == hashlib.sha256(joined).hexdigest()
        assert sig.n_tokens == len(toks)
        keys = _reference_keys(sentences, params.sentence_min_tokens, MAX_SENTENCE_KEYS)
        assert sig.sentence_keys.tolist() == keys
        assert sig.sentences is not None and sig.sentences.sentences() == sentences
        assert sig.term_ids is not None and sig.term_ids.tolist() == ids
        m = MinHash(num_perm=params.num_perm, seed=params.seed)
        m.update_batch(shingle_bytes(text))
        if len(toks) < params.min_tokens or not shingle_bytes(text):
            assert sig.hashvalues is None
        else:
            assert sig.hashvalues is not None
            assert np.array_equal(sig.hashvalues, m.hashvalues)


def _reference_profile(text: str) -> dict[str, object]:
    sentences = sentence_tokens(prepare(text))
    toks = [t for s in sentences for t in s]
    return {
        "tokens": frozenset(toks),
        "numbers": frozenset(t for t in toks if t[0].isdigit()),
        "sentences": frozenset(tuple(s) for s in sentences if s),
        "n_tokens": len(toks),
        "has_tokens": bool(toks),
    }


def _profile_facts(p: Profile) -> dict[str, object]:
    return {
        "tokens": p.tokens,
        "numbers": p.numbers,
        "sentences": p.sentences,
        "n_tokens": p.n_tokens,
        "has_tokens": p.has_tokens,
    }


@settings(max_examples=100, deadline=None)
@given(st.lists(mixed_texts, max_size=6))
def test_profiles_equal_the_python_definition(texts: list[str]) -> None:
    sigs = Signer(DedupParams()).signatures(texts)
    batch = profiles_of(texts)
    for text, sig, p in zip(texts, sigs, batch, strict=True):
        expected = _reference_profile(text)
        alone = Profile(text)
        from_sig = Profile(text, sig.sentences, sig.term_ids, sig.generation)
        stale = Profile(text, sig.sentences, sig.term_ids, sig.generation - 1)
        for q in (alone, from_sig, stale, p):
            assert _profile_facts(q) == expected
            assert q.ids.tolist() == alone.ids.tolist()
        assert from_sig.ids is sig.term_ids


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 2**62), min_size=0, max_size=300, unique=True),
    st.sampled_from([512, 1024, 4096]),
)
def test_rebuilt_table_finds_every_row_by_linear_probing(keys: list[int], size: int) -> None:
    """numpy's rebuild keeps every row, and each one is reached from its home slot
    through taken rows only (what the kernels' lookups probe); crowded homes included."""
    from crawler.dedup.vocab import _rows, rebuild_table

    old = _rows(1024)
    crowded = [(k & 0xFFFFFFFF) | (1 << 20) | ((k % 7) << 32) for k in keys]  # 7 home slots
    crowded = list(dict.fromkeys(crowded))  # distinct, and never EMPTY (bit 20 is set)
    for i, key in enumerate(crowded[: len(old) // 2]):
        slot = (key >> 32) & 1023
        while old[slot, tk.KEY] != tk.EMPTY:
            slot = (slot + 1) & 1023
        old[slot] = [key, i, 2 * i, 3 * i]
    placed = crowded[: len(old) // 2]
    out = rebuild_table(old, _rows(max(size, 2 * len(placed))))
    mask = len(out) - 1
    assert int((out[:, tk.KEY] != tk.EMPTY).sum()) == len(placed)
    for i, key in enumerate(placed):
        slot = (key >> 32) & mask
        while out[slot, tk.KEY] != key:
            assert out[slot, tk.KEY] != tk.EMPTY, "an empty slot before the row"
            slot = (slot + 1) & mask
        assert out[slot].tolist() == [key, i, 2 * i, 3 * i]
