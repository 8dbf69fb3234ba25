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
start a workflow command of its own (each command is exactly one output line). Before that,
control and direction characters (ESC, NUL, BS, U+202E...) become visible ``<U+XXXX>`` text
(``common.visible``), so no annotation carries a raw terminal escape.

File paths are the project-relative paths of the result; in a portfolio they are prefixed
with each project's path when that path is relative, so annotations land on the right file.

With a baseline (``check --baseline``) each annotation's title says ``new`` or ``recurring``,
and the notice gives the counts and lists the findings fixed since the baseline.
"""
from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from mlcompliance.render.common import baseline_text, score_text, visible
from mlcompliance.render.view import observed_text, severity_rank, text, where
from mlcompliance.result.model import Finding, Result, Score
from mlcompliance.vocab import PROBLEMS


def escape_data(value: Any) -> str:
    """GitHub's escaping of ``%``, CR and LF, then every other control and direction character
    made visible (``common.visible``: no raw ESC or NUL reaches the log)."""
    return visible(text(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: Any) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, Any], message: Any) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v not in (None, ""))
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(finding: Finding, name: str, prefix: str, blocks: bool) -> str:
    file = finding.file
    props: dict[str, Any] = {"file": posixpath.join(prefix, file) if prefix and file else file,
                             "line": finding.line if finding.line >= 1 else 1}
    if finding.column >= 1:
        props["col"] = finding.column
    status = finding.outcome if finding.outcome != "fail" else ""
    qualifiers = [finding.severity] + ([status] if status else []) + (["blocks"] if blocks else []) + \
        ([finding.baseline] if finding.baseline else [])
    props["title"] = f"{finding.rule_id} ({', '.join(q for q in qualifiers if q)})"
    lines = [finding.message or finding.title]
    seen = observed_text(finding)
    if seen is not None:
        lines.append(f"Observed: {seen}")
    if finding.remediation:
        lines.append(f"Fix: {finding.remediation}")
    lines.append(f"[{finding.pack}] {finding.title} (pointer {finding.pointer or '/'})")
    return command(name, props, "\n".join(lines))


def _score(s: Score) -> str:
    return "n/a" if s.raw is None else score_text(s)


def _annotations(result: Result, prefix: str) -> list[tuple[tuple, str]]:
    blocking = set(result.gate.blocking)
    out = []
    for f in result.findings:
        if f.outcome not in PROBLEMS:
            continue
        blocks = f.fingerprint in blocking
        key = (not blocks, -severity_rank(f.severity), PROBLEMS.index(f.outcome), prefix, f.pack, f.rule_id)
        out.append((key, annotation(f, "error" if blocks else "warning", prefix, blocks)))
    return out


def render(result: Result) -> str:
    gate = result.gate
    lines = [line for _, line in sorted(_annotations(result, ""), key=lambda x: x[0])]
    summary = result.summary
    head = (f"{result.project.name}: {gate.verdict.replace('_', '-').upper()} "
            f"(gate fail_on {gate.fail_on}; {len(gate.blocking)} blocking)")
    body = [head, f"Score: {_score(summary.score)}",
            "Outcomes: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.outcomes.items() if v)]
    for p in summary.packs:
        body.append(f"{p.id} {p.version}: {_score(p.score)}")
    if result.baseline is not None:
        body.append(f"Baseline: {baseline_text(result)}")
        body += [f"Fixed: {f.rule_id} ({f.severity}) {where(f)}" for f in result.baseline.fixed]
    lines.append(command("notice", {"title": "mlcompliance"}, "\n".join(body)))
    return "\n".join(lines) + "\n"


LEVELS = ("error", "warning", "notice")


def cap(annotations: str, limit: int, pointer: str = "") -> str:
    """Keep the first ``limit`` commands of each level (error, warning, notice) of rendered
    workflow commands, one per line (this format, single project or portfolio), and add one
    notice counting the rest: GitHub shows at most 10 annotations of each level per step and
    drops the others silently. ``pointer`` says where the rest are (job summary, SARIF...).
    One notice slot is kept for that count, so the output never exceeds ``limit`` per level."""
    room = {"error": limit, "warning": limit, "notice": max(limit - 1, 0)}
    kept, dropped = [], dict.fromkeys(LEVELS, 0)
    for line in annotations.splitlines():
        level = line[2:].split(" ", 1)[0].split("::", 1)[0] if line.startswith("::") else ""
        if level in room:
            if room[level] == 0:
                dropped[level] += 1
                continue
            room[level] -= 1
        kept.append(line)
    if any(dropped.values()):
        counts = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in dropped.items() if n)
        note = f"Not shown as annotations: {counts} (GitHub shows {limit} of each level per step)"
        kept.append(command("notice", {"title": "mlcompliance: more findings"}, note + (f": {pointer}" if pointer else "")))
    return "\n".join(kept) + "\n" if kept else ""
