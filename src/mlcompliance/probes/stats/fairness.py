"""Group fairness of binary decisions: rates per group, gaps between groups, and their significance.

For one protected attribute: per group its size, selection rate P(pred = 1), true-positive rate
P(pred = 1 | y = 1) and false-positive rate P(pred = 1 | y = 0); across the groups large enough
to judge (``min_group_size``): disparate-impact ratio (lowest / highest selection rate),
demographic-parity difference (highest - lowest selection rate), equal-opportunity difference
(TPR gap), equalised-odds difference (the larger of the TPR and FPR gaps). Each gap comes with a
test of independence between group and decision: chi-square, or Fisher's exact test when an
expected cell is below 5. Smaller groups are listed as too small, never judged.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mlcompliance.probes.stats.metrics import rnd

MIN_GROUP_SIZE = 30
NAMES = {   # canonical metric -> names a model card may use for it
    "disparate_impact_ratio": ["disparate_impact_ratio", "disparate_impact", "di_ratio", "adverse_impact_ratio"],
    "demographic_parity_difference": ["demographic_parity_difference", "demographic_parity_diff",
                                      "statistical_parity_difference"],
    "equal_opportunity_difference": ["equal_opportunity_difference", "equal_opportunity_diff",
                                     "true_positive_rate_difference", "tpr_difference", "tpr_gap", "sensitivity_gap"],
    "equalised_odds_difference": ["equalised_odds_difference", "equalized_odds_difference",
                                  "equalised_odds_diff", "equalized_odds_diff"],
}


def independence_test(table: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """Group x outcome test on a k x 2 table of counts (rows: groups; columns: 1, 0). The chi-square
    test needs only ``scipy.special``; ``scipy.stats`` is imported for Fisher's exact test alone."""
    from mlcompliance.probes.stats.significance import chi2_independence
    table = np.asarray(table, dtype=np.int64)
    if table.shape[0] < 2 or (table.sum(axis=0) == 0).any():
        return {"test": "none", "p_value": None, "reason": "no variation in the outcome across these rows"}
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if expected.min() >= 5:
        chi2, p, dof, _ = chi2_independence(table)
        return {"test": "chi2_contingency", "statistic": rnd(chi2), "dof": int(dof), "p_value": rnd(p),
                "min_expected": rnd(float(expected.min()))}
    rates = table[:, 0] / table.sum(axis=1)
    lo, hi = int(np.argmin(rates)), int(np.argmax(rates))
    if lo == hi:
        return {"test": "none", "p_value": None, "reason": "equal rates in every group"}
    pair = table[[hi, lo]]
    from scipy import stats
    res = stats.fisher_exact(pair)
    entry = {"test": "fisher_exact", "statistic": rnd(float(res.statistic)), "p_value": rnd(float(res.pvalue)),
             "min_expected": rnd(float(expected.min()))}
    if table.shape[0] > 2:
        entry["groups_compared"] = [labels[hi], labels[lo]]
        entry["note"] = "expected cell below 5: Fisher's exact test between the highest- and lowest-rate groups"
    return entry


def _gap(values: dict[str, float | None]) -> tuple[float | None, str | None, str | None]:
    known = {g: v for g, v in values.items() if v is not None}
    if len(known) < 2:
        return (None, None, None)
    hi = max(sorted(known), key=lambda g: known[g])
    lo = min(sorted(known), key=lambda g: known[g])
    return (known[hi] - known[lo], hi, lo)


