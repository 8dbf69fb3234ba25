"""Shared by the pipeline adapters (MLflow, DVC, CI): YAML with locations, and drafting located values.

``load_yaml`` parses through the project's own loader (safe, line-keeping, alias-bomb guarded);
``Draft`` sets a native value at a JSON pointer and remembers the file:line:column it came from.
Both are pure functions of the text, so the repository probe can reuse the same parsers.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.adapters.base import Adapted, Origin
from mlcompliance.evidence.loader import escape_token, parse_text

At = Callable[[str], tuple[int, int]]


def load_yaml(path: str, text: str) -> tuple[Any, At]:
    """(value, at): the parsed YAML and ``at(pointer) -> (line, column)`` (nearest ancestor)."""
    try:
        doc = parse_text(text, path, "yaml")
    except RecursionError:
        raise InputError("nested too deeply to read", file=path, line=1,
                         expected="a configuration file of sane depth") from None
    return doc.value, doc.location


def expect_mapping(value: Any, path: str, what: str, at: At, pointer: str = "") -> dict[str, Any]:
    """``value`` when it is a mapping; otherwise an InputError at ``pointer``'s line."""
    if isinstance(value, dict):
        return value
    line, col = at(pointer)
    kind = "empty" if value is None else type(value).__name__.replace("str", "text").replace("list", "a list")
    raise InputError(f"{what} is {kind}, not a mapping", file=path, line=line, column=col,
                     expected=f"{what} as a YAML mapping")


def ptr(*tokens: Any) -> str:
    """A JSON pointer from raw tokens (escaped)."""
    return "".join("/" + escape_token(str(t)) for t in tokens)


class Draft:
    """Builds one ``Adapted``: ``put`` a native pointer's value with the (line, column) it came from."""

    def __init__(self, kind: str, adapter: str, source: str) -> None:
        self.out = Adapted(kind, adapter, source, {})

    def put(self, pointer: str, value: Any, at: tuple[int, int], file: str | None = None) -> None:
        """Set ``pointer`` to ``value``; ``file`` when the value came from another file than the source."""
        node: Any = self.out.value
        tokens = pointer[1:].split("/")
        for i, token in enumerate(tokens):
            key: Any = token.replace("~1", "/").replace("~0", "~")
            last = i == len(tokens) - 1
            if isinstance(node, list):
                key = int(key)
                while len(node) <= key:
                    node.append({})
                if last:
                    node[key] = value
                else:
                    node = node[key]
                continue
            if last:
                node[key] = value
            else:
                nxt = tokens[i + 1]
                node = node.setdefault(key, [] if nxt.isdigit() else {})
        self.out.origins[pointer] = Origin(file or self.out.source, at[0], at[1], self.out.adapter)

    def result(self) -> Adapted | None:
        return self.out if self.out.value else None


def epoch_ms(value: Any) -> str | None:
    """An MLflow millisecond timestamp as an ISO 8601 UTC instant (``2024-11-13T07:54:35.675Z``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        ms = int(value)
        stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def block_lines(text: str, line: int, source_lines: list[str]) -> list[tuple[int, str]]:
    """(line, text) of each non-empty line of a YAML scalar that starts at ``line``: a literal
    block (``|``) keeps one source line per text line; other scalars are located at ``line``."""
    raw = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
    literal = raw.rstrip().rstrip("+-0123456789").endswith("|")
    out = []
    for i, part in enumerate(text.splitlines()):
        if part.strip():
            out.append((line + 1 + i if literal else line, part.strip()))
    return out
