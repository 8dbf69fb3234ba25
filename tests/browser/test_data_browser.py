"""The HTML report's Data section in a real headless browser (pattern of test_report_browser.py).

On the credit-scoring sample (a predictions file with three protected attributes): the section
renders, each fairness bar is as wide as its rate (relative to the others), the threshold line
sits at 0.8 x the highest selection rate, the section fits a 1300 px page, and it prints.
"""
from __future__ import annotations

import pytest
from helpers import SAMPLES, check_json
from test_report_browser import Watched, write

from mlcompliance.render import RENDERERS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def credit_result():
    return check_json(SAMPLES / "credit-scoring")


def test_data_section_renders_bars_in_proportion_fits_and_prints(browser, credit_result, tmp_path):
    with Watched(browser, write(tmp_path, "credit.html", RENDERERS["html"](credit_result))) as w:
        page = w.page
        page.set_viewport_size({"width": 1300, "height": 900})
        assert page.is_visible("#data h2") and page.inner_text("#data h2") == "Data"
        attributes = {a["attribute"]: a for a in credit_result["data"]["fairness"]["attributes"]}
        charts = page.eval_on_selector_all("#data figure.fairness-chart", "fs => fs.map(f => f.dataset.attribute)")
        assert charts == ["age_band", "disability_indicator", "sex"]
        for name, facts in attributes.items():
            bars = page.eval_on_selector_all(
                f'#data figure.fairness-chart[data-attribute="{name}"] rect.fair-sel',
                "rs => rs.map(r => ({group: r.dataset.group, w: r.getBoundingClientRect().width}))")
            rates = {g["group"]: g["selection_rate"] for g in facts["groups"]}
            assert [b["group"] for b in bars] == list(rates)
            top = max(rates, key=rates.get)
            widest = next(b["w"] for b in bars if b["group"] == top)
            for b in bars:   # rendered widths in the ratio of the rates (0.2 px rounding)
                assert b["w"] / widest == pytest.approx(rates[b["group"]] / rates[top], abs=0.01)
            x0, line = page.eval_on_selector(
                f'#data figure.fairness-chart[data-attribute="{name}"] svg',
                "s => [s.querySelector('rect.chart-bg').getBoundingClientRect().left,"
                " s.querySelector('line.threshold').getBoundingClientRect().left]")
            assert (line - x0) / widest == pytest.approx(0.8, abs=0.02)
        # the values are text, not only bar lengths
        assert "selection rate 0.2135" in page.inner_text('#data figure.fairness-chart[data-attribute="sex"]')
        right = page.eval_on_selector("#data", "s => s.getBoundingClientRect().right")
        widths = page.eval_on_selector_all("#data table, #data svg", "ts => ts.map(t => t.getBoundingClientRect().right)")
        assert widths and max(widths) <= right + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 1300
        page.emulate_media(media="print")
        assert page.is_visible("#data figure.fairness-chart")
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        w.assert_no_network()
        assert w.errors == []
