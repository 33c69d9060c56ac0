"""Paragraph dedup: normalisation, MinHash signatures, a compact LSH index, verification
of candidates, and article-level clustering. Plain Python: imports neither Scrapy nor
SQLAlchemy."""

from __future__ import annotations

from crawler.dedup.engine import (
    EXACT_CROSS,
    EXACT_WITHIN,
    NEAR_CROSS,
    NEAR_WITHIN,
    DedupEngine,
    Match,
)
from crawler.dedup.normalize import norm_hash, normalize, tokens
from crawler.dedup.params import DedupParams
from crawler.dedup.signature import Signature

__all__ = [
    "EXACT_CROSS",
    "EXACT_WITHIN",
    "NEAR_CROSS",
    "NEAR_WITHIN",
    "DedupEngine",
    "DedupParams",
    "Match",
    "Signature",
    "norm_hash",
    "normalize",
    "tokens",
]
