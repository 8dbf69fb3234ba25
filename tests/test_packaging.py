"""The wheel carries policies/, templates/ and the schemas: install it in a fresh venv and run a check."""
from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import AS_OF, ROOT, SAMPLES

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("mlcompliance-*.whl"))


def test_wheel_ships_packs_templates_and_schemas(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlcompliance/_data/policies/mlops-practices/1.0.0/pack.yaml" in names
    assert any(n.startswith("mlcompliance/_data/templates/") for n in names) or not any(
        (ROOT / "templates").iterdir())
    assert "mlcompliance/schemas/model_card.schema.json" in names
    assert not any(n.startswith(("tests/", "sample_projects/")) for n in names)


def test_installed_wheel_checks_a_project_outside_the_source_tree(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    project = tmp_path / "project"
    shutil.copytree(SAMPLES / "invoice-late-payment", project)
    work = tmp_path / "elsewhere"
    work.mkdir()
    exe = env_dir / "bin" / "mlcompliance"
    proc = subprocess.run([str(exe), "check", str(project), "--as-of", AS_OF, "--format", "json"],
                          capture_output=True, text=True, cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert '"verdict": "compliant"' in proc.stdout
    where = subprocess.run([str(py), "-c", "import mlcompliance.resources as r; print(r.policies_dir())"],
                           capture_output=True, text=True, cwd=work, check=True).stdout
    assert str(env_dir) in where and str(ROOT) not in where
    listing = subprocess.run([str(exe), "packs", "list"], capture_output=True, text=True, cwd=work)
    assert listing.returncode == 0 and "mlops-practices" in listing.stdout
