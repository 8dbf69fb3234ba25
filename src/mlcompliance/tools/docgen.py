"""Generated documentation: evidence fields from the JSON Schemas, and the pack catalog.

`mlcompliance docs` writes them under docs/; a test fails when the checked-in copies are stale.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mlcompliance.evidence.schemas import schema

EVIDENCE = (("model_card", "Model card"), ("data_manifest", "Data manifest"), ("pipeline", "Pipeline metadata"),
            ("project", "Project configuration (mlcompliance.yaml)"))


def _type(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return {"ref": "reference", "date": "date", "instant": "date or date-time", "sha256": "sha256 hex",
                "person": "person"}.get(name, name)
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "any")
    if kind == "array":
        return "list of " + _type(node.get("items", {}), defs)
    if kind == "string" and "format" in node:
        return f"string ({node['format']})"
    if kind == "string" and "pattern" in node:
        return f"string matching `{node['pattern']}`"
    if kind == "object" and "properties" in node:
        return "mapping"
    return kind if isinstance(kind, str) else " or ".join(kind)


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return defs.get(node["$ref"].rsplit("/", 1)[-1], node)
    return node


def _rows(node: dict[str, Any], prefix: str, defs: dict[str, Any], out: list[str]) -> None:
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        target, path_shown = _resolve(child, defs), path
        if child.get("type") == "array":
            items = _resolve(child.get("items", {}), defs)
            if "properties" in items:
                target, path_shown = items, f"{path}[]"
        desc = (child.get("description") or target.get("description") or "").replace("|", "\\|").replace("\n", " ")
        flag = " (required)" if name in required else ""
        kind = _type(child, defs).replace("|", "\\|")
        out.append(f"| `{path_shown}` | {kind}{flag} | {desc} |")
        if "properties" in target and target is not node:
            _rows(target, path_shown, defs, out)


# Hand-written prose of docs/evidence.md (where evidence is looked for, input errors, what counts as
# missing), kept apart so that regenerating the field reference never loses it.
EVIDENCE_NOTES = Path(__file__).resolve().parent.parent / "data" / "evidence_notes.md"


def evidence_markdown() -> str:
    out = ["# Evidence files: field reference", "",
           "Generated from the JSON Schemas in `src/mlcompliance/schemas/` by `mlcompliance docs`; do not edit by hand.",
           "", "Every mapping also accepts extension fields whose names start with `x-`; any other unknown field is",
           "an input error (exit 2) that names the file, the line and the closest known field.", "",
           "The sections before the field reference are hand-written: edit `src/mlcompliance/data/evidence_notes.md`.",
           "", EVIDENCE_NOTES.read_text(encoding="utf-8").rstrip("\n"), ""]
    for name, title in EVIDENCE:
        doc = schema(name)
        out += [f"## {title}", "", f"Schema: `{name}.schema.json` (`{doc['$id']}`)", "", doc.get("description", ""), "",
                "| field | type | meaning |", "|---|---|---|"]
        _rows(doc, "", doc.get("$defs", {}), out)
        out.append("")
    return "\n".join(out)


def generated_documents() -> dict[str, str]:
    """Path (relative to the repository root) -> content of every generated file: the evidence
    field reference, the catalog of the built-in packs, and policies/validated.json (the
    record of fully validated built-in packs, see policy.compile_pack)."""
    import json

    from mlcompliance.policy.packs import (
        VALIDATED_FILE,
        discover,
        load_pack,
        validated_record,
    )
    builtin = [src for src in discover() if src.origin == "builtin"]
    for src in builtin:
        if src.problem:
            raise src.problem
    record = validated_record([src.directory for src in builtin])
    latest = {src.id: src for src in builtin}   # sorted by version: the last one is the newest
    packs = [load_pack(src) for src in latest.values()]
    from mlcompliance.evidence.schemas import FAST_SCHEMAS, fast_validator_source
    quick = {f"src/mlcompliance/evidence/_fastschema/{name}.py": fast_validator_source(name) for name in FAST_SCHEMAS}
    quick["src/mlcompliance/evidence/_fastschema/__init__.py"] = (
        '"""Quick validators generated from the shipped JSON Schemas (see mlcompliance.schemas.fast_validator)."""\n')
    quick.update(quick_rule_modules(record))
    return {**quick, "docs/evidence.md": evidence_markdown(), "docs/catalog.md": catalog_markdown(packs),
            "docs/checks.md": checks_markdown(),
            f"policies/{VALIDATED_FILE}": json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"}


def quick_rule_modules(record: dict[str, Any]) -> dict[str, str]:
    """policy/_fastrules/: the quick validators of each built-in pack version's rule schemas."""
    from mlcompliance.policy import fastrules
    base = "src/mlcompliance/policy/_fastrules"
    out = {f"{base}/__init__.py": '"""Quick rule validators generated by `mlcompliance docs` (see '
                                  'mlcompliance.policy.fastrules)."""\n'}
    for key, entry in sorted(record["packs"].items()):
        schemas = fastrules.pack_schemas(entry["pack"], entry["rules"])
        out[f"{base}/{fastrules.module_name(key)}.py"] = fastrules.module_source(key, schemas)
    return out


