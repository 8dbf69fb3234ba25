"""End to end: `mlcompliance check` on the sample projects and on every bad input we promise to reject."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import AS_OF, SAMPLES, cli, tree_digest, write_project

SUPPORT_ROUTER_FAILURES = {
    "MLOPS-01-CI-GREEN", "MLOPS-01-CI-JOBS", "MLOPS-04-MODEL-VERSION", "MLOPS-04-REGISTRY-VERSION",
    "MLOPS-05-METRICS-MEET-THRESHOLDS", "MLOPS-05-MODEL-VALIDATION-GATE", "MLOPS-06-DATA-HASH-MATCHES",
    "MLOPS-06-SEED", "MLOPS-07-CARD-DATASETS-KNOWN", "MLOPS-09-MODEL-AGE", "MLOPS-17-VALIDATOR-INDEPENDENT",
}


def check_json(project, *extra):
    result = cli("check", project, "--as-of", AS_OF, "--format", "json", *extra)
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


def test_compliant_sample_exits_0_with_no_failures(checks):
    result = checks.run(SAMPLES / "invoice-late-payment")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["gate"] == {"tier": "minimal", "fail_on": "high", "source": "mlcompliance.yaml gate.fail_on",
                            "verdict": "compliant", "blocking": []}
    outcomes = {f["outcome"] for f in data["findings"]}
    assert outcomes <= {"pass", "not_applicable", "manual"}
    assert data["summary"]["outcomes"]["pass"] > 40


def test_failing_sample_reports_each_distinct_failure_with_location(checks):
    result = checks.run(SAMPLES / "support-email-router")
    assert result.exit_code == 1
    data = result.json()
    failed = {f["rule_id"] for f in data["findings"] if f["outcome"] == "fail"}
    assert SUPPORT_ROUTER_FAILURES <= failed
    by_rule = {f["rule_id"]: f for f in data["findings"] if f["outcome"] == "fail"}
    version = by_rule["MLOPS-04-MODEL-VERSION"]
    assert version["location"] == {"file": "model_card.yaml", "line": 6, "column": 3,
                                   "pointer": "/model_details/version", "target": ""}
    assert version["observed"] == "1.4"
    assert version["pack"] == "mlops-practices" and version["pack_version"] == "1.4.0"
    assert version["references"] and version["remediation"]
    digest = by_rule["MLOPS-06-DATA-HASH-MATCHES"]
    assert digest["location"]["file"] == "data_manifest.yaml"
    assert digest["location"]["pointer"] == "/datasets/0/sha256"
    assert "e90c256f81" in digest["message"]
    unknown = by_rule["MLOPS-07-CARD-DATASETS-KNOWN"]
    assert unknown["observed"] == "emails-2026q1-holdout" and unknown["location"]["pointer"] == "/datasets/1/id"
    # the gate: fail_on medium from mlcompliance.yaml; every blocking finding is fail/error at >= medium
    assert data["gate"]["fail_on"] == "medium"
    blocking = {f["fingerprint"]: f for f in data["findings"] if f["fingerprint"] in set(data["gate"]["blocking"])}
    assert blocking and all(f["severity"] in ("medium", "high", "critical") for f in blocking.values())
    assert not any(f["severity"] == "low" for f in blocking.values())


def test_broken_sample_exits_2_with_file_line_and_expectation():
    result = cli("check", SAMPLES / "broken-fraud-alerts", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "broken-fraud-alerts/model_card.yaml:10:3: risk.tier: \"hgh\" is not allowed" in result.stderr
    assert '"minimal", "limited", "high", "prohibited"' in result.stderr
    assert "Traceback" not in result.stderr


def test_fail_on_flag_overrides_project_gate(checks):
    assert checks.run(SAMPLES / "support-email-router", fmt="text", options=("--fail-on", "critical")).exit_code == 0
    assert checks.run(SAMPLES / "invoice-late-payment", fmt="text", options=("--fail-on", "info")).exit_code == 0


def test_as_of_drives_dates(checks):
    # the invoice model's CI ran 2026-10-26: 60 days later it is stale (medium, blocks at --fail-on medium)
    assert checks.run(SAMPLES / "invoice-late-payment", options=("--fail-on", "medium")).exit_code == 0
    late = checks.run(SAMPLES / "invoice-late-payment", as_of="2026-12-26", options=("--fail-on", "low"))
    failed = {f["rule_id"] for f in late.json()["findings"] if f["outcome"] == "fail"}
    assert "MLOPS-01-CI-GREEN" in failed and late.exit_code == 1


def test_same_inputs_give_byte_identical_json(checks, sample_copy):
    first = checks.run(SAMPLES / "support-email-router").stdout.decode("utf-8")
    copy = sample_copy("support-email-router")
    second = cli("check", copy, "--as-of", AS_OF, "--format", "json").stdout
    assert first == second
    data = json.loads(first)
    keys = [(f["pack"], f["rule_id"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_fingerprint_ignores_line_numbers(sample_copy):
    project = sample_copy("support-email-router")
    before = {f["rule_id"]: f for f in check_json(project)[1]["findings"] if f["outcome"] == "fail"}
    card = project / "model_card.yaml"
    card.write_text("# a comment that shifts every line\n\n" + card.read_text())
    after = {f["rule_id"]: f for f in check_json(project)[1]["findings"] if f["outcome"] == "fail"}
    rule = "MLOPS-04-MODEL-VERSION"
    assert after[rule]["location"]["line"] == before[rule]["location"]["line"] + 2
    assert after[rule]["fingerprint"] == before[rule]["fingerprint"]


def test_markdown_and_text_outputs(tmp_path, checks):
    out = tmp_path / "summary.md"
    result = cli("check", SAMPLES / "support-email-router", "--as-of", AS_OF, "--format", "md", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    md = out.read_text()
    assert md.startswith("## ❌ mlcompliance: Support e-mail router")
    assert "`MLOPS-04-MODEL-VERSION`" in md and "| mlops-practices | 1.4.0 |" in md
    text = checks.run(SAMPLES / "support-email-router", fmt="text").stdout.decode("utf-8")
    assert "BLOCK  high     MLOPS-04-MODEL-VERSION  model_card.yaml:6" in text
    assert "verdict: NON-COMPLIANT" in text


def test_render_rejects_files_that_are_not_results(tmp_path):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = cli("render", bogus, "--format", "md")
    assert result.exit_code == 2 and "not an mlcompliance result" in result.stderr


def test_check_never_modifies_the_project(tmp_path, sample_copy):
    project = sample_copy("support-email-router")
    before = tree_digest(project)
    cli("check", project, "--as-of", AS_OF, "--format", "json", "-o", tmp_path / "out.json")
    cli("check", project, "--as-of", AS_OF, "--format", "md", "-o", tmp_path / "out.md")
    assert tree_digest(project) == before


def test_output_refuses_to_overwrite_an_evidence_file(tmp_path, sample_copy):
    project = sample_copy("invoice-late-payment")
    before = (project / "model_card.yaml").read_bytes()
    result = cli("check", project, "--as-of", AS_OF, "-o", project / "model_card.yaml")
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert (project / "model_card.yaml").read_bytes() == before


def test_output_is_written_atomically(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "json", "-o", out)
    assert json.loads(out.read_text())["result_version"] == "1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left behind
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


# --- bad inputs: one clear message, exit 2, never a traceback -----------------------------------

GOOD_CARD = {"kind": "model_card", "model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "minimal"}}


def bad(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and result.stderr.startswith("mlcompliance: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("files, fragments", [
    ({"model_card.yaml": "model_details:\n  name: [unclosed\n"}, ["model_card.yaml:3", "invalid YAML"]),
    ({"model_card.yaml": "model_details:\n  version: 2\n"}, ["model_card.yaml:2:3", "model_details.version",
                                                              "wrong type", "expected: a string"]),
    ({"model_card.yaml": "risk:\n  tier: high\n  teir: low\n"}, ["model_card.yaml:3:3", "unknown field 'risk.teir'",
                                                                 "did you mean 'tier'"]),
    ({"model_card.yaml": "model_details:\n  name: a\n  name: b\n"}, ["model_card.yaml:3:3", "duplicate key 'name'"]),
    ({"model_card.yaml": b"model_details:\n  name: \xff\n"}, ["model_card.yaml:2", "not valid UTF-8"]),
    ({"model_card.yaml": "- just\n- a list\n"}, ["model_card.yaml:1:1", "wrong type", "a mapping"]),
    ({"model_card.json": '{"model_details": {"name": "x",}}'}, ["model_card.json:1", "invalid JSON"]),
    ({"model_card.yaml": "model_details:\n  trained_at: 2024-13-45\n"}, ["model_card.yaml:2:3", "not a valid date-or-date-time"]),
    ({"data_manifest.yaml": "datasets:\n  - id: a\n    path: ../../etc/passwd\n"}, ["data_manifest.yaml:3:5", "leave the project"]),
    ({"data_manifest.yaml": "datasets:\n  - id: a\n    path: /etc/passwd\n"}, ["data_manifest.yaml:3:5", "absolute paths"]),
    ({"mlcompliance.yaml": "packs:\n  gdrp: '*'\n"}, ["mlcompliance.yaml:2:3", "unknown policy pack 'gdrp'"]),
    ({"mlcompliance.yaml": "packs:\n  mlops-practices: '>=9'\n"}, ["mlcompliance.yaml:2:3", "no version of pack 'mlops-practices' matches '>=9'", "1.0.0"]),
    ({"mlcompliance.yaml": "packs:\n  mlops-practices: 'latest please'\n"}, ["mlcompliance.yaml:2:3", "invalid version specifier"]),
    ({"mlcompliance.yaml": "evidence:\n  model_card: cards/missing.yaml\n"}, ["mlcompliance.yaml:2:3", "evidence file 'cards/missing.yaml' not found"]),
    ({"mlcompliance.yaml": "evidence:\n  model_card: ../outside.yaml\n"}, ["mlcompliance.yaml:2:3", "leave the project"]),
    ({"mlcompliance.yaml": "gate:\n  fail_on: severe\n"}, ["mlcompliance.yaml:2:3", "\"severe\" is not allowed"]),
])
def test_bad_project_inputs(tmp_path, files, fragments):
    project = write_project(tmp_path / "p", {"model_card.yaml": GOOD_CARD, **files})
    if "model_card.json" in files:
        (project / "model_card.yaml").unlink()
    bad(cli("check", project, "--as-of", AS_OF), *fragments)


def test_symlink_escaping_the_project_is_refused(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("model_details: {name: stolen}\n")
    project = write_project(tmp_path / "p", {})
    os.symlink(outside, project / "model_card.yaml")
    bad(cli("check", project, "--as-of", AS_OF), "model_card.yaml", "symbolic link", "outside the project")


def test_symlinked_data_file_outside_the_project_is_not_read(tmp_path, sample_copy):
    outside = tmp_path / "data.csv"
    outside.write_text("a,b\n1,2\n")
    project = sample_copy("invoice-late-payment")
    (project / "data" / "train.csv").unlink()
    os.symlink(outside, project / "data" / "train.csv")
    result, data = check_json(project)
    hashed = [f for f in data["findings"] if f["rule_id"] == "MLOPS-06-DATA-HASH-MATCHES" and f["outcome"] == "fail"]
    assert hashed and "not in the project" in hashed[0]["message"] + hashed[0].get("detail", "")


@pytest.mark.parametrize("args, fragment", [
    (["check", "{missing}"], "project directory not found"),
    (["check", "{file}"], "not a directory"),
    (["check", "{ok}", "--as-of", "2026-13-01"], "is not a date YYYY-MM-DD"),
    (["check", "{ok}", "--as-of", "26-11-01"], "is not a date YYYY-MM-DD"),
    (["check", "{ok}", "--format", "pdf"], "Invalid value for '--format'"),
    (["check", "{ok}", "--fail-on", "severe"], "Invalid value for '--fail-on'"),
    (["check", "{ok}", "--policy-path", "{missing}"], "policy path is not a directory"),
])
def test_bad_usage_exits_2(tmp_path, args, fragment):
    (tmp_path / "file.txt").write_text("x")
    subst = {"{missing}": str(tmp_path / "nope"), "{file}": str(tmp_path / "file.txt"),
             "{ok}": str(SAMPLES / "invoice-late-payment")}
    result = cli(*[subst.get(a, a) for a in args])
    assert result.exit_code == 2 and fragment in result.stderr and "Traceback" not in result.stderr


def test_missing_documents_fail_rules_instead_of_passing_them(tmp_path):
    project = write_project(tmp_path / "p", {"model_card.yaml": {**GOOD_CARD, "risk": {"tier": "high"}},
                                             "mlcompliance.yaml": {"packs": {"mlops-practices": "*"}}})
    result, data = check_json(project)
    assert result.exit_code == 1
    files = {f["path"]: f for f in data["project"]["files"]}
    assert files["pipeline.yaml"]["sha256"] is None
    failed = [f for f in data["findings"] if f["outcome"] == "fail" and f["location"]["file"] == "pipeline.yaml"]
    assert failed and all(f["location"]["line"] == 1 for f in failed)


def test_console_script_runs_as_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "mlcompliance", "check", str(SAMPLES / "broken-fraud-alerts")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "risk.tier" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "mlcompliance", "check", str(SAMPLES / "invoice-late-payment"),
                           "--as-of", AS_OF], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    imported = subprocess.run([sys.executable, "-c", (
        "import sys; from mlcompliance.cli import main\n"
        "try:\n    main(['check', sys.argv[1], '--as-of', '2026-11-01', '--format', 'json', '--no-probes'])\n"
        "except SystemExit: pass\n"
        "print('HEAVY', sorted(m for m in ('pandas', 'scipy', 'jinja2', 'numpy') if m in sys.modules), file=sys.stderr)"),
        str(SAMPLES / "invoice-late-payment")], capture_output=True, text=True)
    assert "HEAVY []" in imported.stderr


def test_render_rejects_a_damaged_result_with_a_clear_error(tmp_path, checks):
    saved = tmp_path / "r.json"
    data = checks.result(SAMPLES / "support-email-router")
    del data["findings"][0]["location"]
    data["gate"]["verdict"] = "maybe"
    saved.write_text(json.dumps(data))
    for fmt in ("md", "html", "sarif"):
        result = cli("render", saved, "--format", fmt)
        assert result.exit_code == 2 and "not a valid mlcompliance result" in result.stderr, result.output
    portfolio = tmp_path / "p.json"
    cli("check", SAMPLES / "invoice-late-payment", SAMPLES / "support-email-router", "--as-of", AS_OF,
        "--format", "json", "-o", portfolio)
    lines = portfolio.read_text().splitlines(keepends=True)
    data = json.loads(lines[2])
    del data["result"]["findings"]
    lines[2] = json.dumps(data) + "\n"
    portfolio.write_text("".join(lines))
    result = cli("render", portfolio, "--format", "html")
    assert result.exit_code == 2 and f"{portfolio}:3: project '" in result.stderr
    assert "not a project result" in result.stderr and "Traceback" not in result.output
