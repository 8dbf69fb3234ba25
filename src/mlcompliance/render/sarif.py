"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, Azure DevOps, VS Code SARIF viewer).

A pure function of the result dict. One run, whose ``tool.driver`` is mlcompliance (with its
version) and whose ``tool.extensions`` are the policy packs (id, version, digest). Every rule
id seen in the findings gets one ``reportingDescriptor`` in ``driver.rules`` with a short and a
full description, help text (remediation and references, plain and Markdown), a ``helpUri``
and ``properties`` (``security-severity``, ``tags``, pack, requirement). Only findings whose
outcome is ``fail``, ``error`` or ``warn`` become results:

* ``error`` -> level ``error``; ``warn`` -> level ``warning``;
* ``fail`` -> by severity: critical/high ``error``, medium ``warning``, low/info ``note``.

Each result has a physical location (project-relative ``uri`` with ``uriBaseId``
``PROJECTROOT``, ``startLine``, file-level fallback line 1), the JSON pointer as a logical
location, ``partialFingerprints`` from the finding's fingerprint (rule + file + pointer, never a
line, so alerts survive edits) and ``properties`` with ``security-severity`` (critical 9.5,
high 8.0, medium 5.5, low 3.0, info 1.0), outcome and whether the finding blocks the gate.

Keys read: ``tool.version``, ``as_of``, ``project.name``, ``project.files[].path``,
``packs[]`` (``id``, ``version``, ``title``, ``digest``, ``source``), ``gate`` (``verdict``,
``fail_on``, ``blocking``), ``summary.score``, ``findings[]`` (``rule_id``, ``pack``,
``pack_version``, ``requirement``, ``title``, ``outcome``, ``severity``, ``message``,
``remediation``, ``references``, ``location``, ``observed``, ``detail``, ``fingerprint``),
``generated_at`` (optional).
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from mlcompliance.render.view import observed_text, result_sha256, text

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://mlcompliance.dev/"
RULE_HELP_URI = "https://mlcompliance.dev/packs/{pack}/{version}/rules/{rule}"
URI_BASE = "PROJECTROOT"
FINGERPRINT_KEY = "mlcompliance/v1"

SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
FAIL_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
RESULT_OUTCOMES = ("fail", "error", "warn")
_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


def level(finding: Mapping[str, Any]) -> str:
    outcome = finding.get("outcome")
    if outcome == "error":
        return "error"
    if outcome == "warn":
        return "warning"
    return FAIL_LEVEL.get(text(finding.get("severity")), "warning")


def _uri(path: str) -> str:
    """A relative URI reference for a project-relative path (forward slashes, percent-encoded)."""
    clean = path.replace("\\", "/").lstrip("/") or "."
    return quote(clean, safe="/-._~!$&'()*+,;=:@")


def _help_uri(pack: Mapping[str, Any] | None, pack_id: str, version: str, rule_id: str) -> str:
    source = (pack or {}).get("source") if isinstance((pack or {}).get("source"), Mapping) else {}
    url = text(source.get("url"))
    if re.match(r"^https?://[^\s]+$", url):
        return url
    return RULE_HELP_URI.format(pack=quote(pack_id or "unknown", safe=""), version=quote(version or "0", safe=""),
                                rule=quote(rule_id or "unknown", safe=""))


