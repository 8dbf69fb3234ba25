"""`mlcompliance init`: drafts from the repository's files and the adapters, each value with its
source; the questionnaire for what no file holds; never overwrites; the drafts check end to end."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import AS_OF, cli, tree_digest, write_project

from mlcompliance.cli import main, project_cmds
from mlcompliance.errors import InputError
from mlcompliance.evidence import adapters
from mlcompliance.evidence.adapters.base import Adapted, Origin
from mlcompliance.evidence.project import load_project
from mlcompliance.tools import init_draft as lib
from mlcompliance.tools.fields import defined

WORKFLOW = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  unit_tests:
    runs-on: ubuntu-latest
    steps:
      - run: pytest -q
  train:
    runs-on: ubuntu-latest
    steps:
      - run: dvc repro
"""
DVC = """stages:
  prepare:
    cmd: python src/prepare.py
  train:
    cmd: python src/train.py
  evaluate:
    cmd: python src/evaluate.py
"""
MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    sklearn_version: 1.5.1
run_id: 0a1b2c
"""
ANSWERS = """purpose: Decide consumer loan applications
risk_tier: high
risk_rationale: Creditworthiness of natural persons (AI Act Annex III 5(b))
ai_act_category: high_risk_annex_iii
ai_act_annex_iii_point: 5b
decision_automation: solely_automated
decision_effect: similarly_significant
personal_data: true
lawful_basis: contract
jurisdictions: EU, GB
dpia_required: true
packs: [gdpr, mlops-practices]
"""
LOCK = b"numpy==1.26.4\nscikit-learn==1.5.1\n"


def lender_repo(root: Path) -> Path:
    return write_project(root, {".github/workflows/ci.yml": WORKFLOW, "dvc.yaml": DVC, "model/MLmodel": MLMODEL,
                                "requirements.lock": LOCK, "answers.yaml": ANSWERS})


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_drafts_from_probe_facts_with_file_line_comments(tmp_path):
    repo = lender_repo(tmp_path / "repo")
    out = cli("init", repo, "--answers", repo / "answers.yaml")
    assert out.exit_code == 0, out.output
    pipeline = _lines(repo / "pipeline.yaml")
    # the pipeline adapters (ci, dvc, mlflow) come first; the probe fills what they leave
    assert '  triggers: ["pull_request", "push"]  # from .github/workflows/ci.yml:2 (ci)' in pipeline
    assert '  jobs: ["unit_tests", "train"]  # from .github/workflows/ci.yml:6 (probe)' in pipeline
    assert '  provider: "github_actions"  # from .github/workflows/ci.yml:1 (ci)' in pipeline
    assert '    name: "train"  # from dvc.yaml:4 (dvc)' in pipeline
    assert '    kind: "training"  # from dvc.yaml:4 (dvc)' in pipeline
    assert '    kind: "model_validation"  # from dvc.yaml:6 (dvc)' in pipeline   # "evaluate" stage
    sha = "65c8710618182cbb575d4f11a5f4ee2aa51db67c58670a0542ddf17f0673cd1e"      # sha256 of LOCK
    assert f'  lockfile_sha256: "{sha}"  # from requirements.lock:1 (probe)' in pipeline
    card = _lines(repo / "model_card.yaml")
    assert '  framework: "sklearn 1.5.1"  # from model/MLmodel:2 (mlflow)' in card
    assert '  tier: "high"  # answer \'risk_tier\' (answers.yaml)' in card
    assert '    annex_iii_point: "5b"  # answer \'ai_act_annex_iii_point\' (answers.yaml)' in card
    manifest = _lines(repo / "data_manifest.yaml")
    assert '    id: "training-data"  # default of question \'dataset_id\': review it' in manifest
    assert '    jurisdictions: ["EU", "GB"]  # answer \'jurisdictions\' (answers.yaml)' in manifest
    # every value line carries a comment naming its source
    for name in ("model_card.yaml", "data_manifest.yaml", "pipeline.yaml", "mlcompliance.yaml"):
        for line in _lines(repo / name):
            if line.strip() and not line.lstrip().startswith("#") and not line.rstrip().endswith(":") \
                    and line.strip() != "-":
                assert "  # " in line, (name, line)


def test_drafts_load_validate_and_check_end_to_end(tmp_path):
    repo = lender_repo(tmp_path / "repo")
    assert cli("init", repo, "--answers", repo / "answers.yaml").exit_code == 0
    project = load_project(repo)                       # validates every file against its schema
    assert project.bundle["data_manifest"]["datasets"][0]["lawful_basis"] == "contract"
    assert project.settings["packs"] == {"gdpr": "*", "mlops-practices": "*"}
    checked = cli("check", repo, "--format", "json", "--as-of", AS_OF)
    assert checked.exit_code == 1, checked.stderr
    result = json.loads(checked.stdout)
    assert sorted(p["id"] for p in result["packs"]) == ["gdpr", "mlops-practices"]
    assert result["risk"]["tier"] == "high"
    assert {f["rule_id"] for f in result["findings"] if f["outcome"] == "fail"} >= {"GDPR-ART35-1-DPIA-APPROVED"}


def test_empty_directory_without_answers_still_checks(tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    out = cli("init", repo)          # not a terminal, no --answers: nothing asked, questions listed
    assert out.exit_code == 0, out.output
    assert "still to answer: model_name, purpose," in out.stdout
    load_project(repo)
    assert cli("check", repo, "--as-of", AS_OF).exit_code in (0, 1)


def test_never_overwrites_without_force(tmp_path):
    repo = lender_repo(tmp_path / "repo")
    (repo / "pipeline.yml").write_text("kind: pipeline\n")
    before = tree_digest(repo)
    out = cli("init", repo, "--answers", repo / "answers.yaml")
    assert out.exit_code == 2 and f"{repo.as_posix()}/pipeline.yml" in out.stderr and "--force" in out.stderr
    assert tree_digest(repo) == before                  # nothing written, not even the other files
    assert cli("init", repo, "--answers", repo / "answers.yaml", "--force").exit_code == 0
    assert (repo / "model_card.yaml").exists()


@pytest.mark.parametrize("text, line, message", [
    ("risk_tier: high\nrisk_teir: high\n", 2, "unknown question 'risk_teir'"),
    ("purpose: ok\nrisk_tier: extreme\n", 2, "answer to 'risk_tier'"),
    ("personal_data: maybe\n", 1, "answer to 'personal_data'"),
    ("jurisdictions: [EU, 3]\n", 1, "answer to 'jurisdictions'"),
    ("packs: [gdpr, no-such-pack]\n", 1, "answer to 'packs'"),
    ("- risk_tier\n", 1, "must be a mapping"),
])
def test_bad_answers_are_exit_2_with_file_line(tmp_path, text, line, message):
    repo = lender_repo(tmp_path / "repo")
    (repo / "answers.yaml").write_text(text)
    out = cli("init", repo, "--answers", repo / "answers.yaml")
    assert out.exit_code == 2
    assert f"answers.yaml:{line}:" in out.stderr and message in out.stderr
    assert not (repo / "model_card.yaml").exists()


def test_unknown_question_suggests_the_close_one(tmp_path):
    repo = lender_repo(tmp_path / "repo")
    (repo / "answers.yaml").write_text("risk_teir: high\n")
    assert "did you mean 'risk_tier'?" in cli("init", repo, "--answers", repo / "answers.yaml").stderr


def _hf_card() -> Adapted:
    """What a Hugging Face model-card adapter returns (hand-built: the registry is another branch's)."""
    return Adapted("model_card", "huggingface", "README.md",
                   {"model_details": {"name": "loan-pd", "framework": "xgboost", "license": "apache-2.0"},
                    "limitations": ["Not for business lending"],
                    "datasets": [{"id": "applications", "split": "train"}]},
                   {"/model_details/name": Origin("README.md", 3, 7, "huggingface"),
                    "/model_details": Origin("README.md", 2, 1, "huggingface"),
                    "/limitations": Origin("README.md", 41, 1, "huggingface")},
                   missing=["/intended_use/purpose", "/intended_use/out_of_scope"])


def _dvc_lock() -> Adapted:
    return Adapted("data_manifest", "dvc", "dvc.lock",
                   {"datasets": [{"id": "applications", "path": "data/applications.csv",
                                  "sha256": "ab" * 32}]},
                   {"/datasets/0": Origin("dvc.lock", 9, 9, "dvc"), "/datasets/0/sha256": Origin("dvc.lock", 11, 13, "dvc")})


def _croissant() -> Adapted:
    return Adapted("data_manifest", "croissant", "metadata.json",
                   {"datasets": [{"id": "applications", "sha256": "cd" * 32, "description": "Loan applications"},
                                 {"id": "bureau", "description": "Bureau extract"}]},
                   {"/datasets/0/description": Origin("metadata.json", 5, 3, "croissant"),
                    "/datasets/1": Origin("metadata.json", 20, 5, "croissant")})


def test_adapter_fragments_merge_before_probe_facts_with_their_origins(tmp_path):
    repo = lender_repo(tmp_path / "repo")
    draft = lib.merge(lib.gather(repo, detect=lambda root, settings: [_hf_card(), _dvc_lock(), _croissant()]))
    card, manifest = draft.docs["model_card"], draft.docs["data_manifest"]
    assert card["model_details"]["framework"] == "xgboost"          # the adapter wins over MLmodel's "sklearn"
    assert draft.notes["/model_card/model_details/framework"] == "from README.md:2 (huggingface)"   # nearest ancestor
    assert draft.notes["/model_card/model_details/name"] == "from README.md:3 (huggingface)"
    assert draft.notes["/model_card/limitations"] == "from README.md:41 (huggingface)"
    assert manifest["datasets"] == [
        {"id": "applications", "path": "data/applications.csv", "sha256": "ab" * 32, "description": "Loan applications"},
        {"id": "bureau", "description": "Bureau extract"}]          # merged by id; the first source's hash wins
    assert draft.notes["/data_manifest/datasets/0/sha256"] == "from dvc.lock:11 (dvc)"
    assert draft.notes["/data_manifest/datasets/0/description"] == "from metadata.json:5 (croissant)"
    assert draft.notes["/data_manifest/datasets/1/id"] == "from metadata.json:20 (croissant)"
    assert draft.sources[:3] == ["huggingface: README.md", "dvc: dvc.lock", "croissant: metadata.json"]
    # with datasets found, `dataset_id` is not asked and answers reach every dataset
    questions = lib.load_questions()
    assert "dataset_id" not in [q.id for q in lib.to_ask(questions, draft)]
    lib.apply_answers(draft, questions, {"personal_data": True, "lawful_basis": "contract"}, "a.yaml")
    assert [d["lawful_basis"] for d in manifest["datasets"]] == ["contract", "contract"]


def test_init_uses_the_adapter_registry_when_installed(tmp_path, monkeypatch):
    repo = lender_repo(tmp_path / "repo")
    seen = []

    def detect(root, settings):
        seen.append((root, settings))
        return [_hf_card()]
    monkeypatch.setattr(adapters, "detect", detect, raising=False)
    out = cli("init", repo, "--answers", repo / "answers.yaml")
    assert out.exit_code == 0, out.output
    assert seen == [(repo, {})] and "huggingface: README.md" in out.stdout
    card = _lines(repo / "model_card.yaml")
    assert '  name: "loan-pd"  # from README.md:3 (huggingface)' in card
    assert "# Placeholders in the sources (not drafted, still to write): /model_card/intended_use/out_of_scope (README.md)" \
        in card
    assert '  name: "loan-pd"  # from README.md:3 (huggingface)' in _lines(repo / "mlcompliance.yaml")
    load_project(repo)
    # with --force, the existing mlcompliance.yaml's settings reach the adapters
    (repo / "mlcompliance.yaml").write_text("project: {name: loan-pd}\nx-adapters: [huggingface]\n")
    assert cli("init", repo, "--answers", repo / "answers.yaml", "--force").exit_code == 0
    assert seen[-1] == (repo, {"project": {"name": "loan-pd"}, "x-adapters": ["huggingface"]})


def test_interactive_questionnaire_on_a_terminal(tmp_path, monkeypatch):
    repo = lender_repo(tmp_path / "repo")
    monkeypatch.setattr(project_cmds, "_terminal", lambda: True)
    questions = [q.id for q in lib.to_ask(lib.load_questions(), lib.merge(lib.probe_fragments(repo)))]
    replies = {"purpose": "Decide loans", "risk_tier": "extreme\nhigh", "personal_data": "yes",
               "lawful_basis": "contract", "jurisdictions": "EU, GB"}
    typed = "\n".join(replies.get(q, "") for q in questions) + "\n"   # empty line: question skipped
    out = CliRunner().invoke(main, ["init", str(repo)], input=typed)
    assert out.exit_code == 0, out.output
    assert "not a valid answer" in out.output                     # "extreme" was refused, then "high" taken
    card = _lines(repo / "model_card.yaml")
    assert '  tier: "high"  # answer \'risk_tier\' (asked by init)' in card
    manifest = _lines(repo / "data_manifest.yaml")
    assert '    jurisdictions: ["EU", "GB"]  # answer \'jurisdictions\' (asked by init)' in manifest


def test_every_question_targets_a_native_field_and_types_come_from_the_schema():
    questions = lib.load_questions()
    for q in questions:
        assert q.target == "/config/packs" or defined(q.target.replace("/0/", "/*/")), q.target
    by_id = {q.id: q for q in questions}
    assert by_id["risk_tier"].options == ["minimal", "limited", "high", "prohibited"]
    assert by_id["personal_data"].kind == "boolean" and by_id["jurisdictions"].kind == "list"
    assert "gdpr" in by_id["packs"].options


def test_a_broken_questionnaire_is_reported_with_file_line(tmp_path):
    bad = tmp_path / "q.yaml"
    bad.write_text("id: init\nversion: '1'\nquestions:\n  - {id: x, target: /model_card/nope, text: X?}\n")
    with pytest.raises(InputError) as err:
        lib.load_questions(bad)
    assert err.value.line == 4 and "not a field of the native evidence schemas" in str(err.value)
    bad.write_text("id: init\nversion: '1'\nquestions:\n  - {id: x, target: /model_card/risk/tier, text: X?, colour: red}\n")
    with pytest.raises(InputError) as err:
        lib.load_questions(bad)
    assert err.value.line == 4
