"""Reading the project directory: the few small files that show automation.

``scan_repository`` reads CI configuration, ``dvc.yaml``/``dvc.lock``, MLflow ``MLmodel`` files and
dependency-bot configuration into a ``Repo``. Files are read only when they are regular files
inside the project root (symbolic links leading outside are skipped and listed), at most
``MAX_FILES`` of them and at most ``MAX_FILE_BYTES`` each. The parsers here (CI lines matched
against the signal categories, dvc stages, ``MLmodel`` keys) are pure functions of a ``RepoFile``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import escape_token, parse_text

# --- limits on what is read ---------------------------------------------------------------------

MAX_FILES = 16
MAX_FILE_BYTES = 256 * 1024
MAX_WORKFLOWS = 8

# --- what each signal category looks like in CI files, dvc stages and pipeline stages ---------

_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (regex over a CI line / dvc stage name+cmd / pipeline stage name+checks, pipeline stage kinds)
    "unit_tests": (r"\bpytest\b|\bunittest\b|\btox\b|\bnox\b|\bgo test\b|\bnpm (?:run )?test\b|\bunit[_-]?tests?\b"
                   r"|\b(?:mvn|gradlew?)\b.*\btest\b", ()),
    "data_tests": (r"\btests?/data\b|\bdata[_-]?tests?\b|great[_-]?expectations|\bgx\b|\bpandera\b|\bdeepchecks\b"
                   r"|\btfdv\b|\bdata[_-]?validation\b|\bvalidate[_-]?data\b|\bsoda scan\b", ("data_validation",)),
    "schema": (r"\bschema\b|\bexpectations?\b|\bpandera\b|\btfdv\b", ()),
    "integration_tests": (r"integration[_-]?tests?|\btests?/integration\b|\be2e\b|end[_-]to[_-]end", ()),
    "training": (r"\btrain(?:ing)?\b|\btrain\.py\b|\bdvc repro\b|\bmlflow run\b", ("training",)),
    "model_validation": (r"validate[_-]?model|model[_-]?validation|\bevaluat(?:e|ion)\b|metrics[_-]?threshold"
                         r"|champion", ("model_validation",)),
    "fairness": (r"\bfairness\b|\bfairlearn\b|\baif360\b|\bbias\b|disparate", ("fairness_test",)),
    "deploy": (r"\bdeploy(?:ment)?\b|kubectl apply|helm (?:upgrade|install)|mlflow models serve|\bsagemaker\b",
               ("deploy",)),
    "policy": (r"mlcompliance check|conftest test|\bopa eval\b|\bpii\b|meta[_-]?level|banned[_-]?features?"
               r"|data[_-]?policy", ()),
    "privacy": (r"pseudonymi[sz]|anonymi[sz]|differential[_-]?privacy|\bdp[_-]?sgd\b|\bpresidio\b", ()),
    "feature_importance": (r"feature[_-]?importance|permutation[_-]?importance|\bshap\b|\bablation\b", ()),
    "feature_cost": (r"feature[_-]?(?:cost|latency|memory)", ()),
    "features": (r"feature[_-]?(?:engineering|pipeline|build|store)|build[_-]features|featuri[sz]",
                 ("feature_engineering",)),
    "online_offline": (r"\ba/?b[_-]?test|online[_-]?offline|business[_-]?kpis?\b|kpi[_-]?correlation", ()),
    "hpo": (r"\boptuna\b|\bhyperopt\b|ray\.?tune|\bkatib\b|\bsweep\b|\bhpo\b|hyperparam|\btun(?:e|ing)\b", ()),
    "baseline": (r"\bbaseline\b", ()),
    "slices": (r"\bslic(?:e|es|ing)\b|\bsliced\b", ()),
    "explain": (r"\bshap\b|\blime\b|\bcaptum\b|\bexplain", ()),
    "skew": (r"\bskew\b|training[_-]serving", ()),
    "drift": (r"\bdrift\b|\bevidently\b|\bwhylogs\b|\bnannyml\b", ()),
    "numerical": (r"\bnans?\b|\binf\b|isfinite|numerical[_-]?stab", ()),
    "perf": (r"\blatency\b|\bthroughput\b|load[_-]?test|\blocust\b|\bk6\b|\bbenchmark|stress[_-]?test", ()),
    "pr_trigger": (r"\bpull_request\b|merge_request|^\s*pr:", ()),
    "schedule": (r"^\s*-?\s*schedule:|\bcron\b|== *[\"']schedule[\"']", ()),
}
_RX = {name: re.compile(rx, re.IGNORECASE) for name, (rx, _) in _CATEGORIES.items()}
_CI_ONLY = {"pr_trigger", "schedule"}

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
    repo.files.append(RepoFile(rel, kind, text))
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
        matched = {name for name, rx in _RX.items() if rx.search(line)}
        if "unit_tests" in matched and matched & {"data_tests", "integration_tests"}:
            matched.discard("unit_tests")
        for name in sorted(matched):
            hits.setdefault(name, []).append((number, line.strip()))
    return hits


def _dvc_stages(file: RepoFile) -> list[tuple[str, int, str]]:
    """(stage name, line, name + cmd text) of a dvc.yaml; empty when it cannot be parsed."""
    try:
        doc = parse_text(file.text, file.path, "yaml")
    except InputError:
        return []
    stages = doc.value.get("stages") if isinstance(doc.value, dict) else None
    if not isinstance(stages, dict):
        return []
    out = []
    for name, stage in stages.items():
        cmd = stage.get("cmd", "") if isinstance(stage, dict) else ""
        if isinstance(cmd, list):
            cmd = " ".join(str(c) for c in cmd)
        line, _ = doc.location(f"/stages/{escape_token(name)}")
        out.append((name, line, f"{name} {cmd}"))
    return out


def _mlmodel(file: RepoFile) -> dict[str, Any]:
    try:
        doc = parse_text(file.text, file.path, "yaml")
    except InputError:
        return {}
    if not isinstance(doc.value, dict):
        return {}
    out = {}
    for key in ("signature", "saved_input_example_info", "run_id"):
        if doc.value.get(key):
            out[key] = doc.location(f"/{key}")[0]
    return out

