"""MLflow ``MLmodel`` files and file-store runs (``mlruns/<exp>/<run>/``) -> model card and pipeline.

``parse_mlmodel`` is a pure function of the text, shared with the repository probe.
``adapt`` drafts, from an ``MLmodel``:
- ``model_card.features`` (the signature's named inputs, in order) and ``model_details``
  (``framework`` from the non-pyfunc flavor and its version, ``trained_at`` from
  ``utc_time_created``), with input types, model uuid, MLflow version and input example as
  ``x-mlflow``;
- ``pipeline.runs[0].run_id`` and ``pipeline.environment`` (``python_version``; ``lockfile`` and
  its sha256 when ``requirements.txt`` sits next to the file);
and from a run's ``meta.yaml``: ``pipeline.runs[0]`` (status, start/end, user, git commit tag,
params, last metric values) read from the run directory's ``params/``, ``metrics/`` and
``tags/`` files. The run directory is listed through ``read.listdir`` when the caller provides
it; otherwise only the tags MLflow always writes are read.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters._located import (
    At,
    Draft,
    epoch_ms,
    expect_mapping,
    load_yaml,
    ptr,
)
from mlcompliance.evidence.adapters.base import Adapted

NAME = "mlflow"
PATTERNS = ("MLmodel", "*/MLmodel", "*/*/MLmodel", "*/*/*/MLmodel", "mlruns/*/*/meta.yaml",
            "*/mlruns/*/*/meta.yaml", "mlruns/*/*/artifacts/*/MLmodel",
            "run.json", "*/run.json", "*/*/run.json", "*/*/*/run.json", "*/*/*/*/run.json")
MAX_SIGNATURE_COLUMNS = 10_000
MAX_RUN_FILES = 500
_STATUS = {"1": "running", "2": "running", "3": "succeeded", "4": "failed", "5": "aborted",
           "RUNNING": "running", "SCHEDULED": "running", "FINISHED": "succeeded", "FAILED": "failed",
           "KILLED": "aborted"}
_KNOWN_TAGS = ("mlflow.runName", "mlflow.user", "mlflow.source.name", "mlflow.source.type",
               "mlflow.source.git.commit", "mlflow.log-model.history")


def claims(path: str, head: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name == "MLmodel":
        return bool(re.search(r"^(flavors|artifact_path|run_id|model_uuid|mlflow_version|signature)\s*:", head, re.M))
    if name == "meta.yaml" and "mlruns/" in f"/{path}":
        return bool(re.search(r"^(run_uuid|run_id)\s*:", head, re.M))
    if name == "run.json":   # a run exported by mlflow-export-import
        return bool(re.search(r'"mlflow"\s*:\s*\{\s*"info"\s*:', head)) and '"run_id"' in head
    return False


@dataclass
class Column:
    name: str | None
    type: str


@dataclass
class MLmodel:
    path: str
    flavors: list[str] = field(default_factory=list)
    framework: str | None = None
    inputs: list[Column] = field(default_factory=list)
    outputs: list[Column] = field(default_factory=list)
    run_id: str | None = None
    model_uuid: str | None = None
    created: str | None = None          # ISO 8601, UTC
    mlflow_version: str | None = None
    python_version: str | None = None
    input_example: str | None = None
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)   # top-level key -> (line, column)
    present: set[str] = field(default_factory=set)                    # top-level keys with a non-empty value


def _columns(raw: Any, path: str, at: At, pointer: str) -> list[Column]:
    """A signature side: MLflow stores it as a JSON string of column or tensor specs."""
    if raw is None:
        return []
    try:
        specs = json.loads(raw) if isinstance(raw, str) else raw
    except (json.JSONDecodeError, RecursionError):
        line, col = at(pointer)
        raise InputError("signature is not valid JSON", file=path, line=line, column=col,
                         expected="MLflow's JSON column or tensor specification") from None
    if not isinstance(specs, list):
        line, col = at(pointer)
        raise InputError("signature is not a list of column specifications", file=path, line=line, column=col,
                         expected='[{"name": ..., "type": ...}, ...]')
    out = []
    for spec in specs[:MAX_SIGNATURE_COLUMNS]:
        if not isinstance(spec, dict):
            continue
        kind = spec.get("type")
        if kind == "tensor" and isinstance(spec.get("tensor-spec"), dict):
            ts = spec["tensor-spec"]
            kind = f"tensor[{ts.get('dtype')}]{list(ts.get('shape', []))}"
        name = spec.get("name")
        out.append(Column(str(name) if name is not None else None, str(kind)))
    return out


def _created(value: Any) -> str | None:
    """``utc_time_created`` ('2024-06-05 01:53:53.910623') as an ISO 8601 UTC instant."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)", value.strip())
    return f"{m.group(1)}T{m.group(2)}Z" if m else None


