#!/usr/bin/env python3
"""Benchmark `mlcompliance check` against the bench20 floor (plain Python over the same files).

Phases (run `python bench_check.py all`, or name phases; results in <bench>/results/*.json):

  env         versions, CPU, the git commit and dirty state of src/ and policies/
  imports     which modules the check path imports (pandas and scipy must not be among them),
              python -X importtime top entries, and `python -c` start-up references
  cold        (a) cold start: one `mlcompliance check` of one project (N=1) as a subprocess,
              with --policy-path benchmarks/packs (bench20 only, selected by the project's
              mlcompliance.yaml) and with the default built-in packs; the floor on N=1
  throughput  (b) `mlcompliance check` over all N = 100 and 10 000 projects in ONE process
              (text output; then JSON output, which is also used to verify the verdicts), and
              (c) the floor (floor.py) over the same directories; verdicts vs expected.json
  verify      verdicts only: one JSON run per size against expected.json (no timing repeats)
  inproc      the Checker API in process over N=10000 (no CLI, no rendering), verdicts checked
  breakdown   CPU microseconds per project for each stage of a check (parse, schema validation,
              rules, result, rendering) and for the floor's stages, on 1000 projects
  profile     cProfile of the CLI entry point called in process with all N=10000 paths
  report      markdown tables from the saved results

Every figure is the median of --repeats (default 5) runs, 3 for runs over 10 s. Wall time is
time.perf_counter around the child; CPU is the child's user+sys from os.wait4; peak RSS is
GNU `/usr/bin/time -f %M` (set MLC_BENCH_TIME="" to turn it off). The run discarded as warm-up
is the first one unless it took over 10 s, in which case it counts as the first of 3 samples.

Usage:  python gen_projects.py 1 100 10000   # once, about 25 s
        python bench_check.py all            # about 15 minutes on 2 cores
        python bench_check.py report         # markdown tables
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import AS_OF, PACKS_DIR, REPO, RULE_IDS, bench_dir, project_dirs, projects_dir, results_dir  # noqa: E402

PY = sys.executable
FLOOR = str(HERE / "floor.py")
SIZES = (100, 10000)
LONG_RUN = 10.0          # seconds: runs longer than this are repeated 3 times, not --repeats
BENCH = frozenset(RULE_IDS)
HEAVY = ("pandas", "scipy", "numpy", "jinja2", "markdown")   # modules the check path should not import


def mlc_bin() -> str:
    cand = Path(PY).parent / "mlcompliance"
    return str(cand) if cand.exists() else (shutil.which("mlcompliance") or "mlcompliance")


# ----------------------------------------------------------------------------- helpers
def save(phase: str, data: dict) -> None:
    d = results_dir()
    d.mkdir(parents=True, exist_ok=True)
    data["_meta"] = {"phase": phase, "time": time.strftime("%Y-%m-%d %H:%M:%S"), "python": platform.python_version()}
    (d / f"{phase}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(f"[saved {phase}]", file=sys.stderr)


def load(phase: str) -> dict | None:
    p = results_dir() / f"{phase}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def _time_bin() -> str | None:
    """GNU time, for the child's own peak RSS (%M): ru_maxrss from wait4 keeps the forking parent's RSS."""
    p = os.environ.get("MLC_BENCH_TIME", "/usr/bin/time")
    return p if p and os.access(p, os.X_OK) else None


def run_proc(cmd: list[str], cwd: Path | None = None, stdout_path: Path | None = None) -> dict:
    """Run cmd once: wall seconds, child user+sys CPU (os.wait4), peak RSS in KiB, exit code."""
    tbin = _time_bin()
    rss_file = results_dir() / ".rss"
    if tbin:
        cmd = [tbin, "-f", "%M", "-o", str(rss_file)] + cmd
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
        err = p.stderr.read()
        _pid, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        p.stderr.close()
    finally:
        if stdout_path:
            out.close()
    rss = None
    if tbin:
        try:
            rss = int(rss_file.read_text().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            rss = None
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": rss, "rc": rc,
            "load1": os.getloadavg()[0], "stderr": err.decode(errors="replace")[-2000:]}


def summary(xs: list[float]) -> dict:
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs), "samples": xs}


def bench_proc(label: str, cmd: list[str], repeats: int, cwd: Path | None = None,
               stdout_path: Path | None = None, expect_rc: tuple[int, ...] = (0, 1)) -> dict:
    """Median of `repeats` runs (3 when a run takes over LONG_RUN s); the first run is a warm-up
    unless it is long, in which case it is kept as a sample."""
    first = run_proc(cmd, cwd, stdout_path)
    if first["rc"] not in expect_rc:
        raise SystemExit(f"{label}: exit code {first['rc']}\n{first['stderr']}")
    if first["wall"] > LONG_RUN:
        runs = [first] + [run_proc(cmd, cwd, stdout_path) for _ in range(2)]
    else:
        runs = [run_proc(cmd, cwd, stdout_path) for _ in range(repeats)]
    rss = [r["maxrss_kb"] for r in runs]
    res = {"cmd": _display(cmd), "wall": summary([r["wall"] for r in runs]),
           "cpu": summary([r["cpu"] for r in runs]),
           "maxrss_kb": statistics.median(rss) if None not in rss else None,
           "rc": runs[-1]["rc"], "rcs": sorted({r["rc"] for r in runs}),
           "load1_after": [round(r["load1"], 2) for r in runs]}
    print(f"  {label:52s} wall {res['wall']['median'] * 1e3:10.1f} ms  cpu {res['cpu']['median'] * 1e3:10.1f} ms"
          f"  rss {_mib(res['maxrss_kb'])}  rc={res['rc']}  (n={len(runs)}, load {max(res['load1_after']):.1f})",
          file=sys.stderr)
    return res


def _mib(kb) -> str:
    return "n/a" if kb is None else f"{kb / 1024:.0f} MiB"


def _display(cmd: list[str]) -> str:
    parts = []
    for c in cmd:
        if c == PY:
            c = "python"
        c = c.replace(str(Path(PY).parent) + os.sep, "").replace(str(HERE) + os.sep, "benchmarks/")
        c = c.replace(str(bench_dir()) + os.sep, "$MLC_BENCH_DIR/")
        parts.append(c)
    if len(parts) > 12:   # N project dirs: show the first two and a count
        dirs = [p for p in parts if p.startswith("p") and p[1:].isdigit()]
        if len(dirs) > 3:
            keep = [p for p in parts if p not in dirs[2:]]
            i = keep.index(dirs[1]) + 1
            keep.insert(i, f"... ({len(dirs)} project dirs)")
            parts = keep
    return " ".join(parts)


def expected(n: int) -> dict[str, list[str]]:
    return json.loads((projects_dir(n) / "expected.json").read_text(encoding="utf-8"))


def need(*sizes: int) -> None:
    for n in sizes:
        if not (projects_dir(n) / "expected.json").exists():
            raise SystemExit(f"projects for N={n} missing: run `python {HERE / 'gen_projects.py'} {n}` first")


def default_pack_project() -> Path:
    """A copy of project p00000 of the N=1 set without mlcompliance.yaml, so the default
    (built-in) packs apply."""
    src = project_dirs(1)[0]
    dst = bench_dir() / "projects" / "1-default" / src.name
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for kind in ("model_card", "data_manifest", "pipeline"):
        shutil.copy(src / f"{kind}.yaml", dst / f"{kind}.yaml")
    return dst


def check_cmd(dirs: list[str], fmt: str = "text", out: Path | None = None) -> tuple[list[str], str]:
    """The one-process CLI command over `dirs` (relative to the set's directory). Uses the real
    console script when the command line fits in ARG_MAX, else an in-process driver that calls
    the CLI entry point with all paths read from a file."""
    opts = ["--policy-path", str(PACKS_DIR), "--as-of", AS_OF, "--format", fmt]
    if out is not None:
        opts += ["-o", str(out)]
    cmd = [mlc_bin(), "check", *dirs, *opts]
    size = sum(len(c) + 1 + 8 for c in cmd) + sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    if size < os.sysconf("SC_ARG_MAX") - 65536:
        return cmd, "CLI subprocess (console script, all paths on the command line)"
    listing = results_dir() / f".dirs-{len(dirs)}.txt"
    listing.write_text("\n".join(dirs), encoding="utf-8")
    driver = ("import sys; from mlcompliance.cli import main; "
              "paths = open(sys.argv[1]).read().split(); "
              "sys.argv = ['mlcompliance', 'check', *paths, *sys.argv[2:]]; main()")
    return [PY, "-c", driver, str(listing), *opts], "in-process driver calling mlcompliance.cli:main with all paths"


def _json_results(path: Path, dirs: list[str]) -> list[dict]:
    """Per-project result dicts in argument order. Handles the single-result form, the older
    {"projects": [result, ...]} form and the portfolio form {"projects": [{"path", "result"}], "errors"}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["projects"] if "projects" in data else [data]
    if items and "result" in items[0] and "findings" not in items[0]:
        by_path = {Path(it["path"]).name: it["result"] for it in items if it.get("result") is not None}
        missing = [d for d in dirs if d not in by_path]
        if missing:
            raise SystemExit(f"{path}: no result for {len(missing)} projects, e.g. {missing[:3]}; "
                             f"errors: {json.dumps(data.get('errors'))[:500]}")
        return [by_path[d] for d in dirs]
    if len(items) != len(dirs):
        raise SystemExit(f"{path}: {len(items)} results for {len(dirs)} projects")
    return items


def verdicts_from_json(path: Path, dirs: list[str]) -> list[list[str]]:
    """Failing (fail or error) bench20 rule ids per project, in argument order, from --format json output.
    Findings of other rules (e.g. checks the engine adds on its own) are left out; see other_failures."""
    return [sorted({f["rule_id"] for f in r["findings"] if f["outcome"] in ("fail", "error") and f["rule_id"] in BENCH})
            for r in _json_results(path, dirs)]


def other_failures(path: Path, dirs: list[str]) -> dict[str, int]:
    """Projects failing each non-bench20 rule id (not part of the verdict check, reported for information)."""
    counts: dict[str, int] = {}
    for r in _json_results(path, dirs):
        for rid in {f["rule_id"] for f in r["findings"] if f["outcome"] in ("fail", "error") and f["rule_id"] not in BENCH}:
            counts[rid] = counts.get(rid, 0) + 1
    return counts


def errors_from_json(path: Path, dirs: list[str]) -> list[tuple[str, str, str]]:
    return [(d, f["rule_id"], f["message"]) for d, r in zip(dirs, _json_results(path, dirs)) for f in r["findings"]
            if f["outcome"] == "error"]


def verdicts_from_floor(path: Path, dirs: list[str]) -> list[list[str]]:
    got: dict[str, list[str]] = {d: [] for d in dirs}
    for line in path.read_text(encoding="utf-8").splitlines():
        if ": " in line:
            d, rid = line.rsplit(": ", 1)
            if d in got:
                got[d].append(rid)
    return [sorted(got[d]) for d in dirs]


def compare(dirs: list[str], got: list[list[str]], exp: dict[str, list[str]]) -> dict:
    bad = [{"project": d, "expected": exp[d], "got": g} for d, g in zip(dirs, got) if g != exp[d]]
    return {"projects": len(dirs), "mismatches": len(bad), "examples": bad[:20]}


# ----------------------------------------------------------------------------- phases
def phase_env(a) -> None:
    from importlib import metadata

    import yaml
    pkgs = {}
    for name in ("mlcompliance", "pyyaml", "jsonschema", "referencing", "rpds-py", "click", "packaging",
                 "jinja2", "pandas", "scipy", "numpy"):
        try:
            pkgs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pkgs[name] = None
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def git(*args: str) -> str:
        r = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip()
    data = {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpus": os.cpu_count(), "packages": pkgs, "yaml_libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
            "git_head": git("rev-parse", "--short", "HEAD"),
            "code_measured": os.environ.get("MLC_BENCH_CODE", "worktree"),
            "git_dirty_src_policies": git("status", "--porcelain", "--", "src", "policies").splitlines()}
    print(json.dumps(data, indent=1), file=sys.stderr)
    save("env", data)


_MODULES_PROBE = r"""
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["mlcompliance", *argv]
from mlcompliance.cli import main
try:
    main()
except SystemExit:
    pass
import mlcompliance
json.dump({"modules": sorted(sys.modules), "file": mlcompliance.__file__}, open(out, "w"))
"""


def _modules_on_check_path(args: list[str], cwd: Path | None = None) -> dict:
    out = results_dir() / ".modules.json"
    if out.exists():
        out.unlink()
    subprocess.run([PY, "-c", _MODULES_PROBE, str(out), *args], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
    probe = json.loads(out.read_text())
    mods = probe["modules"]
    top = sorted({m.split(".")[0] for m in mods})
    return {"mlcompliance_file": probe["file"], "modules": len(mods), "heavy_imported": {h: any(m == h or m.startswith(h + ".") for m in mods) for h in HEAVY},
            "top_level": top}


def _importtime(args: list[str], cwd: Path | None = None) -> list[dict]:
    r = subprocess.run([PY, "-X", "importtime", "-c", "import sys; sys.argv = ['mlcompliance', *sys.argv[1:]]\n"
                        "from mlcompliance.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass", *args],
                       cwd=cwd, capture_output=True, text=True)
    rows = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append({"name": name.strip(), "self_ms": int(self_us) / 1000, "cum_ms": int(cum_us) / 1000, "depth": depth})
    # first import of each top-level package (any depth): what each dependency costs at start-up
    top = sorted((x for x in rows if "." not in x["name"]), key=lambda x: -x["cum_ms"])[:15]
    return top


def phase_imports(a) -> None:
    need(1, 100)
    one = project_dirs(1)[0]
    dflt = default_pack_project()
    dirs100 = [d.name for d in project_dirs(100)]
    data = {
        "bench20, N=1": _modules_on_check_path(["check", str(one), "--policy-path", str(PACKS_DIR), "--as-of", AS_OF]),
        "default packs, N=1": _modules_on_check_path(["check", str(dflt), "--as-of", AS_OF]),
        "bench20, N=100, --format json": _modules_on_check_path(
            ["check", *dirs100, "--policy-path", str(PACKS_DIR), "--as-of", AS_OF, "--format", "json"],
            cwd=projects_dir(100)),
        "importtime bench20 N=1 (top-level, ms)": _importtime(
            ["check", str(one), "--policy-path", str(PACKS_DIR), "--as-of", AS_OF]),
    }
    for k, v in data.items():
        if "heavy_imported" in v:
            print(f"  {k:36s} {v['modules']} modules; " +
                  ", ".join(f"{h}={'YES' if b else 'no'}" for h, b in v["heavy_imported"].items()), file=sys.stderr)
    for row in data["importtime bench20 N=1 (top-level, ms)"][:8]:
        print(f"    importtime {row['name']:36s} cum {row['cum_ms']:7.1f} ms", file=sys.stderr)
    for label, code in (("python -c pass", "pass"), ("import yaml", "import yaml"),
                        ("import yaml, jsonschema", "import yaml, jsonschema"),
                        ("import mlcompliance.cli", "import mlcompliance.cli"),
                        ("import mlcompliance.run", "import mlcompliance.run")):
        data[label] = bench_proc(label, [PY, "-c", code], a.repeats)
    save("imports", data)


def phase_cold(a) -> None:
    need(1)
    one = project_dirs(1)[0]
    dflt = default_pack_project()
    mlc = mlc_bin()
    data = {"bench20": bench_proc("(a) mlcompliance check, bench20 (N=1)",
                                  [mlc, "check", str(one), "--policy-path", str(PACKS_DIR), "--as-of", AS_OF], a.repeats),
            "default": bench_proc("(a) mlcompliance check, default packs (N=1)",
                                  [mlc, "check", str(dflt), "--as-of", AS_OF], a.repeats),
            "version": bench_proc("mlcompliance --version", [mlc, "--version"], a.repeats),
            "floor": bench_proc("floor.py (N=1)", [PY, FLOOR, str(one)], a.repeats)}
    # which packs the default run used, and its verdict
    r = subprocess.run([mlc, "check", str(dflt), "--as-of", AS_OF, "--format", "json"], capture_output=True, text=True)
    try:
        res = json.loads(r.stdout)
        data["default_packs"] = [f"{p['id']}@{p['version']}" for p in res["packs"]]
        data["default_findings"] = len(res["findings"])
    except ValueError:
        data["default_packs"] = f"exit {r.returncode}: {r.stderr.strip()[:300]}"
    r = subprocess.run([mlc, "check", str(one), "--policy-path", str(PACKS_DIR), "--as-of", AS_OF, "--format", "json"],
                       capture_output=True, text=True)
    got = sorted({f["rule_id"] for f in json.loads(r.stdout)["findings"] if f["outcome"] in ("fail", "error")})
    data["verify_n1"] = {"expected": expected(1)[one.name], "got": got}
    print(f"  default packs: {data['default_packs']}; N=1 verdict {got} expected {data['verify_n1']['expected']}",
          file=sys.stderr)
    save("cold", data)


def phase_throughput(a) -> None:
    sizes = a.sizes or SIZES
    need(*sizes)
    data: dict = {}
    for n in sizes:
        cwd = projects_dir(n)
        dirs = [d.name for d in project_dirs(n)]
        exp = expected(n)
        scratch = results_dir()
        row: dict = {"n": n}
        cmd, how = check_cmd(dirs, "text")
        row["how"] = how
        text_out = scratch / f".ours-text-{n}.txt"
        row["ours_text"] = bench_proc(f"(b) mlcompliance check, text, N={n}", cmd, a.repeats, cwd, text_out)
        row["ours_text"]["output_bytes"] = text_out.stat().st_size
        json_out = scratch / f".ours-{n}.json"
        cmd, _ = check_cmd(dirs, "json", json_out)
        row["ours_json"] = bench_proc(f"(b) mlcompliance check, json -o, N={n}", cmd, a.repeats, cwd)
        row["ours_json"]["output_bytes"] = json_out.stat().st_size
        row["verify_ours"] = compare(dirs, verdicts_from_json(json_out, dirs), exp)
        row["verify_ours"]["error_findings"] = errors_from_json(json_out, dirs)[:20]
        row["verify_ours"]["other_rules_failing"] = other_failures(json_out, dirs)
        floor_out = scratch / f".floor-{n}.txt"
        row["floor"] = bench_proc(f"(c) floor.py, N={n}", [PY, FLOOR, *dirs], a.repeats, cwd, floor_out)
        row["verify_floor"] = compare(dirs, verdicts_from_floor(floor_out, dirs), exp)
        o, f = row["ours_text"]["wall"]["median"], row["floor"]["wall"]["median"]
        row["ratio_wall_ours_over_floor"] = o / f
        row["ratio_cpu_ours_over_floor"] = row["ours_text"]["cpu"]["median"] / row["floor"]["cpu"]["median"]
        print(f"  N={n}: ours {n / o:,.0f} projects/s, floor {n / f:,.0f} projects/s, ratio {o / f:.1f}x wall, "
              f"{row['ratio_cpu_ours_over_floor']:.1f}x CPU; "
              f"mismatches ours {row['verify_ours']['mismatches']}, floor {row['verify_floor']['mismatches']}",
              file=sys.stderr)
        data[str(n)] = row
        json_out.unlink()   # can be hundreds of MB
        save("throughput", data)


def phase_verify(a) -> None:
    """Verdicts only (one JSON run per size, no repeats): a quick correctness check of any commit."""
    sizes = a.sizes or SIZES
    need(*sizes)
    data: dict = {"code": os.environ.get("MLC_BENCH_CODE", "worktree")}
    for n in sizes:
        dirs = [d.name for d in project_dirs(n)]
        out = results_dir() / f".verify-{n}.json"
        cmd, how = check_cmd(dirs, "json", out)
        r = run_proc(cmd, projects_dir(n))
        if r["rc"] not in (0, 1):
            raise SystemExit(f"N={n}: exit code {r['rc']}\n{r['stderr']}")
        row = compare(dirs, verdicts_from_json(out, dirs), expected(n))
        row.update({"how": how, "wall": r["wall"], "cpu": r["cpu"], "rc": r["rc"],
                    "error_findings": errors_from_json(out, dirs)[:20], "other_rules_failing": other_failures(out, dirs)})
        out.unlink()
        print(f"  N={n}: {row['mismatches']} mismatches, {len(row['error_findings'])} error findings, other rules "
              f"failing: {row['other_rules_failing']} ({r['wall']:.1f} s)", file=sys.stderr)
        data[str(n)] = row
    save("verify", data)


_INPROC = r"""
import json, sys, time
from datetime import date
from pathlib import Path
t0 = time.perf_counter()
from mlcompliance.run import Checker
packs, root, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
t1 = time.perf_counter()
c1 = time.process_time()
checker = Checker([packs])
as_of = date.fromisoformat("%s")
out = []
for name in names:
    r = checker.check(root / name, as_of)
    out.append(sorted({f["rule_id"] for f in r["findings"] if f["outcome"] in ("fail", "error")}))
t2 = time.perf_counter()
c2 = time.process_time()
json.dump({"import_s": t1 - t0, "check_s": t2 - t1, "check_cpu_s": c2 - c1, "verdicts": out}, sys.stdout)
""" % AS_OF


def phase_inproc(a) -> None:
    n = 10000
    need(n)
    dirs = [d.name for d in project_dirs(n)]
    exp = expected(n)
    samples, cpu, res = [], [], None
    for i in range(3):
        r = subprocess.run([PY, "-c", _INPROC, str(PACKS_DIR), str(projects_dir(n)), *dirs],
                           capture_output=True, text=True, check=True)
        res = json.loads(r.stdout)
        samples.append(res["check_s"])
        cpu.append(res["check_cpu_s"])
        print(f"  Checker API in process, N={n}: {res['check_s']:.2f} s wall, {res['check_cpu_s']:.2f} s CPU "
              f"({n / res['check_cpu_s']:,.0f} projects per CPU-second; load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    data = {"n": n, "check_s": summary(samples), "check_cpu_s": summary(cpu), "import_s": res["import_s"],
            "verify": compare(dirs, res["verdicts"], exp)}
    print(f"  mismatches {data['verify']['mismatches']}", file=sys.stderr)
    save("inproc", data)


def phase_breakdown(a) -> None:
    n = 10000
    need(n)
    r = subprocess.run([PY, str(HERE / "breakdown.py"), str(PACKS_DIR), str(projects_dir(n)), str(a.breakdown_n)],
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"breakdown.py failed:\n{r.stderr[-3000:]}")
    data = json.loads(r.stdout)
    for k, v in data["us_per_project"].items():
        print(f"  {k:72s} {v:9.0f} us/project", file=sys.stderr)
    save("breakdown", data)


_PROFILE = r"""
import cProfile, io, os, sys
prof_out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["mlcompliance", *argv]
from mlcompliance.cli import main
pr = cProfile.Profile()
sys.stdout = open(os.devnull, "w")
pr.enable()
try:
    main()
except SystemExit:
    pass
pr.disable()
pr.dump_stats(prof_out)
"""


def phase_profile(a) -> None:
    import pstats
    n = a.profile_n
    need(n)
    dirs = [d.name for d in project_dirs(n)]
    prof = results_dir() / f"profile-{n}.prof"
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", _PROFILE, str(prof), "check", *dirs, "--policy-path", str(PACKS_DIR),
                    "--as-of", AS_OF], cwd=projects_dir(n), check=True)
    wall = time.perf_counter() - t0
    st = pstats.Stats(str(prof))
    total = st.total_tt
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in st.stats.items():
        rows.append({"where": f"{_short(file)}:{line}:{func}", "ncalls": nc, "tottime": tt, "cumtime": ct,
                     "ours": "/mlcompliance/" in file})
    ours_cum = sorted((r for r in rows if r["ours"]), key=lambda r: -r["cumtime"])[:40]
    all_tot = sorted(rows, key=lambda r: -r["tottime"])[:30]
    for r in ours_cum + all_tot:
        r["cum_share"] = r["cumtime"] / total
        r["tot_share"] = r["tottime"] / total
    data = {"n": n, "wall_under_profile": wall, "total_tt": total, "ours_by_cumtime": ours_cum,
            "all_by_tottime": all_tot, "prof_file": str(prof)}
    print(f"  profiled N={n}: {wall:.1f} s wall under cProfile, {total:.1f} s profiled", file=sys.stderr)
    for r in ours_cum[:25]:
        print(f"    {r['cum_share'] * 100:5.1f}% cum {r['tot_share'] * 100:5.1f}% self  {r['ncalls']:>9}  {r['where']}",
              file=sys.stderr)
    print("  by self time (all code):", file=sys.stderr)
    for r in all_tot[:20]:
        print(f"    {r['tot_share'] * 100:5.1f}% self  {r['ncalls']:>9}  {r['where']}", file=sys.stderr)
    save("profile", data)


