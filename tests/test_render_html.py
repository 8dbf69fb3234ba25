"""The HTML report: content, self-containment, sanitising, template overrides, graceful degradation.

Browser-level checks (script execution, network, filters) are in tests/browser/.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import INVOICE, PAYLOADS, render_portfolio

from mlcompliance.render import RENDERERS
from mlcompliance.render import html as html_renderer
from mlcompliance.render.safe_markdown import render_markdown, sanitise
from mlcompliance.result.codec import dumps, from_dict

URL_ATTRS = ("src", "href", "action", "formaction", "poster", "data", "srcset", "background", "cite",
             "codebase", "manifest", "ping", "xlink:href", "longdesc", "usemap", "lowsrc", "dynsrc")


class Page(HTMLParser):
    """Every element and attribute of a page, and the text of script/style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == name]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def render(result, **kw) -> str:
    """The HTML of a result given as its JSON dict (decoded by the codec, as `render` does)."""
    return html_renderer.render(from_dict(result), **kw)


def assert_self_contained(html: str) -> None:
    page = parse(html)
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            if name in URL_ATTRS:
                assert name == "href" and value and value.startswith("#"), f"<{tag} {name}={value!r}>"
    # also by regex on the raw text, in case the parser and a browser disagree
    # (escaped text holds no raw "<", so every "<" starts a real tag)
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        for m in re.finditer(r"""\s(?:src|href|action|formaction|poster|srcset|data|xlink:href)\s*=\s*["']?([^"'\s>]*)""",
                             tag, re.I):
            assert m.group(1).startswith("#"), tag
    for css in page.styles:
        assert "url(" not in css and "@import" not in css and "@font-face" not in css
    for js in page.scripts:
        for forbidden in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "innerHTML",
                          "eval(", "Function(", "document.write"):
            assert forbidden not in js
    assert not page.tags("link") and not page.tags("img") and not page.tags("iframe") and not page.tags("object")


# --- the invoice sample -----------------------------------------------------------------------------


def test_invoice_report_has_every_section(invoice_result):
    html = render(invoice_result)
    page = parse(html)
    ids = {a.get("id") for _, a in page.elements}
    for section in ("verdict", "scores", "requirements", "risk", "findings", "inventory"):
        assert section in ids
    assert "COMPLIANT" in html and "NON-COMPLIANT" not in html
    assert len(page.tags("tr")) > len(invoice_result["findings"])
    rows = [a for a in page.tags("tr") if (a.get("class") or "").startswith("finding")]
    assert len(rows) == len(invoice_result["findings"])  # every finding rendered server-side
    assert {r["id"] for r in rows} == {"f-" + f["fingerprint"] for f in invoice_result["findings"]}


def test_invoice_report_is_self_contained(invoice_result):
    assert_self_contained(render(invoice_result))


def test_inventory_lists_files_packs_tool_and_result_hash(invoice_result):
    html = render(invoice_result)
    for f in invoice_result["project"]["files"]:
        assert f["sha256"] in html and f["path"] in html
    for p in invoice_result["packs"]:
        assert p["digest"] in html and p["version"] in html and p["id"] in html
    assert invoice_result["tool"]["version"] in html
    assert invoice_result["as_of"] in html
    assert "not recorded (reproducible output)" in html
    digest = hashlib.sha256(dumps(invoice_result).encode("utf-8")).hexdigest()
    assert f'id="result-sha256">{digest}<' in html


def test_result_hash_is_the_hash_of_the_json_check_writes(checks):
    saved, page = checks.run(INVOICE), checks.run(INVOICE, fmt="html")
    assert saved.exit_code == page.exit_code == 0
    digest = hashlib.sha256(saved.stdout).hexdigest()
    assert f'id="result-sha256">{digest}<' in page.stdout.decode("utf-8")


