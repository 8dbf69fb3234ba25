"""Generated documentation: evidence fields from the JSON Schemas, and the pack catalog.

`mlcompliance docs` writes them under docs/; a test fails when the checked-in copies are stale.
"""
from __future__ import annotations

from typing import Any

from .schemas import schema

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


def evidence_markdown() -> str:
    out = ["# Evidence files: field reference", "",
           "Generated from the JSON Schemas in `src/mlcompliance/schemas/` by `mlcompliance docs`; do not edit by hand.",
           "", "Every mapping also accepts extension fields whose names start with `x-`; any other unknown field is",
           "an input error (exit 2) that names the file, the line and the closest known field.", ""]
    for name, title in EVIDENCE:
        doc = schema(name)
        out += [f"## {title}", "", f"Schema: `{name}.schema.json` (`{doc['$id']}`)", "", doc.get("description", ""), "",
                "| field | type | meaning |", "|---|---|---|"]
        _rows(doc, "", doc.get("$defs", {}), out)
        out.append("")
    return "\n".join(out)


def generated_documents() -> dict[str, str]:
    """File name (under docs/) -> content."""
    return {"evidence.md": evidence_markdown()}
