"""gxp-alcoa 1.1.0 and pra-ss1-23 1.1.0 end to end: the audit's cases c2, c4 and c4b on edited
copies of the invoice sample under the default gate (audit L9, L14, L16, C1, C4), and pack
parameters overriding their policy numbers."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml
from helpers import AS_OF, INVOICE, cli


def project(tmp_path, packs: dict[str, str], card_risk: dict, config: dict | None = None,
            card: dict | None = None, pipeline: dict | None = None):
    root = tmp_path / "p"
    shutil.copytree(INVOICE, root)
    mc = yaml.safe_load((root / "model_card.yaml").read_text())
    mc["risk"].update(card_risk)
    mc.update(card or {})
    (root / "model_card.yaml").write_text(yaml.safe_dump(mc, sort_keys=False))
    if pipeline:
        pl = yaml.safe_load((root / "pipeline.yaml").read_text())
        pl.update(pipeline)
        (root / "pipeline.yaml").write_text(yaml.safe_dump(pl, sort_keys=False))
    conf = yaml.safe_load((root / "mlcompliance.yaml").read_text())
    conf.pop("gate", None)   # the default gate table
    conf["packs"] = packs
    conf.update(config or {})
    (root / "mlcompliance.yaml").write_text(yaml.safe_dump(conf, sort_keys=False))
    return root


def run(root, as_of: str = AS_OF) -> tuple[int, dict]:
    out = cli("check", root, "--as-of", as_of, "--format", "json")
    return out.exit_code, json.loads(out.stdout)


def findings(data: dict, rule: str) -> list[dict]:
    return [f for f in data["findings"] if f["rule_id"] == rule]


def outcome(data: dict, rule: str) -> str:
    got = {f["outcome"] for f in findings(data, rule)}
    assert len(got) == 1, (rule, got)
    return got.pop()


GXP = {"gxp-alcoa": ">=1.1,<2", "mlops-practices": ">=1.0,<2"}
PRA = {"pra-ss1-23": ">=1.1,<2", "mlops-practices": ">=1.0,<2"}


def test_c2_one_tier_finding_and_an_unvalidated_system_blocks_at_limited(tmp_path):
    """c2: indirect impact, declared minimal. One finding for the under-declared tier (the engine's),
    and P11-11.10A-SYSTEM-VALIDATED is critical at limited, so it blocks under the default gate (L16)."""
    root = project(tmp_path, GXP, {"tier": "minimal", "gxp": {"impact": "indirect", "gamp_category": 4}})
    code, data = run(root)
    assert data["risk"]["tier"] == "limited"
    assert outcome(data, "MLC-TIER-DECLARED") == "fail"
    assert not findings(data, "GAMP5-TIER-REFLECTS-IMPACT")
    validated = findings(data, "P11-11.10A-SYSTEM-VALIDATED")[0]
    audit = findings(data, "P11-11.10E-AUDIT-TRAIL")[0]
    assert (validated["outcome"], validated["severity"], audit["severity"]) == ("fail", "critical", "critical")
    assert validated["fingerprint"] in data["gate"]["blocking"] and code == 1
    # no jurisdiction declared: both regimes are applied and the omission is a finding (L9)
    assert outcome(data, "GXP-JURISDICTION-DECLARED") == "fail"
    assert outcome(data, "A11-9-REASON-FOR-CHANGE") == "fail"


def test_c2_under_fda_only_part11_applies_without_a_reason_for_change(tmp_path):
    root = project(tmp_path, GXP, {"tier": "limited", "gxp": {"impact": "indirect", "gamp_category": 4,
                                                              "jurisdictions": ["fda"]}},
                   pipeline={"audit_trail": {"enabled": True, "computer_generated": True,
                                             "captures": ["action", "who", "when", "old_value", "new_value"]}})
    _, data = run(root)
    assert outcome(data, "P11-11.10E-AUDIT-TRAIL") == "pass"
    assert outcome(data, "A11-9-REASON-FOR-CHANGE") == "not_applicable"
    assert outcome(data, "GXP-JURISDICTION-DECLARED") == "pass"
    eu = project(tmp_path / "eu", GXP, {"tier": "limited", "gxp": {"impact": "indirect", "jurisdictions": ["eu_gmp"]}})
    _, data = run(eu)
    assert outcome(data, "P11-11.10E-AUDIT-TRAIL") == "not_applicable"
    assert outcome(data, "P11-11.50-RELEASE-SIGNED") == "not_applicable"
    assert outcome(data, "A11-9-REASON-FOR-CHANGE") == "fail"
    assert outcome(data, "P11-11.10A-SYSTEM-VALIDATED") == "fail"   # validation: 11.10(a) and Annex 11 §4


C4_PRA = {"in_scope": True, "materiality": "low", "complexity": "high", "tier": 3,
          "rationale_ref": "https://wiki.example.com/mrm/tiering", "assessed_at": "2026-09-01"}


@pytest.mark.parametrize("declared_pra_tier", [3, 2])
def test_c4_intervals_key_on_the_derived_pra_tier(tmp_path, declared_pra_tier):
    """c4 / c4b: matrix tier 2; the 30-month schedule fails the tier 2 interval whether the firm
    declared tier 3 or 2, and the tier 3 rule does not apply (L14). PRA-P1.3-TOOL-TIER-ALIGNED is gone (C1)."""
    root = project(tmp_path, PRA, {"tier": "minimal", "pra": {**C4_PRA, "tier": declared_pra_tier}},
                   card={"validation": {"status": "approved", "validator": "Lena Fischer", "date": "2026-09-20",
                                        "next_due": "2029-03-20"}})
    _, data = run(root)
    assert data["risk"]["tier"] == "limited"
    assert outcome(data, "PRA-P4.5-REVALIDATION-INTERVAL-T2") == "fail"
    assert outcome(data, "PRA-P4.5-REVALIDATION-INTERVAL-T3") == "not_applicable"
    assert outcome(data, "PRA-P1.3-TIER-MATRIX") == ("fail" if declared_pra_tier == 3 else "pass")
    assert not findings(data, "PRA-P1.3-TOOL-TIER-ALIGNED")
    interval = findings(data, "PRA-P4.5-REVALIDATION-INTERVAL-T2")[0]
    assert "mlcompliance policy" in interval["message"]
    assert interval.get("parameters") == {"revalidation_max_days_tier2": 731}


def test_c4_unvalidated_pra_model_in_production_blocks_at_limited_and_minimal(tmp_path):
    """C4: a PRA tier 2 (limited) or tier 3 (minimal) model in production without an approved
    validation or exception is blocked by the PRA pack under the default gate."""
    for pra, declared in (({**C4_PRA, "tier": 2}, "limited"),
                          ({**C4_PRA, "complexity": "low"}, "minimal")):
        root = project(tmp_path / declared, PRA, {"tier": declared, "pra": pra},
                       card={"validation": {"status": "not_started"}})
        code, data = run(root)
        assert data["risk"]["tier"] == declared
        (f,) = [f for f in findings(data, "PRA-P5.2-UNVALIDATED-PRODUCTION") if f["outcome"] == "fail"]
        assert f["severity"] == "critical" and f["fingerprint"] in data["gate"]["blocking"] and code == 1


def test_policy_numbers_are_parameters_a_project_can_set(tmp_path):
    root = project(tmp_path, PRA, {"tier": "limited", "pra": {**C4_PRA, "tier": 2}},
                   card={"validation": {"status": "approved", "validator": "Lena Fischer", "date": "2026-09-20",
                                        "next_due": "2029-03-20"}},
                   config={"parameters": {"pra-ss1-23": {"revalidation_max_days_tier2": 1000}}})
    _, data = run(root)
    interval = findings(data, "PRA-P4.5-REVALIDATION-INTERVAL-T2")[0]
    assert interval["outcome"] == "pass" and interval["parameters"] == {"revalidation_max_days_tier2": 1000}
    pack = next(p for p in data["packs"] if p["id"] == "pra-ss1-23")
    assert pack["law_as_of"] and pack["review_by"] and pack["sources"]
    out = cli("check", project(tmp_path / "bad", PRA, {"pra": C4_PRA},
                               config={"parameters": {"pra-ss1-23": {"revalidation_max_days_tier2": 5000}}}),
              "--as-of", AS_OF, "--format", "json")
    assert out.exit_code == 2 and "mlcompliance.yaml" in out.stderr


def test_every_policy_parameter_of_both_packs_is_labelled_policy():
    from mlcompliance.policy.packs import discover
    for src in discover(plugins=False):
        if (src.id, str(src.version)) not in (("gxp-alcoa", "1.1.0"), ("pra-ss1-23", "1.1.0")):
            continue
        manifest = yaml.safe_load((src.directory / "pack.yaml").read_text())
        assert manifest["parameters"] and all(p["basis"] == "policy" for p in manifest["parameters"].values())
        rules = [r for f in sorted((src.directory / "rules").glob("*.yaml"))
                 for r in yaml.safe_load(f.read_text())["rules"]]
        using = [r for r in rules if "{'param'" in str(r.get("assert", {}).get("with"))]
        assert using
        for rule in using:
            text = " ".join([rule["title"], rule["message"], json.dumps(rule["references"])])
            assert "mlcompliance policy" in text, rule["id"]
