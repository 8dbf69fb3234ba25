"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, Azure DevOps, VS Code SARIF viewer).

A pure function of the result dict. One run, whose ``tool.driver`` is mlcompliance (with its
version) and whose ``tool.extensions`` are the policy packs (id, version, digest). Every rule
id seen in the findings gets one ``reportingDescriptor`` in ``driver.rules`` with a short and a
full description, help text (remediation and references, plain and Markdown), a ``helpUri``
and ``properties`` (``security-severity``, ``tags``, pack, requirement). Only findings whose
outcome is ``fail``, ``error`` or ``warn`` become results:

* ``error`` -> level ``error``; ``warn`` -> level ``warning``;
* ``fail`` -> by severity: critical/high ``error``, medium ``warning``, low/info ``note``.

Each result has a physical location (``uri`` relative to the SARIF root with ``uriBaseId``
``PROJECTROOT``: the project's directory ``uri_prefix`` joined with its project-relative file,
``startLine``, file-level fallback line 1; the command line works out ``uri_prefix`` from
``--sarif-root``, the git repository or the working directory, cli/sarif_root.py), the JSON pointer as a logical
location, ``partialFingerprints`` from the finding's fingerprint (rule + file + pointer, never a
line, so alerts survive edits) and ``properties`` with ``security-severity`` (critical 9.5,
high 8.0, medium 5.5, low 3.0, info 1.0), outcome and whether the finding blocks the gate.

The run's ``automationDetails.id`` (``mlcompliance/<project path or name>/``) is stable across
runs and different for each project of a repository, so code scanning keeps one category per
project (:func:`automation_id`).

With a baseline (``check --baseline``) every result carries SARIF's own ``baselineState``:
``new`` or ``unchanged`` (recurring), and the baseline's fixed findings are added as results
with ``baselineState`` ``absent`` (``kind`` ``pass``, ``level`` ``none``).

