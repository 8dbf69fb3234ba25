"""The waiver register stays a readable table within the page (issue 12, defect 6), in Chromium.

The scope column was one character wide on the shipped credit-scoring sample, one long URL made
the table wider than the screen, and a 10 000-character token made it 85 000 px wide. The table
now has fixed column widths and long tokens wrap (``overflow-wrap: anywhere``)."""
from __future__ import annotations

import shutil

import pytest
from helpers import SAMPLES, check_json
from test_report_browser import Watched, browser, write  # noqa: F401 - browser is a fixture

from mlcompliance.render import RENDERERS

pytestmark = pytest.mark.browser
TOKEN = "A" * 10_000
URL = "https://tickets.example.com/browse/" + "x" * 400 + "?q=" + "y" * 300


@pytest.fixture(scope="module")
def long_waivers_html(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("waivers") / "credit-scoring"
    shutil.copytree(SAMPLES / "credit-scoring", root)
    text = (root / "waivers.yaml").read_text(encoding="utf-8")
    text = text.replace("ticket: MRM-2291", f"ticket: {TOKEN}").replace("ticket: PRIV-1187", f"ticket: {URL}")
    text = text.replace("approver: Head of Decisioning Platform", f"approver: Head of Decisioning Platform {URL}")
    (root / "waivers.yaml").write_text(text, encoding="utf-8")
    result = check_json(root)
    assert any(w.get("ticket") == TOKEN for w in result["waivers"])
    return RENDERERS["html"](result)


def _measure(page) -> dict:
    return page.evaluate("""() => {
        const t = document.querySelector('#waivers table.waivers');
        const cols = [...t.querySelectorAll('thead th')].map(th => [th.textContent.trim(), th.getBoundingClientRect().width]);
        return {table: t.getBoundingClientRect().width, section: document.querySelector('#waivers').getBoundingClientRect().width,
                scroll: document.querySelector('#waivers').scrollWidth, cols: Object.fromEntries(cols)};
    }""")


@pytest.mark.parametrize("width", [1366, 1024])
def test_waiver_register_fits_the_viewport_with_a_10000_character_token(browser, long_waivers_html, tmp_path, width):  # noqa: F811
    with Watched(browser, write(tmp_path, "waivers.html", long_waivers_html)) as w:
        w.page.set_viewport_size({"width": width, "height": 900})
        m = _measure(w.page)
        assert m["table"] <= width and m["table"] <= m["section"] + 1, m["table"]
        assert m["scroll"] <= m["section"] + 1
        assert m["cols"]["scope"] >= 0.08 * m["table"]        # not one character wide
        assert min(m["cols"].values()) >= 40                   # no column collapses
        assert TOKEN[:50] in w.page.inner_text("#waivers")     # the token is shown, wrapped


def test_waiver_register_fits_the_printed_page(browser, long_waivers_html, tmp_path):  # noqa: F811
    with Watched(browser, write(tmp_path, "waivers.html", long_waivers_html)) as w:
        w.page.emulate_media(media="print")
        w.page.set_viewport_size({"width": 1046, "height": 740})   # A4 landscape less 12 mm margins, at 96 dpi
        m = _measure(w.page)
        assert m["table"] <= 1046 and m["scroll"] <= m["section"] + 1
        font = w.page.eval_on_selector("#waivers td", "td => parseFloat(getComputedStyle(td).fontSize)")
        assert font >= 11                                       # 9.5 pt, not shrunk to fit
