"""The JSON result itself (docs/result.md), written by the codec."""
from __future__ import annotations

from typing import Any

from mlcompliance.result.codec import dumps
from mlcompliance.result.model import Result


def render(result: Result) -> str:
    return dumps(result)


def render_portfolio(portfolio: dict[str, Any]) -> str:
    return dumps(portfolio)
