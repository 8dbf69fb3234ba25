"""The portfolio's attestation register as CSV (see ``registers``)."""
from __future__ import annotations

from mlcompliance.render.portfolio.registers import AttestationsSink as Sink
from mlcompliance.render.portfolio.registers import prepare_attestations as prepare

__all__ = ["Sink", "prepare"]
