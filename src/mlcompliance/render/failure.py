"""A project that could not be loaded, as every CI format reports it: an error, never silence.

A portfolio entry without a result (``{path, error, file, line}``: the project's input error)
and a single ``check`` whose project fails to load are both a :class:`Failure`. Each format says
so where a CI consumer looks: a JUnit ``<error>`` testcase, a SARIF result at level ``error``
at the file and line of the input error plus a tool execution notification with
``executionSuccessful: false``, a CSV row with outcome ``error``, an ``::error file=...,line=...``
annotation, a Markdown failure line. The rule id is :data:`INPUT_ERROR_RULE` everywhere.

The pieces here are shared by the single-project documents (:func:`render`) and the portfolio
sinks, so the two say the same thing.
"""
from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from mlcompliance.render.csv_format import (
    COLUMNS,
    INPUT_ERROR_RULE,
    csv_text,
    error_row,
)

TITLE = "mlcompliance input error"
HELP = ("The project could not be loaded (a malformed file, a schema violation, an unknown pack...), "
        "so none of its rules were evaluated. Correct the input at the location given; the project "
        "counts as an error, not as compliant.")
FORMATS = ("md", "sarif", "junit", "github", "csv", "oscal")
"""Single-project formats that write a document for a project that could not be loaded (text and
JSON do not: the message on standard error and exit code 2 are their answer)."""


@dataclass(frozen=True)
class Failure:
    """Why one project was not checked: ``message`` is the whole ``file:line:col: ...`` text."""

    path: str
    message: str
    file: str
    line: int

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Failure:
        """From a portfolio entry without a result."""
        path = _str(entry.get("path"))
        line = entry.get("line")
        return cls(path, _str(entry.get("error")), _str(entry.get("file")) or path,
                   line if isinstance(line, int) and line >= 1 else 1)

    @classmethod
    def from_error(cls, path: str, err: Any) -> Failure:
        """From the InputError of a single ``check``."""
        return cls.of({"path": path, "error": str(err), "file": getattr(err, "file", None),
                       "line": getattr(err, "line", None)})

    @property
    def posix_file(self) -> str:
        return self.file.replace("\\", "/")

    def within_project(self) -> str:
        """The file relative to the project when it is inside it (else as given)."""
        base = self.path.replace("\\", "/").rstrip("/")
        f = self.posix_file
        if base and base != "." and (f == base or f.startswith(base + "/")):
            return posixpath.relpath(f, base)
        return f

    def absolute(self) -> bool:
        return PurePosixPath(self.posix_file).is_absolute() or PureWindowsPath(self.file).is_absolute()


def _str(value: Any) -> str:
    return "" if value is None else (value if isinstance(value, str) else str(value))


# --- JUnit --------------------------------------------------------------------------------------

def junit_suite(parent: ET.Element, failure: Failure, label: str) -> dict[str, int]:
    """One ``<testsuite>`` with one ``<testcase>`` holding the ``<error>``; returns its totals."""
    from mlcompliance.render.junit import _el
    totals = {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
    name = f"{label}: input" if label else "input"
    suite = _el(parent, "testsuite", {"name": name, "package": "mlcompliance",
                                      **{k: str(v) for k, v in totals.items()}, "time": "0"})
    props = _el(suite, "properties")
    _el(props, "property", {"name": "project_path", "value": failure.path})
    _el(props, "property", {"name": "verdict", "value": "error"})
    case = _el(suite, "testcase", {"classname": f"{label}: mlcompliance.input" if label else "mlcompliance.input",
                                   "name": f"{INPUT_ERROR_RULE} [{failure.path}]", "file": failure.file,
                                   "line": str(failure.line), "time": "0"})
    _el(case, "error", {"message": failure.message, "type": "InputError"},
        f"{failure.message}\nwhere: {failure.file}:{failure.line}\nproject: {failure.path} (not checked)\n{HELP}")
    return totals


def render_junit(failure: Failure) -> str:
    from mlcompliance.render.junit import _finish, _serialise
    root = ET.Element("testsuites")
    totals = junit_suite(root, failure, "")
    sha = "none (the project was not checked)"
    return _serialise(_finish(root, f"mlcompliance: {failure.path or 'project'}", totals, sha))


# --- SARIF --------------------------------------------------------------------------------------

def sarif_location(failure: Failure, uri_file: str) -> dict[str, Any]:
    """The physical location of the input error (``uri_file`` relative to the URI base, or absolute)."""
    from mlcompliance.render.sarif import URI_BASE, _uri
    if failure.absolute():
        artifact = {"uri": "file:///" + _uri(failure.posix_file)}     # _uri drops the leading "/"
    else:
        artifact = {"uri": _uri(uri_file), "uriBaseId": URI_BASE}
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": failure.line}}}


def sarif_rule() -> dict[str, Any]:
    """The reporting descriptor of :data:`INPUT_ERROR_RULE`."""
    return {"id": INPUT_ERROR_RULE, "name": "InputError", "shortDescription": {"text": TITLE},
            "fullDescription": {"text": HELP}, "help": {"text": HELP, "markdown": HELP},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["mlcompliance", "input-error"]}}


