"""The CI integrations run the commands they ship: the GitHub Action's steps (action.yml),
the GitLab template's and the Azure example's script lines, each as its CI would run them,
with GITHUB_* files and CI variables pointing at temporary paths."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import AS_OF, ROOT, SAMPLES

from mlcompliance.render import github

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PYPROJECT_VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def _env_for_tools(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLC_", "CI_"))}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


class Runner:
    """Runs action.yml's shell steps as the runner would: ${{ }} expressions of inputs and of
    earlier steps' outputs substituted, the step's env set, GITHUB_OUTPUT read back after it."""

    def __init__(self, workspace: Path, inputs: dict[str, str]) -> None:
        self.ws = workspace
        self.inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        self.inputs.update(inputs)
        self.steps: dict[str, dict[str, str]] = {"install": {"python": sys.executable}}
        self.summary = workspace.parent / "step_summary.md"
        self.summary.write_text("")

    def value(self, expr: str) -> str:
        if expr.startswith("inputs."):
            return self.inputs[expr[len("inputs."):]]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        raise AssertionError(f"expression the test runner does not know: {expr}")

    def sub(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, text: str) -> bool:
        """The upload steps' `if:` (a conjunction of == / != comparisons)."""
        inner = EXPR.fullmatch(text.strip()).group(1)
        ok = True
        for part in inner.split("&&"):
            left, op, right = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part).groups()
            ok &= (self.value(left) == right) == (op == "==")
        return ok

    def run_step(self, step: dict) -> subprocess.CompletedProcess:
        output = self.ws.parent / f"output-{step.get('id', 'step')}"
        output.write_text("")
        env = _env_for_tools({k: self.sub(str(v)) for k, v in step.get("env", {}).items()})
        env.update(GITHUB_WORKSPACE=str(self.ws), GITHUB_STEP_SUMMARY=str(self.summary), GITHUB_OUTPUT=str(output),
                   RUNNER_TEMP=str(self.ws.parent))
        proc = subprocess.run(["bash", "-e", "-c", self.sub(step["run"])], cwd=self.ws, env=env,
                              capture_output=True, text=True, timeout=300)
        if "id" in step:
            self.steps[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return proc

    def run(self) -> tuple[dict[str, subprocess.CompletedProcess], list[str]]:
        """Every step but the install (the test's own interpreter is the installed version);
        the `uses:` steps are listed (with their inputs) when their condition holds."""
        procs, uploads = {}, []
        for step in ACTION["runs"]["steps"]:
            if step.get("id") == "install":
                continue
            if "uses" in step:
                if self.condition(step["if"]):
                    uploads.append(step["uses"].split("@")[0] + " " + json.dumps(
                        {k: self.sub(str(v)) for k, v in step["with"].items()}, sort_keys=True))
                continue
            procs[step["name"]] = self.run_step(step)
        return procs, uploads


def workspace(tmp_path: Path, *samples: str) -> Path:
    ws = tmp_path / "repo"
    for name in samples:
        shutil.copytree(SAMPLES / name, ws / "models" / name)
    return ws


def annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::")]


def test_action_is_a_composite_action_pinned_to_this_release():
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["inputs"]["version"]["default"] == PYPROJECT_VERSION
    uses = {s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s}
    assert uses == {"github/codeql-action/upload-sarif@v3", "actions/upload-artifact@v4"}
    install = ACTION["runs"]["steps"][0]["run"]
    assert 'spec="mlcompliance==$MLC_VERSION"' in install
    # no step may swallow the check's exit code
    assert not any("|| true" in s.get("run", "") for s in ACTION["runs"]["steps"])


def test_non_compliant_project_uploads_reports_then_fails_the_gate(tmp_path):
    ws = workspace(tmp_path, "support-email-router")
    runner = Runner(ws, {"projects": "models/support-email-router", "as-of": AS_OF})
    procs, uploads = runner.run()
    check, gate = procs["Check"], procs["Gate"]
    assert check.returncode == 0, check.stderr
    assert gate.returncode == 1 and "non-compliant under the gate (exit 1)" in gate.stdout
    out = runner.steps["check"]
    assert out["exit-code"] == "1" and out["verdict"] == "non-compliant"
    assert out["category"] == "mlcompliance/models-support-email-router"
    report = Path(out["report-dir"])
    assert sorted(p.name for p in report.iterdir()) == [
        "annotations.txt", "report.html", "result.json", "results.sarif", "summary.md"]
    assert uploads == [
        'github/codeql-action/upload-sarif {"category": "mlcompliance/models-support-email-router", '
        f'"sarif_file": "{report}/results.sarif"}}',
        'actions/upload-artifact {"name": "mlcompliance-report-models-support-email-router", '
        f'"path": "{report}"}}']
    # one check ran, and every report is the one `check --format X` gives on its own
    assert check.stdout.count("$ mlcompliance check") == 1
    result = json.loads((report / "result.json").read_text())
    assert result["gate"]["verdict"] == "non_compliant"
    # the job summary is the Markdown report
    assert runner.summary.read_text() == (report / "summary.md").read_text()
    # annotations: 10 errors, every warning (fewer than 10), the summary notice, and a notice counting the rest
    full = (report / "annotations.txt").read_text().splitlines()
    shown = annotations(check.stdout)
    blocking = len(result["gate"]["blocking"])
    warnings = sum(1 for line in full if line.startswith("::warning"))
    assert blocking == 25 and warnings == 5
    assert [a.split(" ", 1)[0] for a in shown] == ["::error"] * 10 + ["::warning"] * 5 + ["::notice"] * 2
    assert shown[-1] == ("::notice title=mlcompliance%3A more findings::Not shown as annotations: 15 errors "
                         "(GitHub shows 10 of each level per step): see the job summary, code scanning (SARIF) "
                         "or the HTML report artifact")
    # paths are relative to the repository, not to the project
    assert shown[0].startswith("::error file=models/support-email-router/model_card.yaml,line=6,col=3,")
    sarif = json.loads((report / "results.sarif").read_text())
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
            for loc in r["locations"]}
    assert uris and all(u.startswith("models/support-email-router/") for u in uris)
    assert all((ws / u).is_file() for u in uris)


