#!/usr/bin/env python3
"""Benchmark the report renderers on a synthetic result with 500 findings (HTML target: <= 0.5 s).

The result is built from a REAL check: the invoice sample is copied, broken in a few places
(so it has fail, waived and blocking findings) and given a waiver file, checked with
`mlcompliance check --format json`, and its findings are then replicated, each copy with its
own target pointer and fingerprint, until there are --findings of them (default 500); the
summary, per-pack and per-requirement counts and scores and the gate's blocking list are
recomputed from the replicated findings with the published formula, so the result is
internally consistent.

Each renderer is timed in process with time.perf_counter; every figure is the median of
--repeats runs (default 7) after one warm-up run (which loads and compiles the templates,
as the first render of a process does; that first run is reported as "first s"). For HTML the
whole command is also timed as a fresh process, `python -m mlcompliance render RESULT.json
--format html -o OUT` (interpreter start-up, imports, template compilation and rendering),
median of --repeats runs.

Usage:  python benchmarks/bench_render.py [--findings 500] [--repeats 7] [--formats html,sarif,junit,github]
        [--json out.json]
Exit code 1 when the HTML median exceeds --target (default 0.5 s).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_projects" / "invoice-late-payment"
AS_OF = "2026-11-01"
SEVERITY_RANK = {s: i for i, s in enumerate(("info", "low", "medium", "high", "critical"))}


def real_result(work: Path) -> dict:
    """`mlcompliance check --format json` of a broken copy of the invoice sample."""
    from click.testing import CliRunner

    from mlcompliance.cli import main
    root = work / "bench-project"
    shutil.copytree(SAMPLE, root)
    card = yaml.safe_load((root / "model_card.yaml").read_text(encoding="utf-8"))
    card["risk"]["tier"] = "high"
    card["model_details"]["version"] = "2.3"
    card["model_details"]["description"] = "A **Markdown** description with `code` and a [link](https://example.com)."
    del card["governance"]["owner"]
    (root / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    pipeline = yaml.safe_load((root / "pipeline.yaml").read_text(encoding="utf-8"))
    pipeline["ci"]["last_status"] = "failure"
    (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False), encoding="utf-8")
    (root / "waivers.yaml").write_text(
        "waivers:\n  - id: W1\n    rule: MLOPS-01-CI-STATUS\n    justification: Flaky mirror, tracked in OPS-1.\n"
        "    approver: Head of Model Risk\n    created: 2026-10-01\n    expires: 2027-01-15\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(root), "--as-of", AS_OF, "--format", "json"],
                             catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def replicate(result: dict, n: int) -> dict:
    """The result with its findings replicated to n, each with its own target and fingerprint."""
    from mlcompliance.scoring.scores import counts, score
    out = copy.deepcopy(result)
    base = result["findings"]
    findings = []
    for i in range(n):
        f = copy.deepcopy(base[i % len(base)])
        copy_no = i // len(base)
        if copy_no:
            loc = f["location"]
            loc["target"] = f"{loc['target']}/copy{copy_no}"
            loc["pointer"] = f"{loc['pointer']}/copy{copy_no}"
            loc["line"] = loc["line"] + copy_no
            f["fingerprint"] = hashlib.sha256(f"{f['rule_id']}\0{loc['file']}\0{loc['target']}".encode()) \
                .hexdigest()[:20]
        findings.append(f)
    out["findings"] = findings
    threshold = SEVERITY_RANK[out["gate"]["fail_on"]]
    out["gate"]["blocking"] = [f["fingerprint"] for f in findings if f["outcome"] in ("fail", "error")
                               and SEVERITY_RANK[f["severity"]] >= threshold]
    out["gate"]["verdict"] = "non_compliant" if out["gate"]["blocking"] else "compliant"
    out["summary"]["outcomes"] = counts(findings)
    out["summary"]["score"] = score(findings)
    for pack in out["summary"]["packs"]:
        mine = [f for f in findings if f["pack"] == pack["id"]]
        pack["outcomes"], pack["score"] = counts(mine), score(mine)
        for req in pack.get("requirements") or []:
            theirs = [f for f in mine if f["requirement"] == req["id"]]
            req["outcomes"], req["score"] = counts(theirs), score(theirs)
    return out


def timed(render, result: dict, repeats: int) -> dict:
    start = time.perf_counter()
    text = render(result)
    cold = time.perf_counter() - start
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        again = render(result)
        samples.append(time.perf_counter() - start)
        assert again == text, "renderer is not deterministic"
    return {"median_s": round(statistics.median(samples), 4), "min_s": round(min(samples), 4),
            "max_s": round(max(samples), 4), "first_s": round(cold, 4), "repeats": repeats,
            "bytes": len(text.encode("utf-8"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--findings", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--formats", default="html,sarif,junit,github,md,text")
    ap.add_argument("--target", type=float, default=0.5, help="HTML median budget in seconds")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)

    from mlcompliance.render import RENDERERS
    from mlcompliance.result.codec import dumps
    with tempfile.TemporaryDirectory() as tmp:
        result = replicate(real_result(Path(tmp)), args.findings)
        saved, out = Path(tmp) / "result.json", Path(tmp) / "report.html"
        saved.write_text(dumps(result), encoding="utf-8")
        process_times = []
        for _ in range(args.repeats if "html" in args.formats.split(",") else 0):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mlcompliance", "render", str(saved), "--format", "html",
                            "-o", str(out)], check=True)
            process_times.append(time.perf_counter() - start)
    figures = {"findings": len(result["findings"]),
               "outcomes": {k: v for k, v in result["summary"]["outcomes"].items() if v},
               "python": sys.version.split()[0], "formats": {}}
    for fmt in [f for f in args.formats.split(",") if f]:
        if fmt not in RENDERERS:
            print(f"skip {fmt}: not a registered format", file=sys.stderr)
            continue
        figures["formats"][fmt] = timed(RENDERERS[fmt], result, args.repeats)
    print(f"{figures['findings']} findings {figures['outcomes']}")
    print(f"{'format':<8} {'median s':>9} {'min s':>8} {'max s':>8} {'first s':>8} {'bytes':>10}")
    for fmt, f in figures["formats"].items():
        print(f"{fmt:<8} {f['median_s']:>9.4f} {f['min_s']:>8.4f} {f['max_s']:>8.4f} {f['first_s']:>8.4f} "
              f"{f['bytes']:>10}")
    if process_times:
        figures["html_process_median_s"] = round(statistics.median(process_times), 4)
        print(f"html as a fresh process (mlcompliance render --format html): median "
              f"{figures['html_process_median_s']:.3f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    html = figures["formats"].get("html")
    if html:
        verdict = "ok" if html["median_s"] <= args.target else "OVER BUDGET"
        print(f"html median {html['median_s']:.3f} s for {figures['findings']} findings "
              f"(target <= {args.target} s): {verdict}")
        return 0 if html["median_s"] <= args.target else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
