"""Cache of data-probe results, keyed by the file's SHA-256, the probe version and the declaration.

Location: ``$MLCOMPLIANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlcompliance``, else
``~/.cache/mlcompliance``; entries live under ``data/``. An entry is the facts (JSON) and the
row and key hashes for the split overlaps (``.npz``), written atomically. A cache that cannot be
read or written is ignored: the probe then computes the facts again (same facts either way).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


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
        try:
            facts_path.parent.mkdir(parents=True, exist_ok=True)
            for path, write in ((arrays_path, lambda h: np.savez(h, rows=rows, keys=keys)),
                                (facts_path, lambda h: h.write(json.dumps(facts).encode()))):
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
