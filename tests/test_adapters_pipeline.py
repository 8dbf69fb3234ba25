"""The pipeline adapters (MLflow, DVC, CI) on real public files, and on bad input.

Every fixture under tests/data/adapters/{mlflow,dvc,github-actions,gitlab-ci,azure-pipelines}
is a real file (PROVENANCE.md says where from); values and origins (file:line:column) are
asserted exactly. Bad input is an InputError naming file:line (exit 2), never a traceback;
the adapters ask ``read`` only for files next to the one they adapt.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters import ci, dvc, mlflow
from mlcompliance.probes.observe import build_facts
from mlcompliance.probes.repository import scan_mapping

DATA = Path(__file__).resolve().parent / "data" / "adapters"


def reader(base: Path, log: list[str] | None = None, listing: bool = True):
    """The ``read`` an adapter gets: project files by relative path, None outside or absent."""
    def read(rel: str) -> bytes | None:
        if log is not None:
            log.append(rel)
        if rel.startswith("/") or ".." in rel.split("/"):
            return None
        p = base / rel
        return p.read_bytes() if p.is_file() else None

    def listdir(rel: str) -> list[str] | None:
        p = base / rel
        return sorted(os.listdir(p)) if p.is_dir() else None
    if listing:
        read.listdir = listdir  # type: ignore[attr-defined]
    return read


def origins(adapted) -> dict[str, tuple[str, int, int]]:
    return {k: (o.file, o.line, o.column) for k, o in adapted.origins.items()}


def ci_file(folder: str, name: str, as_path: str) -> ci.CIFile:
    return ci.parse(as_path, (DATA / folder / name).read_text(encoding="utf-8"))


# --- GitHub Actions ------------------------------------------------------------------------------

def test_github_on_string_cml_workflow():
    f = ci_file("github-actions", "example-get-started-cml.yaml", ".github/workflows/cml.yaml")
    assert f.provider == "github_actions"
    assert [(t.name, t.line, t.column) for t in f.triggers] == [("pull_request", 2, 1)]
    assert [j.name for j in f.jobs] == ["run"] and f.jobs_line == 3
    runs = f.jobs[0].runs
    assert runs[:4] == [(7, "uses: iterative/setup-cml@v2"), (8, "uses: iterative/setup-dvc@v1"),
                        (9, "uses: actions/checkout@v3"), (14, "npm install -g json5")]
    assert (19, "cml ci") in runs and (27, "dvc pull eval") in runs and len(runs) == 40


def test_github_on_mapping_and_adapt_origins():
    text = (DATA / "github-actions" / "btc-forecast-ci-cd.yml").read_text(encoding="utf-8")
    [a] = ci.adapt(".github/workflows/ci-cd.yml", text, reader(DATA))
    assert a.kind == "pipeline" and a.adapter == "ci" and a.source == ".github/workflows/ci-cd.yml"
    assert {k: v for k, v in a.value["ci"].items() if not k.startswith("x-")} == {
        "provider": "github_actions", "config_path": ".github/workflows/ci-cd.yml", "enabled": True,
        "triggers": ["push", "pull_request"]}
    assert a.value["ci"]["x-jobs"][0]["name"] == "build-test"
    assert a.value["ci"]["x-jobs"][0]["runs"][0] == "uses: actions/checkout@v4"
    o = origins(a)
    assert o["/ci/triggers"] == (".github/workflows/ci-cd.yml", 3, 1)
    assert o["/ci/triggers/0"] == (".github/workflows/ci-cd.yml", 4, 3)
    assert o["/ci/triggers/1"] == (".github/workflows/ci-cd.yml", 7, 3)


def test_github_deploy_workflow_runs_docker():
    f = ci_file("github-actions", "btc-forecast-deploy.yml", ".github/workflows/deploy.yml")
    assert f.trigger_names() == ["push"]
    assert (22, "docker build -t husainsb/btc_forecast:latest .") in f.jobs[0].runs
    assert (31, "docker push husainsb/btc_forecast:latest") in f.jobs[0].runs


@pytest.mark.parametrize("on, expected", [
    ("on: push\n", ["push"]),
    ("on: [push, pull_request]\n", ["push", "pull_request"]),
    ("on:\n  pull_request:\n  schedule:\n    - cron: '0 3 * * 1'\n", ["pull_request", "schedule"]),
    ("true: push\n", ["push"]),   # a file written with YAML 1.1's `on` already turned into true
])
def test_github_on_forms(on, expected):
    f = ci.parse(".github/workflows/w.yml", on + "jobs:\n  t:\n    steps:\n      - run: pytest\n")
    assert f.trigger_names() == expected
    assert f.jobs[0].runs == [(len(on.splitlines()) + 4, "pytest")]


def test_yaml_11_on_key_is_the_text_on_not_true():
    """PyYAML's default loader reads `on:` as True; ours keeps the key as written."""
    f = ci.parse(".github/workflows/w.yml", "on:\n  push:\n    branches: [main]\n")
    assert f.trigger_names() == ["push"] and f.triggers_line == 1


