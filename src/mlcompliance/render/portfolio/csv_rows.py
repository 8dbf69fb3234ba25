"""The portfolio as CSV: one row per finding of every project, written as each project is done,
and one ``error`` row for each project that could not be loaded.

Rows, quoting and neutralisation are those of the single-project CSV (`render/csv_format.py`)."""
from __future__ import annotations

from typing import Any

from mlcompliance.render.csv_format import COLUMNS, _rows, csv_text, error_row
from mlcompliance.render.failure import Failure
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.codec import from_dict


def prepare(entry: dict[str, Any]) -> str:
    if "result" not in entry:
        row = error_row(Failure.of(entry))
        return csv_text([[row[c] for c in COLUMNS]])
    return csv_text([row[c] for c in COLUMNS] for row in _rows(entry["path"], from_dict(entry["result"])))


class Sink(_Base):
    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.out.write(csv_text([COLUMNS]))

    def take(self, path: str, line: str, fragment: Any) -> None:
        self.out.write(fragment)
