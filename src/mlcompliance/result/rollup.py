"""The portfolio roll-up, accumulated one project at a time in memory that does not grow with N.

Each project's result is reduced to a small *digest* (:func:`digest`: its matrix row, outcome
counts, pack numerators and denominators, and its own worst findings), which can be computed
wherever the result is (in a worker process, or while reading a saved portfolio).
:class:`Rollup` adds digests in project order and keeps only fixed-size totals, the worst
findings overall (at most ``WORST_LISTED``), and the per-project rows (matrix rows and input
errors) in a temporary *spool* file on disk, read back once at the end. It never holds a
project's result, so a portfolio of 10 000 projects takes the memory of a few.

The summary line of a portfolio (docs/result.md) is written by :meth:`Rollup.summary_chunks`
in pieces, so even its matrix is never one string in memory.
"""
from __future__ import annotations

import json
import pickle
import tempfile
from collections.abc import Iterator
from typing import Any

from mlcompliance.vocab import BLOCKING, SEVERITY_RANK, TIERS

WORST_LISTED = 25
WORST_KEYS = ("rule_id", "pack", "severity", "outcome", "message", "fingerprint")


def _worst_key(f: dict[str, Any]) -> tuple:
    return (-SEVERITY_RANK[f["severity"]], f["outcome"] != "error", f["project"], f["rule_id"],
            f["location"]["file"], f["location"]["target"])


def digest(entry: dict[str, Any]) -> dict[str, Any]:
    """What the roll-up needs of one portfolio entry ({path, result} or {path, error, ...})."""
    path = entry["path"]
    if "result" not in entry:
        error = {"path": path, "error": entry["error"], "file": entry.get("file"), "line": entry.get("line")}
        if "errors" in entry:
            error["errors"] = entry["errors"]
        return {"path": path, "error": error}
    r = entry["result"]
    packs = r["summary"]["packs"]
    raw: dict[str, Any] = {}
    totals: dict[str, list[int]] = {}
    for p in packs:
        raw.setdefault(p["id"], p["score"]["raw"])
        t = totals.setdefault(p["id"], [0, 0])
        t[0] += int(p["score"]["numerator"])
        t[1] += int(p["score"]["denominator"])
    score = r["summary"]["score"]["raw"]
    # values are coerced to the types the roll-up and the renderers rely on (unchanged when the
    # result is well formed), so a damaged saved result fails here, where its line is known
    row = {"project": path, "name": r["project"]["name"], "tier": str(r["risk"]["tier"]),
           "verdict": str(r["gate"]["verdict"]), "blocking": len(r["gate"]["blocking"]),
           "stage": ((r.get("maturity") or {}).get("stage") or {}).get("stage"),
           "score": None if score is None else float(score),
           "scores": {pid: (None if raw[pid] is None else float(raw[pid])) for pid in sorted(raw)}}
    worst = [{"project": path, **{k: f[k] for k in WORST_KEYS}, "location": f["location"]}
             for f in r["findings"] if f["outcome"] in BLOCKING]
    worst.sort(key=_worst_key)
    outcomes = {str(k): int(v) for k, v in r["summary"]["outcomes"].items()}
    return {"path": path, "row": row, "outcomes": outcomes, "totals": totals,
            "worst": worst[:WORST_LISTED]}


