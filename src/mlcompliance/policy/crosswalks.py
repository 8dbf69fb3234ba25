"""Crosswalks: pack requirements mapped to the controls of other frameworks (docs/crosswalks.md).

Two kinds of data file, both under ``policies/crosswalks/`` and validated by a JSON Schema:

- ``frameworks/*.yaml`` (framework.schema.json): a vendored list of one framework's control ids
  (ISO/IEC 42001:2023 Annex A, NIST AI RMF 1.0), with provenance in the file's header;
- ``*.yaml`` (crosswalk.schema.json): entries ``pack, requirement, control, relationship,
  rationale`` for one framework, read "requirement <relationship> control".

Every mapped control id must be in the framework's list, and every requirement id must exist in
some installed version of its pack (a crosswalk is keyed by requirement id, so it applies to every
version of the pack that has the requirement). Anything else is an input error with file:line.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import Document, load_file
from mlcompliance.evidence.schemas import validate_document

RELATIONSHIPS = ("equal", "subset", "superset", "intersects")
"""How a requirement relates to a control, read "requirement <relationship> control"."""
COVERING = ("equal", "superset")
"""Relationships under which the requirement asks for everything the control asks."""


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    group: str | None


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: str
    version: str
    publisher: str | None
    url: str | None
    controls: tuple[Control, ...]
    file: str

    def control(self, cid: str) -> Control | None:
        return next((c for c in self.controls if c.id == cid), None)


@dataclass(frozen=True, slots=True)
class Mapping:
    pack: str
    requirement: str
    control: str
    relationship: str
    rationale: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Crosswalk:
    framework: Framework
    mappings: tuple[Mapping, ...]
    file: str

    def for_control(self, cid: str) -> list[Mapping]:
        return [m for m in self.mappings if m.control == cid]


def crosswalk_dir() -> Path:
    from mlcompliance.resources import policies_dir
    return policies_dir() / "crosswalks"


@cache
def _framework_files(base: Path) -> dict[str, Path]:
    """Framework id -> its vendored id list."""
    out: dict[str, Path] = {}
    for path in sorted((base / "frameworks").glob("*.yaml")):
        doc = _load(path, "framework")
        out[doc.value["framework"]["id"]] = path
    return out


@cache
def _crosswalk_files(base: Path) -> dict[str, Path]:
    """Framework id -> the crosswalk file mapping pack requirements to it."""
    out: dict[str, Path] = {}
    for path in sorted(base.glob("*.yaml")):
        doc = _load(path, "crosswalk")
        fid = doc.value["framework"]
        if fid in out:
            raise InputError(f"a second crosswalk for framework '{fid}' (the first is {out[fid].name})",
                             file=str(path), line=doc.location("/framework")[0], expected="one crosswalk file per framework")
        out[fid] = path
    return out


def available(base: Path | None = None) -> list[str]:
    """The framework ids that have both a vendored id list and a crosswalk (``base``: the
    directory holding them, default the built-in ``policies/crosswalks``)."""
    base = base or crosswalk_dir()
    return sorted(set(_framework_files(base)) & set(_crosswalk_files(base)))


def _load(path: Path, schema: str) -> Document:
    doc = load_file(path, str(path))
    validate_document(doc, schema)
    return doc


def load_framework(fid: str, base: Path | None = None) -> Framework:
    base = base or crosswalk_dir()
    files = _framework_files(base)
    if fid not in files or fid not in _crosswalk_files(base):
        raise _unknown(fid, base)
    return _framework(files[fid])


@cache
def _framework(path: Path) -> Framework:
    doc = _load(path, "framework")
    head = doc.value["framework"]
    controls = []
    seen: set[str] = set()
    for i, c in enumerate(doc.value["controls"]):
        if c["id"] in seen:
            raise InputError(f"duplicate control id '{c['id']}'", file=str(path), line=doc.location(f"/controls/{i}/id")[0],
                             expected="each control once")
        seen.add(c["id"])
        controls.append(Control(c["id"], c["title"], c.get("group")))
    return Framework(id=head["id"], title=head["title"], version=head["version"], publisher=head.get("publisher"),
                     url=head.get("url"), controls=tuple(controls), file=path.name)


def requirement_ids(sources: Iterable[object]) -> dict[str, set[str]]:
    """Pack id -> every requirement id any installed version of it declares (from the discovered
    pack sources' manifests; a manifest that could not be read contributes nothing)."""
    out: dict[str, set[str]] = {}
    for src in sources:
        ids = out.setdefault(src.id, set())  # type: ignore[attr-defined]
        manifest = getattr(src, "manifest", None)
        value = manifest.value if manifest is not None else None
        if isinstance(value, dict):
            ids.update(r["id"] for r in value.get("requirements") or () if isinstance(r, dict) and isinstance(r.get("id"), str))
    return out


def load(fid: str, known: dict[str, set[str]], base: Path | None = None) -> Crosswalk:
    """The crosswalk of framework ``fid``, every entry checked: its control in the vendored list,
    its requirement in some installed version of its pack (``known``: ``requirement_ids``), its
    (pack, requirement, control) not repeated."""
    base = base or crosswalk_dir()
    framework = load_framework(fid, base)
    path = _crosswalk_files(base)[fid]
    doc = _load(path, "crosswalk")
    ids = {c.id for c in framework.controls}
    mappings = []
    seen: set[tuple[str, str, str]] = set()
    for i, m in enumerate(doc.value["mappings"]):
        line = doc.location(f"/mappings/{i}")[0]
        if m["control"] not in ids:
            guess = difflib.get_close_matches(m["control"], sorted(ids), n=1)
            raise InputError(f"control '{m['control']}' is not in the {framework.title} list ({framework.file})"
                             + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=str(path), line=line,
                             expected=f"a control id of {framework.file}")
        if m["pack"] not in known:
            raise InputError(f"unknown policy pack '{m['pack']}'", file=str(path), line=line,
                             expected="one of " + ", ".join(sorted(known)))
        if m["requirement"] not in known[m["pack"]]:
            guess = difflib.get_close_matches(m["requirement"], sorted(known[m["pack"]]), n=1)
            raise InputError(f"requirement '{m['requirement']}' is in no installed version of pack '{m['pack']}'"
                             + (f" (did you mean '{guess[0]}'?)" if guess else ""), file=str(path), line=line,
                             expected="a requirement id from `mlcompliance packs show " + m["pack"] + "`")
        key = (m["pack"], m["requirement"], m["control"])
        if key in seen:
            raise InputError(f"{m['pack']} {m['requirement']} is mapped to {m['control']} twice", file=str(path),
                             line=line, expected="one entry per requirement and control")
        seen.add(key)
        mappings.append(Mapping(m["pack"], m["requirement"], m["control"], m["relationship"], m["rationale"], line))
    return Crosswalk(framework=framework, mappings=tuple(mappings), file=path.name)


def _unknown(fid: str, base: Path) -> InputError:
    names = available(base)
    guess = difflib.get_close_matches(fid, names, n=1)
    return InputError(f"unknown framework '{fid}'" + (f" (did you mean '{guess[0]}'?)" if guess else ""),
                      expected="one of " + ", ".join(names))
