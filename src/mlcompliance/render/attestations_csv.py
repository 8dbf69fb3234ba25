"""``--format attestations-csv``: the attestation register (see ``registers_csv``)."""
from __future__ import annotations

from mlcompliance.render.registers_csv import render_attestations as render

__all__ = ["render"]
