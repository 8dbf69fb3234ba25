"""The data probes against pandas reading the same file alone (issue 10's benchmark).

Run on demand (never by the tests), from the repository root:

    PYTHONPATH=src .venv/bin/python benchmarks/bench_probes.py [--rows 1000000] [--repeat 3]

It writes a seeded table of ROWS x 20 columns (10 float, 5 integer with blanks, 4 categorical
text, 1 id) as CSV and as Parquet under $MLC_BENCH_DIR/probes/ (default /tmp/mlc-bench), then, each
in a fresh process so peak memory is the run's own: ``pandas.read_csv`` (``read_parquet``) alone,
and every data probe (``probes.data.observe.observe_data``: integrity, profile, personal data,
splits; no cache). Reported: the best wall time of ``--repeat`` runs, with its CPU time (user + system, all threads:
the file is hashed in a second thread while pandas parses it), and their ratios (target <= 1.5),
peak RSS of each process above the interpreter with pandas imported, and the DataFrame's own size
(``memory_usage(deep=True)``); target: the probes' peak above baseline <= 2x the DataFrame.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_probes.py --big-gb 10 [--keep]

writes a seeded CSV of about that many GB (10^9 bytes) with the same 20 columns by streaming
(generated blocks of 1 000 000 rows appended through pyarrow's CSV writer; reused when present),
then probes it (``observe_data``, no cache, ``split_key: id``) in a child process while the parent
samples the child's RSS every 0.5 s from /proc/PID/status and its progress from the read offsets
of the file's descriptors (/proc/PID/fdinfo: the slower of the profile reader and the hashing
thread). Reported: wall time, rows/s, MB/s, peak RSS (VmHWM), the RSS at each 10 % of the file,
and the RSS after the read (facts, splits). The file is deleted afterwards unless ``--keep``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pandas as pd, numpy, pyarrow.parquet
sys.path.insert(0, sys.argv[3])
from mlcompliance.evidence.project import KINDS, Project
from mlcompliance.probes.data.observe import observe_data
path, mode = Path(sys.argv[1]), sys.argv[2]

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

open("/proc/self/clear_refs", "w").write("5")   # reset the peak (VmHWM) to the current RSS
base = status("VmRSS")
t = time.perf_counter()
cpu = time.process_time()
out = {}
if mode == "pandas":
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    out["frame_bytes"] = int(frame.memory_usage(deep=True).sum())
    out["rows"] = len(frame)
else:
    ds = {"id": "bench", "path": path.name, "split": "train", "split_key": "id",
          "fields": [{"name": "i0", "type": "integer", "nullable": False, "min": 0, "max": 500},
                     {"name": "c0", "type": "categorical", "allowed_values": ["a", "b", "c"]}]}
    bundle = {"model_card": {}, "data_manifest": {"datasets": [ds]}, "pipeline": {}}
    project = Project(path.parent, "bench", None, {}, {k: None for k in KINDS}, {k: f"{k}.yaml" for k in KINDS}, bundle)
    facts, _ = observe_data(project, cache=None)
    out["rows"] = facts["datasets"]["bench"]["rows"]
out["seconds"] = time.perf_counter() - t
out["cpu"] = time.process_time() - cpu
out["peak_above_base_kib"] = status("VmHWM") - base
print(json.dumps(out))
"""


def make(rows: int, folder: Path) -> tuple[Path, Path]:
    import numpy as np
    import pandas as pd
    folder.mkdir(parents=True, exist_ok=True)
    csv, parquet = folder / f"bench_{rows}.csv", folder / f"bench_{rows}.parquet"
    if csv.exists() and parquet.exists():
        return csv, parquet
    rng = np.random.default_rng(1234)
    data: dict[str, object] = {"id": [f"R{i:08d}" for i in range(rows)]}
    for k in range(10):
        data[f"f{k}"] = rng.normal(100 * k, 10 + k, rows).round(4)
    for k in range(5):
        col = pd.array(rng.integers(0, 1000, rows), dtype="Int64")
        col[rng.random(rows) < 0.02] = pd.NA
        data[f"i{k}"] = col
    cats = np.array(["a", "b", "c", "d", "north", "south", "east", "west"])
    for k in range(4):
        data[f"c{k}"] = cats[rng.integers(0, 3 + k, rows)]
    frame = pd.DataFrame(data)
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    return csv, parquet


BIG_BLOCK = 1_000_000


