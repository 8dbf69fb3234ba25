"""One headless Chromium for every browser test of the session (Playwright's sync API allows
one at a time): Debian's ``chromium``, driven by Playwright, never downloaded."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("MLCOMPLIANCE_SKIP_BROWSER") == "1":
        pytest.skip("MLCOMPLIANCE_SKIP_BROWSER=1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed (pip install playwright), or set MLCOMPLIANCE_SKIP_BROWSER=1")
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("chromium is not on PATH (apt-get install -y chromium), or set MLCOMPLIANCE_SKIP_BROWSER=1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


