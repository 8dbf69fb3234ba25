"""Hugging Face model cards: ``README.md`` YAML front matter plus Markdown body sections.

The front matter goes through the project's safe YAML loader (alias bombs, tags and duplicate
keys refused), with line numbers offset by the opening ``---``. Body sections are found by
their ATX heading (outside fenced code) and located at the heading's line. Fields that may be
a scalar or a list (``license``, ``datasets``, ``language``, ``base_model``) are read as
lists. A value that is the template's ``[More Information Needed]`` is not a value: its native
pointer goes to ``Adapted.missing`` instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import Adapted, Draft, is_placeholder
from mlcompliance.evidence.loader import parse_yaml

NAME = "huggingface"
PATTERNS = ("README.md", "*/README.md", "*/*/README.md", "MODEL_CARD.md", "model_card.md", "*/model_card.md")

# a front-matter key of the Hub's model card metadata (a docs page with front matter is not a card)
_HF_KEY = re.compile(r"^(license|license_name|tags|datasets|model-index|library_name|pipeline_tag|language|"
                     r"base_model|metrics|model_name|inference|thumbnail|widget|co2_eq_emissions)\s*:", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FENCED = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(^ {0,3}\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_SCRIPT = re.compile(r"<(script|style|iframe)\b.*?(</\1\s*>|$)", re.DOTALL | re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*+]\s+\*\*(?P<key>[^*:]+?)\s*(\[optional\])?\s*:?\s*\*\*\s*:?\s*(?P<value>.*)$")
_SEED = re.compile(r"^[ \t]*[-*+][ \t]+seed[ \t]*:[ \t]*(\d+)[ \t\r]*$", re.MULTILINE)
MAX_SECTION_CHARS = 4000   # a section longer than this is cut (the card stays the full record)
MAX_SECTIONS = 1000        # headings after this many are body text (a card has a few dozen)

# heading text (lower case, "[optional]" removed) -> native pointer, and how the text is used
_SECTIONS: dict[str, tuple[str, str]] = {
    "model description": ("/model_details/description", "text"),
    "direct use": ("/intended_use/purpose", "text"),
    "intended uses & limitations": ("/intended_use/purpose", "text"),
    "intended use": ("/intended_use/purpose", "text"),
    "downstream use": ("/intended_use/primary_uses", "list"),
    "out-of-scope use": ("/intended_use/out_of_scope", "list"),
    "out of scope use": ("/intended_use/out_of_scope", "list"),
    "bias, risks, and limitations": ("/limitations", "list"),
    "limitations": ("/limitations", "list"),
    "training data": ("/data_summary", "text"),
    "training and evaluation data": ("/data_summary", "text"),
}
# "- **Key:** value" bullets of the template's "Model Description" block
_BULLETS: dict[str, str] = {
    "developed by": "/model_details/owners/-/name",
    "license": "/model_details/license",
    "model type": "/model_details/model_architecture",
    "finetuned from model": "/dependencies/-",
}


def claims(path: str, head: str) -> bool:
    """A Markdown file whose front matter has a Hub metadata key, or whose title says it is a model card."""
    if not path.lower().endswith((".md", ".markdown")):
        return False
    if head.startswith("---") and _HF_KEY.search(head):
        return True
    return bool(re.search(r"^#\s+Model Card\b", head, re.MULTILINE | re.IGNORECASE))


def adapt(path: str, text: str, read: Callable[[str], bytes | None]) -> list[Adapted]:
    card = Draft("model_card", NAME, path)
    pipeline = Draft("pipeline", NAME, path)
    meta, locations, body_start = _front_matter(path, text)
    _metadata(card, meta, locations)
    _body(card, pipeline, text.split("\n"), body_start)
    return [d for d in (card.result(), pipeline.result()) if d is not None]


def _front_matter(path: str, text: str) -> tuple[dict[str, Any], dict[str, tuple[int, int]], int]:
    """(metadata, pointer -> (line, column) in the README, index of the first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        return {}, {}, 0
    for end in range(1, len(lines)):
        if lines[end].rstrip("\r") in ("---", "..."):
            break
    else:
        raise InputError("front matter opened with '---' is never closed", file=path, line=1,
                         expected="a line '---' after the YAML metadata")
    try:
        value, locs = parse_yaml("\n".join(lines[1:end]), path)
    except InputError as err:
        err.line = (err.line or 0) + 1
        raise
    if value is None:
        return {}, {}, end + 1
    if not isinstance(value, dict):
        raise InputError("front matter is not a mapping", file=path, line=2,
                         expected="YAML 'key: value' metadata between the '---' lines")
    return value, {p: (line + 1, col) for p, (line, col) in locs.items()}, end + 1


def _metadata(card: Draft, meta: dict[str, Any], locs: dict[str, tuple[int, int]]) -> None:
    def at(pointer: str) -> tuple[int, int]:
        return locs.get(pointer, (1, 1))

    def each(key: str) -> list[tuple[str, Any]]:
        value = meta.get(key)
        if isinstance(value, list):
            return [(f"/{key}/{i}", v) for i, v in enumerate(value)]
        return [] if value is None else [(f"/{key}", value)]

    for pointer, value in each("license")[:1]:
        _text(card, "/model_details/license", value, at(pointer))
    for key, target in (("library_name", "/model_details/framework"), ("pipeline_tag", "/model_details/task"),
                        ("model_name", "/model_details/name")):
        if key in meta:
            _text(card, target, meta[key], at(f"/{key}"))
    for pointer, value in each("datasets"):
        if isinstance(value, str) and not is_placeholder(value):
            card.put("/datasets/-", {"id": value}, at(pointer))
    for pointer, value in each("base_model"):
        if isinstance(value, str) and not is_placeholder(value):
            card.put("/dependencies/-", {"name": value, "type": "external_model"}, at(pointer))
    index = meta.get("model-index")
    if isinstance(index, list):
        for i, entry in enumerate(index):
            if isinstance(entry, dict):
                _model_index(card, entry, f"/model-index/{i}", at, first=i == 0 and "model_name" not in meta)


def _model_index(card: Draft, entry: dict[str, Any], base: str, at: Callable[[str], tuple[int, int]],
                 first: bool) -> None:
    if first and isinstance(entry.get("name"), str):
        _text(card, "/model_details/name", entry["name"], at(f"{base}/name"))
    results = entry.get("results")
    for r, result in enumerate(results if isinstance(results, list) else []):
        if not isinstance(result, dict):
            continue
        dataset = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
        dataset_id = dataset.get("type") or dataset.get("name")
        metrics = result.get("metrics")
        for m, metric in enumerate(metrics if isinstance(metrics, list) else []):
            if not isinstance(metric, dict):
                continue
            value = metric.get("value")
            name = metric.get("type") or metric.get("name")
            if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            out: dict[str, Any] = {"name": name, "value": value}
            if isinstance(dataset_id, str) and dataset_id:
                out["dataset"] = dataset_id
            if isinstance(dataset.get("split"), str) and dataset["split"]:
                out["slice"] = dataset["split"]
            here = f"{base}/results/{r}/metrics/{m}"
            card.put("/performance/metrics/-", out, at(here),
                     {"name": at(f"{here}/type" if "type" in metric else f"{here}/name"), "value": at(f"{here}/value"),
                      "dataset": at(f"{base}/results/{r}/dataset"), "slice": at(f"{base}/results/{r}/dataset/split")})


def _text(card: Draft, pointer: str, value: Any, at: tuple[int, int]) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return
    if is_placeholder(str(value)):
        card.missing(pointer, at)
        return
    card.put(pointer, str(value), at)


def _body(card: Draft, pipeline: Draft, lines: list[str], start: int) -> None:
    sections = _sections(lines, start)
    for line_no, title, content in sections:
        key = re.sub(r"\s*\[optional\]\s*", " ", title, flags=re.IGNORECASE).strip().lower()
        if key == "model description" or key == "model details":
            _bullets(card, content, line_no)
        target = _SECTIONS.get(key)
        if target is None:
            if key in ("training hyperparameters", "training procedure"):
                match = _SEED.search(content)
                if match:
                    offset = content[: match.start()].count("\n")
                    pipeline.put("/training/seed", int(match.group(1)), (line_no + 1 + offset, 1))
            continue
        pointer, how = target
        prose = _prose(content)
        if how == "text" and pointer in card.out.origins:
            continue   # the first section of that name wins
        if not prose or is_placeholder(prose):
            if is_placeholder(prose) and prose:
                card.missing(pointer, (line_no, 1))
            continue
        card.put(pointer if how == "text" else pointer + "/-", prose, (line_no, 1))
    if "/model_details/name" not in card.out.origins:
        for line_no, title, _ in sections[:1]:
            name = re.sub(r"^Model Card for\s+", "", title, flags=re.IGNORECASE).strip()
            if name and not is_placeholder(name) and "{{" not in name:
                card.put("/model_details/name", name, (line_no, 1))


def _sections(lines: list[str], start: int) -> list[tuple[int, str, str]]:
    """(1-based heading line, heading text, the text up to the next heading) outside fenced code."""
    out: list[tuple[int, str, list[str]]] = []
    fence: str | None = None
    for i in range(start, len(lines)):
        line = lines[i].rstrip("\r")
        match = _FENCE.match(line)
        if match:
            mark = match.group(1)[0] * 3
            fence = None if fence and mark == fence else (fence or mark)
        if fence is None and not match:
            heading = _HEADING.match(line) if len(out) < MAX_SECTIONS else None
            if heading:
                out.append((i + 1, _plain(heading.group(2)), []))
                continue
        if out:
            out[-1][2].append(line)
    return [(n, t, "\n".join(body)) for n, t, body in out]


def _prose(content: str) -> str:
    """The section's text without comments, HTML and the template's "- **Key:** value" bullets."""
    content = "\n".join(line for line in content.split("\n") if not _BULLET.match(line))
    content = _FENCED.sub("", content)
    text = _plain(_COMMENT.sub("", content)).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:MAX_SECTION_CHARS]


def _plain(text: str) -> str:
    """Markdown text without HTML tags (a card is read, never rendered)."""
    return _TAG.sub("", _SCRIPT.sub("", _COMMENT.sub("", text))).strip()


def _bullets(card: Draft, content: str, heading_line: int) -> None:
    for k, line in enumerate(content.split("\n")):
        match = _BULLET.match(line)
        if not match:
            continue
        pointer = _BULLETS.get(match.group("key").strip().lower())
        value = _plain(match.group("value")).strip()
        if pointer is None:
            continue
        at = (heading_line + 1 + k, 1)
        if not value or is_placeholder(value):
            card.missing(pointer.replace("/-/name", "").replace("/-", ""), at)
        elif pointer == "/dependencies/-":
            card.put(pointer, {"name": value, "type": "external_model"}, at)
        elif pointer.endswith("/-/name"):
            card.put(pointer[:-5], {"name": value}, at)
        elif pointer not in card.out.origins:
            card.put(pointer, value, at)
