"""Renderers: pure functions from a result dict to text. Nothing here reads files or clocks.

Each format's module is imported only when that format is asked for, so a CI gate that
prints text never pays for Jinja2.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_MODULES = {
    "text": "text",
    "json": "json_format",
    "md": "markdown",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
}


class _Renderers(Mapping[str, Callable[[dict[str, Any]], str]]):
    def __getitem__(self, name: str) -> Callable[[dict[str, Any]], str]:
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
        return module.render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


RENDERERS = _Renderers()
