"""A real third-party plug-in distribution (tests/data/plugin_example: one check, one renderer,
one pack) installed with pip into a fresh venv, then used by `mlcompliance check` and `render`.

Offline: the venv sees the mlcompliance under test and its installed dependencies through a
.pth file (what --system-site-packages does for an interpreter's own site-packages), and the
example builds with its own in-tree PEP 517 backend (`pip install --no-build-isolation --no-index`).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import site as site_module
import subprocess
import venv
from pathlib import Path

import pytest
from helpers import AS_OF, ROOT, SAMPLES

import mlcompliance

pytestmark = pytest.mark.packaging
EXAMPLE = ROOT / "tests" / "data" / "plugin_example"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("tomllib", reason="the example's build backend reads pyproject.toml with tomllib")
    base = tmp_path_factory.mktemp("plugin-venv")
    venv.EnvBuilder(with_pip=False).create(base / "venv")
    py = base / "venv" / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    source = Path(mlcompliance.__file__).resolve().parent.parent      # the mlcompliance under test comes first
    visible = [str(source), *site_module.getsitepackages()]           # then this interpreter's dependencies
    if site_module.ENABLE_USER_SITE:
        visible.append(site_module.getusersitepackages())
    site.joinpath("_mlcompliance_under_test.pth").write_text("\n".join(visible) + "\n")
    plugin = base / "plugin_example"                                  # pip builds in a copy: inputs stay untouched
    shutil.copytree(EXAMPLE, plugin, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_INDEX_URL")}
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                           "--disable-pip-version-check", str(plugin)], capture_output=True, text=True, env=environ)
    assert proc.returncode == 0, proc.stderr
    project = base / "project"
    shutil.copytree(SAMPLES / "invoice-late-payment", project)
    (project / "mlcompliance.yaml").write_text('packs:\n  example-docs: "==1.0.0"\n', encoding="utf-8")
    return {"python": py, "project": project, "base": base, "site": site, "environ": environ}  # type: ignore[dict-item]


def run(env, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run([str(env["python"]), "-m", "mlcompliance", *map(str, args)], capture_output=True,
                          text=True, cwd=env["base"], env=env["environ"])


def test_the_example_is_installed_as_a_distribution(env):
    assert (env["site"] / "mlcompliance_example_plugin-0.1.0.dist-info" / "entry_points.txt").is_file()
    assert (env["site"] / "mlcompliance_example" / "packs" / "example-docs" / "1.0.0" / "rules" / "docs.yaml").is_file()
    where = subprocess.run([str(env["python"]), "-c", "import mlcompliance; print(mlcompliance.__file__)"],
                           capture_output=True, text=True, env=env["environ"], check=True).stdout
    assert where.strip() == mlcompliance.__file__


def test_plugin_pack_check_and_renderer_together(env):
    proc = run(env, "check", env["project"], "--as-of", AS_OF, "--format", "oneline")
    assert proc.returncode == 0, proc.stderr
    card = (env["project"] / "model_card.yaml").read_text(encoding="utf-8").splitlines()
    passed = card.index("  - Not calibrated for customers with fewer than three past invoices.") + 1
    failed = card.index("  - Trained on euro-denominated invoices only.") + 1
    assert proc.stdout == (
        "Invoice late-payment predictor: compliant (result 1.0, as of 2026-11-01)\n"
        f"PASS EXD-LIMITATION-EXPLAINED model_card.yaml:{passed} Each limitation is explained in at least six words\n"
        f"FAIL EXD-LIMITATION-EXPLAINED model_card.yaml:{failed} Limitation too terse: 5 words, at least 6 wanted\n")


def test_render_rebuilds_the_plugin_format_from_a_saved_result(env):
    saved = env["base"] / "result.json"
    assert run(env, "check", env["project"], "--as-of", AS_OF, "--format", "json", "-o", saved).returncode == 0
    assert '"origin": "entry-point"' in saved.read_text(encoding="utf-8")
    again = run(env, "render", saved, "--format", "oneline")
    direct = run(env, "check", env["project"], "--as-of", AS_OF, "--format", "oneline")
    assert again.returncode == 0 and again.stdout == direct.stdout


def test_plugins_are_listed_by_group_without_importing_them(env):
    code = ("import sys\nfrom mlcompliance.cli import main\n"
            "try:\n    main(['plugins'])\nexcept SystemExit:\n    pass\n"
            "print('imported' if 'mlcompliance_example' in sys.modules else 'not imported')\n")
    proc = subprocess.run([str(env["python"]), "-c", code], capture_output=True, text=True, env=env["environ"])
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert rows[1:] == [
        ["mlcompliance.checks", "min_words", "mlcompliance-example-plugin", "0.1.0", "mlcompliance_example.checks:min_words"],
        ["mlcompliance.renderers", "oneline", "mlcompliance-example-plugin", "0.1.0", "mlcompliance_example.render:oneline"],
        ["mlcompliance.packs", "example-docs", "mlcompliance-example-plugin", "0.1.0", "mlcompliance_example:packs_dir"],
        ["not", "imported"]]


def test_portfolio_workers_load_the_plugin_pack_and_check(env):
    second = env["base"] / "second"
    if not second.exists():
        shutil.copytree(env["project"], second)
    proc = run(env, "check", env["project"], second, "--as-of", AS_OF, "--format", "csv", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    rows = [r for r in csv.DictReader(io.StringIO(proc.stdout)) if r["rule_id"] == "EXD-LIMITATION-EXPLAINED"]
    assert sorted((Path(r["project"]).name, r["outcome"]) for r in rows) == [
        ("project", "fail"), ("project", "pass"), ("second", "fail"), ("second", "pass")]


def test_pack_tools_see_the_plugin_pack_and_check(env):
    listing = run(env, "packs", "list")
    assert any(line.split()[:2] == ["example-docs", "1.0.0"] and "entry-point" in line
               for line in listing.stdout.splitlines())
    tested = run(env, "packs", "test", "example-docs")
    assert tested.returncode == 0 and "coverage 100.0% (1/1 rules" in tested.stdout
    explained = run(env, "explain", "EXD-LIMITATION-EXPLAINED")
    assert "named check min_words (plug-in from mlcompliance-example-plugin 0.1.0)" in explained.stdout
    lint = run(env, "packs", "lint", env["site"] / "mlcompliance_example" / "packs")
    assert lint.returncode == 0 and lint.stdout == "no problems found\n"


def test_a_misspelt_format_lists_the_installed_renderer(env):
    proc = run(env, "check", env["project"], "--as-of", AS_OF, "--format", "onelin")
    assert proc.returncode == 2
    assert "installed renderer plug-ins: oneline" in proc.stderr
