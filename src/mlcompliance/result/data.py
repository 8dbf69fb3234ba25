"""The ``data`` section of a result: the facts the data probes computed, typed and compact.

Built once by ``from_observed`` from the bundle's ``/observed/data`` (docs/probes.md,
docs/data-statistics.md) so that reports can show them without recomputing anything: values are
copied as the probes rounded them, and every section keeps its ``how`` (full or sampled, n,
seed, method). No value of the data is kept: only column names, counts, shares and statistics,
and group labels of fairness groups large enough to be judged (groups smaller than the minimum
size are counted, never named).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlcompliance.engine.findings import freeze


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalKind:
    """A kind of personal data a column looks like: by its name, or by content with the matching share."""
    kind: str
    by: str                        # "name" or "content"
    share: float | None = None     # matching share of the tested values (content)
    tested: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataColumn:
    name: str
    dtype: str
    missing: int | None
    missing_share: float | None
    out_of_range: int | None = None          # against the declared min/max (None: no range declared)
    personal: tuple[PersonalKind, ...] = ()
    special_category: str | None = None      # GDPR Art. 9(1) / Art. 10 category its name suggests


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    id: str
    file: str | None
    split: str | None
    format: str | None
    readable: bool
    error: str | None
    sha256: str | None
    size: int | None
    rows: int | None
    columns: tuple[DataColumn, ...]
    duplicates: int | None
    duplicate_share: float | None
    missing_fields: tuple[str, ...]          # declared fields that are not columns
    how: Mapping[str, Any]                   # read, sampling (mode, n, seed), personal


@dataclass(frozen=True, slots=True, kw_only=True)
class SplitOverlap:
    first: str
    second: str
    rows_compared: int | None
    rows_overlapping: int | None
    rows_share: float | None
    key: str | None = None
    keys_compared: int | None = None
    keys_overlapping: int | None = None
    keys_share: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DriftFeature:
    feature: str
    status: str
    kind: str | None = None                  # numeric, categorical
    test: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    psi: float | None = None
    wasserstein: float | None = None
    effect_name: str | None = None
    effect_size: float | None = None
    n_reference: int | None = None
    n_current: int | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DriftComparison:
    dataset: str
    compare_to: str | None
    status: str
    n_reference: int | None
    n_current: int | None
    features: tuple[DriftFeature, ...]       # sorted by PSI, highest first (untested last, by name)
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FairnessGroup:
    group: str
    n: int
    selection_rate: float | None
    tpr: float | None = None
    fpr: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupTest:
    test: str
    p_value: float | None
    statistic: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FairnessAttribute:
    attribute: str
    status: str
    groups: tuple[FairnessGroup, ...]        # judged groups, by label
    too_small_groups: int = 0                # groups under the minimum size: counted, not named
    too_small_rows: int = 0
    missing: int | None = None
    disparate_impact_ratio: float | None = None
    demographic_parity_difference: float | None = None
    equal_opportunity_difference: float | None = None
    equalised_odds_difference: float | None = None
    selection_test: GroupTest | None = None
    tpr_test: GroupTest | None = None
    fpr_test: GroupTest | None = None
    threshold_rate: float | None = None      # screening threshold x the highest judged selection rate
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Threshold:
    """The screening threshold a pack applies to the disparate-impact ratio, and its legal context."""
    metric: str
    value: float
    rule: str
    pack: str
    pack_version: str
    context: str                             # the rule's rationale: whose threshold, and whether it is law


@dataclass(frozen=True, slots=True, kw_only=True)
class Fairness:
    dataset: str | None
    status: str
    n: int | None
    min_group_size: int | None
    attributes: tuple[FairnessAttribute, ...]
    threshold: Threshold | None
    how: Mapping[str, Any]
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    name: str
    value: float | None
    lower: float | None
    upper: float | None
    level: float | None
    method: str | None
    n_boot: int | None = None
    seed: int | None = None
    sample_rows: int | None = None           # m-out-of-n bootstrap: the rows drawn


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics:
    dataset: str | None
    status: str
    n: int | None
    metrics: tuple[Metric, ...]
    how: Mapping[str, Any]
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataFacts:
    probe_version: str
    datasets: tuple[Dataset, ...]            # in manifest order
    splits: tuple[SplitOverlap, ...]
    drift: tuple[DriftComparison, ...]
    drift_how: Mapping[str, Any]
    fairness: Fairness | None
    metrics: Metrics | None


# --- from the bundle's /observed/data ----------------------------------------------------------

def _m(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _how(section: dict[str, Any], *keys: str) -> Mapping[str, Any]:
    return freeze({k: section[k] for k in keys if section.get(k) is not None})


def from_observed(observed: Any, packs: Any = (), parameters: Any = None) -> DataFacts | None:
    """The data section from ``/observed/data`` (None when the data probe did not run);
    ``packs`` (policy Packs) give the fairness screening threshold a pack applies, if any, with the
    project's ``parameters`` (pack id -> name -> value) when the threshold is a pack parameter."""
    data = _m(observed)
    if not data.get("probe"):
        return None
    datasets = sorted(_m(data.get("datasets")).values(), key=lambda d: (_m(d).get("index", 0), str(_m(d).get("id"))))
    outcomes = _m(data.get("outcomes"))
    drift = _m(outcomes.get("drift"))
    return DataFacts(
        probe_version=str(data.get("probe_version", "")),
        datasets=tuple(_dataset(d) for d in datasets if isinstance(d, dict)),
        splits=tuple(_split(s) for s in data.get("splits") or [] if isinstance(s, dict)),
        drift=tuple(_comparison(c) for c in drift.get("comparisons") or [] if isinstance(c, dict)),
        drift_how=_how(drift, "how", "method"),
        fairness=_fairness(_m(outcomes.get("fairness")), _threshold(packs, parameters or {})) if _declared(outcomes.get("fairness")) else None,
        metrics=_metrics(_m(outcomes.get("metrics"))) if _declared(outcomes.get("metrics")) else None,
    )


