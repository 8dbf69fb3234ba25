"""The portfolio as GitHub Actions workflow commands, streamed.

Annotations of every project (files prefixed with the project's path when it is relative), and
an ``::error`` for each project that could not be loaded, at its input error's file and line;
ordered as for one project: blocking first, then by severity, outcome, project, pack and rule.
Each annotation goes to the spool of its (blocking, severity, outcome) class as its project
comes (projects arrive in path order), and the spools are written one after the other at the
end: the global order without a global sort. Then one notice with the portfolio's verdict and
one line per project.
"""
from __future__ import annotations

from typing import Any

from mlcompliance.render import github as one
from mlcompliance.render.failure import Failure, annotation
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.render.sarif import safe_prefix
from mlcompliance.render.view import text
from mlcompliance.result.codec import from_dict
from mlcompliance.result.rollup import Rollup, Spool

FAILURE_KEY = (False, -100, -1)
"""The annotation class of a project not loaded: sorts before blocking findings of any severity."""


def prepare(entry: dict[str, Any]) -> dict[str, Any] | None:
    path = text(entry.get("path"))
    if "result" not in entry:       # an ::error at the input error's file and line, before every other
        failure = Failure.of(entry)
        return {"annotations": [[list(FAILURE_KEY), annotation(failure)]],
                "line": f"{path}: not checked: {text(entry.get('error'))}", "error": True}
    r = from_dict(entry["result"])
    annotated = one._annotations(r, safe_prefix(entry.get("path")))
    annotated.sort(key=lambda x: x[0])
    line = (f"{path}: {r.gate.verdict.replace('_', '-')}, {len(r.gate.blocking)} blocking, "
            f"score {one._score(r.summary.score)}")
    return {"annotations": [[list(key[:3]), command] for key, command in annotated], "line": line, "error": False}


class Sink(_Base):
    def __init__(self, out, header, **options: Any) -> None:
        super().__init__(out, header, **options)
        self.classes: dict[tuple, Spool] = {}
        self.lines = Spool()
        self.errors = Spool()

    def take(self, path: str, line: str, fragment: Any) -> None:
        for key, command in fragment["annotations"]:
            spool = self.classes.get(tuple(key))
            if spool is None:
                spool = self.classes[tuple(key)] = Spool()
            spool.append(command)
        (self.errors if fragment["error"] else self.lines).append(fragment["line"])

    def finish(self, rollup: Rollup, sha256: str) -> None:
        for key in sorted(self.classes):
            for command in self.classes[key]:
                self.out.write(command + "\n")
            self.classes[key].close()
        s = rollup.summary()
        head = (f"Portfolio: {rollup.verdict.replace('_', '-').upper()}: {s['compliant']} compliant, "
                f"{s['non_compliant']} non-compliant, {s['errors']} not checked (of {s['projects']})")
        # one.command("notice", ..., "\n".join([head, *lines, *errors])), written line by line
        self.out.write(one.command("notice", {"title": "mlcompliance portfolio"}, head))
        for spool in (self.lines, self.errors):
            for line in spool:
                self.out.write("%0A" + one.escape_data(line))
            spool.close()
        self.out.write("\n")