@pytest.mark.parametrize("text, line, message", [
    ("on: 5\n", 1, "`on:` is neither an event, a list nor a mapping"),
    ("on:\n  - push\n  - {a: 1}\n", 3, "an event in `on:` is not a name"),
    ("- just\n- a list\n", 1, "a CI configuration is a list, not a mapping"),
    ("on: [push\njobs: {}\n", 2, "invalid YAML"),
    ("on: push\njobs:\n  t:\n    steps:\n      - run: |\n        pytest\n   bad: [\n", 7, "invalid YAML"),
])
def test_github_bad_input_names_file_and_line(text, line, message):
    with pytest.raises(InputError) as err:
        ci.parse(".github/workflows/w.yml", text)
    assert err.value.file == ".github/workflows/w.yml" and err.value.line == line
    assert message in err.value.message


# --- GitLab CI -----------------------------------------------------------------------------------

def test_gitlab_rules_give_merge_request_and_push():
    f = ci_file("gitlab-ci", "example-get-started.gitlab-ci.yml", ".gitlab-ci.yml")
    assert f.provider == "gitlab_ci"
    assert [(t.name, t.line, t.column, t.default) for t in f.triggers] == [
        ("merge_request", 3, 7, False), ("push", 4, 7, False)]
    assert [(j.name, j.line, j.stage) for j in f.jobs] == [("report", 1, "test")]
    assert f.jobs[0].runs[:3] == [(7, "cml ci && cml --version"), (8, "npm install -g json5"),
                                  (10, "if [ $CI_COMMIT_REF_NAME = main ]; then")]


def test_gitlab_stages_and_default_push_trigger():
    f = ci_file("gitlab-ci", "gitlab-getting-started.gitlab-ci.yml", ".gitlab-ci.yml")
    assert f.stages == ["build", "test", "deploy"]
    assert [(j.name, j.stage) for j in f.jobs] == [("build-job", "build"), ("unit-test-job", "test"),
                                                    ("lint-test-job", "test"), ("deploy-job", "deploy")]
    assert [(t.name, t.line, t.default) for t in f.triggers] == [("push", 23, True)]
    assert f.jobs[1].runs == [(32, 'echo "Running unit tests... This will take about 60 seconds."'),
                              (33, "sleep 60"), (34, 'echo "Code coverage is 90%"')]


def test_gitlab_global_before_script_and_job_rules():
    f = ci_file("gitlab-ci", "gitlab-python-template.gitlab-ci.yml", ".gitlab-ci.yml")
    assert [j.name for j in f.jobs] == ["test", "run", "pages"]
    assert f.jobs[0].runs == [(21, "python -V"), (22, "pip install virtualenv"), (23, "virtualenv venv"),
                              (24, "source venv/bin/activate"), (28, "python setup.py test"),
                              (29, "pip install tox flake8"), (30, "tox -e py36,flake8")]
    assert [(t.name, t.line, t.default) for t in f.triggers] == [("push", 51, False), ("push", 26, True)]
    assert f.trigger_names() == ["push"]


def test_gitlab_workflow_rules_includes_and_only():
    text = """include:
  - local: ci/lint.yml
  - template: Security/SAST.gitlab-ci.yml
  - remote: https://example.com/ci.yml
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_COMMIT_TAG
      when: never
unit:
  script: pytest tests/unit
nightly:
  script: [python train.py]
  only: [schedules]
.hidden:
  script: echo never
"""
    f = ci.parse(".gitlab-ci.yml", text)
    assert f.includes == [(2, "local: ci/lint.yml"), (3, "template: Security/SAST.gitlab-ci.yml"),
                          (4, "remote: https://example.com/ci.yml")]
    assert f.trigger_names() == ["merge_request", "schedule"] and f.triggers_line == 6
    assert [j.name for j in f.jobs] == ["unit", "nightly"]
    [a] = ci.adapt(".gitlab-ci.yml", text, lambda rel: None)
    assert a.value["ci"]["x-includes"] == ["local: ci/lint.yml", "template: Security/SAST.gitlab-ci.yml",
                                           "remote: https://example.com/ci.yml"]
    assert a.value["ci"]["triggers"] == ["merge_request", "schedule"]


