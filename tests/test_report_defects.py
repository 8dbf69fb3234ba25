"""Issue 12, defects 7 and 9: what an auditor notices in the reports (each test failed before its fix)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import SAMPLES

from mlcompliance.render import view
from mlcompliance.render.common import md_text

CREDIT = SAMPLES / "credit-scoring"


@pytest.fixture(scope="module")
def credit(checks) -> dict:
    """credit-scoring, metadata only: its JSON result and HTML report."""
    out = {"json": checks.run(CREDIT, fmt="json", options=("--no-probes",)),
           "html": checks.run(CREDIT, fmt="html", options=("--no-probes",)),
           "md": checks.run(CREDIT, fmt="md", options=("--no-probes",)),
           "text": checks.run(CREDIT, fmt="text", options=("--no-probes",))}
    return {k: v.stdout.decode("utf-8") for k, v in out.items()}


# --- defect 7 ---------------------------------------------------------------------------------

def test_tier_basis_names_file_and_line(credit):
    result = json.loads(credit["json"])
    basis = result["risk"]["basis"]
    assert basis
    for b in basis:
        lines = (CREDIT / b["file"]).read_text(encoding="utf-8").split("\n")
        key = b["fact"].rsplit("/", 1)[1]
        assert key in lines[b["line"] - 1], (b, lines[b["line"] - 1])   # the line that declares the fact
        where = f"{b['file']}:{b['line']}"
        assert where in credit["text"] and md_text(where) in credit["md"] and where in credit["html"]


def test_one_google_level(credit):
    """The Google level is the one the practices set (maturity.google_level), shown nowhere else
    with another number: the ML Test Score crosswalk no longer records a level of its own."""
    m = json.loads(credit["json"])["maturity"]
    level = m["google_level"]
    assert "google_level" not in m["ml_test_score"]["crosswalk"]
    assert "azure_level" not in m["ml_test_score"]["crosswalk"]
    for page in (credit["html"], credit["json"], credit["text"], credit["md"]):
        shown = {int(n) for n in re.findall(r"Google level (\d)", page)}
        assert shown <= {level}, shown


def test_no_raw_null_or_interval_notation(credit):
    html = credit["html"]
    assert ">null<" not in html
    assert "(3, 5]" not in html and "more than 3 and at most 5" in html


@pytest.mark.parametrize("raw, words", [("(3, 5]", "more than 3 and at most 5"), ("(0, 1]", "more than 0 and at most 1"),
                                        ("[0.5, 2)", "at least 0.5 and less than 2"), ("> 5", "more than 5"),
                                        ("0", "0"), ("Strong", "Strong")])
def test_interval_text(raw, words):
    assert view.interval_text(raw) == words
