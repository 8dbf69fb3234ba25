"""Croissant 1.0/1.1 dataset metadata (JSON-LD) with the RAI vocabulary -> the native data manifest.

Read as plain JSON (the ``@context`` is never fetched; the ``cr:``/``rai:``/``sc:`` prefixes are
read as Croissant's own files write them). Each ``cr:FileObject`` of ``distribution`` becomes a
dataset (path or URI, format, SHA-256) whose fields are the record-set fields extracted from
it; with no file objects, the whole dataset is one entry. The ``rai:*`` properties fill every
entry's collection and bias fields. A relative ``contentUrl`` is relative to the metadata file
and kept only if it stays inside the project.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import (
    Adapted,
    Draft,
    is_placeholder,
    load_json,
)

NAME = "croissant"
PATTERNS = ("metadata.json", "croissant*.json", "*croissant*.json", "*/metadata.json", "*/croissant*.json",
            "*/*/metadata.json", "*.croissant.json", "*/*.croissant.json")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_TYPES = {"sc:Text": "string", "sc:Integer": "integer", "sc:Float": "number", "sc:Number": "number",
          "sc:Boolean": "boolean", "sc:Date": "date", "sc:DateTime": "datetime", "sc:ImageObject": "image",
          "sc:URL": "string"}
# rai:* text properties -> native dataset field (lists take every text)
_RAI_TEXT = {"rai:dataCollection": "collection_process", "rai:dataUseCases": "collection_purpose"}
_RAI_LISTS = {"rai:dataBiases": "known_issues", "rai:dataLimitations": "known_gaps",
              "rai:dataPreprocessingProtocol": "preparation_ops"}


def claims(path: str, head: str) -> bool:
    return head.lstrip().startswith("{") and '"@context"' in head and "mlcommons.org/croissant" in head


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    doc, at = load_json(path, text)
    if not isinstance(doc, dict):
        raise InputError("Croissant metadata is a JSON object", file=path, line=1, expected="a JSON-LD object")
    manifest = Draft("data_manifest", NAME, path)
    name = doc.get("name") if isinstance(doc.get("name"), str) and doc["name"].strip() else None
    common, common_from = _common(doc)
    files = [(i, f) for i, f in enumerate(doc.get("distribution") if isinstance(doc.get("distribution"), list) else [])
             if isinstance(f, dict) and f.get("@type") in ("cr:FileObject", "sc:FileObject", "FileObject")]
    fields = _fields(doc)
    if not files:
        if name is None:
            return []
        item = {"id": name, **common}
        every = [f for fs in fields.values() for f in fs]
        if every:
            item["fields"] = every
        manifest.put("/datasets/-", item, at(""))
        _locate(manifest, common_from, at)
    for i, f in files:
        ident = f.get("@id") or f.get("name")
        if not isinstance(ident, str) or not ident.strip():
            continue
        item = {"id": name if len(files) == 1 and name else ident, **common}
        if len(files) > 1 and isinstance(f.get("name"), str):
            item["name"] = f["name"]
        if len(files) > 1 and isinstance(f.get("description"), str) and f["description"].strip():
            item["description"] = f["description"].strip()
        _location(item, f.get("contentUrl"), path)
        if isinstance(f.get("encodingFormat"), str) and f["encodingFormat"].strip():
            item["format"] = f["encodingFormat"].strip()
        if isinstance(f.get("sha256"), str) and _SHA256.match(f["sha256"]):
            item["sha256"] = f["sha256"].lower()
        if fields.get(ident):
            item["fields"] = fields[ident]
        here = f"/distribution/{i}"
        own = {"sha256": "sha256", "path": "contentUrl", "uri": "contentUrl", "format": "encodingFormat"}
        if len(files) > 1:
            own.update({"name": "name", "description": "description"})
        manifest.put("/datasets/-", item, at(here), {k: at(f"{here}/{v}") for k, v in own.items() if v in f})
        _locate(manifest, common_from, at)
    result = manifest.result()
    return [result] if result else []


def _common(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(native fields every dataset gets, native field -> the Croissant key it came from)."""
    out: dict[str, Any] = {}
    source: dict[str, str] = {}
    if isinstance(doc.get("description"), str) and doc["description"].strip():
        out["description"], source["description"] = doc["description"].strip(), "description"
    if isinstance(doc.get("version"), (str, int, float)) and not isinstance(doc.get("version"), bool):
        out["version"], source["version"] = str(doc["version"]), "version"
    for key, target in _RAI_TEXT.items():
        texts = _texts(doc.get(key))
        if texts:
            out[target], source[target] = "\n\n".join(texts), key
    for key, target in _RAI_LISTS.items():
        texts = _texts(doc.get(key))
        if texts:
            out[target] = [{"description": t} for t in texts] if target == "known_issues" else texts
            source[target] = key
    annotation = _texts(doc.get("rai:dataAnnotationProtocol"))
    if annotation:
        out["labels"] = {"reference_standard": {"method": "\n\n".join(annotation)}}
        source["labels"] = "rai:dataAnnotationProtocol"
    return out, source


def _locate(manifest: Draft, source: dict[str, str], at: Any) -> None:
    n = len(manifest.out.value["datasets"]) - 1
    for target, key in source.items():
        pointer = f"/datasets/{n}/{target}"
        if pointer not in manifest.out.origins:     # a file's own description wins over the dataset's
            manifest.at(pointer, at(f"/{key}"))


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v.strip() for v in items if isinstance(v, str) and v.strip() and not is_placeholder(v)]


def _fields(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """file @id -> native fields extracted from it, in record-set order, each name once."""
    out: dict[str, list[dict[str, Any]]] = {}
    records = doc.get("recordSet")
    for rs in records if isinstance(records, list) else []:
        for f in (rs.get("field") if isinstance(rs, dict) and isinstance(rs.get("field"), list) else []):
            if not isinstance(f, dict):
                continue
            source = f.get("source") if isinstance(f.get("source"), dict) else {}
            fobj = source.get("fileObject") or source.get("fileSet")
            file_id = fobj.get("@id") if isinstance(fobj, dict) else None
            extract = source.get("extract") if isinstance(source.get("extract"), dict) else {}
            name = extract.get("column") if isinstance(extract.get("column"), str) else f.get("name")
            if not isinstance(name, str) or not name.strip():
                continue
            name = name.rsplit("/", 1)[-1] if "column" not in extract else name
            item: dict[str, Any] = {"name": name}
            types = f.get("dataType") if isinstance(f.get("dataType"), list) else [f.get("dataType")]
            native = next((_TYPES[t] for t in types if isinstance(t, str) and t in _TYPES), None)
            if native:
                item["type"] = native
            if isinstance(f.get("description"), str) and f["description"].strip():
                item["description"] = f["description"].strip()
            bucket = out.setdefault(file_id if isinstance(file_id, str) else "", [])
            if all(x["name"] != name for x in bucket):
                bucket.append(item)
    return out


def _location(item: dict[str, Any], url: Any, metadata_path: str) -> None:
    if not isinstance(url, str) or not url.strip():
        return
    if re.match(r"^[a-z][a-z0-9+.-]*://", url):
        item["uri"] = url
        return
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(metadata_path), url))
    if not joined.startswith(("../", "/")) and joined != "..":
        item["path"] = joined