# --- Azure Pipelines -----------------------------------------------------------------------------

def test_azure_ci_trigger_pr_none_stages_jobs_and_inline_scripts():
    f = ci_file("azure-pipelines", "mlopspython-diabetes_regression-ci.yml", "azure-pipelines.yml")
    assert f.provider == "azure_pipelines"
    assert [(t.name, t.line, t.column) for t in f.triggers] == [("push", 9, 1)]   # pr: none
    assert f.stages == ["Model_CI", "Trigger_AML_Pipeline"]
    assert [(j.name, j.stage) for j in f.jobs] == [
        ("Model_CI_Pipeline", "Model_CI"), ("Get_Pipeline_ID", "Trigger_AML_Pipeline"),
        ("Run_ML_Pipeline", "Trigger_AML_Pipeline"), ("Training_Run_Report", "Trigger_AML_Pipeline")]
    assert f.jobs[0].runs == [(36, "template: code-quality-template.yml"), (37, "task: AzureCLI@1"),
                              (43, "set -e # fail on error"),
                              (44, "export SUBSCRIPTION_ID=$(az account show --query id -o tsv)"),
                              (45, "# Invoke the Python building and publishing a training pipeline"),
                              (46, "python -m ml_service.pipelines.diabetes_regression_build_train_pipeline")]


def test_azure_pr_pipeline_and_implicit_job():
    f = ci_file("azure-pipelines", "mlopspython-pr.yml", "azure-pipelines.yml")
    assert [(t.name, t.line) for t in f.triggers] == [("pull_request", 9)]
    assert [(j.name, j.runs) for j in f.jobs] == [("job", [(24, "template: code-quality-template.yml")])]


def test_azure_pipeline_resource_trigger_and_defaults():
    f = ci_file("azure-pipelines", "mlopspython-diabetes_regression-cd.yml", "azure-pipelines.yml")
    assert [(t.name, t.line, t.column) for t in f.triggers] == [("pipeline", 21, 5)]
    assert f.stages == ["Deploy_ACI", "Deploy_AKS", "Deploy_Webapp"]
    # no trigger/pr section at all: Azure runs on pushes and pull requests by default
    g = ci.parse("azure-pipelines.yml", "steps:\n- script: pytest\n")
    assert [(t.name, t.default) for t in g.triggers] == [("push", True), ("pull_request", True)]
    h = ci.parse("azure-pipelines.yml", "trigger: [main]\npr: none\nschedules:\n- cron: '0 0 * * *'\n"
                 "  branches: {include: [main]}\nsteps:\n- bash: make test\n")
    assert [(t.name, t.line) for t in h.triggers] == [("push", 1), ("schedule", 3)]
    assert h.jobs[0].runs == [(7, "make test")]


def test_claims_by_path_and_content():
    assert ci.claims(".github/workflows/x.yml", "on: push")
    assert ci.claims(".gitlab-ci.yml", "")
    assert ci.claims("azure-pipelines.yml", "")
    assert ci.claims(".pipelines/pr.yml", "trigger: none\npr:\n  branches: [main]\nsteps:\n- template: q.yml\n")
    assert not ci.claims(".pipelines/vars.yml", "variables:\n  a: 1\n")
    assert not ci.claims("docs/on.yml", "on: push")


# --- DVC -----------------------------------------------------------------------------------------

def dvc_adapt(folder: str, name: str, extra: dict[str, bytes] | None = None):
    base = DATA / "dvc" / folder
    files = {n: (base / n).read_bytes() for n in ("dvc.yaml", "dvc.lock", "params.yaml")}
    files.update(extra or {})
    log: list[str] = []

    def read(rel: str) -> bytes | None:
        log.append(rel)
        return files.get(rel)
    return dvc.adapt(name, files[name].decode("utf-8"), read), log


def test_dvc_yaml_stages_dag_and_dataset_artifact():
    (pipe, manifest), log = dvc_adapt("example-get-started", "dvc.yaml")
    assert [(s["name"], s["kind"], s.get("requires")) for s in pipe.value["stages"]] == [
        ("prepare", "data_ingestion", None), ("featurize", "feature_engineering", ["prepare"]),
        ("train", "training", ["featurize"]), ("evaluate", "model_validation", ["featurize", "train"])]
    assert pipe.value["stages"][2]["x-dvc"] == {
        "cmd": ["python src/train.py data/features model.pkl"], "deps": ["data/features", "src/train.py"],
        "outs": ["model.pkl"], "params": ["train.min_split", "train.n_est", "train.seed"]}
    o = origins(pipe)
    assert o["/stages/0/name"] == ("dvc.yaml", 15, 3) and o["/stages/3/requires"] == ("dvc.yaml", 48, 5)
    assert manifest.kind == "data_manifest" and manifest.value == {"datasets": [{
        "id": "stackoverflow-dataset", "path": "data/data.xml",
        "description": "Initial XML StackOverflow dataset (raw data)"}]}
    assert origins(manifest)["/datasets/0/path"] == ("dvc.yaml", 3, 5)
    assert log == []


