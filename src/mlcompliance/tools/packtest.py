"""Policy unit tests: fixtures stored with each pack, and rule coverage.

A fixture file is ``tests/*.yaml`` in a pack directory::

    as_of: 2026-11-01            # default for every case (required somewhere: results depend on it)
    tier: high                   # optional default tier; else derived from the evidence
    base:                        # optional evidence every case starts from
      model_card: {...}
    cases:
      - name: CI runs on pull requests
        evidence:                # deep-merged over `base`; a null value deletes the key
          pipeline: {ci: {enabled: true}}
        files: {".github/workflows/ci.yml": "on: [pull_request]\\n"}   # project files, for file checks
        expect:
          MLOPS-01-CI-ENABLED: pass

The outcome compared with `expect` is the rule's worst outcome over all the targets it
visited (error > fail > warn > pass > manual > waived > not_applicable). A pack is fully
covered when every automated rule has at least one case expecting `pass` and one
expecting `fail` (or `warn`, for advisory rules), and all of them hold.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from mlcompliance.engine.evaluate import evaluate
from mlcompliance.engine.tiering import TIER_CONDITIONS, attach_derived, derive
from mlcompliance.errors import InputError
from mlcompliance.evidence.claims import strip_unverifiable
from mlcompliance.evidence.loader import Document, load_file
from mlcompliance.evidence.project import KINDS, Project, record_unverifiable
from mlcompliance.evidence.schemas import describe_error, validator
from mlcompliance.policy.packs import Pack, shared_conditions
from mlcompliance.probes.observe import observe
from mlcompliance.vocab import OUTCOMES, TIERS

WORST_FIRST = ("error", "fail", "warn", "pass", "manual", "waived", "not_applicable")

FIXTURE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["cases"],
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "tier": {"enum": list(TIERS)},
        "base": {"type": "object", "propertyNames": {"enum": list(KINDS)}},
        "cases": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "expect"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "as_of": {"type": "string", "format": "date"},
                "tier": {"enum": list(TIERS)},
                "evidence": {"type": "object", "propertyNames": {"enum": list(KINDS)}},
                "files": {"type": "object", "additionalProperties": {"type": "string"}},
                "parameters": {"type": "object", "additionalProperties": {"type": "number"}},
                "expect": {"type": "object", "minProperties": 1,
                           "additionalProperties": {"enum": list(OUTCOMES)}},
            }}},
    },
}


@dataclass
class CaseFailure:
    file: str
    line: int
    case: str
    rule: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: case '{self.case}': {self.rule} expected {self.expected}, got {self.actual}"


@dataclass
class PackTestReport:
    pack: str
    version: str
    cases: int = 0
    failures: list[CaseFailure] = field(default_factory=list)
    verified: dict[str, set[str]] = field(default_factory=dict)   # rule id -> outcomes shown by passing cases
    automated_rules: list[str] = field(default_factory=list)
    advisory: set[str] = field(default_factory=set)

    def covered(self, rule_id: str) -> bool:
        seen = self.verified.get(rule_id, set())
        bad = "warn" if rule_id in self.advisory else "fail"
        return "pass" in seen and bad in seen

    @property
    def uncovered(self) -> list[str]:
        return [r for r in self.automated_rules if not self.covered(r)]

    @property
    def coverage(self) -> float:
        if not self.automated_rules:
            return 100.0
        return 100.0 * (len(self.automated_rules) - len(self.uncovered)) / len(self.automated_rules)


def merge(base: Any, patch: Any) -> Any:
    """Deep-merge ``patch`` over ``base``: mappings merge, a None value deletes, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def run_pack_tests(pack: Pack) -> PackTestReport:
    report = PackTestReport(pack.id, pack.version,
                            automated_rules=[r.id for r in pack.rules],
                            advisory={r.id for r in pack.rules if r.mode == "advisory"})
    rule_ids = {r.id for r in pack.rules} | {q.id for q in pack.requirements if q.manual}
    for path in sorted((pack.directory / "tests").glob("*.yaml")):
        doc = load_file(path, str(path))
        _validate_fixture(doc)
        spec = doc.value
        for i, case in enumerate(spec["cases"]):
            report.cases += 1
            _run_case(pack, doc, spec, i, case, rule_ids, report)
    return report


