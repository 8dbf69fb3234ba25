"""--engine dask: the data probes parse the data files on the workers of a local Dask cluster and
give the same result as the pandas engine, byte for byte except the facts' ``how.read``.

One module-scoped ``distributed.LocalCluster`` (2 worker processes, 1 thread each: the partitions
really cross a process boundary) serves every test through ``--dask-scheduler``; one test starts
the CLI's own local cluster. Each run gets its own probe cache, so the dask run reads the files.
A small ``--dask-blocksize`` cuts even the samples' small files into many partitions, so the
profile sees other chunk boundaries than pandas' one chunk: the facts must not depend on them.
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import AS_OF, INVOICE, SAMPLES, cli

distributed = pytest.importorskip("distributed")

from mlcompliance.errors import InputError  # noqa: E402
from mlcompliance.probes.data import engines  # noqa: E402

DASK_HOW = re.compile(r'whole file parsed on Dask workers \([^"]*?\), profiled in file order; every row counted'
                      r'|(?<=every row counted) \(dask engine: read here, this file cannot be split\)')


@pytest.fixture(scope="module")
def scheduler() -> Any:
    import logging
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _check(project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, *extra: Any) -> tuple[int, str, str]:
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(cache))
    res = cli("check", project, "--as-of", AS_OF, "--format", "json", *extra)
    return res.exit_code, res.stdout, res.stderr


def same_as_pandas(project: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   blocksize: int = 4096) -> dict[str, Any]:
    """Check ``project`` with both engines; assert the outputs are equal byte for byte once the dask
    runs' ``how.read`` is replaced by pandas'; returns the result."""
    code, pandas_out, _ = _check(project, tmp_path / "cache-pandas", monkeypatch)
    code_dask, dask_out, err = _check(project, tmp_path / "cache-dask", monkeypatch, "--engine", "dask",
                                      "--dask-scheduler", scheduler, "--dask-blocksize", blocksize)
    assert code in (0, 1) and code_dask == code, err
    pandas_how = engines.PandasEngine().describe("csv")
    normalized, n = DASK_HOW.subn(lambda m: pandas_how if m.group(0).startswith("whole") else "", dask_out)
    result = json.loads(pandas_out)
    profiled = [d for d in result.get("data", {}).get("datasets", []) if d.get("how", {}).get("read")]
    assert n == len(profiled) > 0, "the dask engine did not read the data files"
    assert normalized == pandas_out
    return result


@pytest.mark.parametrize("name", ["credit-scoring", "support-chatbot", "invoice-late-payment"])
def test_sample_projects_give_the_pandas_result(name, scheduler, tmp_path, monkeypatch):
    """credit-scoring: CSV profiles plus fairness and metrics (the outcome probes read through the
    engine); support-chatbot: JSON Lines, split key, drift; invoice: two CSV splits."""
    same_as_pandas(SAMPLES / name, scheduler, tmp_path, monkeypatch)


# --- generated data: planted problems, forced into many partitions ---------------------------------

def _rows(n: int, seed: int, shift: float = 0.0) -> list[dict[str, Any]]:
    import numpy as np
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        rows.append({"customer_id": f"C{int(rng.integers(0, n)):05d}", "amount": round(float(rng.normal(100 + shift, 15)), 2),
                     "age": int(rng.integers(18, 90)) if rng.random() > 0.05 else "",      # blanks
                     "code": str(int(rng.integers(0, 9))),                  # mixed: text in the last 3/8
                     "flag": ["True", "False"][int(rng.integers(0, 2))],
                     "segment": ["retail", "sme", "corporate"][int(rng.integers(0, 3))],
                     "label": int(rng.integers(0, 2))})
    for i in range(n * 5 // 8, n, 97):
        rows[i]["code"] = "x7"
    rows[n * 3 // 4]["flag"] = ""            # booleans with one blank: text, read whole
    rows += [dict(rows[i]) for i in (3, n // 4, n * 2 // 3, n * 2 // 3 + 1)]     # planted duplicate rows
    return rows


def _csv(rows: list[dict[str, Any]], sep: str = ",") -> bytes:
    head = list(rows[0])
    return (sep.join(head) + "\n" + "".join(sep.join(str(r[k]) for k in head) + "\n" for r in rows)).encode()


def generated_project(root: Path) -> Path:
    import pandas as pd
    import shutil
    shutil.copytree(INVOICE, root)
    data = root / "data"
    train, test, serving = _rows(2400, 1), _rows(600, 2), _rows(900, 3, shift=25.0)
    test[:20] = train[100:120]                                     # split leakage: rows and keys
    (data / "train.csv").write_bytes(_csv(train))
    (data / "test.tsv").write_bytes(_csv(test, "\t"))
    with gzip.open(data / "serving.csv.gz", "wb") as handle:       # not splittable: read here
        handle.write(_csv(serving))
    frame = pd.DataFrame(train).astype({"age": "string", "code": "string"})
    frame.to_parquet(data / "train.parquet", row_group_size=300)   # 8 row groups
    (data / "train.jsonl").write_text(frame.to_json(orient="records", lines=True), encoding="utf-8")
    plain = _csv(train[:400])      # quoted line breaks from about byte 9000 on: read here from that block
    (data / "notes.csv").write_bytes(plain[:9000] + plain[9000:].replace(b"retail", b'"retail\nbranch"', 5))
    datasets = [
        {"id": "train", "path": "data/train.csv", "format": "csv", "split": "train", "split_key": "customer_id",
         "personal_data": False,
         "fields": [{"name": "age", "type": "integer", "min": 18, "max": 80, "nullable": False},
                    {"name": "segment", "type": "categorical", "allowed_values": ["retail", "sme"]},
                    {"name": "code", "type": "integer"}, {"name": "flag", "type": "boolean"}]},
        {"id": "test", "path": "data/test.tsv", "format": "csv", "split": "test", "split_key": "customer_id",
         "personal_data": False},
        {"id": "serving", "path": "data/serving.csv.gz", "format": "csv", "split": "production",
         "compare_to": "train", "personal_data": False},
        {"id": "train-parquet", "path": "data/train.parquet", "format": "parquet", "personal_data": False},
        {"id": "train-jsonl", "path": "data/train.jsonl", "format": "jsonl", "personal_data": False},
        {"id": "notes", "path": "data/notes.csv", "format": "csv", "personal_data": False},
    ]
    (root / "data_manifest.yaml").write_text(yaml.safe_dump(
        {"kind": "data_manifest", "schema_version": "1.0", "datasets": datasets}, sort_keys=False), encoding="utf-8")
    card = yaml.safe_load((root / "model_card.yaml").read_text(encoding="utf-8"))
    card["features"] = ["amount", "age", "segment"]
    (root / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    return root


def test_generated_data_in_many_partitions_gives_the_pandas_result(scheduler, tmp_path, monkeypatch):
    result = same_as_pandas(generated_project(tmp_path / "gen"), scheduler, tmp_path, monkeypatch, blocksize=3000)
    ds = {d["id"]: d for d in result["data"]["datasets"]}
    assert ds["train"]["duplicates"] == 4 and ds["train"]["rows"] == 2404
    observed = json.loads(_check(tmp_path / "gen", tmp_path / "c3", monkeypatch, "--engine", "dask",
                                 "--dask-scheduler", scheduler, "--dask-blocksize", 3000)[1])
    assert observed["data"]["drift"], "the planted drift (serving amount +25) is found"
    hows = {d["id"]: d["how"]["read"] for d in observed["data"]["datasets"]}
    assert "partitions of about 3000 bytes" in hows["train"] and "row group" in hows["train-parquet"]
    assert "cannot be split" in hows["serving"]


def test_profile_facts_do_not_depend_on_chunk_boundaries():
    """The profiler itself, fed the same CSV in chunks of 7 .. 2 400 rows: the same facts (dtype of
    a column numeric in some chunks and text in others, hashes of its values, min/max, mixed-type
    counts, duplicates, split-key hashes)."""
    from mlcompliance.probes.data.profile import Profiler
    from mlcompliance.probes.data.read import iter_chunks
    data = _csv(_rows(2400, 7))
    fields = [{"name": "age", "type": "integer", "min": 18, "max": 80}, {"name": "flag", "type": "boolean"}]

    def facts(size: int) -> str:
        p = Profiler(fields, "customer_id", sample_rows=500)
        for chunk in iter_chunks(data, "csv", chunksize=size):
            p.update(chunk)
        out = p.facts()
        out["row_hashes"] = p.all_row_hashes().tolist()
        out["key_hashes"] = p.all_key_hashes().tolist()
        return json.dumps(out, sort_keys=True)
    whole = facts(10 ** 6)
    parsed = json.loads(whole)
    assert parsed["dtypes"]["code"] == "string" and parsed["column_stats"]["code"]["mixed_types"]["mixed"] is True
    assert parsed["dtypes"]["flag"] == "string" and parsed["dtypes"]["age"] == "number"
    assert parsed["duplicates"]["rows"] == 4
    for size in (7, 250, 1499, 2400):
        assert facts(size) == whole, size


# --- bad input: the same readable: false facts, naming the file -------------------------------------

def test_bad_files_are_named_errors_under_dask(scheduler, tmp_path, monkeypatch):
    root = tmp_path / "bad"
    import shutil
    shutil.copytree(INVOICE, root)
    head, body = (root / "data" / "train.csv").read_bytes().split(b"\n", 1)
    late = head + b"\n" + body * 30 + b"INV-9,CUST-1,1.0,14,0,caf\xe9,0\n"    # a bad byte past pandas' 256 KiB buffer
    (root / "data" / "train.csv").write_bytes(late)
    (root / "data" / "test.csv").write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")                 # Parquet named .csv
    manifest = (root / "data_manifest.yaml").read_text(encoding="utf-8")
    manifest += ("  - {id: gone, path: data/missing.csv, format: csv, split: validation, personal_data: false}\n")
    (root / "data_manifest.yaml").write_text(manifest, encoding="utf-8")
    code, pandas_out, _ = _check(root, tmp_path / "c1", monkeypatch)
    code_dask, dask_out, err = _check(root, tmp_path / "c2", monkeypatch, "--engine", "dask", "--dask-scheduler",
                                      scheduler, "--dask-blocksize", 2048)
    assert code_dask == code and "Traceback" not in err and dask_out == pandas_out
    errors = {d["id"]: d["error"] for d in json.loads(dask_out)["data"]["datasets"]}
    assert errors["invoices-train"].startswith("data/train.csv: not UTF-8 text (byte 0xe9")
    assert errors["invoices-test"].startswith("data/test.csv: a Parquet file, not csv")
    assert errors["gone"] == "data/missing.csv: data file not found"
    engine = engines.open_engine(engines.EngineSpec("dask", scheduler, blocksize=2048))
    try:
        with pytest.raises(InputError, match="not UTF-8") as caught:
            list(engine.chunks(root / "data" / "train.csv", "csv", "data/train.csv"))
        assert caught.value.file == "data/train.csv"
        last = (len(late) - 100, 2048, b"", "csv", "data/train.csv")      # found by the worker of the last block
        assert engines._parse_block(str(root / "data" / "train.csv"), *last)[:3] == (
            "error", "not UTF-8 text (byte 0xe9 cannot be decoded)", "data/train.csv")
    finally:
        engine.close()


def test_without_dask_installed_the_engine_is_a_clear_usage_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    res = cli("check", INVOICE, "--as-of", AS_OF, "--engine", "dask")
    assert res.exit_code == 2 and "pip install 'mlcompliance[dask]'" in res.stderr and "Traceback" not in res.output


def test_the_cli_starts_and_closes_its_own_local_cluster_and_the_cache_is_engine_free(tmp_path, monkeypatch):
    """No --dask-scheduler: a local cluster of --dask-workers processes for the run. The cache key does
    not depend on the engine: the dask run's cached facts serve the pandas run (how names pandas)."""
    monkeypatch.delenv(engines.SCHEDULER_ENV, raising=False)
    code_dask, dask_out, err = _check(INVOICE, tmp_path / "shared", monkeypatch, "--engine", "dask",
                                      "--dask-workers", 1)
    code, pandas_out, _ = _check(INVOICE, tmp_path / "shared", monkeypatch)
    assert code_dask == code, err
    assert list((tmp_path / "shared" / "data").rglob("*.npz")), "the dask run filled the cache"
    assert DASK_HOW.sub(engines.PandasEngine().describe("csv"), dask_out) == pandas_out != dask_out


