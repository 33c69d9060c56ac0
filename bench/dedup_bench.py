"""Dedup benchmark: throughput, index memory and query latency on one core.

Run: ``.venv/bin/python -m bench.dedup_bench [--sizes 10000,100000,1000000]``.
The default sizes are 10,000 and 100,000 indexed paragraphs (about a minute); pass
``--sizes 10000,100000,1000000`` for the full growth curve (several minutes, ~4 GB RAM,
mostly the benchmark's own copy of the texts and rows).

Synthetic paragraphs come from a made-up vocabulary of 50,000 words with a Zipf-like
frequency plus English function words, names and figures: 2-4 sentences, 30-90 tokens.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Mapping, Sequence  # noqa: E402

import numpy as np  # noqa: E402
from datasketch import MinHash  # noqa: E402

from crawler.dedup import DedupEngine, DedupParams  # noqa: E402
from crawler.dedup.lexicon import STOPWORDS  # noqa: E402
from crawler.dedup.shingles import shingle_bytes  # noqa: E402
from crawler.dedup.verify import IdfModel, Profile, decide, weigh  # noqa: E402
from crawler.dedup.warmup import warm_up  # noqa: E402
from crawler.dedup.within import ArticleTerms  # noqa: E402

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_FUNCTION = sorted(STOPWORDS)


class Corpus:
    """Deterministic synthetic paragraphs (the same arguments give the same texts)."""

    def __init__(self, seed: int = 1, vocab_size: int = 50_000) -> None:
        rng = random.Random(seed)
        self.vocab = [
            "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 11)))
            for _ in range(vocab_size)
        ]
        # Zipf-Mandelbrot: a flat head like content words in news (stopwords are separate)
        weights = 1.0 / (np.arange(1, vocab_size + 1) + 100.0) ** 1.05
        self.cum = np.cumsum(weights / weights.sum())
        self.seed = seed

    def paragraph(self, i: int) -> str:
        """One paragraph, the same for the same ``i``."""
        return self.paragraphs(i * 1_000_003 + 17, 1)[0]

    def paragraphs(self, start: int, n: int) -> list[str]:
        """``n`` paragraphs seeded by ``start`` (bulk: one generator for the batch)."""
        rng = random.Random(self.seed * 7_919 + start)
        nprng = np.random.default_rng(self.seed * 7_919 + start)
        vocab, last = self.vocab, len(self.vocab) - 1
        picks = np.minimum(np.searchsorted(self.cum, nprng.random(n * 70)), last).tolist()
        pos = 0
        out = []
        for _ in range(n):
            sentences = []
            for _ in range(rng.randint(2, 4)):
                words = []
                for _ in range(rng.randint(10, 22)):
                    words.append(vocab[picks[pos % len(picks)]])
                    pos += 1
                    r = rng.random()
                    if r < 0.45:
                        words.append(rng.choice(_FUNCTION))
                    elif r < 0.48:
                        words.append(str(rng.randint(2, 2000)))
                    elif r < 0.52:
                        words.append(vocab[rng.randint(0, 5000)].capitalize())
                sentences.append(" ".join(words).capitalize() + ".")
            out.append(" ".join(sentences))
        return out


def light_edit(text: str, rng: random.Random) -> str:
    """Replace two words and drop one: a lightly edited copy."""
    words = text.split()
    for _ in range(2):
        words[rng.randrange(len(words))] = rng.choice(["reportedly", "notably", "also"])
    del words[rng.randrange(len(words))]
    return " ".join(words)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "inf"


def warm_kernels(params: DedupParams) -> None:
    """Run the compiled kernels once (:func:`crawler.dedup.warmup.warm_up`), so that no
    figure below includes numba compiling (first use after a change) or loading its disk
    cache; print how long that took."""
    seconds = warm_up(params)
    print(
        f"compiled kernels ready in {seconds:.2f} s (wall clock; compiled on first use after"
        " a change, then loaded from numba's disk cache)"
    )


def bench_signatures(corpus: Corpus, n: int, params: DedupParams) -> None:
    texts = corpus.paragraphs(10_000_000, n)
    engine = DedupEngine(params)
    t = time.process_time()
    engine.signatures(texts)
    cold = time.process_time() - t
    texts2 = corpus.paragraphs(20_000_000, n)
    t = time.process_time()
    engine.signatures(texts2)
    warm = time.process_time() - t
    from crawler.dedup.research.evaluate import load_articles

    prose = [p for a in load_articles() for p in a.paragraphs]
    prose = (prose * (n // len(prose) + 1))[:n]
    t = time.process_time()
    engine.signatures(prose)
    real = time.process_time() - t
    print(
        f"signatures, newsdedup ({n:,} paragraphs): cold caches {rate(n, cold)},"
        f" warm word cache {rate(n, warm)}; the project's article prose {rate(n, real)}"
    )

    m = min(n, 5000)
    sample = texts2[:m]
    t = time.process_time()
    plain = []
    for text in sample:
        mh = MinHash(num_perm=params.num_perm, seed=params.seed)
        mh.update_batch(shingle_bytes(text))
        plain.append(mh)
    t_plain = time.process_time() - t
    t = time.process_time()
    bulk = MinHash.bulk(
        [shingle_bytes(x) for x in sample], num_perm=params.num_perm, seed=params.seed
    )
    t_bulk = time.process_time() - t
    ours = engine.signatures(sample)
    same = all(
        s.hashvalues is None or np.array_equal(s.hashvalues, p.hashvalues)
        for s, p in zip(ours, plain, strict=True)
    )
    print(
        f"signatures, datasketch MinHash()+update_batch ({m:,}): {rate(m, t_plain)};"
        f" MinHash.bulk: {rate(m, t_bulk)}; values identical to newsdedup: {same}"
    )
    del bulk


def build_rows(
    corpus: Corpus, engine: DedupEngine, start: int, n: int, texts: list[str]
) -> list[tuple[int, int, int, str, bytes | None]]:
    rows: list[tuple[int, int, int, str, bytes | None]] = []
    chunk = 20_000
    for lo in range(start, start + n, chunk):
        part = corpus.paragraphs(lo, min(chunk, start + n - lo))
        texts.extend(part)
        for j, sig in enumerate(engine.signatures(part)):
            key = lo + j
            rows.append((key, key // 10, key % 50, sig.exact_hash, sig.to_bytes()))
    return rows


def measure_load(
    params: DedupParams, rows: Sequence[tuple[int, int, int, str, bytes | None]]
) -> tuple[DedupEngine, float, float]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    engine = DedupEngine(params)
    t = time.perf_counter()
    engine.load(rows)
    elapsed = time.perf_counter() - t
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return engine, (after - before) / max(1, len(rows)), elapsed


def bench_growth(corpus: Corpus, sizes: Sequence[int], params: DedupParams, queries: int) -> None:
    texts: list[str] = []
    rows: list[tuple[int, int, int, str, bytes | None]] = []
    maker = DedupEngine(params)
    rng = random.Random(5)
    print()
    print(
        f"{'indexed':>10} {'load':>10} {'index B/para':>13} {'LSH query/para':>15}"
        f" {'check/para p50':>15} {'p95':>9} {'flagged':>8}"
    )
    for size in sizes:
        t = time.perf_counter()
        rows.extend(build_rows(corpus, maker, len(rows), size - len(rows), texts))
        t_build = time.perf_counter() - t
        engine, per_para, t_load = measure_load(params, rows)

        def lookup(keys: Sequence[int]) -> Mapping[int, str]:
            return {k: texts[k] for k in keys if 0 <= k < len(texts)}

        engine.lookup = lookup
        # queries: half light edits of indexed paragraphs, half new paragraphs
        picks = [rng.randrange(size) for _ in range(queries // 2)]
        qtexts = [light_edit(texts[k], rng) for k in picks]
        qtexts += corpus.paragraphs(30_000_000 + size, queries - len(qtexts))
        rng.shuffle(qtexts)
        sigs = engine.signatures(qtexts)
        t = time.process_time()
        for lo in range(0, len(sigs), 10):
            engine.candidates(sigs[lo : lo + 10], article=-1)
        t_lsh = (time.process_time() - t) / len(sigs)
        per_article: list[float] = []
        flagged = 0
        for lo in range(0, len(qtexts), 10):
            t = time.process_time()
            ms = engine.check_article(qtexts[lo : lo + 10], sigs[lo : lo + 10], article=-1)
            per_article.append((time.process_time() - t) / len(qtexts[lo : lo + 10]))
            flagged += sum(1 for m in ms if m.kind == "near_cross" or m.kind == "exact_cross")
        p50 = statistics.median(per_article)
        p95 = sorted(per_article)[int(0.95 * (len(per_article) - 1))]
        print(
            f"{size:>10,} {t_load:>9.1f}s {per_para:>13,.0f} {t_lsh * 1e6:>13.0f}us"
            f" {p50 * 1e6:>13.0f}us {p95 * 1e6:>7.0f}us {flagged:>4}/{queries // 2}"
            f"   (rows built in {t_build:.1f}s)"
        )
        del engine
    print(
        "index B/para: tracemalloc delta of DedupEngine.load / paragraphs (band keys,"
        " sentence keys, exact keys, key/article/group columns, buffers); texts stay outside."
        " Query and check times are CPU time per paragraph (articles of 10)."
    )


def bench_verification(corpus: Corpus, n: int, params: DedupParams) -> None:
    rng = random.Random(9)
    originals = corpus.paragraphs(40_000_000, n)
    copies = [
        light_edit(t, rng) if i % 2 == 0 else corpus.paragraph(50_000_000 + i)
        for i, t in enumerate(originals)
    ]
    idf = IdfModel()
    ArticleTerms([Profile(t) for t in originals]).observe(idf)
    t0 = time.process_time()
    hits = 0
    for a, b in zip(originals, copies, strict=True):
        if decide(weigh(Profile(a), idf), weigh(Profile(b), idf), params).duplicate:
            hits += 1
    dt = time.process_time() - t0
    print(
        f"verification (tokenise + weigh both texts + decide, one pair at a time, {n:,} pairs):"
        f" {rate(n, dt)} pairs; {hits} of {n // 2} light edits accepted,"
        f" {n - n // 2} unrelated pairs"
    )


def bench_end_to_end(
    corpus: Corpus, n_index: int, n_stream: int, params: DedupParams, article_size: int
) -> None:
    """End to end, per paragraph of a stream of articles: normalise + tokenise + shingle +
    MinHash + exact hash + sentence keys (``signatures``), exact / LSH band / sentence
    key lookup, candidate ranking, fetching candidate texts from a dict (standing in for
    SQL), verification of every candidate, the within-article check and IDF update
    (``check_article``), and indexing (``add_many``). One in five paragraphs is a light edit
    of an indexed paragraph."""
    texts = corpus.paragraphs(60_000_000, n_index)
    engine = DedupEngine(params)
    engine.load(
        (k, k // 10, 0, s.exact_hash, s.to_bytes()) for k, s in enumerate(engine.signatures(texts))
    )
    store: dict[int, str] = dict(enumerate(texts))
    engine.lookup = lambda keys: {k: store[k] for k in keys if k in store}
    rng = random.Random(11)
    stream = []
    fresh = corpus.paragraphs(70_000_000 + article_size, n_stream)
    for i in range(n_stream):
        if i % 5 == 0:
            stream.append(light_edit(texts[rng.randrange(n_index)], rng))
        else:
            stream.append(fresh[i])
    t = time.perf_counter()
    cpu = time.process_time()
    articles = [stream[lo : lo + article_size] for lo in range(0, n_stream, article_size)]
    spent, counts, _ = feed(engine, articles, store, n_index)
    flagged = sum(counts.values())
    dt = time.perf_counter() - t
    dcpu = time.process_time() - cpu
    us = [x / n_stream * 1e6 for x in spent]
    print(
        f"end to end, articles of {article_size}, {n_stream:,} paragraphs into an index of"
        f" {n_index:,}: {rate(n_stream, dcpu)} (CPU time; wall clock {rate(n_stream, dt)});"
        f" per paragraph {us[0]:.0f} us signatures + {us[1]:.0f} us check_article +"
        f" {us[2]:.0f} us add_many; {flagged} matches (about {n_stream // 5} light edits)"
    )


def read_articles(path: str) -> list[list[str]]:
    """Paragraph texts of each article in a JSON Lines file as ``newsdedup extract``
    prints it (blocks of the kinds the ingest dedups); other lines are skipped."""
    import json

    from crawler.dedup.within import DEDUP_KINDS

    out: list[list[str]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                blocks = json.loads(line).get("blocks") or []
                texts = [b["text"] for b in blocks if b.get("kind") in DEDUP_KINDS]
            except (ValueError, AttributeError, KeyError, TypeError) as exc:
                print(f"{path}:{n}: skipped ({exc})")
                continue
            if texts:
                out.append(texts)
    return out


def bench_real_articles(corpus: Corpus, path: str, params: DedupParams) -> None:
    """End to end over real extracted articles, as in :func:`bench_end_to_end`: first
    each article once (new text, checked against an index of 10,000 synthetic
    paragraphs and the articles before it), then each article again as a syndicated
    copy (every paragraph of four or more words lightly edited), which sends most
    paragraphs through verification."""
    from crawler.dedup.normalize import tokens

    articles = read_articles(path)
    if not articles:
        print(f"real articles: none read from {path}")
        return
    n_tokens = [len(tokens(p)) for a in articles for p in a]
    print(
        f"real articles from {path}: {len(articles)} articles, {len(n_tokens)} paragraphs;"
        f" tokens per paragraph mean {statistics.mean(n_tokens):.1f},"
        f" median {statistics.median(n_tokens):.0f};"
        f" paragraphs per article mean {len(n_tokens) / len(articles):.1f}"
    )
    texts = corpus.paragraphs(60_000_000, 10_000)
    engine = DedupEngine(params)
    engine.load(
        (k, k // 10, 0, s.exact_hash, s.to_bytes()) for k, s in enumerate(engine.signatures(texts))
    )
    store: dict[int, str] = dict(enumerate(texts))
    engine.lookup = lambda keys: {k: store[k] for k in keys if k in store}
    rng = random.Random(13)
    copies = [
        [light_edit(p, rng) if len(p.split()) >= 4 else p for p in article] for article in articles
    ]
    key = len(texts)
    for label, stream in (("new articles", articles), ("syndicated copies", copies)):
        spent, counts, key = feed(engine, stream, store, key)
        n = sum(len(a) for a in stream)
        us = [x / n * 1e6 for x in spent]
        found = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
        print(
            f"end to end, real {label}: {rate(n, sum(spent))} (CPU time); per paragraph"
            f" {us[0]:.0f} us signatures + {us[1]:.0f} us check_article + {us[2]:.0f} us"
            f" add_many; matches: {found}"
        )


def feed(
    engine: DedupEngine, articles: Sequence[list[str]], store: dict[int, str], key: int
) -> tuple[list[float], dict[str, int], int]:
    """Check and index ``articles`` in order as the ingest does (article ids and paragraph
    keys from ``key`` on, texts into ``store``).

    Returns:
        CPU seconds in ``signatures``, ``check_article`` and ``add_many``; matches by
        kind; the next free key.
    """
    spent = [0.0, 0.0, 0.0]
    counts: dict[str, int] = {}
    for article in articles:
        c0 = time.process_time()
        sigs = engine.signatures(article)
        c1 = time.process_time()
        for m in engine.check_article(article, sigs, article=key):
            counts[m.kind] = counts.get(m.kind, 0) + 1
        c2 = time.process_time()
        engine.add_many(range(key, key + len(article)), key, sigs)
        spent[0] += c1 - c0
        spent[1] += c2 - c1
        spent[2] += time.process_time() - c2
        for text in article:
            store[key] = text
            key += 1
    return spent, counts, key


def bench_batched(corpus: Corpus, n_stream: int, params: DedupParams) -> None:
    engine = DedupEngine(params)
    stream = corpus.paragraphs(90_000_000, n_stream)
    engine.load(
        (k, k // 10, 0, s.exact_hash, s.to_bytes())
        for k, s in enumerate(engine.signatures(corpus.paragraphs(95_000_000, 10_000)))
    )
    cpu = time.process_time()
    for lo in range(0, n_stream, 1000):
        sigs = engine.signatures(stream[lo : lo + 1000])
        engine.candidates(sigs, article=-1)
    dt = time.process_time() - cpu
    print(f"signatures + LSH candidates only, batches of 1,000: {rate(n_stream, dt)} (CPU time)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedup_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="index sizes, comma-separated (default 10000,100000)",
    )
    parser.add_argument("--sig-n", type=int, default=20_000, help="paragraphs for signatures")
    parser.add_argument("--queries", type=int, default=1000, help="query paragraphs per size")
    parser.add_argument(
        "--articles",
        metavar="FILE",
        help="also run end to end over real articles: JSON Lines as printed by"
        " `newsdedup extract` (e.g. from the pages of an evaluation corpus)",
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    params = DedupParams()
    bands, rows = params.bands
    print(
        f"newsdedup dedup benchmark: one core, num_perm={params.num_perm},"
        f" LSH {bands} bands x {rows} rows (threshold ~{params.lsh_threshold}),"
        f" {params.shingling}"
    )
    corpus = Corpus()
    warm_kernels(params)
    bench_signatures(corpus, args.sig_n, params)
    bench_verification(corpus, 5000, params)
    for size in (10, 30):
        bench_end_to_end(corpus, 10_000, 20_000, params, size)
    bench_batched(corpus, 20_000, params)
    if args.articles:
        bench_real_articles(corpus, args.articles, params)
    bench_growth(corpus, sizes, params, args.queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
