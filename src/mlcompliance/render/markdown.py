"""GitHub-flavoured Markdown for pull-request comments and CI job summaries."""
from __future__ import annotations

import re
from typing import Any

from mlcompliance.render import workpaper
from mlcompliance.render.common import (
    baseline_text,
    basis_text,
    maturity_text,
    md_code,
    md_text,
    num,
    observed,
    problems,
    score_text,
    tier_text,
    verdict_text,
    visible,
    where,
)
from mlcompliance.render.frameworks import markdown_lines as framework_lines
from mlcompliance.result.excerpts import window
from mlcompliance.result.model import Finding, Result

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
    head += exception_lines(result)
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
    manual = workpaper.unattested(result)   # an attested requirement is not listed; an expired one is
    if manual:
        tail += [f"<details><summary>Manual requirements needing attestation ({len(manual)})</summary>", ""]
        tail += [f"- {md_code(r['id'], table=False)} ({cell(r['pack'])}): {cell(r['title'])}"
                 + (" (attestation expired)" if r["expired"] else "") for r in manual]
        tail += ["", "</details>", ""]
    tail += data_lines(result)
    tail += framework_lines(result)
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
    quoted = excerpt_lines(result, issues[:len(rows) if len(kept) == len(rows) else len(kept) - 1],
                           budget - used)
    tail = tail[:3] + quoted + tail[3:]
    body = head + (table_head + kept + tail[:3] if issues else ["No failing findings.", ""]) + tail[3:]
    return "\n".join(body) + "\n"


def exception_lines(result: Result) -> list[str]:
    """The executive summary's exceptions as bullets: waivers expired or expiring, manual
    requirements not attested, the workpaper reference (``render.workpaper``)."""
    s = workpaper.summary_view(result)
    lines = []
    w = s["waivers"]
    if w["rows"]:
        lines.append(f"- Waivers: {w['expired']} expired, {w['expiring']} expiring within "
                     f"{workpaper.EXPIRING_DAYS} days: " + ", ".join(
                         f"{md_code(r['id'], table=False)} ({r['status']} {cell(r['expires'])})" for r in w["rows"]))
    m = s["manual"]
    if m["total"]:
        lines.append(f"- Manual requirements: {len(m['unattested'])} of {m['total']} not attested"
                     + (f" ({m['expired']} expired)" if m["expired"] else "") + f", {m['attested']} attested")
    if result.workpaper is not None and result.workpaper.ref:
        lines.append(f"- Workpaper: {cell(result.workpaper.ref)}")
    return lines


MAX_EXCERPT_CHARS = 20_000


