"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps, GitHub test reporters).

A pure function of the result dict, built with ``xml.etree`` (never by concatenating text).
``<testsuites>`` holds one ``<testsuite>`` per pack and one ``<testcase>`` per finding, i.e.
per rule and target (manual requirements included):

============== =================================================================
outcome        JUnit
============== =================================================================
pass           passed (empty testcase)
fail           ``<failure message=... type=SEVERITY>`` with location, observed, remediation
error          ``<error message=... type="error">`` (the rule could not be evaluated)
warn           passed, with the warning in ``<system-out>`` (warnings are not scored)
not_applicable ``<skipped message=REASON>``
manual         ``<skipped message="manual: ...">`` (needs a human attestation)
waived         ``<skipped message="waived: ...">`` (accepted risk)
============== =================================================================

So ``tests`` = number of findings, ``failures`` = fail count, ``errors`` = error count,
``skipped`` = not_applicable + manual + waived, matching ``summary.outcomes`` (and
``summary.packs[].outcomes`` per suite). Characters XML 1.0 forbids (most C0 controls,
lone surrogates, U+FFFE/U+FFFF) are shown as ``<U+XXXX>`` text so the file always parses, as are
control and direction characters (``common.visible``).

With a baseline (``check --baseline``) each problem testcase carries a ``baseline``
property (new / recurring) and its body says so; the baseline's fixed findings are added to
their pack's suite as passed testcases with ``baseline`` ``fixed``. ``generated_at`` (optional)
is the suites' timestamp; omitted when absent so output stays reproducible.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from mlcompliance.render.common import visible
from mlcompliance.render.view import observed_text, result_sha256, text, where
from mlcompliance.result.model import Finding, Result
from mlcompliance.vocab import SKIPPED

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text that XML 1.0 can carry and that shows what it holds: control and direction characters
    become ``<U+XXXX>`` (``common.visible``), and so does what else XML forbids (lone surrogates,
    U+FFFE/FFFF)."""
    return _ILLEGAL_XML.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", visible(text(value)))


def _el(parent: ET.Element, tag: str, attrs: dict[str, Any] | None = None, body: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in (attrs or {}).items()})
    if body is not None:
        node.text = xml_text(body)
    return node


def _case_name(f: Finding) -> str:
    return f"{f.rule_id} [{f.file}#{f.target}]"


def _body(f: Finding, blocking: bool) -> str:
    lines = [f"{f.outcome} ({f.severity}{', blocks the gate' if blocking else ''}"
             f"{', ' + f.baseline if f.baseline else ''}): {f.message}",
             f"where: {where(f)} (pointer {f.pointer})",
             f"rule: {f.rule_id}: {f.title}",
             f"requirement: {f.requirement}"]
    seen = observed_text(f)
    if seen is not None:
        lines.append(f"observed: {seen}")
    if f.detail:
        lines.append(f"detail: {f.detail}")
    if f.remediation:
        lines.append(f"remediation: {f.remediation}")
    refs = [" ".join(v for v in (r.regulation, r.clause) if v) for r in f.references]
    if refs:
        lines.append("references: " + "; ".join(refs))
    lines.append(f"fingerprint: {f.fingerprint}")
    return "\n".join(lines)


def build(result: Result) -> ET.Element:
    root = ET.Element("testsuites")
    totals = _suites(root, result, "")
    return _finish(root, f"mlcompliance: {result.project.name or 'project'}", totals, result_sha256(result))


def _finish(root: ET.Element, name: str, totals: dict[str, int], sha: str) -> ET.Element:
    root.set("name", xml_text(name))
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    root.insert(0, ET.Comment(xml_text(f" result sha256 {sha} ").replace("--", "- -")))
    return root


def _suites(root: ET.Element, result: Result, label: str) -> dict[str, int]:
    gate = result.gate
    blocking = set(gate.blocking)
    versions = {p.id: p.version for p in result.packs}
    by_pack: dict[str, list[Finding]] = {p.id: [] for p in result.packs}
    for f in result.findings:
        by_pack.setdefault(f.pack, []).append(f)
    fixed: dict[str, list[Finding]] = {}
    for f in result.baseline.fixed if result.baseline is not None else ():
        fixed.setdefault(f.pack, []).append(f)
        by_pack.setdefault(f.pack, [])
    project = result.project.name or "project"
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    stamp = result.generated_at
    for pack, items in by_pack.items():
        n = {"tests": len(items) + len(fixed.get(pack, ())),
             "failures": sum(1 for f in items if f.outcome == "fail"),
             "errors": sum(1 for f in items if f.outcome == "error"),
             "skipped": sum(1 for f in items if f.outcome in SKIPPED)}
        for k in totals:
            totals[k] += n[k]
        suite_name = f"{pack} {versions.get(pack, '')}".strip()
        attrs: dict[str, Any] = {"name": f"{label}: {suite_name}" if label else suite_name, "package": pack,
                                 **{k: str(v) for k, v in n.items()}, "time": "0"}
        if stamp:
            attrs["timestamp"] = stamp
        suite = _el(root, "testsuite", attrs)
        props = _el(suite, "properties")
        for name, value in (("project", project), *((("project_path", label),) if label else ()), ("pack", pack),
                            ("pack_version", versions.get(pack, "")), ("as_of", result.as_of.isoformat()),
                            ("verdict", gate.verdict), ("fail_on", gate.fail_on),
                            ("mlcompliance_version", result.tool.version)):
            _el(props, "property", {"name": name, "value": value})
        if result.baseline is not None:
            _el(props, "property", {"name": "baseline", "value": result.baseline.file})
        for f in items:
            _case(suite, f, label, f.fingerprint in blocking)
        for f in fixed.get(pack, ()):
            case = _testcase(suite, f, label)
            _el(case, "properties").append(ET.Element("property", {"name": "baseline", "value": "fixed"}))
            _el(case, "system-out", None, f"fixed since the baseline (was {f.outcome}, {f.severity}): {f.message}")
    return totals


def _testcase(suite: ET.Element, f: Finding, label: str) -> ET.Element:
    classname = f"{f.pack}.{f.requirement}"
    return _el(suite, "testcase", {"classname": f"{label}: {classname}" if label else classname,
                                   "name": _case_name(f), "file": f.file, "line": str(f.line), "time": "0"})


def _case(suite: ET.Element, f: Finding, label: str, blocks: bool) -> None:
    case = _testcase(suite, f, label)
    if f.baseline is not None:
        _el(case, "properties").append(ET.Element("property", {"name": "baseline", "value": f.baseline}))
    outcome, message = f.outcome, f.message
    if outcome == "fail":
        _el(case, "failure", {"message": message, "type": f.severity}, _body(f, blocks))
    elif outcome == "error":
        _el(case, "error", {"message": message, "type": "error"}, _body(f, blocks))
    elif outcome == "not_applicable":
        _el(case, "skipped", {"message": message})
    elif outcome == "manual":
        _el(case, "skipped", {"message": f"manual: {message}"})
    elif outcome == "waived":
        _el(case, "skipped", {"message": f"waived: {message}"})
    elif outcome == "warn":
        _el(case, "system-out", None, "WARNING " + _body(f, False))


def _serialise(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(result: Result) -> str:
    return _serialise(build(result))
