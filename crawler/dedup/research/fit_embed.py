"""Fit the embedding threshold (:data:`crawler.dedup.embed.EMBED_MIN_COSINE`) on labelled
pairs. Needs the optional extra: ``pip install -e '.[embed]'``.

Run: ``python -m crawler.dedup.research.fit_embed --data msr_paraphrase_train.txt``. The
file is only read, never copied. Pairs on odd-numbered lines are the training split, pairs on
even-numbered lines are held out (as in :mod:`crawler.dedup.research.fit_pairs`). The lexical
decision is made first; the grey-zone pairs (:func:`crawler.dedup.embed.in_grey_zone`) are
embedded; among cosine thresholds on a 0.005 grid, the script keeps the one with the best F1
on the training split whose precision, and that of every threshold down to ``--margin``
below it, is at least ``--precision``. It prints the threshold and the figures on both
splits, with the lexical decision alone for comparison.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from crawler.dedup.embed import Embedder, combine, in_grey_zone
from crawler.dedup.research.evaluate import lexical_decisions, read_pairs
from crawler.dedup.research.fit_pairs import prf

Bools = npt.NDArray[np.bool_]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.dedup.research.fit_embed", description=__doc__
    )
    parser.add_argument("--data", required=True, help="labelled pairs (MSR format)")
    parser.add_argument("--precision", type=float, default=0.9, help="precision floor")
    parser.add_argument("--margin", type=float, default=0.01, help="cosine margin of the floor")
    args = parser.parse_args(argv)
    reason = Embedder.unavailable_reason()
    if reason is not None:
        print(f"fit_embed: {reason}", file=sys.stderr)
        return 2
    pairs = read_pairs(args.data).pairs
    items = lexical_decisions(pairs)
    grey = [n for n, (_, _, d) in enumerate(items) if in_grey_zone(d)]
    embedder = Embedder()
    embedder.load()
    cos = np.full(len(items), -1.0)
    cos[grey] = embedder.similarities([(items[n][0].text, items[n][1].text) for n in grey])
    print(
        f"pairs {len(pairs)}, grey zone {len(grey)}; embedded {embedder.texts_encoded} texts "
        f"in {embedder.seconds:.1f}s = {embedder.rate:.0f} sentences/s"
    )
    labels = np.array([1.0 if p.label else 0.0 for p in pairs])
    odd = np.array([p.line % 2 == 1 for p in pairs])
    lexical = np.array([d.duplicate for _, _, d in items])

    def decided(threshold: float) -> Bools:
        pairs = zip(items, cos.tolist(), strict=True)
        return np.array([combine(d, c, a, b, threshold).duplicate for (a, b, d), c in pairs])

    grid = np.round(np.arange(0.5, 1.0, 0.005), 3)
    train = {float(t): prf(labels[odd], decided(float(t))[odd]) for t in grid}
    best: tuple[float, float] | None = None
    for t, (_, _, f) in train.items():
        stable = all(
            p >= args.precision
            for u, (p, _, _) in train.items()
            if t - args.margin - 1e-9 <= u <= t
        )
        if stable and (best is None or f > best[0]):
            best = (f, t)
    if best is None:
        print(f"no threshold keeps precision >= {args.precision} on the training split")
        return 1
    threshold = best[1]
    print(f"EMBED_MIN_COSINE = {threshold:.3f}")
    chosen = decided(threshold)
    for name, mask in (("train (odd lines)", odd), ("held out (even lines)", ~odd)):
        p, r, f = prf(labels[mask], chosen[mask])
        lp, lr, lf = prf(labels[mask], lexical[mask])
        print(
            f"{name}: precision={p:.3f} recall={r:.3f} f1={f:.3f}"
            f" (lexical alone precision={lp:.3f} recall={lr:.3f} f1={lf:.3f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