def test_fail_on_noncompliant_false_reports_without_failing(tmp_path):
    ws = workspace(tmp_path, "support-email-router")
    runner = Runner(ws, {"projects": "models/support-email-router", "as-of": AS_OF, "fail-on-noncompliant": "false",
                         "upload-sarif": "false", "artifact-name": "mine"})
    procs, uploads = runner.run()
    assert procs["Gate"].returncode == 0 and runner.steps["check"]["exit-code"] == "1"
    assert [u.split(" ")[0] for u in uploads] == ["actions/upload-artifact"] and '"name": "mine"' in uploads[0]


def test_compliant_project_passes_with_only_the_summary_notice(tmp_path):
    ws = workspace(tmp_path, "invoice-late-payment")
    runner = Runner(ws, {"projects": "models/invoice-late-payment", "as-of": AS_OF})
    procs, uploads = runner.run()
    assert procs["Gate"].returncode == 0 and runner.steps["check"]["verdict"] == "compliant"
    shown = annotations(procs["Check"].stdout)
    assert len(shown) == 1 and shown[0].startswith("::notice title=mlcompliance::Invoice")
    assert len(uploads) == 2


def test_broken_evidence_fails_with_exit_2_even_when_noncompliance_is_tolerated(tmp_path):
    ws = workspace(tmp_path, "broken-fraud-alerts")
    runner = Runner(ws, {"projects": "models/broken-fraud-alerts", "as-of": AS_OF, "fail-on-noncompliant": "false"})
    procs, uploads = runner.run()
    assert runner.steps["check"]["exit-code"] == "2" and runner.steps["check"]["verdict"] == "error"
    assert procs["Gate"].returncode == 2
    # the input error is itself reported: SARIF (an error-level result at its file:line) goes to code scanning
    sarif_uploads = [u for u in uploads if u.startswith("github/codeql-action/upload-sarif")]
    assert len(sarif_uploads) == 1
    sarif = json.loads(Path(json.loads(sarif_uploads[0].split(" ", 1)[1])["sarif_file"]).read_text())
    [error] = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert error["ruleId"] == "mlcompliance/input-error"
    assert error["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    shown = annotations(procs["Check"].stdout)
    assert shown[0] == (
        '::error file=models/broken-fraud-alerts/model_card.yaml,line=10,title=mlcompliance input error::'
        'models/broken-fraud-alerts: not checked: models/broken-fraud-alerts/model_card.yaml:10:3: risk.tier: '
        '"hgh" is not allowed (expected: one of "minimal", "limited", "high", "prohibited")')
    assert [a.split(" ", 1)[0] for a in shown] == ["::error", "::notice"]   # one error, never repeated
    assert "mlcompliance: input error (exit 2)" in runner.summary.read_text()
    # tolerated only when asked for explicitly
    runner = Runner(ws, {"projects": "models/broken-fraud-alerts", "as-of": AS_OF, "fail-on-error": "false"})
    assert runner.run()[0]["Gate"].returncode == 0


def test_several_projects_are_one_portfolio_with_one_category(tmp_path):
    ws = workspace(tmp_path, "invoice-late-payment", "support-email-router")
    runner = Runner(ws, {"projects": "models/invoice-late-payment\nmodels/support-email-router", "as-of": AS_OF,
                         "fail-on": "critical", "max-annotations": "3"})
    procs, _ = runner.run()
    out = runner.steps["check"]
    assert out["category"] == "mlcompliance/models-invoice-late-payment+models-support-email-router"
    assert out["artifact-name"] == "mlcompliance-report-models-invoice-late-payment+models-support-email-router"
    assert Path(out["json"]).name == "result.jsonl"
    assert "--fail-on critical" in procs["Check"].stdout
    shown = annotations(procs["Check"].stdout)
    kinds = [a.split(" ", 1)[0] for a in shown]
    assert kinds.count("::error") <= 3 and kinds.count("::warning") == 3 and kinds.count("::notice") == 2
    assert all("file=models/" in a for a in shown if not a.startswith("::notice"))


def test_portfolio_with_an_unreadable_project_still_reports_the_others_and_fails(tmp_path):
    ws = workspace(tmp_path, "broken-fraud-alerts", "support-email-router")
    runner = Runner(ws, {"projects": "models/broken-fraud-alerts models/support-email-router", "as-of": AS_OF,
                         "fail-on-noncompliant": "false"})
    procs, uploads = runner.run()
    assert runner.steps["check"]["exit-code"] == "2" and procs["Gate"].returncode == 2
    assert [u.split(" ")[0] for u in uploads] == ["github/codeql-action/upload-sarif", "actions/upload-artifact"]
    shown = annotations(procs["Check"].stdout)
    assert shown[0].startswith("::error file=models/broken-fraud-alerts/model_card.yaml,line=10,title=mlcompliance")
    assert any(a.startswith("::error file=models/support-email-router/") for a in shown)
    summary = runner.summary.read_text()
    assert "Portfolio" in summary or "portfolio" in summary
    assert "mlcompliance: input error (exit 2)" in summary


@pytest.mark.packaging
def test_install_step_from_the_action_checkout_then_check(tmp_path):
    """The install step verbatim (version: action, i.e. this checkout; a release installs
    mlcompliance==VERSION from PyPI the same way), then the check with the installed package only."""
    ws = workspace(tmp_path, "support-email-router")
    runner = Runner(ws, {"projects": "models/support-email-router", "as-of": AS_OF, "version": "action"})
    install = ACTION["runs"]["steps"][0]
    step = {**install, "env": {**install["env"], "MLC_ACTION_PATH": str(ROOT)}}
    proc = runner.run_step(step)
    if proc.returncode != 0 and any(m in proc.stdout + proc.stderr for m in (
            "Could not find a version", "No matching distribution", "Failed to establish")):
        pytest.skip("the package registry is unreachable: the install step cannot fetch dependencies")
    assert proc.returncode == 0, proc.stderr
    python = runner.steps["install"]["python"]
    assert python == str(tmp_path / "mlcompliance-venv" / "bin" / "python")
    check = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    env = {k: runner.sub(str(v)) for k, v in check["env"].items()}
    env.update(GITHUB_WORKSPACE=str(ws), GITHUB_STEP_SUMMARY=str(runner.summary), GITHUB_OUTPUT=str(tmp_path / "out"),
               PATH=os.environ["PATH"], HOME=os.environ.get("HOME", str(tmp_path)))
    done = subprocess.run(["bash", "-e", "-c", runner.sub(check["run"])], cwd=ws, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "exit-code=1\n" in (tmp_path / "out").read_text()
    assert len(annotations(done.stdout)) == 17


def test_cap_keeps_the_first_of_each_level_and_counts_the_rest():
    text = "".join(f"::error file=a,line={i}::e{i}\n" for i in range(4)) + "::warning::w\n::notice::n1\n::notice::n2\n"
    assert github.cap(text, 2, "see X") == (
        "::error file=a,line=0::e0\n::error file=a,line=1::e1\n::warning::w\n::notice::n1\n"
        "::notice title=mlcompliance%3A more findings::Not shown as annotations: 2 errors, 1 notice "
        "(GitHub shows 2 of each level per step): see X\n")
    assert github.cap(text, 10) == text
    assert github.cap("", 10) == ""


# --- GitLab CI template and Azure Pipelines example ----------------------------------------------

GITLAB = ROOT / "ci-templates" / "gitlab" / "mlcompliance.gitlab-ci.yml"
AZURE = ROOT / "ci-templates" / "azure" / "azure-pipelines.yml"


def _shim(tmp_path: Path) -> Path:
    """A `mlcompliance` on PATH that is this checkout (what the install line gives the CI)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "mlcompliance"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mlcompliance "$@"\n')
    exe.chmod(0o755)
    return bin_dir


def run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Script lines as a CI shell runs them: in order, stopping at the first that fails."""
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def junit_counts(path: Path) -> tuple[int, int]:
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    cases = root.iter("testcase")
    total = failed = 0
    for case in cases:
        total += 1
        failed += any(child.tag in ("failure", "error") for child in case)
    return total, failed


def gitlab_job(tmp_path: Path, *samples: str, **variables: str) -> tuple[subprocess.CompletedProcess, Path, dict]:
    doc = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = doc["mlcompliance"]
    ws = workspace(tmp_path, *samples)
    env = _env_for_tools({**{k: str(v) for k, v in doc["variables"].items()}, **variables,
                          "CI_PROJECT_DIR": str(ws), "PATH": f"{_shim(tmp_path)}:{os.environ['PATH']}"})
    assert any('pip install' in line and '"mlcompliance==${MLCOMPLIANCE_VERSION}"' in line for line in job["before_script"])
    return run_lines(job["script"], ws, env), ws, job


def test_gitlab_template_writes_the_reports_gitlab_reads(tmp_path):
    proc, ws, job = gitlab_job(tmp_path, "support-email-router", MLCOMPLIANCE_PROJECTS="models/support-email-router",
                               MLCOMPLIANCE_ARGS=f"--as-of {AS_OF}")
    assert proc.returncode == 1, proc.stderr            # non-compliant fails the job
    assert job["artifacts"]["when"] == "always"         # ... and the reports are still kept
    junit = ws / job["artifacts"]["reports"]["junit"].replace("${MLCOMPLIANCE_REPORT_DIR}", "mlcompliance-report")
    total, failed = junit_counts(junit)
    result = json.loads((ws / "mlcompliance-report" / "result.json").read_text())
    problems = sum(1 for f in result["findings"] if f["outcome"] in ("fail", "error"))
    assert failed == problems > 0 and total >= failed
    assert sorted(p.name for p in (ws / "mlcompliance-report").iterdir()) == [
        "junit.xml", "report.html", "result.json", "results.sarif", "summary.md"]
    assert "|| true" not in GITLAB.read_text(encoding="utf-8").replace("never `|| true`", "")
    # after_script (GitLab runs it whatever the script's exit code): the Code Quality report
    env = {**os.environ, "MLCOMPLIANCE_PROJECTS": "models/support-email-router",
           "MLCOMPLIANCE_REPORT_DIR": "mlcompliance-report", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    after = run_lines(job["after_script"], ws, env)
    assert after.returncode == 0, after.stderr
    assert job["artifacts"]["reports"]["codequality"] == "${MLCOMPLIANCE_REPORT_DIR}/gl-code-quality.json"
    issues = json.loads((ws / "mlcompliance-report" / "gl-code-quality.json").read_text())
    shown = [f for f in result["findings"] if f["outcome"] in ("fail", "error", "warn")]
    assert len(issues) == len(shown) == len({i["fingerprint"] for i in issues}) == 30
    first = next(i for i in issues if i["check_name"] == "MLOPS-04-MODEL-VERSION")
    assert first["location"] == {"path": "models/support-email-router/model_card.yaml", "lines": {"begin": 6}}
    assert first["severity"] == "critical" and first["description"].startswith("MLOPS-04-MODEL-VERSION: The model version")
    assert {i["severity"] for i in issues} <= {"info", "minor", "major", "critical", "blocker"}
    assert all((ws / i["location"]["path"]).exists() for i in issues)


def test_gitlab_template_passes_a_compliant_project_and_fails_broken_evidence_with_exit_2(tmp_path):
    proc, _, _ = gitlab_job(tmp_path / "a", "invoice-late-payment", MLCOMPLIANCE_PROJECTS="models/invoice-late-payment",
                            MLCOMPLIANCE_ARGS=f"--as-of {AS_OF}")
    assert proc.returncode == 0, proc.stderr
    proc, ws, job = gitlab_job(tmp_path / "b", "broken-fraud-alerts", MLCOMPLIANCE_PROJECTS="models/broken-fraud-alerts")
    assert proc.returncode == 2 and "model_card.yaml:10:3" in proc.stderr
    env = {**os.environ, "MLCOMPLIANCE_PROJECTS": "models/broken-fraud-alerts",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    assert run_lines(job["after_script"], ws, env).returncode == 0
    assert json.loads((ws / "mlcompliance-report" / "gl-code-quality.json").read_text()) == []


def test_gitlab_code_quality_of_a_portfolio(tmp_path):
    projects = "models/support-email-router models/invoice-late-payment"
    proc, ws, job = gitlab_job(tmp_path, "support-email-router", "invoice-late-payment", MLCOMPLIANCE_PROJECTS=projects,
                               MLCOMPLIANCE_ARGS=f"--as-of {AS_OF}")
    assert proc.returncode == 1, proc.stderr
    env = {**os.environ, "MLCOMPLIANCE_PROJECTS": projects, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    assert run_lines(job["after_script"], ws, env).returncode == 0
    issues = json.loads((ws / "mlcompliance-report" / "gl-code-quality.json").read_text())
    assert {i["location"]["path"].split("/")[1] for i in issues} == {"support-email-router"}   # the other passes
    assert len(issues) == len({i["fingerprint"] for i in issues}) == 30
    assert all((ws / i["location"]["path"]).exists() for i in issues)


def test_azure_example_check_step_and_junit_publication(tmp_path):
    doc = yaml.safe_load(AZURE.read_text(encoding="utf-8"))
    variables = {k: str(v) for k, v in doc["variables"].items()}
    variables.update(MLCOMPLIANCE_PROJECTS="models/support-email-router", MLCOMPLIANCE_ARGS=f"--as-of {AS_OF}")
    ws = workspace(tmp_path, "support-email-router")
    variables["System.DefaultWorkingDirectory"] = str(ws)
    macro = re.compile(r"\$\(([\w.]+)\)")
    steps = {s.get("displayName") or s.get("task"): s for s in doc["steps"]}
    env = _env_for_tools({"PATH": f"{_shim(tmp_path)}:{os.environ['PATH']}"})
    check = run_lines([macro.sub(lambda m: variables[m.group(1)], steps["Check"]["script"])], ws, env)
    assert check.returncode == 1, check.stderr
    publish = steps["PublishTestResults@2"]
    assert publish["condition"] == "succeededOrFailed()" and publish["inputs"]["testResultsFormat"] == "JUnit"
    junit = ws / macro.sub(lambda m: variables[m.group(1)], publish["inputs"]["testResultsFiles"])
    assert junit_counts(junit)[1] > 0
    summary = run_lines([macro.sub(lambda m: variables[m.group(1)], steps["Summary"]["script"])], ws, env)
    assert summary.stdout == f"##vso[task.uploadsummary]{ws}/mlcompliance-report/summary.md\n"


# --- the documented snippets (README, docs/ci.md) ---------------------------------------------------

def yaml_blocks(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_readme_and_ci_guide_give_the_same_workflow_pinned_to_this_release():
    (readme_workflow,) = [b for b in yaml_blocks(ROOT / "README.md") if isinstance(b, dict) and "jobs" in b]
    guide = yaml_blocks(ROOT / "docs" / "ci.md")
    assert readme_workflow == guide[0]
    steps = readme_workflow["jobs"]["mlcompliance"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4"}
    assert steps[1]["uses"] == f"mlcompliance/mlcompliance@v{PYPROJECT_VERSION}"
    assert set(steps[1]["with"]) <= set(ACTION["inputs"])
    assert readme_workflow["permissions"]["security-events"] == "write"
    precommit = next(b for b in guide if isinstance(b, dict) and "repos" in b)["repos"][0]
    assert precommit["rev"] == f"v{PYPROJECT_VERSION}"
    assert [h["id"] for h in precommit["hooks"]] == [h["id"] for h in yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text())]
    gitlab = next(b for b in guide if isinstance(b, dict) and "include" in b)["include"][0]["remote"]
    assert gitlab.endswith(f"/v{PYPROJECT_VERSION}/ci-templates/gitlab/mlcompliance.gitlab-ci.yml")


@pytest.mark.parametrize("sample,gate", [("support-email-router", 1), ("invoice-late-payment", 0)])
def test_the_documented_snippet_gates_a_fresh_repository(tmp_path, sample, gate):
    """A repository with its evidence in models/my-model and the README's workflow: the action's
    steps with the snippet's inputs give a failing check for a non-compliant project, a passing one
    for a compliant project, with the reports uploaded either way."""
    (workflow,) = [b for b in yaml_blocks(ROOT / "README.md") if isinstance(b, dict) and "jobs" in b]
    inputs = workflow["jobs"]["mlcompliance"]["steps"][1]["with"]
    ws = tmp_path / "repo"
    shutil.copytree(SAMPLES / sample, ws / inputs["projects"])
    runner = Runner(ws, {**inputs, "as-of": AS_OF})
    procs, uploads = runner.run()
    assert procs["Gate"].returncode == gate, procs["Check"].stdout + procs["Check"].stderr
    assert [u.split(" ")[0] for u in uploads] == ["github/codeql-action/upload-sarif", "actions/upload-artifact"]


def test_user_guide_links_resolve():
    for page in ("README.md", "ci.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if target.startswith("http"):
                continue
            assert (ROOT / "docs" / target).resolve().exists(), f"docs/{page}: {target}"


def test_cli_reference_is_generated_from_every_command_and_ignores_the_terminal(monkeypatch):
    from mlcompliance.cli import main
    from mlcompliance.cli.reference import cli_markdown
    page = cli_markdown(main)
    assert page == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"## `mlcompliance {name}`" in page
    assert "--output [FORMAT=]PATH" in page and "## `mlcompliance packs lint`" in page
    monkeypatch.setenv("COLUMNS", "40")
    assert cli_markdown(main) == page


@pytest.mark.parametrize("sample,code", [("support-email-router", 0), ("broken-fraud-alerts", 2)])
def test_the_documented_report_only_line_tolerates_exit_1_and_never_exit_2(tmp_path, sample, code):
    (line,) = [b.strip() for b in re.findall(r"```sh\n(.*?)```", (ROOT / "docs" / "ci.md").read_text(), re.S)
               if "|| [ $? -eq 1 ]" in b]
    ws = workspace(tmp_path, sample)
    line = line.split("#")[0].replace("models/fraud", f"models/{sample} --as-of {AS_OF}")
    env = _env_for_tools({"PATH": f"{_shim(tmp_path)}:{os.environ['PATH']}"})
    assert run_lines([line], ws, env).returncode == (0 if code == 0 else 1)
