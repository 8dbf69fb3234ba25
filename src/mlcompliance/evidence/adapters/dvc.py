"""DVC ``dvc.yaml``, ``dvc.lock`` and ``params.yaml`` -> pipeline stages, seeds and dataset hashes.

``parse_stages`` / ``parse_lock`` / ``find_seeds`` are pure functions of one file's text, shared
with the repository probe. ``adapt`` drafts:
- ``dvc.yaml``: ``pipeline.stages`` (name, a kind guessed from the stage name, ``requires`` from the
  DAG: a stage requires those whose outputs it depends on) with the DVC detail as ``x-dvc``;
  ``artifacts`` of type ``dataset`` as ``data_manifest.datasets`` (id, path, description);
- ``dvc.lock``: for each locked path that is a dataset of the data manifest (matched by ``path``)
  or a dataset artifact of ``dvc.yaml``, ``data_manifest.datasets[]`` ``{id, path, md5, size}``,
  so a manifest hash and a DVC hash meet on the same native pointer;
- ``params.yaml``: ``pipeline.training.seed`` (keys ``seed``, ``random_state``, ``random_seed``...).
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
    expect_mapping,
    load_yaml,
    ptr,
)
from mlcompliance.evidence.adapters.base import Adapted

NAME = "dvc"
PATTERNS = ("dvc.yaml", "dvc.lock", "params.yaml", "*/dvc.yaml", "*/dvc.lock", "*/params.yaml")
SEED_KEYS = frozenset({"seed", "random_state", "random_seed", "rng_seed", "manual_seed", "global_seed"})
MANIFEST_NAMES = ("data_manifest.yaml", "data_manifest.yml", "data_manifest.json")
MAX_STAGES = 500
_KINDS = (("ingest|download|fetch|load_data|get_data|prepare|split", "data_ingestion"),
          ("validat|check_data|expectation", "data_validation"),
          ("featur|preprocess|transform|encode", "feature_engineering"),
          ("train|fit", "training"), ("evaluat|eval|test|score|metric", "model_validation"),
          ("fair|bias", "fairness_test"), ("register|publish", "register"), ("deploy|serve", "deploy"),
          ("monitor|drift", "monitor"))


def claims(path: str, head: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name == "dvc.yaml":
        return bool(re.search(r"^(stages|artifacts|metrics|plots|params)\s*:", head, re.M))
    if name == "dvc.lock":
        return bool(re.search(r"^(schema|stages)\s*:|^\w[\w-]*:\s*$", head, re.M))
    if name == "params.yaml":
        return bool(head.strip())
    return False


@dataclass
class Stage:
    name: str
    line: int
    column: int
    cmd: list[str] = field(default_factory=list)
    deps: list[str] = field(default_factory=list)
    outs: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)


@dataclass
class LockEntry:
    stage: str
    role: str              # "dep" | "out"
    path: str
    md5: str | None
    size: int | None
    line: int
    column: int


def _paths(value: Any, path: str, at: At, pointer: str) -> list[str]:
    """A DVC path list: strings or one-key mappings ``{path: {options}}``."""
    if value is None:
        return []
    if not isinstance(value, list):
        line, col = at(pointer)
        raise InputError("expected a list of paths", file=path, line=line, column=col,
                         expected="- path or - path: {options}")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out += [str(k) for k in item]
    return out


def parse_stages(path: str, text: str) -> tuple[list[Stage], dict[str, Any], At]:
    """The stages of a ``dvc.yaml`` (``cmd`` a string or a list of strings), the document and ``at``."""
    value, at = load_yaml(path, text)
    doc = expect_mapping(value, path, "dvc.yaml", at)
    stages = doc.get("stages", {})
    stages = expect_mapping(stages if stages is not None else {}, path, "stages", at, "/stages")
    out = []
    for name, body in list(stages.items())[:MAX_STAGES]:
        base = ptr("stages", name)
        body = expect_mapping(body, path, f"stage '{name}'", at, base)
        stage = Stage(str(name), *at(base))
        cmd = body.get("cmd")
        if isinstance(cmd, str):
            stage.cmd = [cmd]
        elif isinstance(cmd, list):
            for i, c in enumerate(cmd):
                if not isinstance(c, str):
                    line, col = at(f"{base}/cmd/{i}")
                    raise InputError(f"stage '{name}': a command in `cmd` is not text", file=path, line=line,
                                     column=col, expected="cmd: a command or a list of commands")
            stage.cmd = list(cmd)
        elif cmd is not None:
            line, col = at(f"{base}/cmd")
            raise InputError(f"stage '{name}': `cmd` is neither a command nor a list", file=path, line=line,
                             column=col, expected="cmd: a command or a list of commands")
        for key in ("deps", "outs", "metrics", "plots"):
            setattr(stage, key, _paths(body.get(key), path, at, f"{base}/{key}"))
        params = body.get("params")
        for item in params if isinstance(params, list) else []:
            if isinstance(item, str):
                stage.params.append(item)
            elif isinstance(item, dict):   # {params_file.yaml: [keys]}
                for file, keys in item.items():
                    stage.params += [f"{file}:{k}" for k in keys] if isinstance(keys, list) else [str(file)]
        out.append(stage)
    return out, doc, at


def parse_lock(path: str, text: str) -> list[LockEntry]:
    """Every dep and out of a ``dvc.lock`` (schema 2.0, or the older per-stage layout) with its hash."""
    value, at = load_yaml(path, text)
    doc = expect_mapping(value, path, "dvc.lock", at)
    stages = doc.get("stages") if "schema" in doc or "stages" in doc else doc
    base = "/stages" if stages is doc.get("stages") else ""
    stages = expect_mapping(stages if stages is not None else {}, path, "stages", at, base)
    out = []
    for name, body in list(stages.items())[:MAX_STAGES]:
        if not isinstance(body, dict):
            continue
        for role, key in (("dep", "deps"), ("out", "outs")):
            items = body.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                    continue
                md5 = item.get("md5")
                size = item.get("size")
                here = f"{base}{ptr(name, key, i)}"
                out.append(LockEntry(str(name), role, item["path"],
                                     md5 if isinstance(md5, str) else None,
                                     size if isinstance(size, int) and not isinstance(size, bool) else None,
                                     *at(f"{here}/md5" if isinstance(md5, str) else here)))
    return out


def find_seeds(path: str, text: str) -> list[tuple[str, int, int, int]]:
    """(dotted key, value, line, column) of every integer seed in a params file, in document order."""
    value, at = load_yaml(path, text)
    out: list[tuple[str, int, int, int]] = []

    def walk(node: Any, dotted: list[str], pointer: str, depth: int) -> None:
        if depth > 20 or not isinstance(node, dict):
            return
        for key, child in node.items():
            here = f"{pointer}{ptr(key)}"
            if key.lower() in SEED_KEYS and isinstance(child, int) and not isinstance(child, bool):
                out.append((".".join(dotted + [key]), child, *at(here)))
            walk(child, dotted + [key], here, depth + 1)
    walk(value, [], "", 0)
    return out


def stage_kind(name: str) -> str:
    low = name.lower()
    for pattern, kind in _KINDS:
        if re.search(pattern, low):
            return kind
    return "other"


def _norm(p: str) -> str:
    """A DVC path as a comparable project path (``./data/x/`` -> ``data/x``)."""
    p = p.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.rstrip("/") or "."


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    name = path.rsplit("/", 1)[-1]
    if name == "dvc.yaml":
        return _adapt_dvc_yaml(path, text)
    if name == "dvc.lock":
        return _adapt_lock(path, text, read)
    return _adapt_params(path, text)


def _adapt_dvc_yaml(path: str, text: str) -> list[Adapted]:
    stages, doc, at = parse_stages(path, text)
    draft = Draft("pipeline", NAME, path)
    producers = {_norm(o): s.name for s in stages for o in s.outs + s.metrics + s.plots}
    for i, s in enumerate(stages):
        where = (s.line, s.column)
        draft.put(f"/stages/{i}/name", s.name, where)
        draft.put(f"/stages/{i}/kind", stage_kind(s.name), where)
        requires = sorted({producers[_norm(d)] for d in s.deps if _norm(d) in producers} - {s.name})
        if requires:
            draft.put(f"/stages/{i}/requires", requires, at(f"{ptr('stages', s.name)}/deps"))
        detail = {k: getattr(s, k) for k in ("cmd", "deps", "outs", "params", "metrics", "plots") if getattr(s, k)}
        draft.put(f"/stages/{i}/x-dvc", detail, where)
    out = [r for r in [draft.result()] if r]
    manifest = Draft("data_manifest", NAME, path)
    for n, (aid, art) in enumerate(_dataset_artifacts(doc)):
        base = ptr("artifacts", aid)
        manifest.put(f"/datasets/{n}/id", aid, at(base))
        manifest.put(f"/datasets/{n}/path", art["path"], at(f"{base}/path"))
        if isinstance(art.get("desc"), str) and art["desc"].strip():
            manifest.put(f"/datasets/{n}/description", art["desc"].strip(), at(f"{base}/desc"))
    return out + [r for r in [manifest.result()] if r]


def _dataset_artifacts(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    arts = doc.get("artifacts")
    return [(str(k), v) for k, v in (arts.items() if isinstance(arts, dict) else [])
            if isinstance(v, dict) and v.get("type") == "dataset" and isinstance(v.get("path"), str)]


def _manifest_datasets(read: Callable[[str], bytes | None]) -> list[tuple[str, str]]:
    """(id, path) of the datasets the project's native data manifest lists with a path."""
    from mlcompliance.evidence.loader import parse_text

    for name in MANIFEST_NAMES:
        data = read(name)
        if data is None:
            continue
        try:
            value = parse_text(data.decode("utf-8", errors="replace"), name,
                               "json" if name.endswith(".json") else "yaml").value
        except (InputError, RecursionError):
            return []    # the native loader reports a broken manifest itself
        items = value.get("datasets") if isinstance(value, dict) else None
        return [(d["id"], d["path"]) for d in items if isinstance(d, dict) and isinstance(d.get("id"), str)
                and isinstance(d.get("path"), str)] if isinstance(items, list) else []
    return []