def _case_parameters(pack: Pack, doc: Document, where: str, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A case's ``parameters`` (name -> value, as a project sets them in mlcompliance.yaml), checked
    against the pack's declared bounds; an unknown name or a value out of bounds names its line."""
    if not case.get("parameters"):
        return {}
    from mlcompliance.run import check_parameters

    class _Where:      # check_parameters locates errors in mlcompliance.yaml; here in the fixture
        path = doc.path

        @staticmethod
        def location(pointer: str) -> tuple[int, int]:
            return doc.location(f"{where}/parameters/{pointer.rsplit('/', 1)[-1]}")
    return check_parameters({pack.id: case["parameters"]}, [pack], _Where())


def _validate_fixture(doc: Document) -> None:
    errors = sorted(Draft202012Validator(FIXTURE_SCHEMA).iter_errors(doc.value), key=lambda e: list(e.absolute_path))
    if errors:
        message, expected = describe_error(errors[0])
        line, col = doc.location("".join(f"/{p}" for p in errors[0].absolute_path))
        raise InputError(f"fixture: {message}", file=doc.path, line=line, column=col, expected=expected)


def _run_case(pack: Pack, doc: Document, spec: dict[str, Any], i: int, case: dict[str, Any],
              rule_ids: set[str], report: PackTestReport) -> None:
    where = f"/cases/{i}"
    for rule_id in case["expect"]:
        if rule_id not in rule_ids:
            r_line, r_col = doc.location(f"{where}/expect/{rule_id}")
            raise InputError(f"case '{case['name']}' expects unknown rule '{rule_id}'", file=doc.path,
                             line=r_line, column=r_col, expected=f"a rule of {pack.id}@{pack.version}")
    actual = case_outcomes(pack, doc, spec, i, case)
    for rule_id, expected in case["expect"].items():
        got = actual.get(rule_id, "not_applicable")
        if got == expected:
            report.verified.setdefault(rule_id, set()).add(expected)
        else:
            e_line, _ = doc.location(f"{where}/expect/{rule_id}")
            report.failures.append(CaseFailure(doc.path, e_line, case["name"], rule_id, expected, got))


def case_outcomes(pack: Pack, doc: Document, spec: dict[str, Any], i: int, case: dict[str, Any]) -> dict[str, str]:
    """Each rule's worst outcome over its targets in one fixture case (rules with no finding absent)."""
    where = f"/cases/{i}"
    line, _ = doc.location(where)
    as_of_text = case.get("as_of") or spec.get("as_of")
    if not as_of_text:
        raise InputError(f"case '{case['name']}' has no as_of date", file=doc.path, line=line,
                         expected="as_of at the top of the file or in the case")
    bundle = {kind: merge(spec.get("base", {}).get(kind, {}), case.get("evidence", {}).get(kind, {}))
              for kind in KINDS}
    for kind in KINDS:
        errors = list(validator(kind).iter_errors(bundle[kind]))
        if errors:
            message, expected = describe_error(errors[0])
            raise InputError(f"case '{case['name']}': {kind} evidence is invalid: {message}", file=doc.path,
                             line=line, expected=expected)
    project = Project(Path("."), case["name"], None, {}, {k: None for k in KINDS},
                      {k: f"{k}.yaml" for k in KINDS}, bundle)
    # placeholders count as missing here too; references are not checked (no project directory)
    record_unverifiable(project, *strip_unverifiable(project.bundle, {}, None))
    as_of = date.fromisoformat(as_of_text)
    tier_conditions = shared_conditions([pack], TIER_CONDITIONS)
    attach_derived(project, as_of, tier_conditions)
    tier = case.get("tier") or spec.get("tier") or derive(project.bundle, as_of, tier_conditions)["tier"]
    files = {k: v.encode("utf-8") for k, v in case.get("files", {}).items()}
    observe(project, files)
    settings = _case_parameters(pack, doc, where, case)
    findings = evaluate(project, [pack], as_of, tier, files.get, parameters=settings)
    actual: dict[str, str] = {}
    for f in findings:
        current = actual.get(f.rule_id)
        if current is None or WORST_FIRST.index(f.outcome) < WORST_FIRST.index(current):
            actual[f.rule_id] = f.outcome
    return actual
