"""Shared test helpers: run the real CLI in-process and build small projects on disk."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from mlcompliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"
AS_OF = "2026-11-01"


def cli(*args: str):
    """Run `mlcompliance ARGS` in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_project(root: Path, files: dict[str, object]) -> Path:
    """Create a project: values that are dicts are dumped as YAML, strings/bytes written as is."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return root


def copy_sample(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(SAMPLES / name, target)
    return target


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 and mtime of every file below root, to prove nothing was modified."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() + f":{p.stat().st_mtime_ns}"
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_portfolio(text: str) -> dict[str, Any]:
    """A portfolio's JSON Lines as one dict: the header's and the summary line's keys, plus
    ``entries`` (every project line) and ``projects`` (the checked ones: path and result)."""
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["kind"] == "portfolio" and lines[-1]["kind"] == "summary"
    assert all(line["kind"] == "project" for line in lines[1:-1])
    entries = lines[1:-1]
    return {**lines[0], **lines[-1], "entries": entries, "projects": [e for e in entries if "result" in e]}