def parse_mlmodel(path: str, text: str) -> MLmodel:
    value, at = load_yaml(path, text)
    doc = expect_mapping(value, path, "an MLmodel file", at)
    out = MLmodel(path)
    out.lines = {str(k): at(ptr(k)) for k in doc}
    out.present = {str(k) for k, v in doc.items() if v not in (None, "", [], {})}
    flavors = doc.get("flavors")
    if flavors is not None:
        flavors = expect_mapping(flavors, path, "flavors", at, "/flavors")
        out.flavors = sorted(str(k) for k in flavors)
        pyfunc = flavors.get("python_function")
        if isinstance(pyfunc, dict) and isinstance(pyfunc.get("python_version"), (str, int, float)):
            out.python_version = str(pyfunc["python_version"])
            out.lines["python_version"] = at("/flavors/python_function/python_version")
        for name, conf in flavors.items():
            if name == "python_function" or not isinstance(conf, dict):
                continue
            version = next((str(v) for k, v in conf.items() if k.endswith("_version")
                            and k not in ("python_version", "cloudpickle_version") and v is not None), None)
            out.framework = f"{name} {version}" if version else str(name)
            break
    signature = doc.get("signature")
    if signature is not None:
        signature = expect_mapping(signature, path, "signature", at, "/signature")
        out.inputs = _columns(signature.get("inputs"), path, at, "/signature/inputs")
        out.lines["inputs"] = at("/signature/inputs")
        out.outputs = _columns(signature.get("outputs"), path, at, "/signature/outputs")
    for key, attr in (("run_id", "run_id"), ("model_uuid", "model_uuid"), ("mlflow_version", "mlflow_version")):
        if isinstance(doc.get(key), (str, int, float)) and not isinstance(doc.get(key), bool):
            setattr(out, attr, str(doc[key]))
    out.created = _created(doc.get("utc_time_created"))
    example = doc.get("saved_input_example_info")
    if isinstance(example, dict) and isinstance(example.get("artifact_path"), str):
        out.input_example = example["artifact_path"]
    return out


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    if path.rsplit("/", 1)[-1] == "meta.yaml":
        return _adapt_run(path, text, read)
    if path.rsplit("/", 1)[-1] == "run.json":
        return _adapt_exported_run(path, text)
    m = parse_mlmodel(path, text)
    card = Draft("model_card", NAME, path)
    here = m.lines.get
    named = [c for c in m.inputs if c.name]
    if named:
        card.put("/features", [c.name for c in named], here("inputs", (1, 1)))
    if m.framework:
        card.put("/model_details/framework", m.framework, here("flavors", (1, 1)))
    if m.created:
        card.put("/model_details/trained_at", m.created, here("utc_time_created", (1, 1)))
    extra: dict[str, Any] = {}
    if m.inputs:
        extra["inputs"] = [{"name": c.name, "type": c.type} if c.name else {"type": c.type} for c in m.inputs]
    if m.outputs:
        extra["outputs"] = [{"name": c.name, "type": c.type} if c.name else {"type": c.type} for c in m.outputs]
    for key in ("flavors", "model_uuid", "mlflow_version", "input_example"):
        if getattr(m, key):
            extra[key] = getattr(m, key)
    if extra:
        card.put("/x-mlflow", extra, (1, 1))
    pipe = Draft("pipeline", NAME, path)
    if m.run_id:
        pipe.put("/runs/0/run_id", m.run_id, here("run_id", (1, 1)))
    folder = path[: -len("MLmodel")]
    env = _python_env(folder, read)
    if env or m.python_version:
        if m.python_version:
            pipe.put("/environment/python_version", m.python_version, here("python_version", (1, 1)))
        else:
            pipe.put("/environment/python_version", env, (1, 1), folder + "python_env.yaml")
    requirements = read(folder + "requirements.txt")
    if requirements is not None:
        req = folder + "requirements.txt"
        pipe.put("/environment/lockfile", req, (1, 1), req)
        pipe.put("/environment/lockfile_sha256", hashlib.sha256(requirements).hexdigest(), (1, 1), req)
    return [r for r in (card.result(), pipe.result()) if r]


