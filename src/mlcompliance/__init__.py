"""mlcompliance: policy-as-code compliance checks for machine-learning projects.

The version lives in one place, pyproject.toml: an installed distribution reports it through
its metadata; a source checkout run without installing (PYTHONPATH=src) reads pyproject.toml.
"""
from __future__ import annotations


def _version() -> str:
    import re
    from pathlib import Path
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():     # a source checkout: its own pyproject wins over any installed copy
        text = pyproject.read_text(encoding="utf-8")
        found = re.search(r'^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
        if found and re.search(r'^name\s*=\s*"mlcompliance"', text, re.M):
            return found.group(1)
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("mlcompliance")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
