"""Fit the pair model's weights (:mod:`crawler.dedup.pairmodel`) on labelled pairs.

Run: ``python -m crawler.dedup.research.fit_pairs --data msr_paraphrase_train.txt``. The file is
only read, never copied. Pairs on odd-numbered lines are the training split, pairs on
even-numbered lines are held out. The model is fitted (L2-regularised logistic regression
by Newton's method) on the training pairs that the fixed rules leave undecided and that
reach the model (no figure veto, IDF overlap at least the floor); then the intercept is
moved so that the whole decision (exact hash, rules, model) has precision at least
``--precision`` on the training split with the best F1. The script prints the constants to
paste into ``pairmodel.py`` and the figures on the training split, on the held-out split
and on the whole file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from crawler.dedup.pairmodel import FEATURES
from crawler.dedup.params import DedupParams
from crawler.dedup.research.crossval import pair_table
from crawler.dedup.research.evaluate import read_pairs

Floats = npt.NDArray[np.float64]


def _fit(x: Floats, y: Floats, l2: float, iterations: int = 60) -> Floats:
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    reg = l2 * np.eye(len(w))
    reg[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + reg @ w
        hess = (a * (p * (1 - p))[:, None]).T @ a + reg
        w -= np.linalg.solve(hess, grad)
    return w


def prf(labels: Floats, decided: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``decided`` against 0/1 ``labels``."""
    tp = float(np.sum(decided & (labels == 1)))
    fp = float(np.sum(decided & (labels == 0)))
    fn = float(np.sum(~decided & (labels == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.dedup.research.fit_pairs", description=__doc__
    )
    parser.add_argument("--data", required=True, help="labelled pairs (MSR format)")
    parser.add_argument("--precision", type=float, default=0.91, help="precision floor")
    parser.add_argument("--l2", type=float, default=0.1, help="L2 penalty")
    parser.add_argument("--copy-max-novelty", type=float, default=DedupParams().copy_max_novelty)
    args = parser.parse_args(argv)
    pairs = read_pairs(args.data).pairs
    params = DedupParams(copy_max_novelty=args.copy_max_novelty)
    table = pair_table(pairs, params)
    labels, rules, reach, feats = table.labels, table.rules, table.reach, table.features
    odd = np.array([p.line % 2 == 1 for p in pairs])
    train = odd & reach
    w = _fit(feats[train], labels[train], args.l2)
    z = feats @ w[:-1] + w[-1]
    best = (-1.0, float("inf"))  # no threshold reaching the floor: the model accepts nothing
    for shift in np.unique(np.round(z[train], 4)):
        decided = rules | (reach & (z - shift >= 0))
        p, _, f = prf(labels[odd], decided[odd])
        if p >= args.precision and f > best[0]:
            best = (f, float(shift))
    intercept = float(w[-1] - best[1])
    decided = rules | (reach & (z - best[1] >= 0))
    print(
        f"pairs {len(pairs)}, reaching the model {int(reach.sum())}, training on {int(train.sum())}"
    )
    print("WEIGHTS = (")
    for name, value in zip(FEATURES, w[:-1], strict=True):
        print(f"    {value:.6f},  # {name}")
    print(")")
    print(f"INTERCEPT = {intercept:.6f}")
    for name, mask in (("train (odd lines)", odd), ("held out (even lines)", ~odd)):
        p, r, f = prf(labels[mask], decided[mask])
        print(f"{name}: precision={p:.3f} recall={r:.3f} f1={f:.3f}")
    p, r, f = prf(labels, decided)
    print(f"whole file: precision={p:.3f} recall={r:.3f} f1={f:.3f}")
    p, r, f = prf(labels, rules)
    print(f"rules only, whole file: precision={p:.3f} recall={r:.3f} f1={f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
