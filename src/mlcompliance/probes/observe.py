"""The repository probe: what the project directory shows, written into the bundle as facts.

``observe(project)`` scans the project (``probes.repository``) and sets
``bundle["observed"]["repository"]`` (documented in docs/probes.md) plus the location index
that maps every ``/observed/...`` pointer to the probed file and line, so a finding about an
observed fact points at the real file:line. Facts only: which CI files exist, on what they
trigger, which jobs they run and which signal categories their lines match; dvc stages and
locked hashes; MLflow flavors and signature; dependency bots; whether the declared lock file
is present. Rules decide what the facts mean.
"""
from __future__ import annotations

from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import escape_token, parse_text
from mlcompliance.evidence.project import Project
from mlcompliance.probes.repository import (
    Repo,
    RepoFile,
    _ci_hits,
    _clean_relative,
    _dvc_lock_entries,
    _dvc_stages,
    _exists_inside,
    _mlmodel,
    scan_mapping,
    scan_repository,
)
from mlcompliance.probes.signals import CATEGORIES, CI_ONLY, RX
from mlcompliance.probes.sources import observe_sources

PROBE_VERSION = "1"
ROOT = "/observed/repository"
HOW = {
    "ci": "CI configuration files found at the usual paths (.github/workflows/*.yml, .gitlab-ci.yml, Jenkinsfile, "
          "azure-pipelines.yml, .circleci/config.yml, bitbucket-pipelines.yml) or at pipeline.ci.config_path; "
          "each non-comment line matched against the signal patterns (docs/probes.md); triggers, jobs, stages and "
          "includes of GitHub, GitLab and Azure files read by the CI adapter's parser (docs/adapters-pipeline.md)",
    "dvc": "dvc.yaml stages (name and cmd matched against the signal patterns); dvc.lock entries with md5 hashes; "
           "both parsed by the DVC adapter's parser",
    "mlflow": "MLmodel files at the project root, model/, models/ and one level below: flavors, keys present and "
              "the signature's named inputs (the MLflow adapter's parser)",
    "dependency_bots": "dependabot or renovate configuration at their usual paths",
    "lockfile": "pipeline.environment.lockfile resolved inside the project (links leading outside are not followed)",
}


def observe(project: Project, files: dict[str, bytes] | None = None, probes: bool | None = None,
            cache: bool = True) -> None:
    """Probe ``project`` (or, for pack test fixtures, the in-memory ``files``) and record the facts.

    The data probe (``/observed/data``) runs when the evidence points at data (a dataset with a
    path), or always with ``probes=True`` (``--probe``); ``probes=False`` (``--no-probes``) skips
    it, so a metadata-only check never imports pandas. ``cache=False`` (``--no-cache``) computes
    every data fact anew and writes no cache entry (in-memory ``files`` are never cached)."""
    pipeline = project.bundle.get("pipeline")
    pipeline = pipeline if isinstance(pipeline, dict) else {}
    ci = pipeline.get("ci") if isinstance(pipeline.get("ci"), dict) else {}
    env = pipeline.get("environment") if isinstance(pipeline.get("environment"), dict) else {}
    declared_ci = ci.get("config_path") if isinstance(ci.get("config_path"), str) else None
    lockfile = env.get("lockfile") if isinstance(env.get("lockfile"), str) else None
    if files is None:
        repo = scan_repository(project.root, declared_ci, lockfile)
        clean = _clean_relative(lockfile) if lockfile else None
        present = None if lockfile is None else bool(
            clean and _exists_inside(project.root, project.root.resolve(), clean, repo))
    else:
        repo, present = scan_mapping(files, declared_ci, lockfile)
    facts, index = build_facts(repo, declared_ci, lockfile, present)
    sources, source_index = observe_sources(project, files)
    observed = project.bundle.setdefault("observed", {})
    observed["repository"] = facts
    observed["sources"] = sources
    project.observed_index.update(index)
    project.observed_index.update(source_index)
    project.probed_files = [{"path": f.path, "kind": f.kind, "format": inventory_format(f.path), "sha256": f.sha256}
                            for f in repo.files]
    _observe_data(project, files, probes, cache)


