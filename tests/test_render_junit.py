"""JUnit XML output: parses, one suite per pack, one case per rule and target, counts match the summary."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from helpers import render_portfolio

from mlcompliance.render import RENDERERS, junit


def parse(result: dict) -> ET.Element:
    text = RENDERERS["junit"](result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def expected(outcomes: dict) -> dict:
    return {"tests": sum(outcomes.values()), "failures": outcomes["fail"], "errors": outcomes["error"],
            "skipped": outcomes["not_applicable"] + outcomes["manual"] + outcomes["waived"]}


@pytest.mark.parametrize("which", ["invoice_result", "failing_result", "hostile_result"])
def test_counts_match_the_summary(which, request):
    result = request.getfixturevalue(which)
    root = parse(result)
    assert root.tag == "testsuites"
    assert {k: int(root.get(k)) for k in ("tests", "failures", "errors", "skipped")} == \
        expected(result["summary"]["outcomes"])
    suites = {s.get("package"): s for s in root.findall("testsuite")}
    assert set(suites) == {p["id"] for p in result["summary"]["packs"]}
    for p in result["summary"]["packs"]:
        suite = suites[p["id"]]
        assert {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")} == expected(p["outcomes"])
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert len(suite.findall("testcase/failure")) == p["outcomes"]["fail"]
        assert len(suite.findall("testcase/error")) == p["outcomes"]["error"]
        assert len(suite.findall("testcase/skipped")) == expected(p["outcomes"])["skipped"]


def test_one_case_per_rule_and_target(failing_result):
    root = parse(failing_result)
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(names) == len(set(names)) == len(failing_result["findings"])
    for f in failing_result["findings"]:
        assert f"{f['rule_id']} [{f['location']['file']}#{f['location']['target']}]" in names


def test_failure_carries_message_location_and_remediation(failing_result):
    root = parse(failing_result)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    for f in failing_result["findings"]:
        case = cases[f"{f['rule_id']} [{f['location']['file']}#{f['location']['target']}]"]
        assert case.get("file") == f["location"]["file"] and case.get("line") == str(f["location"]["line"])
        if f["outcome"] == "fail":
            failure = case.find("failure")
            assert failure.get("message") == f["message"] and failure.get("type") == f["severity"]
            assert f"{f['location']['file']}:{f['location']['line']}" in failure.text
            assert f["remediation"] in failure.text and f["fingerprint"] in failure.text
        elif f["outcome"] in ("not_applicable", "manual", "waived"):
            assert f["message"] in case.find("skipped").get("message")
        elif f["outcome"] == "pass":
            assert len(case) == 0


def test_error_and_warn_outcomes(invoice_result):
    import copy
    result = copy.deepcopy(invoice_result)
    result["findings"][0]["outcome"] = "error"
    result["findings"][1]["outcome"] = "warn"
    root = parse(result)
    cases = {c.get("name"): c for c in root.iter("testcase")}

    def case(f):
        return cases[f"{f['rule_id']} [{f['location']['file']}#{f['location']['target']}]"]
    assert case(result["findings"][0]).find("error").get("type") == "error"
    assert case(result["findings"][1]).find("system-out").text.startswith("WARNING")
    assert root.get("errors") == "1"


def test_hostile_text_survives_as_text(hostile_result):
    root = parse(hostile_result)
    messages = [e.get("message") for e in root.iter("failure")]
    assert any("<script>" in m or "<a href" in m for m in messages)  # kept verbatim, as text
    assert any("<U+0001><U+0008>" in (e.get("message") or "") for e in root.iter("failure"))  # controls shown
    assert all(c.tag in ("properties", "testcase") for s in root for c in s)  # no injected element


def test_xml_text_escapes_characters_xml_forbids():
    assert junit.xml_text("a\x00b\x1fc\ufffe\ud800") == "a<U+0000>b<U+001F>c<U+FFFE><U+D800>"
    assert junit.xml_text("tab\tnl\ncr\r") == "tab\tnl\ncr<U+000D>"  # CR shown: it could overwrite a line in a log


def test_no_clock_in_output(invoice_result):
    text = RENDERERS["junit"](invoice_result)
    assert "timestamp" not in text
    stamped = RENDERERS["junit"](dict(invoice_result, generated_at="2026-11-01T10:00:00Z"))
    assert 'timestamp="2026-11-01T10:00:00Z"' in stamped


def test_portfolio_has_suites_per_project_and_pack(portfolio_result):
    root = ET.fromstring(render_portfolio(portfolio_result, "junit").encode("utf-8"))
    assert int(root.get("tests")) == sum(len(e["result"]["findings"]) for e in portfolio_result["projects"])
    assert int(root.get("failures")) == portfolio_result["summary"]["outcomes"]["fail"]
    names = [s.get("name") for s in root.findall("testsuite")]
    assert len(names) == len(set(names)) == sum(len(e["result"]["summary"]["packs"]) for e in portfolio_result["projects"])
    assert all(n.startswith(("invoice: ", "failing-project: ")) for n in names)