def _python_env(folder: str, read: Callable[[str], bytes | None]) -> str | None:
    """``python:`` of the ``python_env.yaml`` MLflow writes next to the model (None when absent/broken)."""
    data = read(folder + "python_env.yaml")
    if data is None:
        return None
    try:
        value, _ = load_yaml(folder + "python_env.yaml", data.decode("utf-8", errors="replace"))
    except InputError:
        return None
    py = value.get("python") if isinstance(value, dict) else None
    return str(py) if isinstance(py, (str, int, float)) and not isinstance(py, bool) else None


# --- file-store runs -----------------------------------------------------------------------------

def _text(read: Callable[[str], bytes | None], rel: str) -> str | None:
    data = read(rel)
    return None if data is None else data.decode("utf-8", errors="replace").strip()


def last_metric(text: str) -> tuple[float, int, int] | None:
    """(value, step, timestamp ms) of the last line of an MLflow metric file (``timestamp value step``)."""
    for line in reversed(text.splitlines()):
        parts = line.split()
        if len(parts) >= 2:
            try:
                value = float(parts[1])
                step = int(parts[2]) if len(parts) > 2 else 0
                return (value, step, int(parts[0])) if value == value and abs(value) != float("inf") else None
            except ValueError:
                return None
    return None


def _run_draft(path: str, info: dict[str, Any], base: str, at: Any, missing: tuple[str, str, str]) -> Draft:
    """A pipeline draft with the run's id, status and times from an MLflow run record (``meta.yaml``
    at ``base`` "", or an exported run's ``mlflow.info``); ``missing``: (message, expected, pointer)
    of the error when the record has no run id."""
    run_id = info.get("run_id", info.get("run_uuid"))
    if not isinstance(run_id, str) or not run_id.strip():
        message, expected, pointer = missing
        line, col = at(f"{base}/run_id" if "run_id" in info else pointer)
        raise InputError(message, file=path, line=line, column=col, expected=expected)
    draft = Draft("pipeline", NAME, path)
    draft.put("/runs/0/run_id", run_id, at(f"{base}/run_id" if "run_id" in info else f"{base}/run_uuid"))
    status = _STATUS.get(str(info.get("status")))
    if status:
        draft.put("/runs/0/status", status, at(f"{base}/status"))
    for key, native in (("start_time", "started_at"), ("end_time", "finished_at")):
        stamp = epoch_ms(info.get(key))
        if stamp:
            draft.put(f"/runs/0/{native}", stamp, at(f"{base}{ptr(key)}"))
    return draft


def _extra(info: dict[str, Any], name: Any, tags: dict[str, str], steps: dict[str, Any]) -> dict[str, Any]:
    """The run's ``x-mlflow`` facts the native schema has no field for: experiment, run name,
    source, metric steps and the user's own tags."""
    extra: dict[str, Any] = {"experiment_id": str(info.get("experiment_id", ""))}
    if isinstance(name, str) and name:
        extra["run_name"] = name
    if tags.get("mlflow.source.name"):
        extra["source"] = tags["mlflow.source.name"]
    if steps:
        extra["metric_steps"] = steps
    user_tags = {k: v for k, v in tags.items() if not k.startswith("mlflow.")}
    if user_tags:
        extra["tags"] = user_tags
    return extra


