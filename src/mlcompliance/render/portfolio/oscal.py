"""The portfolio as one OSCAL 1.1.2 assessment-results document, streamed: one ``result`` per
project (as ``render/oscal.py`` gives one project, its UUIDs keyed by the project's path so that
two projects of the same name never share one), in path order; a project that could not be
loaded is a result whose one finding is its input error. The approvers (parties) and the packs
(resources) are gathered in memory (bounded by the waivers and packs, not by N); each project's
result and evidence-file resources are spooled as formatted text and spliced into the document
at the end, which is what ``json.dumps(document, indent=2)`` would have written.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from mlcompliance.render import oscal as one
from mlcompliance.render.failure import Failure
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.render.view import text
from mlcompliance.result.codec import from_dict
from mlcompliance.result.rollup import Rollup, Spool

RESULT_INDENT = 6      # {"assessment-results": {"results": [ <here>
RESOURCE_INDENT = 8    # {"assessment-results": {"back-matter": {"resources": [ <here>


def _item(value: Any, indent: int) -> str:
    pad = " " * indent
    return pad + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


def prepare(entry: dict[str, Any]) -> dict[str, Any]:
    """One project's OSCAL result and evidence-file resources (as text), packs and parties; for a
    project that could not be loaded, its failure (the result is dated by the sink's header)."""
    if "result" not in entry:
        f = Failure.of(entry)
        return {"failure": {"path": f.path, "error": f.message, "file": f.file, "line": f.line}}
    from mlcompliance.render.sarif import safe_prefix
    part = one.parts(from_dict(entry["result"]), key=text(entry.get("path")) or None,
                     prefix=safe_prefix(entry.get("path")))
    return {"result": _item(part["result"], RESULT_INDENT),
            "files": [_item(r, RESOURCE_INDENT) for r in part["files"]],
            "packs": part["packs"], "parties": part["parties"], "pack_names": part["pack_names"]}


class Sink(_Base):
    uses_sha256 = True

    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.results = Spool()
        self.files = Spool()
        self.packs: dict[str, dict[str, Any]] = {}
        self.parties: dict[str, dict[str, Any]] = {}
        self.pack_names: set[str] = set()
        self.as_of = _date(header.get("as_of"))
        self.stamp = one.timestamp(self.as_of or date(1970, 1, 1), text(header.get("generated_at")) or None)
        self.version = text((header.get("tool") or {}).get("version")) or "0"

    def take(self, path: str, line: str, fragment: Any) -> None:
        if fragment is None:
            return
        if "failure" in fragment:
            failure = Failure.of(fragment["failure"])
            self.results.append(_item(one.failure_result(failure, self.version, self.as_of, self.stamp),
                                      RESULT_INDENT))
            return
        self.results.append(fragment["result"])
        for item in fragment["files"]:
            self.files.append(item)
        for res in fragment["packs"]:
            self.packs.setdefault(res["uuid"], res)
        for party in fragment["parties"]:
            self.parties.setdefault(party["uuid"], party)
        self.pack_names.update(fragment["pack_names"])

    def finish(self, rollup: Rollup, sha256: str) -> None:
        as_of = self.as_of.isoformat() if self.as_of else "unknown"
        count = self.results.count
        plan = one._plan_resource("portfolio", sorted(self.pack_names))
        props = one._props(("as-of", as_of), ("verdict", rollup.verdict), ("projects", count),
                           ("portfolio-sha256", sha256))
        doc = one._document(one._line(f"mlcompliance assessment results: portfolio of {count} projects"), self.stamp,
                            as_of, one._uuid("portfolio", sha256), plan, [], [], props,
                            sorted(self.parties.values(), key=lambda p: p["name"]))
        ar = doc["assessment-results"]
        ar["results"] = "\0results"
        ar["back-matter"]["resources"] = "\0resources"
        skeleton = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        fixed = [_item(r, RESOURCE_INDENT) for r in (plan, *self.packs.values())]
        parts = {"results": iter(self.results), "resources": _chain(fixed, self.files)}
        pos = 0
        for match in re.finditer(r'"(results|resources)": "\\u0000\1"', skeleton):
            start = match.start() + len(match.group(1)) + 4              # after '"name": '
            self.out.write(skeleton[pos:start])
            indent = len(skeleton[:match.start()].rsplit("\n", 1)[1])    # the key's
            first = True
            for item in parts[match.group(1)]:
                self.out.write(("[\n" if first else ",\n") + item)
                first = False
            self.out.write("[]" if first else "\n" + " " * indent + "]")
            pos = match.end()
        self.out.write(skeleton[pos:])
        self.results.close()
        self.files.close()


def _chain(first: list[str], spool: Spool):
    yield from first
    yield from spool


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(text(value))
    except ValueError:
        return None
