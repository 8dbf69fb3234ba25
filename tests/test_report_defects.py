"""Issue 12, defects 7 and 9: what an auditor notices in the reports (each test failed before its fix)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import SAMPLES

from mlcompliance.render import view
from mlcompliance.render.common import md_text

CREDIT = SAMPLES / "credit-scoring"


@pytest.fixture(scope="module")
def credit(checks) -> dict:
    """credit-scoring, metadata only: its JSON result and HTML report."""
    out = {"json": checks.run(CREDIT, fmt="json", options=("--no-probes",)),
           "html": checks.run(CREDIT, fmt="html", options=("--no-probes",)),
           "md": checks.run(CREDIT, fmt="md", options=("--no-probes",)),
           "text": checks.run(CREDIT, fmt="text", options=("--no-probes",))}
    return {k: v.stdout.decode("utf-8") for k, v in out.items()}


# --- defect 7 ---------------------------------------------------------------------------------

def test_tier_basis_names_file_and_line(credit):
    result = json.loads(credit["json"])
    basis = result["risk"]["basis"]
    assert basis
    for b in basis:
        lines = (CREDIT / b["file"]).read_text(encoding="utf-8").split("\n")
        key = b["fact"].rsplit("/", 1)[1]
        assert key in lines[b["line"] - 1], (b, lines[b["line"] - 1])   # the line that declares the fact
        where = f"{b['file']}:{b['line']}"
        assert where in credit["text"] and md_text(where) in credit["md"] and where in credit["html"]


def test_one_google_level(credit):
    """The Google level is the one the practices set (maturity.google_level), shown nowhere else
    with another number: the ML Test Score crosswalk no longer records a level of its own."""
    m = json.loads(credit["json"])["maturity"]
    level = m["google_level"]
    assert "google_level" not in m["ml_test_score"]["crosswalk"]
    assert "azure_level" not in m["ml_test_score"]["crosswalk"]
    for page in (credit["html"], credit["json"], credit["text"], credit["md"]):
        shown = {int(n) for n in re.findall(r"Google level (\d)", page)}
        assert shown <= {level}, shown


def test_no_raw_null_or_interval_notation(credit):
    html = credit["html"]
    assert ">null<" not in html
    assert "(3, 5]" not in html and "more than 3 and at most 5" in html


@pytest.mark.parametrize("raw, words", [("(3, 5]", "more than 3 and at most 5"), ("(0, 1]", "more than 0 and at most 1"),
                                        ("[0.5, 2)", "at least 0.5 and less than 2"), ("> 5", "more than 5"),
                                        ("0", "0"), ("Strong", "Strong")])
def test_interval_text(raw, words):
    assert view.interval_text(raw) == words


# --- defect 9 ---------------------------------------------------------------------------------

CSS = Path(__file__).resolve().parent.parent / "templates" / "html" / "report.css"


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (#rgb or #rrggbb)."""
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05)."""
    hi, lo = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _colour_rules() -> dict[str, tuple[str, str]]:
    """selector -> (text colour, background) of every rule of report.css that sets both."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))

    def resolve(v: str) -> str:
        m = re.match(r"var\(--([\w-]+)\)", v.strip())
        return variables[m.group(1)] if m else v.strip()
    out = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        bg = re.search(r"background:\s*([^;]+);", body)
        fg = re.search(r"(?<![-\w])color:\s*([^;]+);", body)
        if bg and fg:
            out[" ".join(selector.split())] = (resolve(fg.group(1)), resolve(bg.group(1)))
    return out


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0 and contrast("#777", "#777") == 1.0
    assert round(contrast("#1a7f37", "#e6f4ea"), 2) == 4.47   # the old "pass" badge: under 4.5


def test_every_badge_has_at_least_4_5_to_1_contrast():
    rules = _colour_rules()
    badges = {s: c for s, c in rules.items() if re.search(r"\.(o|s|st|w)-|\.blocks|verdict-pill|\.badge", s)}
    assert len(badges) >= 15
    low = {s: round(contrast(*c), 2) for s, c in badges.items() if contrast(*c) < 4.5}
    assert low == {}


def test_high_and_fail_do_not_share_a_colour():
    rules = _colour_rules()
    colour = {name: next(c for s, c in rules.items() if name in s.split(", "))
              for name in (".o-fail", ".s-critical", ".s-high", ".s-medium", ".s-low", ".s-info")}
    assert colour[".s-high"] != colour[".o-fail"]
    severities = [colour[k] for k in colour if k.startswith(".s-")]
    assert len(set(severities)) == len(severities)


@pytest.mark.parametrize("value, band", [(100.0, "ok"), (80.0, "ok"), (79.9, "warn"), (60.0, "warn"),
                                         (59.0, "bad"), (0.0, "bad"), (None, "none")])
def test_score_bar_colour_follows_the_value(value, band):
    assert view.meter_band(value) == band


def test_score_bars_are_coloured_in_the_report(credit):
    result = json.loads(credit["json"])
    raw = result["summary"]["score"]["raw"]
    bands = re.findall(r'class="meter-fg m-(\w+)"', credit["html"])
    assert bands and bands[0] == view.meter_band(raw)
    assert "m-ok" in credit["html"] or "m-warn" in credit["html"] or "m-bad" in credit["html"]


@pytest.fixture(scope="module")
def portfolio_html(checks) -> str:
    out = checks.run(CREDIT, SAMPLES / "invoice-late-payment", fmt="html", options=("--no-probes",))
    assert out.exit_code == 1, out.stderr
    return out.stdout.decode("utf-8")


def test_portfolio_drill_down_command_has_the_as_of_date(portfolio_html):
    commands = re.findall(r"<code>(mlcompliance check [^<]*--format html)</code>", portfolio_html)
    assert len(commands) == 2 and all("--as-of 2026-11-01" in c for c in commands)


def test_portfolio_has_a_waiver_register(portfolio_html, checks):
    result = json.loads(checks.run(CREDIT, options=("--no-probes",)).stdout)
    ids = [w["id"] for w in result["waivers"]]
    assert ids
    section = portfolio_html[portfolio_html.index('id="waiver-register"'):]
    section = section[:section.index("</section>")]
    for wid in ids:
        assert f"<code>{wid}</code>" in section
    states = re.findall(r'<span class="badge w-\w+">([\w ]+)</span>', section)
    assert states == sorted(states, key=lambda s: {"expired": 0}.get(s, 9))   # expired first
