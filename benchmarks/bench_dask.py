"""The data probes with --engine dask on 2 local workers against --engine pandas (issue 10, item 9).

Run on demand (never by the tests), from the repository root, with the dask extra installed:

    PYTHONPATH=src .venv/bin/python benchmarks/bench_dask.py [--rows 1000000] [--repeat 3] [--workers 2]

It reuses bench_probes.py's seeded ROWS x 20 table (CSV and Parquet under $MLC_BENCH_DIR/probes/,
default /tmp/mlc-bench) and adds a copy of the Parquet file with row groups of 100 000 rows (the
dask engine parses one partition per row group; the default writer's single 1M-row group cannot
be split). Each engine runs every data probe on each file in a fresh process (``observe_data``:
integrity, profile, personal data; no cache). Reported: the best wall time of ``--repeat`` runs of
each engine, the dask/pandas ratio (below 1: dask faster), the time the dask run spent starting its
local cluster (not in its probe time), and whether the facts are identical (SHA-256 of the facts
as JSON with ``how.read`` left out). Wall times on a shared machine are noisy; the ratio is what
to compare.
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
sys.path.insert(0, str(HERE))

CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import pandas, numpy, pyarrow.parquet
from mlcompliance.evidence.project import KINDS, Project
from mlcompliance.probes.data import engines
from mlcompliance.probes.data.observe import observe_data
path, mode, workers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[4])
out = {}
engine = engines.open_engine(engines.EngineSpec(mode, workers=workers))
if mode == "dask":
    t = time.perf_counter()
    engine.client.wait_for_workers(workers)
    out["cluster_start"] = time.perf_counter() - t
ds = {"id": "bench", "path": path.name, "split": "train", "split_key": "id",
      "fields": [{"name": "i0", "type": "integer", "nullable": False, "min": 0, "max": 500},
                 {"name": "c0", "type": "categorical", "allowed_values": ["a", "b", "c"]}]}
bundle = {"model_card": {}, "data_manifest": {"datasets": [ds]}, "pipeline": {}}
project = Project(path.parent, "bench", None, {}, {k: None for k in KINDS}, {k: f"{k}.yaml" for k in KINDS}, bundle)
t = time.perf_counter()
with engines.using(engine):
    facts, _ = observe_data(project, cache=None)
out["seconds"] = time.perf_counter() - t
engine.close()
entry = facts["datasets"]["bench"]
out["rows"] = entry["rows"]
out["how"] = entry["how"].pop("read")
out["facts_sha256"] = hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()
print(json.dumps(out))
"""


def grouped(parquet: Path, group_rows: int) -> Path:
    import pyarrow.parquet as pq
    out = parquet.with_name(parquet.stem + f"_rg{group_rows // 1000}k.parquet")
    if not out.exists():
        pq.write_table(pq.read_table(parquet), out, row_group_size=group_rows)
    return out


def run(path: Path, mode: str, workers: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(SRC), str(workers)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench_probes import make
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(os.environ.get("MLC_BENCH_DIR") or "/tmp/mlc-bench") / "probes"
    csv, parquet = make(args.rows, folder)
    print(f"| file | size MB | pandas s | dask ({args.workers} local workers) s | ratio dask/pandas | "
          "dask cluster start s | same facts |\n|---|---|---|---|---|---|---|")
    for path in (csv, grouped(parquet, 100_000)):
        pandas = min((run(path, "pandas", args.workers) for _ in range(args.repeat)), key=lambda r: r["seconds"])
        dask = min((run(path, "dask", args.workers) for _ in range(args.repeat)), key=lambda r: r["seconds"])
        assert pandas["rows"] == dask["rows"] == args.rows
        print(f"| {path.name} | {path.stat().st_size / 2**20:.0f} | {pandas['seconds']:.2f} | {dask['seconds']:.2f} | "
              f"{dask['seconds'] / pandas['seconds']:.2f} | {dask['cluster_start']:.2f} | "
              f"{'yes' if pandas['facts_sha256'] == dask['facts_sha256'] else 'NO'} |")


if __name__ == "__main__":
    main()
