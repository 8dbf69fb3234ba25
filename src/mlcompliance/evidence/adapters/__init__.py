"""Adapters: native evidence drafted from the files a team already has (docs/adapters.md).

Each adapter is a module of this package exposing ``NAME``, ``PATTERNS`` (globs relative to
the project root where its files usually are, bounded depth), ``claims(path, head)`` (a cheap
test on the first KiB: detection is by content, the name only narrows the search) and
``adapt(path, text, read) -> list[Adapted]``. Modules are imported only when used; one that is
not installed yet is skipped. ``detect`` finds and adapts every claimed file of a project,
never following a link out of it, never reading a file over ``MAX_BYTES``, never more than
``MAX_FILES`` candidates. May import what ``mlcompliance.evidence`` may.
"""
from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import Adapted

_MODULES = ("huggingface", "mct", "cyclonedx", "spdx", "croissant", "mlflow", "dvc", "ci")
HEAD_BYTES = 1024
MAX_BYTES = 8 * 1024 * 1024       # an adapted file larger than this is refused (exit 2)
MAX_FILES = 200                   # candidate files looked at per project, in sorted order
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "site-packages", "__pycache__",
                        ".tox", ".mypy_cache", ".pytest_cache"})
_FORMATS = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".jsonld": "json", ".yaml": "yaml",
            ".yml": "yaml"}
_loaded: dict[str, ModuleType | None] = {}


def module(name: str) -> ModuleType | None:
    """The adapter module ``name``, or None when it is not installed (yet)."""
    if name not in _loaded:
        full = f"{__name__}.{name}"
        try:
            _loaded[name] = importlib.import_module(full)
        except ModuleNotFoundError as err:
            if err.name != full:
                raise
            _loaded[name] = None
    return _loaded[name]


def names() -> list[str]:
    """Names of the adapters available in this installation, in registry order."""
    return [n for n in _MODULES if module(n) is not None]


def enabled(settings: dict[str, Any]) -> list[str]:
    """Adapters ``mlcompliance.yaml`` leaves on (``adapters: {enabled: [...], disabled: [...]}``)."""
    conf = settings.get("adapters") or {}
    chosen = conf.get("enabled")
    out = [n for n in names() if (chosen is None or n in chosen) and n not in (conf.get("disabled") or ())]
    return out


def claimer(rel: str, head: str, among: list[str] | None = None) -> str | None:
    """The first adapter (registry order) that claims the file ``rel`` starting with ``head``."""
    for name in among if among is not None else names():
        mod = module(name)
        if mod is not None and mod.claims(rel, head):
            return name
    return None


def detect(root: Path, settings: dict[str, Any]) -> list[Adapted]:
    """Adapt every file of the project an enabled adapter claims, in registry order then path order."""
    return detect_except(root, settings, ())


def detect_except(root: Path, settings: dict[str, Any], skip: tuple[str, ...]) -> list[Adapted]:
    """``detect``, leaving out ``skip`` (paths already read as native evidence or named explicitly)."""
    conf = settings.get("adapters") or {}
    if conf.get("detect") is False:
        return []
    out: list[Adapted] = []
    seen = set(skip)
    active = enabled(settings)
    candidates = 0
    tree = _tree(root, tuple(p for n in active if module(n) is not None for p in module(n).PATTERNS))  # type: ignore[union-attr]
    for name in active:
        mod = module(name)
        for rel in _matches(tree, mod.PATTERNS):  # type: ignore[union-attr]
            if rel in seen:
                continue
            candidates += 1
            if candidates > MAX_FILES:
                return out
            head = _head(root, rel)
            if head is None or claimer(rel, head, active) != name:
                continue
            seen.add(rel)
            out += adapt_file(root, rel, name)
    return out


def adapt_file(root: Path, rel: str, name: str | None = None, display: str | None = None) -> list[Adapted]:
    """Adapt one project file with adapter ``name`` (default: whichever claims it)."""
    from mlcompliance.evidence.loader import read_text
    from mlcompliance.evidence.project import resolve_inside

    path = resolve_inside(root, rel, display or rel)
    size = _size(path, display or rel)
    if size > MAX_BYTES:
        raise InputError(f"file is {size} bytes, more than the {MAX_BYTES} an adapter reads", file=display or rel,
                         line=1, expected="a metadata file under 8 MiB")
    data, text = read_text(path, display or rel)
    if name is None:
        name = claimer(rel, text[:HEAD_BYTES])
        if name is None:
            raise InputError("no adapter recognises this file", file=display or rel, line=1,
                             expected="a native evidence file or one of: " + ", ".join(names()))
    mod = module(name)
    if mod is None:
        raise InputError(f"adapter '{name}' is not available", file=display or rel,
                         expected="one of: " + ", ".join(names()))
    return run(mod, rel, text, data, _reader(root))