def test_a_metadata_only_check_imports_neither_pandas_nor_dask():
    out = subprocess.run([sys.executable, "-c", (
        "import sys; from mlcompliance.cli import main\n"
        "try:\n    main(['check', sys.argv[1], '--as-of', '2026-11-01', '--format', 'json', '--no-probes',"
        " '--engine', 'dask'])\n"
        "except SystemExit: pass\n"
        "print('HEAVY', sorted(m for m in ('pandas', 'dask', 'distributed', 'numpy') if m in sys.modules), "
        "file=sys.stderr)"), str(INVOICE)], capture_output=True, text=True)
    assert "HEAVY []" in out.stderr, out.stderr


def test_portfolio_worker_processes_share_the_cluster(scheduler, tmp_path, monkeypatch):
    """What a --jobs worker process does: build its checker from the run's EngineSpec (the shared
    scheduler's address) and check with it."""
    from mlcompliance import portfolio
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "c"))
    portfolio._init_worker((), None, engines.EngineSpec("dask", scheduler, blocksize=4096))
    try:
        engine = portfolio._worker_checker.engine
        assert isinstance(engine, engines.DaskEngine) and engine.shared().scheduler == scheduler
        entry = portfolio._check_one(str(INVOICE), __import__("datetime").date(2026, 11, 1), None)
        reads = [d["how"]["read"] for d in entry["result"]["data"]["datasets"]]
        assert reads and all("Dask workers" in r for r in reads)
    finally:
        portfolio._worker_checker.engine.close()
        portfolio._worker_checker = None


def test_an_unreachable_scheduler_is_the_runs_error_not_a_data_fact(tmp_path, monkeypatch):
    """A scheduler nobody listens at: exit 2 naming it (never readable: false on the dataset)."""
    import socket
    with socket.socket() as probe:        # a free loopback port: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(engines.DaskEngine, "CONNECT_TIMEOUT", "2s")
    code, out, err = _check(INVOICE, tmp_path / "c", monkeypatch, "--engine", "dask", "--dask-scheduler",
                            f"tcp://127.0.0.1:{port}")
    assert code == 2 and f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err, err
    assert "Traceback" not in err
