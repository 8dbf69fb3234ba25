"""Maturity from evidence: the ML Test Score, the playbook's stage, Google and Azure levels, the seven principles.

``evaluate(project, as_of)`` reads the evidence bundle and a few small files of the project
directory (CI configuration, ``dvc.yaml``/``dvc.lock``, MLflow ``MLmodel``, dependency-bot
configuration) and scores:

- the 28 tests of the ML Test Score (Breck et al., IEEE BigData 2017): 0 no evidence, 0.5 manual
  and documented, 1 automated and recurring; section sums; final = minimum over the sections;
  the paper's interpretation band and our crosswalk (ml-governance.md 3d);
- the twelve MLOps practices of controls.md section 5 on the same 0 / 0.5 / 1 scale, and from
  them the playbook's Stage 1 / 2 / 3 (Stage 2: every S1 and S2 practice = 1; Stage 3: every
  practice = 1), the Google level (stage - 1) and an Azure level (0-4, capability criteria);
- the playbook's seven principles (met / partial / not met);
- an evidenced stage for the self-assessment dimensions that project evidence can speak to.

Everything is a pure function of the evidence, the files read and ``as_of``: no clock, no
network, no absolute paths in the output, nothing written. Files are read only when they are
regular files inside the project root (symbolic links leading outside are skipped and listed),
at most ``MAX_FILES`` of them and at most ``MAX_FILE_BYTES`` each. The rubric is documented
in docs/maturity.md.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from .errors import InputError
from .evidence import Project
from .loader import escape_token, parse_text

MATURITY_VERSION = "1.0"

# --- limits and freshness windows (days before the as-of date) -------------------------------

MAX_FILES = 16
MAX_FILE_BYTES = 256 * 1024
MAX_WORKFLOWS = 8
MAX_EVIDENCE = 6
CI_FRESH_DAYS = 30
INTEGRATION_FRESH_DAYS = 30
ROLLBACK_FRESH_DAYS = 180
RESUME_FRESH_DAYS = 365
MONITOR_DEFAULT_DAYS = 31
MODEL_AGE_DAYS = {"minimal": 730, "limited": 540, "high": 365}
DEFAULT_MODEL_AGE_DAYS = 365

# --- the rubric -------------------------------------------------------------------------------

SECTIONS = (("data", "Data and features"), ("model", "Model development"),
            ("infrastructure", "ML infrastructure"), ("monitoring", "Monitoring"))

# (final score upper bound inclusive, range text, meaning): Breck et al. 2017, section VI
BANDS = (
    (0.0, "0", "More a research project than a production system"),
    (1.0, "(0, 1]", "Not totally untested, but serious holes in reliability are likely"),
    (2.0, "(1, 2]", "A first pass at basic productionisation; more investment is needed"),
    (3.0, "(2, 3]", "Reasonably tested; more could be automated"),
    (5.0, "(3, 5]", "Strong automated testing and monitoring; fit for mission-critical systems"),
    (float("inf"), "> 5", "Exceptional levels of automated testing and monitoring"),
)

# ml-governance.md 3d: final score -> Google level, Azure level, label (a proposal we show as is)
CROSSWALK = (
    (0.0, "0", "0", "Research"),
    (1.0, "0", "1", "Initial"),
    (2.0, "1 (partial)", "2", "Managed training"),
    (3.0, "1", "2-3", "Repeatable"),
    (5.0, "2", "3", "Automated"),
    (float("inf"), "2", "4", "Continuously operated"),
)

STAGE_LABELS = {1: "Manual", 2: "Automated data and model validation with continuous training",
                3: "Full CI/CT/CD automation"}
AZURE_LABELS = {0: "No MLOps", 1: "DevOps but no MLOps", 2: "Automated training",
                3: "Automated model deployment", 4: "Full MLOps automated operations"}
GOOGLE_LABELS = {0: "Manual process", 1: "ML pipeline automation", 2: "CI/CD pipeline automation"}

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
_SERVING_METRIC = re.compile(r"latency|throughput|memory|\bcpu\b|p9[59]|\bqps\b|\brps\b|response[_-]?time",
                             re.IGNORECASE)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")

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


# --- evaluation context ------------------------------------------------------------------------

def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class _Verdict:
    auto: list[dict[str, Any]] = field(default_factory=list)
    manual: list[dict[str, Any]] = field(default_factory=list)
    block: str | None = None     # forces 0 with this reason (e.g. a slice misses its threshold)
    note: str | None = None      # why a documented test is not automated


class _Ctx:
    def __init__(self, project: Project, as_of: date, repo: Repo) -> None:
        self.project = project
        self.as_of = as_of
        self.repo = repo
        bundle = project.bundle
        self.mc = _d(bundle.get("model_card"))
        self.dm = _d(bundle.get("data_manifest"))
        self.pl = _d(bundle.get("pipeline"))
        self.ci_hits = {f.path: _ci_hits(f) for f in repo.of("ci")}
        self.dvc = [(f.path, *s) for f in repo.of("dvc") for s in _dvc_stages(f)]
        self.mlmodels = [(f.path, _mlmodel(f)) for f in repo.of("mlmodel")]
        self._automation: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        self._stage_texts = []   # (index, stage, checks, words, raw): the text categories are matched against
        for i, stage in enumerate(_l(self.pl.get("stages"))):
            stage = _d(stage)
            checks = [c for c in _l(stage.get("checks")) if isinstance(c, str)]
            raw = " ".join([str(stage.get("name", ""))] + checks)
            self._stage_texts.append((i, stage, checks, raw.replace("_", " "), raw))
        self._ci_state()
        self._monitoring_state()

    # evidence records
    def ev(self, pointer: str, what: str) -> dict[str, Any]:
        loc = self.project.locate(pointer)
        return {"file": loc.file, "line": loc.line, "pointer": loc.pointer, "what": what}

    @staticmethod
    def fev(path: str, line: int, what: str) -> dict[str, Any]:
        return {"file": path, "line": line, "what": what}

    def age(self, value: Any) -> int | None:
        day = _date(value)
        return None if day is None else (self.as_of - day).days

    # CI
    def _ci_state(self) -> None:
        ci = _d(self.pl.get("ci"))
        self.ci_files = [f.path for f in self.repo.of("ci")]
        self.ci_enabled = ci.get("enabled") is True
        self.ci_live = bool(self.ci_files) or self.ci_enabled
        age = self.age(ci.get("last_run_at"))
        self.ci_age = age
        self.ci_fresh = age is None or age <= CI_FRESH_DAYS
        declared = ci.get("config_path")
        clean = _clean_relative(declared) if isinstance(declared, str) else None
        self.ci_config_missing = bool(declared) and (clean is None or not self.repo.has(clean))
        notes = []
        if not self.ci_fresh:
            notes.append(f"CI last ran {age} days before the as-of date (more than {CI_FRESH_DAYS})")
        if self.ci_config_missing and not self.ci_files:
            notes.append(f"declared CI configuration '{declared}' not found in the project")
        self.ci_note = "; ".join(notes)
        self.ci_recurring = self.ci_live and not notes

    def ci_evidence(self, category: str) -> list[dict[str, Any]]:
        """Evidence that CI runs ``category``: lines of CI files, and jobs/triggers pipeline.ci declares."""
        out: list[dict[str, Any]] = []
        for path in self.ci_files:
            for line, text in self.ci_hits[path].get(category, [])[:2]:
                out.append(self.fev(path, line, f"CI: `{_clip(text)}`"))
        ci = _d(self.pl.get("ci"))
        if self.ci_enabled:
            for field_name in ("jobs", "triggers"):
                for i, item in enumerate(_l(ci.get(field_name))):
                    if isinstance(item, str) and _RX[category].search(item.replace("_", " ") + " " + item):
                        out.append(self.ev(f"/pipeline/ci/{field_name}/{i}", f"CI {field_name[:-1]} declared: {item}"))
        return out

    # automation of a category, from CI, dvc stages and pipeline stages
    def automation(self, category: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(automated, manual) evidence for ``category``; computed once per category (tests share them)."""
        if category not in self._automation:
            self._automation[category] = self._find_automation(category)
        auto, manual = self._automation[category]
        return list(auto), list(manual)

    def _find_automation(self, category: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        auto: list[dict[str, Any]] = []
        manual: list[dict[str, Any]] = []
        ci = self.ci_evidence(category)
        if ci:
            if self.ci_recurring:
                auto += ci
            else:
                manual += [dict(e, what=f"{e['what']} ({self.ci_note})") for e in ci]
        if category in _CI_ONLY:
            return auto, manual
        rx = _RX[category]
        kinds = _CATEGORIES[category][1]
        for path, name, line, text in self.dvc:
            if rx.search(text):
                auto.append(self.fev(path, line, f"dvc stage '{name}'"))
        for i, stage, checks, words, raw in self._stage_texts:
            if stage.get("kind") in kinds or rx.search(words) or rx.search(raw):
                label = f"pipeline stage '{stage.get('name')}' ({stage.get('kind')}"
                label += f", checks: {', '.join(checks)})" if checks else ")"
                if stage.get("automated") is True:
                    auto.append(self.ev(f"/pipeline/stages/{i}", f"automated {label}"))
                else:
                    manual.append(self.ev(f"/pipeline/stages/{i}", f"{label}, not automated"))
        return auto, manual

    def stages(self, kind: str) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(s)) for i, s in enumerate(_l(self.pl.get("stages"))) if _d(s).get("kind") == kind]

    def gate(self, kind: str) -> list[dict[str, Any]]:
        """Automated, blocking stages of ``kind`` (validation gates)."""
        return [self.ev(f"/pipeline/stages/{i}", f"automated blocking {kind} stage '{s.get('name')}'")
                for i, s in self.stages(kind) if s.get("automated") is True and s.get("blocking") is True]

    # monitoring
    def _monitoring_state(self) -> None:
        mon = _d(self.pl.get("monitoring"))
        self.mon = mon
        freq = mon.get("frequency_days")
        self.mon_window = 2 * freq if isinstance(freq, int) and freq > 0 else MONITOR_DEFAULT_DAYS
        age = self.age(mon.get("last_report_at"))
        self.mon_age = age
        self.mon_live = mon.get("enabled") is True and age is not None and 0 <= age <= self.mon_window + 0
        if mon.get("enabled") is not True:
            self.mon_note = "monitoring is not enabled (pipeline.monitoring.enabled)"
        elif age is None:
            self.mon_note = "monitoring records no report (pipeline.monitoring.last_report_at)"
        elif age > self.mon_window:
            self.mon_note = (f"last monitoring report {age} days before the as-of date "
                             f"(window {self.mon_window} days)")
        else:
            self.mon_note = ""

    def mon_evidence(self) -> list[dict[str, Any]]:
        if not self.mon:
            return []
        if self.mon_live:
            return [self.ev("/pipeline/monitoring/last_report_at",
                            f"monitoring enabled; last report {self.mon.get('last_report_at')}, {self.mon_age} days "
                            f"before the as-of date (window {self.mon_window} days)")]
        return [self.ev("/pipeline/monitoring", f"monitoring declared, but {self.mon_note}")]

    def training_runs(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(r)) for i, r in enumerate(_l(self.pl.get("runs"))) if _d(r).get("kind") in ("training", None)]

    def datasets(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, _d(d)) for i, d in enumerate(_l(self.dm.get("datasets")))]

    def attestation(self, *needles: str) -> list[dict[str, Any]]:
        out = []
        for i, att in enumerate(_l(self.mc.get("attestations"))):
            req = str(_d(att).get("requirement", ""))
            if any(n in req for n in needles) and _d(att).get("date"):
                out.append(self.ev(f"/model_card/attestations/{i}",
                                   f"attestation {req} by {_d(att).get('attested_by')} dated {_d(att).get('date')}"))
        return out

    def affects_people(self) -> bool:
        """True unless the card declares no affected persons and no dataset holds personal data."""
        persons = _d(self.mc.get("intended_use")).get("affected_persons")
        if not isinstance(persons, list) or persons:
            return True
        return any(d.get("personal_data") is True for _, d in self.datasets())

    def ct_triggers(self) -> list[str]:
        ct = _d(self.pl.get("ct"))
        return [t for t in _l(ct.get("triggers")) if isinstance(t, str)] if ct.get("enabled") is True else []


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    out = []
    for item in items:
        key = (item["file"], item["line"], item.get("pointer"), item["what"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_EVIDENCE]


def _meets(value: Any, threshold: Any, higher_is_better: Any) -> bool | None:
    if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
        return None
    return value >= threshold if higher_is_better is not False else value <= threshold


# --- the 28 tests ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestSpec:
    __test__ = False   # not a pytest test class

    id: str
    section: str
    title: str
    half: str          # what earns 0.5
    one: str           # what earns 1
    fn: Callable[[_Ctx], _Verdict]


def _data_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for i, ds in c.datasets():
        fields = [f for f in _l(ds.get("fields")) if _d(f).get("type")]
        if fields:
            constrained = sum(1 for f in fields if any(k in f for k in ("allowed_values", "min", "max", "nullable")))
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                 f"dataset {ds.get('id')}: {len(fields)} fields with declared types"
                                 f" ({constrained} with value constraints)"))
    for path, info in c.mlmodels:
        if "signature" in info:
            v.manual.append(c.fev(path, info["signature"], "MLflow model signature (input schema)"))
    for cat in ("data_tests", "schema"):
        auto, manual = c.automation(cat)
        v.auto += auto
        v.manual += manual
    return v


