"""The portfolio's requirements and attestation registers as CSV: the single-project rows
(``render/registers_csv.py``) of every project, in path order, and one ``error`` row for each
project that could not be loaded."""
from __future__ import annotations

from typing import Any

from mlcompliance.render import registers_csv as reg
from mlcompliance.render.csv_format import csv_text
from mlcompliance.render.failure import Failure
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.codec import from_dict


def _prepare(entry: dict[str, Any], columns: list[str], rows: Any) -> str:
    if "result" not in entry:
        return csv_text([reg.error_row(Failure.of(entry), columns)])
    return csv_text(rows(entry["path"], from_dict(entry["result"])))


class _Sink(_Base):
    columns: list[str] = []

    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.out.write(csv_text([self.columns]))

    def take(self, path: str, line: str, fragment: Any) -> None:
        self.out.write(fragment)


class RequirementsSink(_Sink):
    columns = reg.REQUIREMENT_COLUMNS


class AttestationsSink(_Sink):
    columns = reg.ATTESTATION_COLUMNS


def prepare_requirements(entry: dict[str, Any]) -> str:
    return _prepare(entry, reg.REQUIREMENT_COLUMNS, reg.requirement_rows)


def prepare_attestations(entry: dict[str, Any]) -> str:
    return _prepare(entry, reg.ATTESTATION_COLUMNS, reg.attestation_rows)
