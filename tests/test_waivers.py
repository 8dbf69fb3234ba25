"""Waivers: scope, fail-closed statuses, day boundaries, time zones, pack caps, register."""
from __future__ import annotations

import json

import pytest
from helpers import OWNER_RULE, cli, make_pack, write_project

AS_OF = "2026-11-01"
DS_RULE = {**OWNER_RULE, "id": "ACME-DS-HASH", "scope": "/data_manifest/datasets/*",
           "assert": {"schema": {"required": ["sha256"]}}, "message": "{id} has no hash"}
DS_RULE.pop("tiers")


def setup(tmp_path, waivers, caps=None):
    make_pack(tmp_path / "packs", rules=[OWNER_RULE, DS_RULE], **({"waiver_max_days": caps} if caps else {}))
    manifest = {"datasets": [{"id": "a"}, {"id": "b"}, {"id": "c", "sha256": "0" * 64}]}
    return write_project(tmp_path / "p", {
        "model_card.yaml": {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "high"}},
        "data_manifest.yaml": manifest, "mlcompliance.yaml": {"packs": {"acme": "*"}},
        "waivers.yaml": {"waivers": waivers}})


def run(tmp_path, waivers, caps=None, as_of=AS_OF):
    project = setup(tmp_path, waivers, caps)
    result = cli("check", project, "--as-of", as_of, "--format", "json", "--policy-path", tmp_path / "packs")
    assert result.exit_code in (0, 1), result.output
    return result, json.loads(result.stdout)


def waiver(rule="ACME-OWNER", **extra):
    return {"rule": rule, "justification": "Owner appointed next sprint; risk accepted by CRO.",
            "approver": "Chief Risk Officer", "created": "2026-10-01", "expires": "2027-01-31", **extra}


def by_rule(data, rule):
    return [f for f in data["findings"] if f["rule_id"] == rule]


def test_active_waiver_waives_and_raw_score_stays(tmp_path):
    _, plain = run(tmp_path / "a", [])
    result, data = run(tmp_path / "b", [waiver()])
    owner = by_rule(data, "ACME-OWNER")[0]
    assert owner["outcome"] == "waived" and owner["waiver"]["id"] == "W1"
    assert data["waivers"][0]["status"] == "active" and data["waivers"][0]["matched"] == [owner["fingerprint"]]
    pack = data["summary"]["packs"][0]
    assert pack["score"]["raw"] == plain["summary"]["packs"][0]["score"]["raw"]
    assert pack["score"]["with_accepted_risk"] > pack["score"]["raw"]
    assert owner["fingerprint"] not in data["gate"]["blocking"]


def test_scope_pointer_glob_narrows_the_waiver(tmp_path):
    _, data = run(tmp_path, [waiver("ACME-DS-HASH", scope={"file": "data_manifest.yaml", "pointer": "/datasets/1"})])
    outcomes = {f["location"]["target"]: f["outcome"] for f in by_rule(data, "ACME-DS-HASH")}
    assert outcomes == {"/datasets/0": "fail", "/datasets/1": "waived", "/datasets/2": "pass"}
    _, data = run(tmp_path / "all", [waiver("ACME-DS-HASH", scope={"pointer": "/datasets/*"})])
    assert [f["outcome"] for f in by_rule(data, "ACME-DS-HASH")] == ["waived", "waived", "pass"]


@pytest.mark.parametrize("expires, status", [
    ("2026-11-01", "expiring"),              # the last day is inclusive
    ("2026-10-31", "expired"),
    ("2026-12-01", "expiring"),              # 30 days left: warns
    ("2026-12-02", "active"),                # 31 days left
    ("2026-11-02T00:30:00+01:00", "expired"),  # = 2026-11-01T23:30Z, before the end of the as-of day (UTC)
    ("2026-11-01T20:00:00-05:00", "expiring"),  # = 2026-11-02T01:00Z, still in force at the end of the day
    ("2026-11-02T00:00:00Z", "expiring"),    # exactly the end of the as-of day
    ("2026-11-01T23:59:59Z", "expired"),
])
def test_day_boundary_and_time_zones(tmp_path, expires, status):
    _, data = run(tmp_path, [waiver(expires=expires)])
    entry = data["waivers"][0]
    assert entry["status"] == status
    owner = by_rule(data, "ACME-OWNER")[0]
    assert owner["outcome"] == ("fail" if status == "expired" else "waived")
    assert owner["waiver"]["status"] == status


