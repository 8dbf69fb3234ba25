import os, subprocess
from pathlib import Path
import pytest
pytestmark = pytest.mark.browser
OUT = Path("/tmp/rs/shots")
def test_shots(browser):
    OUT.mkdir(parents=True, exist_ok=True)
    for name in os.environ.get("SHOTS", "cs").split(","):
        html = Path(f"/tmp/rs/{name}.html")
        for w, h in ((1366, 900), (390, 844)):
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.goto(html.as_uri()); page.wait_for_load_state("load")
            page.screenshot(path=str(OUT / f"{name}-{w}.png"))
            sw = page.evaluate("document.documentElement.scrollWidth")
            print(name, w, "scrollWidth", sw)
            for sel in ("#registers", "#requirements", "#findings"):
                el = page.query_selector(sel)
                if el and os.environ.get("SECTIONS"):
                    el.scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"{name}-{w}-{sel[1:]}.png"))
            ctx.close()
        ctx = browser.new_context(); page = ctx.new_page()
        page.goto(html.as_uri()); page.wait_for_load_state("load")
        pdf = OUT / f"{name}.pdf"
        pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
        ctx.close()
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        print(name, [l for l in info.splitlines() if l.startswith("Pages")])
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(OUT / f"{name}-print")])