Every string of the document has its control and direction characters shown as ``<U+XXXX>``
(:func:`visible_tree`), so no message is reversed or hidden in a SARIF viewer.
"""
from __future__ import annotations

import json
import posixpath
import re
from typing import Any
from urllib.parse import quote

from mlcompliance.render.common import md_text, visible
from mlcompliance.render.view import observed_text, result_sha256, text
from mlcompliance.result import codec
from mlcompliance.result.model import Finding, PackRef, Result
from mlcompliance.vocab import MANUAL_NOT_APPLICABLE, MANUAL_REMEDIATION, PROBLEMS, SEVERITY_RANK

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
URI_BASE = "PROJECTROOT"
ORIGINAL_URI_BASE_TEXT = ("The SARIF root: --sarif-root, else the root of the git repository holding the project (or, "
                          "for a portfolio, the working directory), else the working directory.")
SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?")
FINGERPRINT_KEY = "mlcompliance/v1"

SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
FAIL_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
BASELINE_STATE = {"new": "new", "recurring": "unchanged"}


def level(finding: Finding) -> str:
    if finding.outcome == "error":
        return "error"
    if finding.outcome == "warn":
        return "warning"
    return FAIL_LEVEL[finding.severity]


def _uri(path: str) -> str:
    """A relative URI reference for a project-relative path (forward slashes, percent-encoded).

    A first segment with a colon would read as a scheme (``javascript:...``, ``C:``): it gets a
    ``./`` in front, as RFC 3986 section 4.2 prescribes for such relative references."""
    clean = path.replace("\\", "/").lstrip("/") or "."
    uri = quote(clean, safe="/-._~!$&'()*+,;=:@")
    return "./" + uri if ":" in uri.split("/", 1)[0] else uri


def automation_id(prefix: str, name: str) -> str:
    """``mlcompliance/<where>/``: the project's path under the SARIF root (else its name), as a
    category of safe characters; the trailing slash makes the whole id the category (no run id),
    so every run of the same project has the same id, and two projects never share one."""
    where = "/".join(p for p in (re.sub(r"[^A-Za-z0-9._-]+", "-", part).strip("-") for part in
                                 (prefix or name or "project").split("/")) if p) or "project"
    return f"mlcompliance/{where}/"


def _help_uri(finding: Finding, pack: PackRef | None) -> str | None:
    """The clause the rule enforces (its first http(s) reference), else the pack's source; None
    (no ``helpUri``) rather than an address nobody serves."""
    candidates = [r.url for r in finding.references] + [text(pack.source.get("url")) if pack is not None else ""]
    return next((u for u in candidates if isinstance(u, str) and re.match(r"^https?://[^\s]+$", u)), None)


def _md_escape(value: str) -> str:
    """Untrusted text made inert in the rule's help Markdown (code scanning renders it as GitHub
    Markdown): the one implementation, ``common.md_text`` (no HTML, link, image or mention)."""
    return md_text(value)


def _refs(finding: Finding) -> list[str]:
    return [" ".join(v for v in (r.regulation, r.clause) if v) for r in finding.references]


def descriptor_basis(findings: list[Finding]) -> Finding:
    """The finding a rule's descriptor is written from: a problem first, then any finding that
    is not "not applicable" (whose remediation may only say there is nothing to do)."""
    order = {o: i for i, o in enumerate((*PROBLEMS, "manual", "waived", "pass", "not_applicable"))}
    return min(findings, key=lambda f: order.get(f.outcome, len(order)))


def remediation_text(finding: Finding) -> str:
    """The help's remediation: a manual requirement that does not apply here still says what a
    person must attest when it does (never only "Nothing to attest while it does not apply")."""
    if finding.outcome == "not_applicable" and finding.remediation == MANUAL_NOT_APPLICABLE:
        return (f"{MANUAL_REMEDIATION} This requirement is checked by a person, not by a rule. "
                f"In this project: {finding.message}")
    return finding.remediation


def _rule(finding: Finding, severities: list[str], pack: PackRef | None) -> dict[str, Any]:
    rule_id = finding.rule_id
    title = finding.title or rule_id
    remediation = remediation_text(finding)
    refs = _refs(finding)
    worst = max(severities, key=SEVERITY_RANK.__getitem__)
    plain = f"{title}\n\nRemediation: {remediation}" if remediation else title
    if refs:
        plain += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in refs)
    markdown = f"**{_md_escape(title)}**"
    if remediation:
        markdown += f"\n\n**Remediation:** {_md_escape(remediation)}"
    if refs:
        markdown += "\n\n**References:**\n\n" + "\n".join(f"- {_md_escape(r)}" for r in refs)
    pack_id, version = finding.pack, finding.pack_version
    tags = ["compliance", pack_id] + [r.regulation for r in finding.references if r.regulation]
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part) or rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title} (requirement {finding.requirement}, pack {pack_id} {version})"},
        "help": {"text": plain, "markdown": markdown},
        **({"helpUri": uri} if (uri := _help_uri(finding, pack)) else {}),
        "defaultConfiguration": {"level": FAIL_LEVEL[worst]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[worst],
            "severity": worst,
            "pack": pack_id, "pack_version": version,
            "requirement": finding.requirement,
            "references": refs,
            "tags": sorted(set(t for t in tags if t)),
        },
    }


def _result(finding: Finding, rule_index: int, blocking: set[str], fixed: bool = False,
            prefix: str = "") -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line if finding.line >= 1 else 1}
    if finding.column >= 1:
        region["startColumn"] = finding.column
    message = finding.message or finding.title
    seen = observed_text(finding)
    if seen is not None:
        message += f" (observed: {seen})"
    fp = finding.fingerprint
    pointer = finding.pointer
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": "none" if fixed else level(finding),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(join(prefix, finding.file or ".")), "uriBaseId": URI_BASE},
                "region": region,
            },
            "logicalLocations": [{"fullyQualifiedName": f"{finding.file}#{pointer}",
                                  "name": pointer or "/", "kind": "member"}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
        "properties": {
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "severity": finding.severity,
            "outcome": finding.outcome,
            "blocking": fp in blocking,
            "pack": finding.pack,
            "requirement": finding.requirement,
            "pointer": pointer,
        },
    }
    if fixed:
        out = {"kind": "pass", **out, "baselineState": "absent"}
        out["properties"]["baseline"] = "fixed"
    elif finding.baseline is not None:
        out["baselineState"] = BASELINE_STATE[finding.baseline]
        out["properties"]["baseline"] = finding.baseline
    if finding.detail:
        out["properties"]["detail"] = finding.detail
    return out


def join(prefix: str, path: str) -> str:
    """``path`` (project-relative) under the project's directory ``prefix`` ("" : as it is)."""
    return posixpath.join(prefix, path) if prefix else path


