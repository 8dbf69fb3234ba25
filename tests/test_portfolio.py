"""Portfolio: several projects in one streamed run, JSON Lines, shards and merge, render of a portfolio."""
from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import shutil
import subprocess
import sys
import weakref

import pytest
from helpers import AS_OF, SAMPLES, cli, read_portfolio

from mlcompliance import portfolio
from mlcompliance.result import jsonl
from mlcompliance.result.rollup import Rollup

FORMATS = ("text", "json", "md", "csv", "html", "sarif", "junit", "github")
ORDER = ["critical", "high", "medium", "low", "info"]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Nine projects (compliant, non-compliant, one broken) under one root, checked once unsharded."""
    root = tmp_path_factory.mktemp("fleet")
    names = ["invoice-late-payment", "support-email-router", "xray-anomaly"]
    for i in range(8):
        shutil.copytree(SAMPLES / names[i % 3], root / "team" / f"p{i}")
    shutil.copytree(SAMPLES / "broken-fraud-alerts", root / "team" / "broken")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)   # relative project paths, as a CI job run from the repository root has
        assert cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", "json", "-o", "whole.jsonl").exit_code == 2
    return root


@pytest.fixture
def in_fleet(fleet, monkeypatch):
    monkeypatch.chdir(fleet)
    return fleet


def test_recursive_portfolio_over_the_samples(checks):
    result = checks.run("--recursive", SAMPLES)
    assert result.exit_code == 2  # the broken sample is an input error, reported, not fatal to the others
    assert "broken-fraud-alerts/model_card.yaml:10:3" in result.stderr
    data = result.json()
    assert data["summary"]["errors"] == 1 and data["gate"] == {"verdict": "error"}
    broken = next(e for e in data["entries"] if "error" in e)
    assert broken["file"].endswith("broken-fraud-alerts/model_card.yaml") and broken["line"] == 10
    assert data["errors"] == [{"path": broken["path"], "error": broken["error"], "file": broken["file"], "line": 10}]
    paths = [e["path"] for e in data["entries"]]
    assert paths == sorted(paths) and len(paths) == data["summary"]["projects"]
    rows = {m["project"].rsplit("/", 1)[-1]: m for m in data["matrix"]}
    assert rows["invoice-late-payment"]["verdict"] == "compliant"
    assert rows["support-email-router"]["verdict"] == "non_compliant"
    router = next(e["result"] for e in data["projects"] if e["path"].endswith("support-email-router"))
    assert rows["support-email-router"]["scores"]["mlops-practices"] == next(
        p["score"]["raw"] for p in router["summary"]["packs"] if p["id"] == "mlops-practices")
    assert data["summary"]["outcomes"]["fail"] == sum(e["result"]["summary"]["outcomes"]["fail"] for e in data["projects"])
    severities = [f["severity"] for f in data["worst_findings"]]
    assert severities == sorted(severities, key=ORDER.index) and len(severities) == 25
    every = [f for e in data["projects"] for f in e["result"]["findings"] if f["outcome"] in ("fail", "error")]
    assert {f["severity"] for f in every if ORDER.index(f["severity"]) < ORDER.index(severities[-1])} <= set(severities)


def test_each_line_is_canonical_json_and_reports_carry_its_sha256(tmp_path):
    out = tmp_path / "p.jsonl"
    cli("check", "--recursive", SAMPLES, "--as-of", AS_OF, "--format", "json", "-o", out)
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert all(json.dumps(json.loads(line), ensure_ascii=False) == line for line in lines)
    assert json.loads(lines[0])["catalog"] and "shard" not in json.loads(lines[0])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f'id="result-sha256">{digest}<' in cli("render", out, "--format", "html").stdout
    assert json.loads(cli("render", out, "--format", "sarif").stdout)["runs"][0]["properties"]["result_sha256"] == digest


def test_explicit_projects_exit_1_sorted_and_render_matches_check_in_every_format(tmp_path):
    saved = tmp_path / "p.json"
    args = [SAMPLES / "support-email-router", SAMPLES / "invoice-late-payment", "--as-of", AS_OF]
    assert cli("check", *args, "--format", "json", "-o", saved).exit_code == 1
    data = read_portfolio(saved.read_text())
    assert [e["path"].rsplit("/", 1)[-1] for e in data["entries"]] == ["invoice-late-payment", "support-email-router"]
    for fmt in FORMATS:
        direct = cli("check", *args, "--format", fmt)
        assert direct.exit_code == 1
        again = cli("render", saved, "--format", fmt)
        assert again.exit_code == 0 and again.stdout == direct.stdout, fmt
    table = list(csv.DictReader(io.StringIO(cli("check", *args, "--format", "csv").stdout)))
    assert {r["project"].rsplit("/", 1)[-1] for r in table} == {"invoice-late-payment", "support-email-router"}
    assert any(r["rule_id"] == "MLOPS-04-MODEL-VERSION" and r["outcome"] == "fail" and r["line"] == "6" for r in table)


def test_parallel_and_sequential_give_identical_output(in_fleet, monkeypatch):
    monkeypatch.setattr(portfolio, "PARALLEL_MIN", 4)
    monkeypatch.setattr(portfolio, "CHUNK", 1)          # many small tasks: workers finish out of order
    monkeypatch.setattr(portfolio, "WINDOW_PER_JOB", 2)
    for fmt in ("json", "html"):
        one = cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", fmt, "--jobs", "1").stdout
        two = cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", fmt, "--jobs", "2").stdout
        assert one == two, fmt
    assert one.count('<section id="p-') == 8


def test_broken_project_in_every_format(in_fleet):
    for fmt in FORMATS:
        res = cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", fmt)
        assert res.exit_code == 2, fmt
        assert "broken/model_card.yaml:10:3" in res.stderr and "Traceback" not in res.output, fmt
        assert "p7" in res.stdout, fmt   # the other projects are all reported
        if fmt in ("text", "md", "html", "github", "json"):
            assert "is not allowed" in res.stdout, fmt
    assert cli("check", "team/p0", "team/p3", "--as-of", AS_OF).exit_code == 0   # two compliant copies


@pytest.mark.slow
def test_markdown_stays_under_60000_characters(tmp_path):
    for i in range(600):
        shutil.copytree(SAMPLES / "support-email-router", tmp_path / f"project-with-a-long-name-{i:04d}")
    md = cli("check", "--recursive", tmp_path, "--as-of", AS_OF, "--format", "md").stdout
    assert len(md) < 60_000 and "more projects" in md


# --- memory: nothing keeps a project after it is written ---------------------------------------

class _Tracked(dict):
    """A dict that can be weakly referenced, to see whether anything keeps it."""


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_pipeline_keeps_no_project_after_writing_it(in_fleet, fmt):
    reader = jsonl.PortfolioReader(in_fleet / "whole.jsonl")
    refs: list[list[weakref.ref]] = []

    def items():
        for item in portfolio.iter_saved(reader, fmt, {}):
            gc.collect()   # the item before is still the writer's loop variable; all before it must be gone
            assert all(r() is None for group in refs[:-1] for r in group), "an earlier project is still referenced"
            digest = _Tracked(item.digest)
            fragment = _Tracked(item.fragment) if isinstance(item.fragment, dict) else item.fragment
            refs.append([weakref.ref(digest)] + ([weakref.ref(fragment)] if isinstance(fragment, _Tracked) else []))
            yield portfolio.Item(item.path, item.line, digest, fragment)
    out = io.StringIO()
    written = portfolio.write(items(), reader.header, fmt, out, {})
    portfolio.verify_summary(reader, written.summary_sha256)
    written.rollup.close()
    assert len(refs) >= 9


def test_the_rollup_holds_totals_not_results(in_fleet):
    """Its in-memory state after 1 and after 9 projects is the same size (rows go to a spool file)."""
    reader = jsonl.PortfolioReader(in_fleet / "whole.jsonl")
    items = list(portfolio.iter_saved(reader, "json", {}))
    sizes = []
    for n in (3, 9):
        rollup = Rollup()
        for item in items[:n]:
            rollup.add(item.digest)
        state = {k: v for k, v in vars(rollup).items() if k not in ("matrix", "errors", "width", "worst_index")}
        sizes.append(len(json.dumps(state)))
        assert rollup.matrix.count + len(rollup.errors) == n
        rollup.close()
    assert sizes[1] < sizes[0] * 1.5


# --- shards and merge --------------------------------------------------------------------------

def test_shards_partition_the_projects_and_are_stable():
    keys = [f"team-{i}/model-{i * 7 % 13}" for i in range(500)]
    for count in (1, 2, 3, 7):
        shards = [{k for k in keys if portfolio.shard_of(k, count) == i} for i in range(1, count + 1)]
        assert set().union(*shards) == set(keys) and sum(map(len, shards)) == len(keys)
        assert count == 1 or min(map(len, shards)) > len(keys) / count / 2
    before = {k: portfolio.shard_of(k, 4) for k in keys}
    after = {k: portfolio.shard_of(k, 4) for k in keys + [f"new-{i}" for i in range(100)]}
    assert all(after[k] == v for k, v in before.items())


def test_merge_of_shards_equals_the_unsharded_run_in_every_format(in_fleet, tmp_path):
    shards = []
    for i in (1, 2, 3):
        out = tmp_path / f"shard{i}.jsonl"
        res = cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", "json", "--shard", f"{i}/3",
                  "-o", out)
        assert res.exit_code in (0, 1, 2)
        assert json.loads(out.read_text().splitlines()[0])["shard"] == {"index": i, "count": 3}
        shards.append(out)
    parts = [[e["path"] for e in read_portfolio(s.read_text())["entries"]] for s in shards]
    whole = read_portfolio((in_fleet / "whole.jsonl").read_text())
    assert sorted(p for part in parts for p in part) == [e["path"] for e in whole["entries"]]     # disjoint and covering
    assert all(parts), "with 9 projects every one of 3 shards should get some"
    for fmt in FORMATS:
        merged = cli("merge", *reversed(shards), "--format", fmt)
        assert merged.exit_code == 2, merged.output    # as the unsharded run: a project could not be checked
        assert merged.stdout == cli("render", "whole.jsonl", "--format", fmt).stdout, fmt
    assert cli("merge", *shards).stdout == (in_fleet / "whole.jsonl").read_text()


def test_merge_refuses_shards_that_do_not_belong_together(in_fleet, tmp_path):
    def shard(i, n, *extra):
        out = tmp_path / f"s{i}-{n}{'-'.join(extra)}.jsonl"
        cli("check", "--recursive", "team", "--as-of", AS_OF, "--format", "json", "--shard", f"{i}/{n}",
            *extra, "-o", out)
        return out
    a, b = shard(1, 2), shard(2, 2)
    cases = [
        ((a, a), "shard 1/2 given twice"),
        ((a,), "missing shard 2/2"),
        ((a, shard(2, 2, "--fail-on", "low")), "fail_on differs"),
        ((a, shard(2, 3)), "merged with shards of 2"),
        (("whole.jsonl", a), "not a shard, merged with shards"),
    ]
    other = tmp_path / "other-date.jsonl"
    cli("check", "--recursive", "team", "--as-of", "2026-10-01", "--format", "json", "--shard", "2/2", "-o", other)
    cases.append(((a, other), "as_of differs"))
    overlap = tmp_path / "overlap.jsonl"
    cli("check", "team/p0", "team/p1", "--as-of", AS_OF, "--format", "json", "-o", overlap)
    cases.append((("whole.jsonl", overlap), "is in two shards"))
    for files, message in cases:
        res = cli("merge", *files)
        assert res.exit_code == 2 and message in res.stderr, (files, res.output)
        assert "Traceback" not in res.output
    assert cli("merge", a, b, "-o", tmp_path / "ok.jsonl").exit_code == 2   # the broken project


# --- render of a damaged portfolio ------------------------------------------------------------

@pytest.mark.parametrize("damage, message", [
    (lambda lines: lines[:-1], ":11: the file ends without its summary line"),
    (lambda lines: lines[:3] + lines[4:], ":10: the summary line does not match the project lines"),
    (lambda lines: lines + ['{"kind": "project"}\n'], ":12: a line after the summary line"),
    (lambda lines: [lines[0], lines[2], lines[1]] + lines[3:], ":3: project '"),
    (lambda lines: lines[:2] + ["{not json\n"] + lines[3:], ":3: not JSON"),
    (lambda lines: [lines[0].replace('"portfolio_version": "1.0"', '"portfolio_version": "9.0"')] + lines[1:],
     ":1: portfolio version 9.0 is not supported"),
    (lambda lines: lines[:2] + [lines[2].replace('"as_of": "2026-11-01"', '"as_of": "2026-01-01"', 1)] + lines[3:],
     ":3: project '"),
    (lambda lines: lines[:2] + [lines[2].replace('"outcomes": {', '"outcomes": 7, "was": {', 1)] + lines[3:],
     ":3: project '"),
])
def test_render_of_a_damaged_portfolio_is_exit_2_with_file_and_line(in_fleet, tmp_path, damage, message):
    lines = (in_fleet / "whole.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(damage(lines)), encoding="utf-8")
    for fmt in ("json", "html", "sarif"):
        res = cli("render", bad, "--format", fmt, "-o", tmp_path / f"out.{fmt}")
        assert res.exit_code == 2 and f"{bad}{message}" in res.stderr, res.output
        assert not (tmp_path / f"out.{fmt}").exists()    # nothing half-written


def test_render_refuses_a_portfolio_saved_as_one_json_document(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"result_version": "1.0", "portfolio": True, "projects": []}))
    res = cli("render", old, "--format", "html")
    assert res.exit_code == 2 and "JSON Lines" in res.stderr


def test_no_progress_bar_outside_a_terminal_and_no_pandas_on_the_portfolio_path(tmp_path, sample_copy):
    sample_copy("invoice-late-payment")
    for fmt in ("json", "csv"):
        code = ("import sys; from mlcompliance.cli import main\n"
                "try:\n    main([*sys.argv[1:]])\nexcept SystemExit: pass\n"
                "print('pandas' in sys.modules, file=sys.stderr)")
        proc = subprocess.run([sys.executable, "-c", code, "check", "--recursive", str(tmp_path), "--as-of", AS_OF,
                               "--format", fmt, "--no-probes"], capture_output=True, text=True, check=False)
        assert proc.stderr.strip().endswith("False"), proc.stderr
        assert "checking" not in proc.stderr
    assert cli("check", "--as-of", AS_OF).exit_code == 2
