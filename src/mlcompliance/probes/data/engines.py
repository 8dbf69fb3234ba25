"""Where the data probes parse the declared data files: pandas in this process, or Dask workers.

``--engine pandas`` (the default) reads a file in chunks here (``read.iter_chunks``). ``--engine
dask`` parses the file's partitions in parallel on the workers of a Dask cluster (a
``distributed.LocalCluster`` of ``--dask-workers`` processes started for the run and closed at
its end, or the scheduler at ``--dask-scheduler ADDRESS``), and the same profile takes the parsed
partitions here, strictly in file order, with at most ``WINDOW_PER_WORKER`` partitions per worker
in flight (so memory stays flat): every fact is computed by the same code from the same rows,
and the profile's facts do not depend on where chunks end (``profile``), so both engines give the
same facts; only the facts' ``how.read`` names the engine. The partitions:

* CSV and JSON Lines: blocks of about ``--dask-blocksize`` bytes cut at line ends, each parsed
  by ``read.iter_chunks`` on the worker (so with the same pandas options and the same errors);
  every CSV block gets the file's header line. A line with an odd number of ``"`` (a quoted
  field holding a line break) cannot be cut there: from the first block with one, the rest of
  the file is read here, in order, by the pandas reader (the facts are the same).
* Parquet: one partition per row group (``pyarrow``).
* gzip (not splittable), in-memory files (pack fixtures) and empty Parquet files: read here by
  the pandas reader.

A worker must see the file at the same path as this process (a local cluster does; a remote
cluster needs the project on a shared file system). Bad input is an ``InputError`` naming the
file, whichever engine read it. The outcome probes (drift, fairness, metrics) read their tables
through the same partitions (``loader``). pandas, pyarrow and dask are imported only when a file
is read.
"""
from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError

ENGINES = ("pandas", "dask")
DEFAULT_WORKERS = 2
DEFAULT_BLOCKSIZE = 16 << 20     # bytes per CSV / JSON Lines partition (first partition early; little overhead)
WINDOW_PER_WORKER = 2            # partitions parsed ahead of the profile, per worker
INSTALL = "pip install 'mlcompliance[dask]'"
SCHEDULER_ENV = "MLCOMPLIANCE_DASK_SCHEDULER"


class EngineUnavailable(InputError):
    """The engine cannot work (scheduler unreachable, local cluster not starting, a worker lost): an
    error of the run (exit 2), never a fact about a data file."""


class EngineStopped(Exception):  # noqa: N818 - carries an EngineUnavailable past the outcome probes' error facts
    """Raised by ``Engine.loader`` for an EngineUnavailable, so the outcome probes (which turn a data
    file's InputError into a fact) let it through; ``probes.observe`` raises ``.error`` again."""

    def __init__(self, error: EngineUnavailable) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class EngineSpec:
    """What --engine and the --dask-* options chose (picklable: portfolio worker processes get it)."""
    name: str = "pandas"
    scheduler: str | None = None
    workers: int = DEFAULT_WORKERS
    blocksize: int = DEFAULT_BLOCKSIZE


def dask_missing() -> bool:
    """Whether dask's distributed scheduler cannot be imported here (without importing it)."""
    import importlib.util
    for name in ("dask", "distributed"):
        try:
            if importlib.util.find_spec(name) is None:
                return True
        except (ImportError, ValueError):     # a module set to None in sys.modules, a broken install
            return True
    return False


def open_engine(spec: EngineSpec | None) -> Engine:
    """The engine ``spec`` names; InputError when it is dask and dask is not installed."""
    if spec is None or spec.name == "pandas":
        return PandasEngine()
    if spec.name != "dask":
        raise InputError(f"unknown engine '{spec.name}'", expected="pandas or dask")
    if dask_missing():
        raise InputError(f"--engine dask needs Dask's distributed scheduler, which is not installed: {INSTALL}",
                         expected="dask and distributed importable in this Python environment")
    return DaskEngine(spec)