def inventory_format(path: str) -> str:
    """The inventory format of a probed file by its name (MLmodel and dvc files are YAML)."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".yml", ".yaml")) or name in ("MLmodel", "dvc.lock"):
        return "yaml"
    return "json" if name.endswith(".json") or name in (".renovaterc",) else "text"


def _observe_data(project: Project, files: dict[str, bytes] | None, probes: bool | None,
                  cache: bool = True) -> None:
    """Facts from the declared data files, after the repository probe: per dataset
    (``probes.data.observe``), then drift, fairness and metrics (``probes.data.outcomes``) when the
    manifest declares predictions or a drift comparison. ``probes`` False (--no-probes) skips
    both; True (--probe) runs the per-dataset probe even where the evidence points at no data.
    Both are cached by file digest (``probes.data.cache``, ``probes.data.outcome_cache``) unless
    ``cache`` is False or the files are a fixture's."""
    if probes is False:
        return
    from mlcompliance.probes.data import cache as cache_mod
    from mlcompliance.probes.data.observe import observe_data, wants_data
    from mlcompliance.probes.data.outcomes import needs_data
    store = cache_mod.Cache.default() if cache and files is None else None
    if probes or wants_data(project.bundle):
        facts, index = observe_data(project, files, cache=store)
        project.bundle["observed"]["data"] = facts
        project.observed_index.update(index)
    if not needs_data(project.bundle):
        return
    from mlcompliance.probes.data.engines import EngineStopped, current
    from mlcompliance.probes.data.outcomes import locate_claims, outcome_facts

    def locate(pointer: str) -> tuple[str, int]:
        where = project.locate(pointer)
        return (where.file, where.line)
    try:
        load = current().loader(project.root, files)
        if store is None:
            facts, claims = outcome_facts(project.bundle, load)
        else:
            from mlcompliance.probes.data.outcome_cache import cached_outcomes
            facts, claims = cached_outcomes(project.bundle, project.root, store, lambda reader: outcome_facts(
                project.bundle, reader), load, project.bundle["observed"].get("data"))
    except EngineStopped as stop:     # --engine dask cannot work: the run's error (exit 2), not a data fact
        raise stop.error from None
    project.bundle["observed"].setdefault("data", {})["outcomes"] = facts
    project.observed_index.update(locate_claims(claims, locate))


def build_facts(repo: Repo, declared_ci: str | None, lockfile: str | None,
                lock_present: bool | None) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """(facts, location index) of a scanned repository: a pure function of what was read."""
    index: dict[str, tuple[str, int]] = {}

    def at(pointer: str, file: str, line: int) -> dict[str, Any]:
        index[pointer] = (file, line)
        return {"file": file, "line": line}

    signals: dict[str, dict[str, Any]] = {c: {"ci_only": c in CI_ONLY, "ci": [], "dvc": []} for c in CATEGORIES}
    ci_files = []
    for n, f in enumerate(repo.of("ci")):
        base = f"{ROOT}/ci/files/{n}"
        hits = _ci_hits(f)
        entry: dict[str, Any] = {"path": f.path, "source": at(base, f.path, 1)}
        entry.update(_workflow_shape(f, base, at))
        entry["signals"] = {}
        for cat, lines in sorted(hits.items()):
            entry["signals"][cat] = []
            for k, (line, text) in enumerate(lines):
                entry["signals"][cat].append({"line": line, "text": text[:200]})
                at(f"{base}/signals/{escape_token(cat)}/{k}", f.path, line)
                signals[cat]["ci"].append({"file": f.path, "line": line, "text": text[:200]})
        at(f"{base}/signals", f.path, min((ln for v in hits.values() for ln, _ in v), default=1))
        ci_files.append(entry)
    union: list[str] = []
    for n, entry in enumerate(ci_files):
        for name in entry.get("triggers", []):
            if name not in union:
                if not union and f"{ROOT}/ci/files/{n}/triggers" in index:
                    index[f"{ROOT}/ci/triggers"] = index[f"{ROOT}/ci/files/{n}/triggers"]
                union.append(name)
    for a, b in (("pull_request", "merge_request"), ("merge_request", "pull_request")):
        if a in union and b not in union:   # one change-request event, named by GitHub/Azure and by GitLab
            union.append(b)
    stages = []
    for f in repo.of("dvc"):
        for name, line, text in _dvc_stages(f):
            n = len(stages)
            cats = sorted(c for c, rx in RX.items() if c not in CI_ONLY and rx.search(text))
            stages.append({"name": name, "source": at(f"{ROOT}/dvc/stages/{n}", f.path, line), "signals": cats})
            for c in cats:
                signals[c]["dvc"].append({"file": f.path, "line": line, "stage": name})
    locks = []
    for n, f in enumerate(repo.of("dvc_lock")):
        lines = f.lines
        first = next((i for i, t in enumerate(lines, 1) if "md5" in t), 1)
        entries = _dvc_lock_entries(f)
        for k, e in enumerate(entries):
            at(f"{ROOT}/dvc/locks/{n}/entries/{k}", f.path, e["line"])
        locks.append({"path": f.path, "source": at(f"{ROOT}/dvc/locks/{n}", f.path, first),
                      "hashes": sum(1 for t in lines if "md5" in t), "entries": entries})
    models = []
    for n, f in enumerate(repo.of("mlmodel")):
        info = _mlmodel(f)
        base = f"{ROOT}/mlflow/models/{n}"
        entry = {"path": f.path, "source": at(base, f.path, 1), "flavors": info.get("flavors", []),
                 "inputs": info.get("inputs", [])}
        if info.get("signature"):
            at(f"{base}/inputs", f.path, info["signature"])
        for key, name in (("signature", "signature"), ("run_id", "run_id"),
                          ("saved_input_example_info", "input_example")):
            if key in info:
                entry[name] = {"line": info[key]}
                at(f"{base}/{name}", f.path, info[key])
        models.append(entry)
    bots = [{"path": f.path, "source": at(f"{ROOT}/dependency_bots/{n}", f.path, 1)}
            for n, f in enumerate(repo.of("dependency_bot"))]
    for key, items in (("ci", ci_files), ("mlflow", models), ("dependency_bots", bots)):
        if items:   # a fact about a whole group points at its first file
            first_file = items[0]["source"]
            at(f"{ROOT}/{key}", first_file["file"], first_file["line"])
    if locks:
        at(f"{ROOT}/dvc/locks", locks[0]["source"]["file"], locks[0]["source"]["line"])
    if stages:
        at(f"{ROOT}/dvc/stages", stages[0]["source"]["file"], stages[0]["source"]["line"])
    dvc_first = stages[0]["source"] if stages else locks[0]["source"] if locks else None
    if dvc_first:
        at(f"{ROOT}/dvc", dvc_first["file"], dvc_first["line"])
    for cat, where in signals.items():
        first = (where["ci"] or where["dvc"] or [None])[0]
        if first is not None:
            at(f"{ROOT}/signals/{escape_token(cat)}", first["file"], first["line"])
    facts: dict[str, Any] = {
        "probe": "repository", "probe_version": PROBE_VERSION,
        "files": [{"path": f.path, "kind": f.kind} for f in repo.files],
        "skipped": list(repo.skipped),
        "ci": {"how": HOW["ci"], "declared_config": declared_ci,
               "declared_config_found": None if declared_ci is None else
               repo.has(_clean_relative(declared_ci) or "\0"), "files": ci_files, "triggers": union},
        "dvc": {"how": HOW["dvc"], "stages": stages, "locks": locks},
        "mlflow": {"how": HOW["mlflow"], "models": models},
        "dependency_bots": bots,
        "lockfile": {"how": HOW["lockfile"], "declared": lockfile, "present": lock_present},
        "signals": signals,
    }
    if declared_ci and facts["ci"]["declared_config_found"]:
        at(f"{ROOT}/ci/declared_config", _clean_relative(declared_ci) or declared_ci, 1)
    if lockfile and lock_present:
        at(f"{ROOT}/lockfile", _clean_relative(lockfile) or lockfile, 1)
    return facts, index


