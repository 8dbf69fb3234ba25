"""`mlcompliance init`: draft the native evidence files from what the repository already shows.

Two sources, both as :class:`~mlcompliance.evidence.adapters.base.Adapted` fragments with
their origins: the third-party evidence adapters (``evidence.adapters.detect`` when that
registry is installed) and the repository probe's facts (CI workflows with their triggers and
jobs, ``dvc.yaml`` stages, MLflow ``MLmodel`` flavors, a lock file). Fragments merge in that
order (an adapter's value wins over a probe's; lists of records merge by ``id``/``name``).
What no file can hold (risk tier basis, AI Act category, Art. 22 automation and effect, personal
data, lawful basis, DPIA...) comes from the questionnaire (``data/init_questions.yaml``), whose
answer types are read from the native schemas. Every drafted value carries a YAML comment naming
its source file:line, or the answer that gave it. The drafted files are validated against the
native schemas before anything is written.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import Adapted, Origin
from mlcompliance.evidence.loader import (
    Document,
    escape_token,
    load_file,
    parse_text,
    pointer_tokens,
)
from mlcompliance.evidence.project import KINDS
from mlcompliance.evidence.schemas import (
    describe_error,
    inline_refs,
    schema,
    validate_document,
)
from mlcompliance.resources import schemas_dir

QUESTIONS_PATH = Path(__file__).resolve().parent.parent / "data" / "init_questions.yaml"
CONFIG = "mlcompliance.yaml"
FILES = {"model_card": "model_card.yaml", "data_manifest": "data_manifest.yaml", "pipeline": "pipeline.yaml",
         "config": CONFIG}
LOCK_FILES = ("requirements.lock", "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml",
              "requirements.txt")
_CI_PROVIDERS = {".github/workflows/": "github_actions", ".gitlab-ci.yml": "gitlab_ci", "Jenkinsfile": "jenkins",
                 "azure-pipelines": "azure_devops", ".circleci/": "circleci", "bitbucket-pipelines": "bitbucket"}
_STAGE_KINDS = {"training": "training", "model_validation": "model_validation", "fairness": "fairness_test",
                "deploy": "deploy", "features": "feature_engineering", "data_tests": "data_validation",
                "drift": "monitor"}


# --- what the repository shows ---------------------------------------------------------------

def gather(root: Path, settings: dict[str, Any] | None = None,
           detect: Callable[[Path, dict], list[Adapted]] | None = None) -> list[Adapted]:
    """Adapter fragments first (when the adapter registry is installed), then the probe's facts."""
    found = list((detect or _installed_detect())(root, settings or {}))
    return found + probe_fragments(root)


def read_settings(root: Path) -> dict[str, Any]:
    """An existing mlcompliance.yaml's settings (e.g. which adapters to use), for ``init --force``."""
    from mlcompliance.evidence.project import CONFIG_NAMES
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file() and not path.is_symlink():
            doc = load_file(path, name)
            validate_document(doc, "project")
            return doc.value if isinstance(doc.value, dict) else {}
    return {}


def _installed_detect() -> Callable[[Path, dict], list[Adapted]]:
    """``evidence.adapters.detect`` when the registry exists; else no adapter fragments."""
    import importlib
    adapters = importlib.import_module("mlcompliance.evidence.adapters")
    detect = getattr(adapters, "detect", None)
    return detect if callable(detect) else (lambda root, settings: [])


