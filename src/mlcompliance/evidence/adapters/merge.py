"""Several sources of one native document -> one document, every value keeping where it came from.

Precedence (first wins; docs/adapters.md): the native file, then files named in
``mlcompliance.yaml`` (``evidence.*`` pointing at a third-party file, then ``sources:`` in
order), then auto-detected files by adapter: records written by tools when things ran
(``mlflow``, ``dvc``, ``ci``) before documents people write (``cyclonedx``, ``spdx``,
``croissant``, ``mct``, ``huggingface``). Mappings merge key by key; lists of mappings merge
item by item on a key (``id``, else ``run_id``, else ``name`` with ``slice``/``dataset``/
``attribute``, else ``path``); other lists and scalars are taken whole from the first source.
Two sources giving different values for one pointer is a conflict, recorded (both values
with file:line); two wordings of free text (``PROSE`` fields such as descriptions, purposes,
limitations, or any long text) are not.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlcompliance.evidence.adapters.base import Adapted
from mlcompliance.evidence.loader import escape_token

# native fields holding free text: two sources wording them differently do not disagree on a fact
PROSE = frozenset({
    "description", "purpose", "rationale", "data_summary", "collection_process", "collection_purpose",
    "methodology", "mitigation_strategy", "intended_purpose", "disclosure_text", "automation_bias_mitigation",
    "lineage", "origin", "robustness", "input_spec", "oversight_measures", "resources_lifetime",
    "log_collection", "success_criteria", "metric_rationale", "treatment", "reason", "statement",
    "limitations", "tradeoffs", "primary_uses", "primary_users", "out_of_scope", "affected_persons",
    "known_gaps", "preparation_ops", "assumptions", "use_restrictions", "misuse_scenarios", "known_risks",
    "references", "alternatives_considered", "bias_mitigations", "known_issues", "ethical_considerations"})
PRECEDENCE = ("mlflow", "dvc", "ci", "cyclonedx", "spdx", "croissant", "mct", "huggingface")
NATIVE = "native"


@dataclass
class Source:
    """One contributor to a native document: a native file or one adapter's fragment."""

    file: str
    adapter: str                                   # NATIVE for the team's own evidence file
    value: dict[str, Any]
    locate: Callable[[str], tuple[int, int]]       # pointer inside ``value`` -> (line, column)


@dataclass
class Merged:
    """One native document merged from its sources."""

    kind: str
    value: dict[str, Any]
    sources: list[Source]
    owners: dict[str, tuple[int, str]] = field(default_factory=dict)   # merged pointer -> (source, its pointer)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def origin(self, pointer: str) -> tuple[Source, str]:
        """The source of ``pointer`` (nearest owned ancestor) and the pointer inside that source."""
        here = pointer
        while True:
            hit = self.owners.get(here)
            if hit is not None:
                return self.sources[hit[0]], hit[1] + pointer[len(here):]
            if not here:
                return self.sources[0], pointer
            here = here[: here.rfind("/")]

    def locate(self, pointer: str) -> tuple[str, int, int, str]:
        """(file, line, column, adapter) of the value at ``pointer``."""
        source, inner = self.origin(pointer)
        line, column = source.locate(inner)
        return source.file, line, column, source.adapter


def adapted_locator(a: Adapted) -> Callable[[str], tuple[int, int]]:
    def locate(pointer: str) -> tuple[int, int]:
        while True:
            hit = a.origins.get(pointer)
            if hit is not None:
                return hit.line, hit.column
            if not pointer:
                return 1, 1
            pointer = pointer[: pointer.rfind("/")]
    return locate


def order(adapted: list[Adapted], explicit: list[str]) -> list[Adapted]:
    """Adapted fragments in precedence order: explicitly named files first (in the order named),
    then by adapter precedence, then by path."""
    def rank(a: Adapted) -> tuple[int, int, str]:
        if a.source in explicit:
            return (0, explicit.index(a.source), a.source)
        return (1, PRECEDENCE.index(a.adapter) if a.adapter in PRECEDENCE else len(PRECEDENCE), a.source)
    return sorted(adapted, key=rank)


def merge(kind: str, sources: list[Source]) -> Merged:
    """Merge ``sources`` (highest precedence first) into one document of ``kind``."""
    out = Merged(kind, copy.deepcopy(sources[0].value) if sources else {}, sources)
    out.owners[""] = (0, "")
    for k in range(1, len(sources)):
        _into(out, out.value, sources[k].value, "", "", k)
    return out


