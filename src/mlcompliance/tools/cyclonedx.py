"""`mlcompliance export --to cyclonedx`: the project as a CycloneDX 1.6 ML-BOM.

The model becomes a ``machine-learning-model`` component with a ``modelCard`` drawn from the
native model card; each dataset of the data manifest a ``data`` component with its SHA-256; the
framework and the packages of the declared lock file ``library`` components; and the result of
running the real check (``run.Checker``) the BOM's ``metadata.properties`` (``mlcompliance:*``).
Nothing here decides compliance: the verdict is the engine's. Deterministic: the serial number
is derived from the BOM's content and the timestamp is the as-of date.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance import __version__
from mlcompliance.errors import InputError
from mlcompliance.evidence.project import Project, load_project, resolve_inside
from mlcompliance.result.codec import dumps
from mlcompliance.result.model import Result
from mlcompliance.run import Checker
from mlcompliance.vocab import BLOCKING, SEVERITIES

SPEC_VERSION = "1.6"
PREFIX = "mlcompliance"
_APPROACH = {"supervised", "unsupervised", "reinforcement-learning", "semi-supervised", "self-supervised"}
_LOCK_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;\\#]+)")


def export(root: Path, as_of: date, policy_paths: tuple[Path, ...] = (), fail_on: str | None = None) -> dict[str, Any]:
    """The ML-BOM of the project at ``root`` (checked at ``as_of``) as a JSON-ready mapping."""
    result = Checker(policy_paths).check(root, as_of, fail_on)
    project = load_project(root)
    return build(project, result)


def build(project: Project, result: Result) -> dict[str, Any]:
    card = project.bundle.get("model_card") or {}
    details = card.get("model_details") or {}
    model_name = details.get("name") or project.name
    model_ref = "model:" + _slug(model_name)
    datasets = [d for d in (project.bundle.get("data_manifest") or {}).get("datasets") or [] if isinstance(d, dict)]
    data_components = [_dataset(d) for d in datasets]
    libraries = _libraries(project, details)
    model = {"type": "machine-learning-model", "bom-ref": model_ref, "name": model_name}
    if details.get("version"):
        model["version"] = details["version"]
    if details.get("description"):
        model["description"] = details["description"].strip()
    if details.get("license"):
        model["licenses"] = [{"license": {"name": details["license"]}}]
    model["modelCard"] = _model_card(card, model_ref, {d["id"] for d in datasets if d.get("id")})
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX", "specVersion": SPEC_VERSION, "serialNumber": "", "version": 1,
        "metadata": {
            "timestamp": f"{result.as_of.isoformat()}T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": PREFIX, "version": __version__}]},
            "properties": _result_properties(result),
        },
        "components": [model, *data_components, *libraries],
        "dependencies": [{"ref": model_ref, "dependsOn": sorted(c["bom-ref"] for c in data_components + libraries)},
                         *({"ref": c["bom-ref"]} for c in data_components + libraries)],
    }
    body = json.dumps(bom, sort_keys=True, ensure_ascii=False).encode()
    bom["serialNumber"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "mlcompliance:" + hashlib.sha256(body).hexdigest()))
    return bom


def to_json(bom: dict[str, Any]) -> str:
    return json.dumps(bom, indent=2, ensure_ascii=False) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower() or "model"


def _model_card(card: dict[str, Any], model_ref: str, dataset_ids: set[str]) -> dict[str, Any]:
    details = card.get("model_details") or {}
    params: dict[str, Any] = {}
    task = str(details.get("task") or "")
    approach = _approach(task, card)
    if approach:
        params["approach"] = {"type": approach}
    if task:
        params["task"] = task
    if details.get("model_architecture"):
        params["modelArchitecture"] = details["model_architecture"]
    used = [d.get("id") for d in card.get("datasets") or [] if isinstance(d, dict) and d.get("id")]
    refs = [f"data:{_slug(i)}" for i in dict.fromkeys(used) if i in dataset_ids]
    if refs:
        params["datasets"] = [{"ref": r} for r in refs]
    if card.get("features"):
        params["inputs"] = [{"format": "features: " + ", ".join(map(str, card["features"]))}]
    out: dict[str, Any] = {"bom-ref": f"{model_ref}:card"}
    if params:
        out["modelParameters"] = params
    metrics = []
    for m in (card.get("performance") or {}).get("metrics") or []:
        if not isinstance(m, dict) or m.get("value") is None:
            continue
        metric = {"type": str(m.get("name", "metric")), "value": _number(m["value"])}
        if m.get("slice"):
            metric["slice"] = str(m["slice"])
        ci = m.get("confidence_interval") or {}
        if "lower" in ci and "upper" in ci:
            metric["confidenceInterval"] = {"lowerBound": _number(ci["lower"]), "upperBound": _number(ci["upper"])}
        metrics.append(metric)
    if metrics:
        out["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    considerations = _considerations(card)
    if considerations:
        out["considerations"] = considerations
    return out


def _approach(task: str, card: dict[str, Any]) -> str | None:
    """The CycloneDX learning approach when the native card says it (`x-approach`) or the task implies it."""
    declared = (card.get("model_details") or {}).get("x-approach")
    if declared in _APPROACH:
        return declared
    if any(word in task for word in ("classification", "regression", "ranking", "forecast")):
        return "supervised"
    if any(word in task for word in ("clustering", "anomaly")):
        return "unsupervised"
    return None


def _considerations(card: dict[str, Any]) -> dict[str, Any]:
    use = card.get("intended_use") or {}
    out: dict[str, Any] = {}
    pairs = (("users", use.get("primary_users")), ("useCases", use.get("primary_uses")),
             ("technicalLimitations", card.get("limitations")), ("performanceTradeoffs", card.get("tradeoffs")))
    for key, values in pairs:
        items = [str(v) for v in values or [] if isinstance(v, (str, int, float))]
        if items:
            out[key] = items
    ethical = [{k2: str(e[k1]) for k1, k2 in (("name", "name"), ("mitigation_strategy", "mitigationStrategy"))
                if e.get(k1)} for e in card.get("ethical_considerations") or [] if isinstance(e, dict)]
    if [e for e in ethical if e]:
        out["ethicalConsiderations"] = [e for e in ethical if e]
    attributes = (card.get("fairness") or {}).get("protected_attributes") or []
    if attributes:
        out["fairnessAssessments"] = [{"groupAtRisk": str(a)} for a in attributes]
    return out


def _number(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _dataset(d: dict[str, Any]) -> dict[str, Any]:
    ident = str(d.get("id") or d.get("name") or "dataset")
    comp: dict[str, Any] = {"type": "data", "bom-ref": f"data:{_slug(ident)}", "name": ident}
    if d.get("version"):
        comp["version"] = str(d["version"])
    if d.get("description"):
        comp["description"] = str(d["description"]).strip()
    if isinstance(d.get("sha256"), str) and re.fullmatch(r"[0-9a-fA-F]{64}", d["sha256"]):
        comp["hashes"] = [{"alg": "SHA-256", "content": d["sha256"].lower()}]
    data: dict[str, Any] = {"type": "dataset", "name": str(d.get("name") or ident)}
    location = d.get("uri") or d.get("path")
    if location:
        data["contents"] = {"url": str(location)}
    if d.get("split"):
        data["classification"] = f"split: {d['split']}"
    if d.get("owner"):
        data["governance"] = {"owners": [{"organization": {"name": str(d["owner"])}}]}
    comp["data"] = [data]
    props = [("personal_data", d.get("personal_data")), ("rows", d.get("rows")), ("format", d.get("format"))]
    comp_props = [{"name": f"{PREFIX}:dataset:{k}", "value": json.dumps(v) if not isinstance(v, str) else v}
                  for k, v in props if v is not None]
    if comp_props:
        comp["properties"] = comp_props
    return comp


def _libraries(project: Project, details: dict[str, Any]) -> list[dict[str, Any]]:
    """The framework named in the model card, and every package pinned in the declared lock file."""
    found: dict[str, dict[str, Any]] = {}
    framework = str(details.get("framework") or "").split()
    if framework:
        name, version = framework[0], (framework[1] if len(framework) > 1 else None)
        found[_pkg(name)] = _library(name, version, "framework (model_card.model_details.framework)")
    env = (project.bundle.get("pipeline") or {}).get("environment") or {}
    lock = env.get("lockfile")
    if isinstance(lock, str):
        for name, version in _read_lock(project, lock):
            found[_pkg(name)] = _library(name, version, f"lock file {lock}")
    return [found[k] for k in sorted(found)]


def _pkg(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _library(name: str, version: str | None, source: str) -> dict[str, Any]:
    comp: dict[str, Any] = {"type": "library", "bom-ref": f"pkg:pypi/{_pkg(name)}" + (f"@{version}" if version else ""),
                            "name": name}
    if version:
        comp["version"] = version
        comp["purl"] = f"pkg:pypi/{_pkg(name)}@{version}"
    comp["properties"] = [{"name": f"{PREFIX}:source", "value": source}]
    return comp


def _read_lock(project: Project, relative: str) -> list[tuple[str, str]]:
    """(name, version) pins of a pip-compile style ``name==version`` lock, or a TOML lock
    (``poetry.lock``, ``uv.lock``: ``[[package]]`` name and version)."""
    path = resolve_inside(project.root, relative)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    if relative.endswith(".lock") and "[[package]]" in text:
        import tomllib
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"invalid TOML lock file: {err}", file=relative, expected="a poetry.lock or uv.lock") from None
        return [(str(p["name"]), str(p["version"])) for p in doc.get("package", [])
                if isinstance(p, dict) and p.get("name") and p.get("version")]
    pins = []
    for line in text.splitlines():
        match = _LOCK_LINE.match(line)
        if match:
            pins.append((match.group(1), match.group(3)))
    return pins


def _result_properties(result: Result) -> list[dict[str, str]]:
    """The compliance result as name/value properties: verdict, tier, packs, counts, digest."""
    problems = {s: 0 for s in SEVERITIES}
    for f in result.findings:
        if f.outcome in BLOCKING:
            problems[f.severity] += 1
    props = [("verdict", result.gate.verdict), ("risk_tier", result.risk.tier), ("fail_on", result.gate.fail_on),
             ("as_of", result.as_of.isoformat()), ("tool_version", result.tool.version)]
    props += [(f"pack:{p.id}", p.version) for p in result.packs]
    props += [(f"findings:{s}", str(problems[s])) for s in reversed(SEVERITIES)]
    props.append(("result_sha256", hashlib.sha256(dumps(result).encode()).hexdigest()))
    return [{"name": f"{PREFIX}:{k}", "value": str(v)} for k, v in props]
