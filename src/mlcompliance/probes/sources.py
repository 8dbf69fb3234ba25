"""Facts about the evidence's sources: which third-party files were adapted, where they disagree.

``/observed/sources`` (docs/adapters.md): ``files`` (each adapted file with its adapter, the
native documents it fed and its sha256), ``conflicts`` (a native pointer two sources give
different values for: every value with file, line and adapter; the first is the one kept) and
``missing`` (fields a source left as a template placeholder such as ``[More Information
Needed]``) and ``summary`` (the first conflicting pointer and how many more, for messages). For pack test fixtures (in-memory ``files``) the adapters read those files and
their values are compared with the fixture's evidence. Rules decide what a conflict means.
"""
from __future__ import annotations

from typing import Any

from mlcompliance.evidence.adapters import adapt_mapping
from mlcompliance.evidence.adapters.base import Adapted
from mlcompliance.evidence.adapters.merge import (
    NATIVE,
    Merged,
    Source,
    adapted_locator,
    merge,
    order,
)
from mlcompliance.evidence.project import KINDS, Project

ROOT = "/observed/sources"


def observe_sources(project: Project, files: dict[str, bytes] | None) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """(facts, location index) for ``/observed/sources``."""
    if files is None:
        adapted, merged = project.sources.adapted, project.sources.merged
    else:
        adapted, merged = _fixture(project, files)
    index: dict[str, tuple[str, int]] = {}
    listed: dict[str, dict[str, Any]] = {}
    for a in adapted:
        entry = listed.setdefault(a.source, {"path": a.source, "adapter": a.adapter, "kinds": [], "sha256": a.sha256})
        if a.kind not in entry["kinds"]:
            entry["kinds"].append(a.kind)
    facts: dict[str, Any] = {"files": [listed[p] for p in sorted(listed)], "conflicts": [], "missing": []}
    for n, path in enumerate(sorted(listed)):
        index[f"{ROOT}/files/{n}"] = (path, 1)
    for kind in KINDS:
        for conflict in merged[kind].conflicts if kind in merged else []:
            n = len(facts["conflicts"])
            facts["conflicts"].append(conflict)
            other = conflict["values"][1]
            index[f"{ROOT}/conflicts/{n}"] = (other["file"], other["line"])
            if n == 0:
                index[f"{ROOT}/conflicts"] = (other["file"], other["line"])
    conflicts = facts["conflicts"]
    facts["summary"] = "none" if not conflicts else conflicts[0]["pointer"] + (
        f" and {len(conflicts) - 1} more" if len(conflicts) > 1 else "")
    for a in adapted:
        for pointer in a.missing:
            origin = adapted_locator(a)(pointer)
            index[f"{ROOT}/missing/{len(facts['missing'])}"] = (a.source, origin[0])
            facts["missing"].append({"pointer": f"/{a.kind}{pointer}", "file": a.source, "line": origin[0],
                                     "adapter": a.adapter})
    return facts, index


def _fixture(project: Project, files: dict[str, bytes]) -> tuple[list[Adapted], dict[str, Merged]]:
    adapted = order(adapt_mapping(files, project.settings), [])
    merged: dict[str, Merged] = {}
    for kind in KINDS:
        fragments = [a for a in adapted if a.kind == kind]
        if fragments:
            native = project.bundle.get(kind) or {}
            sources = [Source(f"{kind}.yaml", NATIVE, native, lambda p: (1, 1))]
            sources += [Source(a.source, a.adapter, a.value, adapted_locator(a)) for a in fragments]
            merged[kind] = merge(kind, sources)
    return adapted, merged
