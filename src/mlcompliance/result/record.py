"""Build the result of one check, once: sort the findings, decide the gate, score, assemble.

Renderers take this typed result (or the same result read back from a saved JSON file through
``codec``), never engine objects, so any report can be rebuilt later from the saved result.
It holds no absolute path and no clock time: the same inputs and as-of date give
byte-identical JSON.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from mlcompliance import __version__
from mlcompliance.engine.corechecks import ENGINE_PACK
from mlcompliance.engine.findings import Finding, freeze
from mlcompliance.engine.waivers import WaiverEntry
from mlcompliance.evidence.loader import Document
from mlcompliance.evidence.project import Project
from mlcompliance.policy.packs import Pack, Requirement
from mlcompliance.result import data as data_facts
from mlcompliance.result import excerpts as evidence_excerpts
from mlcompliance.result.codec import RESULT_VERSION, risk_from_dict
from mlcompliance.result.model import (
    ManualCount,
    PackRef,
    PackSummary,
    ProjectFile,
    ProjectInfo,
    RequirementSummary,
    Result,
    Signer,
    Risk,
    RiskFact,
    Summary,
    Tool,
    Workpaper,
)
from mlcompliance.scoring.gate import decide
from mlcompliance.scoring.scores import counts, score, status


def build(project: Project, packs: list[Pack], findings: list[Finding], risk: dict[str, Any], as_of: date,
          fail_on: str | None, register: list[WaiverEntry], waiver_doc: Document | None,
          maturity: Mapping[str, Any] | None, baseline: Any = None, new_only: bool = False,
          parameters: Mapping[str, Mapping[str, Any]] | None = None) -> Result:
    """The result. ``fail_on`` is the --fail-on flag (None: the project's gate.fail_on, else the
    tier table); ``baseline`` (a ``result.baseline.Comparison``) marks findings new or recurring;
    ``parameters`` (pack id -> name -> value) are the project's settings of pack parameters."""
    items = sorted(findings, key=Finding.sort_key)
    baseline_info = None
    if baseline is not None:
        items, baseline_info = baseline.mark(items)
    summaries = [_pack_summary(p.id, p.version, p.title,
                               [r for r in p.requirements if r.id != p.maturity_requirement], items, as_of) for p in packs]
    engine_items = [f for f in items if f.pack == ENGINE_PACK]
    if engine_items:
        summaries.append(PackSummary(
            id=ENGINE_PACK, version=__version__, title="Engine checks (risk tier, waivers)",
            outcomes=counts(engine_items), score=score(engine_items), manual=ManualCount(total=0, attested=0),
            requirements=tuple(_requirement(rid, rid, "", None, False, [f for f in engine_items if f.requirement == rid])
                               for rid in sorted({f.requirement for f in engine_items}))))
    files = [ProjectFile(**f) for f in project.files()]
    if waiver_doc is not None:
        files.append(ProjectFile(path=waiver_doc.path, kind="waivers", format=waiver_doc.format,
                                 sha256=waiver_doc.sha256))
    data = data_facts.from_observed((project.bundle.get("observed") or {}).get("data"), packs, parameters)
    files += _read_by_probes(project, data, {f.path for f in files})
    typed_risk = _located(risk_from_dict(risk), project)
    configured = (project.settings.get("gate") or {}).get("fail_on")
    return Result(
        result_version=RESULT_VERSION,
        tool=Tool("mlcompliance", __version__),
        as_of=as_of,
        project=ProjectInfo(name=project.name, files=tuple(files)),
        packs=tuple(PackRef(id=p.id, version=p.version, title=p.title, digest=p.digest,
                            origin=p.origin.split(":")[0], source=freeze(p.source),
                            requirements=len(p.requirements), rules=len(p.rules), sources=freeze(p.sources),
                            law_as_of=p.law_as_of.isoformat() if p.law_as_of else None,
                            review_by=p.review_by.isoformat() if p.review_by else None,
                            parameters=parameter_echo(p, (parameters or {}).get(p.id, {}))) for p in packs),
        risk=typed_risk,
        gate=decide(items, typed_risk.tier, fail_on, configured, new_only),
        summary=Summary(outcomes=counts(items), score=score(items), packs=tuple(summaries)),
        waivers=tuple(register),
        maturity=None if maturity is None else freeze(maturity),
        findings=tuple(items),
        baseline=baseline_info,
        data=data,
        workpaper=workpaper(project.settings.get("report")),
        excerpts=evidence_excerpts.capture(items, _quotable(project, files, waiver_doc)),
    )


