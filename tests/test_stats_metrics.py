"""probes.stats.metrics: every metric checked against SciPy or a textbook value, on fixed-seed data."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlcompliance.probes.stats.metrics import binary_metrics, n_boot_for, wilson

EXACT = dict(rel=1e-11, abs=1e-12)


def planted(n: int = 1000, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Labels with 40 % positives and a score that separates them (rounded to 3 decimals: ties)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.4
    s = np.round(np.clip(rng.normal(0.35 + 0.3 * y, 0.18), 0, 1), 3)
    return y, s


def by_name(result: dict) -> dict:
    return {m["name"]: m for m in result["metrics"]}


def test_planted_scores_give_these_exact_metrics_and_intervals():
    y, s = planted()
    result = binary_metrics(y, s >= 0.5, s, seed=7, n_boot=500)
    m = by_name(result)
    assert (result["n"], result["positives"], result["negatives"]) == (1000, 402, 598)
    assert result["confusion"] == {"tp": 306, "fp": 121, "fn": 96, "tn": 477}
    assert m["auc"]["value"] == pytest.approx(0.857453950981, **EXACT)
    assert (m["auc"]["ci"]["lower"], m["auc"]["ci"]["upper"]) == pytest.approx((0.834136879984, 0.87963935452), **EXACT)
    assert m["gini"]["value"] == pytest.approx(0.714907901962, **EXACT)
    assert m["ks"]["value"] == pytest.approx(0.569909649079, **EXACT)
    assert m["brier"]["value"] == pytest.approx(0.161394781, **EXACT)
    assert m["accuracy"]["value"] == 0.783
    assert (m["accuracy"]["ci"]["lower"], m["accuracy"]["ci"]["upper"]) == pytest.approx(
        (0.756394856775, 0.807439197922), **EXACT)
    assert m["f1"]["value"] == pytest.approx(2 * 306 / (2 * 306 + 121 + 96), **EXACT)
    assert m["auc"]["ci"] | {"lower": 0, "upper": 0} == {
        "lower": 0, "upper": 0, "level": 0.95, "method": "bootstrap percentile (rows resampled)",
        "n_boot": 500, "seed": 7, "degenerate_resamples": 0}
    assert m["auc"]["names"][:2] == ["auc", "roc_auc"]


def test_auc_equals_mann_whitney_u_and_ks_equals_scipy_two_sample_statistic():
    y, s = planted(3000, seed=3)
    m = by_name(binary_metrics(y, None, s, n_boot=200))
    u = stats.mannwhitneyu(s[y], s[~y]).statistic / (y.sum() * (~y).sum())
    assert m["auc"]["value"] == pytest.approx(u, **EXACT)
    assert m["gini"]["value"] == pytest.approx(2 * u - 1, **EXACT)
    assert m["ks"]["value"] == pytest.approx(stats.ks_2samp(s[y], s[~y]).statistic, **EXACT)
    assert m["brier"]["value"] == pytest.approx(np.mean((s - y) ** 2), **EXACT)


def test_bootstrap_is_the_textbook_row_bootstrap_replicate_for_replicate():
    """The O(n) weighted AUC of each replicate equals Mann-Whitney on the resampled rows."""
    y, s = planted(400, seed=5)
    seed, n_boot = 11, 60
    rng = np.random.default_rng(seed)
    naive = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        yy, ss = y[idx], s[idx]
        naive.append(stats.mannwhitneyu(ss[yy], ss[~yy]).statistic / (yy.sum() * (~yy).sum()))
    ci = by_name(binary_metrics(y, None, s, seed=seed, n_boot=n_boot))["auc"]["ci"]
    assert (ci["lower"], ci["upper"]) == pytest.approx(tuple(np.percentile(naive, [2.5, 97.5])), **EXACT)


def test_same_seed_same_interval_and_the_seed_changes_it():
    y, s = planted(500)
    a, b = binary_metrics(y, s > 0.5, s, seed=1, n_boot=200), binary_metrics(y, s > 0.5, s, seed=1, n_boot=200)
    c = binary_metrics(y, s > 0.5, s, seed=2, n_boot=200)
    assert a == b
    assert by_name(a)["auc"]["ci"] != by_name(c)["auc"]["ci"]


def test_wilson_interval_matches_textbook_values():
    # Brown, Cai & DasGupta (2001); Newcombe (1998) table I: 0/10 -> [0, 0.2775], 5/10 -> [0.2366, 0.7634]
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775328), abs=1e-7)
    assert wilson(5, 10) == pytest.approx((0.2365931, 0.7634069), abs=1e-7)
    assert wilson(81, 263) == pytest.approx((0.2552885, 0.3662096), abs=1e-7)


def test_number_of_resamples_shrinks_with_size_within_bounds():
    assert (n_boot_for(1000), n_boot_for(20_000), n_boot_for(50_000), n_boot_for(1_000_000)) == (1000, 1000, 400, 200)


def test_a_single_class_is_recorded_not_raised_and_auc_is_left_out():
    y = np.zeros(50, dtype=bool)
    s = np.linspace(0, 1, 50)
    result = binary_metrics(y, s > 0.5, s, n_boot=50)
    assert sorted(by_name(result)) == ["accuracy", "brier", "f1"]
    assert result["problems"][0] == "y_true has a single class (all negative, 50 rows): AUC, Gini and KS are undefined"


def test_scores_outside_unit_interval_have_no_brier_score():
    y = np.array([True, False] * 20)
    s = np.arange(40, dtype=float)   # a ranking score, not a probability
    result = binary_metrics(y, None, s, n_boot=50)
    assert "brier" not in by_name(result) and "auc" in by_name(result)
    assert result["problems"] == ["score has values outside [0, 1]: the Brier score needs probabilities"]


def test_no_rows_and_undefined_f1_are_problems():
    assert binary_metrics(np.array([], dtype=bool), None, None)["problems"] == ["no rows with a label"]
    result = binary_metrics(np.zeros(10, dtype=bool), np.zeros(10, dtype=bool), None)
    assert "F1 is undefined: no positive labels and no positive predictions" in result["problems"]
    assert by_name(result)["accuracy"]["value"] == 1.0


def test_large_files_use_a_seeded_m_out_of_n_bootstrap_as_wide_as_the_full_one(monkeypatch):
    from mlcompliance.probes.stats import metrics
    y, s = planted(20_000, seed=8)
    full = by_name(binary_metrics(y, None, s, seed=3, n_boot=300))
    monkeypatch.setattr(metrics, "BOOT_MAX_ROWS", 2_000)
    sampled = binary_metrics(y, None, s, seed=3, n_boot=300)
    assert sampled == binary_metrics(y, None, s, seed=3, n_boot=300)
    part = by_name(sampled)
    for name in ("auc", "ks", "brier"):
        ci, ref = part[name]["ci"], full[name]["ci"]
        assert part[name]["value"] == full[name]["value"]            # the estimate is always on every row
        assert (ci["how"], ci["sample_rows"], ci["seed"], ci["n_boot"]) == ("sampled", 2_000, 3, 300)
        assert ci["lower"] < part[name]["value"] < ci["upper"]
        width, ref_width = ci["upper"] - ci["lower"], ref["upper"] - ref["lower"]
        assert 0.75 < width / ref_width < 1.33, (name, width, ref_width)
    assert "how" not in full["auc"]["ci"]