def probe_fragments(root: Path) -> list[Adapted]:
    """The repository probe's facts (probes/observe.py) as native fragments with their file:line."""
    from mlcompliance.probes.observe import build_facts
    from mlcompliance.probes.repository import scan_repository
    facts, index = build_facts(scan_repository(root), None, None, None)
    out: list[Adapted] = []

    def origin(pointer: str, fallback: tuple[str, int]) -> Origin:
        file, line = index.get(pointer, fallback)
        return Origin(file, line, 1, "probe")

    ci_files = facts["ci"]["files"]
    if ci_files:
        first = ci_files[0]
        base = "/observed/repository/ci/files/0"
        at = (first["path"], 1)
        ci: dict[str, Any] = {"enabled": True, "config_path": first["path"]}
        origins = {"/ci": origin(base, at), "/ci/enabled": origin(base, at), "/ci/config_path": origin(base, at)}
        provider = next((p for k, p in _CI_PROVIDERS.items() if first["path"].startswith(k)), None)
        if provider:
            ci["provider"] = provider
            origins["/ci/provider"] = origin(base, at)
        for key in ("triggers", "jobs"):
            items = list(dict.fromkeys(t for f in ci_files for t in f.get(key, [])))
            if items:
                ci[key] = items
                where = next(n for n, f in enumerate(ci_files) if f.get(key))
                origins[f"/ci/{key}"] = origin(f"/observed/repository/ci/files/{where}/{key}", at)
        out.append(Adapted("pipeline", "probe", first["path"], {"ci": ci}, origins))
    stages = facts["dvc"]["stages"]
    if stages:
        drafted, origins = [], {}
        for n, stage in enumerate(stages):
            entry: dict[str, Any] = {"name": stage["name"]}
            kinds = sorted({_STAGE_KINDS[s] for s in stage["signals"] if s in _STAGE_KINDS})
            entry["kind"] = kinds[0] if len(kinds) == 1 else "other"   # the schema requires one; review it
            drafted.append(entry)
            origins[f"/stages/{n}"] = Origin(stage["source"]["file"], stage["source"]["line"], 1, "probe")
        out.append(Adapted("pipeline", "probe", stages[0]["source"]["file"], {"stages": drafted}, origins))
    models = facts["mlflow"]["models"]
    if models:
        model = models[0]
        flavors = [f for f in model["flavors"] if f != "python_function"]
        if flavors:
            framework, line = _flavor(root, model["path"], flavors[0])
            where = Origin(model["path"], line, 1, "probe")
            out.append(Adapted("model_card", "probe", model["path"], {"model_details": {"framework": framework}},
                               {"/model_details/framework": where}))
    lock = next((name for name in LOCK_FILES if (root / name).is_file() and not (root / name).is_symlink()), None)
    if lock:
        digest = hashlib.sha256((root / lock).read_bytes()).hexdigest()
        where = Origin(lock, 1, 1, "probe")
        out.append(Adapted("pipeline", "probe", lock, {"environment": {"lockfile": lock, "lockfile_sha256": digest}},
                           {"/environment/lockfile": where, "/environment/lockfile_sha256": where}))
    return out


def _flavor(root: Path, path: str, flavor: str) -> tuple[str, int]:
    """("sklearn 1.5.1", line of the flavor) from an MLmodel the probe read (``<flavor>_version``)."""
    try:
        doc = parse_text((root / path).read_text(encoding="utf-8"), path, "yaml")
    except (OSError, UnicodeDecodeError, InputError):
        return flavor, 1
    spec = (doc.value.get("flavors") or {}).get(flavor) if isinstance(doc.value, dict) else None
    version = spec.get(f"{flavor}_version") if isinstance(spec, dict) else None
    return (f"{flavor} {version}" if isinstance(version, (str, int, float)) else flavor,
            doc.location(f"/flavors/{escape_token(flavor)}")[0])


# --- merging fragments -----------------------------------------------------------------------

@dataclass
class Draft:
    """The drafted documents (``model_card``, ``data_manifest``, ``pipeline``, ``config``) and,
    for every pointer set, the comment naming where its value came from."""

    docs: dict[str, dict[str, Any]] = field(default_factory=lambda: {k: {} for k in FILES})
    notes: dict[str, str] = field(default_factory=dict)      # "/kind/pointer" -> comment
    sources: list[str] = field(default_factory=list)          # "adapter: file" of every fragment used
    open_questions: list[str] = field(default_factory=list)   # ids of questions left unanswered
    placeholders: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, pointer, source) left blank


def merge(fragments: list[Adapted]) -> Draft:
    draft = Draft()
    for frag in fragments:
        if frag.kind not in KINDS:
            raise InputError(f"adapter {frag.adapter} returned unknown evidence kind '{frag.kind}'", file=frag.source)
        draft.sources.append(f"{frag.adapter}: {frag.source}")
        _merge_into(draft, frag.kind, draft.docs[frag.kind], frag.value, "", frag)
        draft.placeholders += [(frag.kind, p, frag.source) for p in frag.missing]
    return draft


def _note(frag: Adapted, pointer: str) -> str:
    probe = pointer
    while True:
        hit = frag.origins.get(probe)
        if hit is not None:
            return f"from {hit.file}:{hit.line} ({hit.adapter})"
        if not probe:
            return f"from {frag.source} ({frag.adapter})"
        probe = probe[: probe.rfind("/")]