def test_dvc_lock_hash_lands_on_the_artifact_dataset():
    [a], log = dvc_adapt("example-get-started", "dvc.lock")
    assert a.value == {"datasets": [{"id": "stackoverflow-dataset", "path": "data/data.xml",
                                     "md5": "22a1a2931c8370d3aeedd7183606fd7f", "size": 14445097}]}
    assert origins(a)["/datasets/0/md5"] == ("dvc.lock", 8, 7)
    assert log == ["data_manifest.yaml", "data_manifest.yml", "data_manifest.json", "dvc.yaml"]


def test_dvc_lock_hash_lands_on_the_manifest_dataset_by_path():
    manifest = b"datasets:\n  - id: mnist-raw\n    path: ./data/\n  - id: other\n    path: elsewhere.csv\n"
    [a], _ = dvc_adapt("example-dvc-experiments", "dvc.lock", {"data_manifest.yaml": manifest})
    assert a.value == {"datasets": [{"id": "mnist-raw", "path": "data",
                                     "md5": "687552951726b99c2eee15d29b4ccf0e.dir", "size": 17397976}]}
    assert origins(a)["/datasets/0/md5"] == ("dvc.lock", 7, 7)


def test_params_seed_prefers_the_training_one():
    [a], _ = dvc_adapt("example-get-started", "params.yaml")
    assert a.value == {"training": {"seed": 20170428,
                                    "x-seeds": {"prepare.seed": 20170428, "train.seed": 20170428}}}
    assert origins(a)["/training/seed"] == ("params.yaml", 10, 3)
    assert dvc_adapt("example-dvc-experiments", "params.yaml")[0] == []   # no seed recorded there
    seeds = dvc.find_seeds("params.yaml", "model:\n  random_state: 7\nsplit:\n  random_seed: 1\n  seed: true\n")
    assert seeds == [("model.random_state", 7, 2, 3), ("split.random_seed", 1, 4, 3)]


def test_dvc_single_stage_with_metrics_and_plots():
    ([pipe], _) = dvc_adapt("example-dvc-experiments", "dvc.yaml")
    assert pipe.value["stages"] == [{"name": "train", "kind": "training", "x-dvc": {
        "cmd": ["python3 src/train.py"], "deps": ["data", "src"], "outs": ["models"],
        "params": ["model", "train"], "metrics": ["metrics.json"], "plots": ["plots"]}}]


def test_dvc_cmd_list_is_read_and_bad_cmd_is_file_line():
    stages, _, _ = dvc.parse_stages("dvc.yaml", "stages:\n  s:\n    cmd:\n      - python a.py\n      - python b.py\n")
    assert stages[0].cmd == ["python a.py", "python b.py"]
    with pytest.raises(InputError) as err:
        dvc.parse_stages("dvc.yaml", "stages:\n  s:\n    cmd:\n      - python a.py\n      - {run: x}\n")
    assert (err.value.file, err.value.line) == ("dvc.yaml", 5) and "not text" in err.value.message
    with pytest.raises(InputError) as err:
        dvc.parse_stages("dvc.yaml", "stages:\n  s:\n    cmd: 5\n")
    assert (err.value.line, err.value.column) == (3, 5)
    with pytest.raises(InputError) as err:
        dvc.parse_stages("dvc.yaml", "stages:\n  - s\n")
    assert err.value.line == 1 and "stages is a list, not a mapping" in err.value.message
    with pytest.raises(InputError) as err:
        dvc.parse_lock("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    deps:\n    - path: data\n      md5: [\n")
    assert err.value.file == "dvc.lock" and err.value.line == 7


# --- MLflow --------------------------------------------------------------------------------------

