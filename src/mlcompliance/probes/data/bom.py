"""Hashes a CycloneDX BOM in the project records for a dataset's file.

``bom_hashes(project, files)`` finds the BOMs the CycloneDX adapter would read (its file
patterns: ``bom.json``, ``*.cdx.json``, ``*bom*.json``, one folder deep; a JSON document with
``"bomFormat": "CycloneDX"``, at most the adapter's 8 MiB), walks their components as the adapter
does (``metadata.component``, ``components``, nested two levels) and, for every component of
``type: data`` that has ``hashes``, maps each of its locations to the hash:

- the component's ``name``, each ``data[].name`` and ``data[].contents.url``, and every
  ``properties[].value``; a location is compared with the dataset's ``path`` as written, after
  removing a ``file://`` or ``file:`` scheme and a leading ``./`` (a remote URL names another
  copy, not this file, and is never matched by its last segment);
- the hash chosen is the first SHA-256 (compared with the observed ``sha256``), else the first MD5
  (compared with the observed ``md5``), else the first hash of another algorithm, recorded with
  ``compared_with: null`` because the probe computes only SHA-256 and MD5.

Each result is ``{alg, value (hex, lower case), compared_with, component, file, line}`` with the
BOM's line of the hash. The first BOM (path order) and first component that name a path win. A
BOM that cannot be read is left to the adapter, which reports it; the probe records nothing.
"""
from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError

COMPUTED = {"SHA-256": "sha256", "MD5": "md5"}     # CycloneDX alg -> the observed integrity field
_HEX = re.compile(r"^[0-9a-fA-F]{32,128}$")


def normal_path(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    for scheme in ("file://", "file:"):
        if s.startswith(scheme):
            s = s[len(scheme):]
            break
    while s.startswith("./"):
        s = s[2:]
    return s or None


def _candidates(project: Any, files: dict[str, bytes] | None) -> list[tuple[str, bytes]]:
    from mlcompliance.evidence.adapters import HEAD_BYTES, MAX_BYTES, MAX_FILES, _matches, _tree, cyclonedx
    from mlcompliance.evidence.project import resolve_inside
    out: list[tuple[str, bytes]] = []
    if files is not None:
        names = sorted(r for r in files if any(fnmatch.fnmatchcase(r, p) and r.count("/") == p.count("/")
                                               for p in cyclonedx.PATTERNS))
        rels = [(r, files[r]) for r in names]
    else:
        root: Path = project.root
        rels = []
        for rel in _matches(_tree(root, cyclonedx.PATTERNS), cyclonedx.PATTERNS)[:MAX_FILES]:
            try:
                path = resolve_inside(root, rel)
                if path.is_file() and path.stat().st_size <= MAX_BYTES:
                    rels.append((rel, path.read_bytes()))
            except (InputError, OSError):
                continue
    for rel, data in rels:
        if len(data) > MAX_BYTES:
            continue
        head = data[:HEAD_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
        if cyclonedx.claims(rel, head):
            out.append((rel, data))
    return out


def _chosen(hashes: Any) -> tuple[int, str, str] | None:
    """(index, alg, hex value) of the hash to record: SHA-256, else MD5, else any other."""
    valid = [(n, h["alg"], h["content"].lower()) for n, h in enumerate(hashes if isinstance(hashes, list) else [])
             if isinstance(h, dict) and isinstance(h.get("alg"), str) and isinstance(h.get("content"), str)
             and _HEX.match(h["content"].strip())]
    for alg in COMPUTED:
        for hit in valid:
            if hit[1] == alg:
                return hit
    return valid[0] if valid else None


def bom_hashes(project: Any, files: dict[str, bytes] | None) -> dict[str, dict[str, Any]]:
    """dataset path -> the hash a CycloneDX BOM of the project records for it (module docstring)."""
    from mlcompliance.evidence.adapters.base import load_json
    from mlcompliance.evidence.adapters.cyclonedx import _components
    out: dict[str, dict[str, Any]] = {}
    for rel, data in _candidates(project, files):
        try:
            bom, at = load_json(rel, data.decode("utf-8").lstrip("\ufeff"))
        except (InputError, UnicodeDecodeError):
            continue
        if not isinstance(bom, dict):
            continue
        for pointer, c in _components(bom):
            if c.get("type") != "data":
                continue
            chosen = _chosen(c.get("hashes"))
            if chosen is None:
                continue
            places = [c.get("name")]
            for d in c.get("data") if isinstance(c.get("data"), list) else []:
                if isinstance(d, dict):
                    contents = d.get("contents") if isinstance(d.get("contents"), dict) else {}
                    places += [d.get("name"), contents.get("url")]
            for prop in c.get("properties") if isinstance(c.get("properties"), list) else []:
                if isinstance(prop, dict):
                    places.append(prop.get("value"))
            n, alg, value = chosen
            ident = c.get("name") if isinstance(c.get("name"), str) else c.get("bom-ref")
            fact = {"alg": alg, "value": value, "compared_with": COMPUTED.get(alg), "component": ident,
                    "file": rel, "line": at(f"{pointer}/hashes/{n}/content")[0]}
            for place in places:
                loc = normal_path(place)
                if loc is not None:
                    out.setdefault(loc, fact)
    return out
