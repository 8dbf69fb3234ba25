"""The portfolio HTML report (``portfolio.html.j2``), streamed.

Each project's section view (its fail, error and warn findings and its inventory) is built by
``prepare`` where the project was checked and spooled to a temporary file; at the end the
template is rendered with Jinja2's ``generate``, its ``matrix``, ``projects`` and ``errors``
read back from the spools as it goes, so neither the views nor the page are ever whole in
memory. Variables: docs/templates.md.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markupsafe import Markup

from mlcompliance.render import html as page
from mlcompliance.render import view
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.codec import from_dict
from mlcompliance.result.rollup import Rollup, Spool
from mlcompliance.vocab import OUTCOMES, PROBLEMS

_markdown = None


def _md(value: Any) -> Markup:
    global _markdown
    if _markdown is None:
        from mlcompliance.render.safe_markdown import MarkdownRenderer
        _markdown = MarkdownRenderer()
    return Markup(_markdown(value))  # sanitised by nh3 in safe_markdown


def prepare(entry: dict[str, Any], template_dir: str | Path | None = None) -> dict[str, Any] | None:
    """The view of one checked project's section (anchors are set in order by the sink)."""
    if "result" not in entry:
        return None
    r = from_dict(entry["result"])
    blocking = set(r.gate.blocking)
    as_of = r.as_of.isoformat()
    problems = sorted((view.finding_view(f, j, blocking, _md) for j, f in enumerate(r.findings)
                       if f.outcome in PROBLEMS), key=view._problem_first)
    return {
        "anchor": "", "path": view.text(entry.get("path")),
        "name": r.project.name or view.text(entry.get("path")),
        "verdict": r.gate.verdict, "compliant": r.gate.verdict == "compliant",
        "fail_on": r.gate.fail_on, "tier": r.risk.tier,
        "score": view.score_view(r.summary.score),
        "outcomes": {k: r.summary.outcomes[k] for k in OUTCOMES},
        "problems": problems, "inventory": view.inventory_view(r, view.result_sha256(entry["result"])),
        # the command that renders this project's own report, for the same date as this portfolio
        "drill_down": f"mlcompliance check {shlex.quote(view.text(entry.get('path')) or '.')} --as-of {as_of} "
                      "--format html",
        "waivers": [_waiver_row(w) for w in r.waivers],
    }


def _waiver_row(w: Any) -> dict[str, Any]:
    """One waiver of a project, as the portfolio's waiver register shows it."""
    return {"id": view.text(w.id), "status": view.text(w.status).replace("_", " "),
            "css": view.WAIVER_STATE_CLASS.get(w.status, ""), "state": w.status, "rule": view.text(w.rule),
            "approver": view.text(w.approver), "expires": view.text(w.expires),
            "days_left": w.days_left, "matched": len(w.matched), "where": f"{w.file}:{w.line}"}


WAIVER_ORDER = {"expired": 0, "invalid": 1, "over_long": 2, "not_yet_valid": 3, "expiring": 4, "active": 5, "stale": 6}
"""Register order: the waivers an auditor must act on first (expired, invalid...), then by days left."""


