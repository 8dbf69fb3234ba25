"""Policy packs: find them, pick versions, validate them and compile their rules once.

A pack is a directory holding ``pack.yaml`` (metadata and the full list of the source's
requirements) and ``rules/*.yaml`` (rules as data). Packs are found under the built-in
``policies/`` directory, under each ``--policy-path`` directory, and in directories
returned by the ``mlcompliance.packs`` entry points of installed distributions; a check
consults those only when a requested pack has no matching version in the first two.
Layouts ``<dir>/<id>/pack.yaml`` and ``<dir>/<id>/<version>/pack.yaml`` are both read.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from mlcompliance import __version__
from mlcompliance.errors import InputError
from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import Document, load_file
from mlcompliance.evidence.schemas import (
    describe_error,
    format_checker,
    leaf,
    validate_document,
)
from mlcompliance.plugins import PACKS, PluginError
from mlcompliance.policy import fastrules
from mlcompliance.policy.checks import REGISTRY, Context, Target, Violation, lookup

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

ENTRY_POINT_GROUP = PACKS


@dataclass(frozen=True)
class PackSource:
    id: str
    version: str
    directory: Path
    manifest: Document | None
    origin: str          # "builtin", "path" or "entry-point:<name>"
    problem: InputError | None = None   # a manifest that could not be read; raised if the pack is chosen

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    clause: str
    url: str | None
    section: str | None
    manual: bool
    description: str | None
    if_: tuple[str, ...] = ()        # applicability of a manual requirement (pack conditions, tiers)
    unless: tuple[str, ...] = ()
    tiers: tuple[str, ...] | None = None


@dataclass
class Rule:
    id: str
    pack: str
    pack_version: str
    requirement: str
    title: str
    rationale: str | None
    severity: str
    tiers: dict[str, str] | None
    applies_from: date | None
    applies_until: date | None
    references: list[dict[str, str]]
    scope: str
    if_: list[str]
    unless: list[str]
    when: Callable[[Any], bool] | None
    evaluate: Callable[[Context, Target], list[Violation]]
    mode: str
    message: str
    remediation: str
    example: str | None
    source: str            # rules file and line, for pack authors
    spec: dict[str, Any] = field(repr=False, default_factory=dict)
    parameters: tuple[str, ...] = ()   # pack parameters its checks read ({param: NAME} in `with:`)

    def severity_at(self, tier: str) -> str | None:
        """Severity at ``tier``, or None when the rule does not apply there."""
        if self.tiers is None:
            return self.severity
        return self.tiers.get(tier)


@dataclass(frozen=True)
class Parameter:
    """A number of the pack that a project may set within bounds (pack.yaml `parameters`)."""
    name: str
    description: str
    basis: str             # "law" (the text sets it) or "policy" (the pack's choice)
    type: str              # "integer" or "number"
    default: int | float
    minimum: int | float
    maximum: int | float
    unit: str | None = None
    note: str | None = None

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be this parameter's value, or None."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not a number"
        if self.type == "integer" and not (isinstance(value, int) or float(value).is_integer()):
            return f"{value!r} is not a whole number"
        if not self.minimum <= value <= self.maximum:
            return f"{value!r} is outside the allowed range {self.minimum}..{self.maximum}"
        return None


@dataclass
class Pack:
    id: str
    version: str
    title: str
    description: str | None
    source: dict[str, str]
    engine: str
    requirements: list[Requirement]
    conditions: dict[str, Callable[[Context], bool]]
    rules: list[Rule]
    digest: str
    directory: Path
    origin: str
    waiver_max_days: dict[str, int] = field(default_factory=dict)
    maturity: dict[str, Any] | None = None   # maturity.yaml: maturity scores from this pack's findings
    parameters: dict[str, Parameter] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)    # the structured law version
    law_as_of: date | None = None
    review_by: date | None = None

    @property
    def maturity_requirement(self) -> str | None:
        """The requirement whose rules are maturity evidence only (not compliance findings)."""
        return self.maturity["evidence_requirement"] if self.maturity else None

    def requirement(self, rid: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == rid), None)


# --- discovery ------------------------------------------------------------------------

def search_paths(extra: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """The built-in directory, then each --policy-path (plug-ins come last, see plugin_sources)."""
    from mlcompliance.resources import policies_dir
    paths = [(policies_dir(), "builtin")]
    paths += [(Path(p), "path") for p in extra]
    return paths


_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def discover(extra: Iterable[Path] = (), plugins: bool = True) -> list[PackSource]:
    """Every pack version on the search path, read only as far as its id and version.

    With ``plugins`` false, installed plug-ins are not consulted (``resolve`` asks for them
    only when a requested pack is missing). A manifest that cannot be read does not stop
    discovery: its error is raised only if that pack is chosen (its id is guessed from the
    directory name).
    """
    sources: dict[tuple[str, str], PackSource] = {}
    for base, origin in search_paths(extra):
        _scan(base, origin, sources)
    found = sorted(sources.values(), key=lambda s: (s.id, Version(s.version)))
    return plugin_sources(found) if plugins else found


def _scan(base: Path, origin: str, sources: dict[tuple[str, str], PackSource]) -> None:
    if not base.is_dir():
        raise InputError("policy path is not a directory", file=str(base), expected="a directory of policy packs")
    manifests = sorted(set(base.glob("*/pack.yaml")) | set(base.glob("*/*/pack.yaml")) |
                       ({base / "pack.yaml"} if (base / "pack.yaml").exists() else set()))
    for manifest in manifests:
        src = _read_source(manifest, origin)
        # first search path wins: built-in, then --policy-path, then plug-ins
        sources.setdefault((src.id, src.version), src)


def plugin_sources(sources: list[PackSource], wanted: dict[str, str] | None = None) -> list[PackSource]:
    """``sources`` plus the packs of installed ``mlcompliance.packs`` entry points.

    With ``wanted`` (pack id -> version specifier), entry points named like a wanted pack are
    imported first, and the others only if a wanted pack is still unmatched; without it, all.
    """
    from mlcompliance import plugins
    merged = {(s.id, s.version): s for s in sources}
    installed = plugins.installed(plugins.PACKS)
    batches = [installed] if wanted is None else [[p for p in installed if p.name in wanted],
                                                  [p for p in installed if p.name not in wanted]]
    for batch in batches:
        if wanted is not None and not _unmatched(wanted, merged.values()):
            break
        for plugin in batch:
            _scan(_plugin_directory(plugin), f"entry-point:{plugin.name}", merged)
    return sorted(merged.values(), key=lambda s: (s.id, Version(s.version)))


def _plugin_directory(plugin: Any) -> Path:
    from mlcompliance.plugins import load
    target = load(plugin)
    try:
        path = Path(str(target() if callable(target) else target))
    except Exception as exc:  # the plug-in's own function failed
        raise PluginError(f"{plugin.describe()} failed: {type(exc).__name__}: {exc}", plugin) from None
    if not path.is_dir():
        raise PluginError(f"{plugin.describe()} gives {path}, which is not a directory of policy packs", plugin)
    return path


def _unmatched(requested: dict[str, str], sources: Iterable[PackSource]) -> set[str]:
    """Requested pack ids that no source satisfies (an invalid specifier counts as satisfied:
    resolve reports it with its location)."""
    versions: dict[str, list[Version]] = {}
    for src in sources:
        versions.setdefault(src.id, []).append(Version(src.version))
    missing = set()
    for pid, text in requested.items():
        try:
            spec = SpecifierSet("" if text.strip() in ("", "*") else text.strip())
        except InvalidSpecifier:
            continue
        if not any(v in spec for v in versions.get(pid, ())):
            missing.add(pid)
    return missing


def _read_source(manifest: Path, origin: str) -> PackSource:
    try:
        doc = load_file(manifest, str(manifest))
        value = doc.value
        if not (isinstance(value, dict) and isinstance(value.get("id"), str) and _PACK_ID.match(value["id"])
                and isinstance(value.get("version"), str) and _SEMVER.match(value["version"])):
            validate_document(doc, "pack")  # raises with the precise message
        return PackSource(value["id"], value["version"], manifest.parent, doc, origin)
    except InputError as err:
        directory = manifest.parent
        version = directory.name if _SEMVER.match(directory.name) else "0.0.0"
        pid = directory.parent.name if version != "0.0.0" else directory.name
        return PackSource(pid, version, directory, None, origin, err)


def resolve(requested: dict[str, str] | None, sources: list[PackSource],
            where: Document | None = None, more: Callable[[dict[str, str]], list[PackSource]] | None = None
            ) -> list[PackSource]:
    """Pick the highest version of each requested pack that matches its specifier.

    With no request, every built-in pack at its highest version is chosen. When a requested
    pack has no matching version among ``sources``, ``more(unmatched requests)`` (typically
    adding installed plug-ins) gives the sources to choose from instead.
    """
    if requested is not None and more is not None:
        unmatched = _unmatched(requested, sources)
        if unmatched:
            sources = more({pid: requested[pid] for pid in sorted(unmatched)})
    by_id: dict[str, list[PackSource]] = {}
    for src in sources:
        by_id.setdefault(src.id, []).append(src)
    if requested is None:
        requested = {pid: "*" for pid, group in by_id.items() if any(s.origin == "builtin" for s in group)}
    chosen = []
    for pid, spec_text in sorted(requested.items()):
        line = col = None
        if where is not None:
            line, col = where.location(f"/packs/{pid}")
        file = where.path if where is not None else None
        if pid not in by_id:
            guess = difflib.get_close_matches(pid, list(by_id), n=1)
            raise InputError(f"unknown policy pack '{pid}'" + (f" (did you mean '{guess[0]}'?)" if guess else ""),
                             file=file, line=line, column=col,
                             expected="one of " + ", ".join(sorted(by_id)))
        spec = _specifier(spec_text, pid, file, line, col)
        matches = [s for s in by_id[pid] if Version(s.version) in spec]
        if not matches:
            raise InputError(f"no version of pack '{pid}' matches '{spec_text}'", file=file, line=line,
                             column=col, expected="one of the available versions: " +
                             ", ".join(s.version for s in by_id[pid]))
        best = max(matches, key=lambda s: Version(s.version))
        if best.problem is not None:
            raise best.problem
        chosen.append(best)
    return chosen


def _specifier(text: str, pid: str, file: str | None, line: int | None, col: int | None) -> SpecifierSet:
    text = text.strip()
    if text in ("", "*"):
        return SpecifierSet("")
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise InputError(f"invalid version specifier '{text}' for pack '{pid}'", file=file, line=line,
                         column=col, expected='a specifier such as ">=1.0,<2" or "==1.2.0"') from None


# --- loading and compiling --------------------------------------------------------------

def shared_conditions(chosen: Iterable[Pack], wanted: Iterable[tuple[str, str]],
                      sources: Iterable[PackSource] | None = None) -> dict[tuple[str, str], Callable[[Context], bool]]:
    """The pack conditions named in ``wanted`` ((pack id, condition name) pairs), for code outside
    the packs that must mean what the packs mean (tier derivation, engine/tiering.py): each from
    the chosen version of that pack when it defines it, else from the newest built-in version
    among ``sources`` (default: discovered here)."""
    by_id = {p.id: p.conditions for p in chosen}
    builtin: dict[str, PackSource] = {}
    out = {}
    for pack_id, name in wanted:
        conditions = by_id.get(pack_id, {})
        if name not in conditions:
            if not builtin:
                for src in sources if sources is not None else discover(plugins=False):
                    if src.origin == "builtin":
                        builtin[src.id] = src          # sorted by version: the newest stays
            conditions = _builtin_conditions(builtin[pack_id].directory) if pack_id in builtin else {}
        if name not in conditions:
            raise InputError(f"no version of pack {pack_id} defines the condition '{name}' that tier derivation reads",
                             expected=f"a condition '{name}' in {pack_id}'s pack.yaml")
        out[(pack_id, name)] = conditions[name]
    return out


@cache
def _builtin_conditions(directory: Path) -> dict[str, Callable[[Context], bool]]:
    """The compiled conditions of a built-in pack (only the conditions are compiled when the
    pack's validated record is current)."""
    entry = _validated_entry(directory, pack_digest(directory))
    if entry is None:
        return compile_pack(directory, "builtin").conditions
    fastrules.load(_builtin_key(directory))
    manifest = Document(str(directory / "pack.yaml"), "yaml", entry["pack"], "", "", {})
    parameters = _parameters(entry["pack"], manifest, False)
    return {name: _compile_condition(spec, manifest, f"/conditions/{name}", False, parameters)
            for name, spec in sorted((entry["pack"].get("conditions") or {}).items())}


def load_packs(sources: list[PackSource]) -> list[Pack]:
    packs = [load_pack(src) for src in sources]
    seen: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                raise InputError(f"rule id '{rule.id}' is defined by both {seen[rule.id]} and "
                                 f"{pack.id}@{pack.version}", file=rule.source, expected="unique rule ids")
            seen[rule.id] = f"{pack.id}@{pack.version}"
    return packs


def load_pack(src: PackSource) -> Pack:
    return _load_pack_cached(src.directory.resolve(), src.origin)


@cache
def _load_pack_cached(directory: Path, origin: str) -> Pack:
    return compile_pack(directory, origin)


def compile_pack(directory: Path, origin: str, trust: bool = True) -> Pack:
    """Validate and compile the pack in ``directory`` (raises InputError at the first problem).

    Parsing the YAML and validating it (pack schemas, JSON Schema meta-schema) are the slow
    parts of loading. A built-in pack whose content digest is recorded in
    policies/validated.json (for this engine version and these schemas; written by
    `mlcompliance docs` after a full validation, with the parsed content) is read from that
    record instead: both are pure functions of the content the digest identifies. Any other
    pack, or any change to a built-in one, is parsed and validated in full.
    """
    digest = pack_digest(directory)
    trusted = _validated_entry(directory, digest) if trust and origin == "builtin" else None
    verify = trusted is None
    key = _builtin_key(directory) if origin == "builtin" else None
    if key:
        fastrules.load(key)
    if trusted:
        manifest = Document(str(directory / "pack.yaml"), "yaml", trusted["pack"], "", "", {})
        rule_docs = [Document(str(directory / "rules" / f["file"]), "yaml", {"rules": f["rules"]}, "", "",
                              {f"/rules/{i}": (line, 1) for i, line in enumerate(f["lines"])})
                     for f in trusted["rules"]]
    else:
        manifest = load_file(directory / "pack.yaml", str(directory / "pack.yaml"))
        validate_document(manifest, "pack")
        rule_docs = [load_file(path, str(path)) for path in sorted((directory / "rules").glob("*.yaml"))]
    meta = manifest.value
    engine = meta["engine"]
    try:
        compatible = Version(__version__) in SpecifierSet(engine)
    except InvalidSpecifier:
        compatible = False
    if not compatible:
        line, col = manifest.location("/engine")
        raise InputError(f"pack {meta['id']}@{meta['version']} needs engine '{engine}', this is {__version__}",
                         file=manifest.path, line=line, column=col,
                         expected=f"a pack whose engine specifier admits {__version__}")
    requirements = [Requirement(r["id"], r["title"], r["clause"], r.get("url"), r.get("section"),
                                bool(r.get("manual", False)), r.get("description"), tuple(r.get("if", ())),
                                tuple(r.get("unless", ())), tuple(r["tiers"]) if "tiers" in r else None)
                    for r in meta["requirements"]]
    _unique([r.id for r in requirements], "requirement", manifest, "/requirements")
    parameters = _parameters(meta, manifest, verify)
    conditions = {name: _compile_condition(spec, manifest, f"/conditions/{name}", verify, parameters)
                  for name, spec in sorted(meta.get("conditions", {}).items())}
    for i, req in enumerate(requirements):
        for key, names in (("if", req.if_), ("unless", req.unless)):
            for j, name in enumerate(names):
                if name not in conditions:
                    line, col = manifest.location(f"/requirements/{i}/{key}/{j}")
                    raise InputError(f"requirement {req.id} names unknown condition '{name}'", file=manifest.path,
                                     line=line, column=col, expected="a condition defined in pack.yaml")
    rules: list[Rule] = []
    for doc in rule_docs:
        if verify:
            validate_document(doc, "rules")
        for i, spec in enumerate(doc.value["rules"]):
            rules.append(_compile_rule(spec, meta, doc, f"/rules/{i}", requirements, conditions, verify, parameters))
    _unique([r.id for r in rules], "rule", manifest, "")
    rules.sort(key=lambda r: r.id)
    maturity = trusted.get("maturity") if trusted else _load_maturity(directory, {r.id for r in rules},
                                                                  {r.id for r in requirements})
    return Pack(meta["id"], meta["version"], meta["title"], meta.get("description"), meta["source"],
                engine, requirements, conditions, rules, digest, directory, origin,
                meta.get("waiver_max_days", {}), maturity, parameters, list(meta.get("sources", [])),
                date.fromisoformat(meta["law_as_of"]) if "law_as_of" in meta else None,
                date.fromisoformat(meta["review_by"]) if "review_by" in meta else None)


class Parameters(dict):
    """A pack's parameters by name, knowing the pack's id (what a rule reads its values under)."""

    def __init__(self, pack: str, items: dict[str, Parameter] | None = None) -> None:
        super().__init__(items or {})
        self.pack = pack


def _parameters(meta: dict[str, Any], manifest: Document, verify: bool) -> Parameters:
    """The pack's parameters; each default inside its bounds and of its type."""
    out = Parameters(meta["id"])
    for name, spec in sorted((meta.get("parameters") or {}).items()):
        param = Parameter(name, spec["description"], spec["basis"], spec["type"], spec["default"], spec["minimum"],
                          spec["maximum"], spec.get("unit"), spec.get("note"))
        if verify:
            if param.minimum > param.maximum:
                line, col = manifest.location(f"/parameters/{name}/minimum")
                raise InputError(f"parameter '{name}': minimum {param.minimum} is above maximum {param.maximum}",
                                 file=manifest.path, line=line, column=col, expected="minimum <= default <= maximum")
            for key in ("default", "minimum", "maximum"):
                if param.type == "integer" and not float(spec[key]).is_integer():
                    line, col = manifest.location(f"/parameters/{name}/{key}")
                    raise InputError(f"parameter '{name}': {key} {spec[key]!r} is not a whole number",
                                     file=manifest.path, line=line, column=col, expected="an integer (type: integer)")
            why = param.problem(param.default)
            if why:
                line, col = manifest.location(f"/parameters/{name}/default")
                raise InputError(f"parameter '{name}': default {why}", file=manifest.path, line=line, column=col,
                                 expected="minimum <= default <= maximum")
        out[name] = param
    return out


def _param_refs(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(pointer inside `with:`, parameter name) of every `{param: NAME}` in a check's parameters."""
    if isinstance(value, dict):
        if set(value) == {"param"} and isinstance(value["param"], str):
            return [(path, value["param"])]
        return [ref for k, v in value.items() for ref in _param_refs(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [ref for i, v in enumerate(value) for ref in _param_refs(v, f"{path}/{i}")]
    return []


def substitute(value: Any, values: dict[str, Any]) -> Any:
    """``value`` with each ``{param: NAME}`` replaced by ``values[NAME]``."""
    if isinstance(value, dict):
        if set(value) == {"param"} and isinstance(value["param"], str):
            return values[value["param"]]
        return {k: substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, values) for v in value]
    return value


def rule_parameters(spec: Any) -> tuple[str, ...]:
    """Names of the pack parameters a rule's assertion reads, sorted."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "check" in node:
                names.update(name for _, name in _param_refs(node.get("with", {})))
            for inner in node.get("any_of", []) or []:
                walk(inner)
            if "not" in node:
                walk(node["not"])
    walk(spec)
    return tuple(sorted(names))


MATURITY_FILE = "maturity.yaml"


def _load_maturity(directory: Path, rule_ids: set[str], requirement_ids: set[str]) -> dict[str, Any] | None:
    """The pack's maturity rubric (validated; every rule it names is a rule of the pack), or None."""
    path = directory / MATURITY_FILE
    if not path.is_file():
        return None
    doc = load_file(path, str(path))
    validate_document(doc, "maturity")
    rubric = doc.value
    if rubric["evidence_requirement"] not in requirement_ids:
        line, col = doc.location("/evidence_requirement")
        raise InputError(f"maturity rubric names unknown requirement '{rubric['evidence_requirement']}'",
                         file=doc.path, line=line, column=col, expected="a requirement of pack.yaml")
    names = set(rubric.get("define", {}))
    tests = {t["id"] for t in rubric["tests"]}
    practices = {p["id"] for p in rubric["practices"]}

    def walk(expr: Any, pointer: str) -> None:
        def bad(what: str) -> None:
            line, col = doc.location(pointer)
            raise InputError(f"maturity rubric names {what}", file=doc.path, line=line, column=col,
                             expected="rules of this pack, definitions under `define`, tests and practices of the rubric")
        if isinstance(expr, str):
            if expr.split("[", 1)[0] not in rule_ids:
                bad(f"unknown rule '{expr}'")
            return
        key = next(iter(expr))
        value = expr[key]
        if key in ("all", "any"):
            for i, item in enumerate(value):
                walk(item, f"{pointer}/{key}/{i}")
        elif key == "not_failed":
            walk(value, f"{pointer}/{key}")
        elif key == "use" and value not in names:
            bad(f"unknown definition '{value}'")
        elif key == "test" and value not in tests:
            bad(f"unknown test '{value}'")
        elif key == "practice" and value not in practices:
            bad(f"unknown practice '{value}'")
    for name in ("ci", "automated", "declared"):
        walk(rubric["signals"][name], f"/signals/{name}")
    for name, expr in rubric.get("define", {}).items():
        walk(expr, f"/define/{name}")
    for group in ("tests", "practices", "principles", "azure_levels"):
        for i, item in enumerate(rubric[group]):
            for key in ("score_1", "score_half", "when"):
                if key in item:
                    walk(item[key], f"/{group}/{i}/{key}")
            for j, rid in enumerate(item.get("zero_if_failed", [])):
                walk(rid, f"/{group}/{i}/zero_if_failed/{j}")
            if "applies_if" in item:
                walk(item["applies_if"], f"/{group}/{i}/applies_if")
            if item.get("from_test") is not None and item["from_test"] not in tests:
                walk({"test": item["from_test"]}, f"/{group}/{i}/from_test")
            for j, pid in enumerate(item.get("practices", [])):
                walk({"practice": pid}, f"/{group}/{i}/practices/{j}")
    for dim, crit in rubric["dimensions"].items():
        for i, item in enumerate(crit):
            walk(item["when"], f"/dimensions/{dim}/{i}/when")
    return rubric


VALIDATED_FILE = "validated.json"


def validation_stamp() -> str:
    """What a recorded validation depends on besides the pack: engine version, pack schemas and
    the parameter schemas of the named checks (a trusted pack skips checking its parameters)."""
    import json

    from mlcompliance.resources import schemas_dir
    h = hashlib.sha256(__version__.encode())
    for name in ("pack", "rules", "maturity"):
        h.update((schemas_dir() / f"{name}.schema.json").read_bytes())
    h.update(json.dumps({name: check.params for name, check in sorted(REGISTRY.items())}, sort_keys=True).encode())
    return h.hexdigest()


@cache
def _validated_record() -> dict[str, Any]:
    from mlcompliance.resources import policies_dir
    path = policies_dir() / VALIDATED_FILE
    try:
        import json
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and record.get("stamp") == validation_stamp() else {}


def _builtin_key(directory: Path) -> str | None:
    """'mlops-practices/1.0.0' for a directory under the built-in policies, else None."""
    from mlcompliance.resources import policies_dir
    try:
        return directory.resolve().relative_to(policies_dir().resolve()).as_posix()
    except ValueError:
        return None


def _validated_entry(directory: Path, digest: str) -> dict[str, Any] | None:
    """The recorded parsed content of a built-in pack, if its digest still matches."""
    key = _builtin_key(directory)
    if key is None:
        return None
    entry = _validated_record().get("packs", {}).get(key)
    return entry if isinstance(entry, dict) and entry.get("digest") == digest else None


def validated_record(directories: list[Path]) -> dict[str, Any]:
    """Validate built-in packs in full and return the record that lets later loads trust them:
    per pack its digest and its parsed content (pack.yaml, and each rules file with the line of
    each rule)."""
    from mlcompliance.resources import policies_dir
    base = policies_dir().resolve()
    packs = {}
    for directory in sorted(directories):
        pack = compile_pack(directory, "builtin", trust=False)
        rules = []
        for path in sorted((directory / "rules").glob("*.yaml")):
            doc = load_file(path, str(path))
            rules.append({"file": path.name, "rules": doc.value["rules"],
                          "lines": [doc.location(f"/rules/{i}")[0] for i in range(len(doc.value["rules"]))]})
        packs[directory.resolve().relative_to(base).as_posix()] = {
            "digest": pack.digest, "pack": load_file(directory / "pack.yaml", "pack.yaml").value, "rules": rules,
            "maturity": pack.maturity}
    return {"comment": "Written by `mlcompliance docs` after validating each pack in full; a built-in pack whose "
                       "digest matches is read from here, without parsing or re-validation. Do not edit.",
            "stamp": validation_stamp(), "packs": packs}


def _unique(ids: list[str], what: str, doc: Document, pointer: str) -> None:
    seen = set()
    for rid in ids:
        if rid in seen:
            raise InputError(f"duplicate {what} id '{rid}'", file=doc.path, expected=f"unique {what} ids")
        seen.add(rid)


def pack_digest(directory: Path) -> str:
    """sha256 over every file of the pack (relative path and content), in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        digest.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def _compile_condition(spec: dict[str, Any], doc: Document, pointer: str,
                       verify: bool = True, parameters: dict[str, Parameter] | None = None) -> Callable[[Context], bool]:
    test = _compile_test(spec, doc, pointer, verify, parameters)

    def holds(ctx: Context) -> bool:
        return test(ctx, Target("", ctx.bundle))
    return holds


def _compile_test(spec: dict[str, Any], doc: Document, pointer: str, verify: bool,
                  parameters: dict[str, Parameter] | None = None) -> Callable[[Context, Target], bool]:
    """An assertion as a yes/no, without building violations (a condition needs no message)."""
    if "any_of" in spec:
        parts = [_compile_test(s, doc, f"{pointer}/any_of/{i}", verify, parameters)
                 for i, s in enumerate(spec["any_of"])]
        return lambda ctx, target: any(part(ctx, target) for part in parts)
    if "not" in spec:
        inner = _compile_test(spec["not"], doc, pointer + "/not", verify, parameters)
        return lambda ctx, target: not inner(ctx, target)
    if "schema" in spec:
        check = _compile_schema(spec["schema"], doc, pointer + "/schema", verify)
        return lambda ctx, target: check.is_valid(target.value)
    evaluate = _compile_assertion(spec, doc, pointer, verify, parameters)
    return lambda ctx, target: not evaluate(ctx, target)


@cache
def _meta_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator
    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


class SchemaCheck:
    """A rule's JSON Schema: valid or not from its generated quick validator when there is one
    (policy/fastrules.py), else from jsonschema, built on first use; jsonschema lists the errors."""

    __slots__ = ("schema", "_quick", "_full")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._quick = fastrules.quick_validator(schema)
        self._full: Draft202012Validator | None = None

    def _validator(self) -> Draft202012Validator:
        if self._full is None:
            from jsonschema import Draft202012Validator
            self._full = Draft202012Validator(self.schema, format_checker=format_checker())
        return self._full

    def is_valid(self, instance: Any) -> bool:
        if self._quick is not None:
            return self._quick(instance)
        return self._validator().is_valid(instance)

    def iter_errors(self, instance: Any) -> Iterable[Any]:
        return self._validator().iter_errors(instance)


def _compile_schema(schema: dict[str, Any], doc: Document, pointer: str, verify: bool = True) -> SchemaCheck:
    if verify:
        meta = _meta_validator()
        if not meta.is_valid(schema):
            from jsonschema.exceptions import best_match
            err = best_match(meta.iter_errors(schema))
            line, col = doc.location(pointer + "".join(f"/{p}" for p in err.absolute_path))
            raise InputError(f"invalid JSON Schema: {err.message}", file=doc.path, line=line, column=col,
                             expected="a valid JSON Schema (draft 2020-12)")
    return SchemaCheck(schema)


def _compile_assertion(spec: dict[str, Any], doc: Document, pointer: str, verify: bool = True,
                       parameters: dict[str, Parameter] | None = None
                       ) -> Callable[[Context, Target], list[Violation]]:
    """Compile a condition (schema, named check, any_of, not) into target -> violations."""
    if "any_of" in spec:
        return _compile_any_of(spec["any_of"], doc, pointer + "/any_of", verify, parameters)
    if "not" in spec:
        return _compile_not(spec["not"], doc, pointer + "/not", verify, parameters)
    if "schema" in spec:
        validator = _compile_schema(spec["schema"], doc, pointer + "/schema", verify)

        def by_schema(ctx: Context, target: Target) -> list[Violation]:
            if validator.is_valid(target.value):
                return []
            return [_schema_violation(target, leaf(err)) for err in validator.iter_errors(target.value)]
        return by_schema
    name = spec["check"]
    line, col = doc.location(pointer + "/check")
    try:
        named = lookup(name)
    except PluginError as err:
        raise InputError(f"named check '{name}': {err.message}", file=doc.path, line=line, column=col,
                         expected="a working plug-in check (see `mlcompliance plugins`)") from None
    if named is None:
        from mlcompliance import plugins
        guess = difflib.get_close_matches(name, list(REGISTRY), n=1)
        installed = plugins.names(plugins.CHECKS)
        raise InputError(f"unknown named check '{name}'" + (f" (did you mean '{guess[0]}'?)" if guess else ""),
                         file=doc.path, line=line, column=col,
                         expected="one of " + ", ".join(sorted(REGISTRY)) + ", or an installed plug-in check ("
                         + (", ".join(installed) if installed else f"none installed in {plugins.CHECKS}") + ")")
    params = spec.get("with", {})
    refs = _param_refs(params)
    declared = parameters or {}
    if verify:
        for at, ref in refs:
            if ref not in declared:
                line, col = doc.location(pointer + "/with" + at + "/param")
                guess = difflib.get_close_matches(ref, list(declared), n=1)
                raise InputError(f"check '{name}' names unknown pack parameter '{ref}'"
                                 + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=doc.path, line=line,
                                 column=col, expected="a parameter declared under `parameters` in pack.yaml")
    # the check's parameter schema must admit every value the parameters may take (default and bounds)
    trials = [params] if not refs else [substitute(params, {n: getattr(p, key) for n, p in declared.items()})
                                        for key in ("default", "minimum", "maximum")]
    errors = [e for trial in trials for e in _parameter_errors(named.params, trial)][:1] if verify else []
    if errors:
        message, expected = describe_error(errors[0])
        line, col = doc.location(pointer + "/with" + "".join(f"/{p}" for p in errors[0].absolute_path))
        origin = f" (plug-in from {named.plugin})" if named.plugin else ""
        raise InputError(f"parameters of check '{name}'{origin}: {message}"
                         + (" (with a pack parameter at its default or a bound)" if refs else ""),
                         file=doc.path, line=line, column=col, expected=expected)
    if not refs:
        def by_check(ctx: Context, target: Target) -> list[Violation]:
            return list(named.function(ctx, target, params))
        return by_check
    pack_id = getattr(parameters, "pack", "")
    defaults = {n: p.default for n, p in declared.items()}

    def with_parameters(ctx: Context, target: Target) -> list[Violation]:
        return list(named.function(ctx, target, substitute(params, ctx.parameters.get(pack_id) or defaults)))
    return with_parameters


def _parameter_errors(schema: dict[str, Any], params: Any) -> list[Any]:
    from jsonschema import Draft202012Validator
    return sorted(Draft202012Validator(schema).iter_errors(params), key=lambda e: list(e.absolute_path))


def _label(spec: dict[str, Any], i: int | None = None) -> str:
    if "label" in spec:
        return spec["label"]
    if "check" in spec:
        return f"check {spec['check']}"
    return "alternative" + (f" {i + 1}" if i is not None else "")


def _compile_any_of(specs: list[dict[str, Any]], doc: Document, pointer: str, verify: bool,
                    parameters: dict[str, Parameter] | None = None) -> Callable[[Context, Target], list[Violation]]:
    parts = [(_label(spec, i), _compile_assertion(spec, doc, f"{pointer}/{i}", verify, parameters))
             for i, spec in enumerate(specs)]

    def any_of(ctx: Context, target: Target) -> list[Violation]:
        reasons, first = [], None
        for label, evaluate in parts:
            found = evaluate(ctx, target)
            if not found:
                return []
            first = first or min(found, key=lambda v: v.pointer)
            reasons.append(f"{label}: no ({'; '.join(dict.fromkeys(v.detail for v in found))})")
        assert first is not None
        return [Violation(first.pointer, first.observed, "none of the alternatives holds: " + " | ".join(reasons))]
    return any_of


def _compile_not(spec: dict[str, Any], doc: Document, pointer: str, verify: bool,
                 parameters: dict[str, Parameter] | None = None) -> Callable[[Context, Target], list[Violation]]:
    inner = _compile_assertion(spec, doc, pointer, verify, parameters)
    label = _label(spec)

    def negation(ctx: Context, target: Target) -> list[Violation]:
        if inner(ctx, target):
            return []
        return [Violation(target.pointer, target.value, f"{label} holds, and must not")]
    return negation


def _schema_violation(target: Target, err: Any) -> Violation:
    pointer = target.pointer + "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in err.absolute_path)
    observed: Any = err.instance
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [k for k in err.validator_value if k not in err.instance]
        if missing:
            pointer = pointers.join(pointer, missing[0])
            observed = pointers.MISSING
            return Violation(pointer, observed, "missing " + ", ".join(missing))
    message, expected = describe_error(err)
    detail = message.split(": ", 1)[-1] if ": " in message else message
    if expected:
        detail += f" (expected {expected})"
    return Violation(pointer, observed, detail)


def _compile_rule(spec: dict[str, Any], meta: dict[str, Any], doc: Document, pointer: str,
                  requirements: list[Requirement], conditions: dict[str, Any], verify: bool = True,
                  parameters: dict[str, Parameter] | None = None) -> Rule:
    line, _ = doc.location(pointer)
    source = f"{doc.path}:{line}"
    if spec["requirement"] not in {r.id for r in requirements}:
        line, col = doc.location(pointer + "/requirement")
        raise InputError(f"rule {spec['id']} names unknown requirement '{spec['requirement']}'",
                         file=doc.path, line=line, column=col, expected="a requirement id listed in pack.yaml")
    for key in ("if", "unless"):
        for i, name in enumerate(spec.get(key, [])):
            if name not in conditions:
                line, col = doc.location(f"{pointer}/{key}/{i}")
                raise InputError(f"rule {spec['id']} names unknown condition '{name}'", file=doc.path,
                                 line=line, column=col, expected="a condition defined in pack.yaml")
    when = None
    if "when" in spec:
        when = _compile_schema(spec["when"], doc, pointer + "/when", verify).is_valid
    return Rule(
        id=spec["id"], pack=meta["id"], pack_version=meta["version"], requirement=spec["requirement"],
        title=spec["title"], rationale=spec.get("rationale"), severity=spec["severity"],
        tiers=spec.get("tiers"),
        applies_from=date.fromisoformat(spec["applies_from"]) if "applies_from" in spec else None,
        applies_until=date.fromisoformat(spec["applies_until"]) if "applies_until" in spec else None,
        references=spec.get("references", []), scope=spec.get("scope", ""),
        if_=spec.get("if", []), unless=spec.get("unless", []), when=when,
        evaluate=_compile_assertion(spec["assert"], doc, pointer + "/assert", verify, parameters),
        mode=spec.get("mode", "enforce"), message=spec["message"], remediation=spec["remediation"],
        example=spec.get("example"), source=source, spec=spec, parameters=rule_parameters(spec["assert"]))
