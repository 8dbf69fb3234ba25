"""The portfolio as CSV: one row per finding of every project, written as each project is done.

Rows and quoting are those of the single-project CSV (`render/csv_format.py`), written with the
standard library's csv module (minimal quoting, ``\\n`` line ends), so no pandas is imported."""
from __future__ import annotations

import csv
import io
from typing import Any

from mlcompliance.render.csv_format import COLUMNS, _rows
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.codec import from_dict


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def prepare(entry: dict[str, Any]) -> str:
    if "result" not in entry:
        return ""
    return _csv([[row[c] for c in COLUMNS] for row in _rows(entry["path"], from_dict(entry["result"]))])


class Sink(_Base):
    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.out.write(_csv([COLUMNS]))

    def take(self, path: str, line: str, fragment: Any) -> None:
        self.out.write(fragment)