def _workflow_shape(f: RepoFile, base: str, at) -> dict[str, Any]:
    """Provider, triggers, job names, stages and includes of a YAML CI file, parsed by the CI
    adapter (``evidence.adapters.ci``: GitHub ``on:``/``jobs:``, GitLab jobs and rules/only/workflow
    rules, Azure trigger/pr/schedules/pipeline resources and stages/jobs). Other YAML CI files
    (CircleCI, Bitbucket) keep the generic reading: ``on:`` and ``jobs:`` keys."""
    from mlcompliance.evidence.adapters.ci import parse, provider_for

    if not f.path.endswith((".yml", ".yaml")):
        return {"triggers": [], "jobs": []}
    provider = provider_for(f.path, f.text[:1024])
    if provider is None:
        return _generic_shape(f, base, at)
    try:
        ci = parse(f.path, f.text, provider)
    except InputError:
        return {"provider": provider, "triggers": [], "jobs": [], "parse_error": True}
    triggers = ci.trigger_names()
    if triggers or ci.triggers_line > 1:
        at(f"{base}/triggers", f.path, ci.triggers_line)
    for i, name in enumerate(triggers):
        hit = next(t for t in ci.triggers if t.name == name)
        at(f"{base}/triggers/{i}", f.path, hit.line)
    names = [j.name for j in ci.jobs]
    if names:
        at(f"{base}/jobs", f.path, ci.jobs_line)
    out: dict[str, Any] = {"provider": provider, "triggers": triggers, "jobs": names}
    out["default_triggers"] = [t.name for t in ci.triggers if t.default]
    if ci.stages:
        out["stages"] = ci.stages
    if ci.includes:
        out["includes"] = [{"line": line, "include": text} for line, text in ci.includes]
        at(f"{base}/includes", f.path, ci.includes[0][0])
    return out


def _generic_shape(f: RepoFile, base: str, at) -> dict[str, Any]:
    try:
        doc = parse_text(f.text, f.path, "yaml")
    except InputError:
        return {"triggers": [], "jobs": [], "parse_error": True}
    value = doc.value if isinstance(doc.value, dict) else {}
    on = value.get("on")
    triggers = [on] if isinstance(on, str) else [str(t) for t in on] if isinstance(on, (list, dict)) else []
    if "on" in value:
        at(f"{base}/triggers", f.path, doc.location("/on")[0])
    jobs = value.get("jobs")
    names = [str(j) for j in jobs] if isinstance(jobs, dict) else []
    if names:
        at(f"{base}/jobs", f.path, doc.location("/jobs")[0])
    return {"triggers": triggers, "jobs": names}
