"""Reading a declared data file in chunks: CSV (plain or gzip), Parquet, JSON Lines.

``iter_chunks(source, fmt, chunksize)`` yields pandas DataFrames of at most ``chunksize`` rows, so
a file larger than memory is read with flat memory; ``read_table(source, fmt, columns)`` returns the
whole table (for statistics that need it: drift, fairness, metrics). ``source`` is a path or the
bytes of an in-memory file (pack fixtures). Every way a file can be bad (missing, unreadable, not
the declared format, empty, not UTF-8, not parseable) raises ``InputError`` naming the file; the
data probe records it as a fact (``readable: false``) for the rules. Cells are data, never
evaluated: a CSV-injection payload (``=cmd|...``) is just a string.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError

FORMATS = ("csv", "parquet", "jsonl")
CHUNK_ROWS = 200_000
PARQUET_BATCH = 25_000    # rows pyarrow decodes at a time; CHUNK_ROWS-row chunks are built from them (memory)
_ALIASES = {"csv": "csv", "text/csv": "csv", "tsv": "csv", "csv.gz": "csv", "gz": "csv",
            "parquet": "parquet", "application/x-parquet": "parquet", "pq": "parquet",
            "jsonl": "jsonl", "ndjson": "jsonl", "json lines": "jsonl", "jsonlines": "jsonl",
            "application/jsonl": "jsonl", "application/x-ndjson": "jsonl", "jsonl.gz": "jsonl"}
Source = "Path | bytes"


def detect_format(path: str, declared: Any = None) -> str | None:
    """The format to read ``path`` as: the manifest's ``format`` when it names one we read, else the
    extension (``.csv``, ``.csv.gz``, ``.tsv``, ``.parquet``, ``.pq``, ``.jsonl``, ``.ndjson``, with
    ``.gz``); None when neither says (the probe then only hashes the file)."""
    if isinstance(declared, str) and declared.strip().lower() in _ALIASES:
        return _ALIASES[declared.strip().lower()]
    name = path.lower()
    name = name[:-3] if name.endswith(".gz") else name
    for ext, fmt in ((".csv", "csv"), (".tsv", "csv"), (".txt", "csv"), (".parquet", "parquet"),
                     (".pq", "parquet"), (".jsonl", "jsonl"), (".ndjson", "jsonl")):
        if name.endswith(ext):
            return fmt
    return None


def _gzip(name: str, head: bytes) -> bool:
    return name.lower().endswith(".gz") or head[:2] == b"\x1f\x8b"


def _head(source: Any) -> bytes:
    if isinstance(source, bytes):
        return source[:4]
    with open(source, "rb") as handle:
        return handle.read(4)


def _name(source: Any, name: str | None) -> str:
    return name or (source.as_posix() if isinstance(source, Path) else "<data>")


def iter_chunks(source: Path | bytes, fmt: str, chunksize: int = CHUNK_ROWS, columns: list[str] | None = None,
                name: str | None = None, progress: Callable[[int], None] | None = None) -> Iterator[Any]:
    """DataFrames of at most ``chunksize`` rows of ``source`` read as ``fmt``; ``progress`` gets the
    bytes (CSV, JSON Lines) or rows (Parquet) read so far. Raises InputError naming the file."""
    shown = _name(source, name)
    try:
        head = _head(source)
    except FileNotFoundError:
        raise InputError("data file not found", file=shown, expected="the file the data manifest's path names") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a data file", file=shown) from None
    except OSError as err:
        raise InputError(f"data file cannot be read: {err.strerror or err}", file=shown) from None
    if not head:
        raise InputError("data file is empty (0 bytes)", file=shown, expected=f"a {fmt} file with a header and rows")
    if fmt not in FORMATS:
        raise InputError(f"format '{fmt}' is not one the data probe reads", file=shown,
                         expected="csv (plain or gzip), parquet or jsonl")
    try:
        if fmt == "parquet":
            yield from _parquet(source, head, chunksize, columns, progress)
        else:
            yield from _text(source, fmt, head, chunksize, columns, shown, progress)
    except InputError:
        raise
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte 0x{err.object[err.start]:02x} cannot be decoded)", file=shown,
                         expected=f"a UTF-8 {fmt} file") from None
    except (OSError, EOFError) as err:
        raise InputError(f"data file cannot be read as {fmt}: {err}", file=shown) from None
    except Exception as err:  # noqa: BLE001 - every parser error of pandas/pyarrow is bad input here
        raise InputError(f"not a readable {fmt} file: {type(err).__name__}: {_short(err)}", file=shown,
                         expected=f"a {fmt} file, as the manifest's format or the file extension says") from None


def _short(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[:300]


class _Counting(io.RawIOBase):
    """A binary file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: Any, report: Callable[[int], None]) -> None:
        self.raw, self.report, self.done = raw, report, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        self.done += n or 0
        self.report(self.done)
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _open_binary(source: Any, progress: Callable[[int], None] | None) -> Any:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    raw = open(source, "rb")  # noqa: SIM115 - closed by the caller
    return io.BufferedReader(_Counting(raw, progress), 1 << 20) if progress else raw


