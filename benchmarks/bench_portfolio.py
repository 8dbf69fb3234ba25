#!/usr/bin/env python3
"""Portfolio benchmark: peak RSS of streamed portfolios at N = 1 000 and N = 10 000, and the cost of `merge`.

Phases (each writes its figures to <bench>/results/portfolio-*.json and prints a Markdown table):

  check    `mlcompliance check --recursive projects/N --policy-path benchmarks/packs --format F -o OUT`
           for each N and format F (`--formats`; by default json at every N and every format at
           N <= --all-formats-max). Peak RSS is GNU time's %M: the largest single process (the
           parent; each worker holds one project at a time).
  render   `mlcompliance render OUT.jsonl --format F -o OUT` for every format, from the JSON Lines
           the check phase wrote for each N (the same sinks as check, without checking).
  merge    splits the N = 10 000 JSON Lines into 4 shards by `portfolio.shard_of` (the lines
           `check --shard I/4` writes), then times `mlcompliance merge` of them (--format json)
           against a process that only reads their lines and parses each as JSON.

Usage:  python benchmarks/bench_portfolio.py [check] [render] [merge] [--sizes 1000 10000]
        [--formats json,html] [--all-formats-max 1000] [--repeats 3]
Generate the projects first: python benchmarks/gen_projects.py 1000 10000
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AS_OF, PACKS_DIR, REPO, bench_dir, projects_dir, results_dir

sys.path.insert(0, str(REPO / "src"))   # split_shards uses the library of this working tree

FORMATS = ("json", "text", "md", "csv", "html", "sarif", "junit", "github")
EXT = {"json": "jsonl", "text": "txt", "md": "md", "csv": "csv", "html": "html", "sarif": "sarif",
       "junit": "xml", "github": "txt"}
PY = sys.executable
TIME = "/usr/bin/time"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def measure(cmd: list[str], cwd: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds (user+sys of the process tree) and peak RSS (MiB) of one run."""
    stats = bench_dir() / ".time"
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "%M %U %S", "-o", str(stats), *cmd], cwd=cwd, env=_env(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    rss_kib, user, system = stats.read_text().split()[-3:]
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr[-2000:]}")
    return {"wall_s": round(wall, 3), "cpu_s": round(float(user) + float(system), 3),
            "rss_mib": round(int(rss_kib) / 1024, 1), "exit": proc.returncode, "load1": os.getloadavg()[0]}


def out_path(n: int, fmt: str, kind: str) -> Path:
    d = bench_dir() / "portfolio-out"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{kind}-{n}.{EXT[fmt]}"


def phase_check(sizes: list[int], formats: list[str], all_max: int) -> list[dict]:
    rows = []
    for n in sizes:
        for fmt in (formats if n <= all_max else ["json"]):
            root = projects_dir(n)
            cmd = [PY, "-m", "mlcompliance", "check", "--recursive", str(root), "--policy-path", str(PACKS_DIR),
                   "--as-of", AS_OF, "--format", fmt, "-o", str(out_path(n, fmt, "check"))]
            m = measure(cmd, REPO)
            m.update(phase="check", n=n, format=fmt, bytes=out_path(n, fmt, "check").stat().st_size)
            print(json.dumps(m), flush=True)
            rows.append(m)
    return rows


def phase_render(sizes: list[int], repeats: int) -> list[dict]:
    rows = []
    for n in sizes:
        saved = out_path(n, "json", "check")
        for fmt in FORMATS:
            runs = [measure([PY, "-m", "mlcompliance", "render", str(saved), "--format", fmt, "-o",
                             str(out_path(n, fmt, "render"))], REPO) for _ in range(repeats)]
            m = {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "rss_mib", "load1")}
            m.update(phase="render", n=n, format=fmt, bytes=out_path(n, fmt, "render").stat().st_size)
            print(json.dumps(m), flush=True)
            rows.append(m)
    return rows


def split_shards(saved: Path, count: int) -> list[Path]:
    """The shard files `check --shard I/count` would write, cut from a whole run's JSON Lines."""
    from mlcompliance import portfolio
    from mlcompliance.result import jsonl
    reader = jsonl.PortfolioReader(saved)
    head = dict(reader.header)
    root = projects_dir(int(saved.stem.split("-")[-1]))
    files = []
    for i in range(1, count + 1):
        reader = jsonl.PortfolioReader(saved)
        items = (it for it in portfolio.iter_saved(reader, "json", {})
                 if portfolio.shard_of(os.path.relpath(it.path, root), count) == i)
        target = bench_dir() / "portfolio-out" / f"shard-{i}-of-{count}.jsonl"
        with open(target, "w", encoding="utf-8") as out:
            written = portfolio.write(items, {**head, "shard": {"index": i, "count": count}}, "json", out, {})
            written.rollup.close()
        files.append(target)
    return files


READ_ONLY = "import json, sys\nfor name in sys.argv[1:]:\n    with open(name, encoding='utf-8') as fh:\n" \
            "        for line in fh:\n            json.loads(line)\n"


def phase_merge(n: int, count: int, repeats: int) -> list[dict]:
    shards = split_shards(out_path(n, "json", "check"), count)
    target = out_path(n, "json", "merge")
    merge = [measure([PY, "-m", "mlcompliance", "merge", *map(str, shards), "--format", "json", "-o", str(target)],
                     REPO) for _ in range(repeats)]
    read = [measure([PY, "-c", READ_ONLY, *map(str, shards)], REPO) for _ in range(repeats)]
    same = target.read_bytes() == out_path(n, "json", "check").read_bytes()
    rows = []
    for label, runs in (("merge", merge), ("read+parse", read)):
        m = {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "rss_mib", "load1")}
        m.update(phase=label, n=n, shards=count, merged_equals_unsharded=same)
        print(json.dumps(m), flush=True)
        rows.append(m)
    rows[0]["ratio_wall"] = round(rows[0]["wall_s"] / rows[1]["wall_s"], 2)
    rows[0]["ratio_cpu"] = round(rows[0]["cpu_s"] / rows[1]["cpu_s"], 2)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("phases", nargs="*", default=["check", "render", "merge"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000])
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--all-formats-max", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    results_dir().mkdir(parents=True, exist_ok=True)
    for phase in a.phases:
        if phase == "check":
            rows = phase_check(a.sizes, a.formats.split(","), a.all_formats_max)
        elif phase == "render":
            rows = phase_render(a.sizes, a.repeats)
        elif phase == "merge":
            rows = phase_merge(max(a.sizes), 4, a.repeats)
        else:
            raise SystemExit(f"unknown phase {phase}")
        (results_dir() / f"portfolio-{phase}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
