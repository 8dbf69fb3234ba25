"""Model Card Toolkit JSON (schema v0.0.1 and v0.0.2) -> the native model card.

The two versions differ in shape (v0.0.1: ``license`` string, ``references`` strings, ``data``
a mapping of train/eval; v0.0.2: ``licenses``/``references`` objects, ``data`` a list, string
metric values); both are read. MCT's metric ``threshold`` is a decision threshold, not a
pass mark, so it is not mapped to the native ``threshold``.
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
    put_considerations,
    put_performance_metrics,
    texts,
)

NAME = "mct"
PATTERNS = ("model_card.json", "*/model_card.json", "*model_card*.json", "*/*model_card*.json",
            "model_cards/*.json", "*/model_cards/*.json")
_SECTIONS = ('"model_parameters"', '"quantitative_analysis"', '"considerations"', '"overview"')


def claims(path: str, head: str) -> bool:
    """JSON with MCT's ``schema_version`` 0.0.x, or MCT sections beside ``model_details``."""
    if not head.lstrip().startswith("{") or '"kind"' in head:
        return False
    if re.search(r'"schema_version"\s*:\s*"0\.0\.[12]"', head):
        return True
    return '"model_details"' in head and any(s in head for s in _SECTIONS)


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    value, at = load_json(path, text)
    if not isinstance(value, dict):
        raise InputError("a Model Card Toolkit file is a JSON object", file=path, line=1,
                         expected="an object with model_details, model_parameters, ...")
    card = Draft("model_card", NAME, path)
    _details(card, _obj(value, "model_details"), at)
    _parameters(card, _obj(value, "model_parameters"), at)
    put_performance_metrics(card, _obj(value, "quantitative_analysis").get("performance_metrics"),
                            "/quantitative_analysis/performance_metrics", at, camel=False)
    put_considerations(card, _obj(value, "considerations"), "/considerations", at, camel=False)
    result = card.result()
    return [result] if result else []


def _obj(value: Any, key: str) -> dict[str, Any]:
    out = value.get(key) if isinstance(value, dict) else None
    return out if isinstance(out, dict) else {}


def _details(card: Draft, d: dict[str, Any], at: Any) -> None:
    for key, target in (("name", "/model_details/name"), ("overview", "/model_details/description")):
        if isinstance(d.get(key), str):
            _text(card, target, d[key], at(f"/model_details/{key}"))
    version = d.get("version")
    if isinstance(version, dict) and isinstance(version.get("name"), str):
        _text(card, "/model_details/version", version["name"], at("/model_details/version/name"))
    if isinstance(d.get("license"), str):                       # v0.0.1
        _text(card, "/model_details/license", d["license"], at("/model_details/license"))
    licenses = d.get("licenses")                                # v0.0.2
    if isinstance(licenses, list) and licenses and isinstance(licenses[0], dict):
        lic = licenses[0].get("identifier") or licenses[0].get("custom_text")
        if isinstance(lic, str):
            _text(card, "/model_details/license", lic, at("/model_details/licenses/0"))
    owners = d.get("owners")
    for i, o in enumerate(owners if isinstance(owners, list) else []):
        if isinstance(o, dict) and isinstance(o.get("name"), str) and not is_placeholder(o["name"]):
            item = {"name": o["name"]}
            if isinstance(o.get("contact"), str) and o["contact"].strip():
                item["contact"] = o["contact"]
            card.put("/model_details/owners/-", item, at(f"/model_details/owners/{i}"))
    for i, ref in texts(d.get("references"), "reference"):
        card.put("/model_details/references/-", ref, at(f"/model_details/references/{i}"))


def _parameters(card: Draft, p: dict[str, Any], at: Any) -> None:
    if isinstance(p.get("model_architecture"), str):
        _text(card, "/model_details/model_architecture", p["model_architecture"],
              at("/model_parameters/model_architecture"))
    data = p.get("data")
    if isinstance(data, dict):                                  # v0.0.1: {train: {...}, eval: {...}}
        for split_key, split in (("train", "train"), ("eval", "test")):
            item = data.get(split_key)
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
                card.put("/datasets/-", {"id": item["name"], "split": split}, at(f"/model_parameters/data/{split_key}"))
    elif isinstance(data, list):                                # v0.0.2: [{name, link, sensitive, ...}]
        for i, item in enumerate(data):
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
                card.put("/datasets/-", {"id": item["name"]}, at(f"/model_parameters/data/{i}"))


def _text(card: Draft, pointer: str, value: str, where: tuple[int, int]) -> None:
    if is_placeholder(value):
        card.missing(pointer, where)
    else:
        card.put(pointer, value.strip(), where)