def catalog_markdown(packs: list[Any]) -> str:
    """Every pack: its source, requirements (automated and manual) and the rules that check them."""
    out = ["# Policy pack catalog", "",
           "Generated by `mlcompliance docs` from the built-in packs in `policies/`; do not edit by hand.", "",
           "| pack | version | source | requirements | automated | manual | rules |", "|---|---|---|---|---|---|---|"]
    for pack in packs:
        manual = sum(1 for r in pack.requirements if r.manual)
        out.append(f"| [{pack.id}](#{pack.id}) | {pack.version} | {_cell(pack.source['name'])} ({_cell(pack.source['version'])}) | "
                   f"{len(pack.requirements)} | {len(pack.requirements) - manual} | {manual} | {len(pack.rules)} |")
    out.append("")
    for pack in packs:
        out += [f"## {pack.id}", "", f"**{_cell(pack.title)}**, version {pack.version}. Source: {_cell(pack.source['name'])}, "
                f"{_cell(pack.source['version'])}" + (f" <{pack.source['url']}>" if pack.source.get("url") else "") + ".", ""]
        if pack.description:
            out += [" ".join(pack.description.split()), ""]
        if pack.waiver_max_days:
            out += ["Waiver lifetime caps (days): " + ", ".join(f"{k} {v}" for k, v in pack.waiver_max_days.items()), ""]
        section = None
        for req in pack.requirements:
            if req.section != section:
                section = req.section
                if section:
                    out += [f"### {_cell(section)}", ""]
            rules = [r for r in pack.rules if r.requirement == req.id]
            kind = "manual: needs a person's attestation" if req.manual else f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"
            scope = [f"if {', '.join(req.if_)}" if req.if_ else "", f"unless {', '.join(req.unless)}" if req.unless else "",
                     f"at tiers {', '.join(req.tiers)}" if req.tiers else ""]
            if req.manual and any(scope):
                kind += "; applies " + " ".join(x for x in scope if x)
            out += [f"#### {req.id}", "", f"{_cell(req.title)} ({_cell(req.clause)}; {kind})", ""]
            if rules:
                out += ["| rule | what must hold | severity by tier | applies | references |", "|---|---|---|---|---|"]
                for rule in rules:
                    tiers = ", ".join(f"{t}: {s}" for t, s in rule.tiers.items()) if rule.tiers else f"all: {rule.severity}"
                    if rule.tiers and "prohibited" not in rule.tiers and rule.severity_at("prohibited"):
                        tiers += f", prohibited: {rule.severity_at('prohibited')} (as high)"
                    when = " ".join(filter(None, [f"from {rule.applies_from}" if rule.applies_from else "",
                                                  f"until {rule.applies_until}" if rule.applies_until else "",
                                                  ("if " + ", ".join(rule.if_)) if rule.if_ else "",
                                                  ("unless " + ", ".join(rule.unless)) if rule.unless else "",
                                                  "advisory" if rule.mode == "advisory" else ""])) or "always"
                    refs = "; ".join(f"{r['regulation']} {r['clause']}" for r in rule.references)
                    out.append(f"| `{rule.id}` | {_cell(rule.title)} | {tiers} | {_cell(when)} | {_cell(refs)} |")
                out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def checks_markdown() -> str:
    """The named checks a rule can call, with their parameters (from the registry)."""
    import json

    from mlcompliance.policy.checks import REGISTRY
    out = ["# Named checks", "",
           "Generated by `mlcompliance docs` from the check registry (`src/mlcompliance/policy/checks.py`); do not edit by hand.",
           "", "A rule calls one as `assert: {check: NAME, with: {...}}` (or inside `any_of` / `not`). Field",
           "references are JSON pointers: absolute in the evidence bundle (`/model_card/...`) or relative to the",
           "node the rule visits (`validation/date`). Parameters written as a map of risk tiers",
           "(`{high: 365, limited: 730}`) take the value for the project's tier. Parameters are validated when",
           "the pack loads.", ""]
    for name in sorted(REGISTRY):
        check = REGISTRY[name]
        out += [f"## `{name}`", "", " ".join(check.description.split()), "", "| parameter | required | schema |",
                "|---|---|---|"]
        required = set(check.params.get("required", []))
        for param, spec in check.params.get("properties", {}).items():
            out.append(f"| `{param}` | {'yes' if param in required else 'no'} | `{json.dumps(spec, sort_keys=True)}` |")
        out.append("")
    out += ["## Plug-in checks", "",
            "Installed distributions add checks through the `mlcompliance.checks` entry point group",
            "([packs.md](packs.md#plug-ins)); `mlcompliance plugins` lists them. A plug-in check is imported only when",
            "a rule names a check that is not built in, cannot take the name of a built-in one, and has its parameters",
            "validated like these when the pack loads; `mlcompliance explain RULE-ID` shows its description and",
            "distribution.", ""]
    return "\n".join(out)
