"""Drift, fairness and performance recomputed from the data the manifest declares.

``observe_outcomes(bundle, load, locate)`` returns the facts for ``/observed/data/outcomes`` and a
location index (facts pointer -> declaring file and line). It reads only what the evidence
declares: a dataset with ``split: predictions`` (columns named in its ``predictions`` mapping; the
protected attributes are the model card's ``fairness.protected_attributes``) and datasets that
declare ``compare_to`` (a dataset id) or ``drift_check: true`` (compared with the first ``train``
dataset). ``load(dataset_mapping)`` returns that dataset's DataFrame; anything it
raises as bad input, and any bad column, is recorded as a problem in the facts (rules fail on
it), never raised. Facts only: the packs decide what a drift or a gap means.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import escape_token

ROOT = "/observed/data/outcomes"
SEED = 20260101          # bootstrap seed, recorded with every interval
MIN_GROUP_SIZE = 30      # groups smaller than this are listed, not judged (docs/data-statistics.md)
PROBE_VERSION = "1"
Locate = Callable[[str], "tuple[str, int] | None"]
HOW = {
    "drift": "per feature of the model card's `features` (else every shared column): two-sample Kolmogorov-Smirnov "
             "(numeric) or chi-square of homogeneity (categorical), Benjamini-Hochberg across features; PSI over "
             "reference deciles (shares floored at 1e-4); Wasserstein-1; effect size KS D or Cramer's V",
    "fairness": "per protected attribute: selection rate, TPR and FPR per group; disparate-impact ratio, "
                "demographic-parity, equal-opportunity and equalised-odds differences over groups of at least "
                "min_group_size rows; chi-square test of independence, Fisher's exact test when an expected cell < 5",
    "metrics": "AUC (Mann-Whitney), Gini = 2*AUC-1, KS = max |F_pos - F_neg|, Brier, accuracy, F1 over every "
               "labelled row; 95 % intervals: Wilson for accuracy, percentile bootstrap (seed, n_boot) for the others",
}
BAD_DATA = (InputError, OSError, ValueError, KeyError, TypeError)


def observe_outcomes(bundle: dict[str, Any], load: Callable[[dict[str, Any]], Any],
                     locate: Locate | None = None, seed: int = SEED,
                     min_group_size: int = MIN_GROUP_SIZE
                     ) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """(facts, location index) for ``/observed/data/outcomes``: a pure function of the bundle and the data."""
    facts, claims = outcome_facts(bundle, load, seed, min_group_size)
    return facts, locate_claims(claims, locate)


def outcome_facts(bundle: dict[str, Any], load: Callable[[dict[str, Any]], Any], seed: int = SEED,
                  min_group_size: int = MIN_GROUP_SIZE) -> tuple[dict[str, Any], dict[str, str]]:
    """(facts, claims): ``claims`` maps each facts pointer to the pointer of the declaration it
    checks (``locate_claims`` turns that into file:line). Both are JSON data, so they can be cached
    (``outcome_cache``) apart from the lines, which change when a file is edited elsewhere."""
    claims: dict[str, str] = {}

    def at(pointer: str, declared: str) -> None:
        claims[pointer] = declared

    card = _mapping(bundle.get("model_card"))
    datasets = [d for d in _mapping(bundle.get("data_manifest")).get("datasets", []) or [] if isinstance(d, dict)]
    frames: dict[int, tuple[Any, str | None]] = {}

    def frame(i: int) -> tuple[Any, str | None]:
        if i not in frames:
            try:
                frames[i] = (load(datasets[i]), None)
            except BAD_DATA as err:
                message = getattr(err, "message", None) or str(err) or type(err).__name__
                frames[i] = (None, f"dataset '{datasets[i].get('id')}' could not be read: {message}")
            if frames[i][0] is None and frames[i][1] is None:
                frames[i] = (None, f"dataset '{datasets[i].get('id')}' has no readable data file")
        return frames[i]

    facts = {"probe": "outcomes", "probe_version": PROBE_VERSION,
             "drift": _drift(card, datasets, frame, at),
             **_predictions(card, datasets, frame, at, seed, min_group_size)}
    return facts, claims


def locate_claims(claims: dict[str, str], locate: Locate | None) -> dict[str, tuple[str, int]]:
    """The location index: each facts pointer -> file and line of its declaration; a section with
    no pointer of its own points where its first located member does."""
    index: dict[str, tuple[str, int]] = {}
    for pointer, declared in claims.items():
        where = locate(declared) if locate else None
        if where:
            index[pointer] = (where[0], int(where[1]))
    for key in ("drift", "fairness", "metrics"):
        if f"{ROOT}/{key}" not in index:
            first = next((p for p in sorted(index) if p.startswith(f"{ROOT}/{key}/")), None)
            if first:
                index[f"{ROOT}/{key}"] = index[first]
    return index


def needs_data(bundle: dict[str, Any]) -> bool:
    """Whether the manifest declares anything ``observe_outcomes`` computes from data (else it reads nothing)."""
    datasets = _mapping(bundle.get("data_manifest")).get("datasets")
    return any(isinstance(d, dict) and (d.get("split") == "predictions" or _drift_declared(d)) for d in datasets or [])


def _drift_declared(dataset: dict[str, Any]) -> bool:
    """Drift is computed for a dataset that names `compare_to` or sets `drift_check: true`
    (`split: reference`/`production` alone mean a role, e.g. a knowledge base, not a sample to compare)."""
    return "compare_to" in dataset or dataset.get("drift_check") is True


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _drift(card: dict[str, Any], datasets: list[dict[str, Any]], frame: Callable, at: Callable) -> dict[str, Any]:
    ids = {d.get("id"): i for i, d in enumerate(datasets)}
    train = next((i for i, d in enumerate(datasets) if d.get("split") == "train"), None)
    features = card.get("features")
    features = [f for f in features if isinstance(f, str)] if isinstance(features, list) else None
    out: dict[str, Any] = {"how": "full", "method": HOW["drift"], "comparisons": []}
    for i, d in enumerate(datasets):
        if not _drift_declared(d):
            continue
        k = len(out["comparisons"])
        base = f"{ROOT}/drift/comparisons/{k}"
        at(base, f"/data_manifest/datasets/{i}")
        target = d.get("compare_to")
        ref_i = ids.get(target) if target is not None else train
        entry: dict[str, Any] = {"dataset": d.get("id"), "compare_to": datasets[ref_i].get("id") if ref_i is not None
                                 else target, "how": "full", "seed": None}
        out["comparisons"].append(entry)
        if ref_i is None:
            entry.update(status="error", problem=f"compare_to '{target}' names no dataset of the manifest"
                         if target is not None else "no compare_to and no dataset with split: train to compare with")
            continue
        (cur, cur_err), (ref, ref_err) = frame(i), frame(ref_i)
        if cur_err or ref_err:
            entry.update(status="error", problem="; ".join(e for e in (ref_err, cur_err) if e))
            continue
        entry.update(n_reference=int(len(ref)), n_current=int(len(cur)))
        from mlcompliance.probes.stats import drift as drift_stats
        result = drift_stats.drift(ref, cur, features)
        entry.update(result, status="ok")
        if not result["features"]:
            entry.update(status="error", problem="no column shared by both datasets to compare")
        for j, _ in enumerate(result["features"]):
            at(f"{base}/features/{j}", f"/data_manifest/datasets/{i}")
    return out


def _predictions(card: dict[str, Any], datasets: list[dict[str, Any]], frame: Callable, at: Callable,
                 seed: int, min_group_size: int) -> dict[str, Any]:
    fairness: dict[str, Any] = {"how": "full", "method": HOW["fairness"], "seed": None,
                                "min_group_size": min_group_size, "by_attribute": {}, "computed": []}
    metrics: dict[str, Any] = {"how": "full", "method": HOW["metrics"], "seed": seed, "computed": [], "problems": []}
    found = [i for i, d in enumerate(datasets) if d.get("split") == "predictions"]
    fair_card = _mapping(card.get("fairness"))
    attributes = [a for a in fair_card.get("protected_attributes", []) or [] if isinstance(a, str)]
    if not found:
        problem = "no dataset with split: predictions in the data manifest"
        fairness.update(status="not_declared", problem=problem)
        metrics.update(status="not_declared", problem=problem)
        return {"fairness": fairness, "metrics": metrics}
    i = found[0]
    declared = f"/data_manifest/datasets/{i}"
    for section, data in (("fairness", fairness), ("metrics", metrics)):
        data["dataset"] = datasets[i].get("id")
        at(f"{ROOT}/{section}", declared)
    if len(found) > 1:
        note = "only the first dataset with split: predictions is used; also declared: " + ", ".join(
            str(datasets[j].get("id")) for j in found[1:])
        fairness["note"] = metrics["note"] = note
    spec = _mapping(datasets[i].get("predictions"))
    df, err = frame(i)
    columns, problem = _columns(df, err, spec)
    if problem:
        fairness.update(status="error", problem=problem)
        metrics.update(status="error", problem=problem)
        for a in attributes:
            fairness["by_attribute"][a] = {"attribute": a, "status": "error", "problem": problem}
        return {"fairness": fairness, "metrics": metrics}
    prepared, problem = _prepare(df, spec, columns)
    if problem:
        fairness.update(status="error", problem=problem)
        metrics.update(status="error", problem=problem)
        for a in attributes:
            fairness["by_attribute"][a] = {"attribute": a, "status": "error", "problem": problem}
        return {"fairness": fairness, "metrics": metrics}
    rows, y_true, y_pred, score, info = prepared
    from mlcompliance.probes.stats import fairness as fair_stats
    from mlcompliance.probes.stats import metrics as metric_stats
    metrics.update(info)
    fairness.update(info)
    computed = metric_stats.binary_metrics(y_true, y_pred, score, seed=seed)
    on = [x for x in dict.fromkeys([spec.get("dataset"), datasets[i].get("id")]) if x]
    for record in computed["metrics"]:
        record["datasets"] = on
    metrics.update(n=computed["n"], positives=computed["positives"], negatives=computed["negatives"],
                   computed=computed["metrics"], problems=computed["problems"])
    sampled = [m["ci"]["sample_rows"] for m in computed["metrics"] if m["ci"].get("how") == "sampled"]
    if sampled:   # estimates use every row; the bootstrap intervals a seeded sample (see each ci)
        metrics.update(how="sampled", sample_rows=sampled[0])
    if "confusion" in computed:
        metrics["confusion"] = computed["confusion"]
    metrics["status"] = "ok" if computed["metrics"] else "error"
    if computed["problems"] or not computed["metrics"]:
        metrics["problem"] = "; ".join(computed["problems"]) or "no metric could be computed"
    for k, _ in enumerate(computed["metrics"]):
        at(f"{ROOT}/metrics/computed/{k}", declared)
    fairness["n"] = computed["n"]
    if not attributes:
        fairness.update(status="not_declared", problem="the model card names no fairness.protected_attributes")
        return {"fairness": fairness, "metrics": metrics}
    if y_pred is None:
        fairness.update(status="error", problem="no decisions: declare predictions.y_pred, or a score and threshold")
    for j, a in enumerate(attributes):
        pointer = f"{ROOT}/fairness/by_attribute/{escape_token(a)}"
        at(pointer, f"/model_card/fairness/protected_attributes/{j}")
        if a not in df.columns:
            fairness["by_attribute"][a] = {"attribute": a, "status": "error",
                                           "problem": f"protected attribute '{a}' is not a column of the predictions file"}
            continue
        if y_pred is None:
            fairness["by_attribute"][a] = {"attribute": a, "status": "error", "problem": fairness["problem"]}
            continue
        facts = fair_stats.group_fairness(df[a][rows].reset_index(drop=True), y_pred, y_true, min_group_size)
        fairness["by_attribute"][a] = {"attribute": a, **facts}
        fairness["computed"].extend(fair_stats.computed_metrics(a, facts))
    if "status" not in fairness:
        bad = [a for a, f in fairness["by_attribute"].items() if f.get("status") != "ok"]
        fairness["status"] = "ok" if not bad else "incomplete"
        if bad:
            fairness["problem"] = "fairness not computed for: " + ", ".join(bad)
    return {"fairness": fairness, "metrics": metrics}


def _columns(df: Any, err: str | None, spec: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    if err:
        return {}, err
    columns = {role: spec[role] for role in ("y_true", "y_pred", "score") if isinstance(spec.get(role), str)}
    if "y_true" not in columns:
        return columns, "the predictions dataset declares no predictions.y_true column"
    if "y_pred" not in columns and "score" not in columns:
        return columns, "the predictions dataset declares neither predictions.y_pred nor predictions.score"
    missing = [f"{role} '{name}'" for role, name in columns.items() if name not in df.columns]
    if missing:
        return columns, "declared column(s) missing from the predictions file: " + ", ".join(missing)
    return columns, None


def _same(value: Any, label: Any) -> bool:
    if isinstance(value, bool) or isinstance(label, bool):
        return str(value).lower() == str(label).lower()
    try:
        return float(value) == float(label)
    except (TypeError, ValueError):
        return str(value) == str(label)


def _positive(values: list[Any], declared: Any) -> tuple[Any, str | None]:
    """The positive label: the declared one, else 1/true/yes. A label column of one value may lack it
    (all negative): that is recorded by the metrics as a single class, not refused here."""
    if declared is not None:
        if not any(_same(v, declared) for v in values) and len(values) > 1:
            return None, f"positive_label {declared!r} does not occur in y_true"
        return declared, None
    for candidate in (1, True, "yes", "positive"):
        if any(_same(v, candidate) for v in values):
            return candidate, None
    if all(_same(v, 0) or str(v).lower() in ("false", "no", "negative") for v in values):
        return 1, None
    return None, "declare predictions.positive_label: y_true has no 1/true/yes value"


def _prepare(df: Any, spec: dict[str, Any], columns: dict[str, str]) -> tuple[Any, str | None]:
    """Boolean arrays (y_true, y_pred, score) over the rows where every declared column has a value."""
    import numpy as np
    import pandas as pd
    rows = df[list(columns.values())].notna().all(axis=1).to_numpy()
    info: dict[str, Any] = {"rows": int(len(df)), "rows_dropped_missing": int((~rows).sum())}
    truth = df[columns["y_true"]][rows]
    labels = sorted({str(v) for v in truth.unique().tolist()})
    if len(labels) > 2:
        return None, f"y_true '{columns['y_true']}' has {len(labels)} distinct values: binary labels expected"
    positive, problem = _positive(truth.unique().tolist(), spec.get("positive_label"))
    if problem:
        return None, problem
    info["positive_label"] = positive
    y_true = _vector_same(truth, positive)
    score = None
    if "score" in columns:
        raw = df[columns["score"]][rows]
        if not pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
            return None, f"score '{columns['score']}' is not numeric"
        score = raw.to_numpy(dtype=np.float64)
    y_pred = None
    if "y_pred" in columns:
        pred = df[columns["y_pred"]][rows]
        distinct = pred.unique().tolist()
        if len(distinct) > 2:
            return None, f"y_pred '{columns['y_pred']}' has {len(distinct)} distinct values: binary decisions expected"
        y_pred = _vector_same(pred, positive)
        info["decision"] = f"y_pred == {positive!r}"
    elif score is not None:
        threshold = spec.get("threshold", 0.5)
        y_pred = score >= float(threshold)
        info["decision"] = f"score >= {threshold}"
    return (rows, y_true, y_pred, score, info), None


def _vector_same(series: Any, label: Any) -> Any:
    """``_same`` over a whole column, vectorised for large files."""
    import numpy as np
    import pandas as pd
    if isinstance(label, bool) or pd.api.types.is_bool_dtype(series.dtype):
        return (series.astype(str).str.lower() == str(label).lower()).to_numpy()
    if pd.api.types.is_numeric_dtype(series.dtype):
        try:
            return (series.to_numpy(dtype=np.float64) == float(label))
        except (TypeError, ValueError):
            return np.zeros(len(series), dtype=bool)
    return np.array([_same(v, label) for v in series.tolist()], dtype=bool)
