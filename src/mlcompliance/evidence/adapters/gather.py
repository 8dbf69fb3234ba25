"""A project's third-party files -> native documents merged with its own evidence files.

``gather`` adapts the files ``mlcompliance.yaml`` names (``evidence.*`` pointing at a
third-party file, ``sources:``), then the ones detection finds, merges each native kind
(``merge.py``) and validates the result against the native schema, reporting a violation at
the original file:line of the value that caused it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence import adapters as registry
from mlcompliance.evidence.adapters.base import Adapted
from mlcompliance.evidence.adapters.merge import (
    NATIVE,
    Merged,
    Source,
    adapted_locator,
    merge,
    order,
)
from mlcompliance.evidence.loader import Document

KINDS = ("model_card", "data_manifest", "pipeline")


@dataclass
class Gathered:
    merged: dict[str, Merged] = field(default_factory=dict)    # kinds some adapter contributed to
    adapted: list[Adapted] = field(default_factory=list)        # in precedence order
    explicit: list[str] = field(default_factory=list)            # files named in mlcompliance.yaml


def claimed(root: Path, rel: str, settings: dict[str, Any]) -> str | None:
    """The adapter that claims an evidence file named in ``evidence.*`` (None: a native file)."""
    head = registry._head(root, rel)
    return None if head is None else registry.claimer(rel, head, registry.enabled(settings))


def gather(root: Path, settings: dict[str, Any], config: Document | None, documents: dict[str, Document | None],
           named: list[tuple[str, str | None, str]]) -> Gathered:
    """``named``: (path, adapter or None, pointer in mlcompliance.yaml) of files named as evidence."""
    out = Gathered()
    wanted = list(named)
    for i, src in enumerate(settings.get("sources") or []):
        wanted.append((src["path"], src.get("adapter"), f"/sources/{i}"))
    for rel, name, pointer in wanted:
        if rel in out.explicit:
            continue
        _check_named(root, rel, name, pointer, config)
        try:
            out.adapted += registry.adapt_file(root, rel, name)
        except InputError as err:
            if err.message == "no adapter recognises this file" and config is not None:
                line, col = config.location(pointer)
                raise InputError(f"'{rel}' is neither native evidence nor a format an adapter reads",
                                 file=config.path, line=line, column=col,
                                 expected="an adapter name in sources[].adapter: " + ", ".join(registry.names())) \
                    from None
            raise
        out.explicit.append(rel)
    skip = tuple(out.explicit) + tuple(d.path for d in documents.values() if d is not None) \
        + ("mlcompliance.yaml", "mlcompliance.yml")
    out.adapted += registry.detect_except(root, settings, skip)
    out.adapted = order(out.adapted, out.explicit)
    for kind in KINDS:
        fragments = [a for a in out.adapted if a.kind == kind]
        if not fragments:
            continue
        sources = []
        doc = documents.get(kind)
        if doc is not None:
            sources.append(Source(doc.path, NATIVE, doc.value, doc.location))
        sources += [Source(a.source, a.adapter, a.value, adapted_locator(a)) for a in fragments]
        merged = merge(kind, sources)
        validate(merged)
        out.merged[kind] = merged
    return out


def _check_named(root: Path, rel: str, name: str | None, pointer: str, config: Document | None) -> None:
    from mlcompliance.evidence.project import resolve_inside

    where: dict[str, Any] = {}
    if config is not None:
        line, col = config.location(pointer)
        where = {"file": config.path, "line": line, "column": col}
    if name is not None and name not in registry.names():
        what = "is not installed in this version" if name in registry._MODULES else "is unknown"
        raise InputError(f"adapter '{name}' {what}", **where, expected="one of: " + ", ".join(registry.names()))
    path = resolve_inside(root, rel, rel)
    if not path.exists():
        raise InputError(f"source file '{rel}' not found", **where, expected="an existing file inside the project")


def validate(merged: Merged) -> None:
    """The merged document must be valid native evidence; a violation is reported where its value came from."""
    from mlcompliance.evidence.schemas import (
        _error_pointer,
        describe_error,
        fast_validator,
        leaf,
        validator,
    )

    quick = fast_validator(merged.kind)
    if quick is not None and quick(merged.value):
        return
    check = validator(merged.kind)
    errors = [leaf(e) for e in check.iter_errors(merged.value)]
    if not errors:
        return
    located = sorted((merged.locate(_error_pointer(e)), i, e) for i, e in enumerate(errors))
    (file, line, column, adapter), _, err = located[0]
    message, expected = describe_error(err)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    what = merged.kind if adapter == NATIVE else f"{merged.kind} drafted by the {adapter} adapter"
    raise InputError(f"{what}: {message}{more}", file=file, line=line,
                     column=column, expected=expected)
