"""Claims that cannot be checked count as missing: placeholders and references to absent files.

After loading, :func:`strip_unverifiable` takes out of the bundle every string that is a
placeholder (``TBD``, ``[More Information Needed]``, ``<fill in>``, ``-``, whitespace ...) and
every reference (a field of the evidence schemas' ``$defs/ref``) that names a project path
which is not a file inside the project. Every rule, condition and named check then sees
them as absent, with no per-rule code. What was taken out is recorded as facts under
``/observed/placeholders`` (value, reason, file:line:column) so a finding can still say what
was seen and where. The files themselves are never modified. Documented in docs/evidence.md.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from mlcompliance.evidence.loader import Document, escape_token

ROOT = "/observed/placeholders"
HOW = ("string values of the evidence that are placeholders (docs/evidence.md), and references "
       "($defs/ref fields) naming a project path that is not a file inside the project; both are "
       "removed from the evidence the rules read")

# Compared case-insensitively after trimming whitespace and one pair of enclosing brackets.
PLACEHOLDER_WORDS = frozenset({
    "tbd", "tbc", "tba", "todo", "fixme", "xxx", "n/a", "placeholder", "fill in", "fill me in",
    "to be determined", "to be confirmed", "to be completed", "to be defined", "to do",
    "more information needed", "more info needed", "not yet available", "pending",
})
# Only dashes, dots, question marks, underscores or nothing: "", "-", "—", "???", "...", "___".
_PUNCTUATION_ONLY = re.compile(r"^[\s\-\u2010-\u2015.?_…]*$")
# A template slot: "<fill in>", "<your name>", "{{ owner }}".
_SLOT = re.compile(r"^(<[^<>]*>|\{\{[^{}]*\}\})$")
# A marker followed by an explanation: "TBD: pending legal review", "TODO - write".
_PREFIXED = re.compile(r"^(tbd|tbc|todo|fixme)\b\s*[:\-\u2013\u2014(]", re.IGNORECASE)
_BRACKETS = {"[": "]", "(": ")", "<": ">", "{": "}"}

# A URL or URN: a scheme of two or more characters, then ":" (a Windows drive letter is not one).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")
# File name endings that make a slash-free reference a file name rather than a document id.
DOCUMENT_EXTENSIONS = frozenset({
    "md", "markdown", "rst", "txt", "adoc", "pdf", "html", "htm", "doc", "docx", "odt", "rtf", "xls",
    "xlsx", "ods", "csv", "tsv", "json", "yaml", "yml", "xml", "ipynb", "ppt", "pptx", "odp", "png",
    "jpg", "jpeg", "svg"})


def placeholder(value: Any) -> bool:
    """True for a string that says nothing yet (see PLACEHOLDER_WORDS and the patterns above)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) > 32 and text[0].isalnum() and not _PREFIXED.match(text):
        return False   # the quick answer for ordinary text (the words above are shorter)
    if _PUNCTUATION_ONLY.match(text) or _SLOT.match(text) or _PREFIXED.match(text):
        return True
    if len(text) >= 2 and _BRACKETS.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
        if _PUNCTUATION_ONLY.match(text):
            return True
    return text.lower().rstrip(".!") in PLACEHOLDER_WORDS


def reference_kind(value: str) -> str:
    """``url`` (has a scheme), ``path`` (names a file in the project) or ``id`` (a document id).

    A reference is a path when its first word (a description may follow) starts with ``/``,
    ``./``, ``\\`` or ``~``, contains a ``/`` or ``\\``, or ends with a DOCUMENT_EXTENSIONS ending.
    """
    text = value.strip()
    if _SCHEME.match(text):
        return "url"
    word = text.split("#", 1)[0].split()[0] if text.split("#", 1)[0].split() else ""
    if not word:
        return "id"
    if word.startswith(("/", "\\", "~", "./")) or "/" in word or "\\" in word:
        return "path"
    _, dot, ext = word.rpartition(".")
    return "path" if dot and ext.lower() in DOCUMENT_EXTENSIONS else "id"


def missing_file(root: Path, value: str) -> str | None:
    """Why the project path ``value`` names no file inside ``root`` (None when it does).

    The whole value (without ``#fragment``) is tried first, so a path with spaces works;
    otherwise its first word is the path and the rest a description."""
    text = value.strip().split("#", 1)[0].strip()
    candidates = [text] + ([text.split()[0]] if len(text.split()) > 1 else [])
    reason = None
    for rel in candidates:
        reason = _file_problem(root, rel)
        if reason is None:
            return None
    return reason


def _file_problem(root: Path, rel: str) -> str | None:
    if rel.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", rel):
        return f"'{rel}' is an absolute path, not a file inside the project"
    parts = re.split(r"[\\/]", rel)
    if ".." in parts:
        return f"'{rel}' leaves the project directory"
    path = root.joinpath(*[p for p in parts if p not in ("", ".")])
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return f"'{rel}' is a symbolic link leading outside the project"
    if not os.path.isfile(real):
        return f"'{rel}' is not a file in the project"
    return None