def _data_2(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-22", "FEATURE-VALUE"))
    for i, ds in c.datasets():
        justified = [f for f in _l(ds.get("fields")) if _d(f).get("necessity_justification")]
        if justified:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                 f"dataset {ds.get('id')}: {len(justified)} fields carry a necessity justification"))
    v.auto, manual = c.automation("feature_importance")
    v.manual += manual
    return v


def _data_3(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-22", "FEATURE-VALUE"))
    v.auto, manual = c.automation("feature_cost")
    v.manual += manual
    return v


def _data_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    datasets = c.datasets()
    if datasets and all(isinstance(d.get("personal_data"), bool) for _, d in datasets):
        for i, ds in datasets[:3]:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/personal_data",
                                 f"dataset {ds.get('id')} declares personal_data: {str(ds['personal_data']).lower()}"))
        for i, ds in datasets:
            annotated = [f for f in _l(ds.get("fields"))
                         if any(k in _d(f) for k in ("personal", "identifier", "special_category"))]
            if annotated:
                v.manual.append(c.ev(f"/data_manifest/datasets/{i}/fields",
                                     f"dataset {ds.get('id')}: {len(annotated)} fields annotated as personal/identifier"))
    v.auto, manual = c.automation("policy")
    v.manual += manual
    return v


def _data_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    datasets = c.datasets()
    personal = [(i, d) for i, d in datasets if d.get("personal_data") is True]
    controls = [x for x in _l(c.pl.get("privacy_controls")) if isinstance(x, str)]
    if controls:
        v.auto.append(c.ev("/pipeline/privacy_controls", f"privacy controls built into the pipeline: {', '.join(controls)}"))
    auto, manual = c.automation("privacy")
    v.auto += auto
    v.manual += manual
    if personal:
        for i, ds in personal:
            for key in ("pseudonymised", "direct_identifiers_removed"):
                if ds.get(key) is True:
                    v.manual.append(c.ev(f"/data_manifest/datasets/{i}/{key}", f"dataset {ds.get('id')}: {key}"))
            if ds.get("anonymisation_method"):
                v.manual.append(c.ev(f"/data_manifest/datasets/{i}/anonymisation_method",
                                     f"dataset {ds.get('id')}: anonymisation method documented"))
        sec = _d(c.pl.get("security"))
        if sec.get("encryption_at_rest") is True and _d(sec.get("access_control")).get("model") not in (None, "none"):
            v.manual.append(c.ev("/pipeline/security", "encryption at rest and access control declared"))
        if not v.auto and not v.manual:
            v.block = ("datasets hold personal data but no privacy control is declared "
                       "(pipeline.privacy_controls, datasets[].pseudonymised)")
    elif datasets and all(d.get("personal_data") is False for _, d in datasets):
        v.manual.append(c.ev("/data_manifest/datasets", "every dataset declares it holds no personal data"))
    return v


def _data_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("features")
    end_to_end = []
    for kind in ("data_ingestion", "training", "deploy"):
        hits = [(i, s) for i, s in c.stages(kind) if s.get("automated") is True]
        if not hits:
            end_to_end = []
            break
        i, s = hits[0]
        end_to_end.append(c.ev(f"/pipeline/stages/{i}", f"automated {kind} stage '{s.get('name')}'"))
    if end_to_end:
        v.auto += end_to_end
        v.auto[-1] = dict(v.auto[-1], what=v.auto[-1]["what"] + ": a new feature reaches production "
                                                              "through the automated pipeline")
    for i, entry in enumerate(_l(c.mc.get("change_log"))):
        if re.search(r"\bfeatures?\b", str(_d(entry).get("description", "")), re.IGNORECASE):
            v.manual.append(c.ev(f"/model_card/change_log/{i}",
                                 f"dated change adding a feature ({_d(entry).get('date')})"))
    return v