def _merge_into(draft: Draft, kind: str, mine: dict[str, Any], theirs: dict[str, Any], at: str, frag: Adapted) -> None:
    for key, value in theirs.items():
        pointer = f"{at}/{escape_token(str(key))}"
        if key not in mine:
            mine[key] = copy.deepcopy(value)
            _annotate(draft, kind, value, pointer, frag)
        elif isinstance(mine[key], dict) and isinstance(value, dict):
            _merge_into(draft, kind, mine[key], value, pointer, frag)
        elif isinstance(mine[key], list) and isinstance(value, list) and _record_key(mine[key] + value):
            name = _record_key(mine[key] + value)
            known = {item[name]: i for i, item in enumerate(mine[key])}
            for j, item in enumerate(value):
                if item[name] in known:
                    i = known[item[name]]
                    _merge_into(draft, kind, mine[key][i], item, f"{pointer}/{i}", _shifted(frag, f"{pointer}/{j}",
                                                                                           f"{pointer}/{i}"))
                else:
                    mine[key].append(copy.deepcopy(item))
                    _annotate(draft, kind, item, f"{pointer}/{len(mine[key]) - 1}",
                              _shifted(frag, f"{pointer}/{j}", f"{pointer}/{len(mine[key]) - 1}"))


def _shifted(frag: Adapted, old: str, new: str) -> Adapted:
    """``frag`` with its origins under list index ``old`` moved to ``new``."""
    if old == new:
        return frag
    moved = {(new + p[len(old):] if p == old or p.startswith(old + "/") else p): o for p, o in frag.origins.items()}
    return Adapted(frag.kind, frag.adapter, frag.source, frag.value, moved, frag.missing)


def _record_key(items: list[Any]) -> str | None:
    for name in ("id", "name"):
        if items and all(isinstance(i, dict) and isinstance(i.get(name), str) for i in items):
            return name
    return None


def _annotate(draft: Draft, kind: str, value: Any, pointer: str, frag: Adapted) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _annotate(draft, kind, child, f"{pointer}/{escape_token(str(key))}", frag)
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, child in enumerate(value):
            _annotate(draft, kind, child, f"{pointer}/{i}", frag)
    else:
        draft.notes[f"/{kind}{pointer}"] = _note(frag, pointer)


# --- the questionnaire -----------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    id: str
    target: str
    text: str
    schema: dict[str, Any]         # the JSON Schema an answer must satisfy (from the native schema)
    if_: str | None = None
    if_missing: str | None = None
    line: int = 1
    default: Any = None            # used when the question is asked but not answered

    @property
    def kind(self) -> str:
        """enum | boolean | list | text: how it is asked."""
        if "enum" in self.schema:
            return "enum"
        if self.schema.get("type") == "boolean":
            return "boolean"
        if self.schema.get("type") == "array":
            return "list"
        return "text"

    @property
    def options(self) -> list[Any]:
        if self.kind == "enum":
            return list(self.schema["enum"])
        return list((self.schema.get("items") or {}).get("enum") or [])


@cache
def load_questions(path: Path = QUESTIONS_PATH) -> tuple[Question, ...]:
    """The questionnaire, validated by its schema; each target must be a native field."""
    from jsonschema import Draft202012Validator
    display = path.name if path == QUESTIONS_PATH else str(path)
    doc = load_file(path, display)
    spec = json.loads((schemas_dir() / "init_questions.schema.json").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(spec).iter_errors(doc.value), key=lambda e: list(e.absolute_path))
    if errors:
        message, expected = describe_error(errors[0])
        line, col = doc.location("".join(f"/{p}" for p in errors[0].absolute_path))
        raise InputError(message, file=display, line=line, column=col, expected=expected)
    out: list[Question] = []
    for i, q in enumerate(doc.value["questions"]):
        line, col = doc.location(f"/questions/{i}")
        if q["id"] in {x.id for x in out}:
            raise InputError(f"duplicate question id '{q['id']}'", file=display, line=line, column=col)
        if q.get("if") and q["if"] not in {x.id for x in out if x.kind == "boolean"}:
            raise InputError(f"'if: {q['if']}' must name an earlier yes/no question", file=display, line=line, column=col)
        target_schema = answer_schema(q["target"])
        if target_schema is None:
            line, col = doc.location(f"/questions/{i}/target")
            raise InputError(f"target '{q['target']}' is not a field of the native evidence schemas", file=display,
                             line=line, column=col, expected="a pointer into model_card, data_manifest or pipeline")
        question = Question(q["id"], q["target"], q["text"], target_schema, q.get("if"), q.get("if_missing"), line,
                            q.get("default"))
        if question.default is not None and check_answer(question, question.default)[1]:
            line, col = doc.location(f"/questions/{i}/default")
            raise InputError(f"default of '{q['id']}' does not fit its target field", file=display, line=line, column=col,
                             expected=check_answer(question, question.default)[1][0])
        out.append(question)
    return tuple(out)


