"""probes.data.outcome_cache: drift, fairness and metrics facts cached by the SHA-256 of the files
they read and by every declaration they depend on; --no-cache bypasses it; fixtures never cache."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import cli, write_project

from mlcompliance.probes.data import integrity, outcomes, read

TITANIC = Path(__file__).parent / "data" / "croissant-titanic" / "titanic.csv"
AS_OF = "2027-06-01"
CARD = ("kind: model_card\nschema_version: \"1.0\"\n"
        "model_details: {name: Titanic survival, version: 1.0.0, description: Historical survival outcomes.}\n"
        "intended_use: {purpose: Teaching example., affected_persons: [passengers]}\n"
        "features: [x, region]\n"
        "fairness:\n  protected_attributes: [sex]\n"
        "  metrics:\n    - {name: disparate_impact_ratio, attribute: sex, value: 0.26, threshold: 0.8}\n")
MANIFEST = ("kind: data_manifest\nschema_version: \"1.0\"\ndatasets:\n"
            "  - id: train\n    split: train\n    path: data/train.csv\n"
            "  - id: serving\n    split: production\n    path: data/serving.csv\n    drift_check: true\n"
            "  - id: titanic-outcomes\n    split: predictions\n    path: data/titanic.csv\n"
            "    predictions: {y_true: survived, y_pred: survived, positive_label: 1}\n")


def _sample(n: int, shift: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    rows = [f"{x:.6f},{r}" for x, r in zip(rng.normal(shift, 1, n), rng.choice(["a", "b", "c"], n))]
    return "x,region\n" + "\n".join(rows) + "\n"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root = write_project(tmp_path / "titanic", {"model_card.yaml": CARD, "data_manifest.yaml": MANIFEST,
                                                "data/train.csv": _sample(400, 0.0, 1),
                                                "data/serving.csv": _sample(300, 0.4, 2)})
    shutil.copy(TITANIC, root / "data" / "titanic.csv")
    return root


@pytest.fixture()
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that computed the outcome facts (a cache miss)."""
    calls: list[int] = []
    real = outcomes.outcome_facts

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(outcomes, "outcome_facts", counting)
    return calls


def check(root: Path, *extra: str) -> str:
    res = cli("check", root, "--as-of", AS_OF, "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    return res.stdout


def outcome_facts_of(stdout: str) -> dict:
    return json.loads(stdout)


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any read of a data file (outcomes, the profile, a hash) now fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a data file was read on a cache hit")
    monkeypatch.setattr(read, "read_table", refuse)
    monkeypatch.setattr(read, "iter_chunks", refuse)
    monkeypatch.setattr(integrity, "digest_file", refuse)


def entries(root: Path, kind: str) -> list[Path]:
    return sorted((root.parent / "cache" / kind).rglob("*.json"))


def test_second_run_hits_reads_no_file_and_gives_the_same_bytes(project, computed, monkeypatch):
    cold = check(project)
    assert len(computed) == 1 and len(entries(project, "outcomes")) == 2      # the plan and the facts
    assert '"test": "ks_2samp"' in cold and '"test": "chi2_contingency"' in cold   # drift and fairness ran
    with monkeypatch.context() as m:
        no_reading(m)
        warm = check(project)
    assert len(computed) == 1                                                  # a hit: nothing recomputed
    assert warm == cold
    assert check(project, "--no-cache") == cold and len(computed) == 2       # --no-cache computes anew


def test_a_changed_byte_misses(project, computed):
    cold = check(project)
    data = project / "data" / "titanic.csv"
    before = data.stat()
    text = data.read_bytes()
    at = text.index(b"\n1,1,") + 3
    data.write_bytes(text[:at] + b"0" + text[at + 1:])       # one passenger no longer survived; same size
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    changed = check(project)
    assert len(computed) == 2 and changed != cold
    assert check(project) == changed and len(computed) == 2   # and the new content is cached in turn


def test_an_unchanged_file_with_a_new_mtime_still_hits(project, computed):
    cold = check(project)
    data = project / "data" / "serving.csv"
    st = data.stat()
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))   # touched, same bytes
    assert check(project) == cold and len(computed) == 1                  # keyed by content, not by mtime


