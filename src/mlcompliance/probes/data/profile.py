"""One pass over a table's chunks: schema, quality and declared-vs-observed counts.

``Profiler(declared_fields, split_key)`` is fed DataFrame chunks (``update``) and then gives the
facts (``facts``): observed columns, dtypes, row count; per column missing count and share,
min/max (numeric columns), distinct count (capped at ``DISTINCT_CAP``), constant columns;
duplicate rows (by a 64-bit hash of the row's values); per declared field: present or not,
nulls (when declared ``nullable: false``), values below ``min`` / above ``max``, values outside
``allowed_values``, values not of the declared type; outliers by robust z (median/MAD, |z| >
3.5, Iglewicz and Hoaglin) and by Tukey's fences (1.5 IQR). Quantiles need the whole column: a
table of at most ``SAMPLE_ROWS`` rows is used whole, a longer one through a uniform random
sample of ``SAMPLE_ROWS`` rows (bottom-k of seeded uniform keys), and the facts say which, with n
and the seed. Every count except the outliers is over every row. Facts only: no thresholds.
"""
from __future__ import annotations

import math
from typing import Any

DISTINCT_CAP = 10_000
SAMPLE_ROWS = 100_000
MIXED_TESTED = 2_000       # text values tested for numbers per column (mixed types)
SMALL_ROWS = 2_000         # rows of the sample every column keeps (personal data, mixed types)
SEED = 20260101
SPILL_ROWS = 4_000_000     # row and key hashes kept in memory up to this many rows; beyond, in temporary files
ROBUST_Z = 3.5
IQR_K = 1.5
VALUE_KEYS = ("min", "max")          # per-column facts that are values of the data (withheld on personal columns)
_NUMERIC_TYPES = ("integer", "number")


