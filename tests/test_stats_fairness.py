"""probes.stats.fairness: planted bias and the real Titanic file, with exact rates, gaps and tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlcompliance.probes.stats.fairness import (
    computed_metrics,
    group_fairness,
    independence_test,
)

EXACT = dict(rel=1e-11, abs=1e-12)
TITANIC = Path(__file__).parent / "data" / "croissant-titanic" / "titanic.csv"   # the real Croissant example


def planted(n: int = 3000, seed: int = 1607) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Group B is selected less (and less often when qualified); group C has 26 rows: too small to judge."""
    rng = np.random.default_rng(seed)
    g = pd.Series(rng.choice(["A", "B", "C"], n, p=[0.6, 0.39, 0.01]))
    y = rng.random(n) < 0.5
    p_sel = np.where(y, np.where(g == "B", 0.55, 0.8), np.where(g == "B", 0.1, 0.2))
    return g, rng.random(n) < p_sel, y


def test_planted_bias_has_these_exact_values():
    g, pred, y = planted()
    f = group_fairness(g, pred, y)
    a, b, c = f["groups"]
    assert (a["n"], a["selected"], a["tp"], a["positives"], a["fp"], a["negatives"]) == (1802, 882, 700, 883, 182, 919)
    assert (b["n"], b["selected"], b["tp"], b["positives"], b["fp"], b["negatives"]) == (1172, 367, 311, 590, 56, 582)
    assert (c["n"], c["too_small"], f["groups_judged"]) == (26, True, 2)
    assert f["status"] == "ok" and (f["lowest_selection_group"], f["highest_selection_group"]) == ("B", "A")
    assert f["disparate_impact_ratio"] == pytest.approx((367 / 1172) / (882 / 1802), **EXACT)
    assert f["demographic_parity_difference"] == pytest.approx(882 / 1802 - 367 / 1172, **EXACT)
    assert f["equal_opportunity_difference"] == pytest.approx(700 / 883 - 311 / 590, **EXACT)
    assert f["false_positive_rate_difference"] == pytest.approx(182 / 919 - 56 / 582, **EXACT)
    assert f["equalised_odds_difference"] == pytest.approx(0.265633337812, **EXACT)
    chi2, p, _, _ = stats.chi2_contingency([[882, 1802 - 882], [367, 1172 - 367]], correction=False)
    assert f["selection_test"] == {"test": "chi2_contingency", "statistic": pytest.approx(chi2, **EXACT), "dof": 1,
                                   "p_value": pytest.approx(p, rel=1e-11), "min_expected": pytest.approx(492.208473436)}
    assert f["selection_test"]["p_value"] == pytest.approx(1.73498973498e-21, rel=1e-11)
    assert f["tpr_test"]["p_value"] == pytest.approx(4.92926022951e-27, rel=1e-11)
    assert [m["name"] for m in computed_metrics("group", f)] == [
        "disparate_impact_ratio", "demographic_parity_difference", "equal_opportunity_difference",
        "equalised_odds_difference"]


def test_titanic_survival_rate_by_sex():
    """The real Croissant example: `survived` as the outcome, `sex` as the attribute (1 309 passengers)."""
    t = pd.read_csv(TITANIC, na_values="?")
    f = group_fairness(t["sex"], t["survived"].to_numpy() == 1, None)
    female, male = f["groups"]
    assert (female["group"], female["n"], female["selected"]) == ("female", 466, 339)
    assert (male["group"], male["n"], male["selected"]) == ("male", 843, 161)
    assert female["selection_rate"] == pytest.approx(339 / 466, **EXACT) == pytest.approx(0.727467811159, **EXACT)
    assert male["selection_rate"] == pytest.approx(161 / 843, **EXACT) == pytest.approx(0.190984578885, **EXACT)
    assert f["disparate_impact_ratio"] == pytest.approx(0.262533373924, **EXACT)
    assert f["demographic_parity_difference"] == pytest.approx(0.536483232274, **EXACT)
    assert f["selection_test"]["statistic"] == pytest.approx(365.886947811, **EXACT)
    assert f["selection_test"]["p_value"] == pytest.approx(1.47145310169e-81, rel=1e-11)
    assert "equal_opportunity_difference" not in f    # no labels given: only selection is judged


def test_titanic_by_class_leaves_a_group_below_the_minimum_unjudged():
    t = pd.read_csv(TITANIC, na_values="?")
    f = group_fairness(t["pclass"], t["survived"].to_numpy() == 1, None, min_group_size=300)
    assert [(g["group"], g["n"], g["too_small"]) for g in f["groups"]] == [
        ("1", 323, False), ("2", 277, True), ("3", 709, False)]
    assert f["disparate_impact_ratio"] == pytest.approx((181 / 709) / (200 / 323), **EXACT)


def test_fisher_exact_when_an_expected_cell_is_below_five():
    table = np.array([[7, 3], [2, 8]])
    got = independence_test(table, ["x", "y"])
    res = stats.fisher_exact(table)
    assert got["test"] == "fisher_exact" and got["p_value"] == pytest.approx(res.pvalue, **EXACT)
    three = independence_test(np.array([[7, 3], [2, 8], [40, 40]]), ["x", "y", "z"])
    assert three["groups_compared"] == ["x", "y"]
    assert three["p_value"] == pytest.approx(res.pvalue, **EXACT)
    assert independence_test(np.array([[0, 10], [0, 12]]), ["x", "y"])["test"] == "none"


@pytest.mark.parametrize("sizes", [(40, 1), (40, 0), (1, 1)])
def test_groups_too_small_to_judge_are_recorded_never_passed(sizes):
    g = pd.Series(["F"] * sizes[0] + ["M"] * sizes[1])
    pred = np.arange(len(g)) % 2 == 0
    f = group_fairness(g, pred, None)
    assert f["status"] == "insufficient" and "disparate_impact_ratio" not in f
    assert f["problem"].startswith("fewer than two groups with at least 30 rows")
    assert computed_metrics("sex", f) == []


def test_missing_attribute_values_are_counted_not_grouped():
    g = pd.Series(["F"] * 30 + [None] * 5 + ["M"] * 30)
    f = group_fairness(g, np.ones(65, dtype=bool), None)
    assert f["missing"] == 5 and [x["n"] for x in f["groups"]] == [30, 30]
    assert f["disparate_impact_ratio"] == 1.0 and f["selection_test"]["test"] == "none"
