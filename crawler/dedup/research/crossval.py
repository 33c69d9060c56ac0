"""Cross-validated scores of the pair decision on labelled pairs.

``newsdedup eval dedup --pairs FILE --cv K`` splits the pairs into ``K`` folds (a seeded
shuffle), and for each fold fits the pair model's constants on the other ``K - 1`` folds
exactly as :mod:`crawler.dedup.research.fit_pairs` fits the shipped ones (L2-regularised
logistic regression on the pairs that reach the model, then the intercept moved so that
the whole decision reaches a precision floor on the training folds), and scores the held-out
fold. The figures summed over the held-out folds estimate what the fitting procedure gives
on pairs it has not seen; the shipped constants (fitted on a part of the same file) and the
plain MinHash baseline are scored in the same run for comparison.

Example:
    >>> folds = fold_of(10, 5, seed=1)
    >>> sorted(np.bincount(folds).tolist())
    [2, 2, 2, 2, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crawler.dedup.pairmodel import FEATURES
from crawler.dedup.params import DedupParams
from crawler.dedup.research.evaluate import LabelledPair, Scores, baseline_decisions
from crawler.dedup.signature import Signer
from crawler.dedup.verify import (
    IdfModel,
    containment_rule,
    judge,
    pair_features,
    pair_stats,
    profile,
    weigh,
)
from crawler.dedup.within import ArticleTerms

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PairTable:
    """What fitting needs of each pair: the label, whether the fixed rules accept it
    (``rules``), whether it reaches the pair model (``reach``), its model features, and
    today's whole decision (``current``: rules, then the shipped model)."""

    labels: Floats
    rules: Bools
    reach: Bools
    features: Floats
    current: Bools


def pair_table(pairs: Sequence[LabelledPair], params: DedupParams | None = None) -> PairTable:
    """The :class:`PairTable` of ``pairs``: identical normalised texts (exact hash) are
    accepted by rule; IDF is learned from all texts of the pairs (labels unseen), as
    ``newsdedup eval dedup --pairs`` does."""
    params = params or DedupParams()
    signer = Signer(params)
    sig_a = signer.signatures([p.a for p in pairs])
    sig_b = signer.signatures([p.b for p in pairs])
    prof_a = [profile(p.a) for p in pairs]
    prof_b = [profile(p.b) for p in pairs]
    idf = IdfModel()
    ArticleTerms([*prof_a, *prof_b]).observe(idf)
    n = len(pairs)
    rules = np.zeros(n, dtype=bool)
    reach = np.zeros(n, dtype=bool)
    current = np.zeros(n, dtype=bool)
    feats = np.zeros((n, len(FEATURES)))
    for k, (sa, sb, pa, pb) in enumerate(zip(sig_a, sig_b, prof_a, prof_b, strict=True)):
        if sa.exact_hash == sb.exact_hash:
            rules[k] = current[k] = True
            continue
        st = pair_stats(weigh(pa, idf), weigh(pb, idf))
        current[k] = judge(st, pa, pb, params).duplicate
        d = judge(st, pa, pb, params, use_model=False)
        if "idf_cosine" not in d.scores or d.scores["number_conflict"]:
            continue  # decided before the model: too short, too little overlap, or a veto
        if (
            d.scores["novelty"] <= params.copy_max_novelty
            or containment_rule(d.scores, params) is not None
        ):
            rules[k] = True
        else:
            reach[k] = True
            feats[k] = pair_features(st, pa, pb, d.scores)
    labels = np.array([1.0 if p.label else 0.0 for p in pairs])
    return PairTable(labels, rules, reach, feats, current)