def test_mlmodel_column_signature_to_features():
    base = DATA / "mlflow" / "sklearn-wine"
    log: list[str] = []
    card, pipe = mlflow.adapt("MLmodel", (base / "MLmodel").read_text(encoding="utf-8"), reader(base, log))
    assert card.kind == "model_card" and card.value["features"] == [
        "fixed_acidity", "volatile_acidity", "citric_acid", "residual_sugar", "chlorides", "free_sulfur_dioxide",
        "total_sulfur_dioxide", "density", "pH", "sulphates", "alcohol"]
    assert card.value["model_details"] == {"framework": "sklearn 1.3.0", "trained_at": "2024-06-05T01:53:53.910623Z"}
    assert card.value["x-mlflow"]["inputs"][0] == {"name": "fixed_acidity", "type": "double"}
    assert card.value["x-mlflow"]["outputs"] == [{"type": "tensor[float64][-1]"}]
    assert card.value["x-mlflow"]["model_uuid"] == "7c56d8b80973448b8c4e7b5a3b9fc7b6"
    assert card.value["x-mlflow"]["input_example"] == "input_example.json"
    assert origins(card)["/features"] == ("MLmodel", 26, 3)
    assert origins(card)["/model_details/trained_at"] == ("MLmodel", 37, 1)
    assert pipe.value == {"runs": [{"run_id": "6222162b4c7f47c2820a7e5b520f65a9"}], "environment": {
        "python_version": "3.11.0", "lockfile": "requirements.txt",
        "lockfile_sha256": "e084fe5b0336d803839ebe1dc17c39829db0094781086008a80bfdd74c3bf5bd"}}
    assert origins(pipe)["/environment/python_version"] == ("MLmodel", 11, 5)
    assert log == ["python_env.yaml", "requirements.txt"]


def test_mlmodel_tensor_signature_has_no_named_features():
    base = DATA / "mlflow" / "btc-forecast"
    card, pipe = mlflow.adapt("MLmodel", (base / "MLmodel").read_text(encoding="utf-8"), reader(base))
    assert "features" not in card.value and "framework" not in card.value["model_details"]
    assert card.value["x-mlflow"]["inputs"] == [{"type": "tensor[float64][-1, 4]"}]
    assert card.value["x-mlflow"]["mlflow_version"] == "3.1.4"
    assert pipe.value["runs"] == [{"run_id": "d89954d2217a484fb0c06b6ca925d7ea"}]
    assert pipe.value["environment"]["python_version"] == "3.12.11"


RUN = "mlruns/853099972095872099/1c00447556424067ae62fe39e167bb34/"


def test_mlruns_run_metadata():
    base = DATA / "mlflow" / "iris-mlruns"
    [a] = mlflow.adapt(RUN + "meta.yaml", (base / RUN / "meta.yaml").read_text(encoding="utf-8"), reader(base))
    run = a.value["runs"][0]
    assert {k: v for k, v in run.items() if k != "x-mlflow"} == {
        "run_id": "1c00447556424067ae62fe39e167bb34", "status": "succeeded",
        "started_at": "2024-11-13T07:54:35.675Z", "finished_at": "2024-11-13T07:54:41.801Z",
        "actor": "muskaanjain", "git_commit": "4ef3874fc02b1fbd4acf5315fb491172b904d53c",
        "metrics": {"metric_0": 0.9333333333333333, "metric_1": 0.9166666666666666,
                    "metric_2": 0.9166666666666666, "metric_3": 0.0572049617767334}}
    assert run["x-mlflow"]["run_name"] == "DT" and run["x-mlflow"]["experiment_id"] == "853099972095872099"
    assert run["x-mlflow"]["metric_steps"]["metric_0"] == {"step": 0, "timestamp": "2024-11-13T07:54:35.712Z"}
    assert run["x-mlflow"]["tags"] == {"tag1": "DecisionTree", "tag2": "Randomized Search CV", "tag3": "Production"}
    o = origins(a)
    assert o["/runs/0/status"] == (RUN + "meta.yaml", 13, 1)
    assert o["/runs/0/git_commit"] == (RUN + "tags/mlflow.source.git.commit", 1, 1)
    # without a directory listing only the tags MLflow always writes are read
    [b] = mlflow.adapt(RUN + "meta.yaml", (base / RUN / "meta.yaml").read_text(encoding="utf-8"),
                       reader(base, listing=False))
    assert "metrics" not in b.value["runs"][0] and b.value["runs"][0]["git_commit"].startswith("4ef3874f")


def test_mlmodel_inside_a_run_reads_only_its_siblings():
    base = DATA / "mlflow" / "iris-mlruns"
    log: list[str] = []
    rel = RUN + "artifacts/model/MLmodel"
    card, pipe = mlflow.adapt(rel, (base / rel).read_text(encoding="utf-8"), reader(base, log))
    assert card.value["model_details"]["framework"] == "sklearn 1.5.1"
    assert pipe.value["environment"]["lockfile"] == RUN + "artifacts/model/requirements.txt"
    assert log == [RUN + "artifacts/model/python_env.yaml", RUN + "artifacts/model/requirements.txt"]


