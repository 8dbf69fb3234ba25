"""The portfolio's requirements register as CSV (see ``registers``)."""
from __future__ import annotations

from mlcompliance.render.portfolio.registers import RequirementsSink as Sink
from mlcompliance.render.portfolio.registers import prepare_requirements as prepare

__all__ = ["Sink", "prepare"]
