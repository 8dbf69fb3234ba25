"""JSON pointers (RFC 6901) with one extension for scopes: a ``*`` token visits every item."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlcompliance.evidence.loader import escape_token, pointer_tokens

_MISSING = object()


def join(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape_token(str(token))}"


def get(root: Any, pointer: str, default: Any = _MISSING) -> Any:
    node = root
    for token in pointer_tokens(pointer):
        if isinstance(node, dict):
            if token not in node:
                return default
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return default
            node = node[int(token)]
        else:
            return default
    return node


def exists(root: Any, pointer: str) -> bool:
    return get(root, pointer) is not _MISSING


MISSING = _MISSING


def expand(root: Any, pattern: str) -> Iterator[tuple[str, Any]]:
    """Yield (pointer, value) for every node matching ``pattern`` (``*`` = any key or index)."""
    yield from _expand(root, "", pointer_tokens(pattern))


def _expand(node: Any, here: str, tokens: list[str]) -> Iterator[tuple[str, Any]]:
    if not tokens:
        yield here, node
        return
    token, rest = tokens[0], tokens[1:]
    if token == "*":
        if isinstance(node, dict):
            for key, child in node.items():
                yield from _expand(child, join(here, key), rest)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from _expand(child, join(here, i), rest)
        return
    child = get(node, "/" + escape_token(token))
    if child is not _MISSING:
        yield from _expand(child, join(here, token), rest)
