"""Issue 12 items that had no biting test when the issue was traced item by item.

Defect 7, "CI and data files cited as evidence have no sha256 in the inventory": the data files the
data probe hashed and the CI (DVC, MLflow, dependency-bot) files the repository probe read are
listed in ``project.files`` with the sha256 of their bytes, so the HTML inventory, SARIF artifacts
and OSCAL back-matter name them with their digest.
"""
from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml
from helpers import AS_OF, SAMPLES, cli
from jsonschema import Draft202012Validator

from mlcompliance.evidence.schemas import format_checker, schema

CREDIT = SAMPLES / "credit-scoring"


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inventory_rows(html: str) -> dict[str, tuple[str, str]]:
    """path -> (kind, sha256) of the HTML report's "Input files" table."""
    section = html.split('id="inventory"', 1)[1].split("</section>", 1)[0]
    table = section.split('<table class="files">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><td><code>([^<]+)</code></td><td>([^<]*)</td><td>[^<]*</td>'
                      r'<td><code class="hash">([^<]*)</code>', table)
    return {path: (kind, sha) for path, kind, sha in rows}


def test_data_files_are_in_the_inventory_with_their_sha256(checks):
    result = checks.result(CREDIT)
    files = {f["path"]: f for f in result["project"]["files"]}
    datasets = [d for d in result["data"]["datasets"] if d["sha256"]]
    assert len(datasets) == 2
    for d in datasets:
        assert files[d["file"]]["kind"] == "data" and files[d["file"]]["format"] == "csv"
        assert files[d["file"]]["sha256"] == _sha(CREDIT / d["file"])
    html = checks.run(CREDIT, fmt="html").stdout.decode("utf-8")
    rows = _inventory_rows(html)
    for d in datasets:
        assert rows[d["file"]] == ("data", _sha(CREDIT / d["file"]))
    sarif = json.loads(checks.run(CREDIT, fmt="sarif").stdout)
    hashed = {a["location"]["uri"]: a.get("hashes", {}).get("sha-256") for a in sarif["runs"][0]["artifacts"]}
    assert all(hashed.get(u) == _sha(CREDIT / d["file"]) for d in datasets
               for u in hashed if u.endswith(d["file"]))
    assert sum(1 for u in hashed for d in datasets if u.endswith(d["file"])) == len(datasets)


def test_without_probes_no_data_file_is_listed(checks):
    result = checks.run(CREDIT, options=("--no-probes",)).json()
    assert not any(f["kind"] == "data" for f in result["project"]["files"])


