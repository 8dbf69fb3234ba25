"""`mlcompliance export --to cyclonedx`: a CycloneDX 1.6 ML-BOM, valid against the official schema
(tests/data/cyclonedx, PROVENANCE.md), validated offline through a local `referencing` registry."""
from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from helpers import AS_OF, SAMPLES, cli, tree_digest

SCHEMAS = Path(__file__).parent / "data" / "cyclonedx"
CREDIT = SAMPLES / "credit-scoring"


@cache
def bom_validator():
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    docs = [json.loads((SCHEMAS / n).read_text(encoding="utf-8"))
            for n in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json")]
    registry = Registry().with_resources([(d["$id"], Resource.from_contents(d)) for d in docs])  # no network
    return Draft7Validator(docs[0], registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(bom: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in bom_validator().iter_errors(bom)]


@cache
def exported(project: Path = CREDIT) -> str:
    out = cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF)
    assert out.exit_code == 0, out.output
    return out.stdout


def _props(items: list[dict[str, str]]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in items}


@pytest.mark.parametrize("name", ["credit-scoring", "invoice-late-payment", "support-chatbot", "xray-anomaly"])
def test_bom_is_valid_cyclonedx_1_6(name):
    bom = json.loads(exported(SAMPLES / name))
    assert bom["specVersion"] == "1.6" and bom["bomFormat"] == "CycloneDX"
    assert schema_errors(bom) == []


def test_the_official_schema_bites():
    bom = json.loads(exported())
    bom["components"][0]["modelCard"]["modelParameters"]["approach"]["type"] = "guesswork"
    bom["components"][1]["hashes"][0]["content"] = "not-a-digest"
    errors = schema_errors(bom)
    assert any("guesswork" in e for e in errors) and any("not-a-digest" in e for e in errors)


def test_model_component_and_model_card():
    bom = json.loads(exported())
    model = bom["components"][0]
    assert (model["type"], model["name"], model["version"]) == (
        "machine-learning-model", "Unsecured personal loan application PD model (UPL-PD)", "5.0.0")
    card = model["modelCard"]
    params = card["modelParameters"]
    assert params["approach"] == {"type": "supervised"} and params["task"] == "binary_classification"
    assert params["modelArchitecture"] == "gradient_boosted_trees"
    assert params["datasets"] == [{"ref": "data:upl-applications-train"}, {"ref": "data:upl-applications-oot"},
                                  {"ref": "data:declined-applications-2019"}, {"ref": "data:macro-series"}]
    metrics = card["quantitativeAnalysis"]["performanceMetrics"]
    assert len(metrics) == 6
    assert metrics[0] == {"type": "gini", "value": "0.642", "slice": "overall",
                          "confidenceInterval": {"lowerBound": "0.628", "upperBound": "0.656"}}
    assert metrics[2] == {"type": "brier_score", "value": "0.0297", "slice": "overall"}
    considerations = card["considerations"]
    assert considerations["users"] == ["Retail credit decisioning engine", "Personal lending underwriters",
                                       "Retail Credit Risk"]
    assert considerations["fairnessAssessments"][0] == {"groupAtRisk": "age_band"}


def test_datasets_carry_the_manifest_sha256_and_libraries_the_lock_file():
    bom = json.loads(exported())
    data = {c["name"]: c for c in bom["components"] if c["type"] == "data"}
    assert list(data) == ["upl-applications-train", "upl-applications-oot", "declined-applications-2019",
                          "upl-oot-predictions-5.0.0", "macro-series"]
    assert data["upl-applications-train"]["hashes"] == [
        {"alg": "SHA-256", "content": "bf25158e10e66a647a6c6d08be4190a8afa350ab63a7f1e3efe4faa9a1396429"}]
    assert data["upl-applications-train"]["data"][0]["type"] == "dataset"
    libs = {c["name"]: c for c in bom["components"] if c["type"] == "library"}
    pins = [line.split("==") for line in (CREDIT / "requirements.lock").read_text().splitlines()
            if "==" in line and not line.startswith("#")]
    assert {n: libs[n]["version"] for n, _ in pins} == dict(pins)
    assert libs["xgboost"]["purl"] == "pkg:pypi/xgboost@2.1.1"
    model_deps = next(d for d in bom["dependencies"] if d["ref"] == bom["components"][0]["bom-ref"])
    assert "pkg:pypi/xgboost@2.1.1" in model_deps["dependsOn"] and "data:macro-series" in model_deps["dependsOn"]


def test_compliance_result_as_properties_is_the_checks():
    bom = json.loads(exported())
    checked = cli("check", CREDIT, "--format", "json", "--as-of", AS_OF)
    result = json.loads(checked.stdout)
    props = _props(bom["metadata"]["properties"])
    assert props["mlcompliance:verdict"] == result["gate"]["verdict"] == "non_compliant"
    assert props["mlcompliance:result_sha256"] == hashlib.sha256(checked.stdout.encode()).hexdigest()
    assert {k.split(":")[-1]: v for k, v in props.items() if k.startswith("mlcompliance:pack:")} == {
        p["id"]: p["version"] for p in result["packs"]}
    for severity in ("critical", "high", "medium", "low", "info"):
        expected = sum(1 for f in result["findings"] if f["outcome"] in ("fail", "error") and f["severity"] == severity)
        assert props[f"mlcompliance:findings:{severity}"] == str(expected)
    assert (props["mlcompliance:findings:high"], props["mlcompliance:findings:medium"]) == ("2", "5")
    assert bom["metadata"]["timestamp"] == f"{AS_OF}T00:00:00Z"


def test_deterministic_and_serial_number_follows_content(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(CREDIT, project)
    before = tree_digest(project)
    target = tmp_path / "bom.json"
    assert cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF, "-o", target).exit_code == 0
    first = target.read_text()
    assert cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF, "-o", target).exit_code == 0
    assert target.read_text() == first == exported()          # byte-identical, wherever the project is
    assert tree_digest(project) == before                      # inputs never modified
    card = project / "model_card.yaml"
    card.write_text(card.read_text().replace("version: 5.0.0", "version: 5.0.1", 1))
    changed = json.loads(cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF).stdout)
    assert changed["serialNumber"] != json.loads(first)["serialNumber"]
    assert changed["serialNumber"].startswith("urn:uuid:")


def test_refuses_to_overwrite_an_evidence_file_and_bad_input_is_exit_2(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(CREDIT, project)
    out = cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF, "-o", project / "model_card.yaml")
    assert out.exit_code == 2
    (project / "model_card.yaml").write_text("model_details: [\n")
    out = cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF)
    assert out.exit_code == 2 and "model_card.yaml:" in out.stderr


def test_a_lock_file_outside_the_project_is_never_read(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(SAMPLES / "invoice-late-payment", project)
    (project / "requirements.lock").unlink()
    (project / "requirements.lock").symlink_to("/etc/passwd")
    out = cli("export", "--to", "cyclonedx", project, "--as-of", AS_OF)
    assert out.exit_code == 2 and "outside the project directory" in out.stderr and out.stdout == ""