def _data_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("unit_tests")
    return v


def _model_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    commits = [c.ev(f"/pipeline/runs/{i}/git_commit", f"run {r.get('run_id')} records git commit {str(r['git_commit'])[:10]}")
               for i, r in c.training_runs() if r.get("git_commit")]
    for path, info in c.mlmodels:
        if "run_id" in info:
            commits.append(c.fev(path, info["run_id"], "MLflow model records the run that produced it"))
    review_auto, review_manual = c.automation("pr_trigger")
    if commits and review_auto:
        v.auto = commits[:2] + review_auto
    v.manual = commits + review_manual
    if not commits and review_auto:
        v.manual += review_auto
    return v


def _model_2(c: _Ctx) -> _Verdict:
    v = _Verdict(manual=c.attestation("MLOPS-21", "LOSS-BUSINESS"))
    auto, manual = c.automation("online_offline")
    v.auto = auto
    v.manual += manual
    return v


def _model_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.manual = [c.ev(f"/pipeline/runs/{i}/params", f"run {r.get('run_id')} records hyperparameters "
                                                     f"({', '.join(sorted(_d(r['params'])))[:60]})")
                for i, r in c.training_runs() if _d(r.get("params"))]
    auto, manual = c.automation("hpo")
    v.auto = auto
    v.manual += manual
    return v


def _model_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    stale = _d(c.mc.get("staleness"))
    if stale.get("impact_assessed_ref"):
        v.manual.append(c.ev("/model_card/staleness/impact_assessed_ref", "study of quality decay with model age"))
        triggers = [t for t in c.ct_triggers() if t in ("schedule", "performance_drop", "drift")]
        if triggers:
            v.auto = v.manual + [c.ev("/pipeline/ct/triggers", f"continuous training triggered by {', '.join(triggers)}")]
    return v


def _model_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    base = _d(_d(c.mc.get("performance")).get("baseline"))
    if base.get("model") or isinstance(base.get("value"), (int, float)):
        metric = base.get("metric")
        ours = [m for m in _l(_d(c.mc.get("performance")).get("metrics"))
                if _d(m).get("name") == metric and _d(m).get("slice", "overall") == "overall"]
        if ours and isinstance(base.get("value"), (int, float)) and isinstance(ours[0].get("value"), (int, float)):
            higher = ours[0].get("higher_is_better") is not False
            wins = ours[0]["value"] >= base["value"] if higher else ours[0]["value"] <= base["value"]
            if not wins:
                v.block = (f"the simpler baseline wins: {metric} {base['value']} for '{base.get('model')}' "
                           f"vs {ours[0]['value']} for the model")
                return v
            v.manual.append(c.ev("/model_card/performance/baseline",
                                 f"baseline '{base.get('model')}' {metric} {base['value']} < model {ours[0]['value']}"))
        else:
            v.manual.append(c.ev("/model_card/performance/baseline", f"baseline '{base.get('model')}' documented"))
    auto, manual = c.automation("baseline")
    v.auto = auto
    v.manual += manual
    return v


def _model_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    metrics = _l(_d(c.mc.get("performance")).get("metrics"))
    sliced = [(i, _d(m)) for i, m in enumerate(metrics) if _d(m).get("slice") not in (None, "overall")]
    for i, m in sliced:
        if _meets(m.get("value"), m.get("threshold"), m.get("higher_is_better")) is False:
            v.block = (f"quality is not adequate on slice {m.get('slice')}: {m.get('name')} {m.get('value')} "
                       f"misses its threshold {m.get('threshold')} (model_card performance.metrics[{i}])")
            return v
    if sliced:
        names = ", ".join(sorted({str(m.get("slice")) for _, m in sliced}))
        v.manual.append(c.ev(f"/model_card/performance/metrics/{sliced[0][0]}",
                             f"{len(sliced)} metrics on slices ({_clip(names, 60)}), all meeting their thresholds"))
    auto, manual = c.automation("slices")
    v.auto = auto
    v.manual += manual
    return v


def _model_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    fair = _d(c.mc.get("fairness"))
    metrics = [(i, _d(m)) for i, m in enumerate(_l(fair.get("metrics")))]
    for i, m in metrics:
        if _meets(m.get("value"), m.get("threshold"), m.get("higher_is_better")) is False:
            v.block = (f"fairness metric {m.get('name')} ({m.get('attribute')}) {m.get('value')} misses its "
                       f"threshold {m.get('threshold')}")
            return v
    if fair.get("passed") is False:
        v.block = "the fairness assessment records passed: false"
        return v
    if metrics:
        attrs = ", ".join(sorted({str(m.get("attribute")) for _, m in metrics}))
        v.manual.append(c.ev("/model_card/fairness/metrics", f"{len(metrics)} fairness metrics documented ({attrs})"))
    auto, manual = c.automation("fairness")
    v.auto = auto
    v.manual += manual
    return v


def _repro_parts(c: _Ctx) -> dict[str, list[dict[str, Any]]]:
    training = _d(c.pl.get("training"))
    env = _d(c.pl.get("environment"))
    parts: dict[str, list[dict[str, Any]]] = {"seed": [], "environment": [], "data": [], "determinism": []}
    if isinstance(training.get("seed"), int) and not isinstance(training.get("seed"), bool):
        parts["seed"].append(c.ev("/pipeline/training/seed", f"fixed random seed {training['seed']}"))
    lock = env.get("lockfile")
    clean = _clean_relative(lock) if isinstance(lock, str) else None
    if clean and _exists_inside(c.project.root, c.project.root.resolve(), clean, c.repo):
        parts["environment"].append(c.ev("/pipeline/environment/lockfile", f"dependency lock file {clean} in the project"))
    if env.get("container_digest"):
        parts["environment"].append(c.ev("/pipeline/environment/container_digest", "container pinned by digest"))
    for i, r in c.training_runs():
        if r.get("environment_digest"):
            parts["environment"].append(c.ev(f"/pipeline/runs/{i}/environment_digest", "run environment digest"))
            break
    datasets = c.datasets()
    if datasets and all(d.get("sha256") for _, d in datasets):
        parts["data"].append(c.ev("/data_manifest/datasets", f"all {len(datasets)} datasets identified by SHA-256"))
    for f in c.repo.of("dvc_lock"):
        line = next((n for n, t in enumerate(f.lines, 1) if "md5" in t), 1)
        parts["data"].append(c.fev(f.path, line, "dvc.lock pins data and outputs by hash"))
    if training.get("deterministic") is True:
        parts["determinism"].append(c.ev("/pipeline/training/deterministic", "training declared deterministic"))
    repro = _d(training.get("repro_check"))
    delta, tol = repro.get("metric_delta"), repro.get("tolerance")
    if isinstance(delta, (int, float)) and isinstance(tol, (int, float)) and abs(delta) <= tol:
        parts["determinism"].append(c.ev("/pipeline/training/repro_check",
                                         f"re-run reproduced {repro.get('metric')} within {tol} (delta {delta})"))
    return parts


def _infra_1(c: _Ctx) -> _Verdict:
    p = _repro_parts(c)
    v = _Verdict()
    if all(p.values()):
        v.auto = [e for k in ("seed", "environment", "data", "determinism") for e in p[k]]
    elif (p["seed"] and (p["environment"] or p["data"])) or any(e["file"] == "dvc.lock" for e in p["data"]):
        v.manual = [e for k in ("seed", "environment", "data", "determinism") for e in p[k]]
        v.note = "missing: " + ", ".join(k for k, e in p.items() if not e)
    return v


