"""Distribution drift of each feature between a reference sample (training data) and a current one.

Numeric features: two-sample Kolmogorov-Smirnov test, Wasserstein-1 distance and PSI over the
reference deciles. Categorical features: chi-square test of homogeneity on the 2 x k table of
counts, PSI over the categories, Cramer's V as effect size. p-values are corrected across the
features of one comparison with Benjamini-Hochberg (false discovery rate). Missing values are
counted and left out of the tests. The packs, not this module, decide what is drift.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mlcompliance.probes.stats.metrics import rnd

PSI_BINS = 10          # reference deciles
PSI_EPSILON = 1e-4     # floor on a bin's share, so an empty bin gives a large finite PSI, not infinity


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index sum((a - e) * ln(a / e)) of two share vectors, shares floored at epsilon."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), PSI_EPSILON)
    a = np.maximum(np.asarray(actual, dtype=np.float64), PSI_EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def decile_edges(reference: np.ndarray) -> np.ndarray:
    """Inner bin edges: the distinct reference quantiles at 10 %, ..., 90 % (linear interpolation,
    numpy's default), read off the sorted reference."""
    x = np.sort(reference)
    h = (len(x) - 1) * np.arange(1, PSI_BINS) / PSI_BINS
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, len(x) - 1)
    return np.unique(x[lo] + (h - lo) * (x[hi] - x[lo]))


