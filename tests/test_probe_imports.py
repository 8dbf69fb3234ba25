"""Import cost of the data probes: a metadata-only check loads none of numpy, pandas and SciPy; data
without outcome declarations loads no SciPy; chi-square outcomes load ``scipy.special`` but not
``scipy.stats`` (about a second, benchmarks/README.md). And the SciPy-free statistics give SciPy's
floats exactly."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import AS_OF, INVOICE, SAMPLES

from mlcompliance.probes.stats.significance import benjamini_hochberg, chi2_independence

HEAVY = ("numpy", "pandas", "scipy", "scipy.special", "scipy.stats", "pyarrow")
CODE = ("import sys; from mlcompliance.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit: pass\n"
        f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")


def imported(project: Path, cache: Path, *extra: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", CODE, "check", str(project), "--as-of", AS_OF, "--format", "json",
                           *extra], capture_output=True, text=True, check=False,
                          env={**os.environ, "MLCOMPLIANCE_CACHE_DIR": str(cache)})
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    line = next(t for t in proc.stderr.splitlines() if t.startswith("HEAVY "))
    return ast.literal_eval(line[len("HEAVY "):])


def test_no_probes_and_a_project_without_data_paths_import_nothing_heavy(tmp_path):
    assert imported(INVOICE, tmp_path / "c1", "--no-probes") == []
    root = tmp_path / "no-paths"
    shutil.copytree(INVOICE, root)
    manifest = root / "data_manifest.yaml"
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for dataset in doc["datasets"]:
        dataset.pop("path", None)
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert imported(root, tmp_path / "c2") == []


def test_data_without_outcome_declarations_imports_no_scipy(tmp_path):
    got = imported(INVOICE, tmp_path / "cache", "--no-cache")
    assert "pandas" in got and not [m for m in got if m.startswith("scipy")]


def test_chi_square_outcomes_need_scipy_special_not_scipy_stats(tmp_path):
    # credit-scoring: fairness from its predictions file, every test a chi-square one
    got = imported(SAMPLES / "credit-scoring", tmp_path / "cache", "--no-cache")
    assert "scipy.special" in got and "scipy.stats" not in got, got


@pytest.mark.parametrize("seed", range(4))
def test_chi_square_and_benjamini_hochberg_are_scipys_floats(seed):
    from scipy import stats
    rng = np.random.default_rng(seed)
    for _ in range(500):
        shape = (int(rng.integers(2, 6)), int(rng.integers(2, 8)))
        table = rng.integers(0, 10 ** int(rng.integers(1, 7)) + 1, size=shape)
        if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
            continue
        for t in (table, table.astype(np.float64)):
            mine, ref = chi2_independence(t), stats.chi2_contingency(t, correction=False)
            assert (mine[0], mine[1], mine[2]) == (ref[0], ref[1], ref[2])
            assert np.array_equal(mine[3], ref[3])
        p = rng.random(int(rng.integers(1, 30))) ** int(rng.integers(1, 20))
        p[: len(p) // 3] = p[0]                       # ties
        assert benjamini_hochberg(list(p)) == [float(x) for x in stats.false_discovery_control(p, method="bh")]


def test_chi_square_edge_cases_match_scipy():
    from scipy import stats
    with pytest.raises(ValueError):
        chi2_independence(np.array([[0, 3], [0, 5]]))
    with pytest.raises(ValueError):
        stats.chi2_contingency(np.array([[0, 3], [0, 5]]), correction=False)
    one_row = np.array([[3, 4, 5]])
    assert chi2_independence(one_row)[:3] == (0.0, 1.0, 0)
    assert benjamini_hochberg([]) == [] and benjamini_hochberg([0.3]) == [0.3]