@pytest.mark.parametrize("text, line, message", [
    ("signature:\n  inputs: '[{\"name\": \"a\"'\n", 2, "signature is not valid JSON"),
    ("signature:\n  inputs: '{\"name\": \"a\"}'\n", 2, "not a list of column specifications"),
    ("flavors: [sklearn]\n", 1, "flavors is a list, not a mapping"),
    ("flavors:\n  sklearn: {sklearn_version: 1.0}\nrun_id: &a [*a]\n", 1, "nested too deeply"),   # recursive alias
])
def test_mlmodel_bad_input(text, line, message):
    with pytest.raises(InputError) as err:
        mlflow.parse_mlmodel("models/MLmodel", text)
    assert err.value.file == "models/MLmodel" and err.value.line == line and message in err.value.message


def test_run_meta_without_run_id_is_an_input_error():
    with pytest.raises(InputError) as err:
        mlflow.adapt("mlruns/1/abc/meta.yaml", "experiment_id: '1'\nstatus: 3\n", lambda rel: None)
    assert err.value.file == "mlruns/1/abc/meta.yaml" and "no run_id" in err.value.message


def test_mlflow_claims():
    assert mlflow.claims("models/clf/MLmodel", "artifact_path: model\nflavors:\n")
    assert not mlflow.claims("MLmodel", "hello: world\n")
    assert mlflow.claims(RUN + "meta.yaml", "artifact_uri: x\nrun_id: abc\n")
    assert not mlflow.claims("config/meta.yaml", "run_id: abc\n")


# --- hostile input -------------------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8))


PARSERS = [
    lambda t: ci.parse(".github/workflows/w.yml", t),
    lambda t: ci.parse(".gitlab-ci.yml", t),
    lambda t: ci.parse("azure-pipelines.yml", t),
    lambda t: dvc.parse_stages("dvc.yaml", t),
    lambda t: dvc.parse_lock("dvc.lock", t),
    lambda t: dvc.find_seeds("params.yaml", t),
    lambda t: mlflow.parse_mlmodel("MLmodel", t),
]


@pytest.mark.parametrize("call", [PARSERS[0], PARSERS[3], PARSERS[6]])   # one per adapter module (~5 s each)
def test_alias_bomb_is_an_input_error(call):
    with pytest.raises(InputError) as err:
        call(BOMB)
    assert "alias bomb" in err.value.message and err.value.line is not None