def _num(x: Any) -> float | int | None:
    """A JSON-safe Python number (None for NaN/inf)."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or math.isinf(f):
        return None
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f


def _dtype_name(series: Any) -> str:
    import pandas.api.types as t
    if t.is_bool_dtype(series):
        return "boolean"
    if t.is_integer_dtype(series):
        return "integer"
    if t.is_float_dtype(series):
        return "number"
    if t.is_datetime64_any_dtype(series):
        return "datetime"
    return "string"


_MIX = 0x9E3779B97F4A7C15   # odd 64-bit constant mixing successive column hashes
_NAN_BITS = 0x7FF8DEADBEEF0001   # every missing number hashes alike


def column_hash(s: Any, dictionary: bool = False) -> Any:
    """A uint64 per value of one column, equal for equal values in any chunk, file or format:
    numbers (integers, floats, booleans) are their float64 bits (a column read as int in one chunk
    and as float-with-blanks in another hashes alike); everything else is hashed as UTF-8 text
    (``text_hash``), objects that are not text by their repr; missing values all alike. With
    ``dictionary`` (a column not known to have many distinct values) text is hashed per distinct value."""
    return _hashes(s, dictionary)[0]


def _hashes(s: Any, dictionary: bool = False, present: Any = None) -> tuple[Any, Any]:
    """``column_hash`` and, when the dictionary path found them on the way, the sorted distinct
    hashes of the values where ``present`` is true (all rows when None); else None."""
    import numpy as np
    import pandas.api.types as t
    if t.is_bool_dtype(s) or t.is_numeric_dtype(s):     # the float's bits: equal values, equal bits
        values = np.add(s.to_numpy(dtype="float64", na_value=np.nan), 0.0)    # a new array; -0.0 + 0.0 is 0.0
        bits = values.view("uint64")
        bits[np.isnan(values)] = _NAN_BITS
        return bits, None
    text = _as_text(s)
    if dictionary and len(text) > 1000:      # few distinct values: hash each once (same result, faster)
        encoded = text.dictionary_encode()
        if len(encoded.dictionary) * 4 < len(text):
            per_value = _value_hash(encoded.dictionary.cast(text.type))
            indices = encoded.indices.fill_null(0).to_numpy()
            h = per_value[indices]
            null = text.is_null().to_numpy(zero_copy_only=False) if text.null_count else None
            if null is not None:
                h[null] = _NAN_BITS
            wanted = np.ones(len(text), dtype=bool) if present is None else np.asarray(present, dtype=bool)
            counted = wanted if null is None else wanted & ~null
            found = per_value[np.bincount(indices[counted], minlength=len(per_value)) > 0]
            if null is not None and bool((wanted & null).any()):
                found = np.append(found, np.uint64(_NAN_BITS))
            return np.ascontiguousarray(h), distinct(found)
    return _value_hash(text), None


# --- chunk independence: a value hashes alike whatever dtype its chunk was read as -----------------
# pandas infers a column's dtype per chunk, so one value can arrive as a number in one chunk and as
# text in another (a CSV column with some text further down; a JSON column of numbers and strings;
# booleans with blanks). Text that pandas would read as a number or a boolean therefore hashes as
# that number's (or 1.0/0.0's) float bits, the way a numeric chunk hashes it; so the distinct
# counts, duplicate rows and split overlaps do not depend on where chunks (or Dask partitions) end.
_NUMBER_LIKE = r"^\s*([-+]?([0-9]|\.[0-9]|inf(inity)?\s*$)|(true|false)\s*$)"


def _value_hash(text: Any) -> Any:
    """``text_hash`` of a large_string array, with number-like and boolean text hashed by value."""
    import numpy as np
    import pyarrow.compute as pc
    h = text_hash(text)
    if len(text) == 0:
        return h
    looks = pc.match_substring_regex(text, _NUMBER_LIKE, ignore_case=True)
    if not pc.any(looks).as_py():
        return h
    import pandas as pd
    where = np.flatnonzero(looks.fill_null(False).to_numpy(zero_copy_only=False))
    values = pd.Series(text.take(where).to_pylist(), dtype=object).str.strip()
    lowered = values.str.lower()
    numbers = pd.to_numeric(values.where(~lowered.isin(("true", "false"))), errors="coerce")
    numbers = numbers.where(lowered != "true", 1.0).where(lowered != "false", 0.0).to_numpy(dtype="float64")
    ok = ~np.isnan(numbers)
    numbers = np.where(numbers == 0, 0.0, numbers)
    h = np.array(h, dtype="uint64", copy=True)
    h[where[ok]] = numbers[ok].view("uint64")
    return h


def _as_text(s: Any) -> Any:
    """The column as a pyarrow large_string array (zero-copy for pandas' pyarrow-backed text)."""
    import pyarrow as pa
    if s.dtype != object:
        try:
            arr = pa.array(s)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            if pa.types.is_dictionary(arr.type):
                arr = arr.dictionary_decode()
            return arr.cast(pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
            pass
    return pa.array([_norm(v) for v in s.to_numpy(dtype=object)], type=pa.large_string())


def text_hash(arr: Any) -> Any:
    """A uint64 per string of a pyarrow large_string array, computed over its bytes with numpy: the
    sum of each byte times a fixed pseudo-random 64-bit weight for its position (mod 2^64), mixed with
    the length and then by pandas' hash_array; nulls all get one value."""
    import numpy as np
    import pandas as pd
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype="uint64")
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset: arr.offset + n + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = (np.frombuffer(buffers[2], dtype=np.uint8)[first:last] if buffers[2] is not None and last > first
            else np.zeros(0, dtype=np.uint8))
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    longest = int(lengths.max())
    with np.errstate(over="ignore"):
        if not data.size:
            h = np.zeros(n, dtype=np.uint64)
        elif longest <= _BY_POSITION:
            h = _sums_by_position(data, starts, lengths, longest)
        else:
            position = np.arange(data.size, dtype=np.int64) - np.repeat(starts, lengths)
            terms = data.astype(np.uint64) * _weights(longest)[position]
            sums = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(terms, dtype=np.uint64)])
            h = sums[starts + lengths] - sums[starts]
        h ^= lengths.astype(np.uint64) * np.uint64(_MIX)
    h = pd.util.hash_array(h)
    if arr.null_count:
        h[arr.is_null().to_numpy(zero_copy_only=False)] = _NAN_BITS
    return h


