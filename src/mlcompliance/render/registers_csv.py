"""The requirements register and the attestation register as CSV (``check --format
requirements-csv`` / ``attestations-csv``; the HTML report's "Registers" section shows the same rows).

Rows come from ``render.workpaper`` (pure functions of the result); writing is the findings
CSV's (``csv_format.csv_text``): every field quoted, control and direction characters made
visible, and a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB, CR or LF gets a leading
``'`` (OWASP, "CSV Injection"), so a requirement title or an attester's name from the evidence
can never become a spreadsheet formula or start a new row.
"""
from __future__ import annotations

from typing import Any

from mlcompliance.render import workpaper
from mlcompliance.render.csv_format import INPUT_ERROR_RULE, csv_text
from mlcompliance.result.model import Result
from mlcompliance.vocab import STATUS_ORDER

REQUIREMENT_COLUMNS = ["project", "project_name", "pack", "pack_version", "requirement", "title", "clause", "section",
                       "manual", "status", "status_label", "rules",
                       *(f"rules_{s}" for s in STATUS_ORDER),
                       "attested_by", "attested_on", "expires", "evidence_ref", "not_applicable_reason"]
"""One row per requirement: ``status`` is the worst outcome of its findings (the result's
``summary.packs[].requirements[].status``), ``rules_<status>`` how many of its rules have that
status (a rule's status: the worst outcome of its findings)."""

ATTESTATION_COLUMNS = ["project", "project_name", "pack", "pack_version", "requirement", "title", "clause", "state",
                       "attested_by", "attested_on", "expires", "statement", "evidence_ref", "recorded_at",
                       "not_applicable_reason"]
"""One row per manual requirement: ``state`` is attested, attested, expiring (within 30 days of
the as-of date), expired, not attested or not applicable;
``recorded_at`` the attestation's file:line in the evidence."""


def requirement_rows(path: str, result: Result) -> list[list[Any]]:
    out = []
    for r in workpaper.requirement_rows(result):
        row = {"project": path, "project_name": result.project.name, "pack": r["pack"],
               "pack_version": r["pack_version"], "requirement": r["id"], "title": r["title"], "clause": r["clause"],
               "section": r["section"], "manual": "true" if r["manual"] else "false", "status": r["status"],
               "status_label": r["status_label"], "rules": r["rules_total"],
               **{f"rules_{s}": n for s, n in r["rules"].items()},
               "attested_by": r["attested_by"], "attested_on": r["attested_on"], "expires": r["expires"],
               "evidence_ref": r["evidence_ref"],
               "not_applicable_reason": r["not_applicable_reason"]}
        out.append([row[c] for c in REQUIREMENT_COLUMNS])
    return out


def attestation_rows(path: str, result: Result) -> list[list[Any]]:
    out = []
    for r in workpaper.attestation_rows(result):
        row = {"project": path, "project_name": result.project.name, "pack": r["pack"],
               "pack_version": r["pack_version"], "requirement": r["id"], "title": r["title"], "clause": r["clause"],
               "state": r["state"], "attested_by": r["attested_by"], "attested_on": r["attested_on"],
               "expires": r["expires"],
               "statement": r["statement"], "evidence_ref": r["evidence_ref"], "recorded_at": r["recorded_at"],
               "not_applicable_reason": r["not_applicable_reason"]}
        out.append([row[c] for c in ATTESTATION_COLUMNS])
    return out


def error_row(failure: Any, columns: list[str]) -> list[Any]:
    """A project that could not be loaded (portfolio): one row saying so, at the input error."""
    where = f"{failure.file}:{failure.line}" if failure.line else str(failure.file or "")
    row = {**dict.fromkeys(columns, ""), "project": failure.path, "requirement": INPUT_ERROR_RULE,
           "title": f"not checked: {failure.message}", "clause": where,
           "status" if "status" in columns else "state": "error"}
    return [row[c] for c in columns]


def render_requirements(result: Result) -> str:
    return csv_text([REQUIREMENT_COLUMNS, *requirement_rows(".", result)])


def render_attestations(result: Result) -> str:
    return csv_text([ATTESTATION_COLUMNS, *attestation_rows(".", result)])