@pytest.mark.parametrize("call", PARSERS)
def test_deep_nesting_and_truncation_are_input_errors(call):
    with pytest.raises(InputError) as err:
        call("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert err.value.line == 1
    with pytest.raises(InputError) as err:
        call("stages:\n  train:\n    cmd: \"python train.py\n")    # truncated mid-string
    assert err.value.line == 4


def test_huge_file_is_read_within_bounds():
    steps = "".join(f"      - run: echo {i}\n" for i in range(5000))
    f = ci.parse(".github/workflows/w.yml", "on: push\njobs:\n  t:\n    steps:\n" + steps)
    assert len(f.jobs[0].runs) == ci.MAX_RUN_LINES
    jobs = "".join(f"j{i}:\n  script: echo {i}\n" for i in range(1000))
    assert len(ci.parse(".gitlab-ci.yml", jobs).jobs) == ci.MAX_JOBS


# --- the repository probe reuses these parsers -----------------------------------------------------

def probe(files: dict[str, str]) -> dict:
    repo, _ = scan_mapping({k: v.encode() for k, v in files.items()})
    facts, index = build_facts(repo, None, None, None)
    return facts | {"_index": index}


def test_probe_observes_gitlab_and_azure_triggers():
    gitlab = (DATA / "gitlab-ci" / "example-get-started.gitlab-ci.yml").read_text(encoding="utf-8")
    azure = (DATA / "azure-pipelines" / "mlopspython-diabetes_regression-ci.yml").read_text(encoding="utf-8")
    facts = probe({".gitlab-ci.yml": gitlab, "azure-pipelines.yml": azure})
    by_path = {f["path"]: f for f in facts["ci"]["files"]}
    assert by_path[".gitlab-ci.yml"]["provider"] == "gitlab_ci"
    assert by_path[".gitlab-ci.yml"]["triggers"] == ["merge_request", "push"]
    assert by_path[".gitlab-ci.yml"]["jobs"] == ["report"]
    assert by_path["azure-pipelines.yml"]["triggers"] == ["push"]
    assert by_path["azure-pipelines.yml"]["stages"] == ["Model_CI", "Trigger_AML_Pipeline"]
    # the union over CI files; GitLab's merge_request is also GitHub/Azure's pull_request
    assert facts["ci"]["triggers"] == ["merge_request", "push", "pull_request"]
    assert facts["_index"]["/observed/repository/ci/triggers"] == (".gitlab-ci.yml", 3)
    assert facts["_index"]["/observed/repository/ci/files/0/triggers"] == (".gitlab-ci.yml", 3)
    assert facts["_index"]["/observed/repository/ci/files/1/triggers"] == ("azure-pipelines.yml", 9)


def test_probe_github_facts_unchanged_and_dvc_mlflow_richer():
    wf = (DATA / "github-actions" / "btc-forecast-ci-cd.yml").read_text(encoding="utf-8")
    base = DATA / "dvc" / "example-get-started"
    facts = probe({".github/workflows/ci-cd.yml": wf,
                   "dvc.yaml": (base / "dvc.yaml").read_text(encoding="utf-8"),
                   "dvc.lock": (base / "dvc.lock").read_text(encoding="utf-8"),
                   "models/MLmodel": (DATA / "mlflow" / "sklearn-wine" / "MLmodel").read_text(encoding="utf-8")})
    f = facts["ci"]["files"][0]
    assert (f["triggers"], f["jobs"]) == (["push", "pull_request"], ["build-test"])
    assert facts["_index"]["/observed/repository/ci/files/0/triggers"] == (".github/workflows/ci-cd.yml", 3)
    assert facts["_index"]["/observed/repository/ci/files/0/jobs"] == (".github/workflows/ci-cd.yml", 13)
    assert [s["name"] for s in facts["dvc"]["stages"]] == ["prepare", "featurize", "train", "evaluate"]
    lock = facts["dvc"]["locks"][0]
    assert lock["entries"][0] == {"stage": "prepare", "role": "dep", "path": "data/data.xml",
                                  "md5": "22a1a2931c8370d3aeedd7183606fd7f", "size": 14445097, "line": 8}
    model = facts["mlflow"]["models"][0]
    assert model["inputs"][:2] == ["fixed_acidity", "volatile_acidity"] and len(model["inputs"]) == 11
    assert model["signature"] == {"line": 25} and model["run_id"] == {"line": 20}


def test_probe_records_a_broken_ci_file_instead_of_failing():
    facts = probe({".gitlab-ci.yml": "test:\n  script: [pytest\n", "azure-pipelines.yml": "- a list\n"})
    assert [(f["path"], f.get("parse_error")) for f in facts["ci"]["files"]] == [
        (".gitlab-ci.yml", True), ("azure-pipelines.yml", True)]


# --- every adapted fragment is valid native evidence -----------------------------------------------

def all_adapted() -> list:
    out = []
    for folder, as_path in (("github-actions", ".github/workflows/{}"), ("gitlab-ci", ".gitlab-ci.yml"),
                            ("azure-pipelines", "azure-pipelines.yml")):
        for f in sorted((DATA / folder).glob("*.y*ml")):
            out += ci.adapt(as_path.format(f.name), f.read_text(encoding="utf-8"), lambda rel: None)
    for d in ("example-get-started", "example-dvc-experiments"):
        for n in ("dvc.yaml", "dvc.lock", "params.yaml"):
            out += dvc_adapt(d, n)[0]
    for d in ("sklearn-wine", "btc-forecast"):
        base = DATA / "mlflow" / d
        out += mlflow.adapt("MLmodel", (base / "MLmodel").read_text(encoding="utf-8"), reader(base))
    base = DATA / "mlflow" / "iris-mlruns"
    out += mlflow.adapt(RUN + "meta.yaml", (base / RUN / "meta.yaml").read_text(encoding="utf-8"), reader(base))
    for f in sorted((DATA / "mlflow" / "export-import").glob("*.json")):
        out += mlflow.adapt("run.json", f.read_text(encoding="utf-8"), lambda rel: None)
    return out


def test_every_adapted_fragment_validates_against_the_native_schema():
    from mlcompliance.evidence.schemas import validator

    adapted = all_adapted()
    assert len(adapted) == 21   # 9 CI files, 5 DVC fragments, 2 MLmodel x 2, 1 mlruns run, 2 exported runs
    for a in adapted:
        errors = [e.message for e in validator(a.kind).iter_errors(a.value)]
        assert errors == [], (a.source, errors)
        for pointer, origin in a.origins.items():
            assert origin.line >= 1 and origin.column >= 1 and origin.adapter == a.adapter, (a.source, pointer)


# --- end to end through the CLI ---------------------------------------------------------------------

def test_check_reports_declarations_contradicted_by_pipeline_files(tmp_path):
    import json
    import shutil

    from helpers import AS_OF, INVOICE, cli

    project = tmp_path / "p"
    shutil.copytree(INVOICE, project)
    (project / "model").mkdir()
    shutil.copy(DATA / "mlflow" / "sklearn-wine" / "MLmodel", project / "model" / "MLmodel")
    result = cli("check", project, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    by_rule = {}
    for f in out["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    feature = by_rule["MLOPS-07-FEATURES-IN-SIGNATURE"][0]
    assert feature["outcome"] == "fail"
    assert (feature["location"]["file"], feature["location"]["line"]) == ("model_card.yaml", 45)
    declared = by_rule["MLOPS-07-SIGNATURE-FEATURES-DECLARED"][0]
    assert (declared["outcome"], declared["location"]["file"], declared["location"]["line"]) == (
        "fail", "model/MLmodel", 25)
    assert by_rule["MLOPS-01-CI-TRIGGERS-OBSERVED"][0]["outcome"] == "pass"   # the sample's ci.yml defines them


def test_exported_run_json_of_mlflow_export_import():
    text = (DATA / "mlflow" / "export-import" / "run-basic.json").read_text(encoding="utf-8")
    path = "exported/experiments/basic/runs/eb66c160957d4a28b11d3f1b968df9cd/run.json"
    assert mlflow.claims(path, text[:1024])
    [a] = mlflow.adapt(path, text, lambda rel: None)
    run = a.value["runs"][0]
    assert {k: v for k, v in run.items() if k != "x-mlflow"} == {
        "run_id": "eb66c160957d4a28b11d3f1b968df9cd", "status": "succeeded",
        "started_at": "2023-05-20T23:04:09.419Z", "finished_at": "2023-05-20T23:04:13.222Z", "actor": "andre",
        "git_commit": "1f76cec7520dbc05dc93f8d3faea757fa3a4f703",
        "params": {"max_depth": "4", "max_leaf_nodes": "32"},
        "metrics": {"rmse": 0.7367947360663162, "r2": 0.28100217442439346, "mae": 0.5877424565761121}}
    assert run["x-mlflow"]["tags"]["registered_model_name"] == "sklearn_wine"
    o = origins(a)
    assert o["/runs/0/run_id"] == (path, 19, 7) and o["/runs/0/git_commit"] == (path, 63, 7)
    # "user_id": "unknown" is MLflow's placeholder: no actor is drafted
    other = (DATA / "mlflow" / "export-import" / "run-src-tags.json").read_text(encoding="utf-8")
    [b] = mlflow.adapt("run.json", other, lambda rel: None)
    assert "actor" not in b.value["runs"][0] and b.value["runs"][0]["x-mlflow"]["run_name"] == "wine run"
    with pytest.raises(InputError) as err:
        mlflow.adapt("run.json", '{"mlflow": {"info": {"status": "FINISHED"}}}', lambda rel: None)
    assert err.value.file == "run.json" and "no run_id" in err.value.message
    with pytest.raises(InputError) as err:
        mlflow.adapt("run.json", '{"mlflow": {"info": {"run_id": "a",}}}', lambda rel: None)
    assert err.value.line == 1 and "invalid JSON" in err.value.message


def test_a_broken_ci_file_the_adapters_read_is_an_input_error_naming_its_line(tmp_path):
    import shutil

    from helpers import AS_OF, INVOICE, cli

    project = tmp_path / "p"
    shutil.copytree(INVOICE, project)
    (project / ".gitlab-ci.yml").write_text("test:\n  script: [pytest\n", encoding="utf-8")
    result = cli("check", project, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert ".gitlab-ci.yml:3:1: invalid YAML" in result.stderr and "Traceback" not in result.stderr


def test_an_mlruns_run_in_a_project_is_detected_with_its_params_and_metrics(tmp_path):
    """The run sits four folders down (mlruns/<experiment>/<run>/meta.yaml): the project walk goes
    that deep only where an adapter's pattern leads, and the run's folders are listed for metrics."""
    import shutil

    from mlcompliance.evidence.adapters import detect
    shutil.copytree(DATA / "mlflow" / "iris-mlruns" / "mlruns", tmp_path / "mlruns")
    (tmp_path / "deep" / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "deep" / "a" / "b" / "c" / "meta.yaml").write_text("not: a run\n", encoding="utf-8")
    found = {(a.source, a.kind): a for a in detect(tmp_path, {})}
    run = found[(RUN + "meta.yaml", "pipeline")].value["runs"][0]
    assert run["metrics"]["metric_0"] == 0.9333333333333333
    assert run["run_id"] == "1c00447556424067ae62fe39e167bb34"
    assert (RUN + "artifacts/model/MLmodel", "model_card") in found
    assert not any(src.startswith("deep/") for src, _ in found)
