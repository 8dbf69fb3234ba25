"""Reading the project directory: the few small files that show automation.

``scan_repository`` reads CI configuration, ``dvc.yaml``/``dvc.lock``, MLflow ``MLmodel`` files and
dependency-bot configuration into a ``Repo``. Files are read only when they are regular files
inside the project root (symbolic links leading outside are skipped and listed), at most
``MAX_FILES`` of them and at most ``MAX_FILE_BYTES`` each. The parsers here (CI lines matched
against the signal categories of ``probes.signals``, dvc stages, ``MLmodel`` keys) are pure functions of a ``RepoFile``.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.probes.signals import RX

# --- limits on what is read ---------------------------------------------------------------------

MAX_FILES = 16
MAX_FILE_BYTES = 256 * 1024
MAX_WORKFLOWS = 8

_CI_FILES = (".gitlab-ci.yml", "Jenkinsfile", "azure-pipelines.yml", "azure-pipelines.yaml",
             ".circleci/config.yml", "bitbucket-pipelines.yml")
_DEPENDENCY_BOTS = (".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json",
                    ".github/renovate.json", ".renovaterc", ".renovaterc.json")
_MLMODEL_DIRS = ("model", "models")


# --- reading the project directory -------------------------------------------------------------

@dataclass
class RepoFile:
    path: str                 # relative to the project root, POSIX separators
    kind: str                 # ci | dvc | dvc_lock | mlmodel | dependency_bot | lockfile
    text: str
    sha256: str | None = None  # of the bytes read (the result's inventory lists the file with it)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass
class Repo:
    files: list[RepoFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    _budget: int = MAX_FILES

    def of(self, kind: str) -> list[RepoFile]:
        return [f for f in self.files if f.kind == kind]

    def has(self, path: str) -> bool:
        return any(f.path == path for f in self.files)


def _inside(root_real: Path, real: Path) -> bool:
    return real == root_real or root_real in real.parents


def _clean_relative(rel: str) -> str | None:
    """A relative POSIX path inside the project, or None (absolute, ``..``, empty)."""
    if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        return None
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    if ".." in parts or not parts:
        return None
    return "/".join(p for p in parts if p != ".")


def _read(root: Path, root_real: Path, rel: str, kind: str, repo: Repo) -> bool:
    """Read ``root/rel`` into the repo if it is a small regular file inside the project root."""
    if repo.has(rel) or any(s["path"] == rel for s in repo.skipped):
        return repo.has(rel)
    path = root / rel
    if not os.path.lexists(path):
        return False
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        repo.skipped.append({"path": rel, "reason": "broken or looping symbolic link"})
        return False
    if not _inside(root_real, real):
        repo.skipped.append({"path": rel, "reason": "symbolic link leading outside the project (not followed)"})
        return False
    if not real.is_file():
        repo.skipped.append({"path": rel, "reason": "not a regular file"})
        return False
    try:
        size = real.stat().st_size
        if size > MAX_FILE_BYTES:
            repo.skipped.append({"path": rel, "reason": f"larger than {MAX_FILE_BYTES // 1024} KiB (not read)"})
            return False
        if repo._budget <= 0:
            repo.skipped.append({"path": rel, "reason": f"not read: at most {MAX_FILES} files are read"})
            return False
        with open(real, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        repo.skipped.append({"path": rel, "reason": "cannot be read"})
        return False
    repo._budget -= 1
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    repo.files.append(RepoFile(rel, kind, text, hashlib.sha256(data).hexdigest()))
    return True


def _list_dir(root: Path, root_real: Path, rel: str, repo: Repo) -> list[str]:
    """Sorted entry names of ``root/rel`` when it is a directory inside the project (else [])."""
    path = root / rel
    if not os.path.lexists(path):
        return []
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        repo.skipped.append({"path": rel, "reason": "broken or looping symbolic link"})
        return []
    if not _inside(root_real, real):
        repo.skipped.append({"path": rel, "reason": "symbolic link leading outside the project (not followed)"})
        return []
    if not real.is_dir():
        return []
    try:
        return sorted(os.listdir(real))
    except OSError:
        return []


def scan_repository(root: Path, declared_ci: str | None = None, declared_lockfile: str | None = None) -> Repo:
    """Read the few files of ``root`` that show automation; never follows links out of ``root``."""
    repo = Repo()
    root_real = root.resolve()
    github = _list_dir(root, root_real, ".github", repo)   # records a .github link that leaves the project
    workflows = [n for n in _list_dir(root, root_real, ".github/workflows", repo)
                 if n.endswith((".yml", ".yaml"))] if "workflows" in github else []
    for i, name in enumerate(workflows):
        rel = f".github/workflows/{name}"
        if i >= MAX_WORKFLOWS:
            repo.skipped.append({"path": rel, "reason": f"not read: at most {MAX_WORKFLOWS} workflow files are read"})
            continue
        _read(root, root_real, rel, "ci", repo)
    for rel in _CI_FILES:
        _read(root, root_real, rel, "ci", repo)
    if declared_ci:
        clean = _clean_relative(declared_ci)
        if clean is None:
            repo.skipped.append({"path": str(declared_ci), "reason": "declared CI path is not inside the project"})
        else:
            _read(root, root_real, clean, "ci", repo)
    _read(root, root_real, "dvc.yaml", "dvc", repo)
    _read(root, root_real, "dvc.lock", "dvc_lock", repo)
    _read(root, root_real, "MLmodel", "mlmodel", repo)
    for top in _MLMODEL_DIRS:
        names = _list_dir(root, root_real, top, repo)
        if "MLmodel" in names:
            _read(root, root_real, f"{top}/MLmodel", "mlmodel", repo)
        for name in names[:5]:
            if name != "MLmodel" and "MLmodel" in _list_dir(root, root_real, f"{top}/{name}", repo):
                _read(root, root_real, f"{top}/{name}/MLmodel", "mlmodel", repo)
    for rel in _DEPENDENCY_BOTS:
        if not rel.startswith(".github/") or github:
            _read(root, root_real, rel, "dependency_bot", repo)
    if declared_lockfile:
        clean = _clean_relative(declared_lockfile)
        if clean is not None:
            _exists_inside(root, root_real, clean, repo)
    return repo


def scan_mapping(files: dict[str, bytes], declared_ci: str | None = None,
                 declared_lockfile: str | None = None) -> tuple[Repo, bool | None]:
    """The same selection as ``scan_repository`` over an in-memory project (pack test fixtures):
    (repo, whether the declared lock file is present, None when none is declared)."""
    repo = Repo()
    names = sorted(files)

    def take(rel: str, kind: str) -> None:
        if rel in files and not repo.has(rel) and len(repo.files) < MAX_FILES:
            data = files[rel][:MAX_FILE_BYTES]
            repo.files.append(RepoFile(rel, kind, data.decode("utf-8", errors="replace").lstrip("\ufeff"),
                                       hashlib.sha256(files[rel]).hexdigest()))
    workflows = [n for n in names if re.fullmatch(r"\.github/workflows/[^/]+\.ya?ml", n)]
    for rel in workflows[:MAX_WORKFLOWS]:
        take(rel, "ci")
    for rel in _CI_FILES:
        take(rel, "ci")
    clean = _clean_relative(declared_ci) if declared_ci else None
    if clean:
        take(clean, "ci")
    take("dvc.yaml", "dvc")
    take("dvc.lock", "dvc_lock")
    for rel in names:
        parts = rel.split("/")
        if parts[-1] == "MLmodel" and (len(parts) == 1 or (parts[0] in _MLMODEL_DIRS and len(parts) <= 3)):
            take(rel, "mlmodel")
    for rel in _DEPENDENCY_BOTS:
        take(rel, "dependency_bot")
    lock = _clean_relative(declared_lockfile) if declared_lockfile else None
    present = None if not declared_lockfile else bool(lock and lock in files)
    return repo, present


def _exists_inside(root: Path, root_real: Path, rel: str, repo: Repo) -> bool:
    path = root / rel
    if not os.path.lexists(path):
        return False
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    if not _inside(root_real, real):
        if not any(s["path"] == rel for s in repo.skipped):
            repo.skipped.append({"path": rel, "reason": "symbolic link leading outside the project (not followed)"})
        return False
    return real.is_file()


def _strip_comment(line: str, path: str) -> str:
    if path.endswith("Jenkinsfile"):
        match = re.search(r"(^|\s)//", line)
        return line[:match.start()] if match else line
    match = re.search(r"(^|\s)#", line)
    return line[:match.start()] if match else line


def _ci_hits(file: RepoFile) -> dict[str, list[tuple[int, str]]]:
    hits: dict[str, list[tuple[int, str]]] = {}
    for number, raw in enumerate(file.lines, start=1):
        line = _strip_comment(raw, file.path)
        if not line.strip():
            continue
        matched = {name for name, rx in RX.items() if rx.search(line)}
        if "unit_tests" in matched and matched & {"data_tests", "integration_tests"}:
            matched.discard("unit_tests")
        for name in sorted(matched):
            hits.setdefault(name, []).append((number, line.strip()))
    return hits


def _dvc_stages(file: RepoFile) -> list[tuple[str, int, str]]:
    """(stage name, line, name + cmd text) of a dvc.yaml; empty when it cannot be parsed.
    Parsed by the DVC adapter (``evidence.adapters.dvc``), so both read a file alike."""
    from mlcompliance.evidence.adapters.dvc import parse_stages

    try:
        stages, _, _ = parse_stages(file.path, file.text)
    except InputError:
        return []
    return [(s.name, s.line, " ".join([s.name] + s.cmd)) for s in stages]


def _dvc_lock_entries(file: RepoFile) -> list[dict[str, Any]]:
    """Every dep and out of a dvc.lock with its md5 and size (the DVC adapter's parser)."""
    from mlcompliance.evidence.adapters.dvc import parse_lock

    try:
        entries = parse_lock(file.path, file.text)
    except InputError:
        return []
    return [{"stage": e.stage, "role": e.role, "path": e.path, "md5": e.md5, "size": e.size, "line": e.line}
            for e in entries]


def _mlmodel(file: RepoFile) -> dict[str, Any]:
    """Flavors, the lines of the keys present, and the signature's named inputs of an MLmodel
    (parsed by the MLflow adapter); empty when it cannot be parsed."""
    from mlcompliance.evidence.adapters.mlflow import parse_mlmodel

    try:
        model = parse_mlmodel(file.path, file.text)
    except InputError:
        return {}
    out: dict[str, Any] = {}
    for key in ("signature", "saved_input_example_info", "run_id"):
        if key in model.present:
            out[key] = model.lines[key][0]
    if "flavors" in model.lines:
        out["flavors"] = model.flavors
    out["inputs"] = [c.name for c in model.inputs if c.name]
    if model.run_id:
        out["run_id_value"] = model.run_id
    return out
