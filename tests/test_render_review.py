"""Issue 12's visual review of the sample reports: the defects visible in the HTML text (the layout
ones are in tests/browser/test_review_browser.py)."""
from __future__ import annotations

import re
from html import unescape

from helpers import SAMPLES

from mlcompliance.render import RENDERERS


def _text(html: str) -> str:
    """The page's text as a reader sees it: no style or script, tags dropped, entities decoded."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_the_attestation_register_sentences_are_separated(sample_check):
    _, result = sample_check("credit-scoring")
    text = _text(RENDERERS["html"](result))
    assert re.search(r"\d+ attested\. An attestation with an expires date", text)


def test_tool_keys_read_as_words_not_snake_case(sample_check):
    # maturity stage details ("missing_for_next"), evidence lines ("rule_id: ..."), risk facts
    # ("raises_to", "applies_from") were shown with their JSON key names
    _, result = sample_check("credit-scoring")
    html = RENDERERS["html"](result)
    text = _text(html)
    for key in ("missing_for_next", "rule_id", "raises_to", "applies_from"):
        assert key not in text, key
    assert "missing for next" in text and "rule id:" in text and "raises to" in text


def test_a_portfolio_input_error_gives_its_location_once_across_the_score_columns(checks):
    out = checks.run(SAMPLES / "broken-fraud-alerts", SAMPLES / "invoice-late-payment", fmt="html")
    assert out.exit_code == 2
    html = out.stdout.decode("utf-8")
    row = re.search(r'<tr class="input-error">.*?</tr>', html, re.S).group(0)
    assert len(re.findall(r"model_card\.yaml:10", _text(row))) == 1
    packs = len(re.findall(r'<th scope="col" class="num">', html.split("<tbody>", 1)[0])) - 2   # minus Blocking, Score
    assert f'<td colspan="{3 + packs}" class="input-error-text">' in row


def test_a_flag_in_the_details_reads_yes_or_no_never_raw_json():
    """The maturity stage showed "below baseline false" (a raw JSON boolean) in the HTML report."""
    from mlcompliance.render.view import details_view
    view = details_view({"stage": 2, "below_baseline": False, "automated": True}, str)
    assert [(k, v["text"]) for k, v in view["items"]] == [("stage", "2"), ("below_baseline", "no"),
                                                          ("automated", "yes")]


def test_findings_come_before_the_maturity_tables(sample_check):
    """Exceptions first: the maturity tables (about 30 printed pages of credit-scoring) came before the
    findings an auditor reads first; they now follow the findings, data and waivers, in the page and
    in its contents list."""
    _, result = sample_check("credit-scoring")
    html = RENDERERS["html"](result)
    main = html.split("<main>", 1)[1]
    assert main.index('id="findings"') < main.index('id="waivers"') < main.index('id="maturity"') \
        < main.index('id="registers"')
    toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    assert toc.index("#findings") < toc.index("#maturity") < toc.index("#registers")


def test_the_printed_assessment_has_page_numbers_and_its_digest(tmp_path):
    """The assess page printed without page numbers or any digest; it now carries the report's
    running header and footer, with the sha256 of the assessment's JSON."""
    import hashlib

    from helpers import cli
    answers = SAMPLES / "assess" / "leadership-answers.yaml"
    args = ("assess", "--answers", answers, "--project", SAMPLES / "credit-scoring", "--as-of", "2026-11-01")
    assert cli(*args, "--format", "json", "-o", tmp_path / "a.json").exit_code == 0
    assert cli(*args, "--format", "html", "-o", tmp_path / "a.html").exit_code == 0
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    digest = hashlib.sha256((tmp_path / "a.json").read_bytes()).hexdigest()
    style = html.split("<style", 1)[1].split("</style>", 1)[0]
    assert "@bottom-right" in style and 'counter(pages)' in style
    assert digest in style and "as of 2026-11-01" in style


def test_the_risk_section_lists_each_fact_once_and_shows_the_pending_ones(sample_check):
    """The risk section repeated the basis table as a raw key/value dump of every fact, and the
    table left out the EU AI Act fact not yet in force (credit-scoring's Annex III point 5(b),
    applying from 2027-12-02): now a second table lists the other facts, each once."""
    _, result = sample_check("credit-scoring")
    section = RENDERERS["html"](result).split('id="risk"', 1)[1].split("</section>", 1)[0]
    text = _text(section)
    assert "Other facts considered" in text and "applies from" in text and "2027-12-02" in text
    assert text.count("model_card.yaml:58") == 1          # the pending Annex III fact, once
    assert text.count("model_card.yaml:67") == 1          # a basis fact: in the basis table only
    assert "\nfacts\n" not in text and "<dt>facts</dt>" not in section
