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
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def run(path: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(SRC)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(os.environ.get("MLC_BENCH_DIR") or "/tmp/mlc-bench") / "probes"
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
