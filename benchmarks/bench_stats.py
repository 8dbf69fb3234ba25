#!/usr/bin/env python3
"""Benchmark the statistics probe (probes/data/outcomes.py) on 1 000 000 rows.

Generates (seeded) a training table and a production table of --rows rows x 20 columns (14
numeric, 4 categorical, a protected attribute and an age band; production has drift planted in
three features) and a predictions table of --rows rows (label, decision, score, sex, age_band),
then times, in process with time.perf_counter, ``observe_outcomes`` as the data probe calls it:
drift over the 20 features, fairness over 2 protected attributes, and the six metrics with their
intervals (bootstrap: n_boot = 200 at this size, seed recorded). Each part is also timed alone.
With --csv the three tables are written to CSV and ``pandas.read_csv`` of them is timed, to put
the probe's cost next to reading the data (the probe never reads a file twice).

Usage:  python benchmarks/bench_stats.py [--rows 1000000] [--repeats 3] [--csv] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mlcompliance.probes.data.outcomes import observe_outcomes  # noqa: E402
from mlcompliance.probes.stats.drift import drift  # noqa: E402
from mlcompliance.probes.stats.fairness import group_fairness  # noqa: E402
from mlcompliance.probes.stats.metrics import binary_metrics  # noqa: E402


def table(rows: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {f"num_{i:02d}": rng.normal(shift if i < 3 else 0.0, 1.0 + 0.1 * i, rows) for i in range(14)}
    for i in range(4):
        cols[f"cat_{i}"] = rng.choice(["a", "b", "c", "d", "e"], rows, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    cols["sex"] = rng.choice(["F", "M"], rows)
    cols["age_band"] = rng.choice(["18-29", "30-49", "50-64", "65+"], rows, p=[0.2, 0.4, 0.3, 0.1])
    return pd.DataFrame(cols)


def predictions(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows)
    label = (rng.random(rows) < 0.3).astype(np.int8)
    score = np.clip(rng.normal(0.3 + 0.35 * label, 0.2), 0, 1)
    decision = ((score >= 0.5) & (rng.random(rows) < np.where(sex == "M", 0.8, 1.0))).astype(np.int8)
    return pd.DataFrame({"label": label, "decision": decision, "score": score, "sex": sex,
                         "age_band": rng.choice(["18-29", "30-49", "50-64", "65+"], rows)})


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--csv", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    t0 = time.perf_counter()
    frames = {"train": table(args.rows, 1, 0.0), "serving": table(args.rows, 2, 0.5), "preds": predictions(args.rows)}
    gen = time.perf_counter() - t0
    bundle = {
        "model_card": {"fairness": {"protected_attributes": ["sex", "age_band"]}},
        "data_manifest": {"datasets": [
            {"id": "train", "split": "train", "path": "train"},
            {"id": "serving", "split": "production", "path": "serving", "drift_check": True},
            {"id": "preds", "split": "predictions", "path": "preds",
             "predictions": {"y_true": "label", "y_pred": "decision", "score": "score"}}]},
    }
    p = frames["preds"]
    y, pred, score = p["label"].to_numpy() == 1, p["decision"].to_numpy() == 1, p["score"].to_numpy()
    figures: dict[str, float] = {}
    figures["drift (20 features)"], _ = timed(lambda: drift(frames["train"], frames["serving"]), args.repeats)
    figures["fairness (2 attributes)"], _ = timed(
        lambda: [group_fairness(p[a], pred, y) for a in ("sex", "age_band")], args.repeats)
    figures["metrics + intervals"], m = timed(lambda: binary_metrics(y, pred, score), args.repeats)
    figures["observe_outcomes (all)"], facts = timed(
        lambda: observe_outcomes(bundle, lambda d: frames[d["path"]]), args.repeats)
    if args.csv:
        with tempfile.TemporaryDirectory() as tmp:
            paths = {k: Path(tmp) / f"{k}.csv" for k in frames}
            for k, path in paths.items():
                frames[k].to_csv(path, index=False)
            figures["pandas.read_csv (3 files)"], _ = timed(
                lambda: [pd.read_csv(path) for path in paths.values()], args.repeats)
    n_boot = m["metrics"][0]["ci"]["n_boot"]
    print(f"rows per table: {args.rows:,}; generated in {gen:.1f} s; bootstrap n_boot = {n_boot}; "
          f"median of {args.repeats} runs")
    print("| part | seconds |\n|---|---|")
    for name, secs in figures.items():
        print(f"| {name} | {secs:.2f} |")
    drifted = [f["feature"] for f in facts[0]["drift"]["comparisons"][0]["features"]
               if f["psi"] >= 0.1 and f["p_adjusted"] < 0.05]
    print(f"features with PSI >= 0.1 and adjusted p < 0.05: {drifted}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "n_boot": n_boot, "seconds": figures}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
