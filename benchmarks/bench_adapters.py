#!/usr/bin/env python3
"""Benchmark the adapters (docs/adapters.md).

Phases (``python bench_adapters.py all`` or name them):

  adapt      adapter cost per project after imports: detection + adapting + merging a project
             holding an HF card, an MLflow MLmodel, dvc.yaml/dvc.lock/params.yaml and one GitHub
             workflow (adapters not installed in this tree are skipped and listed); median of 50.
  cold       cold `mlcompliance check` (subprocess, built-in packs) of the HF-card project vs a
             native project holding the same facts in model_card.yaml/pipeline.yaml (written
             from `convert`), interleaved, median of --repeats; the ratio is the figure. Also the
             same two checks in process after warm-up (Checker API), which the machine's load
             disturbs less.
  ours       import + parse cost of our adapters on the shared examples (subprocess, cold).
  libraries  import + parse cost of the field's own libraries (huggingface_hub, cyclonedx-python-lib,
             spdx-tools, mlcroissant), in a throwaway venv given by --venv (never the project's).

Usage:  python benchmarks/bench_adapters.py all --venv /tmp/venv-probe
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = REPO / "src"
sys.path.insert(0, str(SRC))
SHARED = Path("/work/shared/reference/examples")
DATA = REPO / "tests" / "data" / "adapters"
AS_OF = "2026-11-01"

CARD = (DATA / "huggingface" / "test-trainer" / "README.md").read_text(encoding="utf-8")
FILES = {
    "README.md": CARD,
    "model/MLmodel": "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
                     "    python_version: 3.11.7\n  sklearn:\n    sklearn_version: 1.5.2\n"
                     "run_id: 5f1a2b3c4d5e6f708192a3b4c5d6e7f8\nutc_time_created: '2026-09-14 08:12:00.000000'\n"
                     "signature:\n  inputs: '[{\"name\": \"amount\", \"type\": \"double\"}, {\"name\": \"term\", "
                     "\"type\": \"long\"}]'\n  outputs: '[{\"type\": \"long\"}]'\n",
    "dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n    deps: [data/raw.csv, prepare.py]\n"
                "    outs: [data/train.csv]\n  train:\n    cmd: python train.py\n    deps: [data/train.csv]\n"
                "    params: [seed]\n    outs: [model.pkl]\n",
    "dvc.lock": "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n    outs:\n    - path: data/train.csv\n"
                "      md5: 0123456789abcdef0123456789abcdef\n      size: 1024\n",
    "params.yaml": "seed: 42\n",
    ".github/workflows/ci.yml": "name: ci\non:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n  test:\n"
                                "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                                "      - run: pytest tests\n",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def phase_adapt(tmp: Path, repeats: int = 50) -> dict:
    from mlcompliance.evidence import adapters
    from mlcompliance.evidence.adapters.gather import gather

    root = _write(tmp / "hf", FILES)
    docs = {"model_card": None, "data_manifest": None, "pipeline": None}
    gather(root, {}, None, docs, [])          # imports and first use
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = gather(root, {}, None, docs, [])
        times.append((time.perf_counter() - t0) * 1000)
    return {"adapters_present": adapters.names(), "adapted_files": sorted({a.source for a in out.adapted}),
            "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2), "target_ms": 20}


def _check(root: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mlcompliance", "check", str(root), "--as-of", AS_OF,
                           "--format", "json"], env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed on {root}: {proc.stderr}")
    return elapsed * 1000


def phase_cold(tmp: Path, repeats: int) -> dict:
    from mlcompliance.evidence.adapters.convert import convert

    hf = _write(tmp / "cold-hf", {"README.md": CARD})
    docs = convert(hf)["documents"]
    native = tmp / "cold-native"
    native.mkdir()
    import yaml
    for kind, value in docs.items():
        (native / f"{kind}.yaml").write_text(yaml.safe_dump(value, sort_keys=False), encoding="utf-8")
    _check(hf), _check(native)               # warm the OS caches and .pyc files
    a, b = [], []
    for _ in range(repeats):                 # interleaved, so load on a shared machine hits both alike
        a.append(_check(hf))
        b.append(_check(native))
    ha, nb = statistics.median(a), statistics.median(b)
    from datetime import date

    from mlcompliance.run import Checker
    checker = Checker()
    warm: dict[str, list[float]] = {"hf": [], "native": []}
    for _ in range(2 + 3 * repeats):
        for name, root in (("hf", hf), ("native", native)):
            t0 = time.perf_counter()
            checker.check(root, date.fromisoformat(AS_OF))
            warm[name].append((time.perf_counter() - t0) * 1000)
    wh, wn = (statistics.median(v[2:]) for v in (warm["hf"], warm["native"]))
    return {"hf_card_ms": round(ha, 1), "native_ms": round(nb, 1), "ratio": round(ha / nb, 3), "target_ratio": 1.3,
            "in_process_hf_ms": round(wh, 1), "in_process_native_ms": round(wn, 1),
            "in_process_ratio": round(wh / wn, 3)}


OURS = {
    "huggingface": "tests/data/adapters/huggingface/test-trainer/README.md",
    "cyclonedx": str(SHARED / "cyclonedx-mlbom/bom.json"),
    "spdx": "tests/data/adapters/spdx/ai-example02.spdx3.json",
    "croissant": str(SHARED / "croissant-dices-350/metadata.json"),
    "mct": "tests/data/adapters/mct/cats_vs_dogs_v0_0_2.json",
}


def phase_ours(repeats: int) -> dict:
    out = {}
    for name, rel in OURS.items():
        path = (REPO / rel) if not rel.startswith("/") else Path(rel)
        code = ("import time,sys\nt0=time.perf_counter()\nfrom mlcompliance.evidence.adapters import module\n"
                f"m=module({name!r})\nt1=time.perf_counter()\n"
                f"p={str(path)!r}\nt=open(p,encoding='utf-8').read()\nm.adapt(p.rsplit('/',1)[-1],t,lambda r:None)\n"
                "t2=time.perf_counter()\nprint((t1-t0)*1000,(t2-t1)*1000,len(sys.modules))")
        runs = []
        for _ in range(repeats):
            proc = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)},
                                  capture_output=True, text=True, check=True)
            runs.append([float(x) for x in proc.stdout.split()])
        out[name] = {"import_ms": round(statistics.median(r[0] for r in runs), 1),
                     "parse_ms": round(statistics.median(r[1] for r in runs), 2), "modules": int(runs[0][2])}
    return out


LIBRARIES = {
    "huggingface_hub": ("import huggingface_hub.repocard as rc",
                        f"rc.ModelCard.load({str(REPO / OURS['huggingface'])!r}, ignore_metadata_errors=True)"),
    "cyclonedx-python-lib": ("import json; from cyclonedx.model.bom import Bom",
                             f"Bom.from_json(json.load(open({OURS['cyclonedx']!r})))"),
    "spdx-tools": ("from spdx_tools.spdx3.writer.json_ld import json_ld_writer", "None  # no SPDX 3 reader"),
    "mlcroissant": ("import mlcroissant as mlc", f"mlc.Dataset({OURS['croissant']!r})"),
}


def phase_libraries(venv: Path | None, repeats: int) -> dict:
    if venv is None or not (venv / "bin" / "python").exists():
        return {"skipped": "give --venv DIR: a throwaway venv with the libraries installed"}
    out = {}
    for name, (imp, parse) in LIBRARIES.items():
        code = (f"import time,sys\nt0=time.perf_counter()\n{imp}\nt1=time.perf_counter()\nerr=''\n"
                f"try:\n    {parse}\nexcept Exception as e:\n    err=type(e).__name__\n"
                "t2=time.perf_counter()\nprint((t1-t0)*1000,(t2-t1)*1000,len(sys.modules),err or '-')")
        runs = []
        for _ in range(repeats):
            proc = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True,
                                  check=False)
            if proc.returncode:
                runs = []
                out[name] = {"error": proc.stderr.strip().splitlines()[-1:]}
                break
            runs.append(proc.stdout.split())
        if runs:
            out[name] = {"import_ms": round(statistics.median(float(r[0]) for r in runs), 1),
                         "parse_ms": round(statistics.median(float(r[1]) for r in runs), 2),
                         "modules": int(runs[0][2]), "error": runs[0][3]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phases", nargs="*", default=["all"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=None)
    args = parser.parse_args()
    phases = ["adapt", "cold", "ours", "libraries"] if "all" in args.phases else args.phases
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for phase in phases:
            if phase == "adapt":
                report[phase] = phase_adapt(Path(tmp))
            elif phase == "cold":
                report[phase] = phase_cold(Path(tmp), args.repeats)
            elif phase == "ours":
                report[phase] = phase_ours(args.repeats)
            elif phase == "libraries":
                report[phase] = phase_libraries(args.venv, args.repeats)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
