"""Interim data loader for ``observe_outcomes`` until the data probe's reader is merged.

Branch data-stats only: ``probes/data/read.py`` (branch data-profile) is the real reader (chunks,
formats, limits); at merge the lead passes that reader to ``observe_outcomes`` and deletes this
module. It reads a dataset's ``path`` from the in-memory ``files`` of a pack fixture or from the
project directory (confined to it): CSV (plain or gzip), Parquet, JSON Lines.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.project import resolve_inside


def loader(root: Path, files: dict[str, bytes] | None) -> Callable[[dict[str, Any]], Any]:
    def load(dataset: dict[str, Any]) -> Any:
        import pandas as pd
        path = dataset.get("path")
        if not isinstance(path, str):
            return None
        if files is not None:
            data = files.get(path)
            if data is None:
                raise InputError(f"data file '{path}' not found", file=path)
            source: Any = io.BytesIO(data)
        else:
            target = resolve_inside(root, path)
            if not target.is_file():
                raise InputError(f"data file '{path}' not found", file=path)
            source = target
        fmt = str(dataset.get("format") or Path(path).suffix.lstrip(".")).lower()
        name = path.lower()
        if fmt == "parquet" or name.endswith(".parquet"):
            return pd.read_parquet(source)
        if fmt in ("jsonl", "ndjson") or name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            return pd.read_json(source, lines=True, compression="gzip" if name.endswith(".gz") else None)
        return pd.read_csv(source, compression="gzip" if name.endswith(".gz") else None)
    return load
