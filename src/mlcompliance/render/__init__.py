"""Renderers: pure functions from a result dict to text. Nothing here reads files or clocks.

Each format's module is imported only when that format is asked for, so a CI gate that
prints text never pays for Jinja2.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

_MODULES = {
    "text": "text",
    "json": "json_format",
    "md": "markdown",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "csv": "csv_format",
}


class _Renderers(Mapping[str, Callable[..., str]]):
    """format name -> render(result, **options) for one project's result (a portfolio is
    streamed through the sinks of :mod:`mlcompliance.render.portfolio` instead)."""

    def __getitem__(self, name: str) -> Callable[..., str]:
        return importlib.import_module(f"{__name__}.{_MODULES[name]}").render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


RENDERERS = _Renderers()