def adapt_mapping(files: dict[str, bytes], settings: dict[str, Any] | None = None) -> list[Adapted]:
    """``detect`` over in-memory project files (pack test fixtures): same claims, same adapters."""
    import fnmatch

    active = enabled(settings or {})
    out: list[Adapted] = []
    for name in active:
        mod = module(name)
        for rel in sorted(files):
            if not any(fnmatch.fnmatchcase(rel, p) for p in mod.PATTERNS):  # type: ignore[union-attr]
                continue
            data = files[rel]
            try:
                text = data.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError:
                continue
            if claimer(rel, text[:HEAD_BYTES], active) == name:
                out += run(mod, rel, text, data, files.get)  # type: ignore[arg-type]
    return out


def run(mod: ModuleType, rel: str, text: str, data: bytes, read: Callable[[str], bytes | None]) -> list[Adapted]:
    """Call one adapter, stamping each result with the file's sha256 and format."""
    try:
        results = mod.adapt(rel, text, read)
    except RecursionError:
        raise InputError("nested too deeply to read", file=rel, line=1, expected="a metadata file of sane depth") \
            from None
    digest = hashlib.sha256(data).hexdigest()
    fmt = _FORMATS.get(os.path.splitext(rel)[1].lower(), "text")
    for r in results:
        r.sha256, r.format = digest, fmt
    return results


def _reader(root: Path) -> Callable[[str], bytes | None]:
    from mlcompliance.evidence.project import resolve_inside

    def read(rel: str) -> bytes | None:
        try:
            path = resolve_inside(root, rel)
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                return None
            return path.read_bytes()
        except (InputError, OSError, ValueError):
            return None

    def listdir(rel: str) -> list[str] | None:
        """Names of the regular files in the project folder ``rel`` (None: absent or outside);
        an MLflow run's ``params/``, ``metrics/`` and ``tags/`` are read this way."""
        try:
            path = resolve_inside(root, rel.rstrip("/") or ".")
            if not path.is_dir():
                return None
            return sorted(e.name for e in os.scandir(path) if e.is_file(follow_symlinks=False))
        except (InputError, OSError, ValueError):
            return None
    read.listdir = listdir  # type: ignore[attr-defined]
    return read


MAX_DEPTH = 3          # patterns name files at most two folders down


DOCUMENT_ADAPTERS = ("huggingface", "mct", "cyclonedx", "spdx", "croissant")   # files that describe a model or data


def describes_model_or_data(directory: Path) -> bool:
    """Whether a file at the top of ``directory`` is a model card or dataset description a
    document adapter claims (a Hugging Face README.md, a bom.json...): such a directory holds
    evidence even with no native file. Pipeline files (CI, DVC, MLflow) alone do not make a project."""
    try:
        top = sorted(e.name for e in os.scandir(directory) if e.is_file())
    except OSError:
        return False
    for name in DOCUMENT_ADAPTERS:
        mod = module(name)
        if mod is None:
            continue
        for rel in _matches([(n,) for n in top], tuple(p for p in mod.PATTERNS if "/" not in p)):
            head = _head(directory, rel)
            if head is not None and mod.claims(rel, head):
                return True
    return False


def _tree(root: Path, patterns: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Relative paths (as segments) of the files up to ``MAX_DEPTH`` levels, skipping tool folders,
    and deeper only into folders some pattern reaches (``mlruns/*/*/meta.yaml``...). One directory
    walk per project serves every adapter's patterns."""
    import fnmatch

    deep = [tuple(p.split("/")) for p in patterns if p.count("/") >= MAX_DEPTH]

    def wanted(here: tuple[str, ...]) -> bool:
        if len(here) < MAX_DEPTH:
            return True
        return any(len(pat) > len(here) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(here, pat))
                   for pat in deep)

    out: list[tuple[str, ...]] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            here = parts + (entry.name,)
            try:
                if entry.is_dir():
                    if entry.name not in _SKIP_DIRS and wanted(here):
                        stack.append((Path(entry.path), here))
                elif entry.is_file():
                    out.append(here)
            except OSError:
                continue
    return out


def _matches(tree: list[tuple[str, ...]], patterns: tuple[str, ...]) -> list[str]:
    """Files of ``tree`` matching any glob (``*`` never crosses a ``/``)."""
    import fnmatch

    split = [tuple(p.split("/")) for p in patterns]
    found = {"/".join(parts) for parts in tree
             if any(len(parts) == len(pat) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, pat))
                    for pat in split)}
    return sorted(found)


def _head(root: Path, rel: str) -> str | None:
    """The first KiB of a regular file inside the project, or None (links out, unreadable, not a file)."""
    from mlcompliance.evidence.project import resolve_inside
    try:
        path = resolve_inside(root, rel)
        if not path.is_file():
            return None
        with open(path, "rb") as handle:
            return handle.read(HEAD_BYTES).decode("utf-8", "replace").lstrip("\ufeff")
    except (InputError, OSError):
        return None


def _size(path: Path, display: str) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=display) from None
