"""Paragraph signatures: exact hash plus MinHash values, computed in bulk with numpy.

The values are the ones datasketch 2.0 computes for ``MinHash(num_perm, seed)`` (scheme
affine32, hash ``sha1_hash32``) updated with the paragraph's shingles: the same permutation
parameters (taken from a datasketch ``MinHash``), the same MurmurHash3 pre-mix and affine
map, but for many paragraphs in one numpy pass instead of one object per paragraph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32

from crawler.dedup.normalize import NO_SPACE_SCRIPT, prepare, sentence_key, sentence_tokens
from crawler.dedup.params import DedupParams
from crawler.dedup.shingles import shingles_of_tokens
from crawler.dedup.vocab import VOCAB

HashArray = npt.NDArray[np.uint32]
KeyArray = npt.NDArray[np.uint64]
_MAX = np.uint32(0xFFFFFFFF)
_CHUNK = 8_192  # shingles per numpy pass: 8k x 128 x 4 bytes = 4 MB, cache friendly


@dataclass(eq=False)
class Signature:
    """One paragraph's signature.

    Attributes:
        exact_hash: sha256 hex of the normalised tokens (see :func:`norm_hash`).
        hashvalues: MinHash values (dtype uint32, as datasketch's affine32 scheme), or None
            for a paragraph too short for near matching: exact hash only.
        sentence_keys: 64-bit keys of the paragraph's longer sentences (at most 255), for
            containment search: a trimmed copy or one with an added sentence shares them.
        n_tokens: tokens of the paragraph (not stored; 0 when loaded from bytes).
        sentences: tokens per sentence, kept from :meth:`Signer.signatures` so that
            checking the same paragraphs does not tokenise them again (not stored).
        band_cache: the engine's tagged LSH band keys, kept after the first use (not
            stored; the engine's band layout is fixed by the params).
        term_ids: the tokens' ids in :data:`~crawler.dedup.vocab.VOCAB` (not stored), valid
            while its generation equals ``generation``.
    """

    exact_hash: str
    hashvalues: HashArray | None
    sentence_keys: KeyArray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    n_tokens: int = 0
    sentences: list[list[str]] | None = field(default=None, repr=False)
    term_ids: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    generation: int = -1
    band_cache: KeyArray | None = field(default=None, repr=False)

    def to_bytes(self) -> bytes | None:
        """None without MinHash; else the hash values (little-endian uint32), the sentence
        keys (little-endian uint64) and one byte counting the sentence keys."""
        if self.hashvalues is None:
            return None
        keys = self.sentence_keys[:255]
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


def _fmix32(hv: HashArray) -> HashArray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


class Signer:
    """Computes signatures for one :class:`DedupParams` (one shared permutation set)."""

    def __init__(self, params: DedupParams) -> None:
        self.params = params
        template = MinHash(num_perm=params.num_perm, seed=params.seed, scheme="affine32")
        a, b = template.permutations
        self._a = np.asarray(a, dtype=np.uint32)[:, None]
        self._b = np.asarray(b, dtype=np.uint32)[:, None]

    def datasketch_minhash(self, hashvalues: HashArray) -> MinHash:
        """A datasketch ``MinHash`` holding ``hashvalues`` (for interop and tests)."""
        return MinHash(seed=self.params.seed, hashvalues=hashvalues, scheme="affine32")

    def signatures(self, texts: Sequence[str]) -> list[Signature]:
        """Signatures of many paragraphs at once (tokenised once; the term ids are kept for
        verification)."""
        exact: list[str] = []
        all_sentences: list[list[list[str]]] = []
        flat_keys: list[int] = []
        key_bounds = [0]
        all_ids: list[int] = []
        id_lengths: list[int] = []
        use: list[bool] = []
        special: dict[int, list[int]] = {}
        min_tokens = self.params.min_tokens
        min_sentence = self.params.sentence_min_tokens
        sha256 = hashlib.sha256
        vocab = VOCAB
        vocab.maybe_reset()
        for i, text in enumerate(texts):
            norm = prepare(text)
            sentences = sentence_tokens(norm)
            all_sentences.append(sentences)
            toks = sentences[0] if len(sentences) == 1 else [t for s in sentences for t in s]
            keys = [sentence_key(s) for s in sentences if len(s) >= min_sentence]
            flat_keys.extend(keys[:255])
            key_bounds.append(len(flat_keys))
            exact.append(sha256(" ".join(toks).encode("utf-8")).hexdigest())
            all_ids.extend(vocab.ids(toks))
            id_lengths.append(len(toks))
            long_enough = len(toks) >= min_tokens
            if long_enough and not norm.isascii() and NO_SPACE_SCRIPT.search(norm) is not None:
                special[i] = [sha1_hash32(x.encode("utf-8")) for x in shingles_of_tokens(toks)]
                use.append(False)
            else:
                use.append(long_enough)
        generation = vocab.generation
        ids = np.array(all_ids, dtype=np.int64)
        lengths = np.array(id_lengths, dtype=np.int64)
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        hashes = vocab.hashes[ids]
        keep = (hashes >= 0) & np.repeat(np.array(use, dtype=bool), lengths)
        kept_before = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        sh_lengths = kept_before[offsets[1:]] - kept_before[offsets[:-1]]
        flat = hashes[keep]
        if special:
            parts: list[npt.NDArray[np.int64]] = []
            for i in range(len(texts)):
                if i in special:
                    parts.append(np.array(special[i], dtype=np.int64))
                    sh_lengths[i] = len(special[i])
                else:
                    lo = int(kept_before[offsets[i]])
                    parts.append(flat[lo : lo + int(sh_lengths[i])])
            flat = np.concatenate(parts)
        values = self._minhash_flat(flat.astype(np.uint32), sh_lengths)
        bounds = offsets.tolist()
        all_keys = np.array(flat_keys, dtype=np.uint64)
        return [
            Signature(
                exact[i],
                values[i] if sh_lengths[i] else None,
                all_keys[key_bounds[i] : key_bounds[i + 1]],
                id_lengths[i],
                all_sentences[i],
                ids[bounds[i] : bounds[i + 1]],
                generation,
            )
            for i in range(len(exact))
        ]

    def minhash_many(self, parts: Sequence[HashArray]) -> npt.NDArray[np.uint32]:
        """MinHash values (one row per part) of many arrays of shingle hashes.

        A part without hashes gets the all-max row, as an empty datasketch MinHash."""
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint32)
        return self._minhash_flat(flat.astype(np.uint32, copy=False), lengths)

    def _minhash_flat(
        self, hashes: HashArray, lengths: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.uint32]:
        n = len(lengths)
        result = np.full((n, self.params.num_perm), _MAX, dtype=np.uint32)
        total = int(lengths.sum()) if n else 0
        if total == 0:
            return result
        flat = _fmix32(hashes)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        nonempty = np.flatnonzero(lengths)
        starts_all = offsets[nonempty]
        ends_all = offsets[nonempty + 1]
        a, b = self._a, self._b
        buf = np.empty((self.params.num_perm, min(total, _CHUNK)), dtype=np.uint32)
        lo = 0
        while lo < total:
            hi = min(total, lo + _CHUNK)
            # non-empty paragraphs overlapping [lo, hi)
            first = int(np.searchsorted(ends_all, lo, side="right"))
            last = int(np.searchsorted(starts_all, hi, side="left"))
            ps = nonempty[first:last]
            starts = np.maximum(starts_all[first:last], lo) - lo
            phv = buf[:, : hi - lo]
            np.multiply(a, flat[None, lo:hi], out=phv)
            np.add(phv, b, out=phv)
            mins = np.minimum.reduceat(phv, starts, axis=1).T
            result[ps] = np.minimum(result[ps], mins)
            lo = hi
        return result