def test_generated_at_is_shown_when_the_result_records_it(invoice_result):
    result = dict(invoice_result, generated_at="2026-11-01T09:30:00+00:00")
    html = render(result)
    assert "2026-11-01T09:30:00+00:00" in html and "not recorded" not in html


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_scores_show_formula_numerator_and_denominator_side_by_side(failing_result):
    html = plain(render(failing_result))
    s = failing_result["summary"]["score"]
    assert s["raw"] != s["with_accepted_risk"]  # the fixture waives one finding
    assert f"{s['raw']:.1f}% ({s['numerator']}/{s['denominator']})" in html
    assert f"{s['with_accepted_risk']:.1f}% ({s['numerator_with_accepted_risk']}/{s['denominator']})" in html
    for p in failing_result["summary"]["packs"]:
        if p["score"]["raw"] is not None:
            assert f"({p['score']['numerator']}/{p['score']['denominator']})" in html
    assert "sum of weights of passing findings / sum of weights of scored findings" in html
    assert "critical 10" in html and "high 5" in html


def test_verdict_lists_each_blocking_finding_with_a_link(failing_result):
    html = render(failing_result)
    verdict = html.split('id="verdict"', 1)[1].split("</section>", 1)[0]
    assert "NON-COMPLIANT" in verdict
    blocking = failing_result["gate"]["blocking"]
    assert blocking
    for fp in blocking:
        assert f'href="#f-{fp}"' in verdict
    table = verdict.split('<table class="blocking">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == len(blocking) + 1


SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]


def test_blocking_table_is_sorted_by_severity_then_rule(failing_result):
    """Issue 12 defect 7: the blocking table was in rule-id order (the gate's order)."""
    result = failing_result
    problems = [f for f in result["findings"] if f["outcome"] in ("fail", "error")]
    assert len({f["severity"] for f in problems}) >= 2
    # every fail or error blocks (as with --fail-on info), listed by rule id as the gate lists them
    result["gate"]["blocking"] = [f["fingerprint"] for f in sorted(problems, key=lambda f: f["rule_id"])]
    by_fp = {f["fingerprint"]: f for f in result["findings"]}
    table = render(result).split('<table class="blocking">', 1)[1].split("</table>", 1)[0]
    shown = re.findall(r'href="#f-([0-9a-f]+)"', table)
    assert sorted(shown) == sorted(result["gate"]["blocking"]) and shown != result["gate"]["blocking"]
    keys = [(SEVERITY_ORDER.index(by_fp[fp]["severity"]), by_fp[fp]["rule_id"]) for fp in shown]
    assert keys == sorted(keys)


def test_not_applicable_requirements_say_why(failing_result):
    """Issue 12 defect 7: requirement rows never said why they were not applicable."""
    html = render(failing_result)
    section = html.split('id="requirements"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr class="req-(\w+)[^"]*">(.*?)</tr>', section, re.S)
    na = {(p["id"], r["id"]) for p in failing_result["summary"]["packs"] for r in p["requirements"]
          if r["status"] == "not_applicable"}
    assert na and sum(1 for status, _ in rows if status == "not_applicable") == len(na)
    for status, row in rows:
        assert ("Why not applicable:" in row) == (status == "not_applicable")
    messages = {f["message"] for f in failing_result["findings"] if f["outcome"] == "not_applicable"}
    whys = re.findall(r'class="small na-why">Why not applicable: (.*?)</span>', section)
    assert whys and all(any(m.replace("'", "&#39;") in w for m in messages) for w in whys)


def test_verdict_names_unattested_manual_requirements(invoice_result):
    """Issue 12 defect 7: a COMPLIANT project's unattested manual requirements were not named."""
    attested = {(f["pack"], f["requirement"]) for f in invoice_result["findings"]
                if f["outcome"] == "manual" and f.get("attestation")}
    manual = [(p["id"], r["id"]) for p in invoice_result["summary"]["packs"] for r in p["requirements"]
              if r["status"] == "manual" and (p["id"], r["id"]) not in attested]
    # 4 manual requirements apply (eu-trustworthy-ai 1.2.0 adds EUAI-ART5-SCREENING-ADEQUATE, audit 3.5);
    # MLOPS-21 is attested (its status is "manual" too), so 3 are not (an attested requirement used to
    # be listed as unattested)
    assert attested == {("mlops-practices", "MLOPS-21-LOSS-BUSINESS-CORRELATION")}
    assert invoice_result["gate"]["verdict"] == "compliant" and len(manual) == 3
    verdict = render(invoice_result).split('id="verdict"', 1)[1].split("</section>", 1)[0]
    assert f"{len(manual)} manual requirements not attested." in plain(verdict)
    rows = re.findall(r"<tr><td>([^<]+)</td><td><code>([^<]+)</code></td>", verdict)
    assert sorted(rows) == sorted(manual)


