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
lone surrogates, U+FFFE/U+FFFF) are replaced by ``\\uXXXX`` text so the file always parses.

Keys read: ``project.name``, ``as_of``, ``tool.version``, ``packs[]`` (``id``, ``version``),
``gate`` (``verdict``, ``fail_on``, ``blocking``), ``findings[]`` (``rule_id``, ``pack``,
``pack_version``, ``requirement``, ``title``, ``outcome``, ``severity``, ``message``,
``remediation``, ``references``, ``location``, ``observed``, ``detail``, ``fingerprint``),
``generated_at`` (optional, as the suites' timestamp; omitted when absent so output stays
reproducible).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from mlcompliance.render.view import observed_text, result_sha256, text, where

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SKIPPED = ("not_applicable", "manual", "waived")


def xml_text(value: Any) -> str:
    """Text that XML 1.0 can carry: forbidden characters become visible ``\\uXXXX`` escapes."""
    return _ILLEGAL_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text(value))


def _el(parent: ET.Element, tag: str, attrs: dict[str, Any] | None = None, body: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in (attrs or {}).items()})
    if body is not None:
        node.text = xml_text(body)
    return node


def _case_name(f: Mapping[str, Any]) -> str:
    loc = f.get("location") if isinstance(f.get("location"), Mapping) else {}
    target = text(loc.get("target") if "target" in loc else loc.get("pointer"))
    return f"{text(f.get('rule_id'))} [{text(loc.get('file'))}#{target}]"


def _body(f: Mapping[str, Any], blocking: bool) -> str:
    lines = [f"{text(f.get('outcome'))} ({text(f.get('severity'))}{', blocks the gate' if blocking else ''}): "
             f"{text(f.get('message'))}",
             f"where: {where(f)} (pointer {text((f.get('location') or {}).get('pointer'))})",
             f"rule: {text(f.get('rule_id'))}: {text(f.get('title'))}",
             f"requirement: {text(f.get('requirement'))}"]
    seen = observed_text(f)
    if seen is not None:
        lines.append(f"observed: {seen}")
    if f.get("detail"):
        lines.append(f"detail: {text(f.get('detail'))}")
    if f.get("remediation"):
        lines.append(f"remediation: {text(f.get('remediation'))}")
    refs = [" ".join(text(r.get(k)) for k in ("regulation", "clause") if r.get(k))
            for r in f.get("references") or [] if isinstance(r, Mapping)]
    if refs:
        lines.append("references: " + "; ".join(refs))
    lines.append(f"fingerprint: {text(f.get('fingerprint'))}")
    return "\n".join(lines)


def build(result: dict[str, Any]) -> ET.Element:
    root = ET.Element("testsuites")
    totals = _suites(root, result, "")
    project = text((result.get("project") or {}).get("name")) or "project"
    return _finish(root, f"mlcompliance: {project}", totals, result)


def _finish(root: ET.Element, name: str, totals: dict[str, int], source: dict[str, Any]) -> ET.Element:
    root.set("name", xml_text(name))
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    root.insert(0, ET.Comment(xml_text(f" result sha256 {result_sha256(source)} ").replace("--", "- -")))
    return root


def _suites(root: ET.Element, result: Mapping[str, Any], label: str) -> dict[str, int]:
    findings = [f for f in result.get("findings") or [] if isinstance(f, Mapping)]
    gate = result.get("gate") or {}
    blocking = {text(fp) for fp in gate.get("blocking") or []}
    order = [text(p.get("id")) for p in result.get("packs") or [] if isinstance(p, Mapping)]
    versions = {text(p.get("id")): text(p.get("version")) for p in result.get("packs") or [] if isinstance(p, Mapping)}
    by_pack: dict[str, list[Mapping[str, Any]]] = {p: [] for p in order}
    for f in findings:
        by_pack.setdefault(text(f.get("pack")), []).append(f)
    project = text((result.get("project") or {}).get("name")) or "project"
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    stamp = text(result.get("generated_at"))
    for pack, items in by_pack.items():
        n = {"tests": len(items),
             "failures": sum(1 for f in items if f.get("outcome") == "fail"),
             "errors": sum(1 for f in items if f.get("outcome") == "error"),
             "skipped": sum(1 for f in items if f.get("outcome") in SKIPPED)}
        for k in totals:
            totals[k] += n[k]
        suite_name = f"{pack} {versions.get(pack, '')}".strip()
        attrs: dict[str, Any] = {"name": f"{label}: {suite_name}" if label else suite_name, "package": pack,
                                 **{k: str(v) for k, v in n.items()}, "time": "0"}
        if stamp:
            attrs["timestamp"] = stamp
        suite = _el(root, "testsuite", attrs)
        props = _el(suite, "properties")
        for name, value in (("project", project), *((("project_path", label),) if label else ()), ("pack", pack), ("pack_version", versions.get(pack, "")),
                            ("as_of", result.get("as_of")), ("verdict", gate.get("verdict")),
                            ("fail_on", gate.get("fail_on")), ("mlcompliance_version",
                                                               (result.get("tool") or {}).get("version"))):
            _el(props, "property", {"name": name, "value": value})
        for f in items:
            outcome = text(f.get("outcome"))
            fp = text(f.get("fingerprint"))
            classname = f"{pack}.{text(f.get('requirement'))}"
            case = _el(suite, "testcase", {"classname": f"{label}: {classname}" if label else classname,
                                           "name": _case_name(f), "file": text((f.get("location") or {}).get("file")),
                                           "line": text((f.get("location") or {}).get("line", 1)), "time": "0"})
            message = text(f.get("message"))
            if outcome == "fail":
                _el(case, "failure", {"message": message, "type": text(f.get("severity"))},
                    _body(f, fp in blocking))
            elif outcome == "error":
                _el(case, "error", {"message": message, "type": "error"}, _body(f, fp in blocking))
            elif outcome == "not_applicable":
                _el(case, "skipped", {"message": message})
            elif outcome == "manual":
                _el(case, "skipped", {"message": f"manual: {message}"})
            elif outcome == "waived":
                _el(case, "skipped", {"message": f"waived: {message}"})
            elif outcome == "warn":
                _el(case, "system-out", None, "WARNING " + _body(f, False))
            elif outcome != "pass":
                _el(case, "system-out", None, f"outcome {outcome}: {message}")
    return totals


def _serialise(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(result: dict[str, Any]) -> str:
    return _serialise(build(result))