def sarif_result(failure: Failure, rule_index: int, uri_file: str, project: bool) -> dict[str, Any]:
    from mlcompliance.render.common import visible
    from mlcompliance.render.sarif import FINGERPRINT_KEY
    out = {"ruleId": INPUT_ERROR_RULE, "ruleIndex": rule_index, "level": "error",
           "message": {"text": visible(f"{failure.path}: not checked: {failure.message}")},
           "locations": [sarif_location(failure, uri_file)],
           "partialFingerprints": {FINGERPRINT_KEY: f"{INPUT_ERROR_RULE}@{failure.path}"},
           "properties": {"outcome": "error", "blocking": True}}
    if project:
        out["properties"]["project"] = failure.path
    return out


def sarif_notification(failure: Failure, uri_file: str) -> dict[str, Any]:
    from mlcompliance.render.common import visible
    return {"level": "error", "message": {"text": visible(f"{failure.path}: not checked: {failure.message}")},
            "locations": [sarif_location(failure, uri_file)], "descriptor": {"id": INPUT_ERROR_RULE}}


def render_sarif(failure: Failure, version: str, uri_prefix: str = "") -> str:
    """``uri_prefix``: the project's directory under the SARIF root, as for a checked project
    (cli/sarif_root.py), so the error lands on the file in the repository, under the project's
    own ``automationDetails`` id."""
    from mlcompliance.render.sarif import (
        ORIGINAL_URI_BASE_TEXT,
        SARIF_SCHEMA,
        SARIF_VERSION,
        SEMVER,
        URI_BASE,
        automation_id,
        join,
        safe_prefix,
    )
    driver: dict[str, Any] = {"name": "mlcompliance", "version": version or "0",
                              "rules": [sarif_rule()]}
    if SEMVER.fullmatch(driver["version"]):
        driver["semanticVersion"] = driver["version"]
    prefix = safe_prefix(uri_prefix)
    inside = failure.within_project()
    if not failure.absolute() and (inside != failure.posix_file or failure.path.strip("/") in ("", ".")):
        inside = join(prefix, inside)      # a file of the project: under the project's directory
    run = {"tool": {"driver": driver}, "automationDetails": {"id": automation_id(prefix, failure.path)},
           "invocations": [{"executionSuccessful": False,
                            "toolExecutionNotifications": [sarif_notification(failure, inside)]}],
           "originalUriBaseIds": {URI_BASE: {"description": {"text": ORIGINAL_URI_BASE_TEXT}}},
           "results": [sarif_result(failure, 0, inside, False)], "columnKind": "unicodeCodePoints",
           "properties": {"verdict": "error", "project": failure.path}}
    doc = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- GitHub annotations, CSV, Markdown ------------------------------------------------------------

def annotation(failure: Failure, in_project: bool = False) -> str:
    """``::error file=...,line=...,title=...::message``: the file as given (relative to the working
    directory, as a portfolio's annotations are), or with ``in_project`` relative to the project, as
    a single project's annotations are."""
    from mlcompliance.render.github import command
    file = failure.within_project() if in_project else failure.posix_file
    return command("error", {"file": file, "line": failure.line, "title": TITLE},
                   f"{failure.path}: not checked: {failure.message}")


def render_github(failure: Failure) -> str:
    from mlcompliance.render.github import command
    notice = command("notice", {"title": "mlcompliance"},
                     f"{failure.path}: ERROR: the project could not be loaded, nothing was checked")
    return annotation(failure, in_project=True) + "\n" + notice + "\n"


def render_csv(failure: Failure) -> str:
    row = error_row(failure)
    return csv_text([COLUMNS, [row[c] for c in COLUMNS]])


def render_md(failure: Failure) -> str:
    from mlcompliance.render.common import md_code, md_text
    return "\n".join([
        f"## ❌ mlcompliance: {md_text(failure.path)}", "",
        "**ERROR: the project could not be loaded; nothing was checked (exit code 2)**", "",
        "| | where | error |", "|---|---|---|",
        f"| **input error** | {md_code(f'{failure.file}:{failure.line}')} | {md_text(failure.message)} |", "",
        md_text(HELP), ""])


def render(fmt: str, failure: Failure, version: str, as_of: Any = None, uri_prefix: str = "") -> str | None:
    """The single-project document of ``fmt`` for a project that could not be loaded (None for
    formats that have none: text, JSON, HTML and plug-ins). ``as_of`` dates the OSCAL document;
    ``uri_prefix`` places SARIF URIs under the SARIF root."""
    if fmt == "oscal":
        from mlcompliance.render.oscal import render_failure
        return render_failure(failure, version, as_of)
    if fmt == "junit":
        return render_junit(failure)
    if fmt == "sarif":
        return render_sarif(failure, version, uri_prefix)
    if fmt == "github":
        return render_github(failure)
    if fmt == "csv":
        return render_csv(failure)
    if fmt == "md":
        return render_md(failure)
    return None
