#!/usr/bin/env python3
"""Per-stage CPU cost of one project check, ours against the floor (run by bench_check.py).

    python breakdown.py PACKS_DIR SET_DIR N_SAMPLE

Times each stage of `Checker.check` separately with time.process_time (CPU seconds, so other
load on the machine matters less than for wall time) over the first N_SAMPLE projects of a
generated set, and the floor's stages over the same files. Prints JSON: stage -> microseconds
per project. Uses mlcompliance internals of the measured commit (loader, schemas, evidence,
policy, engine, result, render), so it may need updating when they change; the totals are
checked against one plain `Checker.check` loop.
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor  # noqa: E402
from common import AS_OF  # noqa: E402

from mlcompliance.engine import evaluate as engine
from mlcompliance.engine.tiering import effective_tier  # noqa: E402
from mlcompliance.evidence import (
    loader,
    schemas,  # noqa: E402
)
from mlcompliance.evidence import project as evidence
from mlcompliance.policy import packs as policy
from mlcompliance.render import RENDERERS  # noqa: E402
from mlcompliance.result import record as result
from mlcompliance.run import Checker  # noqa: E402

KINDS = ("model_card", "data_manifest", "pipeline")


def main() -> None:
    packs_dir, set_dir, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    dirs = sorted(p for p in set_dir.iterdir() if p.is_dir() and p.name.startswith("p"))[:n]
    as_of = date.fromisoformat(AS_OF)
    clock = time.process_time
    acc: dict[str, float] = defaultdict(float)
    checker = Checker([packs_dir])
    text, js = RENDERERS["text"], RENDERERS["json"]

    # warm caches (pack compilation, schema validators) outside the timed loops
    checker.check(dirs[0], as_of)

    # 1. the whole Checker.check, as the CLI calls it
    t = clock()
    for d in dirs:
        checker.check(d, as_of)
    acc["Checker.check total"] = clock() - t

    # 2. its stages one by one
    for d in dirs:
        t0 = clock()
        blobs = {k: (d / f"{k}.yaml").read_bytes() for k in (*KINDS, "mlcompliance")}
        t1 = clock()
        docs = {k: loader.parse_text(b.decode("utf-8"), f"{k}.yaml", "yaml") for k, b in blobs.items()}
        t2 = clock()
        for k in KINDS:
            ta = clock()
            schemas.validate_document(docs[k], k)
            acc[f"load: schema-validate {k}"] += clock() - ta
        ta = clock()
        schemas.validate_document(docs["mlcompliance"], "project")
        acc["load: schema-validate mlcompliance.yaml"] += clock() - ta
        t3 = clock()
        project = evidence.load_project(d)                      # the real loader, for what follows
        t4 = clock()
        chosen = policy.resolve(project.settings.get("packs"), checker.sources, project.config)
        loaded = policy.load_packs(chosen)
        tier = effective_tier(project.bundle)
        t5 = clock()
        findings = engine.evaluate(project, loaded, as_of, tier["tier"])
        t6 = clock()
        res = result.build(project, loaded, findings, tier, as_of, "high")
        t7 = clock()
        text(res)
        t8 = clock()
        js(res)
        t9 = clock()
        acc["load: read 4 files"] += t1 - t0
        acc["load: parse 4 files (libyaml compose + line-tracking build)"] += t2 - t1
        acc["load_project (real: all of the load stages above, plus path checks)"] += t4 - t3
        acc["resolve + load packs (cached) + tier"] += t5 - t4
        acc["engine.evaluate (20 rules)"] += t6 - t5
        acc["result.build (findings to dicts, gate, scores)"] += t7 - t6
        acc["render text"] += t8 - t7
        acc["render json (not in the text run)"] += t9 - t8

    # 3. the same text through plain yaml.load (what the floor does), for comparison with step 2
    blobs_all = [[(d / f"{k}.yaml").read_bytes() for k in KINDS] for d in dirs]
    t = clock()
    for bl in blobs_all:
        for b in bl:
            yaml.load(b, Loader=yaml.CSafeLoader)
    acc["floor: yaml.load CSafeLoader, 3 files"] = clock() - t
    docs_all = [[yaml.load(b, Loader=yaml.CSafeLoader) for b in bl] for bl in blobs_all]
    t = clock()
    for mc, dm, pl in docs_all:
        floor.check_bundle(mc, dm, pl)
    acc["floor: 20 rules"] = clock() - t
    t = clock()
    for d in dirs:
        floor.check_project(str(d))
    acc["floor: check_project total (read + parse + rules)"] = clock() - t

    print(json.dumps({"n": len(dirs), "us_per_project": {k: v / len(dirs) * 1e6 for k, v in acc.items()}}))


if __name__ == "__main__":
    main()
