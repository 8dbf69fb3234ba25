"""Performance metrics of a binary classifier recomputed from its predictions, with intervals.

``binary_metrics(y_true, y_pred, score)`` returns AUC, Gini (2*AUC-1), the KS statistic as
credit teams report it (largest gap between the score distributions of positives and
negatives), Brier score, accuracy and F1, each with a 95 % confidence interval: Wilson for
accuracy (a proportion), a percentile bootstrap for the others (seed and number of resamples
recorded). A metric that cannot be computed (one class only, no scores, scores outside [0, 1]
for Brier) is left out and the reason recorded under ``problems``; nothing raises on bad data.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

LEVEL = 0.95
Z95 = 1.959963984540054          # scipy.stats.norm.ppf(0.975)
DEFAULT_SEED = 20260101
BOOT_BUDGET = 200_000_000        # resampled rows in total: n_boot = clamp(budget // n, 200, 1000)
NAMES = {                        # canonical name -> names a model card may use for it
    "auc": ["auc", "roc_auc", "auroc", "auc_roc"],
    "gini": ["gini", "gini_coefficient", "accuracy_ratio"],
    "ks": ["ks", "ks_statistic", "kolmogorov_smirnov"],
    "brier": ["brier", "brier_score"],
    "accuracy": ["accuracy", "acc"],
    "f1": ["f1", "f1_score"],
}


def rnd(x: float | None) -> float | None:
    """Rounded to 12 significant digits, for byte-stable JSON across platforms (far below any CI width;
    small p-values keep their magnitude)."""
    return None if x is None or not math.isfinite(x) else float(f"{float(x):.12g}")


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927; Brown, Cai & DasGupta 2001)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def n_boot_for(n: int) -> int:
    return int(min(1000, max(200, BOOT_BUDGET // max(n, 1))))


class _Ranked:
    """Scores grouped by distinct value (ascending), so AUC and KS of any row weighting are O(n)."""

    def __init__(self, positive: np.ndarray, score: np.ndarray) -> None:
        self.values, self.inverse = np.unique(score, return_inverse=True)
        self.positive = positive.astype(np.float64)

    def auc_ks(self, weights: np.ndarray | None = None) -> tuple[float, float]:
        w = np.ones_like(self.positive) if weights is None else weights.astype(np.float64)
        size = len(self.values)
        pos = np.bincount(self.inverse, weights=w * self.positive, minlength=size)
        neg = np.bincount(self.inverse, weights=w * (1.0 - self.positive), minlength=size)
        p_tot, n_tot = pos.sum(), neg.sum()
        if p_tot == 0 or n_tot == 0:
            return (math.nan, math.nan)
        neg_below = np.cumsum(neg) - neg
        auc = float(np.dot(pos, neg_below + 0.5 * neg) / (p_tot * n_tot))
        ks = float(np.max(np.abs(np.cumsum(pos) / p_tot - np.cumsum(neg) / n_tot)))
        return (auc, ks)


def _interval(samples: np.ndarray, n_boot: int, seed: int) -> dict[str, Any]:
    finite = samples[np.isfinite(samples)]
    lo, hi = (np.percentile(finite, [2.5, 97.5]) if len(finite) else (math.nan, math.nan))
    return {"lower": rnd(lo), "upper": rnd(hi), "level": LEVEL, "method": "bootstrap percentile (rows resampled)",
            "n_boot": n_boot, "seed": seed, "degenerate_resamples": int(len(samples) - len(finite))}


def _entry(name: str, value: float, ci: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "names": NAMES[name], "value": rnd(value), "ci": ci, **extra}


def binary_metrics(y_true: np.ndarray, y_pred: np.ndarray | None, score: np.ndarray | None,
                   seed: int = DEFAULT_SEED, n_boot: int | None = None) -> dict[str, Any]:
    """Metrics of boolean ``y_true`` against boolean ``y_pred`` and/or float ``score`` (no NaN)."""
    y = np.asarray(y_true, dtype=bool)
    n = int(len(y))
    n_pos = int(y.sum())
    boots = n_boot if n_boot is not None else n_boot_for(n)
    out: dict[str, Any] = {"n": n, "positives": n_pos, "negatives": n - n_pos, "metrics": [], "problems": []}
    if n == 0:
        out["problems"].append("no rows with a label")
        return out
    one_class = n_pos in (0, n)
    if one_class:
        out["problems"].append(f"y_true has a single class ({'all positive' if n_pos else 'all negative'}, "
                               f"{n} rows): AUC, Gini and KS are undefined")
    if score is not None:
        s = np.asarray(score, dtype=np.float64)
        ranked = None if one_class else _Ranked(y, s)
        probabilities = not np.any((s < 0) | (s > 1))
        if not probabilities:
            out["problems"].append("score has values outside [0, 1]: the Brier score needs probabilities")
        sq = (s - y) ** 2
        aucs, kss, briers = np.full(boots, np.nan), np.full(boots, np.nan), np.full(boots, np.nan)
        if ranked is not None or probabilities:
            rng = np.random.default_rng(seed)
            for b in range(boots):     # one row resample per replicate, shared by every score metric
                weights = np.bincount(rng.integers(0, n, n), minlength=n)
                if ranked is not None:
                    aucs[b], kss[b] = ranked.auc_ks(weights)
                if probabilities:
                    briers[b] = float(np.dot(weights, sq)) / n
        if ranked is not None:
            auc, ks = ranked.auc_ks()
            ci_auc = _interval(aucs, boots, seed)
            gini_ci = dict(ci_auc, lower=None if ci_auc["lower"] is None else rnd(2 * ci_auc["lower"] - 1),
                           upper=None if ci_auc["upper"] is None else rnd(2 * ci_auc["upper"] - 1))
            out["metrics"].append(_entry("auc", auc, ci_auc, formula="Mann-Whitney U / (n_pos * n_neg), ties count 1/2"))
            out["metrics"].append(_entry("gini", 2 * auc - 1, gini_ci, formula="2 * AUC - 1"))
            out["metrics"].append(_entry("ks", ks, _interval(kss, boots, seed),
                                         formula="max over thresholds |F_pos(t) - F_neg(t)|"))
        if probabilities:
            out["metrics"].append(_entry("brier", float(sq.mean()), _interval(briers, boots, seed),
                                         formula="mean((score - y_true)^2)"))
    if y_pred is not None:
        p = np.asarray(y_pred, dtype=bool)
        tp, fp = int((p & y).sum()), int((p & ~y).sum())
        fn, tn = int((~p & y).sum()), int((~p & ~y).sum())
        correct = tp + tn
        lo, hi = wilson(correct, n)
        out["metrics"].append(_entry("accuracy", correct / n, {
            "lower": rnd(lo), "upper": rnd(hi), "level": LEVEL, "method": "Wilson score interval"},
            formula="(TP + TN) / n"))
        out["confusion"] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        if 2 * tp + fp + fn == 0:
            out["problems"].append("F1 is undefined: no positive labels and no positive predictions")
        else:
            cells = np.random.default_rng(seed).multinomial(n, np.array([tp, fp, fn, tn], dtype=np.float64) / n, size=boots)
            denom = 2 * cells[:, 0] + cells[:, 1] + cells[:, 2]
            with np.errstate(invalid="ignore", divide="ignore"):
                f1s = np.where(denom > 0, 2 * cells[:, 0] / np.maximum(denom, 1), np.nan)
            ci = _interval(f1s, boots, seed)
            ci["method"] = "bootstrap percentile (multinomial over the confusion cells, equivalent to resampling rows)"
            out["metrics"].append(_entry("f1", 2 * tp / (2 * tp + fp + fn), ci, formula="2TP / (2TP + FP + FN)"))
    return out
