"""Small helpers shared by the renderers: the text of findings, scores and verdicts; and the
output-safety helpers every format uses (:func:`visible` for control and direction characters,
:func:`md_text` and :func:`md_code` for GitHub Markdown; docs/reports.md "Safety of the outputs")."""
from __future__ import annotations

import json
import re
from typing import Any

from mlcompliance.engine.findings import thaw
from mlcompliance.result.model import Finding, PackSummary, Result, Score
from mlcompliance.vocab import PROBLEMS, SEVERITY_RANK


def problems(result: Result) -> list[Finding]:
    """Failing, erroring and warning findings, most severe first."""
    found = [f for f in result.findings if f.outcome in PROBLEMS]
    return sorted(found, key=lambda f: (-SEVERITY_RANK[f.severity], PROBLEMS.index(f.outcome),
                                        f.pack, f.rule_id, f.file, f.line))


def where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}"


def observed(finding: Finding) -> str:
    """The observed value as text; "missing" when the value at fault is absent; "" when none."""
    if finding.observed_missing:
        return "missing"
    if not finding.has_observed:
        return ""
    value = finding.observed
    return value if isinstance(value, str) else json.dumps(thaw(value), ensure_ascii=False)


def score_text(score: Score) -> str:
    if score.raw is None:
        return "n/a (nothing scored)"
    text = f"{score.raw:.1f}% ({score.numerator}/{score.denominator})"
    if score.with_accepted_risk != score.raw:
        text += f", {score.with_accepted_risk:.1f}% with accepted risk"
    return text


def tier_text(result: Result) -> str:
    risk = result.risk
    declared, derived = risk.declared, risk.derived
    if declared is None:
        return f"{risk.tier} (none declared: fail closed)"
    if (risk.override or {}).get("accepted"):
        return f"{risk.tier} (declared; override below the derived {derived})"
    if declared == risk.tier:
        return f"{risk.tier} (declared" + (f"; derived {derived})" if derived and derived != declared else ")")
    return f"{risk.tier} (derived; declared {declared} is too low)"


def verdict_text(result: Result) -> str:
    gate = result.gate
    n = len(gate.blocking)
    source = f" ({gate.source})" if gate.source else ""
    new = " new" if gate.new_only else ""
    if gate.verdict == "compliant":
        return f"COMPLIANT: no{new} fail or error finding at or above '{gate.fail_on}'{source}"
    return f"NON-COMPLIANT: {n}{new} finding{'s' if n != 1 else ''} at or above '{gate.fail_on}' block{source}"


def manual_text(pack: PackSummary) -> str:
    total = pack.manual.total
    if not total:
        return ""
    return (f"; {total} manual requirement{'s' if total != 1 else ''} need a person's attestation "
            f"({pack.manual.attested} attested)")


def baseline_text(result: Result) -> str:
    """One line on the comparison with a baseline ('' without one)."""
    b = result.baseline
    if b is None:
        return ""
    return (f"{b.new} new, {b.recurring} recurring, {len(b.fixed)} fixed since {b.file} (as of {b.as_of})"
            + ("; only new findings block the gate" if result.gate.new_only else ""))


def maturity_text(result: Result) -> str:
    m = result.maturity
    if not m:
        return ""
    if m.get("assessed") is False:
        return f"not assessed: {m.get('reason', '')}"
    score = m["ml_test_score"]
    sections = ", ".join(f"{k} {v:g}" for k, v in score["sections"].items())
    return (f"Stage {m['stage']['stage']} ({m['stage']['label']}); ML Test Score {score['final']:g} "
            f"({sections}); Google level {m['google_level']}, Azure level {m['azure_level']}")


def basis_text(result: Result) -> list[str]:
    """One line per fact that set the derived tier."""
    return [f"{f.regime} {f.clause} ({f.fact}" + (f" at {f.file}:{f.line})" if f.file else ")")
            for f in result.risk.basis]


# --- characters that spoof or rewrite what a reader sees ---------------------------------------

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 controls but TAB and LF (so CR, BS, ESC, NUL...), DEL, C1 controls, and the Unicode
direction marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-202E,
U+2066-2069), plus the line and paragraph separators U+2028/2029."""


def visible(value: Any, newlines: bool = True, marker: str = "<U+{:04X}>") -> str:
    """``value`` as text in which no character can reorder, hide or overwrite what is shown.

    Each character of :data:`_INVISIBLE` becomes the visible escape ``<U+XXXX>`` (``\\u202e``
    -> ``<U+202E>``), so a reader sees that the evidence carries it and nothing is lost. TAB is
    kept; LF is kept when ``newlines`` (else shown as the marker too). ``marker`` is the escape's
    format (HTML already escaped passes ``&lt;U+{:04X}&gt;``). Used by every renderer but JSON
    (the record keeps the evidence as it is): the one place this policy lives.
    """
    s = value if isinstance(value, str) else ("" if value is None else str(value))
    if not newlines:
        s = s.replace("\n", marker.format(10))
    return _INVISIBLE.sub(lambda m: marker.format(ord(m.group(0))), s)


# --- Markdown (GitHub-flavoured) from untrusted text ------------------------------------------

_MD_ESCAPED = ("\\", "`", "*", "_", "[", "]", "|", "#", "!", "~")


def md_text(value: Any) -> str:
    """Untrusted text as inert GitHub Markdown on one line (a table cell or a paragraph).

    No markup can start: Markdown's own punctuation is backslash-escaped (no link, image,
    emphasis or code span), ``&``, ``<`` and ``>`` become entities (no HTML, no autolink in
    angle brackets), ``@`` is followed by a zero-width space (``@&#8203;``, as Renovate does) so
    that GitHub makes no ``@mention`` or team mention of it, and ``://`` and ``www.`` are broken
    the same way so that no bare URL is linked. Control and direction characters are made
    visible first (:func:`visible`). The text a reader sees is unchanged.
    """
    text = " ".join(visible(value).split())
    for ch in _MD_ESCAPED:
        text = text.replace(ch, "\\" + ch)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@", "@&#8203;").replace("://", ":&#8203;//")
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:3] + "&#8203;.", text)


def md_code(value: Any, table: bool = True) -> str:
    """Untrusted text as one inline code span: shown literally (code spans need no HTML
    escaping: ``<`` stays ``<``), fenced with one backtick more than the longest run inside it,
    padded with a space when it starts or ends with a backtick. In a table cell (``table``)
    ``|`` is escaped as ``\\|``, which GitHub's table parser removes even inside a code span."""
    text = " ".join(visible(value).split()) or " "
    if table:
        text = text.replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def num(value: Any) -> str:
    """A fact as text: integers with thousands separators, other numbers to 4 significant digits."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
