"""The library entry point: check a project directory and get its result."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance.engine import evaluate as engine
from mlcompliance.engine import waivers
from mlcompliance.engine.corechecks import pack_findings, tier_findings, waiver_findings
from mlcompliance.engine.tiering import OVERRIDE_MAX_DAYS, TIER_CONDITIONS, attach_derived, derive
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

    def __init__(self, policy_paths: Iterable[Path] = (), probes: bool | None = None, engine: Any = None,
                 cache: bool = True) -> None:
        self.sources = policy.discover(policy_paths, plugins=False)
        self.probes = probes   # data probes: None when the evidence points at data, True always, False never
        self.engine = engine   # where data files are parsed: a probes.data.engines.Engine, None for pandas here
        self.cache = cache     # data-probe results and file digests cached by SHA-256 (False: --no-cache)

    def _with_plugins(self, wanted: dict[str, str]) -> list[policy.PackSource]:
        self.sources = policy.plugin_sources(self.sources, wanted)
        return self.sources

    def check(self, root: Path, as_of: date, fail_on: str | None = None,
              packs: dict[str, str] | None = None, baseline: Comparison | None = None,
              new_only: bool = False, frameworks: tuple[str, ...] = ()) -> Result:
        """The result of ``root``; ``baseline`` marks findings new/recurring/fixed, ``new_only``
        (--fail-on-new) lets only new findings block the gate, and ``frameworks`` (--framework) adds
        the result seen through those frameworks' crosswalks."""
        from mlcompliance.probes.data.engines import using
        project = load_project(root)
        with using(self.engine):
            observe(project, probes=self.probes, cache=self.cache)   # facts under /observed, before any rule reads the bundle
        waiver_doc = waivers.load(project)
        requested = packs if packs is not None else project.settings.get("packs")
        chosen = policy.resolve(requested, self.sources, project.config if packs is None else None,
                                more=self._with_plugins)
        loaded = policy.load_packs(chosen)
        tier_conditions = policy.shared_conditions(loaded, TIER_CONDITIONS, self.sources)
        attach_derived(project, as_of, tier_conditions)   # /derived: the classification the packs key on
        risk = derive(project.bundle, as_of, tier_conditions,
                      project.settings.get("tier_override_max_days", OVERRIDE_MAX_DAYS))
        dates = effective_dates(project.settings.get("effective_dates", {}), loaded, project)
        settings = check_parameters(project.settings.get("parameters", {}), loaded, project.config)
        findings = engine.evaluate(project, loaded, as_of, risk["tier"], date_overrides=dates, parameters=settings,
                                   cache=self.cache)
        findings += tier_findings(project, risk)
        findings += pack_findings(project, loaded, as_of, newer_versions(loaded, self.sources, requested))
        caps = {p.id: p.waiver_max_days for p in loaded}
        findings, register = waivers.apply(waiver_doc, findings, as_of, caps)
        findings += waiver_findings(register)
        evidence_only = {(p.id, p.maturity_requirement) for p in loaded if p.maturity_requirement}
        compliance = [f for f in findings if (f.pack, f.requirement) not in evidence_only]
        assessed = maturity.evaluate(loaded, findings, as_of, project.name, project.bundle["observed"]["repository"])
        built = result.build(project, loaded, compliance, risk, as_of, fail_on, register, waiver_doc, assessed,
                             baseline, new_only, settings)
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