def _infra_2(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("unit_tests")
    if _d(c.pl.get("training")).get("loss_decrease_test") is True:
        item = c.ev("/pipeline/training/loss_decrease_test", "a test checks that training loss decreases")
        (v.auto if v.auto else v.manual).append(item)
    return v


def _infra_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    it = _d(c.pl.get("integration_test"))
    if it:
        age = c.age(it.get("last_run_at"))
        if it.get("automated") is True and (age is None or age <= INTEGRATION_FRESH_DAYS):
            v.auto.append(c.ev("/pipeline/integration_test", "automated whole-pipeline integration test"
                               + (f", last run {age} days before the as-of date" if age is not None else "")))
        else:
            why = "not automated" if it.get("automated") is not True else f"last run {age} days before the as-of date"
            v.manual.append(c.ev("/pipeline/integration_test", f"integration test declared ({why})"))
    auto, manual = c.automation("integration_tests")
    v.auto += auto
    v.manual += manual
    return v


def _before(c: _Ctx, index: int, kinds: tuple[str, ...]) -> bool:
    """The stage at ``index`` comes before every stage of ``kinds`` (by order)."""
    later = [i for k in kinds for i, _ in c.stages(k)]
    return all(index < i for i in later)


def _infra_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for i, s in c.stages("model_validation"):
        if s.get("automated") is True and s.get("blocking") is True and _before(c, i, ("register", "deploy")):
            checks = ", ".join(str(x) for x in _l(s.get("checks")))
            v.auto.append(c.ev(f"/pipeline/stages/{i}", f"automated blocking model validation '{s.get('name')}' before "
                                                        f"register/deploy" + (f" (checks: {checks})" if checks else "")))
        else:
            v.manual.append(c.ev(f"/pipeline/stages/{i}", f"model validation stage '{s.get('name')}' is not an "
                                                          f"automated blocking gate before register/deploy"))
    val = _d(c.mc.get("validation"))
    if val.get("status") in ("approved", "approved_with_conditions") and val.get("date"):
        v.manual.append(c.ev("/model_card/validation", f"validation {val['status']} on {val['date']} by {val.get('validator')}"))
    return v


def _infra_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    if _d(c.mc.get("explanations")).get("logic_summary_ref"):
        v.manual.append(c.ev("/model_card/explanations/logic_summary_ref", "explanation of the model logic"))
    if _d(c.mc.get("testing")).get("sensitivity_ref"):
        v.manual.append(c.ev("/model_card/testing/sensitivity_ref", "sensitivity analysis"))
    if c.mon.get("inference_logging") is True:
        v.manual.append(c.ev("/pipeline/monitoring/inference_logging",
                             "every inference is logged, so a single example can be replayed"))
    elif _d(c.pl.get("logging")).get("inference_logs") is True:
        v.manual.append(c.ev("/pipeline/logging/inference_logs", "each inference is logged"))
    for path, info in c.mlmodels:
        if "saved_input_example_info" in info:
            v.manual.append(c.fev(path, info["saved_input_example_info"], "MLflow model stores an input example"))
    auto, manual = c.automation("explain")
    v.auto = auto
    v.manual += manual
    return v


def _infra_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    cd = _d(c.pl.get("cd"))
    strategy = cd.get("strategy")
    if strategy in ("canary", "shadow", "blue_green", "progressive"):
        canary = _d(cd.get("canary"))
        complete = strategy != "canary" or (canary.get("success_criteria") and canary.get("auto_abort") is True)
        if cd.get("enabled") is True and complete:
            v.auto.append(c.ev("/pipeline/cd/strategy", f"automated {strategy} rollout"
                               + (f" ({canary.get('traffic_pct')} % traffic, automatic abort)" if strategy == "canary" else "")))
        else:
            why = "CD is not enabled" if cd.get("enabled") is not True else "no success criteria or automatic abort"
            v.manual.append(c.ev("/pipeline/cd/strategy", f"{strategy} rollout declared ({why})"))
    return v


def _infra_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    rb = _d(c.pl.get("rollback"))
    previous = _l(_d(c.pl.get("registry")).get("previous_versions"))
    age = c.age(rb.get("last_tested_at"))
    if rb.get("automated") is True and previous and age is not None and age <= ROLLBACK_FRESH_DAYS:
        v.auto.append(c.ev("/pipeline/rollback", f"automated rollback, last tested {age} days before the as-of date"))
        v.auto.append(c.ev("/pipeline/registry/previous_versions", f"{len(previous)} earlier versions kept"))
        return v
    if rb.get("procedure_ref"):
        note = "" if age is None else f", last tested {age} days before the as-of date"
        v.manual.append(c.ev("/pipeline/rollback/procedure_ref", f"rollback procedure documented{note}"))
    if previous:
        v.manual.append(c.ev("/pipeline/registry/previous_versions",
                             f"{len(previous)} earlier versions kept in the registry for rollback"))
    return v


def _monitor_1(c: _Ctx) -> _Verdict:
    v = _Verdict()
    for f in c.repo.of("dependency_bot"):
        v.auto.append(c.fev(f.path, 1, "dependency update bot configured (notifies of upstream releases)"))
    deps = [(i, _d(d)) for i, d in enumerate(_l(c.mc.get("dependencies")))]
    monitored = [(i, d) for i, d in deps if d.get("monitored") is True]
    if monitored and c.mon_live:
        v.auto += [c.ev(f"/model_card/dependencies/{i}", f"upstream dependency {d.get('name')} is monitored")
                   for i, d in monitored[:3]]
    elif deps:
        v.manual.append(c.ev("/model_card/dependencies", f"{len(deps)} upstream dependencies documented"))
    sched_auto, sched_manual = c.automation("schedule")
    data_auto, data_manual = [], []
    ci_data = c.ci_evidence("data_tests")
    if sched_auto and ci_data and c.ci_recurring:
        v.auto += sched_auto[:1] + [dict(e, what=e["what"] + ": scheduled data tests flag upstream data changes")
                                   for e in ci_data[:1]]
    elif (sched_auto or sched_manual) and ci_data:
        v.manual += (sched_auto or sched_manual)[:1] + [dict(e, what=f"{e['what']} ({c.ci_note})") for e in ci_data[:1]]
    return v


def _monitor_2(c: _Ctx) -> _Verdict:
    v = _Verdict()
    training_auto, training_manual = c.automation("data_tests")
    detectors = _l(_d(c.mon.get("drift")).get("detectors"))
    serving = []
    if detectors:
        if c.mon_live:
            serving = [c.ev("/pipeline/monitoring/drift", f"serving inputs checked by drift detectors "
                                                          f"({', '.join(map(str, detectors))})")] + c.mon_evidence()
        else:
            v.manual.append(c.ev("/pipeline/monitoring/drift", f"drift detectors declared, but {c.mon_note}"))
    if training_auto and serving:
        v.auto = training_auto[:2] + serving
    else:
        v.manual += training_auto + training_manual + serving
    for i, ds in c.datasets():
        checks = _l(_d(ds.get("quality")).get("checks"))
        if checks:
            v.manual.append(c.ev(f"/data_manifest/datasets/{i}/quality/checks",
                                 f"dataset {ds.get('id')}: {len(checks)} data quality checks recorded"))
    if not v.auto and (training_auto or serving):
        v.note = "only one side is automated: " + ("serving inputs are not checked by live monitoring" if training_auto
                                                   else "training data is not validated automatically")
    return v


def _monitor_3(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("skew")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _RX["skew"].search(str(_d(m).get("name", ""))):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"skew metric {_d(m).get('name')} monitored"))
    detectors = _l(_d(c.mon.get("drift")).get("detectors"))
    if detectors:
        v.manual.append(c.ev("/pipeline/monitoring/drift", "drift detectors compare serving and training "
                                                           "distributions (catches gross skew only)"))
    if c.mon.get("inference_logging") is True:
        v.manual.append(c.ev("/pipeline/monitoring/inference_logging", "serving inputs are logged for comparison"))
    return v


def _model_age(c: _Ctx) -> tuple[int | None, int, str]:
    details = _d(c.mc.get("model_details"))
    age = c.age(details.get("trained_at"))
    declared = _d(c.mc.get("staleness")).get("max_age_days")
    tier = _d(c.mc.get("risk")).get("tier")
    if isinstance(declared, int) and declared > 0:
        return age, declared, "model_card.staleness.max_age_days"
    limit = MODEL_AGE_DAYS.get(tier, DEFAULT_MODEL_AGE_DAYS)
    return age, limit, f"default for tier {tier}" if tier in MODEL_AGE_DAYS else "default"


def _monitor_4(c: _Ctx) -> _Verdict:
    v = _Verdict()
    age, limit, source = _model_age(c)
    if age is None:
        v.block = "the model card records no training date (model_details.trained_at)"
        return v
    if age > limit:
        v.block = f"the model is {age} days old, more than {limit} ({source})"
        return v
    item = c.ev("/model_card/model_details/trained_at", f"model trained {age} days before the as-of date "
                                                        f"(limit {limit}, {source})")
    triggers = c.ct_triggers()
    if triggers:
        v.auto = [item, c.ev("/pipeline/ct", f"continuous training triggered by {', '.join(triggers)}")]
    else:
        v.manual = [item]
    return v


def _monitor_5(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("numerical")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _RX["numerical"].search(str(_d(m).get("name", "")).replace("_", " ")):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"NaN/infinity metric {_d(m).get('name')} monitored"))
    return v


