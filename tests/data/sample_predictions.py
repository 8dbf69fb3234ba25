"""Deterministic generator of the synthetic predictions files the sample projects ship.

Three samples declare fairness (and performance) figures in their model cards; since
eu-trustworthy-ai 1.1.0 those must be recomputable from a predictions file. This script builds,
for each, one row per evaluated case whose counts reproduce what the card declares: per group and
label it fixes how many rows the model flags (so rates and gaps come out at the declared values),
and gives each row a score drawn as an evenly spaced quantile of a binormal score distribution,
truncated on the flagged or unflagged side of the operating point (so AUC, sensitivity and
specificity match too). No randomness but a seeded row shuffle; no real person: ids are synthetic.

    python tests/data/sample_predictions.py [OUT_ROOT]     # default: sample_projects/

writes OUT_ROOT/<sample>/data/<file>. tests/test_sample_predictions.py re-runs it and compares bytes.
"""
from __future__ import annotations

import csv
import io
import math
import random
import sys
from pathlib import Path
from statistics import NormalDist

N01 = NormalDist()
FILES = {
    "xray-anomaly": "data/cxr_test_predictions_3.1.0.csv",
    "credit-scoring": "data/upl_oot_sample_predictions_5.0.0.csv",
    "support-chatbot": "data/eval_2026-06-05_graded_answers.csv",
}