def test_requirements_group_findings_by_requirement(failing_result):
    html = render(failing_result)
    section = html.split('id="requirements"', 1)[1].split("</section>", 1)[0]
    for pack in failing_result["summary"]["packs"]:
        for req in pack.get("requirements", []):
            assert f"<code>{req['id']}</code>" in section
    for f in failing_result["findings"]:
        assert f'href="#f-{f["fingerprint"]}"' in section
    assert "not met" in section


def test_risk_tier_and_its_basis(failing_result):
    html = render(failing_result)
    section = html.split('id="risk"', 1)[1].split("</section>", 1)[0]
    assert failing_result["risk"]["tier"] in section
    for regime in (failing_result["risk"].get("regimes") or {}):
        assert regime in section


def test_risk_basis_rows_are_rendered(invoice_result):
    result = copy.deepcopy(invoice_result)
    fact = {"regime": "EU AI Act", "fact": "/model_card/risk/eu_ai_act/annex_iii_point", "value": "5b",
            "raises_to": "high", "clause": "Art. 6(2) and Annex III point 5(b)",
            "url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"}
    result["risk"] = {"tier": "high", "declared": "minimal", "derived": "high", "regimes": {"EU AI Act": "high"},
                      "basis": [fact], "facts": [fact], "override": None, "problems": []}
    html = render(result)
    section = html.split('id="risk"', 1)[1].split("</section>", 1)[0]
    assert "Annex III point 5(b)" in section and "/model_card/risk/eu_ai_act/annex_iii_point" in section
    assert "raised to high" in section
    assert 'href="https://eur-lex' not in html  # URLs are text, never links
    assert_self_contained(html)


def test_waiver_register_shows_status_and_links(failing_result):
    html = render(failing_result)
    section = html.split('id="waivers"', 1)[1].split("</section>", 1)[0]
    for w in failing_result["waivers"]:
        assert w["id"] in section
        assert w["status"] in section
        for fp in w.get("matched", []):
            assert f'href="#f-{fp}"' in section
    assert "expired" in section and "active" in section
    assert "<strong>OPS-1234</strong>" in section  # justification is Markdown


def test_findings_show_clause_location_observed_and_remediation(failing_result):
    html = render(failing_result)
    page = parse(html)
    rows = {a["id"]: a for a in page.tags("tr") if (a.get("class") or "").startswith("finding")}
    assert len(rows) == len(failing_result["findings"])
    for f in failing_result["findings"]:
        row = html.split(f'id="f-{f["fingerprint"]}"', 1)[1].split("</tr>", 1)[0]
        assert f"{f['location']['file']}:{f['location']['line']}" in row
        for ref in f["references"]:
            assert ref["clause"].replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;") in row
        if f["outcome"] in ("fail", "warn", "error"):
            assert "Remediation:" in row and "Observed:" in row
        attrs = rows[f"f-{f['fingerprint']}"]
        assert attrs["data-outcome"] == f["outcome"] and attrs["data-severity"] == f["severity"]
        assert attrs["data-pack"] == f["pack"]


def test_filters_offer_every_pack_severity_and_outcome(failing_result):
    page = parse(render(failing_result))
    options = [a.get("value") for a in page.tags("option")]
    for f in failing_result["findings"]:
        assert f["pack"] in options and f["severity"] in options and f["outcome"] in options
    form = next(a for t, a in page.elements if t == "form")
    assert "hidden" in form  # shown by the script only; without JS every row is simply listed


def test_findings_are_blocking_first_then_problems_by_severity(failing_result):
    """Blocking first; then fail and error together, warn, manual, waived, pass, not applicable;
    within each, most severe first, then rule id (issue 12 defect 5: the print order)."""
    page = parse(render(failing_result))
    rows = [a for a in page.tags("tr") if (a.get("class") or "").startswith("finding")]
    assert len(rows) == len(failing_result["findings"])
    group = {"fail": 0, "error": 0, "warn": 1, "manual": 2, "waived": 3, "pass": 4, "not_applicable": 5}
    keys = [("blocking" not in a["class"], group[a["data-outcome"]], SEVERITY_ORDER.index(a["data-severity"]),
             a["data-rule"]) for a in rows]
    assert keys == sorted(keys)
    blocking = len(failing_result["gate"]["blocking"])
    assert blocking and all(not k[0] for k in keys[:blocking]) and all(k[0] for k in keys[blocking:])
    collapsed = [a for a in rows if "print-collapse" in a["class"]]
    assert {a["data-outcome"] for a in collapsed} == {"pass", "not_applicable"}
    assert len(collapsed) == sum(1 for f in failing_result["findings"] if f["outcome"] in ("pass", "not_applicable"))