def _monitor_6(c: _Ctx) -> _Verdict:
    v = _Verdict()
    v.auto, v.manual = c.automation("perf")
    for i, m in enumerate(_l(c.mon.get("metrics"))):
        if _SERVING_METRIC.search(str(_d(m).get("name", ""))):
            (v.auto if c.mon_live else v.manual).append(c.ev(f"/pipeline/monitoring/metrics/{i}",
                                                             f"serving performance metric {_d(m).get('name')} monitored"))
    if _d(c.mc.get("testing")).get("stress_test_ref"):
        v.manual.append(c.ev("/model_card/testing/stress_test_ref", "stress test of the prediction API documented"))
    return v


def _monitor_7(c: _Ctx) -> _Verdict:
    v = _Verdict()
    metrics = [(i, _d(m)) for i, m in enumerate(_l(c.mon.get("metrics"))) if "threshold" in _d(m)]
    route = c.mon.get("alert_route")
    if metrics and route and c.mon_live:
        v.auto = c.mon_evidence() + [c.ev(f"/pipeline/monitoring/metrics/{metrics[0][0]}",
                                          f"{len(metrics)} quality metrics with alert thresholds"),
                                     c.ev("/pipeline/monitoring/alert_route", "alerts routed")]
    elif c.mon:
        missing = [] if metrics else ["no metric with a threshold"]
        if not route:
            missing.append("no alert route")
        if c.mon_note:
            missing.append(c.mon_note)
        v.manual.append(c.ev("/pipeline/monitoring", "monitoring declared, but " + "; ".join(missing)))
    return v


TESTS: tuple[TestSpec, ...] = (
    TestSpec("data-1", "data", "Feature expectations are captured in a schema",
             "fields with types in the data manifest, or an MLflow signature",
             "an automated data validation stage, schema check, or CI data tests", _data_1),
    TestSpec("data-2", "data", "Every feature is beneficial",
             "a dated MLOPS-22 attestation, or necessity justifications on fields",
             "an automated feature-importance step (pipeline, dvc or CI)", _data_2),
    TestSpec("data-3", "data", "No feature's cost is too much",
             "a dated MLOPS-22 attestation (value, latency and memory cost assessed)",
             "an automated feature-cost step", _data_3),
    TestSpec("data-4", "data", "Features adhere to meta-level requirements",
             "every dataset declares personal_data, fields annotated personal/identifier",
             "a policy check run automatically (e.g. `mlcompliance check` in CI, a PII stage)", _data_4),
    TestSpec("data-5", "data", "The data pipeline has appropriate privacy controls",
             "pseudonymisation/anonymisation or encryption and access control documented, or no personal data declared",
             "privacy controls built into the pipeline (pipeline.privacy_controls) or an automated privacy step", _data_5),
    TestSpec("data-6", "data", "New features can be added quickly",
             "a dated change-log entry adding a feature, or a manual feature-engineering stage",
             "an automated feature-engineering stage, or automated ingestion, training and deploy stages", _data_6),
    TestSpec("data-7", "data", "All input feature code is tested",
             "unit tests in a CI configuration that is stale or not found",
             "CI runs unit tests and ran within 30 days", _data_7),
    TestSpec("model-1", "model", "Every model specification is reviewed and versioned",
             "training runs record their git commit, or CI triggers on pull/merge requests",
             "git commits recorded and CI (fresh) runs on every pull/merge request", _model_1),
    TestSpec("model-2", "model", "Offline proxy metrics correlate with online impact",
             "a dated MLOPS-21 attestation (e.g. an A/B test with a degraded model)",
             "an automated online/offline correlation or A/B step", _model_2),
    TestSpec("model-3", "model", "All hyperparameters have been tuned",
             "training runs record their hyperparameters",
             "an automated tuning step (optuna, sweeps, HPO stage)", _model_3),
    TestSpec("model-4", "model", "The impact of model staleness is known",
             "a staleness study (model_card.staleness.impact_assessed_ref)",
             "the study plus continuous training on a schedule, drift or performance trigger", _model_4),
    TestSpec("model-5", "model", "A simpler model is not better",
             "a documented baseline that the model beats",
             "an automated baseline comparison", _model_5),
    TestSpec("model-6", "model", "Model quality is sufficient on important data slices",
             "metrics on slices, all meeting their thresholds",
             "an automated sliced evaluation", _model_6),
    TestSpec("model-7", "model", "The model is tested for considerations of inclusion",
             "fairness metrics documented and meeting thresholds",
             "an automated fairness test (fairness_test stage, fairness check, fairlearn/aif360 in CI)", _model_7),
    TestSpec("infra-1", "infrastructure", "Training is reproducible",
             "a fixed seed with a pinned environment or dataset hashes, or a dvc.lock",
             "seed, pinned environment, dataset hashes and deterministic training or a passed re-run check", _infra_1),
    TestSpec("infra-2", "infrastructure", "Model specification code is unit tested",
             "a loss-decrease test, or unit tests in stale CI",
             "CI runs unit tests and ran within 30 days", _infra_2),
    TestSpec("infra-3", "infrastructure", "The full ML pipeline is integration tested",
             "an integration test declared but not automated or stale",
             "an automated integration test run within 30 days, or integration tests in fresh CI", _infra_3),
    TestSpec("infra-4", "infrastructure", "Model quality is validated before attempting to serve it",
             "a dated validation approval, or a model validation stage that is not an automated gate",
             "an automated, blocking model validation stage before register/deploy", _infra_4),
    TestSpec("infra-5", "infrastructure", "The model allows debugging by observing single examples",
             "inference logging, an explanation or sensitivity analysis, or an MLflow input example",
             "an automated per-example explanation step (SHAP, LIME, captum)", _infra_5),
    TestSpec("infra-6", "infrastructure", "Models are canaried before they serve all traffic",
             "a canary/shadow/blue-green strategy declared without automated CD or abort",
             "CD enabled with canary (success criteria, automatic abort), shadow, blue-green or progressive rollout",
             _infra_6),
    TestSpec("infra-7", "infrastructure", "Serving models can be rolled back",
             "a rollback procedure or earlier versions kept in the registry",
             "automated rollback tested within 180 days with earlier versions kept", _infra_7),
    TestSpec("monitor-1", "monitoring", "Dependency changes result in notification",
             "upstream dependencies documented, or scheduled data tests in stale CI",
             "a dependency bot, monitored dependencies, or scheduled CI data tests", _monitor_1),
    TestSpec("monitor-2", "monitoring", "Data invariants hold for training and serving inputs",
             "data quality checks recorded, or only one side (training or serving) automated",
             "automated data validation for training and live drift monitoring of serving inputs", _monitor_2),
    TestSpec("monitor-3", "monitoring", "Training and serving features compute the same values",
             "drift detectors or inference logging (gross skew only)",
             "an automated training/serving skew check or a monitored skew metric", _monitor_3),
    TestSpec("monitor-4", "monitoring", "Models are not too stale",
             "model age within its limit, retrained by hand",
             "model age within its limit and continuous training with triggers", _monitor_4),
    TestSpec("monitor-5", "monitoring", "The model is numerically stable",
             "a NaN/infinity check declared but not automated",
             "an automated NaN/infinity check or a monitored NaN metric", _monitor_5),
    TestSpec("monitor-6", "monitoring", "Computing performance has not regressed",
             "a documented stress test of the prediction API",
             "monitored latency/throughput/memory metrics, or automated load tests", _monitor_6),
    TestSpec("monitor-7", "monitoring", "Prediction quality has not regressed",
             "monitoring declared without a threshold, alert route or recent report",
             "live monitoring (recent report) of quality metrics with thresholds and an alert route", _monitor_7),
)


def _score_test(spec: TestSpec, c: _Ctx) -> dict[str, Any]:
    v = spec.fn(c)
    record: dict[str, Any] = {"id": spec.id, "section": spec.section, "title": spec.title}
    if v.block:
        record.update(score=0.0, evidence=[], reason=v.block)
    elif v.auto:
        record.update(score=1.0, evidence=_dedupe(v.auto + v.manual))
    elif v.manual:
        note = f" ({v.note})" if v.note else ""
        record.update(score=0.5, evidence=_dedupe(v.manual), reason=f"manual or documented only{note}; for 1: {spec.one}")
    else:
        record.update(score=0.0, evidence=[], reason=f"no evidence; for 0.5: {spec.half}; for 1: {spec.one}")
    return record


# --- rubric arithmetic (pure, tested on hand-computed examples) --------------------------------

def section_sums(tests: list[dict[str, Any]]) -> dict[str, float]:
    sums = {key: 0.0 for key, _ in SECTIONS}
    for t in tests:
        sums[t["section"]] += float(t["score"])
    return sums


def final_score(sections: dict[str, float]) -> float:
    """The paper's rule: the weakest section caps the score."""
    return min(sections.values())