def _adapt_lock(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    entries = parse_lock(path, text)
    prefix = path[: -len("dvc.lock")]
    wanted = {_norm(p): i for i, p in _manifest_datasets(read)}
    yaml_data = read(prefix + "dvc.yaml")
    if yaml_data is not None:
        try:
            _, doc, _ = parse_stages(prefix + "dvc.yaml", yaml_data.decode("utf-8", errors="replace"))
            for aid, art in _dataset_artifacts(doc):
                wanted.setdefault(_norm(prefix + art["path"]), aid)
        except InputError:
            pass   # dvc.yaml is adapted (and reported) on its own
    draft = Draft("data_manifest", NAME, path)
    n = 0
    seen = set()
    for e in entries:
        key = _norm(prefix + e.path)
        if key not in wanted or key in seen or e.md5 is None:
            continue
        seen.add(key)
        draft.put(f"/datasets/{n}/id", wanted[key], (e.line, e.column))
        draft.put(f"/datasets/{n}/path", prefix + e.path, (e.line, e.column))
        draft.put(f"/datasets/{n}/md5", e.md5, (e.line, e.column))
        if e.size is not None:
            draft.put(f"/datasets/{n}/size", e.size, (e.line, e.column))
        n += 1
    result = draft.result()
    return [result] if result else []


def _adapt_params(path: str, text: str) -> list[Adapted]:
    seeds = find_seeds(path, text)
    if not seeds:
        return []
    chosen = next((s for s in seeds if "train" in s[0].lower()), seeds[0])
    draft = Draft("pipeline", NAME, path)
    draft.put("/training/seed", chosen[1], (chosen[2], chosen[3]))
    draft.put("/training/x-seeds", {k: v for k, v, _, _ in seeds}, (seeds[0][2], seeds[0][3]))
    return [draft.out]
