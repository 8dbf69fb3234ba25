#!/usr/bin/env python3
"""Deterministic generator of synthetic mlcompliance projects for the bench20 benchmark.

Writes N project directories in our native format to <bench>/projects/N/pNNNNN/
(<bench> = $MLC_BENCH_DIR, default /tmp/mlc-bench), each holding

    model_card.yaml      about 2 KB: details, owners, intended use, risk, datasets, metrics,
                         fairness, human oversight, approvals, governance, limitations
    data_manifest.yaml   1 to 3 datasets with fields, personal-data facts and retention
    pipeline.yaml        registry, runs, stages, ci, cd, ct, monitoring, training, environment
    mlcompliance.yaml    selects only the bench20 pack: packs: {bench20: "*"}

plus <bench>/projects/N/expected.json: project name -> sorted list of the BENCH-Rxx rules it
must fail. About 30 % of the projects violate 1 to 3 rules; the rest violate none.

Project i depends only on (seed, i), so the N=100 set is a prefix of the N=10000 set.
The rule semantics are those of the peer benchmark (../shared/bench/peers/rules_py.py)
mapped to our field names; see benchmarks/README.md. Every violation is written so that the
files still validate against our JSON Schemas: a violation must be a rule failure (exit 1),
never an input error (exit 2). Where our schema already enforces the peer's condition at load
(sha256 pattern, git commit pattern, integer seed, GDPR lawful-basis enum), the violation
removes the field instead of writing a malformed value.

Usage: python gen_projects.py [--seed 1234] [--bad-fraction 0.3] [--validate K] N [N ...]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RULE_IDS, projects_dir  # noqa: E402

RISK_TIERS = ["minimal", "limited", "high"]
GDPR_BASES = ["consent", "contract", "legal_obligation", "vital_interests",
              "public_task", "legitimate_interests"]
FIRST = ["ana", "bo", "chen", "dara", "eli", "femi", "gus", "hana", "ivo", "jun",
         "kim", "lea", "mo", "noor", "oli", "pia", "raj", "sol", "tom", "uma"]
DOMAINS = ["example.com", "corp.example", "ml.example.org", "lab.example.net"]
LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "proprietary", "bsd-3-clause"]
TASKS = ["binary_classification", "regression", "ranking", "ner", "summarization", "forecasting"]
ARCHS = ["gradient_boosted_trees", "logistic_regression", "transformer", "random_forest", "cnn"]
FRAMEWORKS = ["pytorch 2.4.1", "scikit-learn 1.5.2", "xgboost 2.1.1", "tensorflow 2.17.0", "jax 0.4.33"]
USES = ["credit scoring support", "document triage", "churn prediction", "fraud alerting",
        "search ranking", "demand forecasting", "support ticket routing", "image tagging"]
OOS = ["medical diagnosis", "law enforcement", "automated hiring decisions",
       "children under 13", "real-time biometric identification", "military use"]
USERS = ["analysts", "support agents", "data scientists", "auditors", "end customers"]
METRICS = ["accuracy", "f1", "auc", "precision", "recall", "calibration"]
SLICES = ["overall", "region=eu", "region=us", "age<30", "age>=60", "new_customers"]
PROTECTED = ["age", "sex", "ethnicity", "disability", "religion", "nationality"]
MECHANISMS = ["human_in_the_loop", "human_on_the_loop", "human_in_command"]
REVIEWER_ROLES = ["risk officer", "domain expert", "ml lead", "compliance analyst"]
LIMITS = ["degrades on out-of-distribution inputs", "english only",
          "not calibrated for small merchants", "sensitive to label noise",
          "trained on 2019-2023 data only"]
EXTRA_ROLES = ["legal", "privacy", "security"]           # the peer's other known roles
FIELD_TYPES = ["string", "integer", "number", "boolean", "date", "categorical", "text"]
FIELD_NAMES = ["customer_id", "age", "region", "amount_eur", "tenure_months", "segment",
               "last_purchase", "email_domain", "label", "score", "channel", "product"]
SUBJECTS = ["customers", "employees", "applicants", "patients", "website visitors"]
DATA_CATS = ["contact details", "transaction history", "demographics", "usage logs", "financial"]
STAGES = [("ingest", "data_ingestion"), ("validate-data", "data_validation"),
          ("features", "feature_engineering"), ("train", "training"),
          ("validate-model", "model_validation"), ("fairness", "fairness_test"),
          ("register", "register"), ("deploy", "deploy"), ("monitor", "monitor")]

# Pairs whose mutations would mask each other (the second rule would become vacuous).
CONFLICTS = [{"BENCH-R02", "BENCH-R14"}, {"BENCH-R02", "BENCH-R15"}, {"BENCH-R05", "BENCH-R06"},
             {"BENCH-R07", "BENCH-R08"}, {"BENCH-R07", "BENCH-R09"}, {"BENCH-R07", "BENCH-R10"}]


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _person(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(FIRST, 2)
    return f"{a.title()} {b.title()}", f"{a}.{b}@{rng.choice(DOMAINS)}"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2021, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _instant(rng: random.Random) -> str:
    return f"{_date(rng)}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00"


def valid_project(rng: random.Random, i: int) -> dict:
    """A project that passes all 20 bench rules: {"model_card": ..., "data_manifest": ..., "pipeline": ...}."""
    tier = rng.choices(RISK_TIERS, weights=[40, 35, 25])[0]
    owners = []
    for k in range(rng.randint(1, 3)):
        name, contact = _person(rng)
        owners.append({"name": name, "contact": contact, "role": "owner" if k == 0 else "developer"})
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 50)}"

    # --- data manifest: 1-3 datasets with fields ------------------------------------
    datasets = []
    for k in range(rng.randint(1, 3)):
        pii = rng.random() < 0.4
        ds_id = f"ds-{i:05d}-{k}"
        fields = []
        for fname in rng.sample(FIELD_NAMES, rng.randint(3, 6)):
            f = {"name": fname, "type": rng.choice(FIELD_TYPES), "nullable": rng.random() < 0.3}
            if pii:
                f["personal"] = fname in ("customer_id", "age", "region", "email_domain")
            fields.append(f)
        ds = {
            "id": ds_id,
            "name": f"dataset {i}/{k}",
            "version": f"v{rng.randint(1, 40)}",
            "uri": f"s3://bench-data/{ds_id}/",
            "sha256": _sha(f"{i}/{k}/{rng.random()}"),
            "format": rng.choice(["parquet", "csv", "jsonl"]),
            "rows": rng.randint(1_000, 5_000_000),
            "owner": owners[0]["name"],
            "split": ["train", "validation", "test"][k],
            "source": rng.choice(["internal", "third_party", "data_subject"]),
            "personal_data": pii,
        }
        if pii:
            ds["data_subject_categories"] = rng.sample(SUBJECTS, rng.randint(1, 2))
            ds["data_categories"] = rng.sample(DATA_CATS, rng.randint(1, 3))
            ds["lawful_basis"] = rng.choice(GDPR_BASES)
        ds["retention"] = {"period_days": rng.randint(30, 3650), "deletion_method": "crypto-shredding"}
        ds["fields"] = fields
        datasets.append(ds)

    # --- model card -------------------------------------------------------------------
    metrics = []
    for name in rng.sample(METRICS, rng.randint(2, 4)):
        thr = round(rng.uniform(0.5, 0.85), 3)
        metrics.append({"name": name, "value": round(thr + rng.uniform(0.0, 0.12), 3),
                        "threshold": thr, "slice": rng.choice(SLICES), "dataset": datasets[-1]["id"]})
    protected = rng.sample(PROTECTED, rng.choice([0, 0, 1, 2, 3]))
    fair_metrics = []
    if protected:   # one disparate-impact ratio per protected attribute, all >= 0.8
        for attr in protected:
            fair_metrics.append({"name": "disparate_impact_ratio", "attribute": attr,
                                 "value": round(rng.uniform(0.8, 1.0), 3), "threshold": 0.8})
            fair_metrics.append({"name": "equal_opportunity_difference", "attribute": attr,
                                 "value": round(rng.uniform(0.0, 0.1), 3), "threshold": 0.1,
                                 "higher_is_better": False})
    else:           # no protected attribute declared: the ratio may be anything (rule not applicable)
        fair_metrics.append({"name": "disparate_impact_ratio", "value": round(rng.uniform(0.55, 1.0), 3)})
    approvals = [{"role": "owner", "name": owners[0]["name"], "date": _date(rng), "meaning": "responsible"}]
    if tier == "high" or rng.random() < 0.2:
        approvals.append({"role": "validator", "name": _person(rng)[0], "date": _date(rng),
                          "meaning": "reviewed"})
    for role in rng.sample(EXTRA_ROLES, rng.randint(0, 2)):
        approvals.append({"role": role, "name": _person(rng)[0], "date": _date(rng), "meaning": "approved"})
    validator_name = _person(rng)[0]
    card = {
        "kind": "model_card",
        "schema_version": "1.0",
        "model_details": {
            "name": f"model-{i:05d}",
            "version": version,
            "description": f"Synthetic {rng.choice(TASKS)} model number {i} for benchmarking.",
            "inventory_id": f"INV-{i:05d}",
            "task": rng.choice(TASKS),
            "model_architecture": rng.choice(ARCHS),
            "framework": rng.choice(FRAMEWORKS),
            "license": rng.choice(LICENSES),
            "owners": owners,
            "trained_at": _instant(rng),
        },
        "intended_use": {
            "purpose": f"Support {rng.choice(USERS)} with {rng.choice(USES)}.",
            "primary_uses": rng.sample(USES, rng.randint(1, 3)),
            "primary_users": rng.sample(USERS, rng.randint(1, 3)),
            "out_of_scope": rng.sample(OOS, rng.randint(1, 3)),
        },
        "risk": {"tier": tier, "rationale": f"Assessed {tier} by the model risk function."},
        "datasets": [{"id": d["id"], "version": d["version"], "sha256": d["sha256"], "split": d["split"]}
                     for d in datasets],
        "performance": {"metrics": metrics, "out_of_sample": True},
        "fairness": {"protected_attributes": protected, "metrics": fair_metrics},
        "approvals": approvals,
        "governance": {"owner": owners[0]["name"], "developers": [o["name"] for o in owners[1:]] or [owners[0]["name"]],
                       "validator": validator_name},
        "limitations": rng.sample(LIMITS, rng.randint(1, 3)),
    }
    if tier == "high" or rng.random() < 0.5:
        # below high, 'none' is allowed (the oversight rule does not apply there)
        mech = rng.choice(MECHANISMS) if tier == "high" else rng.choice(MECHANISMS + ["none"])
        card["human_oversight"] = {"mechanism": mech, "override": True, "stop_capability": rng.random() < 0.8,
                                   "assigned_role": rng.choice(REVIEWER_ROLES)}
    # keep a stable key order: human_oversight before approvals, as a person would write it
    order = ["kind", "schema_version", "model_details", "intended_use", "risk", "datasets", "performance",
             "fairness", "human_oversight", "approvals", "governance", "limitations"]
    card = {k: card[k] for k in order if k in card}

    # --- pipeline ---------------------------------------------------------------------
    commit = _hex(rng, 40)
    runs = []
    for k, kind in enumerate(["training", "evaluation"][: rng.randint(1, 2)]):
        start = _date(rng)
        runs.append({
            "run_id": f"run-{i:05d}-{k}",
            "kind": kind,
            "status": "succeeded",
            "started_at": f"{start}T08:00:00+00:00",
            "finished_at": f"{start}T09:{rng.randint(0, 59):02d}:00+00:00",
            "actor": owners[-1]["name"],
            "git_commit": commit if k == 0 or rng.random() < 0.5 else _hex(rng, 40),
            "model_version": version,
            "data_refs": [{"dataset": d["id"], "version": d["version"]} for d in datasets],
            "params": {"learning_rate": round(rng.uniform(0.01, 0.3), 3), "max_depth": rng.randint(3, 12)},
            "metrics": {m["name"]: m["value"] for m in metrics},
        })
    stage_pick = [s for s in STAGES if s[1] in ("data_ingestion", "training", "register") or rng.random() < 0.7]
    pipeline = {
        "kind": "pipeline",
        "schema_version": "1.0",
        "registry": {"uri": "https://mlflow.example.com", "model_name": f"model-{i:05d}", "model_version": version},
        "runs": runs,
        "stages": [{"name": n, "kind": k, "automated": True, "blocking": k in ("data_validation", "model_validation")}
                   for n, k in stage_pick],
        "ci": {"enabled": True, "provider": rng.choice(["github_actions", "gitlab_ci", "jenkins"]),
               "triggers": ["pull_request", "push"], "jobs": rng.sample(["unit_tests", "lint", "data_tests",
                                                                          "integration_tests"], 2),
               "last_status": "success"},
        "cd": {"enabled": rng.random() < 0.8, "source": "model_registry", "environments": ["staging", "production"],
               "approval_gate": True, "strategy": rng.choice(["canary", "shadow", "blue_green"])},
        "ct": {"enabled": True, "triggers": rng.sample(["schedule", "new_data", "drift"], 2)},
        "monitoring": {"enabled": True,
                       "metrics": [{"name": m["name"], "threshold": m["threshold"]} for m in metrics[:2]],
                       "drift": {"detectors": ["psi"], "features": [f["name"] for f in datasets[0]["fields"][:3]]},
                       "alert_route": "pagerduty:ml-oncall", "frequency_days": rng.choice([1, 7, 30])},
        "training": {"seed": rng.randint(0, 2**31 - 1), "deterministic": rng.random() < 0.7},
        "environment": {"python_version": rng.choice(["3.10", "3.11", "3.12"])},
    }
    manifest = {"kind": "data_manifest", "schema_version": "1.0", "datasets": datasets}
    return {"model_card": card, "data_manifest": manifest, "pipeline": pipeline}


def _make_high(card: dict) -> None:
    card.setdefault("risk", {})["tier"] = "high"


def mutate(p: dict, rid: str, rng: random.Random, pick: set) -> None:
    """Make project ``p`` violate rule ``rid`` while staying valid under our schemas."""
    card, manifest, pipe = p["model_card"], p["data_manifest"], p["pipeline"]
    md = card["model_details"]
    n = int(rid[-2:])
    if n == 1:      # license present
        del md["license"]
    elif n == 2:    # risk tier in minimal/limited/high; our schema also admits 'prohibited'
        if rng.random() < 0.5:
            card["risk"]["tier"] = "prohibited"
        else:
            del card["risk"]["tier"]
    elif n == 3:    # name present (schema: minLength 1, so remove it instead of "")
        del md["name"]
    elif n == 4:    # semver
        md["version"] = rng.choice(["v1", "1.2", "latest"])
    elif n == 5:    # owners non-empty
        if rng.random() < 0.7:
            md["owners"] = []
        else:
            del md["owners"]
    elif n == 6:    # every owner has an e-mail contact
        owner = rng.choice(md["owners"])
        if rng.random() < 0.8:
            owner["contact"] = rng.choice(["bob at example", "team-ml", "x@y"])
        else:
            del owner["contact"]
    elif n == 7:    # datasets listed
        manifest["datasets"] = []
    elif n == 8:    # sha256 of 64 hex (schema enforces the pattern: remove it instead)
        del rng.choice(manifest["datasets"])["sha256"]
    elif n == 9:    # personal data needs a lawful basis (schema enforces the enum: remove it)
        ds = rng.choice(manifest["datasets"])
        ds["personal_data"] = True
        ds.pop("lawful_basis", None)
    elif n == 10:   # retention 0..3650 days
        ds = rng.choice(manifest["datasets"])
        if rng.random() < 0.8:
            ds["retention"]["period_days"] = rng.randint(3651, 20000)
        else:
            del ds["retention"]
    elif n == 11:   # metric value >= threshold
        m = rng.choice(card["performance"]["metrics"])
        m["value"] = round(m["threshold"] - rng.uniform(0.01, 0.2), 3)
    elif n == 12:
        card["intended_use"]["primary_uses"] = []
    elif n == 13:
        card["intended_use"]["out_of_scope"] = []
    elif n == 14:   # high risk -> oversight mechanism (missing, or 'none')
        _make_high(card)
        if "BENCH-R15" not in pick and not any(a["role"] == "validator" for a in card["approvals"]):
            card["approvals"].append({"role": "validator", "name": "Val Idator", "date": "2024-01-02"})
        card.pop("human_oversight", None)
        r = rng.random()
        if r < 0.4:
            card["human_oversight"] = {"assigned_role": "ml lead", "override": True}
        elif r < 0.7:
            card["human_oversight"] = {"mechanism": "none", "assigned_role": "ml lead"}
    elif n == 15:   # high risk -> validator approval
        _make_high(card)
        card["approvals"] = [a for a in card["approvals"] if a["role"] != "validator"]
        mech = card.get("human_oversight", {}).get("mechanism")
        if "BENCH-R14" not in pick and mech in (None, "none"):
            card["human_oversight"] = {"mechanism": "human_in_the_loop", "assigned_role": "ml lead"}
    elif n == 16:   # disparate impact >= 0.8 when protected attributes are declared
        f = card["fairness"]
        di = [m for m in f["metrics"] if m["name"] == "disparate_impact_ratio"]
        if not f["protected_attributes"]:
            f["protected_attributes"] = ["age"]
            di[0]["attribute"] = "age"
        rng.choice(di)["value"] = round(rng.uniform(0.5, 0.79), 3)
    elif n == 17:   # seed is an integer (schema enforces the type: remove it)
        del pipe["training"]["seed"]
    elif n == 18:   # every run records a 40-hex git commit (schema enforces the pattern: remove it)
        del rng.choice(pipe["runs"])["git_commit"]
    elif n == 19:   # CI enabled
        if rng.random() < 0.8:
            pipe["ci"]["enabled"] = False
        else:
            del pipe["ci"]["enabled"]
    elif n == 20:   # approvals: known role and a plain YYYY-MM-DD date
        # never touch the validator approval a high-risk card relies on (keeps R15 independent)
        a = rng.choice([x for x in card["approvals"] if x["role"] != "validator"])
        if rng.random() < 0.5:
            a["date"] = a["date"] + rng.choice(["T09:30:00Z", "T17:05:00+02:00"])  # valid instant, not a date
        else:
            a["role"] = rng.choice(["business", "quality", "risk"])   # in our enum, not a peer role
    else:
        raise ValueError(rid)


def make_project(seed: int, i: int, bad_fraction: float) -> tuple[dict, list[str]]:
    rng = random.Random(f"{seed}-{i}")
    p = valid_project(rng, i)
    expected: list[str] = []
    if rng.random() < bad_fraction:
        k = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
        while True:
            pick = set(rng.sample(RULE_IDS, k))
            if not any(c <= pick for c in CONFLICTS):
                break
        # R14/R15 force risk tier high; apply them first, everything else after.
        order = sorted(pick, key=lambda r: (r not in ("BENCH-R14", "BENCH-R15"), r))
        for rid in order:
            mutate(p, rid, rng, pick)
        expected = sorted(pick)
    return p, expected


CONFIG = "# generated by benchmarks/gen_projects.py\npacks:\n  bench20: \"*\"\n"


def _dump(value: dict, path: Path, dumper) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(value, fh, Dumper=dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def generate(n: int, seed: int, bad_fraction: float) -> dict[str, list[str]]:
    out = projects_dir(n)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    manifest: dict[str, list[str]] = {}
    for i in range(n):
        p, expected = make_project(seed, i, bad_fraction)
        name = f"p{i:05d}"
        d = out / name
        d.mkdir()
        for kind, doc in p.items():
            _dump(doc, d / f"{kind}.yaml", dumper)
        (d / "mlcompliance.yaml").write_text(CONFIG, encoding="utf-8")
        manifest[name] = expected
    with open(out / "expected.json", "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=0, sort_keys=True)
    return manifest


def validate(n: int, k: int) -> int:
    """Load the first k projects with mlcompliance's own loader + schema validation; count failures."""
    from mlcompliance.errors import InputError
    from mlcompliance.evidence.project import load_project
    bad = 0
    for d in sorted(projects_dir(n).glob("p*"))[:k]:
        try:
            load_project(d)
        except InputError as err:
            bad += 1
            print(f"{d}: {err}", file=sys.stderr)
    return bad


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[1, 100, 10000])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--bad-fraction", type=float, default=0.3)
    ap.add_argument("--validate", type=int, default=50, metavar="K",
                    help="schema-validate the first K projects of each set with mlcompliance's loader (default 50; 0: off)")
    a = ap.parse_args(argv)
    rc = 0
    for n in a.sizes:
        m = generate(n, a.seed, a.bad_fraction)
        bad = sum(1 for v in m.values() if v)
        per_rule = {r: sum(r in v for v in m.values()) for r in RULE_IDS}
        print(f"N={n}: wrote {n} projects to {projects_dir(n)} ({bad} = {bad / n:.1%} with violations; "
              f"per rule min {min(per_rule.values())} max {max(per_rule.values())})", file=sys.stderr)
        if a.validate:
            invalid = validate(n, a.validate)
            print(f"N={n}: schema check of the first {min(a.validate, n)} projects: {invalid} invalid", file=sys.stderr)
            rc = rc or (1 if invalid else 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
