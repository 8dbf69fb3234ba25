"""Cache of data-probe results, keyed by the file's SHA-256, the probe version and the declaration.

Location: ``$MLCOMPLIANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlcompliance``, else
``~/.cache/mlcompliance``; entries live under ``data/`` (the outcome facts, ``outcome_cache``,
under ``outcomes/``). An entry is the facts (JSON) and the
row and key hashes for the split overlaps (``.npz``), written atomically. So that an unchanged file
is not hashed again, the digests of a file are also kept under its path, size, modification time
and inode (as git's index does; a file rewritten with the same size within the same mtime tick is
not noticed). A cache that cannot be
read or written is ignored: the probe then computes the facts again (same facts either way).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


_CODE: dict[tuple[str, ...], str] = {}


def code_digest(sources: tuple[str, ...]) -> str:
    """SHA-256 over the source files (relative to ``mlcompliance/probes``) that compute a cached
    fact, read once per process: any change of a formula, constant or sample size misses the cache."""
    if sources not in _CODE:
        import hashlib
        base = Path(__file__).resolve().parent.parent
        sha = hashlib.sha256()
        for rel in sources:
            try:
                sha.update(rel.encode() + b"\0" + (base / rel).read_bytes() + b"\0")
            except OSError:
                sha.update(rel.encode() + b"\0missing\0")
        _CODE[sources] = sha.hexdigest()
    return _CODE[sources]


def library_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """Installed versions of the libraries a cached fact depends on (package metadata; nothing imported)."""
    from importlib import metadata
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def cache_dir() -> Path:
    explicit = os.environ.get("MLCOMPLIANCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mlcompliance"


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root / "data"

    @classmethod
    def default(cls) -> Cache:
        return cls(cache_dir())

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.npz"

    def _stat_path(self, path: Path) -> Path | None:
        import hashlib
        try:
            st = path.stat()
        except OSError:
            return None
        ident = f"{os.path.realpath(path)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}"
        key = hashlib.sha256(ident.encode("utf-8", "surrogateescape")).hexdigest()
        return self.root.parent / "stat" / key[:2] / f"{key}.json"

    def known_digest(self, path: Path) -> dict[str, Any] | None:
        """The digests recorded for this file as it is now (same path, size, mtime, inode), or None."""
        where = self._stat_path(path)
        try:
            return json.loads(where.read_text(encoding="utf-8")) if where else None
        except (OSError, ValueError):
            return None

    def known_sha256(self, path: Path) -> str | None:
        """The SHA-256 recorded for this file as it is now: by the data probe (with its MD5), else by
        a named check that hashed it (``remember_sha256``), else None."""
        full = self.known_digest(path)
        if isinstance(full, dict) and isinstance(full.get("sha256"), str):
            return full["sha256"]
        where = self._stat_path(path)
        try:
            entry = json.loads(where.with_suffix(".sha256").read_text(encoding="utf-8")) if where else None
        except (OSError, ValueError):
            return None
        return entry.get("sha256") if isinstance(entry, dict) and isinstance(entry.get("sha256"), str) else None

    def remember_sha256(self, path: Path, sha256: str, size: int) -> None:
        """Keep a SHA-256 alone (no MD5) apart from the data probe's digests, which need both."""
        where = self._stat_path(path)
        if where is not None:
            entry = json.dumps({"sha256": sha256, "size": size}).encode()
            self._write(where.with_suffix(".sha256"), lambda h: h.write(entry))

    def remember_digest(self, path: Path, digest: dict[str, Any]) -> None:
        where = self._stat_path(path)
        if where is not None:
            self._write(where, lambda h: h.write(json.dumps(digest).encode()))

    def _write(self, path: Path, write: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    write(handle)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return

    def _json_path(self, kind: str, key: str) -> Path:
        return self.root.parent / kind / key[:2] / f"{key}.json"

    def get_json(self, kind: str, key: str) -> Any:
        """The JSON entry ``key`` of another probe's facts (``kind``: a folder name), or None."""
        try:
            return json.loads(self._json_path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON text, or data to encode) as entry ``key`` of ``kind``, atomically."""
        text = value if isinstance(value, str) else json.dumps(value)
        self._write(self._json_path(kind, key), lambda h: h.write(text.encode("utf-8")))

    def get(self, key: str) -> tuple[dict[str, Any], Any, Any] | None:
        import numpy as np
        facts_path, arrays_path = self._paths(key)
        try:
            facts = json.loads(facts_path.read_text(encoding="utf-8"))
            with np.load(arrays_path) as arrays:
                return facts, arrays["rows"], arrays["keys"]
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, facts: dict[str, Any], rows: Any, keys: Any) -> None:
        import numpy as np
        facts_path, arrays_path = self._paths(key)
        self._write(arrays_path, lambda h: np.savez(h, rows=rows, keys=keys))
        self._write(facts_path, lambda h: h.write(json.dumps(facts).encode()))
