"""GitHub-flavoured Markdown for pull-request comments and CI job summaries."""
from __future__ import annotations

from typing import Any

from mlcompliance.render.common import (
    baseline_text,
    basis_text,
    maturity_text,
    md_code,
    md_text,
    observed,
    problems,
    score_text,
    tier_text,
    verdict_text,
    where,
)
from mlcompliance.result.model import Result

MAX_CHARS = 60_000


def cell(text: Any) -> str:
    """Untrusted text made inert in a Markdown table cell or line (``common.md_text``)."""
    return md_text(text)


def render(result: Result) -> str:
    gate = result.gate
    icon = "✅" if gate.verdict == "compliant" else "❌"
    head = [f"## {icon} mlcompliance: {cell(result.project.name)}", "",
            f"**{cell(verdict_text(result))}**", "",
            f"As of {result.as_of.isoformat()} · risk tier {cell(tier_text(result))} · mlcompliance {cell(result.tool.version)}",
            "", "| pack | version | score | pass | fail | error | warn | manual | n/a |",
            "|---|---|---|---|---|---|---|---|---|"]
    for p in result.summary.packs:
        c = p.outcomes
        head.append(f"| {cell(p.id)} | {cell(p.version)} | {score_text(p.score)} | {c['pass']} | {c['fail']} | "
                    f"{c['error']} | {c['warn']} | {c['manual']} | {c['not_applicable']} |")
    head.append("")
    head.append("Score = weighted passes / weighted scored findings (critical 10, high 5, medium 2, low 1); "
                "error counts as fail, not-applicable and manual are not scored.")
    head.append("")
    for line in basis_text(result):
        head.append(f"- Tier basis: {cell(line)}")
    if maturity_text(result):
        head.append(f"- MLOps maturity: {cell(maturity_text(result))}")
    if baseline_text(result):
        head.append(f"- Baseline: {cell(baseline_text(result))}")
    head.append("")
    blocking = set(gate.blocking)
    issues = problems(result)
    rows = []
    for f in issues:
        mark = "**blocks**" if f.fingerprint in blocking else f.outcome
        if f.baseline:
            mark += f" ({f.baseline})"
        rows.append(f"| {mark} | {f.severity} | {md_code(f.rule_id)} | {md_code(where(f))} | "
                    f"{cell(f.message)} | {cell(observed(f))} | {cell(f.remediation)} |")
    table_head = ["<details open><summary>Findings to fix ({})</summary>".format(len(issues)), "",
                  "| | severity | rule | where | message | observed | fix |", "|---|---|---|---|---|---|---|"]
    tail = ["", "</details>", ""]
    fixed = result.baseline.fixed if result.baseline is not None else ()
    if fixed:
        tail += [f"<details><summary>Fixed since the baseline ({len(fixed)})</summary>", "",
                 "| severity | rule | where | message |", "|---|---|---|---|"]
        tail += [f"| {f.severity} | {md_code(f.rule_id)} | {md_code(where(f))} | {cell(f.message)} |" for f in fixed]
        tail += ["", "</details>", ""]
    manual = [f for f in result.findings if f.outcome == "manual"]
    if manual:
        tail += [f"<details><summary>Manual requirements needing attestation ({len(manual)})</summary>", ""]
        tail += [f"- {md_code(f.rule_id, table=False)} ({cell(f.pack)}): {cell(f.title)}" for f in manual]
        tail += ["", "</details>", ""]
    tail.append("Packs: " + ", ".join(f"{md_code(f'{p.id}@{p.version}', table=False)} ({cell(p.digest[:19])}…)" for p in result.packs))
    budget = MAX_CHARS - len("\n".join(head + table_head + tail)) - 200
    kept, used = [], 0
    for row in rows:
        if used + len(row) + 1 > budget:
            break
        kept.append(row)
        used += len(row) + 1
    if len(kept) < len(rows):
        kept.append(f"| | | | | … {len(rows) - len(kept)} more findings not shown (see the JSON result) | | |")
    body = head + (table_head + kept + tail[:3] if issues else ["No failing findings.", ""]) + tail[3:]
    return "\n".join(body) + "\n"
