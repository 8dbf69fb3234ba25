"""The portfolio as one SARIF 2.1.0 run (code-scanning services want one run per tool and
category), streamed. A project that could not be loaded gives a result at level ``error`` at its
input error's file and line (rule ``mlcompliance/input-error``) and a tool execution notification
in the run's invocation, whose ``executionSuccessful`` is then false.

The document has the shape ``render/sarif.py`` gives one project, with every project's results:
file URIs are prefixed with the project's path when it is relative, results carry
``properties.project`` and a fingerprint qualified by the project. ``driver.rules`` (sorted
by rule id, one per rule seen in any project) comes before the results in the document and
each result's ``ruleIndex`` points into it, so results and artifacts are spooled as formatted
text with a placeholder index and spliced into the document at the end; only the rules (one
per rule id, bounded by the packs, not by N) stay in memory.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from mlcompliance.render import sarif as one
from mlcompliance.render.csv_format import INPUT_ERROR_RULE
from mlcompliance.render.failure import Failure, sarif_notification, sarif_rule
from mlcompliance.render.failure import sarif_result as failure_result
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.render.view import text
from mlcompliance.result.codec import (
    finding_from_dict,
    finding_to_dict,
    from_dict,
    pack_ref_from_dict,
)
from mlcompliance.result.rollup import Rollup, Spool
from mlcompliance.vocab import PROBLEMS

RULE_INDEX = -987654321       # placeholder, replaced once the rule list is known
_INDEX_TEXT = f'"ruleIndex": {RULE_INDEX}'


def _in_repository(failure: Failure, cwd_prefix: str) -> str:
    """The file of an input error (as given, relative to the working directory) under the SARIF root."""
    return failure.posix_file if failure.absolute() else one.join(cwd_prefix, failure.posix_file)


def prepare(entry: dict[str, Any], cwd_prefix: str = "") -> dict[str, Any] | None:
    """One project's results and artifacts (as JSON text), rule and pack candidates, and its row;
    for a project that could not be loaded, its ``error`` result (render/failure.py)."""
    if "result" not in entry:
        failure = Failure.of(entry)
        return {"failure": _item(failure_result(failure, RULE_INDEX, _in_repository(failure, cwd_prefix), True), 8)}
    result = from_dict(entry["result"])
    path = text(entry.get("path"))   # as given: relative to the working directory (cwd_prefix under the SARIF root)
    prefix = one.safe_prefix(posixpath.join(cwd_prefix, path) if cwd_prefix and path and not
                             posixpath.isabs(path.replace("\\", "/")) else path)
    rules: dict[str, dict[str, Any]] = {}         # rule id -> its first finding (JSON form: crosses processes)
    severities: dict[str, list[str]] = {}
    by_rule: dict[str, list[Any]] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    rules.update({rid: finding_to_dict(one.descriptor_basis(fs)) for rid, fs in by_rule.items()})
    for f in result.findings:
        seen = severities.setdefault(f.rule_id, [])
        if f.severity not in seen:
            seen.append(f.severity)
    blocking = set(result.gate.blocking)
    project_name = result.project.name
    results = []
    for f in result.findings:
        if f.outcome in PROBLEMS:
            res = one._result(f, RULE_INDEX, blocking)
            loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
            if prefix:
                loc["uri"] = one._uri(posixpath.join(prefix, f.file))
            res["properties"]["project"] = project_name
            res["partialFingerprints"] = {one.FINGERPRINT_KEY: f.fingerprint + (
                "@" + prefix if prefix else "@" + project_name)}
            results.append((f.rule_id, _item(res, 8)))
    artifacts = []
    for f in result.project.files:
        if f.path:
            artifact: dict[str, Any] = {"location": {"uri": one._uri(posixpath.join(prefix, f.path) if prefix
                                                                     else f.path),
                                                     "uriBaseId": one.URI_BASE}}
            if re.fullmatch(r"[0-9a-f]{64}", text(f.sha256)):
                artifact["hashes"] = {"sha-256": f.sha256}
            artifacts.append(_item(artifact, 8))
    packs = [p for p in entry["result"]["packs"]]
    return {"rules": rules, "severities": severities, "packs": packs, "results": results, "artifacts": artifacts,
            "project": _item({"path": prefix or None, "name": project_name, "verdict": result.gate.verdict}, 10)}


def _item(value: Any, indent: int) -> str:
    """``value`` as ``json.dumps(..., indent=2)`` lays it out at ``indent`` spaces inside the document."""
    pad = " " * indent
    value = one.visible_tree(value)
    return pad + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


class Sink(_Base):
    uses_sha256 = True

    def __init__(self, out, header, cwd_prefix: str = "", **options: Any) -> None:
        super().__init__(out, header, **options)
        self.cwd_prefix = cwd_prefix
        self.rules: dict[str, dict[str, Any]] = {}
        self.severities: dict[str, list[str]] = {}
        self.packs: dict[str, Mapping[str, Any]] = {}
        self.extensions: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.results = Spool()
        self.artifacts = Spool()
        self.projects = Spool()
        self.failed = False

    def take(self, path: str, line: str, fragment: Any) -> None:
        if fragment is None:
            return
        if "failure" in fragment:
            self.failed = True
            self.results.append([INPUT_ERROR_RULE, fragment["failure"]])
            return
        for p in fragment["packs"]:
            self.packs.setdefault(text(p.get("id")), p)
            self.extensions.setdefault((text(p.get("id")), text(p.get("version"))), p)
        for rid, basis in fragment["rules"].items():
            known = self.rules.get(rid)
            if known is None or (known["outcome"] == "not_applicable" and basis["outcome"] != "not_applicable"):
                self.rules[rid] = basis   # a descriptor from a finding that applies, when any project has one
            seen = self.severities.setdefault(rid, [])
            seen += [s for s in fragment["severities"][rid] if s not in seen]
        for rid, item in fragment["results"]:
            self.results.append([rid, item])
        for item in fragment["artifacts"]:
            self.artifacts.append(item)
        self.projects.append(fragment["project"])

    def finish(self, rollup: Rollup, sha256: str) -> None:
        rule_ids = sorted({*self.rules, *((INPUT_ERROR_RULE,) if self.failed else ())})
        rules = [sarif_rule() if r not in self.rules else
                 one._rule(finding_from_dict(self.rules[r]), self.severities[r], self._pack(self.rules[r]["pack"]))
                 for r in rule_ids]
        index = {r: i for i, r in enumerate(rule_ids)}
        tool = self.header.get("tool") or {}
        version = text(tool.get("version")) or "0"
        driver: dict[str, Any] = {"name": text(tool.get("name")) or "mlcompliance", "version": version, "rules": rules}
        if one.SEMVER.fullmatch(version):
            driver["semanticVersion"] = version
        props: dict[str, Any] = {"as_of": text(self.header.get("as_of")), "verdict": rollup.verdict,
                                 "result_sha256": sha256, "projects": "\0projects", "outcomes": rollup.outcomes}
        if self.header.get("generated_at"):
            props["generated_at"] = text(self.header.get("generated_at"))
        run: dict[str, Any] = {
            "tool": {"driver": driver, "extensions": [one.extension(pack_ref_from_dict(p))
                                                      for p in self.extensions.values()]},
            # one run for the portfolio: its id names the directory it was run from (its projects
            # are told apart by each result's properties.project and qualified fingerprint)
            "automationDetails": {"id": one.automation_id(
                "portfolio" + ("/" + self.cwd_prefix if self.cwd_prefix else ""), "")}}
        if rollup.errors:     # a project not loaded: the run did not fully succeed
            failures = [Failure.of(e) for e in rollup.errors]
            run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": [
                sarif_notification(f, _in_repository(f, self.cwd_prefix)) for f in failures]}]
        run.update({
            "originalUriBaseIds": {one.URI_BASE: {"description": {"text": one.ORIGINAL_URI_BASE_TEXT}}},
            "artifacts": "\0artifacts", "results": "\0results", "columnKind": "unicodeCodePoints",
            "properties": props})
        run = one.visible_tree(run)        # placeholders are "\0name": made visible below, then spliced
        doc = {"$schema": one.SARIF_SCHEMA, "version": one.SARIF_VERSION, "runs": [run]}
        skeleton = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        parts = {"artifacts": self.artifacts, "results": _indexed(self.results, index), "projects": self.projects}
        pos = 0
        for match in re.finditer(r'"(artifacts|results|projects)": "<U\+0000>\1"', skeleton):
            start = match.start() + len(match.group(1)) + 4            # after '"name": '
            self.out.write(skeleton[pos:start])
            indent = len(skeleton[:match.start()].rsplit("\n", 1)[1])  # the key's
            first = True
            for item in parts[match.group(1)]:
                self.out.write(("[\n" if first else ",\n") + item)
                first = False
            self.out.write("[]" if first else "\n" + " " * indent + "]")
            pos = match.end()
        self.out.write(skeleton[pos:])
        for spool in (self.results, self.artifacts, self.projects):
            spool.close()

    def _pack(self, pack_id: str):
        p = self.packs.get(pack_id)
        return None if p is None else pack_ref_from_dict(p)


def _indexed(results: Spool, index: dict[str, int]) -> Iterator[str]:
    for rid, item in results:
        yield item.replace(_INDEX_TEXT, f'"ruleIndex": {index[rid]}', 1)
