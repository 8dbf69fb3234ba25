"""Where the built-in policy packs, report templates and JSON Schemas live.

In a wheel, `policies/` and `templates/` are shipped inside the package as
`mlcompliance/_data/`; in a source checkout (or an editable install) they are read
from the repository's top level, so there is one copy of each.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_root() -> Path:
    shipped = _PACKAGE / "_data"
    if (shipped / "policies").is_dir():
        return shipped
    checkout = _PACKAGE.parent.parent  # src/mlcompliance -> repository root
    if (checkout / "policies").is_dir():
        return checkout
    raise RuntimeError("mlcompliance is installed without its policies/ directory")


def policies_dir() -> Path:
    return _data_root() / "policies"


def templates_dir() -> Path:
    return _data_root() / "templates"


def schemas_dir() -> Path:
    return _PACKAGE / "schemas"