def test_a_ci_file_no_adapter_read_is_in_the_inventory(sample_copy, tmp_path):
    """With the CI adapter disabled the repository probe still reads the workflow and rules use its
    facts (/observed/repository/ci): the file is listed as kind ci with its sha256."""
    root = sample_copy("invoice-late-payment")
    cfg = yaml.safe_load((root / "mlcompliance.yaml").read_text(encoding="utf-8"))
    cfg["adapters"] = {"disabled": ["ci"]}
    (root / "mlcompliance.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    out = tmp_path / "r.json"
    res = cli("check", root, "--as-of", AS_OF, "--format", "json", "-o", out, "-o", f"html={tmp_path / 'r.html'}",
              "-o", f"oscal={tmp_path / 'r.oscal.json'}")
    assert res.exit_code == 0, res.output
    result = json.loads(out.read_text(encoding="utf-8"))
    ci = ".github/workflows/ci.yml"
    (entry,) = [f for f in result["project"]["files"] if f["path"] == ci]
    assert entry == {"path": ci, "kind": "ci", "format": "yaml", "sha256": _sha(root / ci)}
    assert _inventory_rows((tmp_path / "r.html").read_text(encoding="utf-8"))[ci] == ("ci", _sha(root / ci))
    oscal = json.loads((tmp_path / "r.oscal.json").read_text(encoding="utf-8"))
    resources = oscal["assessment-results"]["back-matter"]["resources"]
    hashes = [h["value"] for r in resources if r.get("title") == ci for link in r["rlinks"] for h in link["hashes"]]
    assert hashes == [_sha(root / ci)]
    errors = list(Draft202012Validator(schema("result"), format_checker=format_checker()).iter_errors(result))
    assert not errors, [e.message for e in errors[:3]]


def test_a_lockfile_a_rule_hashed_is_in_the_inventory(sample_copy, tmp_path):
    """MLOPS-06-LOCKFILE-DIGEST hashes requirements.lock: the inventory lists it (kind project_file)
    with that sha256, so an auditor can match the environment file the verdict rests on."""
    root = sample_copy("invoice-late-payment")
    out = tmp_path / "r.json"
    res = cli("check", root, "--as-of", AS_OF, "--format", "json", "-o", out)
    assert res.exit_code == 0, res.output
    result = json.loads(out.read_text(encoding="utf-8"))
    (entry,) = [f for f in result["project"]["files"] if f["path"] == "requirements.lock"]
    assert entry == {"path": "requirements.lock", "kind": "project_file", "format": "text",
                     "sha256": _sha(root / "requirements.lock")}
    errors = list(Draft202012Validator(schema("result"), format_checker=format_checker()).iter_errors(result))
    assert not errors, [e.message for e in errors[:3]]


def test_every_file_a_finding_or_the_tier_basis_cites_is_inventoried_with_its_sha256(checks):
    validator = Draft202012Validator(schema("result"), format_checker=format_checker())
    for name in ("credit-scoring", "invoice-late-payment", "support-chatbot", "support-email-router", "xray-anomaly"):
        result = checks.result(SAMPLES / name)
        assert not list(validator.iter_errors(result)), name
        sha = {f["path"]: f["sha256"] for f in result["project"]["files"]}
        cited = {f["location"]["file"] for f in result["findings"] if f.get("location")}
        cited |= {b["file"] for b in result["risk"]["basis"]} | {e["file"] for e in result.get("excerpts") or []}
        cited |= {d["file"] for d in (result.get("data") or {}).get("datasets", []) if d["sha256"]}
        for path in cited:
            assert re.fullmatch(r"[0-9a-f]{64}", sha.get(path) or ""), (name, path)
            assert sha[path] == _sha(SAMPLES / name / path), (name, path)


# --- must have, executive summary: waivers expiring (not only expired) are named on page 1 -------

def test_summary_names_a_waiver_expiring_within_30_days(checks):
    """credit-scoring on 2026-12-10: W-MRM-2026-041 (expires 2026-12-31) has 21 days left; W-DP-2026-007
    and W-PLAT-2026-112 have expired; the summary counts and names all three, expired first."""
    out = checks.run(CREDIT, fmt="html", as_of="2026-12-10", options=("--no-probes",))
    assert out.exit_code == 1, out.stderr
    html = out.stdout.decode("utf-8")
    summary = html.split('<section id="summary"', 1)[1].split("</section>", 1)[0]
    assert "<strong>2</strong> expired, <strong>1</strong> expiring within 30 days of 2026-12-10" in summary
    assert ('<span class="badge w-warn">expiring</span> <code>W-MRM-2026-041</code> on '
            "<code>PRA-P4.5-REVALIDATION-NOT-OVERDUE</code>: expires 2026-12-31 (21 days left)") in summary
    named = re.findall(r'<span class="badge w-(?:bad|warn)">(\w+)</span> <code>([\w-]+)</code>', summary)
    assert named == [("expired", "W-DP-2026-007"), ("expired", "W-PLAT-2026-112"), ("expiring", "W-MRM-2026-041")]


# --- must have, OSCAL: no heavy runtime dependency ------------------------------------------------

def test_oscal_output_needs_no_validator_or_regex_package(tmp_path):
    """``--format oscal`` adds no dependency: the ``regex`` package the tests validate with, and no
    OSCAL library (compliance-trestle, pydantic, lxml), is imported by it."""
    import subprocess
    import sys
    from pathlib import Path
    src = Path(__file__).resolve().parent.parent / "src"
    code = ("import sys\n"
            "from click.testing import CliRunner\n"
            "from mlcompliance.cli import main\n"
            f"r = CliRunner().invoke(main, ['check', {str(SAMPLES / 'invoice-late-payment')!r}, '--as-of', "
            f"{AS_OF!r}, '--no-probes', '--format', 'oscal'])\n"
            "assert r.exit_code == 0, r.output\n"
            "assert '\"assessment-results\"' in r.stdout\n"
            "print(sorted(m for m in ('regex', 'lxml', 'pydantic', 'trestle') "
            "if m in sys.modules))\n")
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_contains_failure_reads_as_words_not_as_a_json_schema():
    """Defect 7 (raw values an auditor notices): "no item matches {"properties": {"name": {"pattern":
    "(^|[^A-Za-z0-9])([Nn][Aa][…"  was printed in maturity and finding details; now the requirement in words."""
    from jsonschema import Draft202012Validator as V

    from mlcompliance.evidence.schemas import describe_error

    def detail(schema: dict, instance: object) -> str:
        return describe_error(next(V(schema).iter_errors(instance)))[0]

    assert detail({"contains": {"enum": ["performance_drop", "drift"]}}, ["schedule"]) == \
        '(top level): no item is "performance_drop" or "drift"'
    assert detail({"contains": {"required": ["signature"]}}, [{}]) == "(top level): no item with signature"
    assert detail({"contains": {"properties": {"name": {"pattern": "^[Nn]a[Nn]"}}, "required": ["name", "at"]}},
                  [{"name": "auc"}]) == "(top level): no item with at and with name of the expected form"
    assert detail({"contains": {"minimum": 3}}, [1]) == '(top level): no item matches {"minimum": 3}'
    assert detail({"maxItems": 0}, ["a"]) == '(top level): ["a"] should be empty'


@pytest.mark.parametrize("name", ["support-chatbot", "credit-scoring", "xray-anomaly"])
def test_no_sample_result_prints_a_json_schema_or_a_python_repr(sample_check, name):
    _, result = sample_check(name)
    text = json.dumps(result, ensure_ascii=False)
    assert 'no item matches {\\"properties' not in text and "is expected to be empty" not in text
    assert "['" not in text
