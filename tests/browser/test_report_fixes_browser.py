"""Issue 12, defect 9 in a real browser: a phone-wide page never scrolls sideways, and a verdict
link to a finding the filters hide clears the filters and goes to it (shared session ``browser``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import AS_OF, SAMPLES, cli

pytestmark = pytest.mark.browser


def _html(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    res = cli(*args, "--as-of", AS_OF, "--format", "html", "-o", out)
    assert res.exit_code in (0, 1), res.output
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("phone")
    # A CI runner's checkout path is long and the portfolio shows each project's path in a heading:
    # copy the samples under a long unbreakable directory name so the page is tested as CI sees it.
    samples = tmp / "ci_runner_workspace_checkout_build_0123456789" / "sample_projects"
    for name in ("credit-scoring", "invoice-late-payment", "assess"):
        shutil.copytree(SAMPLES / name, samples / name)
    return {
        "credit": _html(tmp, "credit.html", "check", samples / "credit-scoring", "--no-probes"),
        "portfolio": _html(tmp, "portfolio.html", "check", samples / "credit-scoring",
                           samples / "invoice-late-payment", "--no-probes"),
        "assess": _html(tmp, "assess.html", "assess", "--answers", samples / "assess" / "leadership-answers.yaml",
                        "--project", samples / "credit-scoring"),
    }


@pytest.mark.parametrize("which", ["credit", "portfolio", "assess"])
def test_a_390_px_phone_never_scrolls_sideways(browser, pages, which):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(pages[which].resolve().as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_a_verdict_link_to_a_filtered_out_finding_clears_the_filters(browser, pages):
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    try:
        page = context.new_page()
        page.goto(pages["credit"].resolve().as_uri())
        page.wait_for_load_state("load")
        link = page.locator("section.verdict table.blocking a[href^='#f-']").first
        target = link.get_attribute("href")[1:]
        page.select_option("#filter-outcome", "pass")          # hides every blocking finding
        assert page.locator(f"[id='{target}']").is_hidden()
        link.click()
        page.wait_for_timeout(100)
        row = page.locator(f"[id='{target}']")
        assert row.is_visible()
        assert page.input_value("#filter-outcome") == ""
        assert page.evaluate("location.hash") == "#" + target
        box = row.bounding_box()
        assert box is not None and 0 <= box["y"] < 800                  # scrolled to it
    finally:
        context.close()
