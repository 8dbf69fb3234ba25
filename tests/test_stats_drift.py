"""probes.stats.drift: planted drift found with exact values; each statistic checked against SciPy or by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlcompliance.probes.stats.drift import benjamini_hochberg, decile_edges, drift, psi

EXACT = dict(rel=1e-11, abs=1e-12)


def planted(n: int = 4000, seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """income drifts (log-mean +0.3), age does not, the region mix moves from 50/30/20 to 30/30/40."""
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"income": rng.lognormal(10, 0.5, n), "age": rng.normal(40, 10, n).round(),
                        "region": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2])})
    cur = pd.DataFrame({"income": rng.lognormal(10.3, 0.5, n), "age": rng.normal(40, 10, n).round(),
                        "region": rng.choice(["north", "south", "east"], n, p=[0.3, 0.3, 0.4])})
    return ref, cur


def test_planted_drift_has_these_exact_values():
    ref, cur = planted()
    result = drift(ref, cur)
    income, age, region = result["features"]
    assert (result["tested"], result["correction"]) == (3, "benjamini-hochberg")
    assert income["statistic"] == 0.23925 and income["p_value"] == pytest.approx(8.04890937611e-101, rel=1e-11)
    assert income["psi"] == pytest.approx(0.347945359976, **EXACT)
    assert income["wasserstein"] == pytest.approx(8693.47428441, **EXACT)
    assert income["wasserstein_per_sd"] == pytest.approx(0.655730869445, **EXACT)
    assert income["p_adjusted"] == pytest.approx(2.41467281283e-100, rel=1e-11)
    assert age["statistic"] == 0.0125 and age["p_adjusted"] == pytest.approx(0.913528996183, **EXACT)
    assert age["psi"] == pytest.approx(0.00278940414376, **EXACT)
    assert region["kind"] == "categorical" and region["dof"] == 2
    assert region["statistic"] == pytest.approx(393.797690442, **EXACT)
    assert region["psi"] == pytest.approx(0.202235609486, **EXACT)
    assert region["effect_size"] == {"name": "cramers_v", "value": pytest.approx(0.221866426719, **EXACT)}
    assert region["p_adjusted"] == pytest.approx(4.61327439027e-86, rel=1e-11)


def test_each_statistic_equals_scipy_on_the_same_data():
    ref, cur = planted(1500, seed=9)
    income, _, region = drift(ref, cur)["features"]
    ks = stats.ks_2samp(ref["income"], cur["income"])
    assert income["statistic"] == pytest.approx(ks.statistic, **EXACT)
    assert income["p_value"] == pytest.approx(ks.pvalue, rel=1e-11)
    assert income["wasserstein"] == pytest.approx(stats.wasserstein_distance(ref["income"], cur["income"]), **EXACT)
    table = pd.crosstab(np.r_[np.zeros(len(ref)), np.ones(len(cur))], np.r_[ref["region"], cur["region"]])
    chi2, p, _, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert region["statistic"] == pytest.approx(chi2, **EXACT) and region["p_value"] == pytest.approx(p, rel=1e-11)
    assert region["effect_size"]["value"] == pytest.approx(math.sqrt(chi2 / 3000), **EXACT)


def test_psi_by_hand():
    # shares 50/30/20 -> 30/30/40: (0.3-0.5)ln(0.6) + 0 + (0.4-0.2)ln(2)
    assert psi(np.array([0.5, 0.3, 0.2]), np.array([0.3, 0.3, 0.4])) == pytest.approx(
        -0.2 * math.log(0.6) + 0.2 * math.log(2), **EXACT)
    # an empty bin is floored at 1e-4, so PSI stays finite
    assert psi(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == pytest.approx(
        0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5), **EXACT)


def test_numeric_psi_uses_right_closed_bins_over_reference_deciles():
    ref, cur = planted(2000, seed=4)
    edges = decile_edges(ref["income"].to_numpy())
    assert len(edges) == 9
    assert edges == pytest.approx(np.quantile(ref["income"], np.arange(1, 10) / 10), **EXACT)
    bins = [-np.inf, *edges, np.inf]
    e = pd.cut(ref["income"], bins, right=True).value_counts(sort=False, normalize=True).to_numpy()
    a = pd.cut(cur["income"], bins, right=True).value_counts(sort=False, normalize=True).to_numpy()
    assert drift(ref, cur, ["income"])["features"][0]["psi"] == pytest.approx(float(np.sum((a - e) * np.log(a / e))), **EXACT)


def test_benjamini_hochberg_by_hand():
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert adjusted == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5], **EXACT)
    assert benjamini_hochberg([]) == []


def test_bad_columns_are_recorded_not_raised():
    ref = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [None, None, None], "c": ["x", "x", "x"]})
    cur = pd.DataFrame({"a": [1.0, None, 5.0], "b": [1.0, 2.0, 3.0], "c": ["x", "x", "x"]})
    rows = {r["feature"]: r for r in drift(ref, cur, ["a", "b", "c", "d"])["features"]}
    assert rows["a"]["status"] == "ok" and rows["a"]["missing_share_current"] == pytest.approx(1 / 3, **EXACT)
    assert rows["a"]["n_current"] == 2
    assert rows["b"] == {"feature": "b", "n_reference": 0, "n_current": 3, "missing_share_reference": 1.0,
                         "missing_share_current": 0.0, "status": "error",
                         "problem": "no non-missing values on the reference side"}
    assert rows["c"]["p_value"] == 1.0 and rows["c"]["note"] == "a single category on both sides: nothing can differ"
    assert rows["d"] == {"feature": "d", "status": "error", "problem": "column 'd' is missing from the reference data"}
    assert "p_adjusted" not in rows["b"] and "p_adjusted" in rows["c"]


@pytest.mark.parametrize(("n1", "n2"), [(300, 500), (12_000, 15_000)])
def test_one_merge_gives_scipy_ks_and_wasserstein_exactly(n1, n2):
    from mlcompliance.probes.stats.drift import ks_wasserstein
    rng = np.random.default_rng(n1)
    a, b = rng.normal(0, 1, n1).round(2), rng.normal(0.05, 1.1, n2).round(2)   # rounded: ties across samples
    d, p, w = ks_wasserstein(np.sort(a), np.sort(b))
    ks = stats.ks_2samp(a, b, method="auto")
    assert d == pytest.approx(ks.statistic, **EXACT) and p == pytest.approx(ks.pvalue, rel=1e-9)
    assert w == pytest.approx(stats.wasserstein_distance(a, b), **EXACT)
