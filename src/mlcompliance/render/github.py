"""GitHub Actions workflow commands: annotations on the pull request, plus a summary notice.

A pure function of the result dict. Print it to standard output inside a workflow step::

    ::error file=model_card.yaml,line=12,title=RULE-ID (high%2C blocks)::message...
    ::warning file=...,line=...,title=...::message...
    ::notice title=mlcompliance::summary...

* ``::error`` for every finding that blocks the gate (``gate.blocking``);
* ``::warning`` for every other ``fail``, ``error`` or ``warn`` finding;
* one ``::notice`` with the verdict, scores and outcome counts.

Escaping follows GitHub's workflow-command rules (``toolkit/packages/core/src/command.ts``):
in the message ``%`` -> ``%25``, ``\\r`` -> ``%0D``, ``\\n`` -> ``%0A``; in property values
also ``:`` -> ``%3A`` and ``,`` -> ``%2C``. So no evidence text can end an annotation early or
start a workflow command of its own (each command is exactly one output line).

File paths are the project-relative paths of the result; when the result carries a relative
``project.path`` (the project directory inside the repository) it is prefixed, so annotations
land on the right file when the project is not at the repository root.

Keys read: ``project.name``, ``project.path`` (optional), ``gate`` (``verdict``, ``fail_on``,
``blocking``), ``summary`` (``score``, ``outcomes``, ``packs[]``), ``findings[]`` (``rule_id``,
``pack``, ``title``, ``outcome``, ``severity``, ``message``, ``remediation``, ``location``,
``observed``, ``fingerprint``).
"""
from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from mlcompliance.render.view import observed_text, severity_rank, text

PROBLEMS = ("fail", "error", "warn")


def escape_data(value: Any) -> str:
    return text(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: Any) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, Any], message: Any) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v not in (None, ""))
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _prefix(result: Mapping[str, Any]) -> str:
    raw = text((result.get("project") or {}).get("path")).replace("\\", "/")
    if not raw or raw.startswith("/") or ":" in raw:
        return ""
    norm = posixpath.normpath(raw)
    if norm == "." or norm.startswith(".."):
        return ""
    return norm


def annotation(finding: Mapping[str, Any], name: str, prefix: str, blocks: bool) -> str:
    loc = finding.get("location") if isinstance(finding.get("location"), Mapping) else {}
    file = text(loc.get("file"))
    line = loc.get("line")
    line = line if isinstance(line, int) and not isinstance(line, bool) and line >= 1 else 1
    props: dict[str, Any] = {"file": posixpath.join(prefix, file) if prefix and file else file, "line": line}
    col = loc.get("column")
    if isinstance(col, int) and not isinstance(col, bool) and col >= 1:
        props["col"] = col
    status = text(finding.get("outcome")) if finding.get("outcome") != "fail" else ""
    qualifiers = [text(finding.get("severity"))] + ([status] if status else []) + (["blocks"] if blocks else [])
    props["title"] = f"{text(finding.get('rule_id'))} ({', '.join(q for q in qualifiers if q)})"
    lines = [text(finding.get("message")) or text(finding.get("title"))]
    seen = observed_text(finding)
    if seen is not None:
        lines.append(f"Observed: {seen}")
    if finding.get("remediation"):
        lines.append(f"Fix: {text(finding.get('remediation'))}")
    pointer = text(loc.get("pointer"))
    lines.append(f"[{text(finding.get('pack'))}] {text(finding.get('title'))} (pointer {pointer or '/'})")
    return command(name, props, "\n".join(lines))


def _score(s: Any) -> str:
    if not isinstance(s, Mapping) or s.get("raw") is None:
        return "n/a"
    out = f"{s['raw']:.1f}% ({s.get('numerator')}/{s.get('denominator')})"
    if s.get("with_accepted_risk") != s.get("raw") and s.get("with_accepted_risk") is not None:
        out += f", {s['with_accepted_risk']:.1f}% with accepted risk"
    return out


def _annotations(result: Mapping[str, Any], prefix: str) -> list[tuple[tuple, str]]:
    findings = [f for f in result.get("findings") or [] if isinstance(f, Mapping)]
    blocking = {text(fp) for fp in (result.get("gate") or {}).get("blocking") or []}
    out = []
    for f in findings:
        if f.get("outcome") not in PROBLEMS:
            continue
        blocks = text(f.get("fingerprint")) in blocking
        key = (not blocks, -severity_rank(text(f.get("severity"))), PROBLEMS.index(f["outcome"]), prefix,
               text(f.get("pack")), text(f.get("rule_id")))
        out.append((key, annotation(f, "error" if blocks else "warning", prefix, blocks)))
    return out


def render(result: dict[str, Any]) -> str:
    gate = result.get("gate") or {}
    blocking = {text(fp) for fp in gate.get("blocking") or []}
    lines = [line for _, line in sorted(_annotations(result, _prefix(result)), key=lambda x: x[0])]
    summary = result.get("summary") or {}
    counts = summary.get("outcomes") or {}
    verdict = text(gate.get("verdict")) or "unknown"
    head = (f"{text((result.get('project') or {}).get('name'))}: {verdict.replace('_', '-').upper()} "
            f"(gate fail_on {text(gate.get('fail_on'))}; {len(blocking)} blocking)")
    body = [head, f"Score: {_score(summary.get('score'))}",
            "Outcomes: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v)]
    for p in summary.get("packs") or []:
        if isinstance(p, Mapping):
            body.append(f"{text(p.get('id'))} {text(p.get('version'))}: {_score(p.get('score'))}")
    lines.append(command("notice", {"title": "mlcompliance"}, "\n".join(body)))
    return "\n".join(lines) + "\n"
