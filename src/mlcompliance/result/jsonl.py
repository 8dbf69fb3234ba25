"""The portfolio file: JSON Lines, written and read one project at a time (docs/result.md).

Line 1 is the header (``"kind": "portfolio"``: versions, as-of date, the options and the pack
catalog that shape every verdict, the shard when there is one); then one line per project
(``"kind": "project"``: ``path`` and either its full ``result`` or its input ``error`` with
``file`` and ``line``), in ascending order of ``path``; the last line is the summary
(``"kind": "summary"``). :class:`PortfolioReader` streams such a file and turns any damage
into an :class:`InputError` naming the file and line and what was expected there.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.result.codec import RESULT_VERSION

PORTFOLIO_VERSION = "1.0"
CONSISTENT = ("portfolio_version", "result_version", "tool", "as_of", "fail_on", "catalog")
"""Header keys that must agree between shards for their merge to mean anything."""
RESULT_KEYS = ("result_version", "tool", "as_of", "project", "packs", "risk", "gate", "summary", "findings")
WRITTEN_BY = "a file written by 'mlcompliance check DIR... --format json'"
SUMMARY = "(the summary line)"
_SUMMARY_START = b'{"kind": "summary"'
_BLOCK = 1 << 16


def header_line(header: dict[str, Any]) -> str:
    return json.dumps({"kind": "portfolio", **header}, ensure_ascii=False) + "\n"


def entry_line(entry: dict[str, Any]) -> str:
    return json.dumps({"kind": "project", **entry}, ensure_ascii=False) + "\n"


def sniff(path: Path) -> str:
    """'portfolio' for a portfolio JSON Lines file, 'result' for anything else (a single result)."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(64)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=str(path)) from None
    return "portfolio" if start.lstrip().startswith(b'{"kind": "portfolio"') else "result"


class PortfolioReader:
    """Streams a portfolio file: ``header`` on opening, then :meth:`entries`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        try:
            self._fh = open(path, "rb")
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", file=self.name) from None
        self.lineno = 0
        self.summary_sha256: str | None = None
        self.summary_line = 0
        text = self._next()
        value = self._parse(text, "the header line {\"kind\": \"portfolio\", ...}") if text is not None else None
        if not isinstance(value, dict) or value.get("kind") != "portfolio":
            self.fail("not a portfolio header", "the header line {\"kind\": \"portfolio\", ...} of " + WRITTEN_BY)
        version = str(value.get("portfolio_version", ""))
        if version.split(".")[0] != PORTFOLIO_VERSION.split(".")[0]:
            self.fail(f"portfolio version {version or '(none)'} is not supported",
                      f"portfolio version {PORTFOLIO_VERSION.split('.')[0]}.x")
        missing = [k for k in CONSISTENT if k not in value]
        if missing:
            self.fail(f"portfolio header without {', '.join(missing)}", "the header line of " + WRITTEN_BY)
        self.header = {k: v for k, v in value.items() if k != "kind"}

    def fail(self, message: str, expected: str, line: int | None = None) -> None:
        raise InputError(message, file=self.name, line=line or self.lineno or 1, expected=expected)

    def _next(self) -> str | None:
        """The next line as text, or None at the end of the file. The summary line is not returned
        whole (at 10 000 projects it is megabytes): it is hashed as it is read, in blocks, into
        ``summary_sha256``, and ``_next`` returns the marker ``SUMMARY``."""
        raw = self._fh.readline(_BLOCK)
        if not raw:
            return None
        self.lineno += 1
        if raw.startswith(_SUMMARY_START):
            self._read_summary(raw)
            return SUMMARY
        if not raw.endswith(b"\n"):
            raw += self._fh.readline()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("not UTF-8 text", "UTF-8 JSON Lines")
            raise  # unreachable

    def _read_summary(self, block: bytes) -> None:
        sha = hashlib.sha256()
        self.summary_line = self.lineno
        while block:
            cut = block.find(b"\n")
            if cut >= 0:
                sha.update(block[:cut + 1])
                if block[cut + 1:] or self._fh.read(1):
                    self.lineno += 1
                    self.fail("a line after the summary line", "the summary line to be the last line")
                break
            sha.update(block)
            block = self._fh.read(_BLOCK)
        self.summary_sha256 = sha.hexdigest()

    def _parse(self, text: str, expected: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as err:
            self.fail(f"not JSON: {err}", expected)

    def entries(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(line number, line text, entry) per project, in file order; then reads the summary line
        (``summary_sha256``, ``summary_line``)."""
        previous: str | None = None
        while True:
            text = self._next()
            if text is None:
                self.fail("the file ends without its summary line (truncated?)",
                          "a last line {\"kind\": \"summary\", ...}", self.lineno + 1)
            if text is SUMMARY:
                self._fh.close()
                return
            value = self._parse(text, "one JSON object per line")
            if not isinstance(value, dict) or value.get("kind") != "project" or not isinstance(value.get("path"), str):
                self.fail("not a project line", "{\"kind\": \"project\", \"path\": ..., \"result\" or \"error\": ...}")
            entry = {k: v for k, v in value.items() if k != "kind"}
            if previous is not None and entry["path"] <= previous:
                self.fail(f"project '{entry['path']}' is out of order or repeated (after '{previous}')",
                          "project lines in ascending order of path, each path once")
            previous = entry["path"]
            self._check_entry(entry)
            yield self.lineno, text, entry

    def _check_entry(self, entry: dict[str, Any]) -> None:
        if "result" in entry:
            result = entry["result"]
            if not isinstance(result, dict) or any(k not in result for k in RESULT_KEYS):
                self.fail(f"project '{entry['path']}': not a project result",
                          "a result with the keys " + ", ".join(RESULT_KEYS))
            if str(result["result_version"]).split(".")[0] != RESULT_VERSION.split(".")[0]:
                self.fail(f"result version {result['result_version']} is not supported",
                          f"result version {RESULT_VERSION.split('.')[0]}.x")
            if result["as_of"] != self.header["as_of"]:
                self.fail(f"project '{entry['path']}' was checked as of {result['as_of']}, the header says "
                          f"{self.header['as_of']}", "one as-of date in the whole file")
        elif not isinstance(entry.get("error"), str):
            self.fail(f"project '{entry['path']}' has neither a result nor an error", "\"result\" or \"error\"")

    def close(self) -> None:
        self._fh.close()
