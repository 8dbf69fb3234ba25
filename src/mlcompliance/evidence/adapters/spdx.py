"""SPDX 3.0.1 AI and Dataset profiles (JSON-LD, compact form) -> native model card and data manifest.

The document is read as plain JSON: the ``@context`` names the SPDX vocabulary and is never
fetched; keys are read as SPDX's own serialisation writes them (``ai_metric``,
``dataset_knownBias``...). The first ``ai_AIPackage`` becomes the model card (its
``trainedOn``/``testedOn`` relationships give the datasets and their split, ``dependsOn`` the
dependencies, ``hasDeclaredLicense`` the licence); every ``dataset_DatasetPackage`` becomes a
data-manifest dataset. ``ai_safetyRiskAssessment`` is not the EU AI Act risk tier and is not mapped.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import (
    Adapted,
    Draft,
    is_placeholder,
    load_json,
    number,
)

NAME = "spdx"
PATTERNS = ("*.spdx3.json", "*.spdx.json", "*.jsonld", "*.spdx.jsonld", "*/*.spdx3.json", "*/*.spdx.json",
            "*/*.jsonld", "sbom*.json", "*/sbom*.json")
_CONTEXT = re.compile(r"https?://spdx\.org/rdf/3\.[0-9.]+/spdx-context\.jsonld")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def claims(path: str, head: str) -> bool:
    return head.lstrip().startswith("{") and '"@context"' in head and bool(_CONTEXT.search(head))


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    doc, at = load_json(path, text)
    graph = doc.get("@graph") if isinstance(doc, dict) else None
    if not isinstance(graph, list):
        raise InputError("an SPDX 3 JSON-LD document has an @graph list", file=path, line=1,
                         expected='{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [...]}')
    elements = [(i, e) for i, e in enumerate(graph) if isinstance(e, dict)]
    by_id = {e.get("spdxId"): (i, e) for i, e in elements if isinstance(e.get("spdxId"), str)}
    relations = [(i, e) for i, e in elements if e.get("type") in ("Relationship", "LifecycleScopedRelationship")]
    card = Draft("model_card", NAME, path)
    manifest = Draft("data_manifest", NAME, path)
    pipeline = Draft("pipeline", NAME, path)
    models = [(i, e) for i, e in elements if e.get("type") == "ai_AIPackage"]
    if models:
        _model(card, pipeline, models[0], at, by_id, relations)
    for i, e in elements:
        if e.get("type") == "dataset_DatasetPackage":
            _dataset(manifest, i, e, at)
    return [d for d in (card.result(), manifest.result(), pipeline.result()) if d is not None]


def _str(e: dict[str, Any], key: str) -> str | None:
    value = e.get(key)
    if isinstance(value, list):
        value = "; ".join(v for v in value if isinstance(v, str) and v.strip()) or None
    return value.strip() if isinstance(value, str) and value.strip() and not is_placeholder(value) else None


def _model(card: Draft, pipeline: Draft, model: tuple[int, dict[str, Any]], at: Any,
           by_id: dict[Any, Any], relations: list[tuple[int, dict[str, Any]]]) -> None:
    i, m = model
    base = f"/@graph/{i}"
    for key, target in (("name", "/model_details/name"), ("software_packageVersion", "/model_details/version"),
                        ("ai_typeOfModel", "/model_details/model_architecture"),
                        ("ai_informationAboutApplication", "/intended_use/purpose")):
        if _str(m, key):
            card.put(target, _str(m, key), at(f"{base}/{key}"))
    for key in ("description", "summary", "comment"):
        if _str(m, key):
            card.put("/model_details/description", _str(m, key), at(f"{base}/{key}"))
            break
    built = m.get("builtTime")
    if isinstance(built, str) and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$", built):
        card.put("/model_details/trained_at", built, at(f"{base}/builtTime"))
    for k, text_ in enumerate(m.get("ai_limitation") if isinstance(m.get("ai_limitation"), list)
                              else [m.get("ai_limitation")]):
        if isinstance(text_, str) and text_.strip() and not is_placeholder(text_):
            card.put("/limitations/-", text_.strip(), at(f"{base}/ai_limitation"))
    if m.get("ai_autonomyType") == "yes":
        card.put("/decision/automation", "solely_automated", at(f"{base}/ai_autonomyType"))
    metrics = m.get("ai_metric")
    for k, entry in enumerate(metrics if isinstance(metrics, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            value = number(entry.get("value"))
            if value is not None:
                card.put("/performance/metrics/-", {"name": entry["key"], "value": value}, at(f"{base}/ai_metric/{k}"))
    params = m.get("ai_hyperparameter")
    for k, entry in enumerate(params if isinstance(params, list) else []):
        if isinstance(entry, dict) and entry.get("key") in ("seed", "random_seed", "random_state"):
            value = number(entry.get("value"))
            if value is not None and float(value).is_integer():
                pipeline.put("/training/seed", int(value), at(f"{base}/ai_hyperparameter/{k}"))
    own = {m.get("spdxId")} | _contained(m.get("spdxId"), relations)
    seen: set[str] = set()
    for r, rel in relations:
        if rel.get("from") not in own:
            continue
        kind = rel.get("relationshipType")
        targets = rel.get("to") if isinstance(rel.get("to"), list) else []
        for t, target in enumerate(targets):
            where = at(f"/@graph/{r}/to/{t}")
            element = by_id.get(target, (None, {}))[1]
            name = element.get("name") if isinstance(element.get("name"), str) else None
            if kind in ("trainedOn", "testedOn") and name and name not in seen:
                seen.add(name)
                card.put("/datasets/-", {"id": name, "split": "train" if kind == "trainedOn" else "test"}, where)
            elif kind == "dependsOn" and name:
                dep = "data" if element.get("type") == "dataset_DatasetPackage" else \
                    "external_model" if element.get("type") == "ai_AIPackage" else "library"
                item = {"name": name, "type": dep}
                if isinstance(element.get("software_packageVersion"), str):
                    item["version"] = element["software_packageVersion"]
                card.put("/dependencies/-", item, where)
            elif kind == "hasDeclaredLicense" and rel.get("from") == m.get("spdxId") \
                    and "/model_details/license" not in card.out.origins:
                lic = element.get("simplelicensing_licenseExpression") or (
                    target.rsplit("/", 1)[-1] if isinstance(target, str) and "spdx.org/licenses/" in target else None)
                if isinstance(lic, str) and lic.strip():
                    card.put("/model_details/license", lic.strip(), where)


def _contained(root: Any, relations: list[tuple[int, dict[str, Any]]]) -> set[Any]:
    """Elements the package ``contains`` (transitively): a model file's trainedOn is the package's."""
    out: set[Any] = set()
    frontier = {root}
    for _ in range(4):
        nxt = set()
        for _, rel in relations:
            if rel.get("relationshipType") == "contains" and rel.get("from") in frontier:
                nxt.update(t for t in rel.get("to", []) if isinstance(t, str) and t not in out)
        out |= nxt
        frontier = nxt
    return out


def _dataset(manifest: Draft, i: int, e: dict[str, Any], at: Any) -> None:
    name = _str(e, "name")
    if not name:
        return
    item: dict[str, Any] = {"id": name, "name": name}
    if _str(e, "software_packageVersion"):
        item["version"] = _str(e, "software_packageVersion")
    if _str(e, "description"):
        item["description"] = _str(e, "description")
    url = e.get("software_downloadLocation")
    if isinstance(url, str) and re.match(r"^[a-z][a-z0-9+.-]*://", url):
        item["uri"] = url
    base = f"/@graph/{i}"
    fields = {"name": at(f"{base}/name")}
    hashes = e.get("verifiedUsing")
    for n, h in enumerate(hashes if isinstance(hashes, list) else []):
        if isinstance(h, dict) and h.get("algorithm") == "sha256" and isinstance(h.get("hashValue"), str) \
                and _SHA256.match(h["hashValue"]):
            item["sha256"] = h["hashValue"].lower()
            fields["sha256"] = at(f"{base}/verifiedUsing/{n}/hashValue")
    if _str(e, "dataset_dataCollectionProcess"):
        item["collection_process"] = _str(e, "dataset_dataCollectionProcess")
    if e.get("dataset_hasSensitivePersonalInformation") == "yes":
        item["personal_data"] = True
    if _str(e, "dataset_anonymizationMethodUsed"):
        item["anonymisation_method"] = _str(e, "dataset_anonymizationMethodUsed")
    bias = e.get("dataset_knownBias")
    issues = [b.strip() for b in (bias if isinstance(bias, list) else [bias]) if isinstance(b, str) and b.strip()]
    if issues:
        item["known_issues"] = [{"description": b} for b in issues]
    prep = e.get("dataset_dataPreprocessing")
    ops = [p.strip() for p in (prep if isinstance(prep, list) else [prep]) if isinstance(p, str) and p.strip()]
    if ops:
        item["preparation_ops"] = ops
    for key, source in (("version", "software_packageVersion"), ("description", "description"),
                        ("uri", "software_downloadLocation"), ("collection_process", "dataset_dataCollectionProcess"),
                        ("personal_data", "dataset_hasSensitivePersonalInformation"),
                        ("anonymisation_method", "dataset_anonymizationMethodUsed"),
                        ("known_issues", "dataset_knownBias"), ("preparation_ops", "dataset_dataPreprocessing")):
        fields[key] = at(f"{base}/{source}")
    manifest.put("/datasets/-", item, at(base), fields)
