"""Evidence excerpts: the lines of an evidence file around each problem finding's file:line.

Captured once, at check time, into the result (``Result.excerpts``), so that every report can
show an auditor the evidence without the repository and renderers stay pure functions of the
result. Only for ``fail``, ``error`` and ``warn`` findings, and only from evidence *metadata*
files read as YAML or JSON (mlcompliance.yaml, the model card, data manifest and pipeline, the
waiver file, and the CI, DVC, MLflow, model-card-toolkit, CycloneDX and SPDX files an adapter
read): never from a data file, so no personal value is ever copied into a result. Croissant
files are left out too, since they may embed data records.

Deterministic: windows of :data:`CONTEXT` lines either side of the finding's line, merged per
file where they overlap or touch, sorted by file then first line; each line clipped to
:data:`MAX_LINE_CHARS` characters; at most :data:`MAX_LINES` lines in all, taken for the most
severe findings first (a finding whose window did not fit has no excerpt).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlcompliance.engine.findings import Finding
from mlcompliance.vocab import PROBLEMS, SEVERITY_RANK

CONTEXT = 2                  # lines shown before and after the finding's line
MAX_LINE_CHARS = 200         # a longer line is clipped and ends with CLIPPED
MAX_LINES = 400              # lines in all excerpts of one result
CLIPPED = " …[clipped]"
EVIDENCE_KINDS = frozenset({"config", "model_card", "data_manifest", "pipeline", "waivers"})
EVIDENCE_FORMATS = frozenset({"yaml", "json"})
METADATA_ADAPTERS = frozenset({"ci", "dvc", "mlflow", "mct", "cyclonedx", "spdx"})
"""Adapters whose YAML/JSON files hold metadata only (Croissant may embed data records; a
Hugging Face card is Markdown)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Excerpt:
    """Lines ``start``..``start + len(lines) - 1`` of ``file`` (1-based), as read at check time."""
    file: str
    start: int
    lines: tuple[str, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.lines) - 1


def eligible(kind: str, fmt: str | None, adapter: str | None) -> bool:
    """Whether an inventory file may be quoted: evidence metadata read as YAML or JSON."""
    if fmt not in EVIDENCE_FORMATS or kind not in EVIDENCE_KINDS:
        return False
    return adapter is None or adapter in METADATA_ADAPTERS


def capture(findings: Iterable[Finding], texts: Mapping[str, str]) -> tuple[Excerpt, ...]:
    """The excerpts for the problem findings among ``findings``; ``texts``: file -> its text, for
    the files that may be quoted (see :func:`eligible`)."""
    split = {path: _lines(text) for path, text in texts.items()}
    wanted = sorted((f for f in findings if f.outcome in PROBLEMS and f.file in split
                     and isinstance(f.line, int) and not isinstance(f.line, bool) and f.line >= 1),
                    key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), PROBLEMS.index(f.outcome), f.file, f.line,
                                   f.rule_id))
    taken: dict[str, set[int]] = {}
    used = 0
    for f in wanted:
        lines = split[f.file]
        if f.line > len(lines):
            continue
        window = set(range(max(1, f.line - CONTEXT), min(len(lines), f.line + CONTEXT) + 1))
        have = taken.setdefault(f.file, set())
        extra = len(window - have)
        if used + extra > MAX_LINES:
            continue
        have |= window
        used += extra
    out = []
    for path in sorted(taken):
        numbers = sorted(taken[path])
        run: list[int] = []
        for n in numbers + [0]:
            if run and n != run[-1] + 1:
                out.append(Excerpt(file=path, start=run[0], lines=tuple(_clip(split[path][i - 1]) for i in run)))
                run = []
            if n:
                run.append(n)
    return tuple(out)


def read_adapted(root: Path, rel: str, sha256: str | None) -> str | None:
    """The text of an adapted file as the check read it (None when it changed since, or is not UTF-8)."""
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return None
    if sha256 is None or hashlib.sha256(data).hexdigest() != sha256:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def window(excerpts: Iterable[Excerpt], file: str, line: object) -> tuple[int, tuple[str, ...]] | None:
    """(first line number, lines) shown for a finding at ``file:line``: its line and up to
    :data:`CONTEXT` lines either side, from the excerpt that holds it (None: no excerpt)."""
    if not isinstance(line, int) or isinstance(line, bool):
        return None
    for e in excerpts:
        if e.file == file and e.start <= line <= e.end:
            first, last = max(e.start, line - CONTEXT), min(e.end, line + CONTEXT)
            return first, e.lines[first - e.start:last - e.start + 1]
    return None


def _lines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + CLIPPED
