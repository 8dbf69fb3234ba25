"""The ``frameworks`` section of a result (``check --framework``): the result seen through a
crosswalk, control by control (docs/crosswalks.md).

A control's status rolls up the statuses of the requirements mapped to it, among the packs the
check applied: the worst of them in ``vocab.STATUS_ORDER`` (a failing mapped requirement makes
the control failing), ignoring requirements that are not applicable; ``not_assessed`` when no
mapped requirement is in the result or none applies. ``full_coverage`` says whether some mapped
requirement asks for everything the control asks (``equal`` or ``superset``): without it, a
passing control only means that the parts the packs check pass.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mlcompliance.vocab import STATUS_ORDER

NOT_ASSESSED = "not_assessed"
CONTROL_STATUSES = (*[s for s in STATUS_ORDER if s != "not_applicable"], NOT_ASSESSED)
"""A control's status, worst first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedRequirement:
    pack: str
    requirement: str
    title: str
    relationship: str
    status: str            # the requirement's status in this result
    rationale: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameworkControl:
    id: str
    title: str
    group: str | None
    status: str            # CONTROL_STATUSES
    full_coverage: bool
    requirements: tuple[MappedRequirement, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameworkReport:
    id: str
    title: str
    version: str
    statuses: Mapping[str, int]      # controls per status, every status listed
    controls: tuple[FrameworkControl, ...]


def control_status(statuses: Iterable[str]) -> str:
    applicable = {s for s in statuses if s != "not_applicable"}
    return next((s for s in STATUS_ORDER if s in applicable), NOT_ASSESSED)


def build(crosswalk: Any, summaries: Iterable[Any]) -> FrameworkReport:
    """The report of one framework from its crosswalk (policy.crosswalks.Crosswalk) and the
    result's pack summaries (only requirements of the packs the check applied count)."""
    from mlcompliance.policy.crosswalks import COVERING
    reqs = {(p.id, r.id): r for p in summaries for r in p.requirements}
    controls = []
    for control in crosswalk.framework.controls:
        mapped = tuple(MappedRequirement(pack=m.pack, requirement=m.requirement, title=reqs[(m.pack, m.requirement)].title,
                                         relationship=m.relationship, status=reqs[(m.pack, m.requirement)].status,
                                         rationale=m.rationale)
                       for m in sorted(crosswalk.for_control(control.id), key=lambda m: (m.pack, m.requirement))
                       if (m.pack, m.requirement) in reqs)
        status = control_status(r.status for r in mapped)
        controls.append(FrameworkControl(id=control.id, title=control.title, group=control.group, status=status,
                                         full_coverage=any(r.relationship in COVERING and r.status != "not_applicable"
                                                           for r in mapped),
                                         requirements=mapped))
    from mlcompliance.engine.findings import freeze
    statuses = freeze({s: sum(1 for c in controls if c.status == s) for s in CONTROL_STATUSES})
    fw = crosswalk.framework
    return FrameworkReport(id=fw.id, title=fw.title, version=fw.version, statuses=statuses, controls=tuple(controls))


# --- JSON (codec.py calls these) -------------------------------------------------------------

def to_dict(report: FrameworkReport) -> dict[str, Any]:
    return {"id": report.id, "title": report.title, "version": report.version, "statuses": dict(report.statuses),
            "controls": [_control(c) for c in report.controls]}


def _control(c: FrameworkControl) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "title": c.title}
    if c.group is not None:
        out["group"] = c.group
    out.update(status=c.status, full_coverage=c.full_coverage,
               requirements=[{"pack": r.pack, "requirement": r.requirement, "title": r.title,
                              "relationship": r.relationship, "status": r.status, "rationale": r.rationale}
                             for r in c.requirements])
    return out


def from_dict(d: dict[str, Any]) -> FrameworkReport:
    from mlcompliance.engine.findings import freeze
    return FrameworkReport(
        id=d["id"], title=d["title"], version=d["version"],
        statuses=freeze({s: d["statuses"].get(s, 0) for s in CONTROL_STATUSES}),
        controls=tuple(FrameworkControl(id=c["id"], title=c["title"], group=c.get("group"), status=c["status"],
                                        full_coverage=c["full_coverage"],
                                        requirements=tuple(MappedRequirement(**r) for r in c["requirements"]))
                       for c in d["controls"]))
