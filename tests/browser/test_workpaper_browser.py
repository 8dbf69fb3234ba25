"""The workpaper parts of the HTML report in real Chromium (issue 12, "Exceptions first",
"Workpaper"): the executive summary is the first section, not-applicable rows are collapsed on
screen (no script needed), and the printed PDF carries the sign-off block on page 1 and the
workpaper reference on every page. Uses the session browser (conftest.py) and poppler, like
test_print.py."""
from __future__ import annotations

import re
import shutil

import pytest
from helpers import AS_OF, INVOICE, SAMPLES, _dump, _load, cli
from test_print import Printed, assert_every_page_is_labelled, poppler  # noqa: F401 (fixture)

from mlcompliance.render import RENDERERS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workpaper_result(tmp_path_factory) -> dict:
    """The credit-scoring sample with a workpaper reference, a preparer and no reviewer."""
    root = tmp_path_factory.mktemp("wpb") / "credit"
    shutil.copytree(SAMPLES / "credit-scoring", root)
    config = _load(root / "mlcompliance.yaml")
    config["report"] = {"workpaper_ref": "WP-2026-MRM-031",
                        "preparer": {"name": "Priya Natarajan", "role": "Model validator"}}
    _dump(root / "mlcompliance.yaml", config)
    out = cli("check", root, "--as-of", AS_OF, "--format", "json")
    assert out.exit_code == 1, out.stderr
    import json
    return json.loads(out.stdout)


def _open(browser, result: dict, tmp_path, width: int = 1366, height: int = 900):
    html = tmp_path / "report.html"
    html.write_text(RENDERERS["html"](result), encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(html.resolve().as_uri())
    page.wait_for_load_state("load")
    return context, page


def test_summary_is_the_first_section_and_na_rows_are_collapsed(browser, checks, tmp_path):
    result = checks.result(SAMPLES / "credit-scoring")
    context, page = _open(browser, result, tmp_path)
    try:
        ids = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
        assert ids[0] == "summary" and ids[1] == "verdict", ids
        box = page.locator("#summary").bounding_box()
        assert box["y"] < 900                                       # on the first screen
        assert page.locator("#summary .summary-verdict").inner_text().count("NON-COMPLIANT") == 1
        # every blocking finding is named and its link lands on its row
        top = page.locator("#summary ol.summary-top a")
        assert top.count() == len(result["gate"]["blocking"]) == 2
        top.first.click()
        target = page.evaluate("location.hash").lstrip("#")
        assert page.locator(f"tr#{target}").is_visible()

        # not-applicable findings: in the DOM, hidden until the box is ticked
        na_rows = page.locator("#findings-table tr.row-not_applicable")
        n_na = sum(1 for f in result["findings"] if f["outcome"] == "not_applicable")
        assert na_rows.count() == n_na > 0
        assert not na_rows.first.is_visible()
        assert page.locator("#findings-table tr.row-fail").first.is_visible()
        count = page.locator("#finding-count").inner_text()
        assert count == f"{len(result['findings']) - n_na} of {len(result['findings'])} shown"
        page.check("#show-na-findings")
        assert na_rows.first.is_visible() and na_rows.last.is_visible()
        assert page.locator("#finding-count").inner_text() == f"{len(result['findings'])} of {len(result['findings'])} shown"
        page.uncheck("#show-na-findings")
        # choosing "not applicable" in the outcome filter shows them
        page.select_option("#filter-outcome", "not_applicable")
        assert na_rows.first.is_visible() and not page.locator("#findings-table tr.row-fail").first.is_visible()

        # not-applicable requirements: a closed <details> per pack (no script), each row saying why
        details = page.locator("#requirements details.na-group")
        assert details.count() >= 1
        first = details.first
        assert not first.locator("tr.req-not_applicable").first.is_visible()
        first.locator("summary").click()
        row = first.locator("tr.req-not_applicable").first
        assert row.is_visible() and "Why not applicable:" in row.inner_text()
        assert page.locator("#requirements table.requirements:not(.na-requirements) tr.req-not_applicable").count() == 0
    finally:
        context.close()


def test_a_link_to_a_collapsed_not_applicable_finding_shows_it(browser, checks, tmp_path):
    result = checks.result(SAMPLES / "credit-scoring")
    context, page = _open(browser, result, tmp_path)
    try:
        na = next(f for f in result["findings"] if f["outcome"] == "not_applicable")
        anchor = "f-" + na["fingerprint"]
        assert not page.locator(f"tr#{anchor}").is_visible()
        page.evaluate(f"location.hash = '#{anchor}'")
        assert page.locator(f"tr#{anchor}").is_visible()
    finally:
        context.close()


def test_summary_and_registers_fit_a_phone(browser, checks, tmp_path):
    result = checks.result(SAMPLES / "credit-scoring")
    context, page = _open(browser, result, tmp_path, width=390, height=844)
    try:
        for selector in ("#summary", "#signoff", "#registers"):
            overflow = page.eval_on_selector(selector, "e => e.scrollWidth - e.clientWidth")
            assert overflow <= 1, (selector, overflow)
            right = page.eval_on_selector(selector, "e => e.getBoundingClientRect().right")
            assert right <= 390, (selector, right)
    finally:
        context.close()


def test_printed_workpaper_signs_off_on_page_one_and_names_itself_on_every_page(
        browser, poppler, workpaper_result, tmp_path):  # noqa: F811
    printed = Printed(browser, workpaper_result, tmp_path)
    assert_every_page_is_labelled(printed, workpaper_result)       # project, as-of, digest, page X of Y
    for i, text in enumerate(printed.text, start=1):
        first = next(line for line in text.splitlines() if line.strip())
        assert "workpaper WP-2026-MRM-031" in first, (i, first)    # the running header's centre
    one = re.sub(r"[ \t]+", " ", printed.text[0])
    assert "Executive summary" in one and "What blocks" in one and "Manual requirements" in one
    assert "Workpaper sign-off" in one and "Workpaper reference: WP-2026-MRM-031" in one
    assert re.search(r"Prepared by\s+Priya Natarajan\s+Model validator", one), one
    assert "Reviewed by" in one
    # the summary ends page 1: the verdict's detail starts on page 2
    assert printed.text[1].count("Verdict: NON-COMPLIANT") == 1
    # the sign-off lines are painted (blank lines for the reviewer and both signatures)
    words = printed.words(1)
    reviewed = next(w for w in words if w[0] == "Reviewed")
    width, _, _ = printed.raster(1)
    assert printed.painted(1, (reviewed[3] + 20, reviewed[2] - 2, 800, reviewed[4] + 14)) > 200
    # the registers are printed, not-applicable requirements only counted
    whole = "\n".join(printed.text)
    assert "Requirements register" in whole and "Attestation register" in whole
    assert re.search(r"\d+ not-applicable requirements? of gdpr \(show why\) \(not printed", re.sub(r"\s+", " ", whole))