def _declared(section: Any) -> bool:
    """Whether the outcomes section is about a predictions file (absent: the manifest declares none)."""
    return isinstance(section, dict) and section.get("dataset") is not None


def _personal(column: dict[str, Any]) -> tuple[PersonalKind, ...]:
    kinds = []
    if column.get("by_name"):
        kinds.append(PersonalKind(kind=str(column["by_name"]), by="name"))
    for c in column.get("content") or []:
        if isinstance(c, dict) and c.get("matched"):
            kinds.append(PersonalKind(kind=str(c.get("kind")), by="content", share=c.get("share"), tested=c.get("tested")))
    return tuple(kinds)


def _dataset(d: dict[str, Any]) -> Dataset:
    integrity, stats, declared = _m(d.get("integrity")), _m(d.get("column_stats")), _m(d.get("declared_fields"))
    personal = _m(_m(d.get("personal")).get("columns"))
    special = _m(_m(d.get("personal")).get("special_categories"))
    dtypes = _m(d.get("dtypes"))
    columns = []
    for name in d.get("columns") or []:
        s, f = _m(stats.get(name)), _m(declared.get(name))
        columns.append(DataColumn(name=str(name), dtype=str(dtypes.get(name, s.get("dtype", ""))),
                                  missing=s.get("missing"), missing_share=s.get("missing_share"),
                                  out_of_range=f.get("out_of_range"), personal=_personal(_m(personal.get(name))),
                                  special_category=_m(special.get(name)).get("category")))
    how = _m(d.get("how"))
    dup = _m(d.get("duplicates"))
    return Dataset(
        id=str(d.get("id")), file=d.get("path"), split=d.get("split"), format=d.get("format"),
        readable=bool(d.get("readable")), error=d.get("error"), sha256=integrity.get("sha256"),
        size=integrity.get("size"), rows=d.get("rows"), columns=tuple(columns),
        duplicates=dup.get("rows"), duplicate_share=dup.get("share"),
        missing_fields=tuple(str(x) for x in d.get("declared_fields_missing") or []),
        how=freeze({k: v for k, v in (("read", how.get("read")), ("sampling", how.get("sampling")),
                                      ("integrity", integrity.get("how")), ("duplicates", dup.get("how")),
                                      ("personal", _m(d.get("personal")).get("how"))) if v is not None}),
    )


def _split(s: dict[str, Any]) -> SplitOverlap:
    rows, keys = _m(s.get("rows")), _m(s.get("keys"))
    return SplitOverlap(first=str(s.get("first")), second=str(s.get("second")), rows_compared=rows.get("compared"),
                        rows_overlapping=rows.get("overlapping"), rows_share=rows.get("share"), key=keys.get("key"),
                        keys_compared=keys.get("compared"), keys_overlapping=keys.get("overlapping"),
                        keys_share=keys.get("share"))


def _psi_order(f: DriftFeature) -> tuple:
    return (f.psi is None, -(f.psi or 0.0), f.feature)


def _comparison(c: dict[str, Any]) -> DriftComparison:
    features = []
    for f in c.get("features") or []:
        if not isinstance(f, dict):
            continue
        effect = _m(f.get("effect_size"))
        features.append(DriftFeature(
            feature=str(f.get("feature")), status=str(f.get("status")), kind=f.get("kind"), test=f.get("test"),
            statistic=f.get("statistic"), p_value=f.get("p_value"), p_adjusted=f.get("p_adjusted"), psi=f.get("psi"),
            wasserstein=f.get("wasserstein"), effect_name=effect.get("name"), effect_size=effect.get("value"),
            n_reference=f.get("n_reference"), n_current=f.get("n_current"), problem=f.get("problem")))
    return DriftComparison(dataset=str(c.get("dataset")), compare_to=c.get("compare_to"), status=str(c.get("status")),
                           n_reference=c.get("n_reference"), n_current=c.get("n_current"),
                           features=tuple(sorted(features, key=_psi_order)), problem=c.get("problem"))


def _test(t: Any) -> GroupTest | None:
    t = _m(t)
    return GroupTest(test=str(t["test"]), p_value=t.get("p_value"), statistic=t.get("statistic")) if t.get("test") else None


