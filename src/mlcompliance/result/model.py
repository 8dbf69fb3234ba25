"""The typed result of one check: frozen dataclasses, built once (``record.build``), never patched.

Renderers read these attributes; ``codec`` is the only place that turns them into JSON and
back. Free-form parts that come from the user's files or from another subsystem are kept as
read-only JSON-ready mappings (``freeze``): a pack's ``source``, a waiver's ``scope``, a risk
override, and ``maturity`` (whose inside belongs to scoring.maturity).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from mlcompliance.engine.findings import Attestation, Finding, Reference, WaiverNote
from mlcompliance.engine.waivers import WaiverEntry
from mlcompliance.result.data import DataFacts
from mlcompliance.result.excerpts import Excerpt
from mlcompliance.result.frameworks import FrameworkReport
from mlcompliance.scoring.gate import Gate
from mlcompliance.scoring.scores import Counts, Score

__all__ = ["Attestation", "Baseline", "Counts", "DataFacts", "Excerpt", "Finding", "FrameworkReport", "Gate", "ManualCount", "PackRef", "PackSummary",
           "ProjectFile", "ProjectInfo", "Reference", "RequirementSummary", "Result", "Risk", "RiskFact",
           "RiskProblem", "Score", "Signer", "Summary", "Tool", "WaiverEntry", "WaiverNote", "Workpaper"]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectFile:
    """One input file with its sha256 (None when the file is absent)."""
    path: str
    kind: str
    format: str | None
    sha256: str | None
    adapter: str | None = None   # the adapter that read a third-party file (None: a native file)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectInfo:
    name: str
    files: tuple[ProjectFile, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PackRef:
    """A policy pack applied: its identity, digest and size."""
    id: str
    version: str
    title: str
    digest: str
    origin: str
    source: Mapping[str, str]
    requirements: int
    rules: int
    sources: tuple[Mapping[str, str], ...] = ()   # the structured law version (pack.yaml `sources`)
    law_as_of: str | None = None
    review_by: str | None = None
    # parameter name -> {value, default, source ("pack default" or "mlcompliance.yaml"), basis, unit?}
    parameters: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskFact:
    """A declared fact that raises a regime's tier."""
    regime: str
    fact: str          # bundle JSON pointer
    value: Any
    raises_to: str
    clause: str
    url: str | None = None
    applies_from: str | None = None   # the clause does not apply yet: this fact raises nothing before then
    file: str | None = None     # where the fact is declared (located at check time: result/record.py)
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskProblem:
    kind: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Risk:
    """The effective tier and how it was derived."""
    tier: str
    declared: str | None
    derived: str
    regimes: Mapping[str, str]
    basis: tuple[RiskFact, ...]
    facts: tuple[RiskFact, ...]
    override: Mapping[str, Any] | None
    problems: tuple[RiskProblem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualCount:
    total: int
    attested: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RequirementSummary:
    id: str
    title: str
    clause: str
    manual: bool
    status: str        # the worst outcome of its findings (vocab.STATUS_ORDER)
    outcomes: Counts
    score: Score
    section: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PackSummary:
    id: str
    version: str
    title: str
    outcomes: Counts
    score: Score
    manual: ManualCount
    requirements: tuple[RequirementSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    outcomes: Counts
    score: Score
    packs: tuple[PackSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    """The comparison with a saved result (``check --baseline FILE``)."""
    file: str                        # as given on the command line
    as_of: str                       # the baseline's as-of date
    new: int                         # current problem findings absent from the baseline
    recurring: int                   # current problem findings present in it
    fixed: tuple[Finding, ...]       # baseline problem findings that no longer fail (as in the baseline)


@dataclass(frozen=True, slots=True, kw_only=True)
class Signer:
    """A preparer or reviewer named in ``mlcompliance.yaml`` ``report:`` (the signature itself is
    made on the printed or e-signed report, never here)."""
    name: str
    role: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Workpaper:
    """The audit workpaper the report belongs to (``mlcompliance.yaml`` ``report:``)."""
    ref: str | None = None
    preparer: Signer | None = None
    reviewer: Signer | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    result_version: str
    tool: Tool
    as_of: date
    project: ProjectInfo
    packs: tuple[PackRef, ...]
    risk: Risk
    gate: Gate
    summary: Summary
    waivers: tuple[WaiverEntry, ...]
    maturity: Mapping[str, Any] | None
    findings: tuple[Finding, ...]        # sorted by pack, rule id, file, target
    generated_at: str | None = None
    baseline: Baseline | None = None
    data: DataFacts | None = None        # facts the data probes computed (result/data.py); None: not probed
    frameworks: tuple[FrameworkReport, ...] | None = None   # check --framework (result/frameworks.py); None: not asked
    workpaper: Workpaper | None = None   # mlcompliance.yaml report: (None: not configured)
    excerpts: tuple[Excerpt, ...] = ()   # evidence lines around problem findings (result/excerpts.py)
