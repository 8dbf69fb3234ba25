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

from mlcompliance.errors import InputError, combine
from mlcompliance.evidence.adapters.gather import Gathered, claimed, gather
from mlcompliance.evidence.claims import missing_file, strip_unverifiable
from mlcompliance.evidence.loader import Document, load_file, pointer_tokens
from mlcompliance.evidence.schemas import schema_errors

KINDS = ("model_card", "data_manifest", "pipeline")
OBSERVED = "observed"   # facts written by the probes (docs/probes.md), never read from a file
DERIVED = "derived"     # the engine's classification from the evidence (engine/tiering.py), never read from a file
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
    # bundle pointer under /derived -> the evidence pointer it was derived from (engine/tiering.py)
    derived_index: dict[str, str] = field(default_factory=dict)
    # third-party files adapted into native evidence, and the merged documents (docs/adapters.md)
    sources: Gathered = field(default_factory=Gathered)
    # files the repository probe read (CI, DVC, MLflow, dependency bots): path, kind, format, sha256
    probed_files: list[dict[str, Any]] = field(default_factory=list)

    def locate(self, bundle_pointer: str) -> Location:
        tokens = pointer_tokens(bundle_pointer)
        kind = tokens[0] if tokens else ""
        if kind == OBSERVED:
            return self._locate_observed(bundle_pointer)
        if kind == DERIVED:   # a derived fact points at the evidence it was derived from
            pointer = bundle_pointer
            while pointer and pointer not in self.derived_index:
                pointer = pointer[: pointer.rfind("/")]
            return self.locate(self.derived_index.get(pointer, "/model_card"))
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

    Every schema error of every file is reported in one :class:`InputErrors`. Errors name files
    as the user reaches them (``PROJECT/model_card.yaml``)."""
    try:
        return _load_project(root)
    except InputError as err:
        for one in [err, *getattr(err, "errors", [])]:
            if one.file and not Path(one.file).is_absolute() and one.file != str(root):
                one.file = (root / one.file).as_posix()
        raise


EVIDENCE_MARKERS = CONFIG_NAMES + tuple(f"{kind}{ext}" for kind in KINDS for ext in _EXTENSIONS)


def has_evidence(directory: Path) -> bool:
    """Whether ``directory`` holds something to check: an mlcompliance.yaml or a native evidence file.

    The one place this is decided: ``check`` refuses a directory without evidence (exit 2) and
    the upward search for a project root stops at the first directory with it. Adapters that
    recognise a model card or dataset description (a Hugging Face README.md, a CycloneDX bom.json...)
    at its top count too; CI, DVC or MLflow files alone do not make a project."""
    if any(os.path.lexists(directory / name) for name in EVIDENCE_MARKERS):
        return True
    from mlcompliance.evidence.adapters import describes_model_or_data
    return describes_model_or_data(directory)


def find_root(start: Path) -> Path | None:
    """The nearest of ``start`` and its ancestors that :func:`has_evidence` (like git finds its
    repository), or None. The search stops at the filesystem root and at a directory holding
    ``.git`` (a repository's top, checked itself but never crossed)."""
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        if has_evidence(directory):
            return directory
        if os.path.lexists(directory / ".git"):
            return None
    return None


def no_evidence_error(root: Path, upwards: bool = False) -> InputError:
    """The exit-2 error for a directory with nothing to check (``upwards``: nor above it)."""
    names = ", ".join(f"{k}.yaml" for k in KINDS[:-1]) + f", {KINDS[-1]}.yaml or {CONFIG_NAMES[0]}"
    if upwards:
        return InputError(f"no evidence found in {root} or the directories above it (the search stops at a "
                          f"directory holding .git): expected {names} (.yml and .json also work)")
    above = find_root(root.parent) if root.resolve() != root.resolve().parent else None
    hint = f"; the nearest project above is {above}" if above is not None else ""
    return InputError(f"no evidence found in {root}: expected {names} (.yml and .json also work){hint}")


def _load_project(root: Path) -> Project:
    if not root.exists():
        raise InputError("project directory not found", file=str(root))
    if not root.is_dir():
        raise InputError("not a directory", file=str(root), expected="a project directory")
    if not has_evidence(root):
        raise no_evidence_error(root)
    problems: list[InputError] = []
    config = _collecting(problems, _load_config, root)
    settings = config.value if config is not None and isinstance(config.value, dict) else {}
    paths = settings.get("evidence", {})
    paths = paths if isinstance(paths, dict) else {}
    documents: dict[str, Document | None] = {}
    expected: dict[str, str] = {}
    named: list[tuple[str, str | None, str]] = []   # evidence paths that name a third-party file
    for kind in KINDS:
        rel = paths.get(kind) if isinstance(paths.get(kind), str) else _default_path(root, kind)
        expected[kind] = rel
        if not _reported(problems, config, f"/evidence/{kind}"):
            adapter = None if _native_name(kind, rel) else _claimed_by(root, rel, settings)
            if adapter is not None:   # the evidence path names a third-party file (a Hugging Face card...)
                named.append((rel, adapter, f"/evidence/{kind}"))
                documents[kind] = None
                continue
        documents[kind] = None if _reported(problems, config, f"/evidence/{kind}") else \
            _collecting(problems, _load_evidence, root, kind, rel, config, kind in paths)
    error = combine(problems)
    if error is not None:
        raise error
    sources = gather(root, settings, config, documents, named)
    bundle = {kind: (sources.merged[kind].value if kind in sources.merged else doc.value if doc else {})
              for kind, doc in documents.items()}
    facts, index = strip_unverifiable(bundle, documents, lambda ref: missing_file(root, ref))
    name = (settings.get("project") or {}).get("name") or _card_name(bundle) or root.resolve().name
    project = Project(root, name, config, settings, documents, expected, bundle, sources=sources)
    record_unverifiable(project, facts, index)
    return project


def _native_name(kind: str, rel: str) -> bool:
    """``model_card.yaml`` and the like: a native file by its name (no adapter is asked)."""
    return Path(rel).name in {f"{kind}{ext}" for ext in _EXTENSIONS}


def _claimed_by(root: Path, rel: str, settings: dict[str, Any]) -> str | None:
    """The adapter claiming the evidence file ``rel`` (None: a native file, or one the native
    loader will report as missing or outside the project)."""
    try:
        resolve_inside(root, rel, rel)
    except InputError:
        return None
    return claimed(root, rel, settings)


def _reported(problems: list[InputError], config: Document | None, pointer: str) -> bool:
    """Whether a schema error of the configuration is already about ``pointer`` (a path not to follow)."""
    if config is None or not problems:
        return False
    where = config.location(pointer)
    return any(e.file == config.path and (e.line, e.column) == where for e in problems)


def _collecting(problems: list[InputError], load, *args: Any) -> Any:
    """``load(*args)``, keeping its input errors in ``problems`` (so one run reports them all)."""
    try:
        return load(*args, problems)
    except InputError as err:
        problems.append(err)
        return None


def _load_evidence(root: Path, kind: str, rel: str, config: Document | None, configured: bool,
                   problems: list[InputError]) -> Document | None:
    path = resolve_inside(root, rel, rel)
    if not path.exists() and not path.is_symlink():
        if configured and config is not None:
            line, col = config.location(f"/evidence/{kind}")
            raise InputError(f"evidence file '{rel}' not found", file=config.path,
                             line=line, column=col, expected="an existing file inside the project")
        return None
    doc = load_file(path, rel)
    problems.extend(schema_errors(doc, kind))
    return doc


def record_unverifiable(project: Project, facts: dict[str, Any], index: dict[str, tuple[str, int]]) -> None:
    """Keep what :func:`claims.strip_unverifiable` removed as facts under ``/observed/placeholders``."""
    project.bundle.setdefault(OBSERVED, {})["placeholders"] = facts
    project.observed_index.update(index)


def _load_config(root: Path, problems: list[InputError]) -> Document | None:
    for name in CONFIG_NAMES:
        path = root / name
        if path.exists() or path.is_symlink():
            resolve_inside(root, name)
            doc = load_file(path, name)
            problems.extend(schema_errors(doc, "project"))   # its evidence paths are still used
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
