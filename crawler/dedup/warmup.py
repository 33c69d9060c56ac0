"""Run the engine's compiled kernels (:mod:`crawler.dedup.kernels`) once before real work.

numba compiles a kernel on its first call after an install or a code change and caches it
on disk; later processes load the cache in a fraction of a second. A crawl compiles what
it calls as it goes; :func:`warm_up` makes that happen up front (``newsdedup demo``, the
benchmarks), on a small throwaway index built from the project's own article texts,
through the same paths a crawl takes: signatures, a sorted run and the buffer of the
index, a merge, exact copies, light edits and rewordings that reach the pair model.
"""

from __future__ import annotations

import time

from crawler.dedup.engine import DedupEngine
from crawler.dedup.params import DedupParams
from crawler.dedup.research.evaluate import load_articles


def _edits(text: str, every: int) -> str:
    """``text`` with every ``every``-th word replaced and the last one dropped."""
    words = text.split()
    out = [("also" if i % every == 0 else w) for i, w in enumerate(words)]
    return " ".join(out[:-1])


def warm_up(params: DedupParams | None = None) -> float:
    """Compile (or load from the disk cache) every kernel a crawl calls, on a throwaway
    engine.

    Returns:
        the wall-clock seconds it took.
    """
    start = time.perf_counter()
    texts = [p for a in load_articles() for p in a.paragraphs][:60]
    texts.append("Zürich's 3,5 % Anstieg überraschte die Händler.")
    engine = DedupEngine(params)
    store = dict(enumerate(texts))
    engine.lookup = lambda keys: {k: store[k] for k in keys if k in store}
    sigs = engine.signatures(texts)
    engine.load((k, k // 5, 0, s.exact_hash, s.to_bytes()) for k, s in enumerate(sigs))
    engine.observe(texts[:5])
    key = len(texts)
    for n, every in enumerate((9, 4, 3)):
        article = [_edits(t, every) for t in texts[n * 10 : n * 10 + 10]] + texts[:1]
        article_sigs = engine.signatures(article)
        engine.check_article(article, article_sigs, article=10_000 + n)
        engine.add_many(range(key, key + len(article)), 10_000 + n, article_sigs)
        store.update(zip(range(key, key + len(article)), article, strict=True))
        key += len(article)
    engine.load((key + k, 20_000, 0, s.exact_hash, s.to_bytes()) for k, s in enumerate(sigs))
    return time.perf_counter() - start