def group_fairness(groups: Any, y_pred: np.ndarray, y_true: np.ndarray | None,
                   min_group_size: int = MIN_GROUP_SIZE) -> dict[str, Any]:
    """Fairness facts of boolean decisions ``y_pred`` (and labels ``y_true``) across ``groups`` (a Series)."""
    import pandas as pd
    pred = np.asarray(y_pred, dtype=bool)
    truth = None if y_true is None else np.asarray(y_true, dtype=bool)
    codes, uniques = pd.factorize(groups, use_na_sentinel=True)      # missing -> -1
    labels = [str(u) for u in uniques]
    if len(set(labels)) < len(labels):       # e.g. 1 and "1": group by their text, as reported
        codes, uniques = pd.factorize(groups.astype(str).where(groups.notna()), use_na_sentinel=True)
        labels = [str(u) for u in uniques]
    valid = codes >= 0
    out: dict[str, Any] = {"min_group_size": min_group_size, "missing": int((~valid).sum()), "groups": []}
    k = len(labels)

    def per_group(mask: np.ndarray | None = None) -> np.ndarray:
        keep = valid if mask is None else valid & mask
        return np.bincount(codes[keep], minlength=k).astype(np.int64)
    sizes, chosen = per_group(), per_group(pred)
    if truth is not None:
        positives, tps, fps = per_group(truth), per_group(pred & truth), per_group(pred & ~truth)
    counts: dict[str, np.ndarray] = {}
    for j in sorted(range(k), key=lambda j: labels[j]):
        label, n, sel = labels[j], int(sizes[j]), int(chosen[j])
        g: dict[str, Any] = {"group": label, "n": n, "selected": sel, "selection_rate": rnd(sel / n),
                             "too_small": n < min_group_size}
        row = [sel, n - sel]
        if truth is not None:
            pos, tp, fp = int(positives[j]), int(tps[j]), int(fps[j])
            neg = n - pos
            g.update(positives=pos, negatives=neg, tp=tp, fp=fp,
                     tpr=rnd(tp / pos) if pos else None, fpr=rnd(fp / neg) if neg else None)
            row += [tp, pos - tp, fp, neg - fp]
        out["groups"].append(g)
        if not g["too_small"]:
            counts[label] = np.array(row)
    judged = [g for g in out["groups"] if not g["too_small"]]
    out["groups_judged"] = len(judged)
    if len(judged) < 2:
        sizes = ", ".join(f"{g['group']}: {g['n']}" for g in out["groups"]) or "no group at all"
        out.update(status="insufficient",
                   problem=f"fewer than two groups with at least {min_group_size} rows ({sizes}): fairness cannot be judged")
        return out
    labels = sorted(counts)
    rates = {g["group"]: g["selected"] / g["n"] for g in judged}
    hi_rate, lo_rate = max(rates.values()), min(rates.values())
    dpd, hi, lo = _gap(rates)
    out.update(status="ok", highest_selection_group=hi, lowest_selection_group=lo)
    out["disparate_impact_ratio"] = rnd(lo_rate / hi_rate) if hi_rate > 0 else None
    if hi_rate == 0:
        out["note"] = "no group is ever selected: the disparate-impact ratio is undefined"
    out["demographic_parity_difference"] = rnd(dpd)
    table = np.array([counts[k] for k in labels])
    out["selection_test"] = independence_test(table[:, 0:2], labels)
    if truth is not None:
        eod, *_ = _gap({g["group"]: g["tp"] / g["positives"] if g["positives"] else None for g in judged})
        fpd, *_ = _gap({g["group"]: g["fp"] / g["negatives"] if g["negatives"] else None for g in judged})
        out["equal_opportunity_difference"] = rnd(eod)
        out["false_positive_rate_difference"] = rnd(fpd)
        out["equalised_odds_difference"] = rnd(max(eod, fpd)) if eod is not None and fpd is not None else None
        out["tpr_test"] = independence_test(table[:, 2:4], labels)
        out["fpr_test"] = independence_test(table[:, 4:6], labels)
    return out


def computed_metrics(attribute: str, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The fairness metrics of one attribute as records a declared metric can be matched with."""
    found = []
    for name in NAMES:
        value = facts.get(name)
        if value is not None:
            found.append({"name": name, "names": NAMES[name], "attribute": attribute, "value": value})
    return found
