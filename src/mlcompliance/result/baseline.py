"""Compare a check with a saved result (``check --baseline previous.json``), as bandit and semgrep do.

Findings are matched by fingerprint (rule id + file + target pointer, never a line number), so
edits that move lines do not make old findings look new. Only problem findings are marked:

* a current fail/error/warn finding is ``recurring`` when the baseline has a fail, error, warn
  or waived finding with its fingerprint, else ``new``;
* a baseline fail/error/warn finding is ``fixed`` when no current fail, error, warn or waived
  finding has its fingerprint (it passes now, no longer applies, or its target is gone).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from mlcompliance.engine.findings import Finding
from mlcompliance.errors import InputError
from mlcompliance.result import codec
from mlcompliance.result.model import Baseline, Result
from mlcompliance.vocab import PROBLEMS

OPEN = (*PROBLEMS, "waived")
"""Outcomes of a finding that is still there (a waived finding is accepted, not fixed)."""


@dataclass(frozen=True, slots=True)
class Comparison:
    file: str          # as given on the command line
    previous: Result

    @classmethod
    def load(cls, path: Path) -> Comparison:
        """The saved single-project result at ``path``; a bad file is an InputError (exit 2)."""
        from mlcompliance.result import jsonl
        if jsonl.sniff(path) == "portfolio":
            raise InputError("a portfolio result cannot be a baseline", file=str(path),
                             expected="the JSON result of one project ('mlcompliance check DIR --format json')")
        return cls(str(path), codec.read(path))

    def mark(self, findings: list[Finding]) -> tuple[list[Finding], Baseline]:
        """(the findings, problem findings marked new or recurring; the comparison's summary)."""
        before = {f.fingerprint for f in self.previous.findings if f.outcome in OPEN}
        now = {f.fingerprint for f in findings if f.outcome in OPEN}
        marked = [replace(f, baseline="recurring" if f.fingerprint in before else "new") if f.outcome in PROBLEMS
                  else f for f in findings]
        fixed = tuple(replace(f, baseline=None) for f in self.previous.findings
                      if f.outcome in PROBLEMS and f.fingerprint not in now)
        new = sum(1 for f in marked if f.baseline == "new")
        recurring = sum(1 for f in marked if f.baseline == "recurring")
        return marked, Baseline(file=self.file, as_of=self.previous.as_of.isoformat(), new=new,
                                recurring=recurring, fixed=fixed)
