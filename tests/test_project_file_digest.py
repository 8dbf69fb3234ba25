"""The project_file check hashes project files streamed (constant memory), reuses the digest the data
probe computed in the same run or the digest cache remembers, and keeps the in-memory path for fixtures."""
from __future__ import annotations

import hashlib
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from helpers import write_project

from mlcompliance.engine.evaluate import ProjectFiles
from mlcompliance.evidence.project import Project
from mlcompliance.policy.checks import REGISTRY, Context, Target
from mlcompliance.probes.data import integrity

BIG = 3 * integrity.BLOCK + 17          # larger than one block, not a multiple of it


def project_at(root: Path, observed: dict | None = None) -> Project:
    project = Project.__new__(Project)
    project.root = root
    project.bundle = {"observed": {"data": observed}} if observed is not None else {}
    project.probed_files = []
    return project


def run_check(root: Path, fixture: dict[str, bytes] | None, value: dict) -> list[str]:
    """The project_file check on ``value`` over the project directory, or over a fixture's files."""
    ctx = Context({"model_card": value}, date(2026, 11, 1), "high",
                  fixture.get if fixture is not None else (lambda _: pytest.fail("read whole")),
                  files=ProjectFiles(project_at(root)) if fixture is None else None)
    found = REGISTRY["project_file"].function(ctx, Target("/model_card", value),
                                             {"field": "path", "sha256_field": "sha256"})
    return [v.detail for v in found]


@pytest.fixture()
def big(tmp_path: Path) -> tuple[Path, bytes]:
    data = bytes(range(256)) * (BIG // 256) + b"x" * (BIG % 256)
    root = write_project(tmp_path / "p", {"data/big.bin": data})
    return root, data


def test_a_file_larger_than_a_block_gives_the_same_verdicts_as_reading_it_whole(big, tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root, data = big
    right = hashlib.sha256(data).hexdigest()
    assert len(data) > integrity.BLOCK and integrity.sha256_file(root / "data" / "big.bin") == (right, len(data))
    for fixture in (None, {"data/big.bin": data}):        # streamed from the project / the fixture's bytes
        assert run_check(root, fixture, {"path": "data/big.bin", "sha256": right}) == []
        wrong = run_check(root, fixture, {"path": "data/big.bin", "sha256": "0" * 64})
        assert wrong == [f"declared sha256 000000000000... but data/big.bin hashes to {right[:12]}..."]
        assert run_check(root, fixture, {"path": "data/none.bin", "sha256": right}) == [
            "file 'data/none.bin' is not in the project"]
        assert run_check(root, fixture, {"path": "data/big.bin"}) == ["no sha256 declared for the file"]


def test_hashing_never_holds_the_whole_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    with open(root / "data" / "huge.bin", "wb") as handle:
        for n in range(24):
            handle.write(bytes([n]) * integrity.BLOCK)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    tracemalloc.start()
    try:
        digest = ProjectFiles(project_at(root), cache=False).sha256("data/huge.bin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest is not None and len(digest) == 64
    assert peak < 4 * integrity.BLOCK, peak                 # a 24 MiB file through about one 1 MiB block


def test_the_data_probes_digest_of_this_run_is_reused(big, tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root, _ = big
    observed = {"datasets": {"d": {"path": "./data/big.bin", "integrity": {"kind": "file", "sha256": "ab" * 32}}}}
    monkeypatch.setattr(integrity, "sha256_file", lambda path: pytest.fail(f"{path} hashed twice"))
    files = ProjectFiles(project_at(root, observed))
    assert files.sha256("data/big.bin") == "ab" * 32        # the same file, however its path is spelled


def test_the_digest_cache_is_used_and_bypassed_with_no_cache(big, tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root, data = big
    right = hashlib.sha256(data).hexdigest()
    assert ProjectFiles(project_at(root)).sha256("data/big.bin") == right      # hashed, remembered
    hashed: list[Path] = []
    real = integrity.sha256_file
    monkeypatch.setattr(integrity, "sha256_file", lambda path: hashed.append(path) or real(path))
    assert ProjectFiles(project_at(root)).sha256("data/big.bin") == right      # the next run: from the cache
    assert hashed == []
    assert ProjectFiles(project_at(root), cache=False).sha256("data/big.bin") == right
    assert len(hashed) == 1                                                      # --no-cache: hashed again
    (root / "data" / "big.bin").write_bytes(data + b"!")                         # changed: size and mtime differ
    assert ProjectFiles(project_at(root)).sha256("data/big.bin") == hashlib.sha256(data + b"!").hexdigest()


def test_the_data_probes_md5_digests_are_not_replaced_by_a_sha256_alone(big, tmp_path, monkeypatch):
    from mlcompliance.probes.data.cache import Cache
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    root, _ = big
    ProjectFiles(project_at(root)).sha256("data/big.bin")
    assert Cache.default().known_digest(root / "data" / "big.bin") is None   # the data probe still hashes (MD5 too)