@pytest.mark.parametrize("old,new", [
    ("positive_label: 1}", "positive_label: 0}"),                      # a label column's positive value
    ("protected_attributes: [sex]", "protected_attributes: [sex, pclass]"),   # protected attributes
    ("features: [x, region]", "features: [x]"),                        # the features compared for drift
    ("    drift_check: true\n", "    drift_check: true\n    compare_to: train\n"),   # what is compared
])
def test_a_changed_declaration_misses(project, computed, old, new):
    check(project)
    path = project / ("model_card.yaml" if old.startswith(("protected", "features")) else "data_manifest.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert new in path.read_text(encoding="utf-8")
    check(project)
    assert len(computed) == 2


def test_a_changed_parameter_or_code_misses(project, computed, monkeypatch):
    from mlcompliance.probes.data import outcome_cache
    check(project)
    monkeypatch.setattr(outcomes, "SEED", outcomes.SEED + 1)          # the bootstrap seed is in the key
    check(project)
    assert len(computed) == 2
    from mlcompliance.probes.data import cache as cache_mod
    monkeypatch.setitem(cache_mod._CODE, outcome_cache.SOURCES, "another version of the statistics")
    check(project)
    assert len(computed) == 3


def test_lines_are_located_anew_on_a_hit(project, computed):
    cold = outcome_facts_of(check(project))
    card = project / "model_card.yaml"
    card.write_text("# a comment moves every line down\n" + card.read_text(encoding="utf-8"), encoding="utf-8")
    warm = outcome_facts_of(check(project))
    assert len(computed) == 1                            # a comment changes no declaration: a hit
    line = {f["rule_id"]: f["location"]["line"] for f in cold["findings"] if f["rule_id"] == "HLEG-R5-DISPARATE-IMPACT"}
    moved = {f["rule_id"]: f["location"]["line"] for f in warm["findings"] if f["rule_id"] == "HLEG-R5-DISPARATE-IMPACT"}
    assert moved["HLEG-R5-DISPARATE-IMPACT"] == line["HLEG-R5-DISPARATE-IMPACT"] + 1


def test_no_cache_writes_nothing(project, computed):
    check(project, "--no-cache")
    check(project, "--no-cache")
    assert len(computed) == 2 and not (project.parent / "cache").exists()


def test_fixture_runs_never_cache(project, computed):
    from mlcompliance.evidence.project import load_project
    from mlcompliance.probes.observe import observe
    files = {str(p.relative_to(project).as_posix()): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    for _ in range(2):
        loaded = load_project(project)
        observe(loaded, files=files)
        assert loaded.bundle["observed"]["data"]["outcomes"]["fairness"]["status"] == "ok"
    assert len(computed) == 2 and not (project.parent / "cache").exists()


def test_a_hit_imports_neither_pandas_nor_scipy(project):
    code = ("import sys; from mlcompliance.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit: pass\n"
            "print('HEAVY', sorted(m for m in ('pandas', 'scipy') if m in sys.modules), file=sys.stderr)")
    run = [sys.executable, "-c", code, "check", str(project), "--as-of", AS_OF, "--format", "json"]
    env = {**os.environ, "MLCOMPLIANCE_CACHE_DIR": str(project.parent / "cache")}
    cold = subprocess.run(run, capture_output=True, text=True, check=False, env=env)
    assert "'pandas'" in cold.stderr and "'scipy'" in cold.stderr
    warm = subprocess.run(run, capture_output=True, text=True, check=False, env=env)
    assert "HEAVY []" in warm.stderr, warm.stderr
    assert warm.stdout == cold.stdout


def test_the_per_dataset_cache_key_changes_with_the_code_and_the_libraries(monkeypatch):
    """A profile computed by other code (or another pandas) is never served from the cache."""
    from mlcompliance.probes.data import cache as cache_mod
    from mlcompliance.probes.data import observe as data_observe
    ds = {"id": "d", "path": "d.csv", "fields": [{"name": "a"}]}
    digest = {"sha256": "0" * 64, "size": 1}
    key = data_observe._cache_key(ds, "csv", digest)
    assert key == data_observe._cache_key(ds, "csv", digest)
    monkeypatch.setitem(cache_mod._CODE, data_observe.SOURCES, "another")
    assert data_observe._cache_key(ds, "csv", digest) != key
    monkeypatch.undo()
    monkeypatch.setattr(data_observe, "LIBRARIES", ("numpy", "pandas", "pyarrow", "no-such-library"))
    assert data_observe._cache_key(ds, "csv", digest) != key
