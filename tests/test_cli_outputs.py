"""`check --output FORMAT=PATH`: several reports from one run, each identical to its own `check --format`."""
from __future__ import annotations

import json

import pytest
from helpers import AS_OF, SAMPLES, cli

INVOICE = SAMPLES / "invoice-late-payment"
ROUTER = SAMPLES / "support-email-router"
BROKEN = SAMPLES / "broken-fraud-alerts"


def test_one_run_writes_every_format_identical_to_separate_runs(tmp_path):
    result = cli("check", ROUTER, "--as-of", AS_OF, "-o", f"sarif={tmp_path / 'r.sarif'}",
                 "-o", f"html={tmp_path / 'r.html'}", "--output", f"md={tmp_path / 's.md'}",
                 "-o", tmp_path / "r.json", "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""   # the gate's exit code, nothing on stdout
    for fmt, name in (("sarif", "r.sarif"), ("html", "r.html"), ("md", "s.md"), ("json", "r.json")):
        alone = cli("check", ROUTER, "--as-of", AS_OF, "--format", fmt)
        assert (tmp_path / name).read_text(encoding="utf-8") == alone.stdout, fmt
    assert json.loads((tmp_path / "r.json").read_text())["gate"]["verdict"] == "non_compliant"


def test_format_outputs_leave_the_main_report_on_stdout(tmp_path):
    result = cli("check", INVOICE, "--as-of", AS_OF, "-o", f"junit={tmp_path / 'j.xml'}")
    assert result.exit_code == 0
    assert result.stdout.startswith("mlcompliance") or "verdict" in result.stdout
    assert (tmp_path / "j.xml").read_text().startswith("<?xml")


def test_a_path_with_an_equals_sign_that_is_not_a_format_is_a_path(tmp_path):
    target = tmp_path / "run=1.json"
    result = cli("check", INVOICE, "--as-of", AS_OF, "--format", "json", "-o", target)
    assert result.exit_code == 0 and json.loads(target.read_text())["gate"]["verdict"] == "compliant"


@pytest.mark.parametrize("args,message", [
    (["-o", "a.json", "-o", "b.json"], "given twice"),
    (["-o", "sarif=x.out", "-o", "html=x.out"], "same file"),
])
def test_conflicting_outputs_are_usage_errors(tmp_path, args, message):
    result = cli("check", INVOICE, "--as-of", AS_OF, *[a.replace("x.out", str(tmp_path / "x.out")) for a in args])
    assert result.exit_code == 2 and message in result.stderr


def test_portfolio_to_many_formats_matches_separate_runs_and_keeps_exit_code(tmp_path):
    outs = {"junit": tmp_path / "p.xml", "csv": tmp_path / "p.csv", "json": tmp_path / "p.jsonl"}
    result = cli("check", INVOICE, BROKEN, "--as-of", AS_OF, "--format", "md",
                 *[x for f, p in outs.items() for x in ("-o", f"{f}={p}")])
    assert result.exit_code == 2                       # the broken project decides, as for one format
    md = result.stdout
    alone_md = cli("check", INVOICE, BROKEN, "--as-of", AS_OF, "--format", "md")
    assert md == alone_md.stdout
    for fmt, path in outs.items():
        alone = cli("check", INVOICE, BROKEN, "--as-of", AS_OF, "--format", fmt)
        assert path.read_text(encoding="utf-8") == alone.stdout, fmt


def test_outputs_never_overwrite_evidence(sample_copy):
    project = sample_copy("invoice-late-payment")
    before = (project / "model_card.yaml").read_bytes()
    result = cli("check", project, "--as-of", AS_OF, "-o", f"json={project / 'model_card.yaml'}")
    assert result.exit_code == 2
    assert (project / "model_card.yaml").read_bytes() == before