_BY_POSITION = 128     # strings at most this long are summed one byte position at a time (fewer passes)


def _sums_by_position(data: Any, starts: Any, lengths: Any, longest: int) -> Any:
    """The same sums as text_hash's general path (each byte times its position's weight, mod 2^64),
    one byte position at a time: equal-length strings as the columns of a matrix, otherwise over the
    strings (ordered by length) that are longer than the position."""
    import numpy as np
    n = lengths.size
    weights = _weights(longest)
    h = np.zeros(n, dtype=np.uint64)
    if int(lengths.min()) == longest:          # one length (ids, codes): a strided column per position
        matrix = data.reshape(n, longest)
        for j in range(longest):
            h += matrix[:, j] * weights[j]
        return h
    order = np.argsort(-lengths.astype(np.int16), kind="stable")      # longest first (a radix sort: lengths <= _BY_POSITION)
    ordered_starts = starts[order]
    longer = np.searchsorted(-lengths[order], -np.arange(longest), side="left")   # how many are longer than j
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(longest):
        count = int(longer[j])
        acc[:count] += data[ordered_starts[:count] + j] * weights[j]
    h[order] = acc
    return h


def _weights(length: int) -> Any:
    """Odd 64-bit weights for byte positions 0..length-1: splitmix64 of the position (fixed forever)."""
    import numpy as np
    with np.errstate(over="ignore"):
        z = (np.arange(1, length + 1, dtype=np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z | np.uint64(1)


def _norm(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(float(v))
    return repr(v)


def distinct(values: Any) -> Any:
    """The sorted distinct values of a uint64 array (by sorting: numpy's hash-based unique is slower here)."""
    import numpy as np
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _plain(s: Any) -> bool:
    """An object column of strings and numbers only (pandas hashes those as they are)."""
    from pandas.api.types import infer_dtype
    return infer_dtype(s, skipna=True) in ("string", "empty", "integer", "floating", "mixed-integer-float",
                                           "boolean", "decimal")


class _Column:
    __slots__ = ("name", "dtypes", "missing", "min", "max", "distinct", "capped")

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtypes: set[str] = set()
        self.missing = 0
        self.min: float | None = None
        self.max: float | None = None
        self.distinct: Any = ()      # sorted distinct value hashes until more than DISTINCT_CAP
        self.capped = False


class _BottomK:
    """The rows with the ``k`` smallest keys seen so far: a uniform sample without replacement when
    the keys are uniform random numbers; two of them over the same keys nest."""

    def __init__(self, k: int) -> None:
        self.k, self.frame, self.keys = k, None, None

    def update(self, chunk: Any, keys: Any, columns: list[str] | None = None) -> None:
        """Offer the chunk's rows (only its ``columns`` when given) under their ``keys``. Only the
        rows that enter the sample are copied; the result is what concatenating the sample with the
        whole chunk and keeping the k smallest keys gives (pandas picks a concatenation's dtypes
        from the parts' dtypes, not from their lengths)."""
        import numpy as np
        import pandas as pd
        rows = np.arange(len(keys))
        if self.frame is not None and len(self.keys) >= self.k:
            rows = np.flatnonzero(keys < self.keys.max())   # only these rows can enter the sample
        old = 0 if self.frame is None else len(self.keys)
        merged = keys[rows] if self.frame is None else np.concatenate([self.keys, keys[rows]])
        kept = self.frame
        if len(merged) > self.k:
            keep = np.sort(np.argpartition(merged, self.k - 1)[: self.k])
            merged = merged[keep]
            rows = rows[keep[keep >= old] - old]
            if kept is not None:
                kept = kept.iloc[keep[keep < old]]
        part = chunk.iloc[rows] if columns is None else chunk.iloc[rows, _positions(chunk, columns)]
        frame = part if kept is None else pd.concat([kept, part], ignore_index=True)
        self.frame, self.keys = frame.reset_index(drop=True), merged


def _positions(frame: Any, columns: list[str]) -> list[int]:
    wanted = set(columns)
    return [i for i, c in enumerate(frame.columns) if c in wanted]


class _HashStore:
    """uint64 hashes appended chunk by chunk: in memory up to ``SPILL_ROWS`` values; beyond that in
    a temporary file in row order (read back memory-mapped) and, with ``buckets``, also split by
    their top 8 bits into 256 bucket files, so that distinct values are counted one bucket at a time.
    Memory then stays flat however long the table; the files go when the store does."""

    def __init__(self, buckets: bool) -> None:
        self.buckets = buckets
        self.parts: list[Any] = []
        self.size = 0
        self.folder: str | None = None
        self.files: list[Any] = []

    def append(self, h: Any) -> None:
        self.size += h.size
        if self.folder is not None:
            self._write(h)
            return
        self.parts.append(h)
        if self.size > SPILL_ROWS:
            self._spill()

    def _spill(self) -> None:
        import os
        import shutil
        import tempfile
        import weakref
        self.folder = tempfile.mkdtemp(prefix="mlcompliance-hashes-")
        self.files = [open(os.path.join(self.folder, "all"), "wb")]  # noqa: SIM115 - closed by the finalizer
        if self.buckets:
            self.files += [open(os.path.join(self.folder, f"b{i:03d}"), "wb") for i in range(256)]  # noqa: SIM115
        weakref.finalize(self, _remove, self.files, self.folder, shutil.rmtree)
        parts, self.parts = self.parts, []
        for part in parts:
            self._write(part)

    def _write(self, h: Any) -> None:
        import numpy as np
        h = np.ascontiguousarray(h, dtype=np.uint64)
        self.files[0].write(memoryview(h))
        if self.buckets:
            ordered = np.sort(h)
            bounds = np.searchsorted(ordered >> np.uint64(56), np.arange(257, dtype=np.uint64))
            for i in range(256):
                if bounds[i] < bounds[i + 1]:
                    self.files[1 + i].write(memoryview(ordered[bounds[i]: bounds[i + 1]]))

    def values(self) -> Any:
        import numpy as np
        if self.folder is None:
            if len(self.parts) != 1:
                self.parts = [np.concatenate(self.parts) if self.parts else np.zeros(0, dtype="uint64")]
            return self.parts[0]
        self.files[0].flush()
        return np.memmap(self.files[0].name, dtype="uint64", mode="r", shape=(self.size,))

    def distinct_count(self) -> int:
        """How many distinct hashes (by sorting; bucket by bucket when spilled)."""
        import numpy as np
        if self.folder is None:
            return _distinct_sorted(np.sort(self.values()))
        total = 0
        for handle in self.files[1:]:
            handle.flush()
            bucket = np.fromfile(handle.name, dtype="uint64")
            bucket.sort()
            total += _distinct_sorted(bucket)
        return total


def _distinct_sorted(ordered: Any) -> int:
    import numpy as np
    return int(ordered.size and 1 + np.count_nonzero(ordered[1:] != ordered[:-1]))


def _remove(files: list[Any], folder: str, rmtree: Any) -> None:
    for handle in files:
        handle.close()
    rmtree(folder, ignore_errors=True)


class Profiler:
    """Facts about one table, computed in one pass over its chunks."""

    def __init__(self, declared_fields: list[dict[str, Any]] | None = None, split_key: str | None = None,
                 sample_rows: int = SAMPLE_ROWS, seed: int = SEED) -> None:
        import numpy as np
        self.declared = [f for f in declared_fields or [] if isinstance(f, dict) and isinstance(f.get("name"), str)]
        self.split_key = split_key
        self.sample_rows, self.seed = sample_rows, seed
        self.rng = np.random.default_rng(seed)
        self.rows = 0
        self.columns: dict[str, _Column] = {}
        self.hashes = _HashStore(buckets=True)        # one per row: duplicates, split overlaps
        self.key_hashes = _HashStore(buckets=False)   # the split key's present values
        self.numeric = _BottomK(sample_rows)           # numeric columns: quantiles and outliers
        self.small = _BottomK(min(sample_rows, SMALL_ROWS))   # every column: personal data, mixed types
        self.counts: dict[str, dict[str, int]] = {f["name"]: {"nulls": 0, "below_min": 0, "above_max": 0,
                                                              "not_allowed": 0, "wrong_type": 0}
                                                  for f in self.declared}

    # --- the pass ------------------------------------------------------------------------------
    def update(self, chunk: Any, hashed: dict[str, Any] | None = None) -> None:
        """Count ``chunk``; ``hashed``: its columns' ``column_hash`` values when already computed
        (by a Dask worker, engines.py), else computed here (the same values either way)."""
        import numpy as np
        chunk.columns = [str(c) for c in chunk.columns]
        n = len(chunk)
        for name in chunk.columns:
            if name not in self.columns:
                col = self.columns[name] = _Column(name)
                col.missing = self.rows        # rows before a column first appears (JSON Lines) are missing it
        for name, col in self.columns.items():
            if name not in chunk.columns:
                col.missing += n
        acc = np.zeros(n, dtype="uint64")
        key = None
        for name in sorted(set(chunk.columns)):      # the row hash mixes the columns in name order
            h, present = self._column(self.columns[name], chunk[name], (hashed or {}).get(name))
            with np.errstate(over="ignore"):
                acc ^= h
                acc *= np.uint64(_MIX)
            if name == self.split_key:
                key = h[present]
            del h, present           # one column's hashes at a time (memory)
        for field in self.declared:
            self._declared(field, chunk.get(field["name"]), n)
        if n:
            import pandas as pd
            self.hashes.append(pd.util.hash_array(acc))      # one avalanche mix of the combined row
            if key is not None:
                self.key_hashes.append(key)
            keys = self.rng.random(n)
            numeric = [c for c in chunk.columns if _dtype_name(chunk[c]) in _NUMERIC_TYPES]
            self.numeric.update(chunk, keys, numeric)
            self.small.update(chunk, keys)
        self.rows += n

    def _column(self, col: _Column, s: Any, h: Any = None) -> tuple[Any, Any]:
        """Update the column's counts; returns (hash per value, mask of present values)."""
        import numpy as np
        import pandas.api.types as t
        number = (t.is_integer_dtype(s) or t.is_float_dtype(s)) and not t.is_bool_dtype(s)
        found = None   # the chunk's distinct hashes when the dictionary path found them
        if number:     # hashed as float64 bits, NaN for missing: the mask and the range come from them
            if h is None:
                h, found = _hashes(s)
            values = h.view("float64")
            present = ~np.isnan(values)
        else:
            present = s.notna().to_numpy()
        missing = len(s) - int(present.sum())
        col.missing += missing
        if missing < len(s):      # an all-blank chunk says nothing about the column's type
            col.dtypes.add(_dtype_name(s))
            if number:    # min/max of the finite floats: the same as of the values (float() is monotonic);
                finite = values[np.isfinite(values)]     # an inf must not hide the chunk's range (JSON has no inf)
                if finite.size:
                    lo, hi = _num(finite.min()), _num(finite.max())
                    col.min = lo if col.min is None else min(col.min, lo)
                    col.max = hi if col.max is None else max(col.max, hi)
        if not number and h is None:
            h, found = _hashes(s, dictionary=not col.capped, present=present)
        if col.distinct is not None:
            known = np.asarray(col.distinct, dtype="uint64")
            if found is not None:        # the chunk's distinct values, from its dictionary
                merged = distinct(np.concatenate([known, found]))
                col.distinct, col.capped = (None, True) if merged.size > DISTINCT_CAP else (merged, False)
            else:
                seen = h[present]
                head = distinct(np.concatenate([known, seen[: 4 * DISTINCT_CAP]]))
                if head.size > DISTINCT_CAP:
                    col.distinct, col.capped = None, True
                else:
                    col.distinct = distinct(np.concatenate([head, seen]))
                    if col.distinct.size > DISTINCT_CAP:
                        col.distinct, col.capped = None, True
        return h, present

    def _declared(self, field: dict[str, Any], s: Any, n: int) -> None:
        import pandas as pd
        import pandas.api.types as t
        if s is None:
            return
        counts = self.counts[field["name"]]
        present = s.dropna()
        if field.get("nullable") is False:
            counts["nulls"] += n - len(present)
        wants_number = field.get("type") in _NUMERIC_TYPES or _is_number(field.get("min")) or _is_number(field.get("max"))
        if wants_number and len(present):
            numeric = present if (t.is_numeric_dtype(present) and not t.is_bool_dtype(present)) \
                else pd.to_numeric(present, errors="coerce")
            bad = numeric.isna()
            if field.get("type") == "integer":
                bad = bad | (numeric.notna() & (numeric % 1 != 0))
            if field.get("type") in _NUMERIC_TYPES:
                counts["wrong_type"] += int(bad.sum())
            if _is_number(field.get("min")):
                counts["below_min"] += int((numeric < field["min"]).sum())
            if _is_number(field.get("max")):
                counts["above_max"] += int((numeric > field["max"]).sum())
        if isinstance(field.get("allowed_values"), list) and len(present):
            allowed = field["allowed_values"]
            ok = present.isin(allowed) | present.astype(str).isin({_text(a) for a in allowed})
            counts["not_allowed"] += int((~ok).sum())
        if field.get("type") == "boolean" and len(present) and not t.is_bool_dtype(present):
            ok = present.astype(str).str.lower().isin({"true", "false", "0", "1", "yes", "no", "1.0", "0.0"})
            counts["wrong_type"] += int((~ok).sum())

    # --- the facts -----------------------------------------------------------------------------
    def sampling(self) -> dict[str, Any]:
        """How statistics that need whole columns were computed."""
        if self.rows <= self.sample_rows:
            return {"mode": "full", "n": self.rows}
        return {"mode": "sampled", "n": self.sample_rows, "seed": self.seed,
                "method": "uniform sample without replacement (bottom-k of seeded uniform keys)"}

    def all_row_hashes(self) -> Any:
        """Every row's hash in row order (memory-mapped, read-only, beyond ``SPILL_ROWS`` rows)."""
        return self.hashes.values()

    def all_key_hashes(self) -> Any:
        return self.key_hashes.values()

    def facts(self) -> dict[str, Any]:
        unique = self.hashes.distinct_count()
        columns = {}
        for name, col in self.columns.items():
            columns[name] = self._column_facts(col)
        declared = {}
        for field in self.declared:
            name = field["name"]
            present = name in self.columns
            c = self.counts[name]
            entry: dict[str, Any] = {"name": name, "present": present}
            if present:
                if field.get("nullable") is False:
                    entry["nulls_not_allowed"] = c["nulls"]
                if field.get("type") in _NUMERIC_TYPES or field.get("type") == "boolean":
                    entry["declared_type"] = field["type"]
                    entry["wrong_type"] = c["wrong_type"]
                if _is_number(field.get("min")) or _is_number(field.get("max")):
                    entry["below_min"], entry["above_max"] = c["below_min"], c["above_max"]
                    entry["out_of_range"] = c["below_min"] + c["above_max"]
                if isinstance(field.get("allowed_values"), list):
                    entry["not_allowed"] = c["not_allowed"]
            declared[name] = entry
        return {
            "rows": self.rows,
            "columns": list(self.columns),
            "dtypes": {n: _merged(c.dtypes, c.missing) for n, c in self.columns.items()},
            "column_stats": columns,
            "constant_columns": [n for n, c in columns.items() if c["constant"]],
            "duplicates": {"rows": self.rows - unique, "share": _share(self.rows - unique, self.rows),
                           "how": "rows whose 64-bit hash of all values (pandas hash_array per column, integers "
                                  "as floats, combined over the columns sorted by name) equals an earlier row's; "
                                  "every row"},
            "declared_fields": declared,
            "declared_fields_missing": [f["name"] for f in self.declared if f["name"] not in self.columns],
            "outliers_how": {"robust_z": f"|0.6745 (x - median) / MAD| > {ROBUST_Z} (Iglewicz-Hoaglin); "
                                         "not computed when MAD is 0",
                             "iqr": f"x < Q1 - {IQR_K} IQR or x > Q3 + {IQR_K} IQR (Tukey; linear quantiles)",
                             **self.sampling()},
        }

    def _column_facts(self, col: _Column) -> dict[str, Any]:
        distinct = None if col.capped else len(col.distinct)
        entry: dict[str, Any] = {
            "name": col.name, "dtype": _merged(col.dtypes, col.missing), "missing": col.missing, "missing_share": _share(col.missing, self.rows),
            "distinct": distinct, "distinct_capped": col.capped, "distinct_cap": DISTINCT_CAP,
            "constant": distinct is not None and distinct <= 1 and self.rows > 0,
        }
        if col.min is not None and entry["dtype"] in _NUMERIC_TYPES:   # a column numeric only in some chunks is text
            entry["min"], entry["max"] = col.min, col.max
        numeric, small = self.numeric.frame, self.small.frame
        if numeric is not None and col.name in numeric.columns and entry["dtype"] in _NUMERIC_TYPES:
            entry["outliers"] = _outliers(numeric[col.name])
        elif small is not None and col.name in small.columns and entry["dtype"] == "string":
            entry["mixed_types"] = _mixed(small[col.name])
        return entry


def _outliers(s: Any) -> dict[str, Any]:
    import numpy as np
    x = s.dropna().to_numpy(dtype="float64")
    out: dict[str, Any] = {"tested": int(x.size)}
    finite = x[np.isfinite(x)]     # the statistics of the finite values; an infinite one is an outlier by both tests
    if finite.size == 0:
        return out
    median = float(np.median(finite))
    mad = float(np.median(np.abs(finite - median)))
    out["robust_z"] = None if mad == 0 else int((np.abs(0.6745 * (x - median) / mad) > ROBUST_Z).sum())
    q1, q3 = (float(v) for v in np.quantile(finite, [0.25, 0.75]))
    iqr = q3 - q1
    out["iqr"] = int(((x < q1 - IQR_K * iqr) | (x > q3 + IQR_K * iqr)).sum())
    out["robust_z_share"] = None if out["robust_z"] is None else _share(out["robust_z"], x.size)
    out["iqr_share"] = _share(out["iqr"], x.size)
    return out


def _mixed(s: Any) -> dict[str, Any]:
    """A text column whose values are partly numbers (mixed types): counts over the first
    MIXED_TESTED non-empty values of the sample."""
    import pandas as pd
    values = s.dropna().head(MIXED_TESTED * 2)
    text = pd.Series([_as_cell(v) for v in values.tolist() if not isinstance(v, str) or v.strip()][:MIXED_TESTED],
                     dtype=object)
    numeric = int(pd.to_numeric(text, errors="coerce").notna().sum()) if len(text) else 0
    return {"tested": int(text.size), "numeric": numeric, "other": int(text.size) - numeric,
            "mixed": 0 < numeric < text.size}


def _as_cell(v: Any) -> Any:
    """A sampled value as the text test of ``_mixed`` sees it, whatever dtype its chunk was read as:
    text stripped, numbers as they are (numeric), booleans as their text (not numeric)."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, _bool_types())):
        return str(bool(v))
    return v


def _bool_types() -> tuple[type, ...]:
    import numpy as np
    return (np.bool_,)


def _merged(kinds: set[str], missing: int = 0) -> str:
    """The column's dtype as pandas reads the whole column at once, from the kinds of its chunks
    (so it does not depend on where chunks end): integers with a blank anywhere are numbers (float),
    booleans with a blank, and any other disagreement between chunks, are text (pandas' object)."""
    if not kinds:
        return "empty"
    if kinds == {"integer"} and missing:
        return "number"
    if kinds == {"boolean"} and missing:
        return "string"
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds == {"integer", "number"}:
        return "number"
    return "string"


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
