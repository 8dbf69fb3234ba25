"""Damaged evidence never crashes the CLI: a seeded fuzz over the sample projects and every format.

Each case copies a sample, damages one file (flipped bytes, a duplicated line, or a node
replaced by a value of another type) and runs `check` in-process. The outcome must be an
exit code of 0, 1 or 2, never an exception.
"""
from __future__ import annotations

import random
import shutil

import pytest
import yaml
from click.testing import CliRunner
from helpers import AS_OF, SAMPLES

from mlcompliance.cli import main

pytestmark = pytest.mark.slow   # 48 cases: a search for crashes, not needed on every edit

VALUES = [None, 0, -1, 1.5, "", "x", [], {}, True, "2026-02-30", "../x", "/etc/passwd", [None], {"a": None},
          "x" * 5000, 10**30]
FORMATS = ["text", "json", "md", "html", "sarif", "junit", "github", "csv"]
SAMPLE_NAMES = ["invoice-late-payment", "support-email-router", "credit-scoring", "support-chatbot"]


def _nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _nodes(child, path + (i,))


def damage(root, rng):
    files = [p for p in ("model_card.yaml", "data_manifest.yaml", "pipeline.yaml", "mlcompliance.yaml", "waivers.yaml")
             if (root / p).exists()]
    target = root / rng.choice(files)
    roll = rng.random()
    if roll < 0.3:
        data = bytearray(target.read_bytes())
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        target.write_bytes(bytes(data))
    elif roll < 0.4:
        lines = target.read_text().split("\n")
        i = rng.randrange(len(lines))
        target.write_text("\n".join(lines[:i + 1] + lines[i:]))
    else:
        doc = yaml.safe_load(target.read_text())
        path = rng.choice([p for p in _nodes(doc) if p])
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = rng.choice(VALUES)
        target.write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize("seed", range(48))
def test_damaged_projects_never_crash(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / "p"
    shutil.copytree(SAMPLES / rng.choice(SAMPLE_NAMES), root)
    damage(root, rng)
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", AS_OF, "--format", rng.choice(FORMATS)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert result.stderr.startswith("mlcompliance: error: ") and "Traceback" not in result.stderr
