"""Named checks that the maturity rules of mlops-practices need and JSON Schema cannot say.

Registered in the same registry as ``policy.checks`` (imported at its end). Each one decides
one small fact about declared evidence (a pipeline stage shows a signal category; a model
validation gate precedes release; the production model traces to its run; a baseline is
beaten; a count of distinct values), so maturity can be aggregated from their findings.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlcompliance.evidence import pointers
from mlcompliance.policy.checks import (
    _FIELD,
    Context,
    Target,
    Violation,
    check,
    resolve,
)
from mlcompliance.probes.signals import CATEGORIES, stage_matches, text_matches


def _stages(ctx: Context) -> list[tuple[int, dict[str, Any]]]:
    stages = pointers.get(ctx.bundle, "/pipeline/stages")
    return [(i, s) for i, s in enumerate(stages) if isinstance(s, dict)] if isinstance(stages, list) else []

@check("signal_stage", {"properties": {"automated": {"type": "boolean"}}})
def signal_stage(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The target is ``/observed/repository/signals/<category>``: some declared pipeline stage shows
    that category (its `kind`, or its name and `checks` match the category's pattern); with
    `automated: true` the stage must also be `automated: true`."""
    category = target.pointer.rsplit("/", 1)[-1]
    if category not in CATEGORIES:
        yield Violation(target.pointer, category, f"unknown signal category {category!r}")
        return
    want_auto = p.get("automated", False)
    for _, stage in _stages(ctx):
        if stage_matches(category, stage) and (not want_auto or stage.get("automated") is True):
            return
    kind = "automated pipeline stage" if want_auto else "pipeline stage"
    yield Violation("/pipeline/stages", pointers.MISSING, f"no {kind} shows {category}")

@check("signal_declared_ci", {"properties": {}})
def signal_declared_ci(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The target is ``/observed/repository/signals/<category>``: CI is enabled
    (`pipeline.ci.enabled: true`) and one of the jobs or triggers it declares shows the category."""
    category = target.pointer.rsplit("/", 1)[-1]
    ci = pointers.get(ctx.bundle, "/pipeline/ci")
    if isinstance(ci, dict) and ci.get("enabled") is True and category in CATEGORIES:
        for name in ("jobs", "triggers"):
            items = ci.get(name)
            if isinstance(items, list) and any(isinstance(i, str) and text_matches(category, i) for i in items):
                return
    yield Violation("/pipeline/ci", pointers.MISSING, f"no declared CI job or trigger shows {category}")

@check("gate_before", {"required": ["kind", "before"], "properties": {
    "kind": _FIELD, "before": {"type": "array", "items": {"type": "string"}, "minItems": 1}}})
def gate_before(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """Some pipeline stage of `kind` is automated and blocking and comes before every stage whose
    kind is in `before` (e.g. model validation before register and deploy)."""
    stages = _stages(ctx)
    later = [i for i, s in stages if s.get("kind") in p["before"]]
    for i, s in stages:
        if s.get("kind") == p["kind"] and s.get("automated") is True and s.get("blocking") is True \
                and all(i < j for j in later):
            return
    yield Violation("/pipeline/stages", pointers.MISSING,
                    f"no automated, blocking {p['kind']} stage before {', '.join(p['before'])}")

@check("beats_baseline", {"properties": {}})
def beats_baseline(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The target is ``model_card.performance``: when its `baseline` has a numeric `value` and the
    model's overall metric of the same name has one too, the model is at least as good (by the
    metric's `higher_is_better`, default true)."""
    perf = target.value if isinstance(target.value, dict) else {}
    base = perf.get("baseline") if isinstance(perf.get("baseline"), dict) else {}
    value = base.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    metrics = perf.get("metrics") if isinstance(perf.get("metrics"), list) else []
    ours = [m for m in metrics if isinstance(m, dict) and m.get("name") == base.get("metric")
            and m.get("slice", "overall") == "overall"]
    mine = ours[0].get("value") if ours else None
    if not isinstance(mine, (int, float)) or isinstance(mine, bool):
        return
    higher = ours[0].get("higher_is_better") is not False
    if (mine < value) if higher else (mine > value):
        yield Violation(f"{target.pointer}/baseline/value", value,
                        f"the baseline '{base.get('model')}' scores {value} on {base.get('metric')}, the model {mine}")

@check("count_distinct", {"required": ["list", "key", "min"], "properties": {
    "list": _FIELD, "key": _FIELD, "min": {"type": "integer", "minimum": 1},
    "if_any": {"type": "array", "items": {"type": "string"}}}})
def count_distinct(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The items of the list at `list` have at least `min` distinct values of `key`, counting only
    items that have a non-empty value for one of `if_any` (when given)."""
    l_ptr, items = resolve(ctx, target, p["list"])
    seen = set()
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get(p["key"]) is not None and \
                (not p.get("if_any") or any(item.get(k) for k in p["if_any"])):
            seen.add(str(item[p["key"]]))
    if len(seen) < p["min"]:
        yield Violation(l_ptr, len(seen), f"{len(seen)} distinct {p['key']} values; at least {p['min']} needed")

@check("production_traceable", {"properties": {}})
def production_traceable(ctx: Context, target: Target, p: dict[str, Any]) -> Iterator[Violation]:
    """The model version in production (the last production deployment, else the registry's, else
    the model card's) is in the registry, and a recorded training run produced it with a git
    commit, SHA-256 digests of its data references, parameters, and an environment digest or
    lock file."""
    b = ctx.bundle
    get = pointers.get
    deployments = get(b, "/pipeline/deployments")
    prod = [(i, d) for i, d in enumerate(deployments) if isinstance(d, dict) and d.get("env") == "production"] \
        if isinstance(deployments, list) else []
    registry = get(b, "/pipeline/registry")
    registry = registry if isinstance(registry, dict) else {}
    card_version = get(b, "/model_card/model_details/version")
    target_version = prod[-1][1].get("model_version") if prod else registry.get("model_version") or (
        None if card_version is pointers.MISSING else card_version)
    if not prod:
        yield Violation("/pipeline/deployments", pointers.MISSING, "no production deployment recorded")
    previous = registry.get("previous_versions") if isinstance(registry.get("previous_versions"), list) else []
    if not target_version or target_version not in [registry.get("model_version")] + previous:
        yield Violation("/pipeline/registry", target_version, f"version {target_version} is not in the registry")
    runs = get(b, "/pipeline/runs")
    runs = [(i, r) for i, r in enumerate(runs) if isinstance(r, dict) and r.get("kind") in ("training", None)
            and target_version and r.get("model_version") == target_version] if isinstance(runs, list) else []
    if not runs:
        yield Violation("/pipeline/runs", target_version, f"no recorded run produced version {target_version}")
        return
    i, run = runs[-1]
    at = f"/pipeline/runs/{i}"
    if not run.get("git_commit"):
        yield Violation(at, pointers.MISSING, "the run records no git commit")
    refs = [r for r in run.get("data_refs") or [] if isinstance(r, dict)] if isinstance(run.get("data_refs"), list) else []
    if not refs or not all(r.get("sha256") for r in refs):
        yield Violation(f"{at}/data_refs", pointers.MISSING, "the run's data references lack SHA-256 digests")
    if not (isinstance(run.get("params"), dict) and run["params"]):
        yield Violation(at, pointers.MISSING, "the run records no parameters")
    env = get(b, "/pipeline/environment")
    env = env if isinstance(env, dict) else {}
    if not (run.get("environment_digest") or env.get("container_digest") or env.get("lockfile")):
        yield Violation(at, pointers.MISSING, "no environment digest or lock file")
