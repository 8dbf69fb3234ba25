"""Portfolio renderers: every output format as a *sink* fed one project at a time.

A portfolio is never held in memory. For each project, in path order, the pipeline
(`mlcompliance.portfolio`) calls ``prepare(fmt, entry)``: a pure function of that project's
entry, run in the worker process that checked it (or in the reader), which returns the
format's *fragment* (CSV rows, SARIF results, JUnit suites, annotations, the HTML section's
view; JSON needs none: the line itself is the fragment). The sink then ``take``s fragments in
order and writes them straight out, or spools them to a temporary file when the format puts
them after totals that are only known at the end (HTML, SARIF, JUnit, the annotation order).
``finish`` gets the :class:`~mlcompliance.result.rollup.Rollup` (totals, matrix rows, worst
findings) and the sha256 of the JSON Lines the portfolio is (or would be) saved as.

Same entries in the same order give byte-identical output, whether the fragments came from
worker processes, from one process, or from a saved file (`mlcompliance render`, `merge`).
"""
from __future__ import annotations

import importlib
from typing import Any, TextIO

from mlcompliance.result.rollup import Rollup

_MODULES = {
    "text": "text",
    "json": "json_lines",
    "md": "markdown",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "csv": "csv_rows",
    "requirements-csv": "requirements_csv",
    "attestations-csv": "attestations_csv",
    "oscal": "oscal",
}
FORMATS = tuple(_MODULES)


def _module(fmt: str) -> Any:
    return importlib.import_module(f"{__name__}.{_MODULES[fmt]}")


def prepare(fmt: str, entry: dict[str, Any], options: dict[str, Any]) -> Any:
    """The fragment of one project for format ``fmt`` (None when the format needs none)."""
    fn = getattr(_module(fmt), "prepare", None)
    return fn(entry, **options) if fn is not None else None


def sink(fmt: str, out: TextIO, header: dict[str, Any], options: dict[str, Any]) -> Sink:
    return _module(fmt).Sink(out, header, **options)


class Sink:
    """Base: ignores everything. ``header`` is the portfolio header (tool, as_of, generated_at...)."""

    uses_sha256 = False
    """Whether ``finish`` shows the sha256 of the JSON Lines (else it is not computed: hashing
    hundreds of megabytes is a good part of a merge's time)."""

    def __init__(self, out: TextIO, header: dict[str, Any], **options: Any) -> None:
        self.out = out
        self.header = header

    def header_line(self, text: str) -> None:
        """The JSON Lines header line (written by the JSON sink only)."""

    def take(self, path: str, line: str, fragment: Any) -> None:
        """One project, in order: its JSON line and its fragment."""

    def summary(self, chunk: str) -> None:
        """A piece of the JSON Lines summary line (written by the JSON sink only)."""

    def finish(self, rollup: Rollup, sha256: str) -> None:
        """Everything written after the last project."""
