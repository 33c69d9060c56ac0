"""Shingles of a paragraph, as the 32-bit hashes MinHash consumes.

Chosen by measurement (see ``bench/README.md``): stemmed content-word unigrams (stopwords
dropped). On the MSR paraphrase pairs their exact Jaccard separates paraphrases as well
as all-word unigrams (AUC 0.757 against 0.760) and better than word 2-grams (0.700),
word 3-grams (0.660) or character 5-grams (0.740), while unrelated pairs score far lower
(mean 0.004 against 0.047 for all-word unigrams), so a low LSH threshold stays cheap, and
paragraphs have 30 % fewer shingles to hash. Text in scripts without spaces (CJK) is
tokenised into characters; its shingles are character bigrams.

Each shingle is hashed with datasketch's default hash for the affine32 scheme
(``datasketch.hashfunc.sha1_hash32`` of the UTF-8 bytes: its copy
:func:`crawler.dedup.minhash.sha1_hash32`), memoised per word, so the signature equals
``MinHash(num_perm, seed)`` updated with :func:`shingle_bytes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from crawler.dedup.lexicon import STOPWORDS, stem
from crawler.dedup.minhash import sha1_hash32
from crawler.dedup.normalize import NO_SPACE_SCRIPT, normalize, tokens_of_normalized

_CACHE_LIMIT = 2_000_000
# word -> 32-bit hash of its stem, or -1 for a stopword
_hash_cache: dict[str, int] = {}


def shingles_of_tokens(toks: list[str]) -> list[str]:
    """Distinct shingle strings of a token list, in first-seen order."""
    out: dict[str, None] = {}
    run: list[str] = []
    for tok in toks:
        if len(tok) == 1 and NO_SPACE_SCRIPT.match(tok):
            run.append(tok)
            continue
        if run:
            _char_bigrams(run, out)
            run = []
        if tok not in STOPWORDS:
            out[stem(tok)] = None
    if run:
        _char_bigrams(run, out)
    return list(out)


def _char_bigrams(run: list[str], out: dict[str, None]) -> None:
    if len(run) == 1:
        out[run[0]] = None
        return
    for i in range(len(run) - 1):
        out[run[i] + run[i + 1]] = None


def shingle_bytes(text: str) -> list[bytes]:
    """The shingles of ``text`` as UTF-8 bytes (what datasketch's ``update_batch`` takes)."""
    return [s.encode("utf-8") for s in shingles_of_tokens(tokens_of_normalized(normalize(text)))]


def _fill_cache(toks: list[str]) -> None:
    cache = _hash_cache
    for tok in toks:
        if tok not in cache:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[tok] = -1 if tok in STOPWORDS else sha1_hash32(stem(tok).encode("utf-8"))


def shingle_hashes(toks: list[str], has_no_space_script: bool) -> npt.NDArray[np.uint32]:
    """32-bit shingle hashes of a token list (duplicates possible; MinHash ignores them)."""
    flat, _ = batch_shingle_hashes([toks], [has_no_space_script])
    return flat


def batch_shingle_hashes(
    token_lists: Sequence[list[str]], no_space_flags: Sequence[bool]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Shingle hashes of many token lists, concatenated, with the count of each list.

    Args:
        token_lists: tokens of each paragraph (empty list: no shingles).
        no_space_flags: per paragraph, whether it has text in a script without spaces
            (then its shingles include character bigrams).
    """
    cache = _hash_cache
    values: list[int] = []
    raw_lengths: list[int] = []
    special: dict[int, list[int]] = {}
    for i, toks in enumerate(token_lists):
        if no_space_flags[i]:
            special[i] = [sha1_hash32(s.encode("utf-8")) for s in shingles_of_tokens(toks)]
            values.extend(special[i])
            raw_lengths.append(len(special[i]))
            continue
        try:
            values.extend([cache[tok] for tok in toks])
        except KeyError:
            _fill_cache(toks)
            values.extend([cache[tok] for tok in toks])
        raw_lengths.append(len(toks))
    arr = np.array(values, dtype=np.int64)
    keep = arr >= 0
    lengths = np.array(raw_lengths, dtype=np.int64)
    if len(arr) and not keep.all():
        ends = np.cumsum(lengths)
        kept_before = np.concatenate(([0], np.cumsum(keep)))
        lengths = kept_before[ends] - kept_before[ends - lengths]
        arr = arr[keep]
    return arr.astype(np.uint32), lengths
