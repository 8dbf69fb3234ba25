"""One engine: no two parts of a result can disagree on the same requirement.

Maturity is aggregated from pack findings (mlops-practices maturity.yaml). For every sample
project and for mutated copies (including the removal of the optional ``affected_persons: []``
that once made maturity and the pack disagree about MLOPS-08), this test re-derives every
maturity score from the outcomes the result itself lists, with an evaluator written here
independently of ``scoring.maturity``, and checks that a maturity item and a pack requirement
resting on the same rule never show contradictory statuses.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import SAMPLES

from mlcompliance.policy.packs import discover, load_pack
from mlcompliance.result.codec import to_dict
from mlcompliance.run import Checker

AS_OF = date(2026, 11, 1)
RUBRIC = load_pack([s for s in discover() if s.id == "mlops-practices"][-1]).maturity
CHECKER = Checker()


def check(root, as_of, **options) -> dict:
    """The result as its JSON form (what the consistency checks read)."""
    return to_dict(CHECKER.check(root, as_of, **options))
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if (p / "model_card.yaml").exists()
                      and p.name != "broken-fraud-alerts")


class Outcomes:
    """Outcomes by rule id and target, read from the result only (findings + maturity evidence)."""

    def __init__(self, result: dict) -> None:
        rows = [(f["rule_id"], f["location"]["target"], f["outcome"], f["fingerprint"]) for f in result["findings"]]
        rows += [(f["rule_id"], f["target"], f["outcome"], f["fingerprint"])
                 for f in result["maturity"]["evidence_findings"]]
        self.rows = rows
        self.by_fingerprint = {fp: outcome for _, _, outcome, fp in rows}

    def of(self, ref: str) -> list[str]:
        rule, _, name = ref.partition("[")
        return [o for r, target, o, _ in self.rows if r == rule and (not name or target.endswith("/" + name[:-1]))]


def holds(expr, o: Outcomes, scores: dict) -> bool:
    if isinstance(expr, str):
        found = o.of(expr)
        return bool(found) and all(x == "pass" for x in found)
    if "all" in expr:
        return all(holds(e, o, scores) for e in expr["all"])
    if "any" in expr:
        return any(holds(e, o, scores) for e in expr["any"])
    if "not_failed" in expr:
        found = o.of(expr["not_failed"])
        return bool(found) and all(x in ("pass", "not_applicable") for x in found)
    if "use" in expr:
        return holds(RUBRIC["define"][expr["use"]], o, scores)
    sig = RUBRIC["signals"]
    if "automated" in expr:
        c = expr["automated"]
        return (holds(f"{sig['ci']}[{c}]", o, scores) and holds({"use": "ci_recurring"}, o, scores)) \
            or holds(f"{sig['automated']}[{c}]", o, scores)
    if "shown" in expr:
        c = expr["shown"]
        return any(holds(f"{sig[k]}[{c}]", o, scores) for k in ("ci", "automated", "declared"))
    item = expr.get("test") or expr.get("practice")
    return scores[item] is not None and scores[item] >= expr["min"]


def expected_score(spec: dict, o: Outcomes, scores: dict) -> float:
    if any(x in ("fail", "warn", "error") for rid in spec.get("zero_if_failed", []) for x in o.of(rid)):
        return 0.0
    return 1.0 if holds(spec["score_1"], o, scores) else 0.5 if holds(spec["score_half"], o, scores) else 0.0


def check_consistent(result: dict) -> None:
    m = result["maturity"]
    assert m["assessed"] is True
    o = Outcomes(result)
    scores: dict = {}
    tests = {t["id"]: t for t in m["ml_test_score"]["tests"]}
    for spec in RUBRIC["tests"]:
        scores[spec["id"]] = expected_score(spec, o, scores)
        assert tests[spec["id"]]["score"] == scores[spec["id"]], spec["id"]
    practices = {p["id"]: p for p in m["practices"]}
    for spec in RUBRIC["practices"]:
        applies = spec.get("applies_if")
        if applies and all(x == "not_applicable" for x in o.of(applies)):
            want = None
        elif "from_test" in spec:
            want = scores[spec["from_test"]]
        else:
            want = expected_score(spec, o, scores)
        scores[spec["id"]] = want
        assert practices[spec["id"]]["score"] == want, spec["id"]
    # every finding a maturity item cites is in the result, with the same outcome
    items = list(tests.values()) + list(practices.values()) + m["principles"]
    for item in items:
        for cited in item.get("decided_by", []):
            assert o.by_fingerprint[cited["fingerprint"]] == cited["outcome"], (item["id"], cited)
    # a practice and the pack requirement of the same id never disagree on applicability (where the
    # practice's applicability comes from a rule of that requirement), and a practice at 1 never
    # rests on a failing finding of its own requirement
    for pack in result["summary"]["packs"]:
        if pack["id"] != "mlops-practices":
            continue
        for req in pack["requirements"]:
            practice = practices.get(req["id"])
            if practice is None:
                continue
            own = [c for c in practice.get("decided_by", []) if c["rule_id"].startswith(req["id"])]
            spec = next(p for p in RUBRIC["practices"] if p["id"] == req["id"])
            if practice["score"] is None:      # not applicable in maturity: so is what it cites of the pack
                assert own and all(c["outcome"] == "not_applicable" for c in own), (req["id"], own)
            if req["status"] == "not_applicable" and spec.get("applies_if", "").startswith(req["id"]):
                assert practice["score"] is None, req["id"]
            if practice["score"] == 1.0:
                assert all(c["outcome"] != "fail" for c in own), (req["id"], own)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_maturity_follows_from_their_findings(name):
    check_consistent(check(SAMPLES / name, AS_OF))


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


MUTATIONS = {
    "no affected_persons key": ("model_card.yaml", lambda d: d["intended_use"].pop("affected_persons")),
    "affected persons declared": ("model_card.yaml", lambda d: d["intended_use"].update(affected_persons=["debtors"])),
    "cd disabled": ("pipeline.yaml", lambda d: d["cd"].update(enabled=False)),
    "no monitoring report": ("pipeline.yaml", lambda d: d["monitoring"].pop("last_report_at")),
    "ci never ran": ("pipeline.yaml", lambda d: d["ci"].pop("last_run_at")),
    "no stages": ("pipeline.yaml", lambda d: d.pop("stages")),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_invoice_project_stays_consistent(sample_copy, mutation):
    project = sample_copy("invoice-late-payment")
    file, change = MUTATIONS[mutation]
    _edit(project / file, change)
    check_consistent(check(project, AS_OF))


def test_monitoring_overdue_in_the_pack_is_not_met_in_maturity():
    result = check(SAMPLES / "invoice-late-payment", date(2027, 2, 1))   # 97 days after the report
    current = [f for f in result["findings"] if f["rule_id"] == "MLOPS-03-MONITORING-CURRENT"]
    assert current and current[0]["outcome"] == "fail"
    tests = {t["id"]: t for t in result["maturity"]["ml_test_score"]["tests"]}
    assert tests["monitor-7"]["score"] < 1
    check_consistent(result)


def test_removing_affected_persons_keeps_mlops_08_not_applicable_in_both(sample_copy):
    project = sample_copy("invoice-late-payment")
    _edit(project / "model_card.yaml", lambda d: d["intended_use"].pop("affected_persons"))
    result = check(project, AS_OF)
    req = next(r for p in result["summary"]["packs"] if p["id"] == "mlops-practices"
               for r in p["requirements"] if r["id"] == "MLOPS-08-FAIRNESS")
    practice = next(p for p in result["maturity"]["practices"] if p["id"] == "MLOPS-08-FAIRNESS")
    assert req["status"] == "not_applicable" and practice["score"] is None
    assert result["maturity"]["stage"]["stage"] == 3


def test_without_a_rubric_pack_maturity_is_not_assessed():
    result = check(SAMPLES / "invoice-late-payment", AS_OF, packs={"gdpr": "*"})
    assert result["maturity"]["assessed"] is False
    assert "no chosen pack has a maturity rubric" in result["maturity"]["reason"]