def effective_dates(entries: dict[str, Any], packs: list[policy.Pack], project: Any) -> dict[str, dict[str, str]]:
    """mlcompliance.yaml `effective_dates` as rule id -> {applies_from, applies_until, via}.

    A key is a rule id, a requirement id (each of its rules) or ``@NAME`` (each rule tagged NAME, or
    with the pack condition NAME in its `if`). For one rule a rule-id entry beats a requirement entry,
    which beats a tag; two tags setting different dates for one rule, or a key that selects no rule
    of the chosen packs (a typo would silently do nothing), is an input error at its line.
    """
    import difflib

    from mlcompliance.errors import InputError
    rules = [r for p in packs for r in p.rules]
    by_rule = {r.id: [r] for r in rules}
    by_requirement: dict[str, list[policy.Rule]] = {}
    by_tag: dict[str, list[policy.Rule]] = {}
    for rule in rules:
        by_requirement.setdefault(rule.requirement, []).append(rule)
        for name in {*rule.tags, *rule.if_}:
            by_tag.setdefault(name, []).append(rule)
    out: dict[str, dict[str, str]] = {}
    rank: dict[str, tuple[int, str]] = {}
    for key in sorted(entries, key=lambda k: (0 if k.startswith("@") else 1 if k in by_requirement and k not in by_rule
                                              else 2, k)):
        line, col = project.config.location(f"/effective_dates/{key}")
        if key.startswith("@"):
            selected, level = by_tag.get(key[1:], []), 0
            known = ["@" + t for t in by_tag]
        else:
            selected, level = by_rule.get(key) or by_requirement.get(key, []), 2 if key in by_rule else 1
            known = [*by_rule, *by_requirement]
        if not selected:
            guess = difflib.get_close_matches(key, sorted(known), n=1)
            raise InputError(f"effective_dates names '{key}', which selects no rule of the chosen packs"
                             + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=project.config.path,
                             line=line, column=col, expected="a rule id or requirement id from `mlcompliance packs "
                             "show PACK`, or @NAME for the rules tagged NAME or conditioned on the pack condition NAME")
        for rule in selected:   # keys come tags first, then requirements, then rules: the later decides
            current = out.get(rule.id, {})
            before = rank.get(rule.id)
            if before is not None and before[0] == level == 0 and \
                    any(f in current and current[f] != v for f, v in entries[key].items()):
                raise InputError(f"effective_dates entries {before[1]} and {key} give rule {rule.id} different "
                                 "dates", file=project.config.path, line=line, column=col,
                                 expected=f"one entry for the rule (a rule-id entry {rule.id} decides)")
            out[rule.id] = {**current, **entries[key], "via": key}
            rank[rule.id] = (level, key)
    return out

def newer_versions(packs: list[policy.Pack], sources: list[policy.PackSource],
                   requested: dict[str, str] | None) -> dict[str, tuple[str, str | None]]:
    """Pack id -> (the newest available version, the project's specifier) for each chosen pack that
    has a newer version installed than the one chosen (outside the pin, or inside it but not chosen)."""
    from packaging.version import Version
    out = {}
    for pack in packs:
        versions = [Version(s.version) for s in sources if s.id == pack.id and s.problem is None]
        newest = max(versions, default=Version(pack.version))
        if newest > Version(pack.version):
            out[pack.id] = (str(newest), (requested or {}).get(pack.id))
    return out


def check_parameters(settings: dict[str, Any], packs: list[policy.Pack], config: Any) -> dict[str, dict[str, Any]]:
    """The project's pack parameter settings (mlcompliance.yaml `parameters`), each checked against the
    parameter the pack declares: a pack that is not chosen, an unknown name, a wrong type or a value
    outside the bounds is an input error at its line."""
    import difflib

    from mlcompliance.errors import InputError
    by_id = {p.id: p for p in packs}
    out: dict[str, dict[str, Any]] = {}
    for pack_id, values in sorted((settings or {}).items()):
        where = config.path if config is not None else "mlcompliance.yaml"
        if pack_id not in by_id:
            line, col = config.location(f"/parameters/{pack_id}") if config is not None else (None, None)
            raise InputError(f"parameters names pack '{pack_id}', which is not among the chosen packs",
                             file=where, line=line, column=col, expected="one of " + ", ".join(sorted(by_id)))
        declared = by_id[pack_id].parameters
        for name, value in sorted(values.items()):
            line, col = config.location(f"/parameters/{pack_id}/{name}") if config is not None else (None, None)
            param = declared.get(name)
            if param is None:
                guess = difflib.get_close_matches(name, list(declared), n=1)
                raise InputError(f"pack {pack_id}@{by_id[pack_id].version} has no parameter '{name}'"
                                 + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=where, line=line,
                                 column=col, expected=("one of " + ", ".join(sorted(declared))) if declared
                                 else "no parameters: this pack version declares none")
            why = param.problem(value)
            if why:
                unit = f" {param.unit}" if param.unit else ""
                raise InputError(f"parameter {pack_id}.{name}: {why}", file=where, line=line, column=col,
                                 expected=f"{'an integer' if param.type == 'integer' else 'a number'} from "
                                 f"{param.minimum} to {param.maximum}{unit} (pack default {param.default})")
            out.setdefault(pack_id, {})[name] = int(value) if param.type == "integer" else value
    return out


def check(root: Path, as_of: date | None = None, fail_on: str | None = None,
          policy_paths: Iterable[Path] = ()) -> Result:
    return Checker(policy_paths).check(root, as_of or date.today(), fail_on)
