"""`mlcompliance convert`: the native evidence a file or project amounts to, each value with its source.

``convert(path)`` reads a project directory (native files, named and detected third-party
files, merged as ``check`` merges them) or one file (read by the adapter that recognises it)
and returns the native documents plus an origins map: JSON pointer of every leaf value ->
file, line, column and adapter (``native`` for the team's own files). ``to_yaml`` prints that
as YAML with each value's source in a comment; ``to_json`` as JSON with an ``origins`` object.
Both are deterministic.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.merge import (
    NATIVE,
    Merged,
    Source,
    adapted_locator,
    merge,
    order,
)
from mlcompliance.evidence.loader import escape_token

KINDS = ("model_card", "data_manifest", "pipeline")


def convert(path: Path) -> dict[str, Any]:
    """{"documents": {kind: value}, "origins": {pointer: {...}}, "missing": [...], "conflicts": [...]}."""
    if not path.exists():
        raise InputError("not found", file=str(path), expected="a project directory or a metadata file")
    if path.is_dir():
        from mlcompliance.evidence.project import load_project
        project = load_project(path)
        merged = dict(project.sources.merged)
        for kind in KINDS:
            doc = project.documents.get(kind)
            if kind not in merged and doc is not None:
                merged[kind] = merge(kind, [Source(doc.path, NATIVE, doc.value, doc.location)])
        adapted = project.sources.adapted
    else:
        from mlcompliance.evidence.adapters import adapt_file
        adapted = order(adapt_file(path.parent, path.name, display=str(path)), [])
        merged = {}
        for kind in KINDS:
            fragments = [a for a in adapted if a.kind == kind]
            if fragments:
                merged[kind] = merge(kind, [Source(a.source, a.adapter, a.value, adapted_locator(a))
                                            for a in fragments])
    out: dict[str, Any] = {"documents": {}, "origins": {}, "missing": [], "conflicts": []}
    for kind in KINDS:
        if kind in merged:
            out["documents"][kind] = merged[kind].value
            _origins(merged[kind], merged[kind].value, f"/{kind}", "", out["origins"])
            out["conflicts"] += merged[kind].conflicts
    for a in adapted:
        locate = adapted_locator(a)
        for pointer in a.missing:
            line, column = locate(pointer)
            out["missing"].append({"pointer": f"/{a.kind}{pointer}", "file": a.source, "line": line,
                                   "column": column, "adapter": a.adapter})
    return out


def _origins(merged: Merged, node: Any, full: str, inner: str, into: dict[str, Any]) -> None:
    if isinstance(node, dict) and node:
        for key, child in node.items():
            token = escape_token(key)
            _origins(merged, child, f"{full}/{token}", f"{inner}/{token}", into)
    elif isinstance(node, list) and node:
        for i, child in enumerate(node):
            _origins(merged, child, f"{full}/{i}", f"{inner}/{i}", into)
    else:
        file, line, column, adapter = merged.locate(inner)
        into[full] = {"file": file, "line": line, "column": column, "adapter": adapter}


def to_json(converted: dict[str, Any]) -> str:
    body = {**converted["documents"], "origins": converted["origins"], "missing": converted["missing"],
            "conflicts": converted["conflicts"]}
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_yaml(converted: dict[str, Any]) -> str:
    """YAML of the native documents; every scalar line ends with ``# file:line:column (adapter)``."""
    lines = ["# Native evidence drafted by `mlcompliance convert`; each value's source in a comment."]
    origins = converted["origins"]
    for kind, value in converted["documents"].items():
        lines.append(f"{kind}:")
        _emit(value, f"/{kind}", 1, lines, origins)
    for name in ("missing", "conflicts"):
        if converted[name]:
            lines.append("# " + {"missing": "Placeholders (counted as missing):",
                                 "conflicts": "Sources that disagree (the first value is kept):"}[name])
            for item in converted[name]:
                if name == "missing":
                    lines.append(f"#   {item['pointer']}: {item['file']}:{item['line']} ({item['adapter']})")
                else:
                    seen = "; ".join(f"{_scalar(v['value'])} at {v['file']}:{v['line']} ({v['adapter']})"
                                     for v in item["values"])
                    lines.append(f"#   {item['pointer']}: {seen}")
    return "\n".join(lines) + "\n"


def _emit(node: Any, pointer: str, depth: int, lines: list[str], origins: dict[str, Any]) -> None:
    pad = "  " * depth
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in items:
        here = f"{pointer}/{escape_token(str(key))}"
        lead = f"{pad}{_key(key)}:" if isinstance(node, dict) else f"{pad}-"
        if isinstance(child, (dict, list)) and child:
            if isinstance(node, list) and isinstance(child, dict):
                # "- key: value" on the item's first line, the rest indented under it
                sub: list[str] = []
                _emit(child, here, depth + 1, sub, origins)
                lines.append(f"{pad}- " + sub[0].lstrip())
                lines.extend(sub[1:])
            else:
                lines.append(lead)
                _emit(child, here, depth + 1, lines, origins)
        else:
            o = origins.get(here)
            where = f"  # {o['file']}:{o['line']}:{o['column']} ({o['adapter']})" if o else ""
            lines.append(f"{lead} {_scalar(child)}{where}")


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", text) else json.dumps(text, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        plain = re.fullmatch(r"[A-Za-z0-9_./@+-][A-Za-z0-9_ ./@+()-]*", value) and not re.fullmatch(
            r"(true|false|null|yes|no|on|off|~|[-+]?[0-9][0-9_.eE+-]*)", value, re.IGNORECASE) and not value.endswith(" ")
        return value if plain else json.dumps(value, ensure_ascii=False)
    if value == {} or value == []:
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)
