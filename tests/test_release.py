"""Release: the version lives in pyproject.toml only, and everything that names a version to a
user (the CLI, the action, the CI templates, the README's install command, the CHANGELOG)
agrees with it; `python -m build` gives a wheel and an sdist that `twine check` accepts."""
from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile

import pytest
import yaml
from helpers import ROOT, cli

import mlcompliance

VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)


def test_one_version_everywhere():
    assert mlcompliance.__version__ == VERSION
    assert cli("--version").stdout.strip() == f"mlcompliance, version {VERSION}"
    assert yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]["version"]["default"] == VERSION
    for template in ("ci-templates/gitlab/mlcompliance.gitlab-ci.yml", "ci-templates/azure/azure-pipelines.yml"):
        assert yaml.safe_load((ROOT / template).read_text())["variables"]["MLCOMPLIANCE_VERSION"] == VERSION
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install mlcompliance=={VERSION}" in readme
    assert set(re.findall(r"mlcompliance==([\w.]+)", readme)) == {VERSION}
    assert set(re.findall(r"mlcompliance/mlcompliance@v([\w.]+)", readme + (ROOT / "docs" / "ci.md").read_text())) == {VERSION}
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog and "Releasing version X.Y.Z" in changelog
    released = re.findall(r"^## \[([^\]]+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in released)


@pytest.mark.packaging
def test_build_gives_wheel_and_sdist_that_twine_accepts(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "build", "-o", str(tmp_path), str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0 and "Could not find a version that satisfies" in proc.stdout + proc.stderr:
        pytest.skip("python -m build could not fetch its build backend (hatchling) from the package registry")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = tmp_path / f"mlcompliance-{VERSION}-py3-none-any.whl"
    sdist = tmp_path / f"mlcompliance-{VERSION}.tar.gz"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([wheel.name, sdist.name])
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count("PASSED") == 2, check.stdout + check.stderr
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    for path in ("action.yml", ".pre-commit-hooks.yaml", "Dockerfile", "CHANGELOG.md",
                 "ci-templates/gitlab/mlcompliance.gitlab-ci.yml", "tests/test_integrations.py"):
        assert f"mlcompliance-{VERSION}/{path}" in names, path
    meta = zipfile.ZipFile(wheel).read(f"mlcompliance-{VERSION}.dist-info/METADATA").decode()
    assert f"Version: {VERSION}" in meta and "Provides-Extra: test" in meta
