"""The library entry point: check a project directory and get its result."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance.engine import evaluate as engine
from mlcompliance.engine import waivers
from mlcompliance.engine.corechecks import tier_findings, waiver_findings
from mlcompliance.engine.tiering import TIER_CONDITIONS, derive
from mlcompliance.evidence.project import load_project
from mlcompliance.policy import packs as policy
from mlcompliance.probes.observe import observe
from mlcompliance.result import record as result
from mlcompliance.result.baseline import Comparison
from mlcompliance.result.model import Result
from mlcompliance.scoring import maturity


class Checker:
    """Discovers packs once and compiles each pack once, then checks any number of projects.

    Installed pack plug-ins are looked at only when a project asks for a pack that the built-in
    and --policy-path packs do not have; what they add is kept for the next project.
    """

    def __init__(self, policy_paths: Iterable[Path] = (), probes: bool | None = None) -> None:
        self.sources = policy.discover(policy_paths, plugins=False)
        self.probes = probes   # data probes: None when the evidence points at data, True always, False never

    def _with_plugins(self, wanted: dict[str, str]) -> list[policy.PackSource]:
        self.sources = policy.plugin_sources(self.sources, wanted)
        return self.sources

    def check(self, root: Path, as_of: date, fail_on: str | None = None,
              packs: dict[str, str] | None = None, baseline: Comparison | None = None,
              new_only: bool = False, frameworks: tuple[str, ...] = ()) -> Result:
        """The result of ``root``; ``baseline`` marks findings new/recurring/fixed, ``new_only``
        (--fail-on-new) lets only new findings block the gate, and ``frameworks`` (--framework) adds
        the result seen through those frameworks' crosswalks."""
        project = load_project(root)
        observe(project, probes=self.probes)   # facts under /observed, before any rule reads the bundle
        waiver_doc = waivers.load(project)
        requested = packs if packs is not None else project.settings.get("packs")
        chosen = policy.resolve(requested, self.sources, project.config if packs is None else None,
                                more=self._with_plugins)
        loaded = policy.load_packs(chosen)
        risk = derive(project.bundle, as_of, policy.shared_conditions(loaded, TIER_CONDITIONS, self.sources))
        dates = project.settings.get("effective_dates", {})
        _check_rule_ids(dates, loaded, project)
        findings = engine.evaluate(project, loaded, as_of, risk["tier"], date_overrides=dates)
        findings += tier_findings(project, risk)
        caps = {p.id: p.waiver_max_days for p in loaded}
        findings, register = waivers.apply(waiver_doc, findings, as_of, caps)
        findings += waiver_findings(register)
        evidence_only = {(p.id, p.maturity_requirement) for p in loaded if p.maturity_requirement}
        compliance = [f for f in findings if (f.pack, f.requirement) not in evidence_only]
        assessed = maturity.evaluate(loaded, findings, as_of, project.name, project.bundle["observed"]["repository"])
        built = result.build(project, loaded, compliance, risk, as_of, fail_on, register, waiver_doc, assessed,
                             baseline, new_only)
        return self.with_frameworks(built, frameworks) if frameworks else built

    def with_frameworks(self, built: Result, frameworks: tuple[str, ...]) -> Result:
        """``built`` with its ``frameworks`` section, one report per framework named (duplicates
        once, in the order given)."""
        from dataclasses import replace

        from mlcompliance.policy import crosswalks
        from mlcompliance.result import frameworks as report
        known = crosswalks.requirement_ids(self.sources)
        names = list(dict.fromkeys(frameworks))
        return replace(built, frameworks=tuple(report.build(crosswalks.load(f, known), built.summary.packs)
                                               for f in names))


def _check_rule_ids(dates: dict[str, Any], packs: list[policy.Pack], project: Any) -> None:
    """An effective-date override must name a rule of the chosen packs (a typo would silently do nothing)."""
    import difflib

    from mlcompliance.errors import InputError
    known = {r.id for p in packs for r in p.rules}
    for rule_id in dates:
        if rule_id not in known:
            line, col = project.config.location(f"/effective_dates/{rule_id}")
            guess = difflib.get_close_matches(rule_id, sorted(known), n=1)
            raise InputError(f"effective_dates names rule '{rule_id}', which no chosen pack has"
                             + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=project.config.path,
                             line=line, column=col, expected="a rule id from `mlcompliance packs show PACK`")


def check(root: Path, as_of: date | None = None, fail_on: str | None = None,
          policy_paths: Iterable[Path] = ()) -> Result:
    return Checker(policy_paths).check(root, as_of or date.today(), fail_on)
