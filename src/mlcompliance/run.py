"""The library entry point: check a project directory and get its result."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from . import engine, policy, result
from .errors import InputError
from .evidence import load_project
from .findings import SEVERITIES
from .tiering import effective_tier

DEFAULT_FAIL_ON = "high"


class Checker:
    """Discovers packs once and compiles each pack once, then checks any number of projects."""

    def __init__(self, policy_paths: Iterable[Path] = ()) -> None:
        self.sources = policy.discover(policy_paths)

    def check(self, root: Path, as_of: date, fail_on: str | None = None,
              packs: dict[str, str] | None = None) -> dict[str, Any]:
        project = load_project(root)
        requested = packs if packs is not None else project.settings.get("packs")
        chosen = policy.resolve(requested, self.sources, project.config if packs is None else None)
        loaded = policy.load_packs(chosen)
        tier = effective_tier(project.bundle)
        findings = engine.evaluate(project, loaded, as_of, tier["tier"])
        gate_on = fail_on or (project.settings.get("gate") or {}).get("fail_on") or DEFAULT_FAIL_ON
        if gate_on not in SEVERITIES:
            raise InputError(f"unknown severity '{gate_on}'", expected="one of " + ", ".join(SEVERITIES))
        return result.build(project, loaded, findings, tier, as_of, gate_on)


def check(root: Path, as_of: date | None = None, fail_on: str | None = None,
          policy_paths: Iterable[Path] = ()) -> dict[str, Any]:
    return Checker(policy_paths).check(root, as_of or date.today(), fail_on)