class Engine:
    name = "pandas"

    def chunks(self, source: Path | bytes, fmt: str, name: str,
               progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        from mlcompliance.probes.data.read import iter_chunks
        yield from iter_chunks(source, fmt, name=name, progress=progress)

    def hashed_chunks(self, source: Path | bytes, fmt: str, name: str,
                      progress: Callable[[int], None] | None = None) -> Iterator[tuple[Any, dict[str, Any] | None]]:
        """(chunk, its columns' hashes or None) in file order: what the profile is fed."""
        for chunk in self.chunks(source, fmt, name, progress):
            yield chunk, None

    def describe(self, fmt: str, source: Path | bytes | None = None) -> str:
        """``how.read`` of a dataset's facts."""
        from mlcompliance.probes.data.observe import HOW
        from mlcompliance.probes.data.read import CHUNK_ROWS
        return HOW["read"].format(chunk=CHUNK_ROWS)

    def loader(self, root: Path | None, files: dict[str, bytes] | None) -> Callable[[dict[str, Any]], Any]:
        """``load(dataset) -> DataFrame`` for the outcome probes (``read.loader``'s contract)."""
        from mlcompliance.probes.data import read

        def load(dataset: dict[str, Any]) -> Any:
            source = read.dataset_source(dataset, root, files)
            path = str(dataset.get("path"))
            fmt = read.detect_format(path, dataset.get("format"))
            if fmt is None:
                raise InputError("cannot tell the data format", file=path,
                                 expected="format: csv, parquet or jsonl, or a .csv/.parquet/.jsonl file")
            try:
                frames = list(self.chunks(source, fmt, path))
            except EngineUnavailable as err:
                raise EngineStopped(err) from None
            if len(frames) == 1:
                return frames[0]
            import pandas as pd
            return pd.concat(frames, ignore_index=True)
        return load

    def shared(self) -> EngineSpec:
        """The spec worker processes use to reach the same engine (a portfolio's --jobs)."""
        return EngineSpec()

    def close(self) -> None:
        pass


class PandasEngine(Engine):
    pass


class DaskEngine(Engine):
    name = "dask"
    CONNECT_TIMEOUT = "30s"

    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self._client: Any = None
        self._cluster: Any = None

    # --- the cluster -------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """The Dask client, connected (or the local cluster started) on first use."""
        if self._client is None:
            import logging

            from distributed import Client, LocalCluster
            logging.getLogger("distributed").setLevel(logging.ERROR)
            address = self.spec.scheduler or os.environ.get(SCHEDULER_ENV) or None
            try:
                if address:
                    self._client = Client(address, timeout=self.CONNECT_TIMEOUT)
                    self._client.run(_warm)
                else:
                    self._cluster = LocalCluster(n_workers=self.spec.workers, threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address="127.0.0.1:0",   # this machine only
                                                 silence_logs=logging.ERROR)
                    self._client = Client(self._cluster)
                    self._client.run(_warm)     # the workers import the readers now, not on their first partition
            except (OSError, TimeoutError, RuntimeError) as err:
                what = f"cannot reach the Dask scheduler at {address}" if address else "cannot start a local Dask cluster"
                raise EngineUnavailable(f"--engine dask: {what}: {type(err).__name__}: {err}",
                                        expected="a running scheduler's address, e.g. tcp://host:8786" if address
                                        else "dask and distributed installed and working") from None
        return self._client

    def shared(self) -> EngineSpec:
        return replace(self.spec, scheduler=self.client.scheduler.address)

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
        self._client = self._cluster = None

    # --- reading -----------------------------------------------------------------------------
    def describe(self, fmt: str, source: Path | bytes | None = None) -> str:
        if not isinstance(source, Path) or (fmt != "parquet" and _is_gzip(source)):
            return super().describe(fmt) + " (dask engine: read here, this file cannot be split)"
        if fmt == "parquet":
            parts = "one partition per Parquet row group"
        else:
            parts = f"partitions of about {self.spec.blocksize} bytes cut at line ends"
        return (f"whole file parsed on Dask workers ({parts}, each by pandas/pyarrow), profiled in file order; "
                "every row counted")

    def chunks(self, source: Path | bytes, fmt: str, name: str,
               progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        for chunk, _ in self._read(source, fmt, name, progress, hashed=False):
            yield chunk

    def hashed_chunks(self, source: Path | bytes, fmt: str, name: str,
                      progress: Callable[[int], None] | None = None) -> Iterator[tuple[Any, dict[str, Any] | None]]:
        """The partitions with their column hashes, computed on the workers (about half the profile's work)."""
        yield from self._read(source, fmt, name, progress, hashed=True)

    def _read(self, source: Path | bytes, fmt: str, name: str, progress: Callable[[int], None] | None,
              hashed: bool) -> Iterator[tuple[Any, dict[str, Any] | None]]:
        from mlcompliance.probes.data.read import iter_chunks
        if not isinstance(source, Path):
            for chunk in iter_chunks(source, fmt, name=name, progress=progress):
                yield chunk, None
            return
        first = iter_chunks(source, fmt, chunksize=1, name=name)    # missing, empty, wrong format: here, by read.py
        try:
            next(first, None)
        finally:
            first.close()
        if fmt == "parquet":
            yield from self._parquet(source, name, progress, hashed)
        elif _is_gzip(source):
            for chunk in iter_chunks(source, fmt, name=name, progress=progress):
                yield chunk, None
        else:
            yield from self._text(source, fmt, name, progress, hashed)

    def _ordered(self, tasks: Iterator[tuple[Any, ...]], run: Callable[..., Any]) -> Iterator[tuple[Any, Any]]:
        """(task, result) of each task in order, at most WINDOW_PER_WORKER per worker in flight."""
        client = self.client
        window = WINDOW_PER_WORKER * self.workers()
        pending: deque = deque()

        def submit() -> None:
            task = next(tasks, None)
            if task is not None:
                pending.append((task, client.submit(run, *task, pure=False)))
        for _ in range(window):
            submit()
        try:
            from distributed import KilledWorker
            while pending:
                task, future = pending.popleft()
                try:
                    result = future.result()
                except (KilledWorker, OSError) as err:     # the cluster, not the file
                    raise EngineUnavailable(f"--engine dask: a worker was lost or unreachable: {type(err).__name__}: {err}",
                                            expected="workers with enough memory for a partition (a smaller "
                                            "--dask-blocksize), and the data files at the same paths") from None
                future.release()
                submit()
                yield task, result
        finally:
            for _, future in pending:
                future.cancel()

    def _text(self, source: Path, fmt: str, name: str, progress: Callable[[int], None] | None,
              hashed: bool) -> Iterator[tuple[Any, dict[str, Any] | None]]:
        size = source.stat().st_size
        header = b""
        if fmt == "csv":
            with open(source, "rb") as handle:
                header = handle.readline()
        path = os.fspath(source.resolve())
        tasks = iter([(path, start, self.spec.blocksize, header, fmt, name, hashed)
                      for start in range(0, size, self.spec.blocksize)])
        for (_, start, length, *_rest), result in self._ordered(tasks, _parse_block):
            kind = result[0]
            _unreachable(result, name)
            if kind == "error":
                raise InputError(result[1], file=result[2], line=result[3], column=result[4], expected=result[5])
            if kind == "unsplittable":
                for chunk in _rest_here(source, result[1], header, fmt, name, progress):
                    yield chunk, None
                return
            if kind == "frame" and (len(result[1]) or start == 0):    # block 0 even without rows: the columns
                yield result[1], result[2]
            if progress:
                progress(min(size, start + length))

    def _parquet(self, source: Path, name: str, progress: Callable[[int], None] | None,
                 hashed: bool) -> Iterator[tuple[Any, dict[str, Any] | None]]:
        import pyarrow.parquet as pq
        from mlcompliance.probes.data.read import iter_chunks
        meta = pq.ParquetFile(source).metadata     # readable: the first chunk was read above
        if meta.num_rows == 0 or meta.num_row_groups <= 1:
            for chunk in iter_chunks(source, "parquet", name=name, progress=progress):
                yield chunk, None
            return
        path = os.fspath(source.resolve())
        tasks = iter([(path, group, name, hashed) for group in range(meta.num_row_groups)])
        done = 0
        for _, result in self._ordered(tasks, _parse_row_group):
            _unreachable(result, name)
            if result[0] == "error":
                raise InputError(result[1], file=result[2], line=result[3], column=result[4], expected=result[5])
            done += len(result[1])
            if progress:
                progress(done)
            yield result[1], result[2]


def _unreachable(result: tuple[Any, ...], name: str) -> None:
    if result[0] == "unreachable":
        raise EngineUnavailable(f"--engine dask: a Dask worker cannot read {name}, which this process reads: {result[1]}",
                                expected="the project's files at the same paths on every worker (a shared file system)")


def _is_gzip(source: Path) -> bool:
    from mlcompliance.probes.data.read import _gzip, _head
    try:
        return _gzip(source.as_posix(), _head(source))
    except OSError:
        return False


def _error(err: InputError) -> tuple[Any, ...]:
    return ("error", err.message, err.file, err.line, err.column, err.expected)


def _odd_quotes(block: bytes) -> bool:
    """Whether a line of ``block`` has an odd number of ``"`` (a quoted field going on past the line end)."""
    return b'"' in block and any(line.count(b'"') % 2 for line in block.split(b"\n"))


# --- on the workers ---------------------------------------------------------------------------
def _warm() -> None:
    """Import and first-call everything a partition needs (about a second per fresh worker)."""
    import fsspec.utils  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    _parse_block  # noqa: B018 - this module is imported
    frames = list(__import__("mlcompliance.probes.data.read", fromlist=["iter_chunks"]).iter_chunks(
        b"a,b\n1,x\n", "csv", name="warm.csv"))
    _frame(frames[0], True)


def _frame(frame: Any, hashed: bool) -> tuple[Any, ...]:
    """("frame", frame, its column hashes as the profile computes them, or None)."""
    if not hashed:
        return ("frame", frame, None)
    from mlcompliance.probes.data.profile import column_hash
    frame.columns = [str(c) for c in frame.columns]
    return ("frame", frame, {name: column_hash(frame[name], dictionary=True) for name in frame.columns})


def _parse_block(path: str, start: int, length: int, header: bytes, fmt: str, name: str,
                 hashed: bool = False) -> tuple[Any, ...]:
    """The rows of the lines that start in [start, start + length) of a CSV / JSON Lines file,
    parsed by read.iter_chunks (block 0 holds the header; later blocks get it prepended)."""
    from fsspec.utils import read_block

    from mlcompliance.probes.data.read import iter_chunks
    try:
        with open(path, "rb") as handle:
            block = read_block(handle, start, length, delimiter=b"\n")
    except OSError as err:          # here it was readable: this worker does not see the same file
        return ("unreachable", f"{type(err).__name__}: {err.strerror or err}")
    if fmt == "csv":
        if _odd_quotes(block):     # this block and the rest are read in order by the pandas reader
            return ("unsplittable", _block_start(path, start))
    if start > 0:
        if not block.strip():
            return ("empty",)
        if fmt == "csv":
            block = header + block
    try:
        frames = list(iter_chunks(block, fmt, chunksize=1 << 40, name=name))
    except InputError as err:
        return _error(err)
    if len(frames) == 1:
        return _frame(frames[0], hashed)
    import pandas as pd
    return _frame(pd.concat(frames, ignore_index=True), hashed)


def _block_start(path: str, start: int) -> int:
    """The byte offset where the block read_block returns for ``start`` begins."""
    if start == 0:
        return 0
    from fsspec.utils import seek_delimiter
    with open(path, "rb") as handle:
        handle.seek(start)
        seek_delimiter(handle, b"\n", 1 << 16)
        return handle.tell()


def _parse_row_group(path: str, group: int, name: str, hashed: bool = False) -> tuple[Any, ...]:
    import pyarrow.parquet as pq
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as err:
        return ("unreachable", f"{type(err).__name__}: {err.strerror or err}")
    try:
        with handle:
            frame = pq.ParquetFile(handle).read_row_group(group).to_pandas()
    except Exception as err:  # noqa: BLE001 - a damaged row group is bad input
        text = " ".join(str(err).split())[:300]
        return _error(InputError(f"not a readable parquet file: {type(err).__name__}: {text}", file=name,
                                 expected="a parquet file, as the manifest's format or the file extension says"))
    return _frame(frame, hashed)


# --- here -------------------------------------------------------------------------------------
def _rest_here(source: Path, offset: int, header: bytes, fmt: str, name: str,
               progress: Callable[[int], None] | None) -> Iterator[Any]:
    """The rows from byte ``offset`` (a record's start) to the end, read here by the pandas reader
    from a temporary copy of the header and that part of the file (flat memory)."""
    import shutil
    import tempfile

    from mlcompliance.probes.data.read import iter_chunks
    if offset == 0:
        yield from iter_chunks(source, fmt, name=name, progress=progress)
        return
    suffix = "".join(Path(name).suffixes[-1:]) or ".csv"
    with tempfile.TemporaryDirectory(prefix="mlc-dask-") as folder:
        rest = Path(folder) / f"rest{suffix}"
        with open(source, "rb") as src, open(rest, "wb") as out:
            out.write(header)
            src.seek(offset)
            shutil.copyfileobj(src, out, 1 << 20)
        report = (lambda done: progress(offset + done)) if progress else None
        yield from iter_chunks(rest, fmt, name=name, progress=report)


# --- the engine of the running check ----------------------------------------------------------
_current: ContextVar[Engine | None] = ContextVar("mlcompliance_data_engine", default=None)


def current() -> Engine:
    """The engine the data probes of the running check use (pandas unless a Checker set one)."""
    return _current.get() or PandasEngine()


@contextlib.contextmanager
def using(engine: Engine | None) -> Iterator[None]:
    token = _current.set(engine)
    try:
        yield
    finally:
        _current.reset(token)