def make_big(gb: float, folder: Path) -> Path:
    """A seeded CSV of at least ``gb`` x 10^9 bytes, written block by block (flat memory)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"big_{gb:g}gb.csv"
    target = int(gb * 1e9)
    if path.exists() and path.stat().st_size >= target:
        return path
    cats = np.array(["a", "b", "c", "d", "north", "south", "east", "west"])
    options = pacsv.WriteOptions(include_header=True, quoting_style="none")
    written, block = 0, 0
    t = time.perf_counter()
    with open(path, "wb") as sink:
        writer = None
        while written < target:
            rng = np.random.default_rng([1234, block])
            rows = BIG_BLOCK
            first = block * rows
            columns: dict[str, object] = {"id": pa.array(np.char.add("R", np.char.zfill(
                np.arange(first, first + rows).astype(str), 10)))}
            for k in range(10):
                columns[f"f{k}"] = pa.array(rng.normal(100 * k, 10 + k, rows).round(4))
            for k in range(5):
                columns[f"i{k}"] = pa.array(rng.integers(0, 1000, rows), mask=rng.random(rows) < 0.02)
            for k in range(4):
                columns[f"c{k}"] = pa.array(cats[rng.integers(0, 3 + k, rows)])
            table = pa.table(columns)
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema, write_options=options)
            writer.write_table(table)
            sink.flush()
            written = sink.tell()
            block += 1
            print(f"  writing {path.name}: {written / 1e9:.2f} GB", end="\r", file=sys.stderr, flush=True)
        writer.close()
    print(f"wrote {path} ({path.stat().st_size / 1e9:.2f} GB, {block * BIG_BLOCK} rows) in "
          f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
    return path


def _proc(pid: int, key: str) -> int | None:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _offset(pid: int, path: Path) -> int | None:
    """The smallest read offset among the child's descriptors open on ``path`` (None: none open)."""
    real, offsets = os.path.realpath(path), []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == real:
                    for line in open(f"/proc/{pid}/fdinfo/{fd}"):
                        if line.startswith("pos:"):
                            offsets.append(int(line.split()[1]))
            except OSError:
                continue
    except OSError:
        return None
    return min(offsets) if offsets else None


def run_big(path: Path) -> None:
    size = path.stat().st_size
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), "probes", str(SRC)], stdout=subprocess.PIPE,
                            text=True)
    t = time.perf_counter()
    marks: dict[int, tuple[float, int]] = {}
    samples: list[tuple[float, int, int | None]] = []
    peak = 0
    while proc.poll() is None:
        rss = _proc(proc.pid, "VmRSS")
        hwm = _proc(proc.pid, "VmHWM")
        pos = _offset(proc.pid, path)
        now = time.perf_counter() - t
        if rss is not None:
            peak = max(peak, hwm or rss)
            samples.append((now, rss, pos))
            if pos is not None:
                for tenth in range(1, 11):
                    if pos * 10 >= tenth * size and tenth not in marks:
                        marks[tenth] = (now, rss)
        time.sleep(0.5)
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    wall = time.perf_counter() - t
    rows = out["rows"]
    print(f"file {path.name}: {size / 1e9:.2f} GB, {rows} rows; wall {wall:.0f} s ({rows / wall:,.0f} rows/s, "
          f"{size / 2**20 / wall:.0f} MB/s), CPU {out['cpu']:.0f} s (all threads); child peak RSS (VmHWM) "
          f"{peak / 1024:.0f} MB")
    print("| read | time s | RSS MB |\n|---|---|---|")
    for tenth in sorted(marks):
        print(f"| {tenth * 10} % | {marks[tenth][0]:.0f} | {marks[tenth][1] / 1024:.0f} |")
    after = [s for s in samples if s[2] is None and s[0] > 2]
    if after:
        print(f"| after the read (facts, splits) | {after[-1][0]:.0f} | max {max(s[1] for s in after) / 1024:.0f} |")


def run(path: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(SRC)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-gb", type=float, default=None, help="write and probe a CSV of about this many GB")
    parser.add_argument("--keep", action="store_true", help="keep the --big-gb file")
    args = parser.parse_args()
    folder = Path(os.environ.get("MLC_BENCH_DIR") or "/tmp/mlc-bench") / "probes"
    if args.big_gb:
        big = make_big(args.big_gb, folder)
        try:
            run_big(big)
        finally:
            if not args.keep:
                big.unlink()
        return
    csv, parquet = make(args.rows, folder)
    print(f"| file | size MB | pandas alone s (CPU s) | probes s (CPU s) | ratio wall (CPU) | DataFrame MB | "
          f"pandas peak MB | probes peak MB | probes peak / DataFrame |\n|---|---|---|---|---|---|---|---|---|")
    for path in (csv, parquet):
        alone = min((run(path, "pandas") for _ in range(args.repeat)), key=lambda r: r["seconds"])
        probes = min((run(path, "probes") for _ in range(args.repeat)), key=lambda r: r["seconds"])
        assert probes["rows"] == alone["rows"] == args.rows
        frame_mb = alone["frame_bytes"] / 2**20
        print(f"| {path.name} | {path.stat().st_size / 2**20:.0f} | {alone['seconds']:.2f} ({alone['cpu']:.2f}) | "
              f"{probes['seconds']:.2f} ({probes['cpu']:.2f}) | {probes['seconds'] / alone['seconds']:.2f} "
              f"({probes['cpu'] / alone['cpu']:.2f}) | {frame_mb:.0f} | {alone['peak_above_base_kib'] / 1024:.0f} | "
              f"{probes['peak_above_base_kib'] / 1024:.0f} | {probes['peak_above_base_kib'] / 1024 / frame_mb:.2f} |")


if __name__ == "__main__":
    main()
