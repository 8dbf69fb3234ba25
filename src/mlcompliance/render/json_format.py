"""The JSON result itself (docs/result.md), written by the codec."""
from __future__ import annotations

from mlcompliance.result.codec import dumps
from mlcompliance.result.model import Result


def render(result: Result) -> str:
    return dumps(result)

