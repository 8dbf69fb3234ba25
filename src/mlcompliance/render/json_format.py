from __future__ import annotations

from typing import Any

from mlcompliance.result.record import dumps


def render(result: dict[str, Any]) -> str:
    return dumps(result)

