"""The paragraph index shared by the workers of a shared crawl, in Redis.

Every indexed paragraph is filed under the same keys the in-process engine uses to find
candidates: the 64-bit prefix of its exact hash, one key per LSH band of its MinHash
values (:func:`crawler.dedup.lsh.band_keys`) and its sentence keys, each kind tagged in
the two low bits. In Redis each key is a set of paragraph ids
(``{prefix}:index:{params}:{key:x}``), written with one script call and read with one SUNION per
article (a single Redis server: the keys of one call span hash slots).

The index only answers "which stored paragraphs share a key with these"; the worker then
loads those paragraphs' signatures from PostgreSQL into its own in-process
:class:`~crawler.dedup.DedupEngine` (a cache of the part of the index it has needed) and
verifies there exactly as a single process would. Ids of paragraphs whose transaction
did not commit may remain in Redis; they are harmless, because only signatures found in
PostgreSQL are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from crawler.dedup import DedupParams, Signature
from crawler.dedup.lsh import band_keys, exact_keys

U64 = npt.NDArray[np.uint64]

_MASK = np.uint64(0xFFFFFFFFFFFFFFFC)
EXACT, BAND, SENTENCE = 0, 1, 2
BUILT = "built"
_CHUNK = 5000  # keys per Redis command
# SADD ARGV[i] to KEYS[i] for every i (a whole article's keys in one command); with a TTL
# (the last ARGV, seconds; 0: none) each key expires that long after its last addition.
_ADD = """
local ttl = tonumber(ARGV[#KEYS + 1])
for i, key in ipairs(KEYS) do
  redis.call('SADD', key, ARGV[i])
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
end
return #KEYS
"""


def _tag(keys: U64, kind: int) -> U64:
    return (keys.astype(np.uint64, copy=False) & _MASK) | np.uint64(kind)


def signature_keys(sigs: Sequence[Signature], params: DedupParams) -> list[U64]:
    """The tagged index keys of each signature (exact, bands, sentences), one array each."""
    bands, rows = params.bands
    exact = _tag(exact_keys(s.exact_hash for s in sigs), EXACT)
    with_mh = [i for i, s in enumerate(sigs) if s.hashvalues is not None]
    banded: dict[int, U64] = {}
    if with_mh:
        values = np.stack([sigs[i].hashvalues for i in with_mh])  # type: ignore[misc]
        bk = _tag(band_keys(values, bands, rows), BAND)
        banded = {i: bk[n] for n, i in enumerate(with_mh)}
    out: list[U64] = []
    for i, sig in enumerate(sigs):
        parts = [exact[i : i + 1]]
        if i in banded:
            parts.append(banded[i])
        if len(sig.sentence_keys):
            parts.append(_tag(np.asarray(sig.sentence_keys, dtype=np.uint64), SENTENCE))
        out.append(np.concatenate(parts))
    return out


def signed(keys: Iterable[int]) -> list[int]:
    """Unsigned 64-bit keys as signed (PostgreSQL bigint, e.g. advisory lock keys)."""
    return [k - (1 << 64) if k >= 1 << 63 else k for k in keys]


class RedisParagraphIndex:
    """Key -> paragraph ids, in Redis sets.

    Args:
        client: a ``redis.Redis`` client (bytes responses).
        base: the key prefix (:func:`crawler.scaleout.config.index_key`).
        params: the dedup parameters (band layout).
        ttl: seconds a key lives after its last addition (``NEWSDEDUP_INDEX_TTL``); 0 keeps
            keys forever. With a TTL, a copy is found only if it arrives within that
            window of the last paragraph filed under a shared key; it bounds Redis memory.
    """

    def __init__(self, client: Any, base: str, params: DedupParams, ttl: int = 0) -> None:
        self.client = client
        self.base = base
        self.params = params
        self.ttl = ttl

    def _key(self, key: int) -> str:
        return f"{self.base}:{key:x}"

    def add(self, ids: Sequence[int], sigs: Sequence[Signature]) -> int:
        """File paragraphs ``ids`` under their keys (one pipelined round trip).

        Returns:
            the number of keys written.
        """
        if len(ids) != len(sigs):
            raise ValueError(f"{len(ids)} ids but {len(sigs)} signatures")
        names: list[str] = []
        members: list[int] = []
        for pid, keys in zip(ids, signature_keys(sigs, self.params), strict=True):
            for key in keys.tolist():
                names.append(self._key(key))
                members.append(pid)
        for start in range(0, len(names), _CHUNK):
            end = start + _CHUNK
            chunk = names[start:end]
            self.client.eval(_ADD, len(chunk), *chunk, *members[start:end], self.ttl)
        return len(names)

    def lookup(self, keys: Iterable[int]) -> set[int]:
        """Ids of the paragraphs filed under any of ``keys`` (one SUNION per chunk)."""
        wanted = [self._key(k) for k in sorted(set(keys))]
        found: set[int] = set()
        for start in range(0, len(wanted), _CHUNK):
            found.update(int(m) for m in self.client.sunion(wanted[start : start + _CHUNK]))
        return found

    def is_built(self) -> bool:
        """Whether the stored paragraphs were filed (see :meth:`mark_built`)."""
        return bool(self.client.exists(f"{self.base}:{BUILT}"))

    def mark_built(self) -> None:
        self.client.set(f"{self.base}:{BUILT}", "1")
