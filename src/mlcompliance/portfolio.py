"""Portfolio: many projects checked in one run and rolled up into one result.

`check DIR...` with several directories, or `check --recursive ROOT`, checks every project
(on all cores when there are enough of them), then builds a portfolio result: each
project's full result, a projects x packs score matrix, tiers and verdicts, the worst
findings across projects, and outcome totals. pandas does the roll-ups; it is imported
only here, never on the single-project path.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance import __version__
from mlcompliance.errors import InputError
from mlcompliance.evidence.project import CONFIG_NAMES, KINDS
from mlcompliance.result.codec import RESULT_VERSION, to_dict
from mlcompliance.vocab import BLOCKING, SEVERITY_RANK, TIERS

PARALLEL_MIN = 200        # below this, starting worker processes (imports, pack compilation) costs more than it saves
WORST_LISTED = 25
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def find_projects(root: Path) -> list[Path]:
    """Directories under ``root`` holding an mlcompliance.yaml or a model card (not descending into them)."""
    if not root.is_dir():
        raise InputError("not a directory", file=str(root), expected="a directory of projects")
    markers = set(CONFIG_NAMES) | {f"{k}{ext}" for k in KINDS for ext in (".yaml", ".yml", ".json")}
    found = []
    for here, dirs, files in os.walk(root, followlinks=False):
        if markers & set(files):
            found.append(Path(here))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
    return sorted(found)


_worker_checker = None


def _init_worker(policy_paths: tuple[Path, ...]) -> None:
    global _worker_checker
    from mlcompliance.run import Checker
    _worker_checker = Checker(policy_paths)


def _check_one(args: tuple[str, date, str | None]) -> dict[str, Any]:
    path, as_of, fail_on = args
    try:
        result = _worker_checker.check(Path(path), as_of, fail_on)  # type: ignore[union-attr]
        return {"path": path, "result": to_dict(result)}   # the roll-up reads each result's JSON form
    except InputError as err:
        return {"path": path, "error": str(err)}


def check_all(paths: Iterable[str], as_of: date, fail_on: str | None, policy_paths: tuple[Path, ...] = (),
              jobs: int | None = None, progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Check each project; entries are {path, result} or {path, error}, in the order given."""
    todo = [(p, as_of, fail_on) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(todo) >= PARALLEL_MIN:
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_init_worker,
                                 initargs=(policy_paths,)) as pool:
            entries = []
            for entry in pool.map(_check_one, todo, chunksize=max(1, len(todo) // (jobs * 8))):
                entries.append(entry)
                if progress:
                    progress(1)
            return entries
    _init_worker(policy_paths)
    entries = []
    for item in todo:
        entries.append(_check_one(item))
        if progress:
            progress(1)
    return entries


def build(entries: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    import pandas as pd

    checked = [e for e in entries if "result" in e]
    rows = [{"project": e["path"], "pack": p["id"], "raw": p["score"]["raw"],
             "numerator": p["score"]["numerator"], "denominator": p["score"]["denominator"]}
            for e in checked for p in e["result"]["summary"]["packs"]]
    frame = pd.DataFrame(rows, columns=["project", "pack", "raw", "numerator", "denominator"])
    packs = sorted(frame["pack"].unique().tolist())
    scores = frame.pivot_table(index="project", columns="pack", values="raw", aggfunc="first", dropna=False)
    matrix = []
    for e in checked:
        r = e["result"]
        row = scores.loc[e["path"]] if e["path"] in scores.index else None
        mine = {p["id"] for p in r["summary"]["packs"]}
        matrix.append({
            "project": e["path"], "name": r["project"]["name"], "tier": r["risk"]["tier"],
            "verdict": r["gate"]["verdict"], "blocking": len(r["gate"]["blocking"]),
            "stage": (r.get("maturity") or {}).get("stage", {}).get("stage"),
            "score": r["summary"]["score"]["raw"],
            "scores": {pid: (None if row is None or pd.isna(row[pid]) else float(row[pid]))
                       for pid in packs if pid in mine},
        })
    by_pack = frame.groupby("pack")[["numerator", "denominator"]].sum()
    pack_totals = {pid: {"numerator": int(row.numerator), "denominator": int(row.denominator),
                         "raw": round(100.0 * row.numerator / row.denominator, 1) if row.denominator else None}
                   for pid, row in by_pack.iterrows()}
    tiers = pd.Series([m["tier"] for m in matrix], dtype="object").value_counts().to_dict()
    outcomes: dict[str, int] = {}
    for e in checked:
        for k, v in e["result"]["summary"]["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + v
    worst = sorted(({"project": e["path"], **{k: f[k] for k in ("rule_id", "pack", "severity", "outcome", "message",
                                                                   "fingerprint")}, "location": f["location"]}
                    for e in checked for f in e["result"]["findings"] if f["outcome"] in BLOCKING),
                   key=lambda f: (-SEVERITY_RANK[f["severity"]], f["outcome"] != "error", f["project"], f["rule_id"],
                                  f["location"]["file"], f["location"]["target"]))
    errors = [{"path": e["path"], "error": e["error"]} for e in entries if "error" in e]
    non_compliant = [m["project"] for m in matrix if m["verdict"] != "compliant"]
    return {
        "result_version": RESULT_VERSION, "portfolio": True,
        "tool": {"name": "mlcompliance", "version": __version__}, "as_of": as_of.isoformat(),
        "summary": {"projects": len(entries), "checked": len(checked), "errors": len(errors),
                    "compliant": len(checked) - len(non_compliant), "non_compliant": len(non_compliant),
                    "tiers": {t: int(tiers.get(t, 0)) for t in TIERS},
                    "outcomes": outcomes, "packs": pack_totals},
        "gate": {"verdict": "error" if errors else ("non_compliant" if non_compliant else "compliant"),
                 "non_compliant": non_compliant},
        "packs": packs, "matrix": matrix, "worst_findings": worst[:WORST_LISTED], "errors": errors,
        "projects": [{"path": e["path"], "result": e["result"]} for e in checked],
    }


def exit_code(portfolio: dict[str, Any]) -> int:
    return {"compliant": 0, "non_compliant": 1, "error": 2}[portfolio["gate"]["verdict"]]
