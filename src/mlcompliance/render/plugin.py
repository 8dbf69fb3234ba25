"""Renderer plug-ins: output formats from the ``mlcompliance.renderers`` entry point group.

The contract is the public one, not the engine's: a plug-in renderer is a function
``render(result: dict, **options) -> str`` that receives the result exactly as
``--format json`` prints it, parsed (the shape of ``schemas/result.schema.json``, versioned by
``result_version``), whatever the internal representation of the result is. :func:`json_ready`
is the one adapter at that boundary. Options are keyword arguments (none are defined yet; a
renderer should accept and ignore unknown ones). A portfolio is refused: its shape is not public.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mlcompliance.errors import InputError


def json_ready(result: Any) -> dict[str, Any]:
    """The result as the JSON-ready dict that ``--format json`` gives (a fresh copy: a plug-in
    cannot change what another renderer sees)."""
    from mlcompliance.render.json_format import render
    return json.loads(render(result))


def load(name: str) -> Callable[..., str] | None:
    """The installed renderer called ``name``, wrapped so that it meets the contract, or None
    when no distribution provides it (only that one entry point is imported)."""
    from mlcompliance import plugins
    plugin = plugins.find(plugins.RENDERERS, name)
    if plugin is None:
        return None
    function = plugins.load(plugin)
    if not callable(function):
        raise plugins.PluginError(f"{plugin.describe()} is a {type(function).__name__}, not a function "
                                  "render(result, **options) -> str", plugin)

    def render(result: Any, **options: Any) -> str:
        data = json_ready(result)
        if data.get("portfolio"):
            raise InputError(f"format '{name}' ({plugin.origin}) renders one project's result, not a portfolio",
                             expected="a built-in format for a portfolio, e.g. json, md, html")
        try:
            text = function(data, **options)
        except Exception as exc:  # the plug-in's bug, reported as such, in one line
            raise plugins.PluginError(f"{plugin.describe()} failed: {type(exc).__name__}: {exc}", plugin) from None
        if not isinstance(text, str):
            raise plugins.PluginError(f"{plugin.describe()} returned a {type(text).__name__}, not text", plugin)
        return text
    render.plugin = plugin  # type: ignore[attr-defined]
    return render
