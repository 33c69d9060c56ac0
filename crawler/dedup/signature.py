"""Paragraph signatures: exact hash plus MinHash values, computed in bulk.

The values are the ones datasketch 2.0 computes for ``MinHash(num_perm, seed)`` (scheme
affine32, hash ``sha1_hash32``) updated with the paragraph's shingles: the same permutation
parameters (datasketch's, drawn by :func:`crawler.dedup.minhash.affine32_permutations`
without importing datasketch), the same MurmurHash3 pre-mix and affine map, but for many
paragraphs in a few numpy calls (:mod:`crawler.dedup.minhash`) instead of one object per
paragraph. Tokenising, sentence keys and mapping tokens to term ids and
shingle hashes are one compiled kernel call per batch
(:meth:`crawler.dedup.vocab.Vocabulary.tokenize`), and MinHash reads the shingle hashes it
returns, never the vocabulary's arrays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from crawler.dedup.minhash import affine32_permutations, minhash_flat, minhash_terms, sha1_hash32
from crawler.dedup.normalize import MAX_SENTENCE_KEYS, NO_SPACE_SCRIPT, Tokenized, prepare
from crawler.dedup.params import DedupParams
from crawler.dedup.shingles import shingles_of_tokens
from crawler.dedup.vocab import VOCAB

if TYPE_CHECKING:
    from datasketch import MinHash

HashArray = npt.NDArray[np.uint32]
KeyArray = npt.NDArray[np.uint64]


@dataclass(eq=False)
class Signature:
    """One paragraph's signature.

    Attributes:
        exact_hash: sha256 hex of the normalised tokens (see :func:`norm_hash`).
        hashvalues: MinHash values (dtype uint32, as datasketch's affine32 scheme), or None
            for a paragraph too short for near matching: exact hash only.
        sentence_keys: 64-bit keys of the paragraph's longer sentences (at most
            :data:`~crawler.dedup.normalize.MAX_SENTENCE_KEYS`), for
            containment search: a trimmed copy or one with an added sentence shares them.
        n_tokens: tokens of the paragraph (not stored; 0 when loaded from bytes).
        sentences: the paragraph's tokens and sentences, kept from
            :meth:`Signer.signatures` so that checking the same paragraphs does not
            tokenise them again (not stored; token strings are made on demand).
        band_cache: the engine's tagged LSH band keys, kept after the first use (not
            stored; the engine's band layout is fixed by the params).
        term_ids: the tokens' ids in :data:`~crawler.dedup.vocab.VOCAB` (not stored), valid
            while its generation equals ``generation``.
    """

    exact_hash: str
    hashvalues: HashArray | None
    sentence_keys: KeyArray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    n_tokens: int = 0
    sentences: Tokenized | None = field(default=None, repr=False)
    term_ids: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    generation: int = -1
    band_cache: KeyArray | None = field(default=None, repr=False)

    def to_bytes(self) -> bytes | None:
        """None without MinHash; else the hash values (little-endian uint32), the sentence
        keys (little-endian uint64) and one byte counting the sentence keys."""
        if self.hashvalues is None:
            return None
        keys = self.sentence_keys[:MAX_SENTENCE_KEYS]
        return (
            self.hashvalues.astype("<u4", copy=False).tobytes()
            + keys.astype("<u8", copy=False).tobytes()
            + bytes([len(keys)])
        )

    @classmethod
    def from_bytes(cls, exact_hash: str, data: bytes | None) -> Signature:
        """Rebuild from :meth:`to_bytes` output.

        Raises:
            ValueError: if ``data`` is not in that layout.
        """
        if data is None:
            return cls(exact_hash, None)
        if not data:
            raise ValueError("empty signature bytes")
        n_keys = data[-1]
        values_len = len(data) - 1 - 8 * n_keys
        if values_len <= 0 or values_len % 4:
            raise ValueError(
                f"signature bytes of length {len(data)} do not hold uint32 values"
                f" and {n_keys} sentence keys"
            )
        values = np.frombuffer(data[:values_len], dtype="<u4").astype(np.uint32)
        keys = np.frombuffer(data[values_len:-1], dtype="<u8").astype(np.uint64)
        return cls(exact_hash, values, keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        if self.exact_hash != other.exact_hash:
            return False
        if self.hashvalues is None or other.hashvalues is None:
            return self.hashvalues is None and other.hashvalues is None
        return bool(
            np.array_equal(self.hashvalues, other.hashvalues)
            and np.array_equal(self.sentence_keys, other.sentence_keys)
        )

    __hash__ = None  # type: ignore[assignment]


class Signer:
    """Computes signatures for one :class:`DedupParams` (one shared permutation set)."""

    def __init__(self, params: DedupParams) -> None:
        self.params = params
        self._a, self._b = affine32_permutations(params.num_perm, params.seed)

    def datasketch_minhash(self, hashvalues: HashArray) -> MinHash:
        """A datasketch ``MinHash`` holding ``hashvalues`` (for interop and tests)."""
        from datasketch import MinHash

        return MinHash(seed=self.params.seed, hashvalues=hashvalues, scheme="affine32")

    def signatures(self, texts: Sequence[str]) -> list[Signature]:
        """Signatures of many paragraphs at once (tokenised once; the tokens and term ids
        are kept for verification)."""
        vocab = VOCAB
        vocab.maybe_reset()
        prepared = [prepare(text) for text in texts]
        batch, terms, token_bounds = vocab.tokenize(prepared, self.params.sentence_min_tokens)
        min_tokens = self.params.min_tokens
        values, n_shingles = minhash_terms(terms, token_bounds, min_tokens, self._a, self._b)
        tb = token_bounds.tolist()
        counts = n_shingles.tolist()
        if not batch.all_ascii:
            # scripts without spaces: character bigrams besides the words, in Python
            for i, norm in enumerate(prepared):
                if (
                    tb[i + 1] - tb[i] >= min_tokens
                    and not norm.isascii()
                    and NO_SPACE_SCRIPT.search(norm) is not None
                ):
                    toks = batch.text(i).tokens()
                    shingles = shingles_of_tokens(toks)
                    hashes = [sha1_hash32(x.encode("utf-8")) for x in shingles]
                    values[i] = self.minhash_many([np.array(hashes, dtype=np.uint32)])[0]
                    counts[i] = len(hashes)
        ids = terms[0]
        generation = vocab.generation
        sha256 = hashlib.sha256
        data = batch.data
        bounds = batch.bounds.tolist()
        kb = batch.key_bounds.tolist()
        keys = batch.keys
        return [
            Signature(
                sha256(data[bounds[i] : bounds[i + 1]]).hexdigest(),
                row if n else None,
                keys[kb[i] : kb[i + 1]],
                tb[i + 1] - tb[i],
                batch.text(i),
                ids[tb[i] : tb[i + 1]],
                generation,
            )
            for i, (row, n) in enumerate(zip(values, counts, strict=True))
        ]

    def minhash_many(self, parts: Sequence[HashArray]) -> npt.NDArray[np.uint32]:
        """MinHash values (one row per part) of many arrays of shingle hashes.

        A part without hashes gets the all-max row, as an empty datasketch MinHash."""
        lengths = [len(p) for p in parts]
        bounds = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint32)
        return minhash_flat(flat.astype(np.int64), bounds, self._a, self._b)
