"""Overlap between the train, validation and test datasets, computed from the rows.

For each ordered pair of splits (train/validation, train/test, validation/test) with data read:
by row hash, how many rows of the later split equal some row of the earlier one (the row hash of
``profile.Profiler``: all values, columns sorted by name; only when both have the same
columns), and, when both declare the same ``split_key``, how many distinct key values of the later
split also occur in the earlier one. Counts and shares, never values.
"""
from __future__ import annotations

from typing import Any

ORDER = ("train", "validation", "test")
HOW = ("rows: rows of `second` whose 64-bit row hash (all values, columns sorted by name) is among the rows of "
       "`first` (only when both have the same columns); keys: distinct values of the shared split_key column of "
       "`second` also present in `first` (hashed); shares over `second`")


def overlaps(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``tables``: ``{id, split, split_key, columns, rows: uint64 array, keys: uint64 array}`` per
    dataset read; the result lists one entry per pair of datasets of different splits."""
    import numpy as np
    ranked = sorted((t for t in tables if t.get("split") in ORDER), key=lambda t: ORDER.index(t["split"]))
    out = []
    for i, first in enumerate(ranked):
        for second in ranked[i + 1:]:
            if first["split"] == second["split"]:
                continue
            entry: dict[str, Any] = {"first": first["id"], "second": second["id"],
                                     "first_split": first["split"], "second_split": second["split"], "how": HOW}
            if sorted(first["columns"]) == sorted(second["columns"]):
                hits = int(np.isin(second["rows"], first["rows"]).sum())
                entry["rows"] = {"compared": int(second["rows"].size), "overlapping": hits,
                                 "share": round(hits / second["rows"].size, 6) if second["rows"].size else 0.0}
            else:
                entry["rows"] = {"compared": 0, "overlapping": None,
                                 "reason": "the two datasets have different columns"}
            key = first.get("split_key")
            if key and key == second.get("split_key") and key in first["columns"] and key in second["columns"]:
                from mlcompliance.probes.data.profile import distinct
                a, b = distinct(first["keys"]), distinct(second["keys"])
                hits = int(np.isin(b, a).sum())
                entry["keys"] = {"key": key, "compared": int(b.size), "overlapping": hits,
                                 "share": round(hits / b.size, 6) if b.size else 0.0}
            out.append(entry)
    return out