@cache
def reference_patterns(kind: str) -> tuple[tuple[str, ...], ...]:
    """Token patterns (``*`` = any key or index) of the fields of schema ``kind`` that are refs."""
    from mlcompliance.evidence.schemas import schema
    whole = schema(kind)
    defs = whole.get("$defs", {})
    found: set[tuple[str, ...]] = set()

    def walk(node: Any, path: tuple[str, ...], stack: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, path, stack)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref == "#/$defs/ref":
            found.add(path)
        elif isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] not in stack:
            walk(defs.get(ref[8:]), path, stack + (ref[8:],))
        for key, child in (node.get("properties") or {}).items():
            walk(child, path + (key,), stack)
        for child in (node.get("patternProperties") or {}).values():
            walk(child, path + ("*",), stack)
        for key in ("additionalProperties", "items"):
            if isinstance(node.get(key), dict):
                walk(node[key], path + ("*",), stack)
        for key in ("anyOf", "oneOf", "allOf", "then", "else"):
            if key in node:
                walk(node[key], path, stack)
    walk(whole, (), ())
    return tuple(sorted(found))


@cache
def _reference_trie(kind: str) -> dict[Any, Any]:
    """reference_patterns as a trie (token -> subtrie; the key None marks a reference field)."""
    trie: dict[Any, Any] = {}
    for pattern in reference_patterns(kind):
        node = trie
        for token in pattern:
            node = node.setdefault(token, {})
        node[None] = True
    return trie


_Nodes = tuple  # the trie nodes a position in the document matches (a key and ``*`` may both)


class _Walk:
    """One pass over one document: the cleaned value, what was removed, and moved list items."""

    def __init__(self, kind: str, file_problem: Callable[[str], str | None] | None) -> None:
        self.kind = kind
        self.file_problem = file_problem
        self.removed: list[tuple[str, str, Any, str]] = []   # (bundle pointer, in-file pointer, value, reason)
        self.moved: dict[str, str] = {}                       # new in-file pointer -> original one
        self.top: _Nodes = (_reference_trie(kind),) if file_problem is not None else ()

    @staticmethod
    def below(nodes: _Nodes, token: str) -> _Nodes:
        return tuple(n[t] for n in nodes for t in (token, "*") if t in n)

    def why(self, nodes: _Nodes, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if placeholder(value):
            shown = value.strip()
            return "empty value counts as missing" if not shown else f"placeholder '{shown}' counts as missing"
        if nodes and any(None in n for n in nodes) and reference_kind(value) == "path":
            problem = self.file_problem(value)  # type: ignore[misc]
            if problem:
                return f"reference {problem}, so it counts as missing"
        return None

    def clean(self, node: Any, new: str, old: str, nodes: _Nodes) -> Any:
        if new != old:
            self.moved[new] = old
        if isinstance(node, dict):
            out = {}
            for key, child in node.items():
                below = self.below(nodes, key) if nodes else ()
                n, o = f"{new}/{escape_token(key)}", f"{old}/{escape_token(key)}"
                reason = self.why(below, child)
                if reason:
                    self.removed.append((f"/{self.kind}{n}", o, child, reason))
                    continue
                out[key] = self.clean(child, n, o, below) if isinstance(child, (dict, list)) else child
                if new != old and not isinstance(child, (dict, list)):
                    self.moved[n] = o
            return out
        if isinstance(node, list):
            items = []
            for i, child in enumerate(node):
                below = self.below(nodes, str(i)) if nodes else ()
                reason = self.why(below, child)
                if reason:
                    self.removed.append((f"/{self.kind}{new}/{i}", f"{old}/{i}", child, reason))
                    continue
                items.append(self.clean(child, f"{new}/{len(items)}", f"{old}/{i}", below))
            return items
        return node


def strip_unverifiable(bundle: dict[str, Any], documents: dict[str, Document | None],
                       file_problem: Callable[[str], str | None] | None
                       ) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """Clean ``bundle``'s documents in place; return (facts, location index) for ``/observed/placeholders``.

    ``file_problem(value)`` says why a path reference names no project file (None: it does);
    without it (pack test fixtures have no project directory) references are not checked.
    A removed list item shifts the items after it: the document's location index is re-keyed
    so their findings still point at their own lines."""
    items: list[dict[str, Any]] = []
    index: dict[str, tuple[str, int]] = {}
    for kind in sorted(bundle):
        if kind == "observed" or not isinstance(bundle[kind], (dict, list)):
            continue
        walk = _Walk(kind, file_problem)
        bundle[kind] = walk.clean(bundle[kind], "", "", walk.top)
        doc = documents.get(kind)
        for pointer, inner, value, reason in walk.removed:
            line, column = doc.location(inner) if doc is not None else (1, 1)
            file = doc.path if doc is not None else f"{kind}.yaml"
            index[f"{ROOT}/items/{len(items)}"] = (file, line)
            items.append({"pointer": pointer, "value": value, "reason": reason, "file": file, "line": line,
                          "column": column})
        if walk.moved and doc is not None:
            _rekey(doc, walk.moved)
    if items:
        index[ROOT] = index[f"{ROOT}/items/0"]
    return {"how": HOW, "items": items}, index


def _rekey(doc: Document, moved: dict[str, str]) -> None:
    """Point every moved pointer (and what is under it) at its original location."""
    doc.location("")   # builds the index of a JSON document
    original = dict(doc._locations or {})
    updated = dict(original)
    for new, old in moved.items():
        if old in original:
            updated[new] = original[old]
    doc._locations = updated


def related(items: list[dict[str, Any]], pointer: str, whole: bool) -> list[dict[str, Any]]:
    """The removed values a violation at ``pointer`` is about: at the pointer, or (``whole``: the
    value there is missing or empty) anywhere under it."""
    return [item for item in items if item["pointer"] == pointer
            or (whole and item["pointer"].startswith(pointer + "/"))]


def note(item: dict[str, Any]) -> str:
    """``FILE:LINE:COLUMN: reason`` of a removed value."""
    return f"{item['file']}:{item['line']}:{item['column']}: {item['reason']}"