def safe_prefix(path: Any) -> str:
    """A project directory usable as a URI prefix: relative, inside the working tree; else ''."""
    raw = text(path).replace("\\", "/")
    if not raw or raw.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw):
        return ""
    norm = posixpath.normpath(raw)
    return "" if norm == "." or norm == ".." or norm.startswith("../") else norm


def extension(p: PackRef) -> dict[str, Any]:
    """A pack as a SARIF ``toolComponent`` extension (id, version, digest, origin, source)."""
    ext: dict[str, Any] = {"name": p.id, "version": p.version, "fullName": f"{p.title or p.id} {p.version}",
                           "properties": {"digest": p.digest, "origin": p.origin}}
    if SEMVER.fullmatch(ext["version"]):
        ext["semanticVersion"] = ext["version"]
    src = p.source
    if re.match(r"^https?://[^\s]+$", text(src.get("url"))):
        ext["informationUri"] = text(src.get("url"))
    if src:
        ext["properties"]["source"] = {k: text(v) for k, v in src.items()}
    return ext


def _run(result: Result, prefix: str = "") -> dict[str, Any]:
    """The SARIF run of one project's result (a portfolio's is streamed by render/portfolio/sarif.py)."""
    fixed = result.baseline.fixed if result.baseline is not None else ()
    by_rule: dict[str, list[Finding]] = {}
    for f in (*result.findings, *fixed):
        by_rule.setdefault(f.rule_id, []).append(f)
    packs = {p.id: p for p in result.packs}     # one version of each pack is chosen
    rule_ids = sorted(by_rule)
    rules = []
    for r in rule_ids:
        basis = descriptor_basis(by_rule[r])
        rules.append(_rule(basis, [f.severity for f in by_rule[r]], packs.get(basis.pack)))
    index = {r: i for i, r in enumerate(rule_ids)}
    blocking = set(result.gate.blocking)
    results = [_result(f, index[f.rule_id], blocking, prefix=prefix) for f in result.findings if f.outcome in PROBLEMS]
    results += [_result(f, index[f.rule_id], blocking, fixed=True, prefix=prefix) for f in fixed]
    artifacts = []
    for f in result.project.files:
        if f.path:
            artifact: dict[str, Any] = {"location": {"uri": _uri(join(prefix, f.path)), "uriBaseId": URI_BASE}}
            if re.fullmatch(r"[0-9a-f]{64}", text(f.sha256)):
                artifact["hashes"] = {"sha-256": f.sha256}
            artifacts.append(artifact)
    version = text(result.tool.version) or "0"
    driver: dict[str, Any] = {"name": text(result.tool.name) or "mlcompliance", "version": version, "rules": rules}
    if SEMVER.fullmatch(version):
        driver["semanticVersion"] = version
    run_props: dict[str, Any] = {"as_of": result.as_of.isoformat(), "verdict": result.gate.verdict,
                                 "result_sha256": result_sha256(result), "project": result.project.name,
                                 "fail_on": result.gate.fail_on, "score": codec.score_to_dict(result.summary.score),
                                 "outcomes": codec.counts_to_dict(result.summary.outcomes),
                                 "risk_tier": result.risk.tier}
    if result.baseline is not None:
        b = result.baseline
        run_props["baseline"] = {"file": b.file, "as_of": b.as_of, "new": b.new, "recurring": b.recurring,
                                 "fixed": len(b.fixed), "new_only": result.gate.new_only}
    if result.generated_at:
        run_props["generated_at"] = text(result.generated_at)
    return {
        "tool": {"driver": driver, "extensions": [extension(p) for p in result.packs]},
        "automationDetails": {"id": automation_id(prefix, result.project.name)},
        "originalUriBaseIds": {URI_BASE: {"description": {"text": ORIGINAL_URI_BASE_TEXT}}},
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": run_props,
    }


def visible_tree(value: Any) -> Any:
    """A copy of a JSON value whose every string (keys too) has its control and direction
    characters shown as ``<U+XXXX>`` (``common.visible``): SARIF viewers show messages as they are."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible(k): visible_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_tree(v) for v in value]
    return value


def build(result: Result, uri_prefix: str = "") -> dict[str, Any]:
    """``uri_prefix``: the project's directory relative to the SARIF root (cli/sarif_root.py)."""
    return visible_tree({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION,
                         "runs": [_run(result, safe_prefix(uri_prefix))]})


def render(result: Result, uri_prefix: str = "") -> str:
    return json.dumps(build(result, uri_prefix), indent=2, ensure_ascii=False) + "\n"