def band(final: float) -> tuple[str, str]:
    """(range, meaning) of the ML Test Score interpretation band for ``final``."""
    for upper, rng, meaning in BANDS:
        if final <= upper:
            return rng, meaning
    raise AssertionError("unreachable")


def crosswalk(final: float) -> dict[str, str]:
    for upper, google, azure, label in CROSSWALK:
        if final <= upper:
            return {"google_level": google, "azure_level": azure, "label": label}
    raise AssertionError("unreachable")


PRACTICE_STAGES = {
    "MLOPS-01-CI": 3, "MLOPS-02-CD": 3, "MLOPS-03-CT-MONITORING": 2, "MLOPS-04-VERSIONING": 1,
    "MLOPS-05-VALIDATION": 2, "MLOPS-06-REPRODUCIBILITY": 1, "MLOPS-07-TRACEABILITY": 2, "MLOPS-08-FAIRNESS": 2,
    "MLOPS-09-STALENESS": 2, "MLOPS-10-CANARY": 3, "MLOPS-11-ROLLBACK": 3, "MLOPS-12-CHECKPOINT-RECOVERY": 2,
}


def stage_rule(scores: dict[str, float | None]) -> dict[str, Any]:
    """controls.md section 5: Stage 3 if every practice = 1; Stage 2 if every S1 and S2 practice = 1;
    else Stage 1. Below baseline when an S1 practice scores under 0.5. ``None`` = not applicable."""
    def short(ids: list[str]) -> str:
        return ", ".join(f"{i} ({scores[i]:g})" for i in ids)

    lacking = {s: sorted(i for i, st in PRACTICE_STAGES.items() if st == s and scores.get(i) is not None
                         and scores[i] < 1) for s in (1, 2, 3)}
    na = sorted(i for i in PRACTICE_STAGES if scores.get(i) is None)
    below = any(scores.get(i) is not None and scores[i] < 0.5 for i, s in PRACTICE_STAGES.items() if s == 1)
    why = []
    if not lacking[1] and not lacking[2]:
        stage = 3 if not lacking[3] else 2
        why.append("every Stage 1 and Stage 2 practice scores 1 (automated and recurring)")
        if stage == 3:
            why.append("every Stage 3 practice (CI, CD, canary, rollback) scores 1")
        else:
            why.append("not Stage 3: " + short(lacking[3]))
    else:
        stage = 1
        if lacking[1]:
            why.append("not Stage 2: Stage 1 practices below 1: " + short(lacking[1]))
        if lacking[2]:
            why.append("not Stage 2: Stage 2 practices below 1: " + short(lacking[2]))
    if na:
        why.append("not applicable: " + ", ".join(na))
    if below:
        why.append("below baseline: a Stage 1 practice scores under 0.5")
    return {"stage": stage, "label": STAGE_LABELS[stage], "below_baseline": below, "why": why}


def principle_status(score: float | None) -> str:
    if score is None:
        return "not_applicable"
    return "met" if score >= 1 else "partial" if score >= 0.5 else "not_met"


# --- practices (controls.md section 5) ---------------------------------------------------------

PRACTICE_TITLES = {
    "MLOPS-01-CI": "Automated CI",
    "MLOPS-02-CD": "Automated CD from the registry",
    "MLOPS-03-CT-MONITORING": "Continuous training and performance monitoring",
    "MLOPS-04-VERSIONING": "Model and data versioning",
    "MLOPS-05-VALIDATION": "Automated data and model validation gates",
    "MLOPS-06-REPRODUCIBILITY": "Fixed seeds, pinned dependencies, dataset hashes",
    "MLOPS-07-TRACEABILITY": "Production model traces to run, code, data, parameters, environment",
    "MLOPS-08-FAIRNESS": "Automated fairness tests (when outputs concern people)",
    "MLOPS-09-STALENESS": "Model staleness bounded",
    "MLOPS-10-CANARY": "Canary, shadow or progressive rollout",
    "MLOPS-11-ROLLBACK": "Fast, tested rollback",
    "MLOPS-12-CHECKPOINT-RECOVERY": "Training resumes from checkpoints",
}


def _practice(pid: str, score: float | None, evidence: list[dict[str, Any]], reason: str | None,
              basis: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": pid, "title": PRACTICE_TITLES[pid], "stage": PRACTICE_STAGES[pid], "score": score,
                           "status": principle_status(score)}
    if basis:
        out["basis"] = basis
    out["evidence"] = _dedupe(evidence)
    if reason:
        out["reason"] = reason
    return out


def _from_test(pid: str, test: dict[str, Any]) -> dict[str, Any]:
    return _practice(pid, test["score"], test["evidence"], test.get("reason"), basis=f"ML Test Score {test['id']}")


def _practices(c: _Ctx, tests: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    # 01 CI
    unit, data, pr = c.ci_evidence("unit_tests"), c.ci_evidence("data_tests"), c.ci_evidence("pr_trigger")
    missing = [n for n, e in (("unit tests", unit), ("data tests", data), ("a pull/merge-request trigger", pr)) if not e]
    if c.ci_recurring and not missing:
        out.append(_practice("MLOPS-01-CI", 1.0, unit[:1] + data[:1] + pr[:1], None))
    elif c.ci_live:
        why = [c.ci_note] if c.ci_note else []
        why += [f"CI runs no {m}" if m != "a pull/merge-request trigger" else "CI has no pull/merge-request trigger"
                for m in missing]
        files = [c.fev(p, 1, "CI configuration") for p in c.ci_files]
        out.append(_practice("MLOPS-01-CI", 0.5, files + unit[:1] + data[:1] + pr[:1], "; ".join(why)))
    else:
        out.append(_practice("MLOPS-01-CI", 0.0, [], "no CI configuration in the project and pipeline.ci.enabled "
                                                     "is not true"))
    # 02 CD
    cd = _d(c.pl.get("cd"))
    envs = {e for e in _l(cd.get("environments")) if isinstance(e, str)}
    if cd.get("enabled") is True and cd.get("source") == "model_registry" and {"staging", "production"} <= envs:
        out.append(_practice("MLOPS-02-CD", 1.0, [c.ev("/pipeline/cd", "CD enabled from the model registry to "
                                                                       + ", ".join(sorted(envs)))], None))
    else:
        ev = []
        if cd.get("enabled") is True:
            ev.append(c.ev("/pipeline/cd", "CD enabled, but not from the registry through staging and production"))
        ev += c.automation("deploy")[0]
        for i, d in enumerate(_l(c.pl.get("deployments"))):
            if _d(d).get("deployed_at"):
                ev.append(c.ev(f"/pipeline/deployments/{i}", f"deployment to {_d(d).get('env')} recorded "
                                                             f"({_d(d).get('deployed_at')})"))
                break
        reason = ("deployment is not automated from the model registry through staging to production "
                  "(pipeline.cd.enabled, source: model_registry, environments)")
        out.append(_practice("MLOPS-02-CD", 0.5 if ev else 0.0, ev, reason))
    # 03 CT + monitoring
    ct = c.ct_triggers()
    mon_ok = tests["monitor-7"]["score"] == 1.0
    ev = ([c.ev("/pipeline/ct", f"continuous training triggered by {', '.join(ct)}")] if ct else [])
    ev += tests["monitor-7"]["evidence"][:2]
    missing = ([] if ct else ["continuous training is not enabled with triggers (pipeline.ct)"])
    missing += [] if mon_ok else [tests["monitor-7"].get("reason") or "no live monitoring"]
    score = 1.0 if ct and mon_ok else 0.5 if ct or c.mon or _d(c.pl.get("ct")) else 0.0
    out.append(_practice("MLOPS-03-CT-MONITORING", score, ev, "; ".join(missing) or None))
    # 04 versioning
    out.append(_versioning(c))
    # 05 validation
    data_gate, model_gate = c.gate("data_validation"), c.gate("model_validation")
    if data_gate and model_gate:
        out.append(_practice("MLOPS-05-VALIDATION", 1.0, data_gate + model_gate, None))
    else:
        missing = [f"no automated, blocking {k} stage" for k, g in (("data_validation", data_gate),
                                                                    ("model_validation", model_gate)) if not g]
        ev = data_gate + model_gate + [e for e in tests["infra-4"]["evidence"] if e not in data_gate + model_gate]
        ev += [c.ev(f"/pipeline/stages/{i}", f"{s.get('kind')} stage '{s.get('name')}' (not an automated gate)")
               for k in ("data_validation", "model_validation") for i, s in c.stages(k)
               if not (s.get("automated") is True and s.get("blocking") is True)]
        out.append(_practice("MLOPS-05-VALIDATION", 0.5 if ev else 0.0, ev, "; ".join(missing)))
    # 06 reproducibility
    out.append(_from_test("MLOPS-06-REPRODUCIBILITY", tests["infra-1"]))
    # 07 traceability
    out.append(_traceability(c))
    # 08 fairness
    if c.affects_people():
        out.append(_from_test("MLOPS-08-FAIRNESS", tests["model-7"]))
    else:
        out.append(_practice("MLOPS-08-FAIRNESS", None, [c.ev("/model_card/intended_use/affected_persons",
                                                              "no affected persons and no personal data declared")],
                             "not applicable: the model's outputs do not concern people"))
    # 09 staleness, 10 canary, 11 rollback
    out.append(_from_test("MLOPS-09-STALENESS", tests["monitor-4"]))
    out.append(_from_test("MLOPS-10-CANARY", tests["infra-6"]))
    out.append(_from_test("MLOPS-11-ROLLBACK", tests["infra-7"]))
    # 12 checkpoints
    cp = _d(_d(c.pl.get("training")).get("checkpoint"))
    age = c.age(cp.get("resume_tested_at"))
    if cp.get("enabled") is True and cp.get("storage_uri") and age is not None and age <= RESUME_FRESH_DAYS:
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 1.0, [c.ev(
            "/pipeline/training/checkpoint", f"checkpoints to durable storage; resume tested {age} days before the "
                                             f"as-of date")], None))
    elif cp:
        why = ("resume never tested" if age is None else f"resume last tested {age} days before the as-of date "
               f"(more than {RESUME_FRESH_DAYS})") if cp.get("enabled") is True else "checkpoints not enabled"
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 0.5 if cp.get("enabled") is True else 0.0,
                             [c.ev("/pipeline/training/checkpoint", "checkpoint settings declared")], why))
    else:
        out.append(_practice("MLOPS-12-CHECKPOINT-RECOVERY", 0.0, [], "no checkpoint settings "
                                                                      "(pipeline.training.checkpoint)"))
    return out


