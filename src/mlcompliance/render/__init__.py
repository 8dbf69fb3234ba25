"""Renderers: pure functions from the typed result (``result.model.Result``) to text. Nothing
here reads files or clocks, and nothing computes a figure that scoring has not computed.

May import: ``result`` (the typed result and its codec), ``vocab`` and below.

Each format's module is imported only when that format is asked for, so a CI gate that
prints text never pays for Jinja2. A name that is not built in is looked up among the
installed ``mlcompliance.renderers`` plug-ins (``render.plugin``), and only then.
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
    "csv": "csv_format",
    "requirements-csv": "requirements_csv",
    "attestations-csv": "attestations_csv",
    "oscal": "oscal",
}


BUILTIN = tuple(_MODULES)


class _Renderers(Mapping[str, Callable[..., str]]):
    """format name -> render(result, **options) for one project's result: a typed Result, or its
    JSON form (decoded by ``result.codec``). A portfolio is streamed through the sinks of
    :mod:`mlcompliance.render.portfolio` instead. Iterating gives the built-in formats; a
    plug-in format is found by name (KeyError when none)."""

    def __getitem__(self, name: str) -> Callable[..., str]:
        if name not in _MODULES:
            from mlcompliance.render import plugin
            found = plugin.load(name)
            if found is None:
                raise KeyError(name)
            return found
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")

        def render(result: Any, **options: Any) -> str:
            if isinstance(result, dict):
                from mlcompliance.result.codec import from_dict
                result = from_dict(result)
            return module.render(result, **options)
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


RENDERERS = _Renderers()


def installed_formats() -> list[str]:
    """Formats offered by installed plug-ins (read from metadata; nothing is imported)."""
    from mlcompliance import plugins
    return [name for name in plugins.names(plugins.RENDERERS) if name not in _MODULES]