# --- purity, CSP, determinism ---------------------------------------------------------------------------


def test_render_is_deterministic_and_does_not_mutate_the_result(failing_result):
    before = json.dumps(failing_result, sort_keys=True)
    assert render(failing_result) == render(failing_result)
    assert json.dumps(failing_result, sort_keys=True) == before


def test_csp_allows_exactly_the_inline_style_and_script(invoice_result):
    html = render(invoice_result)
    page = parse(html)
    csp = next(a["content"] for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert len(page.scripts) == 1 and len(page.styles) == 1

    def digest(text):
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert f"script-src '{digest(page.scripts[0])}'" in csp
    assert f"style-src '{digest(page.styles[0])}'" in csp


def test_html_is_registered(invoice_result):
    assert RENDERERS["html"](invoice_result) == html_renderer.render(from_dict(invoice_result)) == render(invoice_result)


# --- hostile content --------------------------------------------------------------------------------


def test_hostile_report_has_no_active_content(hostile_result):
    html = render(hostile_result)
    page = parse(html)
    assert len(page.scripts) == 1 and "__pwned" not in page.scripts[0]
    own_css = html_renderer.environment().get_template("report.css").render()   # with workpaper.css
    assert len(page.styles) == 1 and page.styles[0].startswith(own_css)  # no injected <style>
    # the printed page's running header (page.css.j2): the hostile project name only as CSS escapes
    running = page.styles[0][len(own_css):]
    strings = re.findall(r'content: ("[^"]*")', running)
    assert len(strings) == 4 and all(re.fullmatch(r'"[A-Za-z0-9 .,:;_/()\\-]*"', s) for s in strings), strings
    assert strings[0].startswith('"Hostile \\3c script\\3e window.__pwned \\3d  \\27 script\\27 ;')
    assert "<" not in running and "{" not in strings[0]
    for tag, attrs in page.elements:
        assert tag not in ("iframe", "object", "embed", "img", "link", "math", "base", "form") or \
            (tag == "form" and attrs.get("id") == "finding-filters"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower() or name.startswith("data-") or name == "title", \
                (tag, name, value)
            assert name not in ("style", "srcdoc")
    assert_self_contained(html)
    svg_children = {t for t, _ in page.elements} & {"script", "foreignobject", "animate", "set", "use"}
    assert svg_children <= {"script"}


def test_hostile_text_is_shown_escaped(hostile_result):
    html = render(hostile_result)
    name = hostile_result["project"]["name"]
    assert "<h1>Hostile &lt;script&gt;window.__pwned = &#39;script&#39;" in html
    assert name not in html
    assert "{{ 7*7 }}" in html and "{% if true %}TEMPLATE{% endif %}" in html
    assert "TEMPLATE" not in html.replace("TEMPLATE{% endif %}", "")  # never evaluated
    text = "".join(parse(html).text)
    assert "window.__pwned = 'script'" in text  # the payload is visible, as text, in the title


def test_hostile_markdown_is_sanitised_and_messages_are_verbatim(hostile_result):
    html = render(hostile_result)
    allowed = {"p", "br", "em", "strong", "code", "span", "b", "i", "ul", "ol", "li", "pre", "blockquote", "hr"}
    markdown_blocks = re.findall(r'<div class="md">(.*?)</div>', html, re.S)
    hostile_blocks = [m for m in markdown_blocks if "__pwned" in m or "Flaky mirror" in m or "Attested." in m]
    assert len(hostile_blocks) >= 2  # waiver justification and attestation statement took the Markdown path
    for m in markdown_blocks:
        for tag, attrs in parse(m).elements:
            assert tag in allowed and not attrs, (tag, attrs, m)
    messages = re.findall(r'<div class="md message">(.*?)</div>', html, re.S)
    assert len(messages) == len(hostile_result["findings"])
    for m in messages:
        assert [t for t, _ in parse(m).elements] == ["p"], m  # one paragraph of escaped text
    for f in hostile_result["findings"]:
        assert verbatim_text(f["message"]) in html


def verbatim_text(value: str) -> str:
    """How the page shows a message: control characters made visible (<U+0001>), then escaped."""
    from markupsafe import escape

    from mlcompliance.render.common import visible
    return str(escape(visible(value)))


@pytest.mark.parametrize("payload", PAYLOADS + [
    "<IMG SRC=JaVaScRiPt:alert('XSS')>", "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>", "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>", "<base href=\"https://evil.example/\">",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example\">", "[x](  javascript:alert(1)  )",
    "<p style=\"background:url(https://evil.example/a.png)\">bg</p>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
])
def test_markdown_sanitiser_allow_list(payload):
    out = render_markdown(payload)
    low = out.lower()
    for bad in ("<script", "<svg", "<iframe", "<img", "<a", "<style", "<object", "<embed", "<math", "<form",
                "<base", "<meta", "<link", "<details", "<button", "<noscript"):
        assert bad not in low
    assert not re.search(r"<[a-z0-9]+\s+[^>]*=", low), out  # no attribute on any element
    assert "<!--" not in out


def test_markdown_keeps_harmless_formatting_and_links_as_text():
    out = render_markdown("**bold** and `code` and [docs](https://example.com/x) and\n\n- a\n- b")
    assert "<strong>bold</strong>" in out and "<code>code</code>" in out and "<li>a</li>" in out
    assert "docs (<code>https://example.com/x</code>)" in out and "href" not in out
    assert sanitise('<p onclick="x()">t</p>') == "<p>t</p>"


# --- optional sections and older results ---------------------------------------------------------------


def with_sections(result: dict, sections: dict) -> dict:
    """``result`` with its (real) maturity's ML Test Score sections replaced, the final score their minimum."""
    maturity = copy.deepcopy(result["maturity"])
    maturity["ml_test_score"].update(sections=sections, final=min(sections.values()))
    return dict(result, maturity=maturity)


def test_maturity_section_vector_as_inline_svg(invoice_result):
    html = render(with_sections(invoice_result, {"data": 4.0, "model": 3.0, "infrastructure": 5.0, "monitoring": 1.5}))
    section = html.split('id="maturity"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and 'role="img"' in section
    bars = re.findall(r'<rect class="bar( bar-min)?" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', section)
    assert len(bars) == 4
    widths = [float(w) for _, w in bars]
    assert widths[2] > widths[0] > widths[1] > widths[3] > 0  # 5 > 4 > 3 > 1.5
    assert [bool(m) for m, _ in bars] == [False, False, False, True]  # Monitoring caps the score
    assert "Monitoring" in section and "1.5 / 7" in section and "caps the score" in section
    assert 'href="#maturity"' in html
    assert_self_contained(html)


def test_maturity_not_assessed_leaves_the_section_out(invoice_result):
    html = render(dict(invoice_result, maturity={"assessed": False, "reason": "no chosen pack has a maturity rubric"}))
    assert 'id="maturity"' not in html and 'href="#maturity"' not in html


def test_waiver_and_attestation_are_shown_as_finding_details(failing_result):
    html = render(failing_result)
    waived = next(f for f in failing_result["findings"] if f.get("waiver") and f["pack"] != "mlcompliance")
    row = html.split(f'id="f-{waived["fingerprint"]}"', 1)[1].split("</tr>", 1)[0]
    assert "waiver:" in row and waived["waiver"]["id"] in row and waived["waiver"]["approver"] in row
    attested = next(f for f in failing_result["findings"] if f.get("attestation"))
    row = html.split(f'id="f-{attested["fingerprint"]}"', 1)[1].split("</tr>", 1)[0]
    assert "attestation:" in row and attested["attestation"]["attested_by"] in row


# --- template overrides --------------------------------------------------------------------------------


def test_template_dir_none_is_the_default(invoice_result):
    assert render(invoice_result, template_dir=None) == render(invoice_result)


def test_template_dir_overrides_one_template_and_keeps_the_rest(invoice_result, tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "verdict.html.j2").write_text(
        '<section id="verdict"><h2>Custom verdict for {{ project_name }}: {{ verdict.label }}</h2></section>\n')
    html = render(invoice_result, template_dir=tmp_path)
    assert "Custom verdict for Invoice late-payment predictor: COMPLIANT" in html
    assert 'id="inventory"' in html and 'id="findings"' in html


def test_template_dir_can_extend_the_default_report(invoice_result, tmp_path):
    (tmp_path / "report.html.j2").write_text(
        '{% extends "default/report.html.j2" %}\n'
        '{% block footer %}<footer>Prepared for the audit committee. {{ inventory.result_sha256 }}</footer>{% endblock %}\n')
    html = render(invoice_result, template_dir=str(tmp_path))
    assert "Prepared for the audit committee." in html and 'id="verdict"' in html
    assert "output is byte-identical" not in html


def test_template_overrides_stay_autoescaped_and_sandboxed(invoice_result, tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "header.html.j2").write_text("<h1>{{ '<b>x</b>' }}</h1>\n")
    html = render(invoice_result, template_dir=tmp_path)
    assert "<h1>&lt;b&gt;x&lt;/b&gt;</h1>" in html
    other = tmp_path / "other"
    (other / "sections").mkdir(parents=True)
    (other / "sections" / "header.html.j2").write_text("{{ result.__class__.__mro__ }}\n")
    from jinja2.exceptions import SecurityError
    with pytest.raises(SecurityError):
        render(invoice_result, template_dir=other)


def test_overridden_style_and_script_get_their_own_csp_hashes(invoice_result, tmp_path):
    (tmp_path / "report.css").write_text("body { color: #123456; }\n")
    html = render(invoice_result, template_dir=tmp_path)
    page = parse(html)
    csp = next(a["content"] for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy")
    digest = "sha256-" + base64.b64encode(hashlib.sha256(page.styles[0].encode()).digest()).decode()
    # the override, then the printed page's running header and footer (page.css.j2)
    assert page.styles[0].startswith("body { color: #123456; }\n@media print {\n  @page {") and digest in csp
    assert '@top-left { content: "Invoice late-payment predictor";' in page.styles[0]
    bare = tmp_path / "bare"   # overriding page.css.j2 with nothing removes them
    bare.mkdir()
    (bare / "report.css").write_text("body { color: #123456; }\n")
    (bare / "page.css.j2").write_text("")
    assert parse(render(invoice_result, template_dir=bare)).styles == ["body { color: #123456; }\n"]


def test_default_templates_are_found_by_resources():
    from mlcompliance.resources import templates_dir
    assert (templates_dir() / "html" / "report.html.j2").is_file()
    assert Path(html_renderer.default_template_dir()).is_dir()


# --- portfolio ----------------------------------------------------------------------------------------


def test_portfolio_report(portfolio_result):
    html = render_portfolio(portfolio_result, "html")
    assert_self_contained(html)
    for entry in portfolio_result["projects"]:
        assert f"<code class=\"small\">{entry['path']}</code>" in html
        for fp in entry["result"]["gate"]["blocking"]:
            assert f"f-{fp}" in html
    assert "NON-COMPLIANT" in html
    digest = hashlib.sha256(portfolio_result["file"].read_bytes()).hexdigest()   # of the JSON Lines
    assert f'id="result-sha256">{digest}<' in html


def test_maturity_from_the_real_evaluator(invoice_result):
    """The shape mlcompliance.scoring.maturity.evaluate produces (aggregated from the check's findings): stage mapping, ml_test_score with final,
    sections, tests with evidence; principles and practices tables."""
    maturity = invoice_result["maturity"]
    html = render(dict(invoice_result, maturity=maturity))
    section = html.split('id="maturity"', 1)[1].split("</section>", 1)[0]
    mts = maturity["ml_test_score"]
    assert f"ML Test Score: <strong>{mts['final']:g}</strong>" in section
    assert maturity["stage"]["label"] in section
    bars = re.findall(r'<rect class="bar( bar-min)?" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', section)
    assert len(bars) == len(mts["sections"]) == 4
    assert sum(1 for m, _ in bars if m) >= 1
    for test in mts["tests"]:
        assert f"<td>{test['id']}</td>" in section
    assert "Principles" in section and "Practices" in section
    assert_self_contained(html)