def _text(source: Any, fmt: str, head: bytes, chunksize: int, columns: list[str] | None, shown: str,
          progress: Callable[[int], None] | None) -> Iterator[Any]:
    import pandas as pd
    if head.startswith(b"PAR1"):
        raise InputError(f"a Parquet file, not {fmt}", file=shown, expected=f"a {fmt} file, or format: parquet")
    handle = _open_binary(source, progress)
    try:
        stream: Any = handle
        if _gzip(shown, head):
            import gzip
            stream = gzip.GzipFile(fileobj=handle, mode="rb")
        if fmt == "csv":     # pandas decodes the bytes itself, strictly as UTF-8
            sep = "\t" if shown.lower().removesuffix(".gz").endswith(".tsv") else ","
            reader = pd.read_csv(stream, sep=sep, chunksize=chunksize, usecols=columns, low_memory=False,
                                 encoding="utf-8", encoding_errors="strict")
        else:
            text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
            reader = pd.read_json(text, lines=True, chunksize=chunksize, dtype=False)
        with reader:
            seen = False
            for chunk in reader:
                seen = True
                if fmt == "jsonl" and columns is not None:
                    chunk = chunk.reindex(columns=columns)
                yield chunk
                del chunk         # not kept alive while the next chunk is parsed (memory)
            if not seen and fmt == "jsonl":
                raise InputError("data file has no records", file=shown, expected="one JSON object per line")
    except pd.errors.EmptyDataError:
        raise InputError("data file is empty (no header, no rows)", file=shown,
                         expected=f"a {fmt} file with a header and rows") from None
    finally:
        handle.close()


def _parquet(source: Any, head: bytes, chunksize: int, columns: list[str] | None,
             progress: Callable[[int], None] | None) -> Iterator[Any]:
    import pyarrow.parquet as pq
    if head != b"PAR1":
        raise ValueError("the file does not start with the Parquet magic bytes PAR1")
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    parquet = pq.ParquetFile(handle, pre_buffer=False, buffer_size=1 << 20)   # column chunks read through 1 MiB buffers
    done = 0
    if parquet.metadata.num_rows == 0:
        yield parquet.schema_arrow.empty_table().to_pandas()
        return
    # pyarrow decodes small batches (its reader's buffers grow with the batch), joined into chunks of
    # ``chunksize`` rows: the same chunks as one batch of ``chunksize`` rows, with a lower memory peak.
    pending: list[Any] = []
    rows = 0
    batches = parquet.iter_batches(batch_size=min(chunksize, PARQUET_BATCH), columns=columns, use_threads=False)
    for batch in batches:
        pending.append(batch)
        rows += batch.num_rows
        if rows >= chunksize:
            last, rows = pending[-1], rows - chunksize
            chunk = _joined(pending, chunksize, progress, done)
            done += chunksize
            pending = [last.slice(last.num_rows - rows)] if rows else []
            del last
            yield chunk
            del chunk
    if rows:
        yield _joined(pending, rows, progress, done)


def _joined(batches: list[Any], rows: int, progress: Callable[[int], None] | None, done: int) -> Any:
    """The first ``rows`` rows of ``batches`` as one DataFrame."""
    import pyarrow as pa
    if progress:
        progress(done + rows)
    return pa.Table.from_batches(batches).slice(0, rows).to_pandas()


def read_table(source: Path | bytes, fmt: str, columns: list[str] | None = None, name: str | None = None) -> Any:
    """The whole table as one DataFrame (only the given ``columns`` when set); InputError on bad input."""
    import pandas as pd
    chunks = list(iter_chunks(source, fmt, columns=columns, name=name))
    if len(chunks) == 1:
        return chunks[0]
    return pd.concat(chunks, ignore_index=True)


def dataset_source(dataset: dict[str, Any], root: Path | None, files: dict[str, bytes] | None) -> Path | bytes:
    """The file a dataset's ``path`` names: bytes from the in-memory ``files`` of a pack fixture,
    else the path inside ``root`` (``..``, absolute paths and links leading outside are refused)."""
    from mlcompliance.evidence.project import resolve_inside
    path = dataset.get("path")
    if not isinstance(path, str) or not path:
        raise InputError(f"dataset '{dataset.get('id')}' has no path", expected="datasets[].path")
    if files is not None:
        data = files.get(path)
        if data is None:
            raise InputError("data file not found", file=path)
        return data
    assert root is not None
    return resolve_inside(root, path)


def loader(root: Path | None, files: dict[str, bytes] | None) -> Callable[[dict[str, Any]], Any]:
    """``load(dataset) -> DataFrame`` over a project directory or a fixture's files: what
    ``probes.data.outcomes`` (drift, fairness, metrics) calls. Raises InputError on bad input."""
    def load(dataset: dict[str, Any]) -> Any:
        source = dataset_source(dataset, root, files)
        path = str(dataset.get("path"))
        fmt = detect_format(path, dataset.get("format"))
        if fmt is None:
            raise InputError("cannot tell the data format", file=path,
                             expected="format: csv, parquet or jsonl, or a .csv/.parquet/.jsonl file")
        return read_table(source, fmt, name=path)
    return load