def parameter_echo(pack: Pack, settings: Mapping[str, Any]) -> Any:
    """Every parameter of ``pack``: the value used, its default, where the value came from, its basis."""
    out = {}
    for name, param in sorted(pack.parameters.items()):
        entry: dict[str, Any] = {"value": settings.get(name, param.default), "default": param.default,
                                 "source": "mlcompliance.yaml" if name in settings else "pack default",
                                 "basis": param.basis, "minimum": param.minimum, "maximum": param.maximum}
        if param.unit:
            entry["unit"] = param.unit
        out[name] = entry
    return freeze(out) if out else None


def workpaper(report: Any) -> Workpaper | None:
    """``mlcompliance.yaml`` ``report:`` (schema-checked) as the result's workpaper; None when absent."""
    if not isinstance(report, Mapping):
        return None

    def signer(value: Any) -> Signer | None:
        if value is None:
            return None
        if isinstance(value, str):
            return Signer(name=value)
        when = value.get("date")
        return Signer(name=str(value["name"]), role=value.get("role"),
                      date=None if when is None else (when.isoformat() if hasattr(when, "isoformat") else str(when)))
    return Workpaper(ref=report.get("workpaper_ref"), preparer=signer(report.get("preparer")),
                     reviewer=signer(report.get("reviewer")))


def _read_by_probes(project: Project, data: Any, listed: set[str]) -> list[ProjectFile]:
    """The files the probes read that no evidence document already lists, each with its sha256 (issue
    12, defect 7: CI and data files cited as evidence were missing from the inventory): the
    repository probe's CI, DVC, MLflow and dependency-bot files, then the declared data files the data
    probe hashed (an absent or unreadable one is a finding, not an inventory row). Sorted by path."""
    out: list[ProjectFile] = []
    for f in sorted(project.probed_files, key=lambda f: f["path"]):
        if f["path"] not in listed:
            listed.add(f["path"])
            out.append(ProjectFile(path=f["path"], kind=f["kind"], format=f["format"], sha256=f["sha256"]))
    datasets = sorted((d for d in (data.datasets if data is not None else ()) if d.file and d.sha256), key=lambda d: d.file)
    for d in datasets:
        if d.file not in listed:
            listed.add(d.file)
            out.append(ProjectFile(path=d.file, kind="data", format=d.format, sha256=d.sha256))
    return out


def _located(risk: Risk, project: Project) -> Risk:
    """The risk facts with the file and line that declare each (the tier basis an auditor checks)."""
    def at(f: RiskFact) -> RiskFact:
        loc = project.locate(f.fact)
        return replace(f, file=loc.file, line=loc.line)
    return replace(risk, basis=tuple(at(f) for f in risk.basis), facts=tuple(at(f) for f in risk.facts))


def _quotable(project: Project, files: list[ProjectFile], waiver_doc: Document | None) -> dict[str, str]:
    """file -> text of the inventory files an excerpt may quote (``excerpts.eligible``): the
    text the check parsed for native files, the file re-read (same sha256) for adapted ones."""
    parsed = {d.path: d.text for d in (project.config, waiver_doc, *project.documents.values()) if d is not None}
    out: dict[str, str] = {}
    for f in files:
        if f.sha256 is None or not evidence_excerpts.eligible(f.kind, f.format, f.adapter):
            continue
        text = parsed.get(f.path) if f.adapter is None else \
            evidence_excerpts.read_adapted(project.root, f.path, f.sha256)
        if text is not None:
            out[f.path] = text
    return out


def _pack_summary(pid: str, version: str, title: str, requirements: list[Requirement],
                  items: list[Finding], as_of: date) -> PackSummary:
    mine = [f for f in items if f.pack == pid]
    by_requirement: dict[str, list[Finding]] = {}
    for f in mine:
        by_requirement.setdefault(f.requirement, []).append(f)
    reqs = tuple(_requirement(r.id, r.title, r.clause, r.section, r.manual, by_requirement.get(r.id, []))
                 for r in requirements)
    manual = [f for f in mine if f.outcome == "manual"]
    return PackSummary(id=pid, version=version, title=title, outcomes=counts(mine), score=score(mine),
                       manual=ManualCount(total=len(manual), attested=sum(
                           1 for f in manual if f.attestation is not None and not f.attestation.expired(as_of))),
                       requirements=reqs)


def _requirement(rid: str, title: str, clause: str, section: str | None, manual: bool,
                 findings: list[Finding]) -> RequirementSummary:
    return RequirementSummary(id=rid, title=title, clause=clause, manual=manual, status=status(findings),
                              outcomes=counts(findings), score=score(findings), section=section or None)