def _md_escape(value: str) -> str:
    """Keep untrusted text from becoming HTML in Markdown viewers."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _refs(refs: Any) -> list[str]:
    out = []
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, Mapping):
            out.append(" ".join(text(ref.get(k)) for k in ("regulation", "clause") if ref.get(k)) or text(ref))
        else:
            out.append(text(ref))
    return out


def _rule(finding: Mapping[str, Any], severities: list[str], pack: Mapping[str, Any] | None) -> dict[str, Any]:
    rule_id = text(finding.get("rule_id"))
    title = text(finding.get("title")) or rule_id
    remediation = text(finding.get("remediation"))
    refs = _refs(finding.get("references"))
    worst = max(severities, key=lambda s: _SEVERITY_ORDER.index(s) if s in _SEVERITY_ORDER else -1)
    plain = f"{title}\n\nRemediation: {remediation}" if remediation else title
    if refs:
        plain += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in refs)
    markdown = f"**{_md_escape(title)}**"
    if remediation:
        markdown += f"\n\n**Remediation:** {_md_escape(remediation)}"
    if refs:
        markdown += "\n\n**References:**\n\n" + "\n".join(f"- {_md_escape(r)}" for r in refs)
    pack_id, version = text(finding.get("pack")), text(finding.get("pack_version"))
    tags = ["compliance", pack_id] + [text(r.get("regulation")) for r in finding.get("references") or []
                                       if isinstance(r, Mapping) and r.get("regulation")]
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part) or rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title} (requirement {text(finding.get('requirement'))}, "
                                    f"pack {pack_id} {version})"},
        "help": {"text": plain, "markdown": markdown},
        "helpUri": _help_uri(pack, pack_id, version, rule_id),
        "defaultConfiguration": {"level": FAIL_LEVEL.get(worst, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(worst, "5.5"),
            "severity": worst,
            "pack": pack_id, "pack_version": version,
            "requirement": text(finding.get("requirement")),
            "references": refs,
            "tags": sorted(set(t for t in tags if t)),
        },
    }


def _result(finding: Mapping[str, Any], rule_index: int, blocking: set[str]) -> dict[str, Any]:
    loc = finding.get("location") if isinstance(finding.get("location"), Mapping) else {}
    line = loc.get("line")
    line = line if isinstance(line, int) and not isinstance(line, bool) and line >= 1 else 1
    region: dict[str, Any] = {"startLine": line}
    column = loc.get("column")
    if isinstance(column, int) and not isinstance(column, bool) and column >= 1:
        region["startColumn"] = column
    message = text(finding.get("message")) or text(finding.get("title"))
    seen = observed_text(finding)
    if seen is not None:
        message += f" (observed: {seen})"
    severity = text(finding.get("severity"))
    fp = text(finding.get("fingerprint"))
    pointer = text(loc.get("pointer"))
    out: dict[str, Any] = {
        "ruleId": text(finding.get("rule_id")),
        "ruleIndex": rule_index,
        "level": level(finding),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(text(loc.get("file")) or "."), "uriBaseId": URI_BASE},
                "region": region,
            },
            "logicalLocations": [{"fullyQualifiedName": f"{text(loc.get('file'))}#{pointer}",
                                  "name": pointer or "/", "kind": "member"}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fp} if fp else {},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "severity": severity,
            "outcome": text(finding.get("outcome")),
            "blocking": fp in blocking,
            "pack": text(finding.get("pack")),
            "requirement": text(finding.get("requirement")),
            "pointer": pointer,
        },
    }
    if finding.get("detail"):
        out["properties"]["detail"] = text(finding.get("detail"))
    if not out["partialFingerprints"]:
        del out["partialFingerprints"]
    return out


def safe_prefix(path: Any) -> str:
    """A project directory usable as a URI prefix: relative, inside the working tree; else ''."""
    raw = text(path).replace("\\", "/")
    if not raw or raw.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw):
        return ""
    norm = posixpath.normpath(raw)
    return "" if norm == "." or norm == ".." or norm.startswith("../") else norm


def _run(projects: list[tuple[str, dict[str, Any]]], portfolio: dict[str, Any] | None = None) -> dict[str, Any]:
    """One SARIF run over one or more (uri prefix, result) pairs."""
    first = projects[0][1] if projects else (portfolio or {})
    rules_first: dict[str, Mapping[str, Any]] = {}
    severities: dict[str, list[str]] = {}
    packs: dict[str, Mapping[str, Any]] = {}
    ext_seen: dict[tuple[str, str], Mapping[str, Any]] = {}
    for _, result in projects:
        for p in result.get("packs") or []:
            if isinstance(p, Mapping):
                packs.setdefault(text(p.get("id")), p)
                ext_seen.setdefault((text(p.get("id")), text(p.get("version"))), p)
        for f in result.get("findings") or []:
            if isinstance(f, Mapping):
                rid = text(f.get("rule_id"))
                rules_first.setdefault(rid, f)
                severities.setdefault(rid, []).append(text(f.get("severity")))
    rule_ids = sorted(rules_first)
    rules = [_rule(rules_first[r], severities[r], packs.get(text(rules_first[r].get("pack")))) for r in rule_ids]
    index = {r: i for i, r in enumerate(rule_ids)}
    results, artifacts = [], []
    for prefix, result in projects:
        blocking = {text(fp) for fp in (result.get("gate") or {}).get("blocking") or []}
        project_name = text((result.get("project") or {}).get("name"))
        for f in result.get("findings") or []:
            if isinstance(f, Mapping) and f.get("outcome") in RESULT_OUTCOMES:
                res = _result(f, index[text(f.get("rule_id"))], blocking)
                if portfolio is not None:
                    loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
                    if prefix:
                        loc["uri"] = _uri(posixpath.join(prefix, text((f.get("location") or {}).get("file"))))
                    res["properties"]["project"] = project_name
                    res["partialFingerprints"] = {FINGERPRINT_KEY: text(f.get("fingerprint")) + (
                        "@" + prefix if prefix else "@" + project_name)}
                results.append(res)
        for f in (result.get("project") or {}).get("files") or []:
            if isinstance(f, Mapping) and f.get("path"):
                artifact: dict[str, Any] = {"location": {"uri": _uri(posixpath.join(prefix, text(f.get("path")))
                                                                     if prefix else text(f.get("path"))),
                                                         "uriBaseId": URI_BASE}}
                if re.fullmatch(r"[0-9a-f]{64}", text(f.get("sha256"))):
                    artifact["hashes"] = {"sha-256": text(f.get("sha256"))}
                artifacts.append(artifact)
    tool = first.get("tool") or {}
    version = text(tool.get("version")) or "0"
    extensions = []
    for p in ext_seen.values():
        ext: dict[str, Any] = {"name": text(p.get("id")), "version": text(p.get("version")),
                               "fullName": f"{text(p.get('title')) or text(p.get('id'))} {text(p.get('version'))}",
                               "properties": {"digest": text(p.get("digest")), "origin": text(p.get("origin"))}}
        if re.fullmatch(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?", ext["version"]):
            ext["semanticVersion"] = ext["version"]
        src = p.get("source") if isinstance(p.get("source"), Mapping) else {}
        if re.match(r"^https?://[^\s]+$", text(src.get("url"))):
            ext["informationUri"] = text(src.get("url"))
        if src:
            ext["properties"]["source"] = {k: text(v) for k, v in src.items()}
        extensions.append(ext)
    driver: dict[str, Any] = {"name": text(tool.get("name")) or "mlcompliance", "version": version,
                              "informationUri": INFORMATION_URI, "rules": rules}
    if re.fullmatch(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?", version):
        driver["semanticVersion"] = version
    source = portfolio if portfolio is not None else first
    gate = source.get("gate") or {}
    summary = source.get("summary") or {}
    run_props: dict[str, Any] = {"as_of": text(source.get("as_of")), "verdict": text(gate.get("verdict")),
                                 "result_sha256": result_sha256(source)}
    if portfolio is None:
        run_props.update({"project": text((first.get("project") or {}).get("name")),
                          "fail_on": text(gate.get("fail_on")), "score": summary.get("score"),
                          "outcomes": summary.get("outcomes"),
                          "risk_tier": text((first.get("risk") or {}).get("tier"))})
    else:
        run_props.update({"projects": [{"path": prefix or None, "name": text((r.get("project") or {}).get("name")),
                                        "verdict": text((r.get("gate") or {}).get("verdict"))}
                                       for prefix, r in projects],
                          "outcomes": summary.get("outcomes")})
    if source.get("generated_at"):
        run_props["generated_at"] = text(source.get("generated_at"))
    return {
        "tool": {"driver": driver, "extensions": extensions},
        "originalUriBaseIds": {URI_BASE: {"description": {"text": "The directory mlcompliance was run on: the "
                                                                  "project, or for a portfolio the working directory "
                                                                  "its project paths are relative to."}}},
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": run_props,
    }


def build(result: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [_run([("", result)])]}


def render(result: dict[str, Any]) -> str:
    return json.dumps(build(result), indent=2, ensure_ascii=False) + "\n"
