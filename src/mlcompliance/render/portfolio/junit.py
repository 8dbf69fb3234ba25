"""The portfolio as JUnit XML, streamed: one ``<testsuite>`` per project and pack, named
``PROJECT-PATH: PACK VERSION``. Each project's suites are serialised where it was checked and
spooled; the ``<testsuites>`` totals, known at the end, are written before them. A project that
could not be loaded is a suite ``PROJECT-PATH: input`` with one ``<error>`` testcase."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from mlcompliance.render import junit as one
from mlcompliance.render.failure import Failure, junit_suite
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.render.view import text
from mlcompliance.result.codec import from_dict
from mlcompliance.result.rollup import Rollup, Spool

_TOTALS = ("tests", "failures", "errors", "skipped")


def prepare(entry: dict[str, Any]) -> dict[str, Any] | None:
    holder = ET.Element("testsuites")
    if "result" not in entry:        # not loaded: a suite with one <error> testcase (render/failure.py)
        failure = Failure.of(entry)
        totals = junit_suite(holder, failure, failure.path)
    else:
        result = from_dict(entry["result"])
        label = text(entry.get("path")) or result.project.name
        totals = one._suites(holder, result, label)
    ET.indent(holder, space="  ")
    suites = []
    for suite in holder:
        suite.tail = None
        suites.append("  " + ET.tostring(suite, encoding="unicode"))
    return {"totals": totals, "xml": "\n".join(suites)}


class Sink(_Base):
    uses_sha256 = True

    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.totals = dict.fromkeys(_TOTALS, 0)
        self.suites = Spool()

    def take(self, path: str, line: str, fragment: Any) -> None:
        if fragment is None:
            return
        for k in _TOTALS:
            self.totals[k] += fragment["totals"][k]
        if fragment["xml"]:
            self.suites.append(fragment["xml"])

    def finish(self, rollup: Rollup, sha256: str) -> None:
        n = rollup.projects
        root = ET.Element("testsuites")
        root.set("name", one.xml_text(f"mlcompliance portfolio: {n} project{'s' if n != 1 else ''}"))
        for k, v in self.totals.items():
            root.set(k, str(v))
        root.set("time", "0")
        root.append(ET.Comment(one.xml_text(f" result sha256 {sha256} ").replace("--", "- -")))
        head = ET.tostring(root, encoding="unicode").removesuffix("</testsuites>")
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head.replace("><!--", ">\n  <!--", 1))
        for xml in self.suites:
            self.out.write("\n" + xml)
        self.out.write("\n</testsuites>\n")
        self.suites.close()
