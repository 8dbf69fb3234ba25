"""What every adapter returns: native evidence drafted from a file the team already has.

An adapter reads one third-party file (a Hugging Face card, an MLflow ``MLmodel``, a DVC lock,
a CI workflow...) and maps what it says into fragments of the native evidence
(``model_card``, ``data_manifest``, ``pipeline``), keeping, for every value it sets, where in
the original file it came from. Adapters never decide compliance and never read outside the
project or the network; a file they cannot parse is an ``InputError`` naming file:line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Where one native value came from: the original file, line and column, and the adapter."""

    file: str          # relative to the project root, POSIX separators
    line: int
    column: int
    adapter: str       # e.g. "huggingface", "mlflow", "dvc", "github-actions"


@dataclass
class Adapted:
    """Native evidence drafted from one source file.

    ``value`` is a fragment of the native document of ``kind`` (it validates as a partial
    native document: no unknown fields); ``origins`` maps native JSON pointers inside that
    document (e.g. ``/model_details/name``) to the origin of the value. A pointer absent from
    ``origins`` is located at its nearest ancestor's origin.
    """

    kind: str                       # "model_card" | "data_manifest" | "pipeline"
    adapter: str
    source: str                     # the file read, relative to the project root
    value: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)   # native pointers whose source said "placeholder"
    sha256: str = ""                # of the source file; set by the registry, not by adapters
    format: str = ""                # "markdown" | "json" | "yaml" | "text"; set by the registry


PLACEHOLDERS = frozenset({"[more information needed]", "more information needed", "[needs more information]",
                          "needs more information", "tbd", "todo", "n/a", "-", ""})


def is_placeholder(text: object) -> bool:
    """True for the filler a template leaves where a fact should be (``[More Information Needed]``)."""
    return isinstance(text, str) and text.strip().strip("*_ .").lower() in PLACEHOLDERS


class Draft:
    """Builds one ``Adapted``: ``put`` a native pointer's value with the (line, column) it came from."""

    def __init__(self, kind: str, adapter: str, source: str) -> None:
        self.out = Adapted(kind, adapter, source, {})

    def put(self, pointer: str, value: Any, at: tuple[int, int],
            fields: dict[str, tuple[int, int]] | None = None) -> None:
        """Set ``pointer`` (creating parent mappings; ``-`` appends to a list) to ``value``;
        ``fields`` locates keys of a mapping value separately (e.g. a metric's ``value``)."""
        tokens = pointer[1:].split("/")
        node: Any = self.out.value
        path = ""
        for i, token in enumerate(tokens):
            last = i == len(tokens) - 1
            if isinstance(node, list):
                if token == "-":
                    token = str(len(node))
                    node.append(value if last else ({} if tokens[i + 1] not in ("-",) else []))
                path += "/" + token
                node = node[int(token)]
                continue
            path += "/" + token
            key = token.replace("~1", "/").replace("~0", "~")
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, [] if tokens[i + 1] == "-" else {})
        self.out.origins[path] = Origin(self.out.source, at[0], at[1], self.out.adapter)
        for key, where in (fields or {}).items():
            if isinstance(value, dict) and key in value:
                self.out.origins[f"{path}/{key}"] = Origin(self.out.source, where[0], where[1], self.out.adapter)

    def at(self, pointer: str, at: tuple[int, int]) -> None:
        """Locate a value already ``put`` inside a larger one (e.g. one field of a list item)."""
        self.out.origins[pointer] = Origin(self.out.source, at[0], at[1], self.out.adapter)

    def missing(self, pointer: str, at: tuple[int, int]) -> None:
        self.out.missing.append(pointer)
        self.out.origins.setdefault(pointer, Origin(self.out.source, at[0], at[1], self.out.adapter))

    def result(self) -> Adapted | None:
        return self.out if self.out.value or self.out.missing else None


def load_json(path: str, text: str) -> tuple[Any, Any]:
    """(value, at): the parsed JSON and ``at(pointer) -> (line, column)`` from the loader's index."""
    from mlcompliance.evidence.loader import parse_text

    doc = parse_text(text, path, "json")
    return doc.value, doc.location


def number(value: Any) -> float | int | None:
    """A metric value as a number: numbers stay, numeric strings ("0.91") are read, anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            return None
        return out if math.isfinite(out) else None
    return None


def texts(value: Any, key: str = "description") -> list[tuple[int, str]]:
    """(index, text) of a list of strings or of ``{key: text}`` mappings, placeholders left out."""
    out = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        text = item.get(key) if isinstance(item, dict) else item
        if isinstance(text, str) and not is_placeholder(text):
            out.append((i, text.strip()))
    return out


def put_performance_metrics(card: Draft, metrics: Any, base: str, at: Any, camel: bool) -> None:
    """Model Card Toolkit ``performance_metrics`` (snake_case) or their CycloneDX ``modelCard``
    copy (``performanceMetrics``, camelCase) -> ``performance.metrics[]``; ``base`` is the list's
    pointer in the source, ``at(pointer)`` its origin."""
    ci_key, low_key, high_key = (("confidenceInterval", "lowerBound", "upperBound") if camel
                                 else ("confidence_interval", "lower_bound", "upper_bound"))
    for i, m in enumerate(metrics if isinstance(metrics, list) else []):
        if not isinstance(m, dict) or not isinstance(m.get("type"), str):
            continue
        value = number(m.get("value"))
        if value is None:
            continue
        out: dict[str, Any] = {"name": m["type"], "value": value}
        if isinstance(m.get("slice"), str) and m["slice"]:
            out["slice"] = m["slice"]
        ci = m.get(ci_key)
        if isinstance(ci, dict):
            low, high = number(ci.get(low_key)), number(ci.get(high_key))
            if low is not None and high is not None:
                out["confidence_interval"] = {"lower": low, "upper": high}
        here = f"{base}/{i}"
        card.put("/performance/metrics/-", out, at(here),
                 {"name": at(f"{here}/type"), "value": at(f"{here}/value"), "slice": at(f"{here}/slice")})


def put_considerations(card: Draft, cons: Any, base: str, at: Any, camel: bool) -> None:
    """Model Card Toolkit ``considerations`` (snake_case) or their CycloneDX ``modelCard`` copy
    (camelCase): users, use cases, limitations and trade-offs as lists of texts, and the ethical
    considerations with their mitigation; ``base`` is the section's pointer in the source."""
    cons = cons if isinstance(cons, dict) else {}
    keys = (("users", "useCases", "technicalLimitations", "performanceTradeoffs") if camel
            else ("users", "use_cases", "limitations", "tradeoffs"))
    targets = ("/intended_use/primary_users", "/intended_use/primary_uses", "/limitations", "/tradeoffs")
    for key, target in zip(keys, targets):
        for i, text in texts(cons.get(key)):
            card.put(f"{target}/-", text, at(f"{base}/{key}/{i}"))
    ethics_key, mitigation_key = (("ethicalConsiderations", "mitigationStrategy") if camel
                                  else ("ethical_considerations", "mitigation_strategy"))
    ethics = cons.get(ethics_key)
    for i, e in enumerate(ethics if isinstance(ethics, list) else []):
        if isinstance(e, dict) and isinstance(e.get("name"), str) and not is_placeholder(e["name"]):
            item = {"name": e["name"]}
            if isinstance(e.get(mitigation_key), str) and not is_placeholder(e[mitigation_key]):
                item["mitigation_strategy"] = e[mitigation_key]
            card.put("/ethical_considerations/-", item, at(f"{base}/{ethics_key}/{i}"))
