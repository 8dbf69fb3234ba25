"""Renderers of the self-assessment result (text, JSON, Markdown, HTML): pure functions of it."""
from __future__ import annotations

import json
import textwrap
from typing import Any


def _stage(n: int | None) -> str:
    return f"Stage {n}" if n else "-"


def _status(s: str | None) -> str:
    return s.replace("_", " ") if s else "-"


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def render_text(result: dict[str, Any]) -> str:
    q = result["questionnaire"]
    out = [f"{q['title']} ({q['id']} {q['version']}), as of {result['as_of']}"]
    about = [f"{k}: {_one_line(v)}" for k, v in result["about"].items() if v not in (None, "")]
    if about:
        out.append("  ".join(about))
    has_project = result["project"] is not None
    out += ["", f"{'Dimension':36}{'Claimed':10}" + (f"{'Evidenced':13}" if has_project else "") + "Answers"]
    for d in result["dimensions"]:
        flag = "  OVER-CLAIM" if d["over_claim"] else ""
        ev = f"{_stage(d['evidenced_stage']) if d['evidenced_stage'] else 'no evidence':13}" if has_project else ""
        out.append(f"{d['title']:36}{_stage(d['claimed_stage']):10}{ev}{d['answered']}/{d['questions']}{flag}")
    o = result["overall"]
    flag = "  OVER-CLAIM" if o["over_claim"] else ""
    ev = f"{_stage(o['evidenced_stage']):13}" if has_project else ""
    answered = sum(d["answered"] for d in result["dimensions"])
    total = sum(d["questions"] for d in result["dimensions"])
    out.append(f"{'Overall (weakest dimension)':36}{_stage(o['claimed_stage']):10}{ev}{answered}/{total}{flag}")
    if has_project:
        p = result["project"]
        s = p["ml_test_score"]
        sections = ", ".join(f"{k} {v:.1f}" for k, v in s["sections"].items())
        out += ["", f"Project evidence: {p['name']}: Stage {p['stage']} ({p['label']})"
                    + (", below baseline" if p["below_baseline"] else "")
                    + f"; Google level {p['google_level']}, Azure level {p['azure_level']}",
                f"  ML Test Score {s['final']:.1f} ({sections}): {s['band']}"]
        out += [f"  - {w}" for w in p["why"]]
        warn = (result.get("scope_check") or {}).get("warning")
        if warn:
            out += _wrap(f"WARNING: {warn}", "", "  ")
    out += ["", f"{'Principle':62}{'Claimed':10}" + ("Evidenced" if has_project else "")]
    for p in result["principles"]:
        flag = "  OVER-CLAIM" if p["over_claim"] else ""
        title = _clip(p["title"], 58)
        out.append(f"{p['number']}. {title:59}{_status(p['claimed']):10}"
                   + (f"{_status(p['evidenced'])}" if has_project else "") + flag)
    out += ["", "Next steps"]
    if not result["recommendations"]:
        out.append("  (none: every answer is at Stage 3 and no claim exceeds the evidence)")
    for r in result["recommendations"]:
        label = "over-claim" if r["kind"] == "over_claim" else f"Stage {r['from_stage']} -> {r['to_stage']}"
        out += _wrap(f"{r['rank']}. [{label}] {_title_of(result, r['dimension'])}: {r['action']} ({r['why']})",
                     "  ", "     ")
    if result["unanswered"]:
        out += ["", *_wrap("Unanswered: " + ", ".join(result["unanswered"]), "", "  ")]
    out += ["", *_wrap("Scoring: " + result["scoring_rule"] + ".", "", "  ")]
    return "\n".join(out) + "\n"


def render_md(result: dict[str, Any]) -> str:
    q = result["questionnaire"]
    out = [f"# {_md(q['title'])}", "", f"Questionnaire `{q['id']}` {q['version']}, as of {result['as_of']}."]
    about = [f"**{_md(k)}**: {_md(v)}" for k, v in result["about"].items() if v not in (None, "")]
    if about:
        out += ["", "; ".join(about)]
    has_project = result["project"] is not None
    out += ["", "## Dimensions", ""]
    if has_project:
        out += ["| Dimension | Claimed | Evidenced | Answers | Over-claim |", "|---|---|---|---|---|"]
    else:
        out += ["| Dimension | Claimed | Answers |", "|---|---|---|"]
    for d in result["dimensions"]:
        cells = [_md(d["title"]), _stage(d["claimed_stage"])]
        if has_project:
            cells.append(_stage(d["evidenced_stage"]) if d["evidenced_stage"] else "no evidence")
        cells.append(f"{d['answered']}/{d['questions']}")
        if has_project:
            cells.append("**yes**" if d["over_claim"] else "")
        out.append("| " + " | ".join(cells) + " |")
    o = result["overall"]
    cells = ["**Overall** (weakest dimension)", _stage(o["claimed_stage"])]
    if has_project:
        cells += [_stage(o["evidenced_stage"]), "", "**yes**" if o["over_claim"] else ""]
    else:
        cells.append("")
    out.append("| " + " | ".join(cells) + " |")
    if has_project:
        p = result["project"]
        s = p["ml_test_score"]
        out += ["", "## Project evidence", "",
                f"**{_md(p['name'])}**: Stage {p['stage']} ({_md(p['label'])})"
                + (", below baseline" if p["below_baseline"] else "")
                + f"; Google level {p['google_level']}; Azure level {p['azure_level']}.", "",
                f"ML Test Score **{s['final']:.1f}**: " + ", ".join(f"{k} {v:.1f}" for k, v in s["sections"].items())
                + f" ({_md(s['band'])}).", ""]
        out += [f"- {_md(w)}" for w in p["why"]]
        warn = (result.get("scope_check") or {}).get("warning")
        if warn:
            out += ["", f"> **Warning:** {_md(warn)}"]
    out += ["", "## Principles", ""]
    out += ["| # | Principle | Claimed |" + (" Evidenced | Over-claim |" if has_project else ""),
            "|---|---|---|" + ("---|---|" if has_project else "")]
    for p in result["principles"]:
        cells = [str(p["number"]), _md(p["title"]), _status(p["claimed"])]
        if has_project:
            cells += [_status(p["evidenced"]), "**yes**" if p["over_claim"] else ""]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Next steps", ""]
    if not result["recommendations"]:
        out.append("None: every answer is at Stage 3 and no claim exceeds the evidence.")
    for r in result["recommendations"]:
        label = "over-claim" if r["kind"] == "over_claim" else f"Stage {r['from_stage']} → {r['to_stage']}"
        out.append(f"{r['rank']}. **{_md(_title_of(result, r['dimension']))}** ({label}): {_md(r['action'])} "
                   f"_({_md(r['why'])})_")
    if result["unanswered"]:
        out += ["", "Unanswered: " + ", ".join(f"`{x}`" for x in result["unanswered"])]
    out += ["", f"Scoring: {_md(result['scoring_rule'])}."]
    return "\n".join(out) + "\n"


def render_html(result: dict[str, Any]) -> str:
    from mlcompliance.render.html import render_assessment
    return render_assessment(result)


RENDERERS = {"text": render_text, "json": render_json, "md": render_md, "html": render_html}


def _title_of(result: dict[str, Any], did: str) -> str:
    return next(d["title"] for d in result["dimensions"] if d["id"] == did)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=first, subsequent_indent=rest) or [first]


def _md(value: Any) -> str:
    """Escape text for a Markdown table cell or paragraph (inputs never become markup): the one
    implementation the check report's Markdown uses too (``render.common.md_text``)."""
    from mlcompliance.render.common import md_text
    return md_text(value)
