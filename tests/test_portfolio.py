"""Portfolio: several projects in one run, the roll-up, CSV export, parallel checking.

That `render` rebuilds each portfolio format byte for byte is tested in test_render_equals_check.py.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from helpers import AS_OF, SAMPLES, cli


def test_recursive_portfolio_over_the_samples(checks):
    result = checks.run("--recursive", SAMPLES)
    assert result.exit_code == 2  # the broken sample is an input error, reported, not fatal to the others
    assert "broken-fraud-alerts/model_card.yaml:10:3" in result.stderr
    data = result.json()
    assert data["portfolio"] is True and data["summary"]["errors"] == 1
    rows = {m["project"].rsplit("/", 1)[-1]: m for m in data["matrix"]}
    assert rows["invoice-late-payment"]["verdict"] == "compliant"
    assert rows["support-email-router"]["verdict"] == "non_compliant"
    assert rows["support-email-router"]["scores"]["mlops-practices"] == next(
        p["score"]["raw"] for p in next(x["result"] for x in data["projects"]
                                         if x["path"].endswith("support-email-router"))["summary"]["packs"]
        if p["id"] == "mlops-practices")
    severities = [f["severity"] for f in data["worst_findings"]]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)


def test_explicit_projects_exit_1_when_one_is_non_compliant(checks):
    projects = (SAMPLES / "invoice-late-payment", SAMPLES / "support-email-router")
    assert checks.run(*projects).exit_code == 1
    table = list(csv.DictReader(io.StringIO(checks.run(*projects, fmt="csv").stdout.decode("utf-8"))))
    assert {r["project"].rsplit("/", 1)[-1] for r in table} == {"invoice-late-payment", "support-email-router"}
    assert any(r["rule_id"] == "MLOPS-04-MODEL-VERSION" and r["outcome"] == "fail" and r["line"] == "6" for r in table)


def test_parallel_and_sequential_give_identical_results(tmp_path, monkeypatch):
    from mlcompliance import portfolio
    monkeypatch.setattr(portfolio, "PARALLEL_MIN", 4)
    for i in range(9):
        shutil.copytree(SAMPLES / ("support-email-router" if i % 2 else "invoice-late-payment"), tmp_path / f"p{i}")
    one = cli("check", "--recursive", tmp_path, "--as-of", AS_OF, "--format", "json", "--jobs", "1").stdout
    two = cli("check", "--recursive", tmp_path, "--as-of", AS_OF, "--format", "json", "--jobs", "2").stdout
    assert one == two and json.loads(one)["summary"]["projects"] == 9


@pytest.mark.slow
def test_markdown_stays_under_60000_characters(tmp_path):
    for i in range(600):
        shutil.copytree(SAMPLES / "support-email-router", tmp_path / f"project-with-a-long-name-{i:04d}")
    md = cli("check", "--recursive", tmp_path, "--as-of", AS_OF, "--format", "md").stdout
    assert len(md) < 60_000 and "more projects" in md


def test_formats_without_portfolio_support_refuse_cleanly(sample_copy):
    project = sample_copy("invoice-late-payment")
    result = cli("check", project, SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "sarif")
    assert result.exit_code in (0, 2)  # either supported, or a clear input error
    if result.exit_code == 2:
        assert "does not render a portfolio" in result.stderr


def test_no_progress_bar_outside_a_terminal_and_pandas_only_on_portfolio_path():
    proc = subprocess.run([sys.executable, "-m", "mlcompliance", "check", "--recursive", str(SAMPLES), "--as-of", AS_OF,
                           "--format", "json"], capture_output=True, text=True)
    assert "checking" not in proc.stderr and "%" not in proc.stderr
    assert cli("check", "--as-of", AS_OF).exit_code == 2