def test_expired_waiver_fails_closed_and_is_reported(tmp_path):
    result, data = run(tmp_path, [waiver(expires="2026-09-30")])
    assert result.exit_code == 1
    assert by_rule(data, "ACME-OWNER")[0]["outcome"] == "fail"
    assert by_rule(data, "MLC-WAIVER-EXPIRED")[0]["outcome"] == "fail"
    assert by_rule(data, "MLC-WAIVER-EXPIRED")[0]["location"] == {"file": "waivers.yaml", "line": 2, "column": 1,
                                                                  "pointer": "/waivers/0", "target": "/waivers/0"}


def test_expiring_waiver_warns(tmp_path):
    _, data = run(tmp_path, [waiver(expires="2026-11-20")])
    assert by_rule(data, "MLC-WAIVER-EXPIRING")[0]["outcome"] == "warn"
    assert data["waivers"][0]["days_left"] == 19


def test_stale_waiver(tmp_path):
    _, data = run(tmp_path, [waiver("ACME-NOT-A-RULE")])
    assert data["waivers"][0]["status"] == "stale"
    assert by_rule(data, "MLC-WAIVER-STALE")[0]["outcome"] == "warn"
    # a waiver on a rule that now passes is stale too
    _, data = run(tmp_path / "b", [waiver("ACME-DS-HASH", scope={"pointer": "/datasets/2"})])
    assert data["waivers"][0]["status"] == "stale"


@pytest.mark.parametrize("entry, reason", [
    ({k: v for k, v in waiver().items() if k != "approver"}, "missing required field 'approver'"),
    (waiver(expires="soon"), "not a valid date-or-date-time"),
    (waiver(justification="because"), "too short"),
    (waiver(expires="2027-01-31T10:00:00"), "no UTC offset"),
    (waiver(rule="acme-owner"), "does not have the right form"),
    ("just a string", "wrong type"),
])
def test_malformed_waiver_is_invalid_and_not_applied(tmp_path, entry, reason):
    result, data = run(tmp_path, [entry])
    assert data["waivers"][0]["status"] == "invalid" and reason in data["waivers"][0]["reason"]
    assert by_rule(data, "ACME-OWNER")[0]["outcome"] == "fail"
    assert by_rule(data, "MLC-WAIVER-INVALID")[0]["outcome"] == "fail"
    assert result.exit_code == 1


def test_not_yet_valid_waiver(tmp_path):
    _, data = run(tmp_path, [waiver(created="2026-11-02")])
    assert data["waivers"][0]["status"] == "not_yet_valid"
    assert by_rule(data, "ACME-OWNER")[0]["outcome"] == "fail"


def test_pack_caps_waiver_lifetime_per_severity(tmp_path):
    _, data = run(tmp_path, [waiver(created="2026-10-01", expires="2027-01-31")], caps={"high": 90})
    assert data["waivers"][0]["status"] == "over_long"
    assert "allows at most 90 days for a high finding" in data["waivers"][0]["reason"]
    assert by_rule(data, "ACME-OWNER")[0]["outcome"] == "fail"
    _, data = run(tmp_path / "ok", [waiver(created="2026-10-01", expires="2026-12-30")], caps={"high": 90})
    assert data["waivers"][0]["status"] == "active" and data["waivers"][0]["lifetime_days"] == 90


def test_waiver_file_is_inventoried_and_broken_yaml_is_exit_2(tmp_path):
    _, data = run(tmp_path, [waiver()])
    assert any(f["kind"] == "waivers" and f["path"] == "waivers.yaml" for f in data["project"]["files"])
    project = setup(tmp_path / "b", [])
    (project / "waivers.yaml").write_text("waivers:\n  - rule: [unclosed\n")
    result = cli("check", project, "--as-of", AS_OF, "--policy-path", tmp_path / "b" / "packs")
    assert result.exit_code == 2 and "waivers.yaml:3" in result.stderr
    (project / "waivers.yaml").write_text("waiver: []\n")
    result = cli("check", project, "--as-of", AS_OF, "--policy-path", tmp_path / "b" / "packs")
    assert result.exit_code == 2 and "unknown field 'waiver'" in result.stderr
