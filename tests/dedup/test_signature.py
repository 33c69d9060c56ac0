from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32

from crawler.dedup import DedupParams, Signature
from crawler.dedup.minhash import affine32_permutations
from crawler.dedup.minhash import sha1_hash32 as own_sha1_hash32
from crawler.dedup.normalize import prepare, sentence_tokens
from crawler.dedup.shingles import shingle_bytes
from crawler.dedup.signature import Signer

WORDS = [
    "chip",
    "cloud",
    "battery",
    "sensor",
    "model",
    "network",
    "launch",
    "price",
    "market",
    "energy",
    "data",
    "robot",
]


def _texts() -> list[str]:
    rng = random.Random(3)
    texts = [
        " ".join(rng.choice(WORDS) + str(rng.randint(0, 50)) for _ in range(rng.randint(6, 60)))
        for _ in range(40)
    ]
    texts.append("東京の新しいデータセンターは来年に稼働する予定です。")
    texts.append("word " * 20_000)
    return texts


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 42)])
def test_values_equal_datasketch(num_perm: int, seed: int) -> None:
    params = DedupParams(num_perm=num_perm, seed=seed)
    texts = _texts()
    sigs = Signer(params).signatures(texts)
    for text, sig in zip(texts, sigs, strict=True):
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(shingle_bytes(text))
        assert sig.hashvalues is not None
        assert np.array_equal(sig.hashvalues, m.hashvalues)


def test_minhash_many_equals_datasketch() -> None:
    params = DedupParams()
    signer = Signer(params)
    parts = [shingle_bytes(t) for t in _texts()[:5]] + [[]]
    values = signer.minhash_many(
        [np.array([sha1_hash32(s) for s in p], dtype=np.uint32) for p in parts]
    )
    for row, part in zip(values, parts, strict=True):
        m = MinHash(num_perm=params.num_perm, seed=params.seed)
        m.update_batch(part)
        assert np.array_equal(row, m.hashvalues)


def test_signatures_keep_the_tokens_for_verification() -> None:
    texts = ["First sentence here. Second one!", "Zweiter Absatz über Größe.", ""]
    sigs = Signer(DedupParams()).signatures(texts)
    for text, sig in zip(texts, sigs, strict=True):
        assert sig.sentences is not None
        assert sig.sentences.sentences() == sentence_tokens(prepare(text))
        assert sig.term_ids is not None and len(sig.term_ids) == sig.n_tokens


def test_bytes_round_trip() -> None:
    text = (
        "A fairly ordinary paragraph about new chip plants. Its second sentence is counted as well."
    )
    sig = Signer(DedupParams()).signatures([text])[0]
    data = sig.to_bytes()
    assert data is not None and len(data) == 128 * 4 + 2 * 8 + 1
    assert len(sig.sentence_keys) == 2
    assert Signature.from_bytes(sig.exact_hash, data) == sig
    assert Signature.from_bytes("ab" * 32, None).to_bytes() is None


def test_from_bytes_rejects_partial_values() -> None:
    for bad in (b"", b"\x01\x02\x03", b"\x00" * 8 + b"\x01"):
        with pytest.raises(ValueError, match="signature bytes"):
            Signature.from_bytes("00" * 32, bad)


@pytest.mark.parametrize(
    "text", ["", "one", "Breaking news tonight", "the the the the the the the"]
)
def test_short_or_contentless_gets_exact_hash_only(text: str) -> None:
    sig = Signer(DedupParams()).signatures([text])[0]
    assert sig.hashvalues is None
    assert len(sig.exact_hash) == 64


def test_fingerprint_changes_with_every_field() -> None:
    base = DedupParams()
    assert base.fingerprint() == DedupParams().fingerprint()
    for f in dataclasses.fields(DedupParams):
        value = getattr(base, f.name)
        changes: dict[str, Any] = {f.name: value + "x" if isinstance(value, str) else value + 1}
        other = dataclasses.replace(base, **changes)
        assert other.fingerprint() != base.fingerprint(), f.name
    assert base.to_dict()["num_perm"] == 128


@pytest.mark.parametrize(("num_perm", "seed"), [(1, 0), (128, 1), (256, 7), (64, 2**31 - 1)])
def test_permutations_and_hash_are_datasketchs(num_perm: int, seed: int) -> None:
    a, b = affine32_permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])
    for data in (b"", b"a", "übersee".encode(), b"x" * 1000):
        assert own_sha1_hash32(data) == sha1_hash32(data)


def test_signing_does_not_import_datasketch() -> None:
    """datasketch's package imports SciPy: a crawl's start-up does without it."""
    code = (
        "import sys; from crawler.dedup import DedupParams; from crawler.dedup.signature "
        "import Signer; Signer(DedupParams()).signatures(['one two three four five six']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'datasketch'"
        " or m.startswith(('scipy.integrate', 'scipy.special'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
