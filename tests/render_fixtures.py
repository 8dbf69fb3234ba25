"""Shared fixtures for the renderer tests (html, sarif, junit, github, browser).

Results are never hand-written: each one comes from running the real ``mlcompliance check``
on a project on disk, so the renderers are tested against what the engine really emits.

* ``invoice``: the compliant sample project ``sample_projects/invoice-late-payment``;
* ``failing``: a copy of it with broken evidence (missing owner, validator among the
  developers, unversioned dataset, failed CI, non-SemVer version, high tier) and a waiver file
  with one applicable and one expired waiver, so it has fail, waived and blocking findings;
* ``hostile``: the failing project again, with hostile payloads (script tags, event
  handlers, javascript:/data: URLs, SVG, broken/nested HTML, template syntax, workflow
  commands, XML-illegal control characters) in every string the rules echo back.

Import the fixtures into a test module with ``from render_fixtures import *`` (pytest puts
``tests/`` on ``sys.path`` because it has no ``__init__.py``); tests/browser/ adds it itself.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import read_portfolio

from mlcompliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
INVOICE = ROOT / "sample_projects" / "invoice-late-payment"
AS_OF = "2026-11-01"
FORMATS = ("html", "sarif", "junit", "github")

MARKER = "PWNED"
"""Every payload that would run script sets window.__pwned / calls alert() with this marker."""

PAYLOADS = [
    "<script>window.__pwned = 'script'; alert('PWNED')</script>",
    "<img src=x onerror=\"window.__pwned='img';alert('PWNED')\">",
    "<svg onload=\"window.__pwned='svg'\"><script>window.__pwned='svg-script'</script></svg>",
    "[click me](javascript:window.__pwned='md-link')",
    "<a href=\"javascript:window.__pwned='a'\">link</a>",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=\"data:text/html,<script>parent.__pwned='iframe'</script>\"></iframe>",
    "</td></tr></table><div onmouseover=\"window.__pwned='div'\">broken <b><i>nested</b></i>",
    "{{ 7*7 }} {% if true %}TEMPLATE{% endif %} {# comment #}",
    "<style>body{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>",
    "\"><script>window.__pwned='attr'</script><x y=\"",
    "::error file=evil.py,line=1::injected%0A::add-mask::x",
    "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/e\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='mxss'\">",
    "control \x01\x08 chars",
]




def cli(*args: Any):
    """Run ``mlcompliance ARGS`` in-process (click's CliRunner); returns its Result."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def check_json(project: Path, *extra: str) -> dict[str, Any]:
    res = cli("check", project, "--as-of", AS_OF, "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, doc: Any) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_failing_project(dest: Path) -> Path:
    """A copy of the invoice sample with failures, blocking findings and a waiver register."""
    root = dest / "failing-project"
    shutil.copytree(INVOICE, root)
    card = _load(root / "model_card.yaml")
    card["risk"]["tier"] = "high"
    card["model_details"]["version"] = "2.3"
    del card["governance"]["owner"]
    card["governance"]["developers"].append(card["governance"]["validator"])
    _dump(root / "model_card.yaml", card)
    manifest = _load(root / "data_manifest.yaml")
    del manifest["datasets"][1]["version"]
    _dump(root / "data_manifest.yaml", manifest)
    pipeline = _load(root / "pipeline.yaml")
    pipeline["ci"]["last_status"] = "failure"
    pipeline["ci"]["config_path"] = ".github/workflows/missing.yml"
    _dump(root / "pipeline.yaml", pipeline)
    (root / "waivers.yaml").write_text(
        "waivers:\n"
        "  - id: W-CI-RED\n"
        "    rule: MLOPS-01-CI-STATUS\n"
        "    justification: The red build is a flaky upstream mirror; tracked in **OPS-1234**.\n"
        "    approver: Head of Model Risk\n"
        "    created: 2026-10-01\n"
        "    expires: 2027-01-15\n"
        "  - id: W-OLD\n"
        "    rule: MLOPS-04-DATASET-VERSIONED\n"
        "    justification: Expired acceptance of an unversioned test set.\n"
        "    approver: Head of Model Risk\n"
        "    created: 2026-01-01\n"
        "    expires: 2026-06-30\n",
        encoding="utf-8")
    return root


def make_hostile_project(dest: Path, payloads: list[str] | None = None) -> Path:
    """The failing project with hostile payloads in every string that findings echo back.

    ``payloads`` (default: all of PAYLOADS) are used in turn; pass one to put the same payload
    everywhere, so that no other payload can break the page around it.
    """
    payloads = payloads or PAYLOADS

    def payload(i: int) -> str:
        return payloads[i % len(payloads)]

    root = make_failing_project(dest)
    root = root.rename(dest / "hostile-project")
    n = iter(range(1000))
    cfg = _load(root / "mlcompliance.yaml")
    cfg["project"]["name"] = "Hostile " + payload(next(n)) + " " + payload(next(n))
    _dump(root / "mlcompliance.yaml", cfg)
    card = _load(root / "model_card.yaml")
    md = card["model_details"]
    md["name"] = payload(next(n))
    md["version"] = "2.3 " + payload(next(n))
    md["description"] = "\n\n".join(payloads)
    card["limitations"] = list(payloads)
    card["governance"]["validator"] = "Lena " + payload(next(n))
    card["governance"]["developers"] = ["Tom Okafor", card["governance"]["validator"]]
    card["validation"]["validator"] = card["governance"]["validator"]
    for i, metric in enumerate(card["performance"]["metrics"]):
        metric["name"] = f"auc {payload(next(n))}"
        metric["slice"] = f"slice {payload(next(n))}"
        metric["value"] = 0.1  # below threshold: fails, echoing name and slice
    for i, dataset in enumerate(card["datasets"]):
        dataset["id"] = f"ds{i}-{payload(next(n))}"
    card["datasets"].append(dict(card["datasets"][0], id="ds-" + payload(-1) + " " + payload(11)))
    card["attestations"][0]["statement"] = "Attested. " + payload(next(n)) + " " + payload(next(n))
    _dump(root / "model_card.yaml", card)
    manifest = _load(root / "data_manifest.yaml")
    for i, dataset in enumerate(manifest["datasets"]):
        dataset["name"] = payload(next(n))
    del manifest["datasets"][0]["version"]
    _dump(root / "data_manifest.yaml", manifest)
    pipeline = _load(root / "pipeline.yaml")
    pipeline["ci"]["config_path"] = "ci/" + payload(next(n)).replace("\x01", "").replace("\x08", "")
    pipeline["runs"][0]["git_commit"] = None
    del pipeline["runs"][0]["git_commit"]
    pipeline["environment"]["lockfile"] = "locks/" + payload(next(n)).replace("\x01", "")
    _dump(root / "pipeline.yaml", pipeline)
    waivers = (root / "waivers.yaml").read_text(encoding="utf-8")
    waivers = waivers.replace("The red build is a flaky upstream mirror; tracked in **OPS-1234**.",
                              json.dumps("Flaky mirror. " + payload(0) + " " + payload(3) + " " + payload(8)))
    (root / "waivers.yaml").write_text(waivers, encoding="utf-8")
    return root


def check_portfolio(workdir: Path, *projects: str) -> dict[str, Any]:
    """``check P1 P2 ... --format json`` run from ``workdir`` with relative project paths, saved as
    ``workdir/portfolio.jsonl`` and read back with :func:`read_portfolio`."""
    import os
    here = os.getcwd()
    os.chdir(workdir)
    try:
        res = cli("check", *projects, "--as-of", AS_OF, "--format", "json")
    finally:
        os.chdir(here)
    assert res.exit_code in (0, 1), res.output
    saved = workdir / "portfolio.jsonl"
    saved.write_text(res.stdout, encoding="utf-8")
    return dict(read_portfolio(res.stdout), file=saved)


def render_portfolio(portfolio: dict[str, Any], fmt: str) -> str:
    """``mlcompliance render`` of a portfolio saved by :func:`check_portfolio`."""
    res = cli("render", portfolio["file"], "--format", fmt)
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.fixture(scope="session")
def portfolio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with two projects: ``invoice`` (compliant) and ``failing-project``."""
    work = tmp_path_factory.mktemp("portfolio")
    shutil.copytree(INVOICE, work / "invoice")
    make_failing_project(work)
    return work


@pytest.fixture(scope="session")
def portfolio_result(portfolio_dir: Path) -> dict[str, Any]:
    return check_portfolio(portfolio_dir, "invoice", "failing-project")


@pytest.fixture(scope="session")
def invoice_result() -> dict[str, Any]:
    return check_json(INVOICE)


@pytest.fixture(scope="session")
def failing_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_failing_project(tmp_path_factory.mktemp("failing"))


@pytest.fixture(scope="session")
def failing_result(failing_project: Path) -> dict[str, Any]:
    return check_json(failing_project)


@pytest.fixture(scope="session")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hostile_project(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def hostile_result(hostile_project: Path) -> dict[str, Any]:
    return check_json(hostile_project)


__all__ = ["check_portfolio", "read_portfolio", "render_portfolio", "portfolio_dir", "portfolio_result", "AS_OF", "FORMATS", "INVOICE", "MARKER", "PAYLOADS", "ROOT", "check_json", "cli", "failing_project",
           "failing_result", "hostile_project", "hostile_result", "invoice_result", "make_failing_project",
           "make_hostile_project"]