def _attribute(a: dict[str, Any], threshold: Threshold | None) -> FairnessAttribute:
    groups = [_m(g) for g in a.get("groups") or []]
    judged = [g for g in groups if not g.get("too_small")]
    small = [g for g in groups if g.get("too_small")]
    rates = [g["selection_rate"] for g in judged if isinstance(g.get("selection_rate"), (int, float))]
    line = None
    if threshold is not None and rates and a.get("status") == "ok":
        line = float(f"{threshold.value * max(rates):.12g}")
    problem = a.get("problem")
    if small and problem:   # the probe's text names every group with its size: keep it only without small groups
        problem = f"fewer than two groups with at least {a.get('min_group_size')} rows: fairness cannot be judged" \
            if a.get("status") == "insufficient" else None
    return FairnessAttribute(
        attribute=str(a.get("attribute")), status=str(a.get("status")),
        groups=tuple(FairnessGroup(group=str(g.get("group")), n=int(g.get("n", 0)), selection_rate=g.get("selection_rate"),
                                   tpr=g.get("tpr"), fpr=g.get("fpr")) for g in judged),
        too_small_groups=len(small), too_small_rows=sum(int(g.get("n", 0)) for g in small), missing=a.get("missing"),
        disparate_impact_ratio=a.get("disparate_impact_ratio"),
        demographic_parity_difference=a.get("demographic_parity_difference"),
        equal_opportunity_difference=a.get("equal_opportunity_difference"),
        equalised_odds_difference=a.get("equalised_odds_difference"),
        selection_test=_test(a.get("selection_test")), tpr_test=_test(a.get("tpr_test")), fpr_test=_test(a.get("fpr_test")),
        threshold_rate=line, problem=problem)


def _fairness(f: dict[str, Any], threshold: Threshold | None) -> Fairness:
    return Fairness(dataset=f.get("dataset"), status=str(f.get("status")), n=f.get("n"),
                    min_group_size=f.get("min_group_size"),
                    attributes=tuple(_attribute(_m(a), threshold) for _, a in sorted(_m(f.get("by_attribute")).items())),
                    threshold=threshold, how=_how(f, "how", "method", "seed", "decision", "positive_label",
                                                  "rows", "rows_dropped_missing", "note"),
                    problem=f.get("problem"))


def _metrics(m: dict[str, Any]) -> Metrics:
    metrics = []
    for r in m.get("computed") or []:
        ci = _m(_m(r).get("ci"))
        metrics.append(Metric(name=str(r.get("name")), value=r.get("value"), lower=ci.get("lower"), upper=ci.get("upper"),
                              level=ci.get("level"), method=ci.get("method"), n_boot=ci.get("n_boot"),
                              seed=ci.get("seed"), sample_rows=ci.get("sample_rows")))
    return Metrics(dataset=m.get("dataset"), status=str(m.get("status")), n=m.get("n"), metrics=tuple(metrics),
                   how=_how(m, "how", "method", "seed", "sample_rows", "positive_label", "rows",
                            "rows_dropped_missing", "note"),
                   problem=m.get("problem"))


FAIRNESS_SCOPE = "/observed/data/outcomes/fairness/by_attribute/*"


def _minimum(node: Any, key: str) -> float | None:
    """The ``minimum`` a rule's assertion schema sets on ``key`` (searched anywhere in it)."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get(key), dict):
            value = props[key].get("minimum")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        for v in node.values():
            found = _minimum(v, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _minimum(v, key)
            if found is not None:
                return found
    return None


def _limit(node: Any, key: str, pack: Any, settings: dict[str, Any]) -> float | None:
    """The ``limit`` of an ``at_least`` check on ``key`` in a rule's assertion, a pack parameter
    resolved to the project's setting or the pack's default."""
    if isinstance(node, dict):
        if node.get("check") == "at_least" and isinstance(node.get("with"), dict) and node["with"].get("field") == key:
            limit = node["with"].get("limit")
            if isinstance(limit, dict) and set(limit) == {"param"}:
                name = limit["param"]
                declared = getattr(pack, "parameters", {}).get(name)
                limit = settings.get(pack.id, {}).get(name, declared.default if declared is not None else None)
            if isinstance(limit, (int, float)) and not isinstance(limit, bool):
                return float(limit)
        for v in node.values():
            found = _limit(v, key, pack, settings)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _limit(v, key, pack, settings)
            if found is not None:
                return found
    return None


def _threshold(packs: Any, settings: dict[str, Any] | None = None) -> Threshold | None:
    """The first rule of the applied packs (in order) on the fairness facts whose assertion sets a
    minimum disparate-impact ratio: its value and rationale (the legal context the pack states)."""
    for pack in packs:
        for rule in pack.rules:
            if rule.scope != FAIRNESS_SCOPE:
                continue
            value = _minimum(rule.spec.get("assert"), "disparate_impact_ratio")
            if value is None:
                value = _limit(rule.spec.get("assert"), "disparate_impact_ratio", pack, settings or {})
            if value is not None:
                return Threshold(metric="disparate_impact_ratio", value=value, rule=rule.id, pack=rule.pack,
                                 pack_version=rule.pack_version, context=" ".join((rule.rationale or "").split()))
    return None
