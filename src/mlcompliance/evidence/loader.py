"""Parse YAML and JSON files into plain JSON-like values that remember where they came from.

Every value keeps its source line and column, keyed by JSON pointer, so a finding can
point at the line that caused it. YAML goes through libyaml's C composer when PyYAML was
built with it (about 9x faster than the pure-Python parser) and is turned into values by
our own walk over the node tree, which also rejects duplicate keys, unknown tags and
alias bombs. JSON goes through the standard library parser; its line index is built
lazily (only when a finding asks for a line) from the YAML composer, since JSON is YAML.

Deliberate departures from PyYAML's YAML 1.1 defaults, to keep values JSON-like:
- only ``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off`` stay strings);
- timestamps stay ISO strings (``2024-05-01``), validated later by the JSON Schema;
- mapping keys are the text the author wrote (``1: x`` has the key ``"1"``).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlcompliance.errors import InputError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LIBYAML = _Loader is not yaml.SafeLoader

MAX_NODES = 1_000_000  # guards against "billion laughs" alias expansion

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TS = (_T + t for t in ("str", "null", "bool", "int", "float", "timestamp"))
_MAP, _SEQ, _MERGE = _T + "map", _T + "seq", _T + "merge"


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" not in token and "/" not in token:
        return token
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape_token(t) for t in pointer[1:].split("/")]


@dataclass
class Document:
    """One parsed evidence or policy file."""

    path: str                      # as shown to users: relative to the project, POSIX separators
    format: str                    # "yaml" | "json"
    value: Any
    sha256: str
    text: str = field(repr=False)
    _locations: dict[str, tuple[int, int]] | None = field(default=None, repr=False)

    def location(self, pointer: str) -> tuple[int, int]:
        """(line, column) of ``pointer``, or of its nearest ancestor that exists; (1, 1) at worst."""
        if self._locations is None:
            self._locations = _json_locations(self.text)
        locs = self._locations
        while True:
            hit = locs.get(pointer)
            if hit is not None:
                return hit
            if not pointer:
                return (1, 1)
            pointer = pointer[: pointer.rfind("/")]


def read_text(path: Path, display: str) -> tuple[bytes, str]:
    """Read a file as strict UTF-8 (a leading BOM is allowed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=display) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=display) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                         file=display, line=line, column=col,
                         expected="a UTF-8 encoded text file") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return data, text


def load_file(path: Path, display: str, fmt: str | None = None) -> Document:
    """Read and parse ``path``; ``fmt`` defaults to the file extension (.json = JSON, else YAML)."""
    data, text = read_text(path, display)
    if fmt is None:
        fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_text(text, display, fmt, hashlib.sha256(data).hexdigest())


def parse_text(text: str, display: str, fmt: str, sha256: str | None = None) -> Document:
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if fmt == "json":
        value = _parse_json(text, display)
        return Document(display, "json", value, sha256, text)
    value, locations = parse_yaml(text, display)
    return Document(display, "yaml", value, sha256, text, locations)


def parse_yaml(text: str, display: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, display)
        value = builder.build(node, "") if node is not None else None
        return value, builder.locations
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise InputError(f"invalid YAML: {what}", file=display,
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:     # a character YAML does not allow: locate it too
        before = text[:exc.position]
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise InputError(f"invalid YAML: character {char!r} (#x{ord(char):04x}) is not allowed: {exc.reason}",
                         file=display, line=before.count("\n") + 1,
                         column=exc.position - (before.rfind("\n") + 1) + 1) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=display) from None
    finally:
        loader.dispose()