def _short(file: str) -> str:
    for marker in ("/src/mlcompliance/", "/site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1] if marker != "/src/mlcompliance/" else "mlcompliance/" + file.split(marker, 1)[1]
    return file


# ----------------------------------------------------------------------------- report
def _ms(s: float) -> str:
    return f"{s * 1e3:,.0f} ms" if s < 10 else f"{s:,.2f} s"


def phase_report(a) -> None:
    env, cold, thr, inproc, imports, brk, prof = (load(p) for p in ("env", "cold", "throughput", "inproc", "imports",
                                                                    "breakdown", "profile"))
    thr = {k: v for k, v in (thr or {}).items() if not k.startswith("_")}
    out = []
    if env:
        out.append(f"Machine: {env['cpu']} ({env['cpus']} cores), Python {env['python']}, libyaml "
                   f"{'yes' if env['yaml_libyaml'] else 'NO'}, jsonschema {env['packages'].get('jsonschema')}; "
                   f"code measured: {env.get('code_measured', 'worktree')[:12]} (HEAD was {env['git_head']}; "
                   f"{len(env['git_dirty_src_policies'])} uncommitted paths in src/ and policies/ of the working tree).")
        out.append("")
    out.append("| measurement | wall median (min) | CPU median | peak RSS | throughput (wall) | target |")
    out.append("|---|---|---|---|---|---|")
    if cold:
        for key, label, target in (("bench20", "(a) cold start, `mlcompliance check` N=1, bench20 pack", "<= 0.3 s"),
                                   ("default", "(a) cold start, `mlcompliance check` N=1, default built-in packs", "<= 0.3 s"),
                                   ("version", "`mlcompliance --version`", ""),
                                   ("floor", "(c) cold start, floor.py N=1", "")):
            r = cold[key]
            ok = ""
            if target:
                ok = f"{target}: {'met' if r['wall']['median'] <= 0.3 else 'MISSED'}"
            out.append(f"| {label} | {_ms(r['wall']['median'])} ({_ms(r['wall']['min'])}) | {_ms(r['cpu']['median'])} | "
                       f"{_mib(r['maxrss_kb'])} | | {ok} |")
    for n, row in thr.items():
        n_i = int(n)
        for key, label in (("ours_text", f"(b) `mlcompliance check` N={n_i:,} in one process, text"),
                           ("ours_json", f"(b) `mlcompliance check` N={n_i:,} in one process, json -o"),
                           ("floor", f"(c) floor.py N={n_i:,}")):
            r = row[key]
            w = r["wall"]["median"]
            target = ""
            if key == "ours_text":
                rw, rc = row["ratio_wall_ours_over_floor"], row.get("ratio_cpu_ours_over_floor")
                target = (f"within 2x of (c): {rw:.1f}x wall" + (f", {rc:.1f}x CPU" if rc else "")
                          + (" met" if max(rw, rc or 0) <= 2 else " MISSED"))
            out.append(f"| {label} | {_ms(w)} ({_ms(r['wall']['min'])}) | {_ms(r['cpu']['median'])} | "
                       f"{_mib(r['maxrss_kb'])} | {n_i / w:,.0f} projects/s | {target} |")
    if inproc:
        w = inproc["check_s"]["median"]
        c = inproc.get("check_cpu_s", {}).get("median")
        out.append(f"| Checker API in process, N={inproc['n']:,} (no CLI, no rendering) | {_ms(w)} | "
                   f"{_ms(c) if c else ''} | | {inproc['n'] / w:,.0f} projects/s | |")
    out.append("")
    for n, row in thr.items():
        out.append(f"- N={int(n):,}: verdict mismatches vs expected.json: ours {row['verify_ours']['mismatches']}, "
                   f"floor {row['verify_floor']['mismatches']}; error findings {len(row['verify_ours']['error_findings'])}; "
                   f"measured as: {row['how']}; 1-minute load average after each sample: ours text "
                   f"{row['ours_text'].get('load1_after')}, floor {row['floor'].get('load1_after')}.")
    if inproc:
        out.append(f"- Checker API N={inproc['n']:,}: mismatches {inproc['verify']['mismatches']}.")
    if imports:
        for k, v in imports.items():
            if isinstance(v, dict) and "heavy_imported" in v:
                out.append(f"- modules on the check path ({k}): {v['modules']}; "
                           + ", ".join(f"{h} {'IMPORTED' if b else 'not imported'}" for h, b in v["heavy_imported"].items()))
    if env:
        out.append("- installed in this venv: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in env["packages"].items()))
    if brk:
        out.append("")
        out.append(f"CPU per project by stage (breakdown phase, first {brk['n']:,} projects of the N=10,000 set):")
        out.append("")
        out.append("| stage | CPU us/project |")
        out.append("|---|---|")
        for k, v in brk["us_per_project"].items():
            out.append(f"| {k} | {v:,.0f} |")
    if prof:
        out.append("")
        out.append(f"cProfile, CLI in process, N={prof['n']:,} ({prof['total_tt']:.0f} s profiled); our functions by "
                   "cumulative share:")
        out.append("")
        out.append("| cumulative | self | calls | function |")
        out.append("|---|---|---|---|")
        for r in prof["ours_by_cumtime"][:20]:
            out.append(f"| {r['cum_share'] * 100:.1f} % | {r['tot_share'] * 100:.1f} % | {r['ncalls']:,} | `{r['where']}` |")
        out.append("")
        out.append("All code by self time:")
        out.append("")
        out.append("| self | calls | function |")
        out.append("|---|---|---|")
        for r in prof["all_by_tottime"][:12]:
            out.append(f"| {r['tot_share'] * 100:.1f} % | {r['ncalls']:,} | `{r['where']}` |")
    print("\n".join(out))


PHASES = {"env": phase_env, "imports": phase_imports, "cold": phase_cold, "throughput": phase_throughput,
          "verify": phase_verify, "inproc": phase_inproc, "breakdown": phase_breakdown, "profile": phase_profile, "report": phase_report}
ALL = ("env", "imports", "cold", "throughput", "inproc", "breakdown", "profile")


def use_code(rev: str) -> str:
    """Run every child against `rev`: "worktree" is the editable install as it is; any git revision
    is exported once (git archive, read-only) to <bench>/code/<sha>/ and put first on PYTHONPATH,
    so edits other people are making in the working tree cannot change the figures mid-run."""
    if rev == "worktree":
        os.environ["MLC_BENCH_CODE"] = "worktree"
        return "worktree (editable install of " + str(REPO / "src") + ")"
    sha = subprocess.run(["git", "rev-parse", rev], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.strip()
    dest = bench_dir() / "code" / sha[:12]
    if not (dest / "src" / "mlcompliance").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        tree = subprocess.run(["git", "ls-tree", "--name-only", sha], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.split()
        paths = [p for p in ("src", "policies", "templates", "pyproject.toml") if p in tree]
        archive = subprocess.run(["git", "archive", "--format=tar", sha, *paths], cwd=REPO,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    os.environ["PYTHONPATH"] = str(dest / "src") + (os.pathsep + os.environ["PYTHONPATH"]
                                                    if os.environ.get("PYTHONPATH") else "")
    os.environ["MLC_BENCH_CODE"] = sha
    return f"git {sha[:12]} ({rev}), exported to {dest}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("phases", nargs="+", choices=[*PHASES, "all"])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="*", help="throughput sizes (default 100 10000)")
    ap.add_argument("--profile-n", type=int, default=10000)
    ap.add_argument("--breakdown-n", type=int, default=1000, help="projects sampled by the breakdown phase")
    ap.add_argument("--code", default="worktree", metavar="REV",
                    help="code to measure: 'worktree' (default: the editable install as it is) or a git "
                         "revision such as HEAD, exported read-only and put first on PYTHONPATH")
    a = ap.parse_args(argv)
    results_dir().mkdir(parents=True, exist_ok=True)
    if "report" not in a.phases or len(a.phases) > 1:
        print(f"code: {use_code(a.code)}", file=sys.stderr)
    phases = [p for x in a.phases for p in (ALL if x == "all" else (x,))]
    for p in phases:
        print(f"== {p}", file=sys.stderr)
        PHASES[p](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
