"""CycloneDX 1.5-1.7 ML-BOM (JSON) -> native model card and data manifest.

The first ``machine-learning-model`` component (``metadata.component`` first, then
``components`` in order) becomes the model card: name, version, description, licence, its
``modelCard`` (task, architecture, datasets, performance metrics, considerations) and the
components it depends on (``dependencies``). Every ``data`` component becomes a data-manifest
dataset, with its SHA-256 from ``hashes``. Nested ``components`` are walked, 2 levels deep.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import (
    Adapted,
    Draft,
    is_placeholder,
    load_json,
    put_considerations,
    put_performance_metrics,
)

NAME = "cyclonedx"
PATTERNS = ("bom.json", "*.cdx.json", "*bom*.json", "*/bom.json", "*/*.cdx.json", "*/*bom*.json")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def claims(path: str, head: str) -> bool:
    return head.lstrip().startswith("{") and bool(re.search(r'"bomFormat"\s*:\s*"CycloneDX"', head))


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    bom, at = load_json(path, text)
    if not isinstance(bom, dict) or bom.get("bomFormat") != "CycloneDX":
        raise InputError("not a CycloneDX BOM", file=path, line=1, expected='"bomFormat": "CycloneDX"')
    spec = str(bom.get("specVersion", ""))
    if spec not in ("1.5", "1.6", "1.7"):
        raise InputError(f"CycloneDX {spec or '(no specVersion)'} has no ML-BOM", file=path,
                         line=at("/specVersion")[0], expected="specVersion 1.5, 1.6 or 1.7")
    components = list(_components(bom))
    by_ref = {c.get("bom-ref"): (p, c) for p, c in components if isinstance(c.get("bom-ref"), str)}
    card = Draft("model_card", NAME, path)
    manifest = Draft("data_manifest", NAME, path)
    models = [(p, c) for p, c in components if c.get("type") == "machine-learning-model"]
    if models:
        _model(card, *models[0], at, by_ref, _depends(bom, models[0][1].get("bom-ref")))
    for p, c in components:
        if c.get("type") == "data":
            _dataset(manifest, p, c, at)
    return [d for d in (card.result(), manifest.result()) if d is not None]


def _components(bom: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    meta = bom.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("component"), dict):
        yield "/metadata/component", meta["component"]
    stack = [("/components", bom.get("components"), 0)]
    while stack:
        base, items, depth = stack.pop(0)
        for i, c in enumerate(items if isinstance(items, list) else []):
            if isinstance(c, dict):
                yield f"{base}/{i}", c
                if depth < 2:
                    stack.append((f"{base}/{i}/components", c.get("components"), depth + 1))


def _depends(bom: dict[str, Any], ref: Any) -> list[tuple[int, int, str]]:
    out = []
    deps = bom.get("dependencies")
    for i, d in enumerate(deps if isinstance(deps, list) else []):
        if isinstance(d, dict) and d.get("ref") == ref and isinstance(d.get("dependsOn"), list):
            out += [(i, j, r) for j, r in enumerate(d["dependsOn"]) if isinstance(r, str)]
    return out


def _model(card: Draft, p: str, c: dict[str, Any], at: Any, by_ref: dict[Any, Any],
           depends: list[tuple[int, int, str]]) -> None:
    for key, target in (("name", "name"), ("version", "version"), ("description", "description")):
        if isinstance(c.get(key), str) and c[key].strip():
            _text(card, f"/model_details/{target}", c[key], at(f"{p}/{key}"))
    lic = _license(c.get("licenses"))
    if lic:
        card.put("/model_details/license", lic[1], at(f"{p}/licenses/{lic[0]}"))
    mc = c.get("modelCard") if isinstance(c.get("modelCard"), dict) else {}
    params = mc.get("modelParameters") if isinstance(mc.get("modelParameters"), dict) else {}
    for key, target in (("task", "task"), ("modelArchitecture", "model_architecture")):
        if isinstance(params.get(key), str):
            _text(card, f"/model_details/{target}", params[key], at(f"{p}/modelCard/modelParameters/{key}"))
    seen: set[str] = set()
    datasets = params.get("datasets")
    for i, d in enumerate(datasets if isinstance(datasets, list) else []):
        if not isinstance(d, dict):
            continue
        ident = d.get("ref") or d.get("name")
        if isinstance(ident, str) and ident and ident not in seen:
            seen.add(ident)
            card.put("/datasets/-", {"id": _name_of(ident, by_ref)}, at(f"{p}/modelCard/modelParameters/datasets/{i}"))
    qa = mc.get("quantitativeAnalysis") if isinstance(mc.get("quantitativeAnalysis"), dict) else {}
    put_performance_metrics(card, qa.get("performanceMetrics"), f"{p}/modelCard/quantitativeAnalysis/performanceMetrics",
                            at, camel=True)
    put_considerations(card, mc.get("considerations"), f"{p}/modelCard/considerations", at, camel=True)
    for i, j, ref in depends:
        target = by_ref.get(ref)
        if target is None:
            continue
        comp = target[1]
        kind = {"data": "data", "machine-learning-model": "external_model"}.get(comp.get("type"), "library")
        if kind == "data":
            if ref not in seen and comp.get("name") not in seen:
                seen.add(ref)
                card.put("/datasets/-", {"id": _name_of(ref, by_ref)}, at(f"/dependencies/{i}/dependsOn/{j}"))
            continue
        if isinstance(comp.get("name"), str) and comp["name"].strip():
            item = {"name": comp["name"], "type": kind}
            if isinstance(comp.get("version"), str) and comp["version"].strip():
                item["version"] = comp["version"]
            card.put("/dependencies/-", item, at(f"/dependencies/{i}/dependsOn/{j}"))


def _dataset(manifest: Draft, p: str, c: dict[str, Any], at: Any) -> None:
    ident = c.get("name") if isinstance(c.get("name"), str) and c["name"].strip() else c.get("bom-ref")
    if not isinstance(ident, str) or not ident.strip():
        return
    item: dict[str, Any] = {"id": ident}
    for key in ("name", "version", "description"):
        if isinstance(c.get(key), str) and c[key].strip() and not is_placeholder(c[key]):
            item[key] = c[key].strip()
    fields = {key: at(f"{p}/{key}") for key in ("name", "version", "description") if key in item}
    hashes = c.get("hashes")
    for n, h in enumerate(hashes if isinstance(hashes, list) else []):
        if isinstance(h, dict) and h.get("alg") == "SHA-256" and isinstance(h.get("content"), str) \
                and _SHA256.match(h["content"]):
            item["sha256"] = h["content"].lower()
            fields["sha256"] = at(f"{p}/hashes/{n}/content")
            break
    data = c.get("data")
    first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
    contents = first.get("contents") if isinstance(first.get("contents"), dict) else {}
    url = contents.get("url")
    local = _local_path(url)
    if local is not None:                     # a file of the project: the probe hashes and profiles it
        item["path"] = local
        fields["path"] = at(f"{p}/data/0/contents/url")
    elif isinstance(url, str) and _SCHEME.match(url):
        item["uri"] = url
        fields["uri"] = at(f"{p}/data/0/contents/url")
    elif isinstance(c.get("name"), str) and _DATA_FILE.search(c["name"].strip()) and not _SCHEME.match(c["name"]):
        item["path"] = _local_path(c["name"])     # the component is named by its file, as many BOM tools do
        fields["path"] = at(f"{p}/name")
    if "description" not in item and isinstance(first.get("description"), str) and first["description"].strip():
        item["description"] = first["description"].strip()
    manifest.put("/datasets/-", item, at(p), fields)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_DATA_FILE = re.compile(r"\.(csv|tsv|parquet|pq|jsonl|ndjson)(\.gz)?$", re.I)


def _local_path(text: Any) -> str | None:
    """A ``file:`` URL or a scheme-less location as a project path (``./`` removed), else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    if s.lower().startswith("file:"):
        s = s[7:] if s.lower().startswith("file://") else s[5:]
    elif _SCHEME.match(s):
        return None
    while s.startswith("./"):
        s = s[2:]
    return s or None


def _license(licenses: Any) -> tuple[int, str] | None:
    for i, entry in enumerate(licenses if isinstance(licenses, list) else []):
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("expression"), str):
            return i, entry["expression"]
        lic = entry.get("license") if isinstance(entry.get("license"), dict) else {}
        name = lic.get("id") or lic.get("name")
        if isinstance(name, str) and name.strip():
            return i, name
    return None


def _name_of(ref: str, by_ref: dict[Any, Any]) -> str:
    hit = by_ref.get(ref)
    name = hit[1].get("name") if hit else None
    return name if isinstance(name, str) and name.strip() else ref


def _text(card: Draft, pointer: str, value: str, where: tuple[int, int]) -> None:
    if is_placeholder(value):
        card.missing(pointer, where)
    else:
        card.put(pointer, value.strip(), where)