def _adapt_run(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    value, at = load_yaml(path, text)
    meta = expect_mapping(value, path, "an MLflow run's meta.yaml", at)
    run_dir = path[: -len("meta.yaml")]
    draft = _run_draft(path, meta, "", at, ("run's meta.yaml has no run_id", "run_id: <32 hex characters>", ""))
    if isinstance(meta.get("user_id"), str) and meta["user_id"].strip():
        draft.put("/runs/0/actor", meta["user_id"], at("/user_id"))
    listdir = getattr(read, "listdir", None)

    def names(sub: str) -> list[str]:
        if listdir is None:
            return list(_KNOWN_TAGS) if sub == "tags" else []
        return sorted(listdir(run_dir + sub) or [])[:MAX_RUN_FILES]
    tags = {n: t for n in names("tags") if (t := _text(read, f"{run_dir}tags/{n}")) is not None}
    commit = tags.get("mlflow.source.git.commit", "")
    if re.fullmatch(r"[0-9a-f]{40}", commit):
        draft.put("/runs/0/git_commit", commit, (1, 1), f"{run_dir}tags/mlflow.source.git.commit")
    params = {n: t for n in names("params") if (t := _text(read, f"{run_dir}params/{n}")) is not None}
    if params:
        draft.put("/runs/0/params", params, (1, 1), f"{run_dir}params/{sorted(params)[0]}")
    metrics, steps = {}, {}
    for n in names("metrics"):
        raw = _text(read, f"{run_dir}metrics/{n}")
        last = last_metric(raw) if raw is not None else None
        if last is not None:
            metrics[n] = last[0]
            steps[n] = {"step": last[1], "timestamp": epoch_ms(last[2])}
    if metrics:
        draft.put("/runs/0/metrics", metrics, (1, 1), f"{run_dir}metrics/{sorted(metrics)[0]}")
    draft.put("/runs/0/x-mlflow", _extra(meta, meta.get("run_name") or tags.get("mlflow.runName"), tags, steps), (1, 1))
    return [draft.out]


# --- runs exported by mlflow-export-import (run.json) --------------------------------------------

def _adapt_exported_run(path: str, text: str) -> list[Adapted]:
    """``{"mlflow": {"info", "params", "metrics": {name: [{value, step, timestamp}]}, "tags"}}``."""
    from mlcompliance.evidence.loader import parse_text

    try:
        doc = parse_text(text, path, "json")
    except RecursionError:
        raise InputError("nested too deeply to read", file=path, line=1, expected="an exported run") from None
    at = doc.location
    root = expect_mapping(doc.value, path, "an exported run", at)
    run = expect_mapping(root.get("mlflow"), path, "mlflow", at, "/mlflow")
    info = expect_mapping(run.get("info"), path, "mlflow.info", at, "/mlflow/info")
    draft = _run_draft(path, info, "/mlflow/info", at,
                       ("exported run has no run_id", '"run_id": "<32 hex characters>"', "/mlflow/info"))
    user = info.get("user_id")
    tags = run.get("tags") if isinstance(run.get("tags"), dict) else {}
    tags = {str(k): v for k, v in tags.items() if isinstance(v, str)}
    if isinstance(user, str) and user.strip() and user != "unknown":
        draft.put("/runs/0/actor", user, at("/mlflow/info/user_id"))
    commit = tags.get("mlflow.source.git.commit", "")
    if re.fullmatch(r"[0-9a-f]{40}", commit):
        draft.put("/runs/0/git_commit", commit, at(f"/mlflow/tags/{ptr('mlflow.source.git.commit')[1:]}"))
    params = run.get("params")
    if isinstance(params, dict) and params:
        draft.put("/runs/0/params", {str(k): v for k, v in list(params.items())[:MAX_RUN_FILES]},
                  at("/mlflow/params"))
    metrics, steps = {}, {}
    raw = run.get("metrics") if isinstance(run.get("metrics"), dict) else {}
    for name, history in list(raw.items())[:MAX_RUN_FILES]:
        points = [p for p in history if isinstance(p, dict) and isinstance(p.get("value"), (int, float))
                  and not isinstance(p.get("value"), bool)] if isinstance(history, list) else []
        if not points:
            continue
        last = max(points, key=lambda p: (p.get("step", 0) if isinstance(p.get("step"), int) else 0,
                                          p.get("timestamp", 0) if isinstance(p.get("timestamp"), int) else 0))
        if last["value"] == last["value"] and abs(last["value"]) != float("inf"):
            metrics[str(name)] = last["value"]
            steps[str(name)] = {"step": last.get("step", 0), "timestamp": epoch_ms(last.get("timestamp"))}
    if metrics:
        draft.put("/runs/0/metrics", metrics, at("/mlflow/metrics"))
    draft.put("/runs/0/x-mlflow", _extra(info, info.get("run_name"), tags, steps), at("/mlflow"))
    return [draft.out]