def answer_schema(target: str) -> dict[str, Any] | None:
    """The native JSON Schema of the field at ``target`` (``/config/packs``: a list of pack ids)."""
    tokens = pointer_tokens(target)
    if tokens == ["config", "packs"]:
        from mlcompliance.policy.packs import discover
        ids = sorted({s.id for s in discover(plugins=False)})
        return {"type": "array", "items": {"enum": ids}}
    if not tokens or tokens[0] not in KINDS:
        return None
    whole = schema(tokens[0])
    node: Any = inline_refs(whole, whole.get("$defs", {}))
    for token in tokens[1:]:
        if token == "*" or token.isdigit():
            node = node.get("items") if node.get("type") == "array" else None
        else:
            node = (node.get("properties") or {}).get(token)
        if not isinstance(node, dict):
            return None
    return {k: v for k, v in node.items() if k not in ("description", "$defs")}


def to_ask(questions: tuple[Question, ...], draft: Draft) -> list[Question]:
    """The questions whose `if_missing` pointer the draft has not filled (`if` is checked while asking)."""
    from mlcompliance.evidence import pointers
    bundle = {k: v for k, v in draft.docs.items()}
    return [q for q in questions if not q.if_missing or not pointers.exists(bundle, q.if_missing)
            or pointers.get(bundle, q.if_missing) in ([], "")]


def load_answers(path: Path, questions: tuple[Question, ...]) -> dict[str, Any]:
    """An answers file: a mapping of question id to answer, each checked against its field's schema."""
    display = str(path)
    return parse_answers(load_file(path, display), questions)


def parse_answers(doc: Document, questions: tuple[Question, ...]) -> dict[str, Any]:
    def bad(pointer: str, message: str, expected: str | None = None) -> InputError:
        line, col = doc.location(pointer)
        return InputError(message, file=doc.path, line=line, column=col, expected=expected)

    value = doc.value if doc.value is not None else {}
    if not isinstance(value, dict):
        raise bad("", "an answers file must be a mapping of question id to answer", "question-id: answer")
    by_id = {q.id: q for q in questions}
    answers: dict[str, Any] = {}
    for key, raw in value.items():
        pointer = f"/{escape_token(str(key))}"
        question = by_id.get(key)
        if question is None:
            close = difflib.get_close_matches(str(key), list(by_id), n=1)
            raise bad(pointer, f"unknown question '{key}'",
                      f"did you mean '{close[0]}'?" if close else "one of " + ", ".join(by_id))
        if raw is None or raw == "" or raw == []:
            continue
        answer, problem = check_answer(question, raw)
        if problem:
            raise bad(pointer, f"answer to '{key}': {problem[0]}", problem[1])
        answers[key] = answer
    return answers


