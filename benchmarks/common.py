"""Shared helpers for the benchmarks: scratch directories, project listing, rule ids."""
from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PACKS_DIR = HERE / "packs"              # --policy-path for the bench20 pack
AS_OF = "2026-11-01"                    # the as-of date every run uses
RULE_IDS = [f"BENCH-R{i:02d}" for i in range(1, 21)]


def bench_dir() -> Path:
    """Scratch root: $MLC_BENCH_DIR, default /tmp/mlc-bench."""
    return Path(os.environ.get("MLC_BENCH_DIR") or "/tmp/mlc-bench")


def projects_dir(n: int) -> Path:
    """Where gen_projects.py writes the N-project set: <bench_dir>/projects/N/."""
    return bench_dir() / "projects" / str(n)


def project_dirs(n: int) -> list[Path]:
    """The generated project directories of set N, in order (p00000, p00001, ...)."""
    root = projects_dir(n)
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("p"))
    if len(dirs) != n:
        raise SystemExit(f"{root}: expected {n} projects, found {len(dirs)}; run gen_projects.py {n}")
    return dirs


def results_dir() -> Path:
    return bench_dir() / "results"