def allocate(total: int, weights: list[float]) -> list[int]:
    """Integers summing to ``total`` in proportion to ``weights`` (largest remainder, ties by position)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def latent(n: int, flagged: int, mu: float, cut: float) -> list[float]:
    """``n`` evenly spaced quantiles of N(mu, 1): ``flagged`` of them at or above ``cut``, the rest below."""
    below = N01.cdf(cut - mu)
    up = [mu + N01.inv_cdf(below + (1 - below) * (i + 0.5) / flagged) for i in range(flagged)]
    down = [mu + N01.inv_cdf(below * (i + 0.5) / (n - flagged)) for i in range(n - flagged)]
    return up + down


def write(rows: list[dict], columns: list[str], seed: int, prefix: str) -> str:
    """CSV text of ``rows`` shuffled with ``seed``, with a synthetic sequential id first."""
    random.Random(seed).shuffle(rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for i, row in enumerate(rows, 1):
        w.writerow([f"{prefix}{i:06d}"] + [row[c] for c in columns[1:]])
    return buf.getvalue()


def score_text(value: float, flagged: bool, cut: float = 0.5) -> str:
    """Score with 4 decimals that stays on its side of the cut-off after rounding."""
    v = round(value, 4)
    v = max(v, cut) if flagged else min(v, cut - 0.0001)
    return f"{v:.4f}"


def xray() -> str:
    """cxr-test (6,140 studies): any-abnormal flag of CXR Assist 3.1.0 at its fixed operating point.
    Card: sensitivity 0.912, specificity 0.803, AUROC 0.941; sensitivity gap 0.011 (sex), 0.024 (age band)."""
    n_total, cut, mu_pos = 6140, N01.inv_cdf(0.803), N01.inv_cdf(0.803) + N01.inv_cdf(0.912)
    # age band: share, prevalence, sensitivity, shift of the abnormal scores (AUROC 0.927 at 65+)
    ages = {"18-39": (0.19, 0.36, 0.9245, 0.35), "40-64": (0.38, 0.40, 0.9165, 0.35), "65+": (0.43, 0.44, 0.9005, -0.3)}
    sexes = {"F": (0.47, 1.006, 0.05), "M": (0.53, 0.994, -0.05)}   # share, sensitivity factor, shift
    rows = []
    for (age, (share, prevalence, tpr, shift)), n_age in zip(ages.items(),
                                                             allocate(n_total, [a[0] for a in ages.values()])):
        pos = round(n_age * prevalence)
        tp, fp = round(pos * tpr), round((n_age - pos) * 0.197)
        n_s = allocate(n_age, [s[0] for s in sexes.values()])
        pos_s = allocate(pos, [s[0] for s in sexes.values()])
        tp_s = allocate(tp, [p * s[1] for p, s in zip(pos_s, sexes.values())])
        fp_s = allocate(fp, [n - p for n, p in zip(n_s, pos_s)])
        for (sex, (_, _, nudge)), n, p, t, f in zip(sexes.items(), n_s, pos_s, tp_s, fp_s):
            for label, count, flagged, mu in ((1, p, t, mu_pos + shift + nudge), (0, n - p, f, 0.0)):
                for k, z in enumerate(latent(count, flagged, mu, cut)):
                    rows.append({"sex": sex, "age_band": age, "any_abnormal": label, "flagged": int(k < flagged),
                                 "abnormality_score": score_text(N01.cdf(z - cut), k < flagged)})
    return write(rows, ["study_key", "sex", "age_band", "any_abnormal", "abnormality_score", "flagged"],
                 20260324, "CXR-T-")


def credit() -> str:
    """A 6,000-application stratified sample of upl-applications-oot scored by UPL-PD 5.0.0.
    Card: AUC 0.821 (Gini 0.642), Brier 0.0297, predicted/observed 1.04; decline-rate ratio 0.86 (age band),
    0.95 (sex); equal-opportunity difference 0.031 (age band). Positive = default; flagged = declined."""
    n_total, cut, d = 6000, N01.inv_cdf(0.81), math.sqrt(2) * N01.inv_cdf(0.821)
    # age band: share, 12-month default rate, share of defaulters declined, decline rate
    ages = {"18-25": (0.15, 0.050, 0.645, 0.230), "26-40": (0.42, 0.035, 0.66, 0.205),
            "41-60": (0.34, 0.028, 0.65, 0.198), "61+": (0.09, 0.030, 0.625, 0.225)}
    subs = [(s, dis, ws * wd, f) for s, ws, f in (("F", 0.48, 0.975), ("M", 0.52, 1.025))
            for dis, wd in (("Y", 0.08), ("N", 0.92))]
    cells = []
    for (age, (share, rate, tpr, decline)), n_age in zip(ages.items(), allocate(n_total, [a[0] for a in ages.values()])):
        pos = round(n_age * rate)
        tp = round(pos * tpr)
        fp = round(n_age * decline) - tp
        n_s = allocate(n_age, [w for *_, w, _ in subs])
        pos_s = allocate(pos, [w for *_, w, _ in subs])
        tp_s = allocate(tp, pos_s)
        fp_s = allocate(fp, [(n - p) * f for n, p, (*_, f) in zip(n_s, pos_s, subs)])
        for (sex, dis, _, _), n, p, t, f in zip(subs, n_s, pos_s, tp_s, fp_s):
            for label, count, flagged, mu in ((1, p, t, d), (0, n - p, f, 0.0)):
                cells += [(age, sex, dis, label, k < flagged, z) for k, z in enumerate(latent(count, flagged, mu, cut))]
    defaults = sum(c[3] for c in cells)
    target = 1.04 * defaults / len(cells)       # mean PD 4 % above the observed default rate

    def mean_pd(c: float) -> float:
        return sum(1 / (1 + math.exp(-(c + d * z))) for *_, z in cells) / len(cells)
    lo, hi = -12.0, 0.0
    for _ in range(60):                          # bisection: deterministic
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean_pd(mid) < target else (lo, mid)
    c = (lo + hi) / 2
    cut_pd = round(1 / (1 + math.exp(-(c + d * cut))), 4) + 0.0001     # the decline cut-off on pd_12m
    rows = [{"age_band": a, "sex": s, "disability_indicator": dis, "default_12m": y, "declined": int(f),
             "pd_12m": score_text(1 / (1 + math.exp(-(c + d * z))), f, cut_pd)}
            for a, s, dis, y, f, z in cells]
    return write(rows, ["application_id", "age_band", "sex", "disability_indicator", "default_12m", "pd_12m",
                        "declined"], 20250902, "APP-S-")


def chatbot() -> str:
    """Run eval-2026-06-05: 80 graded paraphrases of each of the 30 frozen questions (2,400 answers).
    A row is correct when the assistant did what the question expects (answer, handover, refusal).
    Card: answer correctness 0.91 overall, 0.86 in Turkish; correctness ratio 0.94 across languages."""
    questions = {"de": 17, "en": 9, "tr": 2, "bcs": 2}
    correct = {"de": 0.92, "en": 0.915, "tr": 0.865, "bcs": 0.90}
    rows = []
    for lang, q in questions.items():
        n = q * 80
        ok = round(n * correct[lang])
        rows += [{"language": lang, "reference_exists": 1, "correct": int(k < ok)} for k in range(n)]
    return write(rows, ["answer_id", "language", "reference_exists", "correct"], 20260605, "ANS-0605-")


GENERATORS = {"xray-anomaly": xray, "credit-scoring": credit, "support-chatbot": chatbot}


def main(out_root: Path) -> None:
    for sample, build in GENERATORS.items():
        target = out_root / sample / FILES[sample]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(build().encode())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "sample_projects")