def check_answer(question: Question, raw: Any) -> tuple[Any, tuple[str, str | None] | None]:
    """(normalised answer, None) or (None, (problem, expected)); a comma string is a list for list fields."""
    from jsonschema import Draft202012Validator
    value = raw
    if question.kind == "list" and isinstance(raw, str):
        value = [part.strip() for part in raw.split(",") if part.strip()]
    errors = sorted(Draft202012Validator(question.schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        message, expected = describe_error(errors[0])
        return None, (message, expected)
    return value, None


def apply_answers(draft: Draft, questions: tuple[Question, ...], answers: dict[str, Any], source: str) -> None:
    """Write each answer at its target (``*``: every drafted dataset), noting where it came from."""
    asked = {q.id for q in to_ask(questions, draft)}
    for q in questions:
        if q.id not in asked:
            continue
        if q.if_ and answers.get(q.if_) is not True:
            continue
        if q.id in answers:
            value, note = answers[q.id], f"answer '{q.id}' ({source})"
        elif q.default is not None:
            value, note = q.default, f"default of question '{q.id}': review it"
            draft.open_questions.append(q.id)
        else:
            draft.open_questions.append(q.id)
            continue
        tokens = pointer_tokens(q.target)
        kind, path = tokens[0], tokens[1:]
        for concrete in _expand_targets(draft.docs[kind], path):
            _set(draft.docs[kind], concrete, value)
            pointer = "".join(f"/{escape_token(t)}" for t in concrete)
            draft.notes[f"/{kind}{pointer}"] = note


def _expand_targets(doc: dict[str, Any], path: list[str]) -> list[list[str]]:
    if "*" not in path:
        return [path]
    i = path.index("*")
    from mlcompliance.evidence import pointers
    items = pointers.get(doc, "".join(f"/{escape_token(t)}" for t in path[:i]), [])
    return [path[:i] + [str(n)] + rest for n in range(len(items) if isinstance(items, list) else 0)
            for rest in _expand_targets(items[n], path[i + 1:]) if isinstance(items[n], dict)] if items else []


def _set(doc: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = doc
    for token, following in pairwise(path):
        if isinstance(node, list):
            index = int(token)
            while len(node) <= index:
                node.append({})
            node = node[index]
            continue
        if token not in node:
            node[token] = [] if following.isdigit() else {}
        node = node[token]
    if isinstance(node, list):
        index = int(path[-1])
        while len(node) <= index:
            node.append({})
        node[index] = value
    else:
        node[path[-1]] = value


# --- writing the files -----------------------------------------------------------------------

def finish(draft: Draft, root: Path) -> dict[str, str]:
    """The text of each file to write, with its source comments; each validated by its native schema."""
    packs = draft.docs["config"].pop("packs", None)
    name = draft.docs["model_card"].get("model_details", {}).get("name") or root.resolve().name
    config: dict[str, Any] = {"project": {"name": name}}
    draft.notes.setdefault("/config/project/name", draft.notes.get("/model_card/model_details/name", "from the model name")
                           if draft.docs["model_card"].get("model_details", {}).get("name") else "from the directory name")
    if packs:
        config["packs"] = {p: "*" for p in packs}
        for p in packs:
            draft.notes[f"/config/packs/{p}"] = draft.notes.get("/config/packs", "answer 'packs'")
    draft.docs["config"] = config
    texts = {}
    for kind, file in FILES.items():
        doc = draft.docs[kind]
        if kind in KINDS:
            doc = {"kind": kind, "schema_version": "1.0", **doc}
            draft.notes[f"/{kind}/kind"] = draft.notes[f"/{kind}/schema_version"] = "the native format of this file"
        text = _header(kind, draft) + "".join(_emit(doc, f"/{kind}", draft.notes, 0))
        parsed = parse_text(text, file, "yaml")
        validate_document(parsed, "project" if kind == "config" else kind,
                          "drafted " + file + " (a fragment from " + ", ".join(draft.sources or ["the answers"]) + ")")
        texts[file] = text
    return texts


def _header(kind: str, draft: Draft) -> str:
    lines = [f"# {FILES[kind]}: drafted by `mlcompliance init`. Review every value: each comment says where it",
             "# came from (file:line of the repository, or the questionnaire answer); nothing here is a verdict."]
    from mlcompliance.evidence import pointers
    mine = [f"/{k}{p} ({src})" for k, p, src in draft.placeholders
            if k == kind and not pointers.exists(draft.docs[kind], p)]
    if mine:
        lines.append("# Placeholders in the sources (not drafted, still to write): " + ", ".join(mine))
    if kind == "model_card" and draft.open_questions:
        lines.append("# Still to answer (run `mlcompliance init --force --answers FILE` or edit by hand): "
                     + ", ".join(draft.open_questions))
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and not key[0].isdigit() else _scalar(key)


def _emit(value: Any, pointer: str, notes: dict[str, str], indent: int) -> list[str]:
    pad = "  " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            here = f"{pointer}/{escape_token(str(key))}"
            comment = f"  # {notes[here]}" if here in notes else ""
            if isinstance(child, (dict, list)) and child and not _flat_list(child):
                out.append(f"{pad}{_key(str(key))}:{comment}\n")
                out += _emit(child, here, notes, indent + 1)
            else:
                out.append(f"{pad}{_key(str(key))}: {_inline(child)}{comment}\n")
    else:
        for i, child in enumerate(value):
            here = f"{pointer}/{i}"
            comment = f"  # {notes[here]}" if here in notes else ""
            if isinstance(child, dict) and child:
                out.append(f"{pad}-{comment}\n")
                out += _emit(child, here, notes, indent + 1)
            else:
                out.append(f"{pad}- {_inline(child)}{comment}\n")
    return out


def _flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(str(k))}: {_inline(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def existing(root: Path) -> list[Path]:
    """Files init would write that already exist (any extension the loader accepts)."""
    found = []
    for file in FILES.values():
        stem = file.rsplit(".", 1)[0]
        found += [root / f"{stem}{ext}" for ext in (".yaml", ".yml", ".json") if (root / f"{stem}{ext}").exists()
                  or (root / f"{stem}{ext}").is_symlink()]
    return found