def fit_logistic(x: Floats, y: Floats, l2: float, iterations: int = 60) -> Floats:
    """L2-regularised logistic regression by Newton's method: the weights, then the
    intercept (not penalised) last."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    reg = l2 * np.eye(len(w))
    reg[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -40.0, 40.0)))
        grad = a.T @ (p - y) + reg @ w
        hess = (a * (p * (1 - p))[:, None]).T @ a + reg
        w -= np.linalg.lstsq(hess, grad, rcond=None)[0]  # lstsq: a singular fold is fine
    return w


def scores_of(labels: Floats, decided: Bools) -> Scores:
    """:class:`Scores` of ``decided`` against 0/1 ``labels``."""
    pos = labels == 1
    return Scores(
        int(np.sum(decided & pos)), int(np.sum(decided & ~pos)), int(np.sum(~decided & pos))
    )


@dataclass(frozen=True)
class Fit:
    """Fitted constants: ``weights`` (then the intercept last, already shifted to the
    precision floor) and the figures on the pairs it was fitted on."""

    weights: Floats
    train: Scores


def fit_decision(table: PairTable, train: Bools, l2: float, precision: float) -> Fit:
    """Fit the pair model on the ``train`` pairs that reach it, then move the intercept to
    the best F1 of the whole decision on ``train`` whose precision is at least
    ``precision`` (none reaching it: the model accepts nothing)."""
    fit_on = train & table.reach
    w = fit_logistic(table.features[fit_on], table.labels[fit_on], l2)
    z = table.features @ w[:-1] + w[-1]
    best = (-1.0, float("inf"))
    y = table.labels[train]
    rules = table.rules[train]
    reach = table.reach[train]
    zt = z[train]
    for shift in np.unique(np.round(zt[reach], 4)):
        s = scores_of(y, rules | (reach & (zt - shift >= 0)))
        if s.precision >= precision and s.f1 > best[0]:
            best = (s.f1, float(shift))
    w = w.copy()
    w[-1] -= best[1]
    return Fit(w, scores_of(y, decide(table, w)[train]))


def decide(table: PairTable, weights: Floats) -> Bools:
    """The whole decision with the given pair-model constants (intercept last)."""
    z = table.features @ weights[:-1] + weights[-1]
    decided: Bools = table.rules | (table.reach & (z >= 0))
    return decided


def fold_of(n: int, k: int, seed: int) -> Ints:
    """The fold (``0..k-1``) of each of ``n`` items: a seeded shuffle dealt round-robin."""
    order = np.random.default_rng(seed).permutation(n)
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return folds


@dataclass(frozen=True)
class CrossValReport:
    """Held-out figures of :func:`cross_validate`, beside the baselines of the same run."""

    n_pairs: int
    positives: int
    k: int
    seed: int
    precision_floor: float
    held_out: Scores
    per_fold: list[Scores]
    train: list[Scores]
    current: Scores
    rules_only: Scores
    baseline: Scores
    baseline_threshold: float


def held_out_decisions(
    table: PairTable, k: int, seed: int, l2: float, precision: float
) -> tuple[Bools, list[Scores], list[Scores]]:
    """Each pair's decision by the model fitted on the other ``k - 1`` folds
    (:func:`fit_decision`), with each fold's held-out and fitted scores."""
    folds = fold_of(len(table.labels), k, seed)
    held = np.zeros(len(table.labels), dtype=bool)
    per_fold: list[Scores] = []
    train_scores: list[Scores] = []
    for f in range(k):
        test = folds == f
        fit = fit_decision(table, ~test, l2, precision)
        decided = decide(table, fit.weights)
        held[test] = decided[test]
        per_fold.append(scores_of(table.labels[test], decided[test]))
        train_scores.append(fit.train)
    return held, per_fold, train_scores


def cross_validate(
    pairs: Sequence[LabelledPair],
    params: DedupParams | None = None,
    k: int = 5,
    seed: int = 1,
    precision: float = 0.91,
    l2: float = 0.1,
    baseline_threshold: float = 0.5,
) -> CrossValReport:
    """``k``-fold cross-validation of the fitted decision (see the module docstring)."""
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if len(pairs) < k:
        raise ValueError(f"{len(pairs)} pairs cannot make {k} folds")
    params = params or DedupParams()
    table = pair_table(pairs, params)
    held, per_fold, train_scores = held_out_decisions(table, k, seed, l2, precision)
    baseline = np.array(baseline_decisions(pairs, params, baseline_threshold))
    return CrossValReport(
        n_pairs=len(pairs),
        positives=int(table.labels.sum()),
        k=k,
        seed=seed,
        precision_floor=precision,
        held_out=scores_of(table.labels, held),
        per_fold=per_fold,
        train=train_scores,
        current=scores_of(table.labels, table.current),
        rules_only=scores_of(table.labels, table.rules),
        baseline=scores_of(table.labels, baseline),
        baseline_threshold=baseline_threshold,
    )


def format_cross_validation(report: CrossValReport) -> list[str]:
    """The lines ``newsdedup eval dedup --pairs FILE --cv K`` prints (before its last,
    contract line)."""
    lines = [
        f"cross-validation: {report.k} folds (seed {report.seed}), the pair model fitted on"
        f" {report.k - 1} folds at precision >= {report.precision_floor:g} on them, scored on"
        " the held-out fold",
    ]
    for f, (test, train) in enumerate(zip(report.per_fold, report.train, strict=True)):
        lines.append(f"  fold {f + 1}: held out {test.line()}  (fitted folds {train.line()})")
    lines += [
        f"held out, all folds (fitted decision): {report.held_out.line()}",
        f"today's decision (shipped constants, fitted on part of this file): "
        f"{report.current.line()}",
        f"rules alone (no pair model): {report.rules_only.line()}",
        f"baseline minhash estimated-jaccard>={report.baseline_threshold:g}: "
        f"{report.baseline.line()}",
    ]
    return lines
