"""The ``frameworks`` section (``check --framework``) in the text and Markdown reports; the HTML
report has its own partial, templates/html/sections/frameworks.html.j2. Pure functions of the
result: nothing here reads a crosswalk file."""
from __future__ import annotations

from mlcompliance.render.common import md_code, md_text
from mlcompliance.result.frameworks import CONTROL_STATUSES, FrameworkControl, FrameworkReport
from mlcompliance.result.model import Result

SHOWN = ("error", "fail", "warn")
"""Control statuses the text report lists control by control (the others are counted)."""


def status_label(status: str) -> str:
    return status.replace("_", " ")


def counts_text(report: FrameworkReport) -> str:
    return ", ".join(f"{n} {status_label(s)}" for s, n in report.statuses.items() if n)


def _mapped(control: FrameworkControl, only: tuple[str, ...] = ()) -> str:
    return "; ".join(f"{r.pack} {r.requirement} ({r.relationship}, {status_label(r.status)})"
                     for r in control.requirements if not only or r.status in only)


def text_lines(result: Result) -> list[str]:
    """One line per framework, then one per control whose status is a problem, naming the
    mapped requirements that make it so."""
    lines: list[str] = []
    for report in result.frameworks or ():
        lines.append(f"framework {report.id} ({report.title}): {len(report.controls)} controls: {counts_text(report)}")
        for c in report.controls:
            if c.status in SHOWN:
                lines.append(f"  {c.status.upper():<5} {c.id} {c.title} <- {_mapped(c, SHOWN)}")
    return lines


def markdown_lines(result: Result) -> list[str]:
    """A collapsed table per framework: every control, its status and its mapped requirements."""
    lines: list[str] = []
    for report in result.frameworks or ():
        lines += [f"<details><summary>{md_text(report.title)} ({md_text(report.id)}): {md_text(counts_text(report))}"
                  "</summary>", "",
                  "Status rolls up the mapped requirements' statuses (worst first: "
                  + ", ".join(status_label(s) for s in CONTROL_STATUSES)
                  + "); each mapping reads *requirement relationship control*. Without an `equal` or `superset` "
                  "mapping the packs check only part of a control.", "",
                  "| control | title | status | mapped requirements |", "|---|---|---|---|"]
        for c in report.controls:
            mapped = "<br>".join(f"{md_code(f'{r.pack} {r.requirement}')} {md_text(r.relationship)}, "
                                 f"{md_text(status_label(r.status))}" for r in c.requirements) or "none"
            status = status_label(c.status) + (" (full coverage)" if c.full_coverage else "")
            lines.append(f"| {md_code(c.id)} | {md_text(c.title)} | {md_text(status)} | {mapped} |")
        lines += ["", "</details>", ""]
    return lines
