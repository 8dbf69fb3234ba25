"""The terminal summary: what blocks, where, and what to do about it."""
from __future__ import annotations

from typing import Any

from mlcompliance.render.common import (
    basis_text,
    manual_text,
    maturity_text,
    observed,
    problems,
    score_text,
    tier_text,
    verdict_text,
    where,
)

MAX_LISTED = 50


def render(result: dict[str, Any]) -> str:
    lines = [f"mlcompliance {result['tool']['version']} | {result['project']['name']} | "
             f"as of {result['as_of']} | risk tier {tier_text(result)}",
             "packs: " + ", ".join(f"{p['id']}@{p['version']}" for p in result["packs"]), ""]
    blocking = set(result["gate"]["blocking"])
    issues = problems(result)
    for f in issues[:MAX_LISTED]:
        mark = "BLOCK" if f["fingerprint"] in blocking else f["outcome"].upper()
        lines.append(f"{mark:<6} {f['severity']:<8} {f['rule_id']}  {where(f)}")
        lines.append(f"       {f['message']}")
        seen = observed(f)
        if seen:
            lines.append(f"       observed: {seen}")
        lines.append(f"       fix: {f['remediation']}")
    if len(issues) > MAX_LISTED:
        lines.append(f"... and {len(issues) - MAX_LISTED} more (use --format json or md for all)")
    if issues:
        lines.append("")
    c = result["summary"]["outcomes"]
    lines.append("outcomes: " + ", ".join(f"{c[k]} {k.replace('_', ' ')}" for k in c if c[k]))
    for pack in result["summary"]["packs"]:
        lines.append(f"score {pack['id']}: {score_text(pack['score'])}{manual_text(pack)}")
    for waiver in result.get("waivers", []):
        if waiver["status"] != "active":
            lines.append(f"waiver {waiver['id']} ({waiver.get('rule', '?')}): {waiver['status']}"
                         + (f": {waiver['reason']}" if waiver.get("reason") else ""))
    for line in basis_text(result):
        lines.append(f"tier basis: {line}")
    if maturity_text(result):
        lines.append(f"maturity: {maturity_text(result)}")
    lines.append(f"verdict: {verdict_text(result)}")
    return "\n".join(lines) + "\n"
