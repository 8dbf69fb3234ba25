"""Drift, fairness and metrics facts (``outcomes``) cached by the SHA-256 of every file they read.

Two entries, both JSON, both written atomically by ``cache.Cache`` (under ``outcomes/``):

* the *plan*, keyed by everything but the data: the outcomes probe version, a digest of the
  source of the modules that compute the facts (so any change of a formula, constant, seed or
  sample size misses), the versions of numpy, pandas, scipy and pyarrow, the seed and minimum
  group size, the model card's ``features`` and ``fairness`` and every dataset declaration of
  the manifest (ids, paths, formats, splits, ``compare_to``, ``drift_check``, ``predictions``
  columns, label and threshold...). It records which datasets the probe read.
* the *facts*, keyed by the plan key plus the path, SHA-256 and size of each file read.

A run looks up the plan, hashes the files it names (reusing the digest the data probe computed
in this run, else the digest remembered for the file's path, size, mtime and inode, else
hashing it in 1 MiB blocks) and looks up the facts: a hit reads no data file and imports none
of pandas and SciPy. A changed byte changes the SHA-256, a changed declaration the plan key:
either misses. What the facts point at (file:line) is located on every run, so editing a
comment above a declaration never serves stale lines. Facts are stored as JSON and a miss
returns them as read back from JSON, so a hit and a miss give byte-identical results. Only
project directories are cached: pack fixtures (in-memory files) never are, and nothing is
cached when a dataset read is not a regular file (it is then an error fact, computed anew).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.probes.data.cache import code_digest, library_versions
from mlcompliance.evidence.project import resolve_inside

KIND = "outcomes"
LIBRARIES = ("numpy", "pandas", "scipy", "pyarrow")
SOURCES = ("data/outcomes.py", "data/read.py", "stats/drift.py", "stats/fairness.py", "stats/metrics.py",
           "stats/significance.py")   # relative to mlcompliance/probes: the code the facts come from


def cached_outcomes(bundle: dict[str, Any], root: Path, cache: Any,
                    compute: Callable[[Callable[[dict[str, Any]], Any]], tuple[dict[str, Any], dict[str, str]]],
                    load: Callable[[dict[str, Any]], Any],
                    observed: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(facts, claims) from the cache, else ``compute(load)`` and store them. ``observed``: the
    data probe's facts of this run (their digests are reused)."""
    datasets = _datasets(bundle)
    plan_key = _plan_key(bundle, datasets)
    plan = cache.get_json(KIND, plan_key)
    if isinstance(plan, dict) and isinstance(plan.get("reads"), list):
        files = _read_files(plan["reads"], datasets, root, cache, observed)
        if files is not None:
            hit = cache.get_json(KIND, _facts_key(plan_key, files))
            if isinstance(hit, dict) and isinstance(hit.get("facts"), dict) and isinstance(hit.get("claims"), dict):
                return hit["facts"], hit["claims"]
    reads: list[int] = []
    positions = {id(d): i for i, d in enumerate(datasets)}

    def recording(dataset: dict[str, Any]) -> Any:
        if id(dataset) in positions and positions[id(dataset)] not in reads:
            reads.append(positions[id(dataset)])
        return load(dataset)
    facts, claims = compute(recording)
    files = _read_files(reads, datasets, root, cache, observed)
    try:
        text = json.dumps({"facts": facts, "claims": claims}, sort_keys=False, allow_nan=True)
    except (TypeError, ValueError):
        return facts, claims
    if files is not None:
        cache.put_json(KIND, plan_key, {"reads": reads})
        cache.put_json(KIND, _facts_key(plan_key, files), text)
    entry = json.loads(text)
    return entry["facts"], entry["claims"]


def _datasets(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset mappings in the order the outcomes probe indexes them."""
    manifest = bundle.get("data_manifest")
    datasets = manifest.get("datasets") if isinstance(manifest, dict) else None
    return [d for d in datasets or [] if isinstance(d, dict)] if isinstance(datasets, list) else []


def _plan_key(bundle: dict[str, Any], datasets: list[dict[str, Any]]) -> str:
    from mlcompliance.probes.data import outcomes
    card = bundle.get("model_card")
    card = card if isinstance(card, dict) else {}
    basis = {"probe": outcomes.PROBE_VERSION, "code": code_digest(SOURCES), "libraries": library_versions(LIBRARIES),
             "seed": outcomes.SEED, "min_group_size": outcomes.MIN_GROUP_SIZE,
             "model_card": {"features": card.get("features"), "fairness": card.get("fairness")},
             "datasets": datasets}
    return _digest(basis)


def _facts_key(plan_key: str, files: list[list[Any]]) -> str:
    return _digest({"plan": plan_key, "files": files})


def _digest(basis: Any) -> str:
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=repr).encode()).hexdigest()


def _read_files(reads: list[Any], datasets: list[dict[str, Any]], root: Path, cache: Any,
                observed: dict[str, Any] | None) -> list[list[Any]] | None:
    """[path, sha256, size] of each dataset read, or None when one is not a regular file of the project."""
    from mlcompliance.probes.data import integrity
    probed = _probed_digests(observed)
    out: list[list[Any]] = []
    for i in reads:
        if not isinstance(i, int) or not 0 <= i < len(datasets):
            return None
        path = datasets[i].get("path")
        if not isinstance(path, str) or not path:
            return None
        try:
            source = resolve_inside(root, path)
            if not source.is_file():
                return None
            digest = probed.get(path)
            if digest is None:
                digest = cache.known_digest(source)
            if digest is None or not isinstance(digest.get("sha256"), str):
                digest = integrity.digest_file(source)
                cache.remember_digest(source, digest)
        except (InputError, OSError):
            return None
        out.append([path, digest["sha256"], digest.get("size")])
    return out


def _probed_digests(observed: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Dataset path -> the file digest the data probe computed in this run."""
    out: dict[str, dict[str, Any]] = {}
    datasets = observed.get("datasets") if isinstance(observed, dict) else None
    for entry in (datasets or {}).values() if isinstance(datasets, dict) else ():
        found = entry.get("integrity") if isinstance(entry, dict) else None
        if isinstance(found, dict) and found.get("kind") == "file" and isinstance(found.get("sha256"), str) \
                and isinstance(entry.get("path"), str):
            out[entry["path"]] = found
    return out
