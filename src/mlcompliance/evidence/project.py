"""A project directory -> its configuration and one evidence bundle.

The bundle is a single JSON-like tree, ``{"model_card": ..., "data_manifest": ...,
"pipeline": ...}``, that rules address with JSON pointers. Each top-level key remembers
the file it came from, so any pointer maps back to file, line and column.
A document the project does not have is an empty mapping in the bundle: rules then fail
on the fields they need, each with its own remediation, instead of being skipped.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.gather import Gathered, claimed, gather
from mlcompliance.evidence.loader import Document, load_file, pointer_tokens
from mlcompliance.evidence.schemas import validate_document

KINDS = ("model_card", "data_manifest", "pipeline")
OBSERVED = "observed"   # facts written by the probes (docs/probes.md), never read from a file
CONFIG_NAMES = ("mlcompliance.yaml", "mlcompliance.yml")
_EXTENSIONS = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Location:
    file: str
    pointer: str   # inside the file
    line: int
    column: int


@dataclass
class Project:
    root: Path
    name: str
    config: Document | None
    settings: dict[str, Any]
    documents: dict[str, Document | None]
    expected_paths: dict[str, str]
    bundle: dict[str, Any] = field(default_factory=dict)
    # bundle pointer under /observed -> (probed file, line), filled by the probes
    observed_index: dict[str, tuple[str, int]] = field(default_factory=dict)
    # third-party files adapted into native evidence, and the merged documents (docs/adapters.md)
    sources: Gathered = field(default_factory=Gathered)

    def locate(self, bundle_pointer: str) -> Location:
        tokens = pointer_tokens(bundle_pointer)
        kind = tokens[0] if tokens else ""
        if kind == OBSERVED:
            return self._locate_observed(bundle_pointer)
        inner = bundle_pointer[len(kind) + 1:] if tokens else ""
        merged = self.sources.merged.get(kind)
        if merged is not None:
            file, line, column, _ = merged.locate(inner)
            return Location(file, inner, line, column)
        doc = self.documents.get(kind)
        if doc is None:
            path = self.expected_paths.get(kind) or (self.config.path if self.config else CONFIG_NAMES[0])
            return Location(path, inner, 1, 1)
        line, column = doc.location(inner)
        return Location(doc.path, inner, line, column)

    def _locate_observed(self, bundle_pointer: str) -> Location:
        """An observed fact points at the probed file and line (nearest indexed ancestor); a fact
        with no file of its own (nothing was found) points at the pipeline file, line 1."""
        pointer = bundle_pointer
        while pointer:
            hit = self.observed_index.get(pointer)
            if hit is not None:
                return Location(hit[0], bundle_pointer, hit[1], 1)
            pointer = pointer[: pointer.rfind("/")]
        doc = self.documents.get("pipeline")
        return Location(doc.path if doc else self.expected_paths.get("pipeline", "pipeline.yaml"), bundle_pointer, 1, 1)

    def files(self) -> list[dict[str, Any]]:
        """Inventory of input files: path, kind, sha256 (None when absent)."""
        out = []
        if self.config is not None:
            out.append({"path": self.config.path, "kind": "config", "format": self.config.format,
                        "sha256": self.config.sha256})
        adapted: dict[str, Any] = {}
        for a in self.sources.adapted:
            adapted.setdefault(a.source, {"path": a.source, "kind": a.kind, "format": a.format, "sha256": a.sha256,
                                          "adapter": a.adapter})
        for kind in KINDS:
            doc = self.documents.get(kind)
            if doc is None and self.expected_paths[kind] in adapted:
                continue   # the evidence path names a third-party file: listed below with its adapter
            out.append({"path": doc.path if doc else self.expected_paths[kind], "kind": kind,
                        "format": doc.format if doc else None, "sha256": doc.sha256 if doc else None})
        return out + [adapted[p] for p in sorted(adapted)]


def resolve_inside(root: Path, relative: str, display: str | None = None) -> Path:
    """``root/relative``, refusing absolute paths, ``..`` and symlinks that lead outside ``root``."""
    shown = display or relative
    rel = Path(relative)
    if rel.is_absolute() or relative.startswith(("/", "\\")):
        raise InputError(f"absolute path '{relative}' is not allowed", file=shown,
                         expected="a path relative to the project directory")
    if ".." in rel.parts:
        raise InputError(f"path '{relative}' leaves the project directory", file=shown,
                         expected="a path inside the project directory")
    path = root / rel
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise InputError(f"'{relative}' is a symbolic link to '{real}', outside the project directory",
                         file=shown, expected="files inside the project directory")
    return path


def load_project(root: Path) -> Project:
    """Find, parse and validate a project's configuration and evidence files.

    Errors name files as the user reaches them (``PROJECT/model_card.yaml``)."""
    try:
        return _load_project(root)
    except InputError as err:
        if err.file and not Path(err.file).is_absolute() and err.file != str(root):
            err.file = (root / err.file).as_posix()
        raise


def _load_project(root: Path) -> Project:
    if not root.exists():
        raise InputError("project directory not found", file=str(root))
    if not root.is_dir():
        raise InputError("not a directory", file=str(root), expected="a project directory")
    config = _load_config(root)
    settings = config.value if config else {}
    paths = settings.get("evidence", {})
    documents: dict[str, Document | None] = {}
    expected: dict[str, str] = {}
    named: list[tuple[str, str | None, str]] = []   # evidence paths that name a third-party file
    for kind in KINDS:
        rel = paths.get(kind) or _default_path(root, kind)
        expected[kind] = rel
        path = resolve_inside(root, rel, rel)
        if not path.exists() and not path.is_symlink():
            if kind in paths:
                line, col = config.location(f"/evidence/{kind}")  # type: ignore[union-attr]
                raise InputError(f"evidence file '{rel}' not found", file=config.path,  # type: ignore[union-attr]
                                 line=line, column=col, expected="an existing file inside the project")
            documents[kind] = None
            continue
        adapter = claimed(root, rel, settings)
        if adapter is not None:
            named.append((rel, adapter, f"/evidence/{kind}"))
            documents[kind] = None
            continue
        doc = load_file(path, rel)
        validate_document(doc, kind)
        documents[kind] = doc
    sources = gather(root, settings, config, documents, named)
    bundle = {kind: (sources.merged[kind].value if kind in sources.merged else doc.value if doc else {})
              for kind, doc in documents.items()}
    name = (settings.get("project") or {}).get("name") or _card_name(bundle) or root.resolve().name
    return Project(root, name, config, settings, documents, expected, bundle, sources=sources)


def _load_config(root: Path) -> Document | None:
    for name in CONFIG_NAMES:
        path = root / name
        if path.exists() or path.is_symlink():
            resolve_inside(root, name)
            doc = load_file(path, name)
            validate_document(doc, "project")
            return doc
    return None


def _default_path(root: Path, kind: str) -> str:
    for ext in _EXTENSIONS:
        if os.path.lexists(root / f"{kind}{ext}"):
            return f"{kind}{ext}"
    return f"{kind}.yaml"


def _card_name(bundle: dict[str, Any]) -> str | None:
    details = bundle.get("model_card", {}).get("model_details") or {}
    return details.get("name")
