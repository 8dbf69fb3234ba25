"""CI definitions (GitHub Actions, GitLab CI, Azure Pipelines) -> ``pipeline.ci``.

``parse(path, text)`` reads one CI file into a ``CIFile``: its provider, the events that start it
(named in the native vocabulary: ``push``, ``pull_request``, ``merge_request``, ``schedule``,
``manual``, ...), its stages, jobs and the command lines each job runs, each with its line.
The repository probe uses the same parser for its observed facts; ``adapt`` drafts
``pipeline.ci`` (provider, config_path, triggers, enabled) plus the job detail as ``x-jobs``
(native ``ci.jobs`` names kinds of tests, not job names). GitLab ``include:`` entries are
listed, never fetched.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters._located import (
    At,
    Draft,
    block_lines,
    expect_mapping,
    load_yaml,
    ptr,
)
from mlcompliance.evidence.adapters.base import Adapted

NAME = "ci"
PATTERNS = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".gitlab-ci.yaml",
            "azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines/*.yml", ".pipelines/*.yml")
PROVIDERS = {"github": "github_actions", "gitlab": "gitlab_ci", "azure": "azure_pipelines"}
MAX_JOBS = 200
MAX_RUN_LINES = 400

_GITLAB_KEYWORDS = frozenset({"default", "include", "stages", "variables", "workflow", "image", "services",
                              "cache", "before_script", "after_script", "types", "spec"})
# what a GitLab rule's `if:` expression or `only:` ref names, in the native trigger vocabulary
_GITLAB_SOURCES = {"merge_request_event": "merge_request", "external_pull_request_event": "pull_request",
                   "push": "push", "schedule": "schedule", "web": "manual", "api": "api",
                   "trigger": "trigger", "pipeline": "pipeline", "parent_pipeline": "pipeline",
                   "chat": "chat", "webide": "manual"}
_GITLAB_ONLY = {"branches": "push", "tags": "push", "merge_requests": "merge_request", "schedules": "schedule",
                "web": "manual", "api": "api", "triggers": "trigger", "pipelines": "pipeline",
                "external_pull_requests": "pull_request", "pushes": "push"}


@dataclass
class Trigger:
    name: str
    line: int
    column: int
    default: bool = False      # implied by the provider's defaults, not written in the file


@dataclass
class Job:
    name: str
    line: int
    column: int
    stage: str | None = None
    runs: list[tuple[int, str]] = field(default_factory=list)   # (line, command or action)


@dataclass
class CIFile:
    path: str
    provider: str
    triggers: list[Trigger] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    includes: list[tuple[int, str]] = field(default_factory=list)
    triggers_line: int = 1          # where the trigger section starts (1 when implied)
    jobs_line: int = 1              # GitHub's `jobs:` key, else the first job

    def trigger_names(self) -> list[str]:
        seen: list[str] = []
        for t in self.triggers:
            if t.name not in seen:
                seen.append(t.name)
        return seen


def provider_for(path: str, head: str = "") -> str | None:
    """The CI provider a path (and, for ``.pipelines/``-style names, content) belongs to."""
    low = path.lower()
    if re.fullmatch(r"(.*/)?\.github/workflows/[^/]+\.ya?ml", low):
        return "github_actions"
    if re.fullmatch(r"(.*/)?\.gitlab-ci\.ya?ml", low) or low.endswith(".gitlab-ci.yml"):
        return "gitlab_ci"
    if re.fullmatch(r"(.*/)?azure-pipelines[^/]*\.ya?ml", low):
        return "azure_pipelines"
    if low.endswith((".yml", ".yaml")) and re.search(r"^(trigger|pr|schedules|stages|jobs|steps|pool)\s*:", head,
                                                     re.M) and re.search(r"^\s*-?\s*(task|script|job|stage|"
                                                                         r"template|pwsh|bash)\s*:", head, re.M):
        return "azure_pipelines"
    return None


def claims(path: str, head: str) -> bool:
    return provider_for(path, head) is not None


def parse(path: str, text: str, provider: str | None = None) -> CIFile:
    """Read one CI file; ``InputError`` (file:line) when it is not valid YAML or not a mapping."""
    provider = provider or provider_for(path, text[:1024]) or "github_actions"
    value, at = load_yaml(path, text)
    doc = expect_mapping(value, path, "a CI configuration", at)
    lines = text.splitlines()
    out = CIFile(path, provider)
    if provider == "github_actions":
        _github(doc, at, lines, out)
    elif provider == "gitlab_ci":
        _gitlab(doc, at, lines, out)
    else:
        _azure(doc, at, lines, out)
    if out.jobs and provider != "github_actions":
        out.jobs_line = min(j.line for j in out.jobs)
    return out


# --- GitHub Actions ------------------------------------------------------------------------------

def _github(doc: dict[str, Any], at: At, lines: list[str], out: CIFile) -> None:
    # the loader keeps keys as written, so YAML 1.1's `on` -> True never happens; `true:` is accepted too
    key = "on" if "on" in doc else "true" if "true" in doc else None
    if key is not None:
        on = doc[key]
        out.triggers_line = at(ptr(key))[0]
        if isinstance(on, str):
            out.triggers.append(Trigger(on, *at(ptr(key))))
        elif isinstance(on, list):
            for i, item in enumerate(on):
                if not isinstance(item, str):
                    _fail(out.path, at, ptr(key, i), "an event in `on:` is not a name", "an event name such as push")
                out.triggers.append(Trigger(item, *at(ptr(key, i))))
        elif isinstance(on, dict):
            for name in on:
                out.triggers.append(Trigger(name, *at(ptr(key, name))))
        elif on is not None:
            _fail(out.path, at, ptr(key), "`on:` is neither an event, a list nor a mapping",
                  "on: push, on: [push, pull_request] or a mapping of events")
    jobs = doc.get("jobs")
    if isinstance(jobs, dict):
        out.jobs_line = at("/jobs")[0]
        for name, job in list(jobs.items())[:MAX_JOBS]:
            entry = Job(str(name), *at(ptr("jobs", name)))
            steps = job.get("steps") if isinstance(job, dict) else None
            for i, step in enumerate(steps if isinstance(steps, list) else []):
                if not isinstance(step, dict):
                    continue
                if isinstance(step.get("run"), str):
                    entry.runs += block_lines(step["run"], at(ptr("jobs", name, "steps", i, "run"))[0], lines)
                elif isinstance(step.get("uses"), str):
                    entry.runs.append((at(ptr("jobs", name, "steps", i, "uses"))[0], f"uses: {step['uses']}"))
            if isinstance(job, dict) and isinstance(job.get("uses"), str):   # reusable workflow call
                entry.runs.append((at(ptr("jobs", name, "uses"))[0], f"uses: {job['uses']}"))
            entry.runs = entry.runs[:MAX_RUN_LINES]
            out.jobs.append(entry)


# --- GitLab CI -----------------------------------------------------------------------------------

def _gitlab_if(expr: str) -> list[str]:
    """Native trigger names an `if:` expression selects (only positive `==` / `=~` tests)."""
    names = []
    for m in re.finditer(r"\$CI_PIPELINE_SOURCE\s*(==|=~)\s*[\"'/]?([a-z_|]+)", expr):
        for src in m.group(2).split("|"):
            if src in _GITLAB_SOURCES:
                names.append(_GITLAB_SOURCES[src])
    if re.search(r"\$CI_MERGE_REQUEST_(IID|ID)\b(?!\s*==\s*null)", expr) and "merge_request" not in names:
        names.append("merge_request")
    if re.search(r"\$CI_COMMIT_(BRANCH|TAG)\b", expr) and not re.search(r"\$CI_COMMIT_(BRANCH|TAG)\s*==\s*null",
                                                                           expr) and "push" not in names:
        names.append("push")
    return names


def _gitlab_rules(rules: Any, base: str, at: At, out: CIFile) -> bool:
    """Add the triggers of a `rules:` list; True when the list has a rule without `when: never`."""
    if not isinstance(rules, list):
        return False
    any_rule = False
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or rule.get("when") == "never":
            continue
        any_rule = True
        expr = rule.get("if")
        if isinstance(expr, str):
            for name in _gitlab_if(expr):
                out.triggers.append(Trigger(name, *at(f"{base}/{i}/if")))
        else:   # a rule without `if:` matches every pipeline source: a branch push at least
            out.triggers.append(Trigger("push", *at(f"{base}/{i}")))
    return any_rule


def _gitlab(doc: dict[str, Any], at: At, lines: list[str], out: CIFile) -> None:
    stages = doc.get("stages")
    if isinstance(stages, list):
        out.stages = [str(s) for s in stages if isinstance(s, (str, int))]
    include = doc.get("include")
    items = include if isinstance(include, list) else [include] if include is not None else []
    for i, item in enumerate(items):
        where = at(ptr("include", i) if isinstance(include, list) else ptr("include"))[0]
        if isinstance(item, str):
            out.includes.append((where, item))
        elif isinstance(item, dict):
            for kind in ("local", "project", "remote", "template", "component"):
                if isinstance(item.get(kind), str):
                    out.includes.append((where, f"{kind}: {item[kind]}"))
    workflow = doc.get("workflow")
    workflow_rules = isinstance(workflow, dict) and _gitlab_rules(workflow.get("rules"), "/workflow/rules", at, out)
    if workflow_rules:
        out.triggers_line = at("/workflow/rules")[0]
    unrestricted = None
    defaults = doc.get("default") if isinstance(doc.get("default"), dict) else {}
    before = doc.get("before_script", defaults.get("before_script"))
    for name, job in doc.items():
        if name in _GITLAB_KEYWORDS or name.startswith(".") or not isinstance(job, dict):
            continue
        if not any(k in job for k in ("script", "trigger", "extends", "stage", "run")):
            continue
        if len(out.jobs) >= MAX_JOBS:
            break
        base = ptr(name)
        entry = Job(name, *at(base), stage=str(job.get("stage", "test")))
        if "script" in job:
            if isinstance(job.get("before_script", before), (list, str)):
                src = "/before_script" if "before_script" not in job else f"{base}/before_script"
                entry.runs += _script(job.get("before_script", before), src, at, lines)
            entry.runs += _script(job["script"], f"{base}/script", at, lines)
        elif isinstance(job.get("trigger"), (str, dict)):
            entry.runs.append((at(f"{base}/trigger")[0], "trigger: downstream pipeline"))
        entry.runs = entry.runs[:MAX_RUN_LINES]
        out.jobs.append(entry)
        has = _gitlab_rules(job.get("rules"), f"{base}/rules", at, out)
        only = job.get("only")
        refs = only.get("refs") if isinstance(only, dict) else only
        if isinstance(refs, str):
            refs = [refs]
        if isinstance(refs, list):
            for i, ref in enumerate(refs):
                if isinstance(ref, str):
                    name_ = _GITLAB_ONLY.get(ref, "push")
                    where = f"{base}/only/refs/{i}" if isinstance(only, dict) else f"{base}/only/{i}"
                    out.triggers.append(Trigger(name_, *at(where)))
            has = True
        if not has and unrestricted is None:
            unrestricted = entry
    if unrestricted is not None and not workflow_rules:
        # a job with neither rules nor only runs in GitLab's default pipelines: branch pushes
        out.triggers.append(Trigger("push", unrestricted.line, unrestricted.column, default=True))
    if out.triggers and not workflow_rules:
        out.triggers_line = min(t.line for t in out.triggers)


def _script(value: Any, pointer: str, at: At, lines: list[str]) -> list[tuple[int, str]]:
    """(line, command) of a GitLab script: a string, or a list of strings and nested lists."""
    if isinstance(value, str):
        return block_lines(value, at(pointer)[0], lines)
    out: list[tuple[int, str]] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            out += _script(item, f"{pointer}/{i}", at, lines)
    return out


# --- Azure Pipelines -----------------------------------------------------------------------------

def _azure_trigger(doc: dict[str, Any], key: str, name: str, at: At, out: CIFile) -> None:
    """``trigger``/``pr``: absent means on (Azure's default), ``none`` or ``false`` means off."""
    if key not in doc:
        out.triggers.append(Trigger(name, 1, 1, default=True))
        return
    value = doc[key]
    if value in ("none", False) or value is None:
        return
    if isinstance(value, dict) and value.get("enabled") is False:
        return
    out.triggers.append(Trigger(name, *at(ptr(key))))


_AZURE_SCRIPTS = ("script", "bash", "pwsh", "powershell")


def _azure_steps(steps: Any, base: str, at: At, lines: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        here = f"{base}/{i}"
        for key in _AZURE_SCRIPTS:
            if isinstance(step.get(key), str):
                out += block_lines(step[key], at(f"{here}/{key}")[0], lines)
        if isinstance(step.get("task"), str):
            out.append((at(f"{here}/task")[0], f"task: {step['task']}"))
            inputs = step.get("inputs")
            for k in ("inlineScript", "script", "arguments"):
                if isinstance(inputs, dict) and isinstance(inputs.get(k), str):
                    out += block_lines(inputs[k], at(f"{here}/inputs/{k}")[0], lines)
        if isinstance(step.get("template"), str):
            out.append((at(f"{here}/template")[0], f"template: {step['template']}"))
    return out


def _azure_jobs(jobs: Any, base: str, stage: str | None, at: At, lines: list[str], out: CIFile) -> None:
    for i, job in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(job, dict) or len(out.jobs) >= MAX_JOBS:
            continue
        here = f"{base}/{i}"
        name = job.get("job", job.get("deployment", job.get("template")))
        entry = Job(str(name if name is not None else f"job{i + 1}"), *at(here), stage=stage)
        steps = job.get("steps")
        strategy = job.get("strategy")
        if steps is None and isinstance(strategy, dict):   # deployment jobs: strategy.<kind>.deploy.steps
            for kind, spec in strategy.items():
                deploy = spec.get("deploy") if isinstance(spec, dict) else None
                if isinstance(deploy, dict):
                    entry.runs += _azure_steps(deploy.get("steps"), f"{here}/strategy/{kind}/deploy/steps", at, lines)
        entry.runs += _azure_steps(steps, f"{here}/steps", at, lines)
        entry.runs = entry.runs[:MAX_RUN_LINES]
        out.jobs.append(entry)


def _azure(doc: dict[str, Any], at: At, lines: list[str], out: CIFile) -> None:
    _azure_trigger(doc, "trigger", "push", at, out)
    _azure_trigger(doc, "pr", "pull_request", at, out)
    schedules = doc.get("schedules")
    if isinstance(schedules, list) and schedules:
        out.triggers.append(Trigger("schedule", *at("/schedules")))
    resources = doc.get("resources")
    pipelines = resources.get("pipelines") if isinstance(resources, dict) else None
    for i, res in enumerate(pipelines if isinstance(pipelines, list) else []):
        if isinstance(res, dict) and res.get("trigger") not in (None, "none", False):
            out.triggers.append(Trigger("pipeline", *at(f"/resources/pipelines/{i}/trigger")))
    written = [t.line for t in out.triggers if not t.default]
    out.triggers_line = min(written) if written else 1
    stages = doc.get("stages")
    if isinstance(stages, list):
        for i, stage in enumerate(stages):
            if not isinstance(stage, dict):
                continue
            name = stage.get("stage", stage.get("template"))
            out.stages.append(str(name))
            _azure_jobs(stage.get("jobs"), f"/stages/{i}/jobs", str(name), at, lines, out)
    _azure_jobs(doc.get("jobs"), "/jobs", None, at, lines, out)
    if isinstance(doc.get("steps"), list):   # a single implicit job
        out.jobs.append(Job("job", *at("/steps"), runs=_azure_steps(doc["steps"], "/steps", at, lines)))


def _fail(path: str, at: At, pointer: str, message: str, expected: str) -> None:
    line, col = at(pointer)
    raise InputError(message, file=path, line=line, column=col, expected=expected)


# --- native evidence -----------------------------------------------------------------------------

def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    ci = parse(path, text)
    draft = Draft("pipeline", NAME, path)
    first = ci.triggers[0] if ci.triggers else None
    draft.put("/ci/provider", ci.provider, (1, 1))
    draft.put("/ci/config_path", path, (1, 1))
    draft.put("/ci/enabled", bool(ci.triggers), (ci.triggers_line, 1))
    if first is not None:
        draft.put("/ci/triggers", ci.trigger_names(), (ci.triggers_line, 1))
        for i, name in enumerate(ci.trigger_names()):
            hit = next(t for t in ci.triggers if t.name == name)
            draft.put(f"/ci/triggers/{i}", name, (hit.line, hit.column))
    if ci.jobs:
        jobs = []
        for job in ci.jobs:
            item: dict[str, Any] = {"name": job.name, "line": job.line}
            if job.stage is not None:
                item["stage"] = job.stage
            item["runs"] = [t for _, t in job.runs]
            jobs.append(item)
        draft.put("/ci/x-jobs", jobs, (ci.jobs[0].line, ci.jobs[0].column))
    if ci.stages:
        draft.put("/ci/x-stages", ci.stages, (1, 1))
    if ci.includes:
        draft.put("/ci/x-includes", [t for _, t in ci.includes], (ci.includes[0][0], 1))
    result = draft.result()
    return [result] if result else []