def _into(out: Merged, dst: dict[str, Any], src: dict[str, Any], mptr: str, sptr: str, k: int) -> None:
    for key, incoming in src.items():
        mp, sp = f"{mptr}/{escape_token(key)}", f"{sptr}/{escape_token(key)}"
        if key not in dst:
            dst[key] = copy.deepcopy(incoming)
            out.owners[mp] = (k, sp)
            continue
        current = dst[key]
        if isinstance(current, dict) and isinstance(incoming, dict):
            _into(out, current, incoming, mp, sp, k)
        elif isinstance(current, list) and isinstance(incoming, list) and _keyed(current) and _keyed(incoming):
            _items(out, current, incoming, mp, sp, k)
        elif not _same(_canonical(out.kind, mp, current), _canonical(out.kind, mp, incoming)) \
                and key not in PROSE and not (_prose(current) and _prose(incoming)):
            _conflict(out, mp, current, k, sp, incoming)


def _items(out: Merged, dst: list[Any], src: list[Any], mptr: str, sptr: str, k: int) -> None:
    taken: set[int] = set()
    for j, item in enumerate(src):
        key = _key(item)
        match = next((i for i, have in enumerate(dst) if i not in taken and _key(have) == key), None)
        if match is None and key[0] == "name":
            match = next((i for i, have in enumerate(dst) if i not in taken and _compatible(have, item)), None)
        if match is None:
            dst.append(copy.deepcopy(item))
            taken.add(len(dst) - 1)
            out.owners[f"{mptr}/{len(dst) - 1}"] = (k, f"{sptr}/{j}")
        else:
            taken.add(match)
            _into(out, dst[match], item, f"{mptr}/{match}", f"{sptr}/{j}", k)


def _key(item: dict[str, Any]) -> tuple[Any, ...]:
    for name in ("id", "run_id"):
        if name in item:
            return (name, item[name])
    if "name" in item:
        return ("name", item["name"], item.get("slice"), item.get("dataset"), item.get("attribute"))
    if "path" in item:
        return ("path", item["path"])
    return ("item", json.dumps(item, sort_keys=True))


def _compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same name, and no qualifier (slice, dataset, attribute) that both give and that differs:
    a metric one source states without a slice is the one another states with it."""
    return a.get("name") == b.get("name") and all(
        a[q] == b[q] for q in _QUALIFIERS if q in a and q in b)


_QUALIFIERS = ("slice", "dataset", "attribute")


def _keyed(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and any(k in i for k in ("id", "run_id", "name", "path"))
                               for i in items)


# Names one thing has in several vocabularies: the same fact spelt two ways is not a disagreement.
_SYNONYMS: dict[tuple[str, str], dict[str, str]] = {
    ("pipeline", "/ci/provider"): {"azure_devops": "azure_pipelines", "azure": "azure_pipelines",
                                   "gitlab": "gitlab_ci", "github": "github_actions"},
    ("pipeline", "/ci/triggers"): {"merge_request": "pull_request", "merge_request_event": "pull_request",
                                   "pr": "pull_request", "cron": "schedule"},
}


def _canonical(kind: str, pointer: str, value: Any) -> Any:
    if (kind, pointer) == ("model_card", "/model_details/framework") and isinstance(value, str):
        return value.split()[0].lower() if value.split() else value   # "sklearn" and "sklearn 1.2.2" agree
    names = _SYNONYMS.get((kind, pointer))
    if names is None:
        return value
    if isinstance(value, list):
        return sorted({names.get(v, v) if isinstance(v, str) else v for v in value}, key=str)
    return names.get(value, value) if isinstance(value, str) else value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        return sorted(a) == sorted(b)   # a list of names is a set: order is not a disagreement
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return float(a) == float(b)
    return a == b


def _prose(value: Any) -> bool:
    """Free text (a description, a purpose): sources word it differently without disagreeing."""
    if isinstance(value, list):
        return bool(value) and all(_prose(v) for v in value)
    return isinstance(value, str) and (len(value) > 60 or "\n" in value) and " " in value.strip()


def _conflict(out: Merged, mptr: str, kept: Any, k: int, sptr: str, other: Any) -> None:
    pointer = f"/{out.kind}{mptr}"
    entry = next((c for c in out.conflicts if c["pointer"] == pointer), None)
    if entry is None:
        file, line, _, adapter = out.locate(mptr)
        entry = {"pointer": pointer, "values": [{"value": copy.deepcopy(kept), "file": file, "line": line,
                                                  "adapter": adapter}]}
        out.conflicts.append(entry)
    source = out.sources[k]
    entry["values"].append({"value": copy.deepcopy(other), "file": source.file, "line": source.locate(sptr)[0],
                            "adapter": source.adapter})