def _versioning(c: _Ctx) -> dict[str, Any]:
    ev, missing = [], []
    version = _d(c.mc.get("model_details")).get("version")
    if isinstance(version, str) and _SEMVER.match(version):
        ev.append(c.ev("/model_card/model_details/version", f"model version {version} (semantic)"))
    else:
        missing.append("model version is not semantic (MAJOR.MINOR.PATCH)" if version else "no model version")
        if version:
            ev.append(c.ev("/model_card/model_details/version", f"model version {version}"))
    registry = _d(c.pl.get("registry"))
    if registry.get("model_version") and registry.get("model_version") == version:
        ev.append(c.ev("/pipeline/registry/model_version", f"registry holds version {version}"))
    else:
        missing.append(f"registry version {registry.get('model_version')} differs from the model card's {version}"
                       if registry.get("model_version") else "no registry version")
        if registry.get("model_version"):
            ev.append(c.ev("/pipeline/registry/model_version", f"registry version {registry.get('model_version')}"))
    datasets = c.datasets()
    dvc_lock = bool(c.repo.of("dvc_lock"))
    if datasets and all(d.get("version") and d.get("sha256") for _, d in datasets):
        ev.append(c.ev("/data_manifest/datasets", f"all {len(datasets)} datasets carry a version and a SHA-256"))
    elif dvc_lock:
        ev.append(c.fev(c.repo.of("dvc_lock")[0].path, 1, "dvc.lock versions data by hash"))
    else:
        missing.append("not every dataset has a version and a SHA-256")
        if any(d.get("version") or d.get("sha256") for _, d in datasets):
            ev.append(c.ev("/data_manifest/datasets", "some datasets versioned"))
    runs = c.training_runs()
    if runs and all(r.get("git_commit") for _, r in runs):
        ev.append(c.ev(f"/pipeline/runs/{runs[0][0]}/git_commit", "every training run records its git commit"))
    else:
        missing.append("not every training run records a git commit")
    score = 1.0 if not missing else 0.5 if ev else 0.0
    return _practice("MLOPS-04-VERSIONING", score, ev, "; ".join(missing) or None)


def _traceability(c: _Ctx) -> dict[str, Any]:
    deployments = [(i, _d(d)) for i, d in enumerate(_l(c.pl.get("deployments")))]
    prod = [(i, d) for i, d in deployments if d.get("env") == "production"]
    registry = _d(c.pl.get("registry"))
    target = prod[-1][1].get("model_version") if prod else registry.get("model_version") or \
        _d(c.mc.get("model_details")).get("version")
    ev, missing = [], []
    if prod:
        ev.append(c.ev(f"/pipeline/deployments/{prod[-1][0]}", f"production runs model version {target}"))
    else:
        missing.append("no production deployment recorded (traced the registry version instead)")
    known = [registry.get("model_version")] + _l(registry.get("previous_versions"))
    if target and target in known:
        ev.append(c.ev("/pipeline/registry", f"version {target} is in the registry"))
    else:
        missing.append(f"version {target} is not in the registry")
    runs = [(i, r) for i, r in c.training_runs() if target and r.get("model_version") == target]
    if not runs:
        missing.append(f"no recorded run produced version {target}")
    else:
        i, run = runs[-1]
        ev.append(c.ev(f"/pipeline/runs/{i}", f"run {run.get('run_id')} produced version {target}"))
        if not run.get("git_commit"):
            missing.append("the run records no git commit")
        refs = [_d(r) for r in _l(run.get("data_refs"))]
        if not refs or not all(r.get("sha256") for r in refs):
            missing.append("the run's data references lack SHA-256 digests")
        if not _d(run.get("params")):
            missing.append("the run records no parameters")
        env = _d(c.pl.get("environment"))
        if not (run.get("environment_digest") or env.get("container_digest") or env.get("lockfile")):
            missing.append("no environment digest or lock file")
    score = 1.0 if not missing else 0.5 if ev else 0.0
    return _practice("MLOPS-07-TRACEABILITY", score, ev, "; ".join(missing) or None)


# --- principles, levels, dimensions ------------------------------------------------------------

PRINCIPLES = (
    (1, "automated_ci", "Automated CI: testing and validating code, data, data schemas and models"),
    (2, "automated_cd", "Automated CD: a training pipeline that deploys a prediction service"),
    (3, "continuous_training", "Automated continuous training and model performance monitoring"),
    (4, "versioning", "Automated model and data versioning"),
    (5, "validation", "Automated model and data validation"),
    (6, "traceability", "Verifiability, traceability, reproducibility"),
    (7, "collaboration", "Collaboration and cross-team alignment: templates, infrastructure and configuration as code"),
)


