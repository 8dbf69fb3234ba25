"""The pre-commit hook (.pre-commit-hooks.yaml) through `pre-commit try-repo` in a temporary git
repository, as a user would run it: pre-commit builds the hook's Python environment from this
checkout (pip, from the package registry), then runs on staged changes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, SAMPLES, cli

pytestmark = pytest.mark.packaging

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish a new connection",
           "Temporary failure in name resolution", "Network is unreachable")


def test_hook_definition():
    (hook,) = HOOKS
    assert hook["id"] == "mlcompliance" and hook["language"] == "python" and hook["pass_filenames"] is False
    assert hook["entry"] == "mlcompliance check --no-probes" and hook["args"] == ["."]
    import re
    files = re.compile(hook["files"])
    for path in ("model_card.yaml", "models/x/data_manifest.json", "pipeline.yml", "mlcompliance.yaml",
                 "waivers.yaml", "policies/acme/1.0.0/pack.yaml", "packs/acme/1.0.0/rules/r.yaml"):
        assert files.search(path), path
    for path in ("README.md", "src/model.py", "data/train.csv", "my_model_card.yaml.bak"):
        assert not files.search(path), path


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "mlcompliance"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=600)
    log = home / "pre-commit.log"
    if proc.returncode != 0 and "An error has occurred" in proc.stdout + proc.stderr:
        text = proc.stdout + proc.stderr + (log.read_text() if log.exists() else "")
        if any(marker in text for marker in OFFLINE):
            pytest.skip("pre-commit could not build the hook's environment: the package registry is unreachable")
    return proc


def test_hook_runs_on_evidence_changes_only(tmp_path):
    if "--no-probes" not in cli("check", "--help").stdout:
        pytest.skip("the hook runs `check --no-probes`, which this checkout's CLI does not have yet")
    if subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", ".pre-commit-hooks.yaml"],
                      capture_output=True, text=True).stdout.strip():
        pytest.skip("try-repo reads the committed .pre-commit-hooks.yaml: commit it first")
    repo, home = tmp_path / "repo", tmp_path / "pre-commit-home"
    shutil.copytree(SAMPLES / "invoice-late-payment", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    direct = cli("check", "--no-probes", repo)

    (repo / "README.md").write_text("notes\n", encoding="utf-8")
    git(repo, "add", "README.md")
    proc = try_repo(repo, home)
    assert proc.returncode == 0 and "(nofilestocheck)Skipped" in proc.stdout.replace(" ", ""), proc.stdout

    card = repo / "model_card.yaml"
    card.write_text(card.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    git(repo, "add", "model_card.yaml")
    proc = try_repo(repo, home)
    assert proc.returncode == (1 if direct.exit_code else 0), proc.stdout
    assert ("Passed" if direct.exit_code == 0 else "exit code: 1") in proc.stdout

    text = card.read_text(encoding="utf-8")
    assert "tier: high" in text or "tier: limited" in text or "tier: minimal" in text
    broken = text.replace("tier: high", "tier: hgh").replace("tier: limited", "tier: hgh").replace("tier: minimal", "tier: hgh")
    card.write_text(broken, encoding="utf-8")
    git(repo, "add", "model_card.yaml")
    proc = try_repo(repo, home)
    assert proc.returncode == 1 and "exit code: 2" in proc.stdout, proc.stdout
    assert 'model_card.yaml:' in proc.stdout and '"hgh" is not allowed' in proc.stdout