class Spool:
    """An append-only list of values kept in a temporary file (JSON lines, or pickles for values
    JSON cannot carry, such as the HTML renderer's ``Markup`` strings); iterate it to read back."""

    def __init__(self, codec: str = "json") -> None:
        self._file = tempfile.TemporaryFile("w+b")
        self._pickle = codec == "pickle"
        self.count = 0

    def append(self, value: Any) -> None:
        if self._pickle:
            pickle.dump(value, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            self._file.write(json.dumps(value, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def append_text(self, line: str) -> None:
        """Append one value already serialised as a JSON text (no newline inside)."""
        self._file.write(line.encode("utf-8") + b"\n")
        self.count += 1

    def texts(self) -> Iterator[str]:
        """The JSON texts, in order (JSON spools only)."""
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            yield self._file.readline()[:-1].decode("utf-8")
        self._file.seek(0, 2)

    def __iter__(self) -> Iterator[Any]:
        if not self._pickle:
            yield from (json.loads(t) for t in self.texts())
            return
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)
        self._file.seek(0, 2)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        self._file.close()


class Rollup:
    """Totals over the digests added so far; see the module docstring for what it keeps."""

    def __init__(self) -> None:
        self.projects = self.checked = self.compliant = 0
        self.tiers: dict[str, int] = {}
        self.outcomes: dict[str, int] = {}
        self.totals: dict[str, list[int]] = {}
        self.worst: list[dict[str, Any]] = []
        self.worst_index: dict[str, int] = {}   # project path -> its 0-based position among checked projects
        self.matrix = Spool()
        self.errors = Spool()
        self.width = 0                             # longest path of a checked project (text table)

    def add(self, d: dict[str, Any]) -> None:
        self.projects += 1
        if "error" in d:
            self.errors.append(d["error"])
            return
        self.width = max(self.width, len(d["path"]))
        row = d["row"]
        self.matrix.append(row)
        self.checked += 1
        self.compliant += row["verdict"] == "compliant"
        self.tiers[row["tier"]] = self.tiers.get(row["tier"], 0) + 1
        for k, v in d["outcomes"].items():
            self.outcomes[k] = self.outcomes.get(k, 0) + v
        for pid, (num, den) in d["totals"].items():
            t = self.totals.setdefault(pid, [0, 0])
            t[0] += num
            t[1] += den
        if d["worst"]:
            merged = self.worst + d["worst"]
            merged.sort(key=_worst_key)   # stable: earlier projects first among equals
            self.worst = merged[:WORST_LISTED]
            if any(f["project"] == d["path"] for f in self.worst):
                self.worst_index[d["path"]] = self.checked - 1
            live = {f["project"] for f in self.worst}
            self.worst_index = {k: v for k, v in self.worst_index.items() if k in live}

    # --- the finished roll-up -------------------------------------------------------------

    @property
    def non_compliant(self) -> int:
        return self.checked - self.compliant

    @property
    def verdict(self) -> str:
        return "error" if self.errors else ("non_compliant" if self.non_compliant else "compliant")

    @property
    def pack_ids(self) -> list[str]:
        return sorted(self.totals)

    def summary(self) -> dict[str, Any]:
        """The ``summary`` object of the summary line."""
        return {"projects": self.projects, "checked": self.checked, "errors": len(self.errors),
                "compliant": self.compliant, "non_compliant": self.non_compliant,
                "tiers": {t: self.tiers.get(t, 0) for t in TIERS}, "outcomes": self.outcomes,
                "packs": {pid: {"numerator": num, "denominator": den,
                                "raw": round(100.0 * num / den, 1) if den else None}
                          for pid, (num, den) in sorted(self.totals.items())}}

    def summary_chunks(self) -> Iterator[str]:
        """The summary line (ending in a newline), in pieces; joined, it equals ``json.dumps`` of the
        whole object, so ``jq`` or any JSON reader sees one ordinary line."""
        def dumps(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False)
        yield ('{"kind": "summary", "summary": ' + dumps(self.summary()) + ', "gate": '
               + dumps({"verdict": self.verdict}) + ', "packs": ' + dumps(self.pack_ids) + ', "matrix": [')
        yield from _joined(self.matrix.texts())
        yield '], "worst_findings": ' + dumps(self.worst) + ', "errors": ['
        yield from _joined(self.errors.texts())
        yield "]}\n"

    def close(self) -> None:
        self.matrix.close()
        self.errors.close()


def _joined(texts: Iterator[str]) -> Iterator[str]:
    first = True
    for t in texts:
        yield t if first else ", " + t
        first = False
