"""The evaluation context: what the tests, practices and principles read, computed once.

``_Ctx`` holds the evidence bundle's sections, the files read from the project (``Repo``), the
CI and monitoring state on the as-of date, and the automation evidence per signal category;
``_Verdict`` is what a test function returns. The small helpers (``_d``, ``_l``, ``_date``,
``_clip``, ``_dedupe``, ``_meets``) spare the scoring code its type checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mlcompliance.evidence.project import Project
from mlcompliance.probes.signals import CATEGORIES as _CATEGORIES
from mlcompliance.probes.signals import CI_ONLY as _CI_ONLY
from mlcompliance.probes.signals import RX as _RX
from mlcompliance.probes.repository import (
    Repo,
    _ci_hits,
    _clean_relative,
    _dvc_stages,
    _mlmodel,
)

# --- freshness windows (days before the as-of date) and evidence limits ------------------------

MAX_EVIDENCE = 6
CI_FRESH_DAYS = 30
MONITOR_DEFAULT_DAYS = 31


# --- evaluation context ------------------------------------------------------------------------

def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class _Verdict:
    auto: list[dict[str, Any]] = field(default_factory=list)
    manual: list[dict[str, Any]] = field(default_factory=list)
    block: str | None = None     # forces 0 with this reason (e.g. a slice misses its threshold)
    note: str | None = None      # why a documented test is not automated


class _Ctx:
    def __init__(self, project: Project, as_of: date, repo: Repo) -> None:
        self.project = project
        self.as_of = as_of
        self.repo = repo
        bundle = project.bundle
        self.mc = _d(bundle.get("model_card"))
        self.dm = _d(bundle.get("data_manifest"))
        self.pl = _d(bundle.get("pipeline"))
        self.ci_hits = {f.path: _ci_hits(f) for f in repo.of("ci")}
        self.dvc = [(f.path, *s) for f in repo.of("dvc") for s in _dvc_stages(f)]
        self.mlmodels = [(f.path, _mlmodel(f)) for f in repo.of("mlmodel")]
        self._automation: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        self._stage_texts = []   # (index, stage, checks, words, raw): the text categories are matched against
        for i, stage in enumerate(_l(self.pl.get("stages"))):
            stage = _d(stage)
            checks = [c for c in _l(stage.get("checks")) if isinstance(c, str)]
            raw = " ".join([str(stage.get("name", ""))] + checks)
            self._stage_texts.append((i, stage, checks, raw.replace("_", " "), raw))
        self._ci_state()
        self._monitoring_state()

    # evidence records
    def ev(self, pointer: str, what: str) -> dict[str, Any]:
        loc = self.project.locate(pointer)
        return {"file": loc.file, "line": loc.line, "pointer": loc.pointer, "what": what}

    @staticmethod
    def fev(path: str, line: int, what: str) -> dict[str, Any]:
        return {"file": path, "line": line, "what": what}

    def age(self, value: Any) -> int | None:
        day = _date(value)
        return None if day is None else (self.as_of - day).days

    # CI
    def _ci_state(self) -> None:
        ci = _d(self.pl.get("ci"))
        self.ci_files = [f.path for f in self.repo.of("ci")]
        self.ci_enabled = ci.get("enabled") is True
        self.ci_live = bool(self.ci_files) or self.ci_enabled
        age = self.age(ci.get("last_run_at"))
        self.ci_age = age
        self.ci_fresh = age is None or age <= CI_FRESH_DAYS
        declared = ci.get("config_path")
        clean = _clean_relative(declared) if isinstance(declared, str) else None
        self.ci_config_missing = bool(declared) and (clean is None or not self.repo.has(clean))
        notes = []
        if not self.ci_fresh:
            notes.append(f"CI last ran {age} days before the as-of date (more than {CI_FRESH_DAYS})")
        if self.ci_config_missing and not self.ci_files:
            notes.append(f"declared CI configuration '{declared}' not found in the project")
        self.ci_note = "; ".join(notes)
        self.ci_recurring = self.ci_live and not notes

    def ci_evidence(self, category: str) -> list[dict[str, Any]]:
        """Evidence that CI runs ``category``: lines of CI files, and jobs/triggers pipeline.ci declares."""
        out: list[dict[str, Any]] = []
        for path in self.ci_files:
            for line, text in self.ci_hits[path].get(category, [])[:2]:
                out.append(self.fev(path, line, f"CI: `{_clip(text)}`"))
        ci = _d(self.pl.get("ci"))
        if self.ci_enabled:
            for field_name in ("jobs", "triggers"):
                for i, item in enumerate(_l(ci.get(field_name))):
                    if isinstance(item, str) and _RX[category].search(item.replace("_", " ") + " " + item):
                        out.append(self.ev(f"/pipeline/ci/{field_name}/{i}", f"CI {field_name[:-1]} declared: {item}"))
        return out

    # automation of a category, from CI, dvc stages and pipeline stages
    def automation(self, category: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(automated, manual) evidence for ``category``; computed once per category (tests share them)."""
        if category not in self._automation:
            self._automation[category] = self._find_automation(category)
        auto, manual = self._automation[category]
        return list(auto), list(manual)

    def _find_automation(self, category: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        auto: list[dict[str, Any]] = []
        manual: list[dict[str, Any]] = []
        ci = self.ci_evidence(category)
        if ci:
            if self.ci_recurring:
                auto += ci
            else:
                manual += [dict(e, what=f"{e['what']} ({self.ci_note})") for e in ci]
        if category in _CI_ONLY:
            return auto, manual
        rx = _RX[category]
        kinds = _CATEGORIES[category][1]
        for path, name, line, text in self.dvc:
            if rx.search(text):
                auto.append(self.fev(path, line, f"dvc stage '{name}'"))
        for i, stage, checks, words, raw in self._stage_texts:
            if stage.get("kind") in kinds or rx.search(words) or rx.search(raw):
                label = f"pipeline stage '{stage.get('name')}' ({stage.get('kind')}"
                label += f", checks: {', '.join(checks)})" if checks else ")"
                if stage.get("automated") is True:
                    auto.append(self.ev(f"/pipeline/stages/{i}", f"automated {label}"))
                else:
                    manual.append(self.ev(f"/pipeline/stages/{i}", f"{label}, not automated"))
        return auto, manual

    def stages(self, kind: str) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(s)) for i, s in enumerate(_l(self.pl.get("stages"))) if _d(s).get("kind") == kind]

    def gate(self, kind: str) -> list[dict[str, Any]]:
        """Automated, blocking stages of ``kind`` (validation gates)."""
        return [self.ev(f"/pipeline/stages/{i}", f"automated blocking {kind} stage '{s.get('name')}'")
                for i, s in self.stages(kind) if s.get("automated") is True and s.get("blocking") is True]

    # monitoring
    def _monitoring_state(self) -> None:
        mon = _d(self.pl.get("monitoring"))
        self.mon = mon
        freq = mon.get("frequency_days")
        self.mon_window = 2 * freq if isinstance(freq, int) and freq > 0 else MONITOR_DEFAULT_DAYS
        age = self.age(mon.get("last_report_at"))
        self.mon_age = age
        self.mon_live = mon.get("enabled") is True and age is not None and 0 <= age <= self.mon_window + 0
        if mon.get("enabled") is not True:
            self.mon_note = "monitoring is not enabled (pipeline.monitoring.enabled)"
        elif age is None:
            self.mon_note = "monitoring records no report (pipeline.monitoring.last_report_at)"
        elif age > self.mon_window:
            self.mon_note = (f"last monitoring report {age} days before the as-of date "
                             f"(window {self.mon_window} days)")
        else:
            self.mon_note = ""

    def mon_evidence(self) -> list[dict[str, Any]]:
        if not self.mon:
            return []
        if self.mon_live:
            return [self.ev("/pipeline/monitoring/last_report_at",
                            f"monitoring enabled; last report {self.mon.get('last_report_at')}, {self.mon_age} days "
                            f"before the as-of date (window {self.mon_window} days)")]
        return [self.ev("/pipeline/monitoring", f"monitoring declared, but {self.mon_note}")]

    def training_runs(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(r)) for i, r in enumerate(_l(self.pl.get("runs"))) if _d(r).get("kind") in ("training", None)]

    def datasets(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(d)) for i, d in enumerate(_l(self.dm.get("datasets")))]

    def attestation(self, *needles: str) -> list[dict[str, Any]]:
        out = []
        for i, att in enumerate(_l(self.mc.get("attestations"))):
            req = str(_d(att).get("requirement", ""))
            if any(n in req for n in needles) and _d(att).get("date"):
                out.append(self.ev(f"/model_card/attestations/{i}",
                                   f"attestation {req} by {_d(att).get('attested_by')} dated {_d(att).get('date')}"))
        return out

    def affects_people(self) -> bool:
        """True unless the card declares no affected persons and no dataset holds personal data."""
        persons = _d(self.mc.get("intended_use")).get("affected_persons")
        if not isinstance(persons, list) or persons:
            return True
        return any(d.get("personal_data") is True for _, d in self.datasets())

    def ct_triggers(self) -> list[str]:
        ct = _d(self.pl.get("ct"))
        return [t for t in _l(ct.get("triggers")) if isinstance(t, str)] if ct.get("enabled") is True else []


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    out = []
    for item in items:
        key = (item["file"], item["line"], item.get("pointer"), item["what"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_EVIDENCE]


def _meets(value: Any, threshold: Any, higher_is_better: Any) -> bool | None:
    if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
        return None
    return value >= threshold if higher_is_better is not False else value <= threshold

