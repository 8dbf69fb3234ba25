"""Chi-square test of independence and Benjamini-Hochberg correction without ``scipy.stats``.

``scipy.stats`` costs about a second to import (docs/data-statistics.md, benchmarks/README.md);
these two are the same arithmetic as ``scipy.stats.chi2_contingency(table, correction=False)``
and ``scipy.stats.false_discovery_control(p, method="bh")`` (SciPy 1.17: same operations in the
same order, so the same floats; tests compare them with SciPy), with the chi-square tail from
``scipy.special.chdtrc``, the function SciPy itself calls. Only the exact KS p-value and Fisher's
exact test still import ``scipy.stats``.
"""
from __future__ import annotations

import numpy as np


def chi2_independence(table: np.ndarray) -> tuple[float, float, int, np.ndarray]:
    """(statistic, p-value, degrees of freedom, expected counts) of a two-way table of counts, no
    continuity correction. Raises ValueError, as SciPy does, when an expected count is zero."""
    observed = np.asarray(table)
    counts = np.asarray(observed, dtype=np.float64)
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / counts.sum()
    if np.any(expected == 0):
        raise ValueError("the table of expected counts has a zero element")
    dof = expected.size - sum(expected.shape) + expected.ndim - 1
    if dof == 0:
        return 0.0, 1.0, 0, expected
    from scipy.special import chdtrc
    statistic = float(np.sum((counts - expected) ** 2 / expected))
    return statistic, float(chdtrc(float(dof), statistic)), int(dof), expected


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """BH-adjusted p-values (step-up, monotone, capped at 1), in the input order."""
    ps = np.asarray(p_values, dtype=np.float64)
    if ps.size <= 1:
        return [float(x) for x in ps]
    m = ps.shape[-1]
    order = np.argsort(ps, kind="stable")
    ranked = ps[order] * (m / np.arange(1, m + 1, dtype=np.float64))
    np.minimum.accumulate(ranked[::-1], out=ranked[::-1])
    out = np.empty_like(ranked)
    out[order] = ranked
    return [float(x) for x in np.clip(out, 0.0, 1.0)]