class _Builder:
    """Turns a composed YAML node tree into JSON-like values plus a pointer -> (line, col) index."""

    def __init__(self, loader: Any, display: str) -> None:
        self.loader = loader
        self.display = display
        self.locations: dict[str, tuple[int, int]] = {}
        self.count = 0

    def fail(self, node: Any, message: str, expected: str | None = None) -> None:
        raise InputError(message, file=self.display, line=node.start_mark.line + 1,
                         column=node.start_mark.column + 1, expected=expected)

    def build(self, node: Any, pointer: str) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(node, f"document expands to more than {MAX_NODES} values (alias bomb?)")
        mark = node.start_mark
        if pointer not in self.locations:
            self.locations[pointer] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.fail(node, f"unsupported YAML tag {node.tag}", "plain YAML without tags")
            return [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        if node.tag != _MAP:
            self.fail(node, f"unsupported YAML tag {node.tag}", "plain YAML without tags")
        pairs, inherited = self.merged(node)
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in pairs:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "mapping keys must be plain scalars", "a string key")
            key = key_node.value
            if key in out and key_node in inherited:
                continue  # a merged (<<) key never overrides one the mapping sets itself
            if key in out:
                self.fail(key_node, f"duplicate key '{key}' (first defined at line {first_line[key]})",
                          "each key once per mapping")
            first_line[key] = key_node.start_mark.line + 1
            child = f"{pointer}/{escape_token(key)}"
            self.locations[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child)
        return out

    def merged(self, node: Any) -> tuple[list[tuple[Any, Any]], set[Any]]:
        """The mapping's own pairs, then those merged in by ``<<`` (YAML merge key), and the merged keys."""
        own = [(k, v) for k, v in node.value if k.tag != _MERGE]
        merges = [v for k, v in node.value if k.tag == _MERGE]
        if not merges:
            return own, set()
        inherited: list[tuple[Any, Any]] = []
        for value in merges:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.fail(source, "a merge key (<<) must refer to a mapping", "an alias of a mapping")
                inherited += self.merged(source)[0]
        return own + inherited, {k for k, _ in inherited}

    def scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _STR or tag == _TS:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            low = node.value.lower()
            return (low == "true") if low in ("true", "false") else node.value
        if tag == _INT:
            return self.loader.construct_yaml_int(node)
        if tag == _FLOAT:
            value = self.loader.construct_yaml_float(node)
            if not math.isfinite(value):
                self.fail(node, f"non-finite number {node.value!r}", "a finite number")
            return value
        self.fail(node, f"unsupported YAML tag {tag}", "plain YAML without tags")
        return None


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def _parse_json(text: str, display: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=display, line=exc.lineno,
                         column=exc.colno) from None
    except _DuplicateKey as exc:
        line = _duplicate_line(text, display)
        raise InputError(f"duplicate key '{exc.args[0]}'", file=display, line=line,
                         expected="each key once per object") from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}", file=display, expected="finite numbers") from None


def _duplicate_line(text: str, display: str) -> int | None:
    try:
        parse_yaml(text, display)
    except InputError as err:
        return err.line
    return None


def _json_locations(text: str) -> dict[str, tuple[int, int]]:
    try:
        return parse_yaml(text, "")[1]
    except InputError:
        pass  # valid JSON that YAML 1.1 cannot read (e.g. "\/", escaped surrogate pairs)
    try:
        return _scan_json(text)
    except (ValueError, IndexError, RecursionError):
        return {}


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_SCALAR = re.compile(r'[^\s,\]}]+')


def _scan_json(text: str) -> dict[str, tuple[int, int]]:
    """pointer -> (line, column) of already-valid JSON, by a small scanner (keys at the key, items at the item)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    locations: dict[str, tuple[int, int]] = {}

    def where(pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, pos)
        return line, pos - starts[line - 1] + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def value(pos: int, pointer: str) -> int:
        pos = skip(pos)
        locations.setdefault(pointer, where(pos))
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            while text[pos] != "}":
                match = _JSON_STRING.match(text, pos)
                if match is None:
                    raise ValueError("key expected")
                child = f"{pointer}/{escape_token(json.loads(match.group(0)))}"
                locations[child] = where(pos)
                pos = skip(match.end())
                pos = skip(value(pos + 1, child))
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return pos + 1
        if char == "[":
            pos, i = skip(pos + 1), 0
            while text[pos] != "]":
                pos = skip(value(pos, f"{pointer}/{i}"))
                i += 1
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return pos + 1
        match = (_JSON_STRING if char == '"' else _JSON_SCALAR).match(text, pos)
        if match is None:
            raise ValueError("value expected")
        return match.end()

    value(0, "")
    return locations
