"""`mlcompliance fields`: the evidence fields a pack reads at a tier, derived from the compiled rules."""
from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import OWNER_RULE, cli, make_pack

from mlcompliance.evidence.loader import pointer_tokens
from mlcompliance.evidence.schemas import validator
from mlcompliance.policy.packs import discover, load_pack
from mlcompliance.tools.fields import list_fields
from mlcompliance.vocab import TIERS


def _listing(*args: str) -> dict[str, Any]:
    out = cli("fields", *args, "--format", "json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def _by_pointer(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["pointer"]: f for f in listing["fields"]}


def _unknown_in_schema(pointer: str) -> list[str]:
    """Independent oracle: put a value at ``pointer`` (``*`` = first item) in an otherwise empty
    document and ask the native JSON Schema (closed mappings) whether any key is unknown."""
    kind, *path = pointer_tokens(pointer)
    doc: Any = "x"
    for token in reversed(path):
        doc = [doc] if token == "*" else {token: doc}
    errors = validator(kind).iter_errors(doc if isinstance(doc, dict) else {})
    return [e.message for e in errors if e.validator == "additionalProperties"]


def test_gdpr_high_lists_the_dpia_fields_with_rules_severity_and_condition():
    fields = _by_pointer(_listing("--pack", "gdpr", "--version", "1.1.0", "--tier", "high"))
    ref = fields["/model_card/dpia/ref"]
    assert ref["status"] == "conditional" and ref["severity"] == "critical"
    assert ref["rules"] == [{"id": "GDPR-ART35-1-DPIA-APPROVED", "severity": "critical", "status": "conditional",
                             "conditions": ["dpia_required"]}]
    assert [r["id"] for r in fields["/model_card/dpia/date"]["rules"]] == [
        "GDPR-ART35-1-DPIA-APPROVED", "GDPR-ART35-1-DPIA-BEFORE-PRODUCTION"]
    # read by a `when` only: it decides whether the rule applies
    assert fields["/model_card/dpia/residual_risk"]["status"] == "applicability"
    # fields a pack condition (pack.yaml) reads decide applicability of the rules that name it
    assert {"id": "GDPR-ART35-1-DPIA-APPROVED", "severity": "critical", "status": "applicability",
            "conditions": ["dpia_required"]} in fields["/model_card/risk/gdpr/dpia_required"]["rules"]
    # containers whose fields are listed are not listed themselves
    assert "/model_card/dpia" not in fields and "/model_card" not in fields


def test_tier_selects_rules_and_their_severity_there():
    # GDPR-ART25-1-PRIVACY-CONTROLS: tiers {high: medium, prohibited: medium}
    high = _by_pointer(_listing("--pack", "gdpr", "--version", "1.1.0", "--tier", "high"))
    minimal = _by_pointer(_listing("--pack", "gdpr", "--version", "1.1.0", "--tier", "minimal"))
    assert [(r["id"], r["severity"]) for r in high["/pipeline/privacy_controls"]["rules"]] == [
        ("GDPR-ART25-1-PRIVACY-CONTROLS", "medium")]
    assert "/pipeline/privacy_controls" not in minimal
    # GDPR-ART25-1-PSEUDONYMISED: medium at minimal, high at high
    sev = {t: next(r["severity"] for f in d.values() for r in f["rules"] if r["id"] == "GDPR-ART25-1-PSEUDONYMISED")
           for t, d in (("high", high), ("minimal", minimal))}
    assert sev == {"high": "high", "minimal": "medium"}


@pytest.mark.parametrize("src", discover(plugins=False), ids=lambda s: s.key)
def test_every_listed_pointer_exists_in_the_native_schemas(src):
    pack = load_pack(src)
    for tier in TIERS:
        for field in list_fields(pack, tier).fields:
            assert pointer_tokens(field.pointer)[0] in ("model_card", "data_manifest", "pipeline"), field.pointer
            assert _unknown_in_schema(field.pointer) == [], (src.key, tier, field.pointer)


def test_oracle_rejects_a_field_the_schema_does_not_define():
    assert _unknown_in_schema("/model_card/dpia/reff")
    assert _unknown_in_schema("/data_manifest/datasets/*/sha512")


def test_a_third_party_pack_required_field_named_check_parameters_and_tiers(tmp_path):
    recent = {**OWNER_RULE, "id": "ACME-REVIEWED", "tiers": {"high": "critical"}, "scope": "/model_card",
              "assert": {"check": "recent", "with": {"field": "validation/date", "max_days": 365}},
              "message": "stale", "remediation": "Review it."}
    gate = {**OWNER_RULE, "id": "ACME-GATE", "scope": "/pipeline", "tiers": None,
            "assert": {"check": "gate_before", "with": {"kind": "model_validation", "before": ["deploy"]}},
            "message": "no gate", "remediation": "Gate it."}
    gate.pop("tiers")
    make_pack(tmp_path, rules=[OWNER_RULE, recent, gate])
    limited = _by_pointer(_listing("--pack", "acme", "--tier", "limited", "--policy-path", tmp_path))
    assert {p: (f["status"], f["severity"]) for p, f in limited.items()} == {
        "/model_card/governance/owner": ("required", "medium"), "/pipeline": ("required", "high")}
    high = _by_pointer(_listing("--pack", "acme", "--tier", "high", "--policy-path", tmp_path))
    assert high["/model_card/validation/date"]["rules"][0] == {
        "id": "ACME-REVIEWED", "severity": "critical", "status": "required", "conditions": []}
    # `kind: model_validation` is a value, not a field: only the scope stays
    assert "/pipeline/model_validation" not in high and "/pipeline" in high


def test_text_and_markdown_formats():
    text = cli("fields", "--pack", "gdpr", "--version", "1.1.0", "--tier", "high")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0].startswith("gdpr@1.1.0 at tier high: ")
    assert "/model_card/dpia/ref  [conditional, up to critical]\n" \
           "    GDPR-ART35-1-DPIA-APPROVED (critical, conditional on dpia_required)\n" in text.stdout
    md = cli("fields", "--pack", "gdpr", "--version", "1.1.0", "--tier", "high", "--format", "md")
    assert "| `/model_card/dpia/ref` | conditional | critical | GDPR-ART35-1-DPIA-APPROVED (critical, conditional on " \
           "dpia_required) |" in md.stdout


def test_unknown_pack_is_an_input_error():
    out = cli("fields", "--pack", "no-such-pack")
    assert out.exit_code == 2 and "no-such-pack" in out.stderr
