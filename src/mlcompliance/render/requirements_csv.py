"""``--format requirements-csv``: the requirements register (see ``registers_csv``)."""
from __future__ import annotations

from mlcompliance.render.registers_csv import render_requirements as render

__all__ = ["render"]
