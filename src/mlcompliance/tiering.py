"""The risk tier the rules are applied at.

For now the tier is the one the model card declares. An undeclared tier fails closed:
the project is checked as ``high`` and the result says so.
"""
from __future__ import annotations

from typing import Any

TIERS = ("minimal", "limited", "high", "prohibited")


def effective_tier(bundle: dict[str, Any]) -> dict[str, Any]:
    declared = (bundle.get("model_card", {}).get("risk") or {}).get("tier")
    if declared:
        return {"tier": declared, "declared": declared,
                "basis": [{"fact": "/model_card/risk/tier", "value": declared, "raises_to": declared,
                           "clause": "declared by the project"}]}
    return {"tier": "high", "declared": None,
            "basis": [{"fact": "/model_card/risk/tier", "value": None, "raises_to": "high",
                       "clause": "no tier declared: checked as high (fail closed)"}]}