class Sink(_Base):
    uses_sha256 = True

    def __init__(self, out, header, template_dir: str | Path | None = None) -> None:
        super().__init__(out, header)
        self.template_dir = template_dir
        self.sections = Spool("pickle")
        self.waivers: list[dict[str, Any]] = []   # the register: a few rows per project at most

    def take(self, path: str, line: str, fragment: Any) -> None:
        if fragment is None:
            return
        anchor = f"p-{self.sections.count + 1}"
        fragment["anchor"] = anchor
        for f in fragment["problems"]:
            f["anchor"] = f"{anchor}-{f['anchor']}"
        self.waivers += [{"project": fragment["name"], "path": fragment["path"], "anchor": anchor, **w}
                         for w in fragment["waivers"]]
        self.sections.append(fragment)

    def finish(self, rollup: Rollup, sha256: str) -> None:
        env = page.environment(None if self.template_dir is None else str(Path(self.template_dir)))
        context = self._context(rollup, sha256)
        style = page.with_page_boxes(env, page._inline(env, page.STYLE_TEMPLATE, "</style"), {
            # printed: every page names the portfolio, its as-of date and verdict, and the digest
            "left": context["title"], "center": "",
            "right": f"as of {context['as_of']} | verdict {context['verdict']['label']}",
            "digest": f"result sha256 {sha256}"})
        script = page._inline(env, page.SCRIPT_TEMPLATE, "</script")
        csp = ("default-src 'none'; "
               f"style-src '{page.csp_hash(style)}'; script-src '{page.csp_hash(script)}'; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        context.update(style=Markup(style), script=Markup(script), csp=csp)
        last = ""
        for chunk in env.get_template(page.PORTFOLIO_TEMPLATE).generate(context):
            if chunk:
                self.out.write(chunk)
                last = chunk
        if not last.endswith("\n"):
            self.out.write("\n")
        self.sections.close()

    def _context(self, rollup: Rollup, sha256: str) -> dict[str, Any]:
        s = rollup.summary()
        verdict = rollup.verdict
        pack_ids = rollup.pack_ids
        worst = [{"project": view.text(f["project"]),
                  "anchor": f"p-{rollup.worst_index[f['project']] + 1}" if f["project"] in rollup.worst_index else None,
                  "rule_id": view.text(f["rule_id"]), "pack": view.text(f["pack"]),
                  "severity": view.text(f["severity"]), "outcome": view.text(f["outcome"]),
                  "message_html": view.verbatim(f["message"]),
                  "where": f"{f['location']['file']}:{f['location']['line']}"} for f in rollup.worst]
        n = rollup.projects         # checked or not: a project that failed to load is a row too
        record = {"result_version": self.header.get("result_version"), "tool": self.header.get("tool"),
                  "as_of": self.header.get("as_of"), "generated_at": self.header.get("generated_at"),
                  "portfolio": True, "summary": s, "gate": {"verdict": verdict}, "packs": pack_ids}
        return {
            "result": record,
            "title": f"mlcompliance portfolio report: {n} project{'s' if n != 1 else ''}",
            "as_of": view.text(self.header.get("as_of")),
            "tool_version": view.text((self.header.get("tool") or {}).get("version")),
            "verdict": {"verdict": verdict, "compliant": verdict == "compliant",
                        "label": verdict.replace("_", "-").upper()},
            "counts": {k: s[k] for k in ("projects", "checked", "errors", "compliant", "non_compliant")},
            "tiers": [(t, v) for t, v in s["tiers"].items()],
            "outcomes": {k: s["outcomes"].get(k, 0) for k in OUTCOMES},
            "pack_ids": pack_ids,
            "pack_totals": [{"id": p, "numerator": s["packs"][p]["numerator"],
                             "denominator": s["packs"][p]["denominator"],
                             "raw_text": view._pct(s["packs"][p]["raw"])} for p in pack_ids],
            "matrix": _Lazy(lambda: _matrix(rollup, pack_ids), rollup.checked),
            "worst": worst,
            "projects": self.sections,
            "errors": _Lazy(lambda: ({"path": view.text(e["path"]), "error": view.text(e["error"]),
                                      "where": f"{view.text(e.get('file'))}:{view.text(e.get('line'))}"
                                      if e.get("file") else ""}
                                     for e in rollup.errors), len(rollup.errors)),
            "inventory": view.portfolio_inventory_view(record, sha256),
            "outcome_names": list(OUTCOMES),
            "formula": view.SCORE_FORMULA,
            "waiver_register": sorted(self.waivers, key=lambda w: (
                WAIVER_ORDER.get(w["state"], len(WAIVER_ORDER)),
                w["days_left"] if isinstance(w["days_left"], int) else 1 << 30, w["path"], w["id"])),
        }


def _matrix(rollup: Rollup, pack_ids: list[str]) -> Iterator[dict[str, Any]]:
    for i, m in enumerate(rollup.matrix):
        scores = m["scores"]
        yield {"project": view.text(m["project"]), "anchor": f"p-{i + 1}", "name": view.text(m["name"]),
               "tier": view.text(m["tier"]), "verdict": view.text(m["verdict"]), "blocking": m["blocking"],
               "stage": view.text(m["stage"]) if m["stage"] is not None else "", "score": view._pct(m["score"]),
               "scores": [view._pct(scores.get(p)) if p in scores else "" for p in pack_ids]}


class _Lazy:
    """An iterable read back from a spool each time a template loops over it; true when not empty."""

    def __init__(self, make: Any, count: int) -> None:
        self._make = make
        self._count = count

    def __iter__(self) -> Iterator[Any]:
        return iter(self._make())

    def __bool__(self) -> bool:
        return self._count > 0

    def __len__(self) -> int:
        return self._count