def fence(lines: list[str]) -> tuple[str, str]:
    """A code fence that nothing in ``lines`` can close: backticks, one more than the longest run
    of backticks in them (at least three)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    mark = "`" * max(3, longest + 1)
    return mark, mark


def excerpt_lines(result: Result, shown: list[Finding], budget: int) -> list[str]:
    """The evidence lines around each shown finding (result.excerpts), one fenced block per
    distinct excerpt, numbered; inert on GitHub: a fenced code block shows its text literally
    (no link, image, mention or HTML), its fence is longer than any backtick run in the
    evidence, and control and direction characters are made visible (``common.visible``)."""
    if not result.excerpts:
        return []
    blocks: dict[tuple[str, int], tuple[tuple[str, ...], list[Finding]]] = {}
    for f in shown:
        found = window(result.excerpts, f.file, f.line)
        if found is not None:
            blocks.setdefault((f.file, found[0]), (found[1], []))[1].append(f)
    if not blocks:
        return []
    out: list[str] = []
    limit = min(budget, MAX_EXCERPT_CHARS)
    left = 0
    for i, ((file, first), (lines, findings)) in enumerate(blocks.items()):
        width = len(str(first + len(lines) - 1))
        body = [f"{str(first + n).rjust(width)} {'>' if first + n in {f.line for f in findings} else '|'} "
                f"{visible(line, newlines=False)}" for n, line in enumerate(lines)]
        opening, closing = fence(body)
        rules = ", ".join(dict.fromkeys(md_code(f.rule_id, table=False) for f in findings))
        block = [f"{md_code(f'{file}:{first}-{first + len(lines) - 1}', table=False)} ({rules})", "",
                 opening, *body, closing, ""]
        if sum(len(x) + 1 for x in out + block) > limit:
            left = len(blocks) - i
            break
        out += block
    if left:
        out += [f"… {left} more excerpts not shown (see the JSON result)", ""]
    return [f"<details><summary>Evidence excerpts ({len(blocks)})</summary>", ""] + out + ["</details>", ""]


TOP_DRIFT = 5   # features shown per drift comparison (the result has them all, sorted by PSI)


def data_lines(result: Result) -> list[str]:
    """The "Data" summary: one line per dataset, fairness ratios per attribute, the most drifted
    features and the recomputed metrics, each with how it was computed (values as the result has them)."""
    d = result.data
    if d is None:
        return []
    lines = [f"<details><summary>Data ({len(d.datasets)} dataset(s) probed)</summary>", ""]
    for ds in d.datasets:
        if not ds.readable:
            lines.append(f"- {md_code(ds.id, table=False)}: not readable: {cell(ds.error)}")
            continue
        sampling = ds.how.get("sampling") if ds.how else None
        how = ", ".join(f"{k} {num(v)}" for k, v in sampling.items()) if hasattr(sampling, "items") else "n/a"
        personal = [f"{md_code(c.name, table=False)} ({cell(', '.join(p.kind for p in c.personal))})"
                    for c in ds.columns if c.personal]
        special = [f"{md_code(c.name, table=False)} ({cell(c.special_category)})" for c in ds.columns if c.special_category]
        line = (f"- {md_code(ds.id, table=False)} ({cell(ds.split or 'no split')}): {num(ds.rows)} rows, "
                f"{len(ds.columns)} columns, {num(ds.size)} bytes, sha256 {md_code((ds.sha256 or 'n/a')[:16], table=False)}…, "
                f"{num(ds.duplicates)} duplicate rows")
        if personal:
            line += "; looks personal: " + ", ".join(personal)
        if special:
            line += "; special categories: " + ", ".join(special)
        lines.append(line + f" (sampling: {cell(how)})")
    for s in d.splits:
        line = (f"- Split overlap {md_code(s.first, table=False)} → {md_code(s.second, table=False)}: "
                f"{num(s.rows_overlapping)} of {num(s.rows_compared)} rows ({num(s.rows_share)})")
        if s.key:
            line += f", key {md_code(s.key, table=False)}: {num(s.keys_overlapping)} of {num(s.keys_compared)} ({num(s.keys_share)})"
        lines.append(line)
    f = d.fairness
    if f is not None:
        for a in f.attributes:
            if a.status != "ok":
                lines.append(f"- Fairness {md_code(a.attribute, table=False)}: {cell(a.status)}: {cell(a.problem or '')}")
                continue
            test = a.selection_test
            lines.append(
                f"- Fairness {md_code(a.attribute, table=False)} ({len(a.groups)} groups): disparate-impact ratio "
                f"{num(a.disparate_impact_ratio)}, demographic-parity difference {num(a.demographic_parity_difference)}, "
                f"equal-opportunity difference {num(a.equal_opportunity_difference)}, equalised-odds difference "
                f"{num(a.equalised_odds_difference)}; selection "
                + (f"{cell(test.test)} p = {num(test.p_value)}" if test else "not tested")
                + (f"; {a.too_small_groups} group(s) below {num(f.min_group_size)} rows not judged" if a.too_small_groups else ""))
        if f.threshold is not None:
            lines.append(f"  - Threshold: {num(f.threshold.value)} ({md_code(f.threshold.rule, table=False)}, "
                         f"{cell(f.threshold.pack)} {cell(f.threshold.pack_version)}): {cell(f.threshold.context)}")
        lines.append(f"  - How: {cell(f.how.get('how', 'n/a'))}, n {num(f.n)}, minimum group size {num(f.min_group_size)}, "
                     f"{cell(f.how.get('decision', ''))}")
    for c in d.drift:
        if c.status != "ok":
            lines.append(f"- Drift {md_code(c.dataset, table=False)}: {cell(c.status)}: {cell(c.problem or '')}")
            continue
        top = [x for x in c.features if x.psi is not None][:TOP_DRIFT]
        shown = ", ".join(f"{md_code(x.feature, table=False)} PSI {num(x.psi)} (p adj. {num(x.p_adjusted)})" for x in top)
        lines.append(f"- Drift {md_code(c.dataset, table=False)} vs {md_code(c.compare_to or '', table=False)} "
                     f"(n {num(c.n_reference)} / {num(c.n_current)}, {cell(d.drift_how.get('how', 'n/a'))}), "
                     f"top by PSI: {shown or 'none'}")
    m = d.metrics
    if m is not None and m.metrics:
        shown = ", ".join(f"{cell(x.name)} {num(x.value)} [{num(x.lower)}, {num(x.upper)}]" for x in m.metrics)
        seed = m.how.get("seed")
        lines.append(f"- Metrics on {md_code(m.dataset or '', table=False)} (n {num(m.n)}, {_level(m.metrics[0].level)} intervals, "
                     f"{cell(m.how.get('how', 'n/a'))}" + (f", bootstrap seed {seed}" if seed is not None else "") + f"): {shown}")
    return lines + ["", "</details>", ""]


def _level(level: float | None) -> str:
    return f"{level:.0%}" if isinstance(level, float) else "n/a"