def _principles(c: _Ctx, practices: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    def from_practices(*ids: str) -> tuple[float, list[dict[str, Any]], str | None]:
        scores = [practices[i]["score"] for i in ids]
        ev = [e for i in ids for e in practices[i]["evidence"]]
        reasons = [f"{i}: {practices[i]['reason']}" for i in ids if practices[i].get("reason") and
                   practices[i]["score"] is not None and practices[i]["score"] < 1]
        return min(s for s in scores if s is not None), ev, "; ".join(reasons) or None

    rows = {
        1: from_practices("MLOPS-01-CI"),
        2: from_practices("MLOPS-02-CD"),
        3: from_practices("MLOPS-03-CT-MONITORING"),
        4: from_practices("MLOPS-04-VERSIONING"),
        5: from_practices("MLOPS-05-VALIDATION"),
        6: from_practices("MLOPS-06-REPRODUCIBILITY", "MLOPS-07-TRACEABILITY"),
        7: _collaboration(c),
    }
    out = []
    for number, pid, title in PRINCIPLES:
        score, ev, reason = rows[number]
        item: dict[str, Any] = {"number": number, "id": pid, "title": title, "status": principle_status(score),
                                "score": score, "evidence": _dedupe(ev)}
        if reason:
            item["reason"] = reason
        out.append(item)
    return out


def _collaboration(c: _Ctx) -> tuple[float, list[dict[str, Any]], str | None]:
    parts: dict[str, list[dict[str, Any]]] = {"pipeline or CI configuration as code": [],
                                              "environment as code (lock file or container digest)": [],
                                              "cross-team roles (RACI over at least three lifecycle stages)": []}
    keys = list(parts)
    parts[keys[0]] += [c.fev(p, 1, "CI configuration in the repository") for p in c.ci_files]
    parts[keys[0]] += [c.fev(f.path, 1, "dvc pipeline definition") for f in c.repo.of("dvc")]
    parts[keys[1]] += _repro_parts(c)["environment"]
    raci = [_d(r) for r in _l(_d(c.mc.get("governance")).get("raci"))]
    stages = {r.get("stage") for r in raci if r.get("responsible") or r.get("accountable")}
    if len(stages) >= 3:
        parts[keys[2]].append(c.ev("/model_card/governance/raci", f"RACI covers {len(stages)} lifecycle stages"))
    ev = [e for k in keys for e in parts[k]]
    if c.project.config is not None:
        ev.append(c.fev(c.project.config.path, 1, "project configuration as code"))
    missing = [k for k in keys if not parts[k]]
    score = 1.0 if not missing else 0.5 if any(parts.values()) else 0.0
    return score, ev, ("missing: " + "; ".join(missing)) if missing else None


def _azure(c: _Ctx, p: dict[str, dict[str, Any]], tests: dict[str, dict[str, Any]]) -> tuple[int, list[str]]:
    runs = c.training_runs()
    tracked = any(r.get("git_commit") and (_d(r.get("params")) or _d(r.get("metrics"))) for _, r in runs)
    trained_auto = bool(c.automation("training")[0]) or bool(c.ct_triggers())
    criteria = [
        (1, "CI runs tests and code is versioned", p["MLOPS-01-CI"]["score"] >= 0.5
         and p["MLOPS-04-VERSIONING"]["score"] >= 0.5),
        (2, "training is automated, runs are tracked (commit and parameters or metrics), a registry holds models",
         trained_auto and tracked and bool(_d(c.pl.get("registry")).get("model_version"))),
        (3, "CD from the registry, full traceability, unit and integration tests per release",
         p["MLOPS-02-CD"]["score"] == 1 and p["MLOPS-07-TRACEABILITY"]["score"] == 1
         and p["MLOPS-01-CI"]["score"] == 1 and tests["infra-3"]["score"] == 1),
        (4, "retraining on drift or performance signals, live monitoring, blocking validation gates, "
            "automatic canary abort",
         any(t in ("drift", "performance_drop") for t in c.ct_triggers())
         and p["MLOPS-03-CT-MONITORING"]["score"] == 1 and p["MLOPS-05-VALIDATION"]["score"] == 1
         and tests["infra-6"]["score"] == 1),
    ]
    level, why = 0, []
    for n, text, ok in criteria:
        if not ok:
            why.append(f"not level {n}: needs {text}")
            break
        level = n
        why.append(f"level {n}: {text}")
    return level, why


def _dimensions(c: _Ctx, p: dict[str, dict[str, Any]], tests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ci_data = c.ci_evidence("data_tests")
    data_gate = c.gate("data_validation")
    datasets = c.datasets()
    hashed = bool(datasets) and all(d.get("sha256") for _, d in datasets) or bool(c.repo.of("dvc_lock"))
    ingest_auto = any(s.get("automated") is True for _, s in c.stages("data_ingestion")) or \
        any(re.search(r"ingest|extract|etl|prepare", t, re.IGNORECASE) for _, _, _, t in c.dvc)
    gov = _d(c.mc.get("governance"))
    developers = {str(x) for x in _l(gov.get("developers"))}
    validator = gov.get("validator") or _d(c.mc.get("validation")).get("validator")
    val = _d(c.mc.get("validation"))
    prod = [_d(d) for d in _l(c.pl.get("deployments")) if _d(d).get("env") == "production"]
    signed = any(d.get("approved_by") for d in prod) or _d(c.pl.get("cd")).get("approval_gate") is True
    logged = (c.mon.get("inference_logging") is True or _d(c.pl.get("logging")).get("automatic") is True
              or (_d(c.pl.get("audit_trail")).get("enabled") is True
                  and _d(c.pl.get("audit_trail")).get("computer_generated") is True))
    policy_auto = c.automation("policy")[0]
    raci = _l(gov.get("raci"))
    rules: dict[str, list[tuple[int, str, bool]]] = {
        "data": [
            (2, "an automated data validation stage", bool(c.automation("data_tests")[0])),
            (2, "datasets identified by hash (data manifest SHA-256 or dvc.lock)", hashed),
            (3, "data validation is a blocking pipeline gate", bool(data_gate)),
            (3, "CI runs data tests and ran recently", bool(ci_data) and c.ci_recurring),
            (3, "data ingestion is automated", ingest_auto),
        ],
        "model_training": [
            (2, "continuous training enabled with triggers", bool(c.ct_triggers())),
            (2, "an automated, blocking model validation gate", bool(c.gate("model_validation"))),
            (2, "training is automated (pipeline, dvc or CI)", bool(c.automation("training")[0])),
            (3, "CI runs unit tests on the training code and ran recently", tests["infra-2"]["score"] == 1),
            (3, "training is reproducible (MLOPS-06 = 1)", p["MLOPS-06-REPRODUCIBILITY"]["score"] == 1),
            (3, "the production model is traceable (MLOPS-07 = 1)", p["MLOPS-07-TRACEABILITY"]["score"] == 1),
        ],
        "deployment": [
            (2, "an automated validation gate before register/deploy", tests["infra-4"]["score"] == 1),
            (2, "a registry keeps model versions", bool(_d(c.pl.get("registry")).get("model_version"))),
            (2, "live production monitoring", tests["monitor-7"]["score"] == 1),
            (3, "automated CD from the registry through staging to production", p["MLOPS-02-CD"]["score"] == 1),
            (3, "automated canary or progressive rollout", tests["infra-6"]["score"] == 1),
            (3, "automated, tested rollback", tests["infra-7"]["score"] == 1),
        ],
        "control_and_governance": [
            (2, "a named accountable owner", bool(gov.get("owner"))),
            (2, "an independent validator (not one of the developers)", bool(validator) and validator not in developers),
            (2, "a dated validation approval", val.get("status") in ("approved", "approved_with_conditions")
             and bool(val.get("date"))),
            (2, "production releases signed off (approved_by or a CD approval gate)", signed),
            (2, "a RACI for the lifecycle stages", bool(raci)),
            (3, "policy checks run automatically (e.g. mlcompliance check in CI)", bool(policy_auto)),
            (3, "prediction activity logged automatically (inference logging, audit trail)", logged),
            (3, "no production release before validation: a blocking model validation gate",
             bool(c.gate("model_validation"))),
        ],
    }
    out = {}
    for dim, crit in rules.items():
        stage = 1
        for s in (2, 3):
            if all(ok for st, _, ok in crit if st <= s):
                stage = s
            else:
                break
        met = [text for st, text, ok in crit if ok]
        missing = [text for st, text, ok in crit if not ok and st <= stage + 1] if stage < 3 else []
        out[dim] = {"stage": stage, "met": met, "missing_for_next": missing}
    return out


# --- the entry point ---------------------------------------------------------------------------

def evaluate(project: Project, as_of: date) -> dict[str, Any]:
    """Maturity of ``project`` on ``as_of``: JSON-ready, deterministic, relative paths only."""
    pipeline = _d(project.bundle.get("pipeline"))
    repo = scan_repository(project.root, _d(pipeline.get("ci")).get("config_path"),
                           _d(pipeline.get("environment")).get("lockfile"))
    c = _Ctx(project, as_of, repo)
    tests = [_score_test(spec, c) for spec in TESTS]
    by_id = {t["id"]: t for t in tests}
    sections = section_sums(tests)
    final = final_score(sections)
    rng, meaning = band(final)
    practices = _practices(c, by_id)
    by_practice = {p["id"]: p for p in practices}
    stage = stage_rule({p["id"]: p["score"] for p in practices})
    google = stage["stage"] - 1
    azure, azure_why = _azure(c, by_practice, by_id)
    cross = crosswalk(final)
    weakest = [k for k, v in sections.items() if v == final]
    cross_google = int(cross["google_level"][0])
    if cross_google < google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}, capped by {', '.join(weakest)}) maps to Google level "
            f"{cross['google_level']} / Azure {cross['azure_level']} in the crosswalk: test coverage lags automation")
    elif cross_google > google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}) maps to Google level {cross['google_level']} in the crosswalk: "
            f"tests are ahead of pipeline automation")
    return {
        "maturity_version": MATURITY_VERSION,
        "as_of": as_of.isoformat(),
        "project": project.name,
        "ml_test_score": {
            "tests": tests,
            "sections": sections,
            "final": final,
            "weakest_sections": weakest,
            "band_range": rng,
            "band": meaning,
            "crosswalk": cross,
        },
        "stage": stage,
        "google_level": google,
        "google_label": GOOGLE_LABELS[google],
        "azure_level": azure,
        "azure_label": AZURE_LABELS[azure],
        "azure_why": azure_why,
        "principles": _principles(c, by_practice),
        "practices": practices,
        "dimensions": _dimensions(c, by_practice, by_id),
        "repository": {"files_read": [{"path": f.path, "kind": f.kind} for f in repo.files],
                       "skipped": repo.skipped},
    }
