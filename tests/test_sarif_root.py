"""SARIF file URIs relative to the repository (--sarif-root, the git root, else the working
directory), a stable automationDetails.id per project, and real help for manual requirements."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import AS_OF, SAMPLES, cli, validate_sarif

from mlcompliance.render import sarif


def _sarif(*args, cwd: Path | None = None, monkeypatch=None) -> dict:
    if cwd is not None:
        monkeypatch.chdir(cwd)
    out = cli("check", *args, "--as-of", AS_OF, "--no-probes", "--format", "sarif")
    assert out.exit_code in (0, 1), out.output
    doc = json.loads(out.stdout)
    validate_sarif(doc)
    return doc


def _uris(doc: dict) -> set[str]:
    run = doc["runs"][0]
    return ({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
            | {a["location"]["uri"] for a in run["artifacts"]})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository (a .git directory is all the detection needs) with a project two levels down."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(SAMPLES / "support-email-router", root / "models" / "router")
    return root


def test_a_project_in_a_subdirectory_gets_repository_relative_uris(repo, monkeypatch):
    for cwd, arg in ((repo, "models/router"), (repo / "models" / "router", "."), (repo / "models", "router")):
        doc = _sarif(arg, cwd=cwd, monkeypatch=monkeypatch)
        uris = _uris(doc)
        assert uris and all(u.startswith("models/router/") for u in uris), (cwd, uris)
        assert any((repo / u).is_file() for u in uris)
        assert doc["runs"][0]["automationDetails"] == {"id": "mlcompliance/models/router/"}


def test_sarif_root_overrides_detection(repo, monkeypatch):
    doc = _sarif("models/router", "--sarif-root", "models", cwd=repo, monkeypatch=monkeypatch)
    assert all(u.startswith("router/") for u in _uris(doc))
    assert doc["runs"][0]["automationDetails"]["id"] == "mlcompliance/router/"
    doc = _sarif("router", "--sarif-root", repo, cwd=repo / "models", monkeypatch=monkeypatch)
    assert all(u.startswith("models/router/") for u in _uris(doc))
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    bad = cli("check", "router", "--as-of", AS_OF, "--no-probes", "--format", "sarif", "--sarif-root", elsewhere)
    assert bad.exit_code == 2 and "does not contain" in bad.output


def test_without_git_uris_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    shutil.copytree(SAMPLES / "support-email-router", tmp_path / "work" / "proj")
    doc = _sarif("proj", cwd=tmp_path / "work", monkeypatch=monkeypatch)
    assert all(u.startswith("proj/") for u in _uris(doc))
    doc = _sarif(".", cwd=tmp_path / "work" / "proj", monkeypatch=monkeypatch)
    assert not any(u.startswith("proj/") for u in _uris(doc))
    assert doc["runs"][0]["automationDetails"]["id"].startswith("mlcompliance/")


def test_render_of_a_saved_result_takes_the_prefix(repo, monkeypatch, tmp_path):
    monkeypatch.chdir(repo)
    saved = tmp_path / "r.json"
    assert cli("check", "models/router", "--as-of", AS_OF, "--no-probes", "--format", "json", "-o", saved).exit_code == 1
    direct = cli("check", "models/router", "--as-of", AS_OF, "--no-probes", "--format", "sarif").stdout
    again = cli("render", saved, "--format", "sarif", "--sarif-prefix", "models/router").stdout
    assert again == direct


def test_portfolio_uris_and_one_automation_id(repo, monkeypatch):
    shutil.copytree(SAMPLES / "invoice-late-payment", repo / "models" / "invoice")
    doc = _sarif("router", "invoice", cwd=repo / "models", monkeypatch=monkeypatch)
    uris = _uris(doc)
    assert {u.split("/")[1] for u in uris} == {"router", "invoice"} and all(u.startswith("models/") for u in uris)
    assert doc["runs"][0]["automationDetails"]["id"] == "mlcompliance/portfolio/models/"


def test_automation_id_is_stable_and_distinct():
    assert sarif.automation_id("models/a", "A") == "mlcompliance/models/a/"
    assert sarif.automation_id("models/a", "A") != sarif.automation_id("models/b", "A")
    assert sarif.automation_id("", "Credit scoring: UPL") == "mlcompliance/Credit-scoring-UPL/"
    assert sarif.automation_id("", "") == "mlcompliance/project/"


def test_no_rule_help_says_only_nothing_to_attest(checks):
    """Manual requirements that do not apply still describe what a person attests."""
    for name in ("credit-scoring", "invoice-late-payment", "support-chatbot"):
        out = checks.run(SAMPLES / name, fmt="sarif")
        rules = json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]
        for r in rules:
            assert "Nothing to attest" not in r["help"]["text"], r["id"]
            assert "Nothing to attest" not in r["help"]["markdown"], r["id"]
        manual = [r for r in rules if "model_card.attestations" in r["help"]["text"]]
        assert manual, name


def _failure_sarif(*args) -> dict:
    out = cli("check", *args, "--as-of", AS_OF, "--no-probes", "--format", "sarif")
    assert out.exit_code == 2, out.output
    doc = json.loads(out.stdout)
    validate_sarif(doc)
    return doc


def _locations(doc: dict) -> list[str]:
    run = doc["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    return [x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in (*run["results"], *notes)]


def test_a_project_that_fails_to_load_gets_repository_relative_uris(repo, monkeypatch):
    """The input error of a project in a subdirectory lands on its file in the repository, under
    the project's own automation id, whether run from the root, the project or between."""
    shutil.copytree(SAMPLES / "broken-fraud-alerts", repo / "models" / "broken")
    for cwd, arg in ((repo, "models/broken"), (repo / "models" / "broken", "."), (repo / "models", "broken")):
        monkeypatch.chdir(cwd)
        doc = _failure_sarif(arg)
        assert set(_locations(doc)) == {"models/broken/model_card.yaml"}, cwd
        assert (repo / "models/broken/model_card.yaml").is_file()
        assert doc["runs"][0]["automationDetails"] == {"id": "mlcompliance/models/broken/"}
    monkeypatch.chdir(repo)
    assert set(_locations(_failure_sarif("models/broken", "--sarif-root", "models"))) == {"broken/model_card.yaml"}


def test_a_portfolio_input_error_is_located_under_the_sarif_root(repo, monkeypatch):
    shutil.copytree(SAMPLES / "broken-fraud-alerts", repo / "models" / "broken")
    monkeypatch.chdir(repo / "models")
    doc = _failure_sarif("router", "broken")
    errors = [u for u in _locations(doc) if "broken" in u]
    assert errors and set(errors) == {"models/broken/model_card.yaml"}
