"""The typed result: frozen, built once, and its JSON written and read in one place (result.codec)."""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest

from mlcompliance.errors import InputError
from mlcompliance.result import codec
from mlcompliance.result.model import Result
from mlcompliance.run import Checker

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "sample_projects").iterdir()   # assess/ holds questionnaire answers
                 if p.is_dir() and p.name not in ("broken-fraud-alerts", "assess"))
AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.mark.parametrize("project", SAMPLES, ids=lambda p: p.name)
def test_round_trip_on_every_sample(checker, project):
    result = checker.check(project, AS_OF)
    assert isinstance(result, Result)
    text = codec.dumps(result)
    assert codec.from_dict(codec.to_dict(result)) == result
    back = codec.loads(text, "saved.json")
    assert back == result and codec.dumps(back) == text
    assert [f.sort_key() for f in result.findings] == sorted(f.sort_key() for f in result.findings)


def test_result_and_findings_are_frozen(checker):
    result = checker.check(ROOT / "sample_projects" / "invoice-late-payment", AS_OF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.gate = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.findings[0].outcome = "pass"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.maturity["stage"] = None  # type: ignore[index]   # read-only mapping
    with pytest.raises(TypeError):
        type(result.findings[0])("R", "p")  # keyword arguments only


def test_bad_saved_results_are_input_errors(tmp_path):
    for text, message in (("[]", "no result_version"), ('{"result_version": "2.0"}', "not supported"),
                          ('{"result_version": "1.0", "tool": {}}', "not a valid mlcompliance result")):
        path = tmp_path / "r.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message) as err:
            codec.read(path)
        assert str(path) in str(err.value)


def test_vocabulary_is_spelled_out_once():
    """Outcomes, severities and tiers are defined in vocab.py; no other module spells out the lists."""
    lists = [r'"info",\s*"low",\s*"medium",\s*"high",\s*"critical"', r'"minimal",\s*"limited",\s*"high",\s*"prohibited"',
             r'"critical":\s*10', r'"fail",\s*"error",\s*"warn",\s*"manual"']
    offenders = []
    for path in (ROOT / "src" / "mlcompliance").rglob("*.py"):
        if path.name == "vocab.py" or "_fastschema" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {p}" for p in lists if re.search(p, text)]
    assert offenders == []


def test_json_schema_accepts_the_written_result(checker):
    from mlcompliance.evidence.schemas import validator
    value = json.loads(codec.dumps(checker.check(ROOT / "sample_projects" / "credit-scoring", AS_OF)))
    assert list(validator("result").iter_errors(value)) == []