def _shares(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of the right-closed bins (-inf, e1], (e1, e2], ..., (e_k, inf) of sorted values."""
    cuts = np.searchsorted(sorted_values, edges, side="right")
    counts = np.diff(np.concatenate([[0], cuts, [len(sorted_values)]]))
    return counts / len(sorted_values)


def is_numeric(series: Any) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    return bool(is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype))


EXACT_KS_MAX_N = 10_000   # SciPy's own limit for the exact KS p-value in ks_2samp(method="auto")


def ks_wasserstein(reference: np.ndarray, current: np.ndarray) -> tuple[float, float, float]:
    """(KS statistic D, two-sided p-value, Wasserstein-1 distance) from one merge of the two samples,
    each given sorted.

    Equal to scipy.stats.ks_2samp(method="auto") and scipy.stats.wasserstein_distance (tests check
    it); above 10 000 rows a side SciPy's asymptotic p-value is used, kstwo.sf(D, round(n1*n2/(n1+n2))),
    so one sort replaces the three that calling both SciPy functions costs on large files. The
    p-value is the only use of ``scipy.stats`` in the drift probe (imported here, ~1 s)."""
    n1, n2 = len(reference), len(current)
    values = np.concatenate([reference, current])     # both sorted by the caller
    order = np.argsort(values, kind="stable")     # two sorted runs: timsort merges them in linear time
    values = values[order]
    from_ref = order < n1
    last = np.append(values[1:] != values[:-1], True)        # last row of each run of equal values
    below_ref = np.cumsum(from_ref)[last]
    cdf1 = below_ref / n1
    cdf2 = (np.flatnonzero(last) + 1 - below_ref) / n2
    gaps = np.abs(cdf1 - cdf2)
    d = float(gaps.max())
    w = float(np.sum(gaps[:-1] * np.diff(values[last])))
    from scipy import stats
    if max(n1, n2) <= EXACT_KS_MAX_N:
        p = float(stats.ks_2samp(reference, current, method="auto").pvalue)
    else:
        p = float(stats.kstwo.sf(d, np.round(n1 * n2 / (n1 + n2))))
    return d, min(max(p, 0.0), 1.0), w


def numeric_drift(reference: np.ndarray, current: np.ndarray) -> dict[str, Any]:
    reference, current = np.sort(reference), np.sort(current)
    d, p, w = ks_wasserstein(reference, current)
    shares_ref = _shares(reference, edges := decile_edges(reference))
    shares_cur = _shares(current, edges)
    sd = float(np.std(reference, ddof=1)) if len(reference) > 1 else 0.0
    return {
        "kind": "numeric", "test": "ks_2samp", "statistic": rnd(d), "p_value": rnd(p),
        "psi": rnd(psi(shares_ref, shares_cur)), "psi_bins": len(edges) + 1,
        "wasserstein": rnd(w), "wasserstein_per_sd": rnd(w / sd) if sd > 0 else None,
        "effect_size": {"name": "ks_d", "value": rnd(d)},
        "mean_reference": rnd(float(np.mean(reference))), "mean_current": rnd(float(np.mean(current))),
    }


def categorical_drift(reference: Any, current: Any) -> dict[str, Any]:
    from mlcompliance.probes.stats.significance import chi2_independence
    ref_counts = reference.astype(str).value_counts()
    cur_counts = current.astype(str).value_counts()
    categories = sorted(set(ref_counts.index) | set(cur_counts.index))
    r = np.array([int(ref_counts.get(c, 0)) for c in categories], dtype=np.float64)
    c = np.array([int(cur_counts.get(k, 0)) for k in categories], dtype=np.float64)
    entry: dict[str, Any] = {"kind": "categorical", "test": "chi2_contingency", "categories": len(categories),
                             "psi": rnd(psi(r / r.sum(), c / c.sum()))}
    if len(categories) < 2:
        entry.update(statistic=0.0, p_value=1.0, effect_size={"name": "cramers_v", "value": 0.0},
                     note="a single category on both sides: nothing can differ")
        return entry
    chi2, p, dof, expected = chi2_independence(np.vstack([r, c]))
    total = r.sum() + c.sum()
    entry.update(statistic=rnd(chi2), p_value=rnd(p), dof=int(dof),
                 effect_size={"name": "cramers_v", "value": rnd(float(np.sqrt(chi2 / total)))},
                 min_expected=rnd(float(expected.min())))
    if expected.min() < 5:
        entry["note"] = "some expected counts are below 5: the chi-square approximation is rough"
    return entry


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """BH-adjusted p-values (step-up, monotone, capped at 1), in the input order."""
    if not p_values:
        return []
    from mlcompliance.probes.stats.significance import benjamini_hochberg as bh
    return bh(p_values)


def drift(reference: Any, current: Any, features: list[str] | None = None) -> dict[str, Any]:
    """Per-feature drift between two DataFrames over ``features`` (default: the shared columns)."""
    names = features if features is not None else [c for c in reference.columns if c in set(current.columns)]
    rows: list[dict[str, Any]] = []
    for name in names:
        row: dict[str, Any] = {"feature": str(name)}
        if name not in reference.columns or name not in current.columns:
            side = "reference" if name not in reference.columns else "current"
            row.update(status="error", problem=f"column '{name}' is missing from the {side} data")
            rows.append(row)
            continue
        ref, cur = reference[name], current[name]
        row.update(n_reference=int(ref.notna().sum()), n_current=int(cur.notna().sum()),
                   missing_share_reference=rnd(float(ref.isna().mean())) if len(ref) else None,
                   missing_share_current=rnd(float(cur.isna().mean())) if len(cur) else None)
        if row["n_reference"] == 0 or row["n_current"] == 0:
            row.update(status="error", problem="no non-missing values on the "
                       + ("reference" if row["n_reference"] == 0 else "current") + " side")
            rows.append(row)
            continue
        if is_numeric(ref) and is_numeric(cur):
            row.update(numeric_drift(ref.dropna().to_numpy(dtype=np.float64), cur.dropna().to_numpy(dtype=np.float64)))
        else:
            row.update(categorical_drift(ref.dropna(), cur.dropna()))
        row["status"] = "ok"
        rows.append(row)
    tested = [r for r in rows if r["status"] == "ok"]
    for r, adjusted in zip(tested, benjamini_hochberg([r["p_value"] for r in tested])):
        r["p_adjusted"] = rnd(adjusted)
    return {"features": rows, "correction": "benjamini-hochberg", "tested": len(tested)}
