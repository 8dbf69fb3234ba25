"""What each signal category looks like in CI files, dvc stages and pipeline stages.

A *signal* names a kind of automated work (unit tests, data tests, a fairness check, a
schedule, ...). The repository probe tags CI lines and dvc stages with the categories whose
pattern they match; the ``signal_stage`` named check matches declared pipeline stages against
the same table. One table, so an observation and a declaration are read alike.
"""
from __future__ import annotations

import re

# name: (regex over a CI line / dvc stage name+cmd / pipeline stage name+checks, pipeline stage kinds)
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "unit_tests": (r"\bpytest\b|\bunittest\b|\btox\b|\bnox\b|\bgo test\b|\bnpm (?:run )?test\b|\bunit[_-]?tests?\b"
                   r"|\b(?:mvn|gradlew?)\b.*\btest\b", ()),
    "data_tests": (r"\btests?/data\b|\bdata[_-]?tests?\b|great[_-]?expectations|\bgx\b|\bpandera\b|\bdeepchecks\b"
                   r"|\btfdv\b|\bdata[_-]?validation\b|\bvalidate[_-]?data\b|\bsoda scan\b", ("data_validation",)),
    "schema": (r"\bschema\b|\bexpectations?\b|\bpandera\b|\btfdv\b", ()),
    "integration_tests": (r"integration[_-]?tests?|\btests?/integration\b|\be2e\b|end[_-]to[_-]end", ()),
    "training": (r"\btrain(?:ing)?\b|\btrain\.py\b|\bdvc repro\b|\bmlflow run\b", ("training",)),
    "model_validation": (r"validate[_-]?model|model[_-]?validation|\bevaluat(?:e|ion)\b|metrics[_-]?threshold"
                         r"|champion", ("model_validation",)),
    "fairness": (r"\bfairness\b|\bfairlearn\b|\baif360\b|\bbias\b|disparate", ("fairness_test",)),
    "deploy": (r"\bdeploy(?:ment)?\b|kubectl apply|helm (?:upgrade|install)|mlflow models serve|\bsagemaker\b",
               ("deploy",)),
    "policy": (r"mlcompliance check|conftest test|\bopa eval\b|\bpii\b|meta[_-]?level|banned[_-]?features?"
               r"|data[_-]?policy", ()),
    "privacy": (r"pseudonymi[sz]|anonymi[sz]|differential[_-]?privacy|\bdp[_-]?sgd\b|\bpresidio\b", ()),
    "feature_importance": (r"feature[_-]?importance|permutation[_-]?importance|\bshap\b|\bablation\b", ()),
    "feature_cost": (r"feature[_-]?(?:cost|latency|memory)", ()),
    "features": (r"feature[_-]?(?:engineering|pipeline|build|store)|build[_-]features|featuri[sz]",
                 ("feature_engineering",)),
    "online_offline": (r"\ba/?b[_-]?test|online[_-]?offline|business[_-]?kpis?\b|kpi[_-]?correlation", ()),
    "hpo": (r"\boptuna\b|\bhyperopt\b|ray\.?tune|\bkatib\b|\bsweep\b|\bhpo\b|hyperparam|\btun(?:e|ing)\b", ()),
    "baseline": (r"\bbaseline\b", ()),
    "slices": (r"\bslic(?:e|es|ing)\b|\bsliced\b", ()),
    "explain": (r"\bshap\b|\blime\b|\bcaptum\b|\bexplain", ()),
    "skew": (r"\bskew\b|training[_-]serving", ()),
    "drift": (r"\bdrift\b|\bevidently\b|\bwhylogs\b|\bnannyml\b", ()),
    "numerical": (r"\bnans?\b|\binf\b|isfinite|numerical[_-]?stab", ()),
    "perf": (r"\blatency\b|\bthroughput\b|load[_-]?test|\blocust\b|\bk6\b|\bbenchmark|stress[_-]?test", ()),
    "pr_trigger": (r"\bpull_request\b|merge_request|^\s*pr:", ()),
    "schedule": (r"^\s*-?\s*schedule:|\bcron\b|== *[\"']schedule[\"']", ()),
}
RX = {name: re.compile(rx, re.IGNORECASE) for name, (rx, _) in CATEGORIES.items()}
CI_ONLY = frozenset({"pr_trigger", "schedule"})   # only CI configuration can show these
SERVING_METRIC = re.compile(r"latency|throughput|memory|\bcpu\b|p9[59]|\bqps\b|\brps\b|response[_-]?time",
                            re.IGNORECASE)


def stage_matches(category: str, stage: dict, ) -> bool:
    """A declared pipeline stage shows ``category``: by its kind, or its name and checks match the pattern."""
    if category in CI_ONLY:
        return False
    checks = [c for c in stage.get("checks") or [] if isinstance(c, str)] if isinstance(stage.get("checks"), list) else []
    raw = " ".join([str(stage.get("name", ""))] + checks)
    rx = RX[category]
    return stage.get("kind") in CATEGORIES[category][1] or bool(rx.search(raw.replace("_", " ")) or rx.search(raw))


def text_matches(category: str, text: str) -> bool:
    """A declared CI job or trigger name shows ``category``."""
    return bool(RX[category].search(text.replace("_", " ") + " " + text))
