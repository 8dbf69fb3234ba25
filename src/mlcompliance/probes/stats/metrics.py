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
BOOT_BUDGET = 20_000_000         # resampled rows in total: n_boot = clamp(budget // rows, 200, 1000)
BOOT_MAX_ROWS = 100_000          # above this, an m-out-of-n bootstrap on a seeded sample of this many rows
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
    return int(min(1000, max(200, BOOT_BUDGET // max(min(n, BOOT_MAX_ROWS), 1))))


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
        auc = float(np.sum(pos * (neg_below + 0.5 * neg)) / (p_tot * n_tot))   # np.sum, not BLAS dot: no thread spin-up
        ks = float(np.max(np.abs(np.cumsum(pos) / p_tot - np.cumsum(neg) / n_tot)))
        return (auc, ks)


class _Resampling:
    """Bootstrap replicates of AUC, KS and Brier, one row resample per replicate shared by all three.

    Up to BOOT_MAX_ROWS rows, the rows themselves are resampled. Above, an m-out-of-n bootstrap:
    m = BOOT_MAX_ROWS rows drawn without replacement (seeded) are resampled, and the percentile
    interval is moved to the full-data estimate and narrowed by sqrt(m / n) (these statistics
    converge at the root-n rate; Bickel & Sakov 2008)."""

    def __init__(self, y: np.ndarray, s: np.ndarray, seed: int, boots: int, one_class: bool, brier: bool) -> None:
        n = len(y)
        self.n, self.seed, self.boots = n, seed, boots
        self.m = min(n, BOOT_MAX_ROWS)
        rng = np.random.default_rng(seed)
        if self.m < n:
            idx = np.sort(rng.choice(n, self.m, replace=False))
            y, s = y[idx], s[idx]
        ranked = None if one_class or y.all() or not y.any() else _Ranked(y, s)
        sq = (s - y) ** 2
        self.base = {"brier": float(sq.mean())}
        if ranked is not None:
            self.base["auc"], self.base["ks"] = ranked.auc_ks()
        self.samples = {k: np.full(boots, np.nan) for k in ("auc", "ks", "brier")}
        if ranked is None and not brier:
            return
        m = self.m
        for b in range(boots):
            weights = np.bincount(rng.integers(0, m, m), minlength=m)
            if ranked is not None:
                self.samples["auc"][b], self.samples["ks"][b] = ranked.auc_ks(weights)
            if brier:
                self.samples["brier"][b] = float(np.sum(weights * sq)) / m   # np.sum, not BLAS dot

    def interval(self, name: str, estimate: float) -> dict[str, Any]:
        samples = self.samples[name]
        finite = samples[np.isfinite(samples)]
        lo = hi = math.nan
        if len(finite) and name in self.base:
            q_lo, q_hi = np.percentile(finite, [2.5, 97.5])
            scale = math.sqrt(self.m / self.n)
            lo = estimate + scale * (q_lo - self.base[name])
            hi = estimate + scale * (q_hi - self.base[name])
        ci: dict[str, Any] = {"lower": rnd(lo), "upper": rnd(hi), "level": LEVEL,
                              "method": "bootstrap percentile (rows resampled)", "n_boot": self.boots,
                              "seed": self.seed, "degenerate_resamples": int(len(samples) - len(finite))}
        if self.m < self.n:
            ci.update(how="sampled", sample_rows=self.m, method=(
                f"m-out-of-n bootstrap percentile: {self.m} of {self.n} rows drawn without replacement "
                "(seed), resampled, interval centred on the full-data value and scaled by sqrt(m/n)"))
        return ci


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
        probabilities = not np.any((s < 0) | (s > 1))
        if not probabilities:
            out["problems"].append("score has values outside [0, 1]: the Brier score needs probabilities")
        frame = _Resampling(y, s, seed, boots, one_class, probabilities)
        if not one_class:
            auc, ks = _Ranked(y, s).auc_ks()
            ci_auc = frame.interval("auc", auc)
            gini_ci = dict(ci_auc, lower=None if ci_auc["lower"] is None else rnd(2 * ci_auc["lower"] - 1),
                           upper=None if ci_auc["upper"] is None else rnd(2 * ci_auc["upper"] - 1))
            out["metrics"].append(_entry("auc", auc, ci_auc, formula="Mann-Whitney U / (n_pos * n_neg), ties count 1/2"))
            out["metrics"].append(_entry("gini", 2 * auc - 1, gini_ci, formula="2 * AUC - 1"))
            out["metrics"].append(_entry("ks", ks, frame.interval("ks", ks),
                                         formula="max over thresholds |F_pos(t) - F_neg(t)|"))
        if probabilities:
            brier = float(((s - y) ** 2).mean())
            out["metrics"].append(_entry("brier", brier, frame.interval("brier", brier),
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
            finite = f1s[np.isfinite(f1s)]
            lo, hi = np.percentile(finite, [2.5, 97.5]) if len(finite) else (math.nan, math.nan)
            ci = {"lower": rnd(lo), "upper": rnd(hi), "level": LEVEL, "n_boot": boots, "seed": seed,
                  "degenerate_resamples": int(len(f1s) - len(finite))}
            ci["method"] = "bootstrap percentile (multinomial over the confusion cells, equivalent to resampling rows)"
            out["metrics"].append(_entry("f1", 2 * tp / (2 * tp + fp + fn), ci, formula="2TP / (2TP + FP + FN)"))
    return out
