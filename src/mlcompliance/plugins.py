"""Plug-ins: entry points of installed distributions, looked up one name at a time.

Three groups extend mlcompliance: ``mlcompliance.checks`` (named checks),
``mlcompliance.renderers`` (output formats) and ``mlcompliance.packs`` (directories of
policy packs). Nothing here runs at import time: reading the installed distributions'
metadata costs about 10 ms (``importlib.metadata`` included), so callers come here only
when a name misses the built-ins, and only the entry point of that name is imported.
:func:`installed` lists a group from metadata alone, without importing any plug-in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlcompliance.errors import InputError

CHECKS = "mlcompliance.checks"
RENDERERS = "mlcompliance.renderers"
PACKS = "mlcompliance.packs"
GROUPS = (CHECKS, RENDERERS, PACKS)


@dataclass(frozen=True)
class Plugin:
    """One entry point, as its distribution's metadata declares it (nothing imported)."""
    group: str
    name: str
    value: str            # "module:attribute"
    distribution: str     # "?" when the metadata does not say
    version: str
    entry_point: Any = field(default=None, compare=False, repr=False)

    @property
    def origin(self) -> str:
        return f"{self.distribution} {self.version}"

    def describe(self) -> str:
        return f"entry point '{self.name}' = {self.value} of {self.origin}"


class PluginError(InputError):
    """A plug-in that is ambiguous, fails to import, or breaks its contract."""

    def __init__(self, message: str, plugin: Plugin | None = None) -> None:
        super().__init__(message, file=None if plugin is None else plugin.group)
        self.plugin = plugin


def installed(group: str) -> list[Plugin]:
    """Every entry point of ``group``, sorted by name and distribution; nothing is imported."""
    import importlib.metadata
    found = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = getattr(ep, "dist", None)
        found.append(Plugin(group, ep.name, ep.value, getattr(dist, "name", None) or "?",
                            getattr(dist, "version", None) or "?", ep))
    return sorted(set(found), key=lambda p: (p.name, p.distribution, p.value))


def find(group: str, name: str) -> Plugin | None:
    """The one entry point called ``name`` in ``group``, None if none; two are refused."""
    matches = [p for p in installed(group) if p.name == name]
    if len(matches) > 1:
        raise PluginError(f"{len(matches)} installed distributions provide '{name}' in {group}: "
                          + "; ".join(p.describe() for p in matches) + " (uninstall all but one)", matches[0])
    return matches[0] if matches else None


def load(plugin: Plugin) -> Any:
    """Import the object behind ``plugin``; any failure is the installation's problem, reported
    in one line with the distribution, not as a traceback."""
    try:
        return plugin.entry_point.load()
    except Exception as exc:  # whatever the plug-in's import raises
        raise PluginError(f"{plugin.describe()} failed to import: {type(exc).__name__}: {exc}", plugin) from None


def names(group: str) -> list[str]:
    """Names offered in ``group`` (for "expected: ..." messages)."""
    return sorted({p.name for p in installed(group)})
