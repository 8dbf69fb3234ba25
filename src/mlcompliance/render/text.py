"""The terminal summary: what blocks, where, and what to do about it.

Control and direction characters in any value are shown as ``<U+XXXX>`` (``common.visible``)
and a line break inside a message is indented, so evidence text cannot overwrite or imitate
the ``verdict:`` line."""
from __future__ import annotations

from mlcompliance.render.common import (
    baseline_text,
    basis_text,
    manual_text,
    maturity_text,
    observed,
    problems,
    score_text,
    tier_text,
    verdict_text,
    visible,
    where,
)
from mlcompliance.render.frameworks import text_lines as framework_lines
from mlcompliance.result.model import Result

MAX_LISTED = 50
INDENT = "       "


def _more(value: object) -> str:
    """A value on indented lines: a line break inside it cannot start a line of its own."""
    return str(value).replace("\n", "\n" + INDENT)


def render(result: Result) -> str:
    lines = [f"mlcompliance {result.tool.version} | {' '.join(result.project.name.split())} | "
             f"as of {result.as_of.isoformat()} | risk tier {tier_text(result)}",
             "packs: " + ", ".join(f"{p.id}@{p.version}" for p in result.packs), ""]
    blocking = set(result.gate.blocking)
    issues = problems(result)
    for f in issues[:MAX_LISTED]:
        mark = "BLOCK" if f.fingerprint in blocking else f.outcome.upper()
        lines.append(f"{mark:<6} {f.severity:<8} {f.rule_id}  {where(f)}" + (f"  [{f.baseline}]" if f.baseline else ""))
        lines.append(f"{INDENT}{_more(f.message)}")
        seen = observed(f)
        if seen:
            lines.append(f"{INDENT}observed: {_more(seen)}")
        lines.append(f"{INDENT}fix: {_more(f.remediation)}")
    if len(issues) > MAX_LISTED:
        lines.append(f"... and {len(issues) - MAX_LISTED} more (use --format json or md for all)")
    if issues:
        lines.append("")
    if result.baseline is not None:
        for f in result.baseline.fixed[:MAX_LISTED]:
            lines.append(f"FIXED  {f.severity:<8} {f.rule_id}  {where(f)} (in the baseline)")
        if len(result.baseline.fixed) > MAX_LISTED:
            lines.append(f"... and {len(result.baseline.fixed) - MAX_LISTED} more fixed")
        if result.baseline.fixed:
            lines.append("")
    c = result.summary.outcomes
    lines.append("outcomes: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in c.items() if n))
    for pack in result.summary.packs:
        lines.append(f"score {pack.id}: {score_text(pack.score)}{manual_text(pack)}")
    for waiver in result.waivers:
        if waiver.status != "active":
            lines.append(f"waiver {waiver.id} ({waiver.rule or '?'}): {waiver.status}"
                         + (f": {waiver.reason}" if waiver.reason else ""))
    if baseline_text(result):
        lines.append(f"baseline: {baseline_text(result)}")
    for line in basis_text(result):
        lines.append(f"tier basis: {line}")
    if maturity_text(result):
        lines.append(f"maturity: {maturity_text(result)}")
    lines += framework_lines(result)
    lines.append(f"verdict: {verdict_text(result)}")
    # no CR, BS, ESC or direction character reaches the terminal (common.visible): nothing
    # from the evidence can move the cursor back over "verdict:" or reorder a line
    return visible("\n".join(lines)) + "\n"
