"""Portfolio: many projects checked in one run, streamed into one report.

`check DIR...` with several directories, or `check --recursive ROOT`, checks every project
(on all cores when there are enough of them) and writes each project to the report as soon
as it and every project before it is done: projects are taken in ascending order of their
path string, and worker results that finish early wait in a bounded window
(:data:`WINDOW_PER_JOB` chunks of at most :data:`CHUNK` projects per process), so the
output is the same whatever order the workers finish in, and memory does not grow with N.
Nothing keeps a project's result after it is written: the roll-up keeps totals
(:mod:`mlcompliance.result.rollup`) and each format keeps what it must write after the
totals in temporary spool files (:mod:`mlcompliance.render.portfolio`).

The same pipeline renders a saved portfolio (`mlcompliance render`) and merges the outputs
of shards (`mlcompliance merge`); `--shard I/N` picks the projects whose path hash falls in
slice I of N (:func:`shard_of`).
"""
from __future__ import annotations

import hashlib
import heapq
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from mlcompliance import __version__
from mlcompliance.errors import InputError
from mlcompliance.evidence.project import EVIDENCE_MARKERS
from mlcompliance.render import portfolio as formats
from mlcompliance.result import jsonl
from mlcompliance.result.codec import RESULT_VERSION
from mlcompliance.result.rollup import Rollup, digest

PARALLEL_MIN = 200        # below this, starting worker processes (imports, pack compilation) costs more than it saves
CHUNK = 8                 # projects per task sent to a worker process
WINDOW_PER_JOB = 3        # tasks in flight or waiting to be written, per worker process
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


class Item(NamedTuple):
    """One project, ready to write: its JSON line, its roll-up digest and its format fragment."""
    path: str
    line: str
    digest: dict[str, Any]
    fragment: Any


# --- which projects ----------------------------------------------------------------------

def find_projects(root: Path) -> list[tuple[str, str]]:
    """(path, shard key) of each directory under ``root`` holding an mlcompliance.yaml or a model
    card (not descending into it), sorted by path. Plain strings: at 10 000 projects, ``Path``
    objects would be most of what a portfolio run holds."""
    if not root.is_dir():
        raise InputError("not a directory", file=str(root), expected="a directory of projects")
    markers = set(EVIDENCE_MARKERS)   # the names evidence.project.has_evidence looks for
    top = os.fspath(root)
    found = []
    for here, dirs, files in os.walk(top, followlinks=False):
        if not markers.isdisjoint(files):
            rel = os.path.relpath(here, top)
            found.append((here, Path(rel).as_posix() if os.sep != "/" else rel))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
    return sorted(found)


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) of a project: the first 8 bytes of sha256(key) modulo count, where the
    key is the project's path relative to the --recursive root (POSIX separators), or the path as
    given for a directory named on the command line. A project's shard depends on nothing but its
    own path, so adding or removing other projects never moves it to another shard."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % count + 1


def catalog(policy_paths: Iterable[Path]) -> dict[str, str]:
    """Every pack version a run can choose, with its content digest: two shards agree on it or
    their projects were not checked against the same packs."""
    from mlcompliance.policy.packs import discover, pack_digest
    return {f"{s.id}@{s.version}": pack_digest(s.directory) for s in discover(policy_paths)}


def header(as_of: date | str, fail_on: str | None, packs: dict[str, str],
           shard: tuple[int, int] | None = None) -> dict[str, Any]:
    """The portfolio header (docs/result.md): what must be equal for two portfolios to merge."""
    out: dict[str, Any] = {"portfolio_version": jsonl.PORTFOLIO_VERSION, "result_version": RESULT_VERSION,
                           "tool": {"name": "mlcompliance", "version": __version__},
                           "as_of": as_of if isinstance(as_of, str) else as_of.isoformat(),
                           "fail_on": fail_on, "catalog": packs}
    if shard is not None:
        out["shard"] = {"index": shard[0], "count": shard[1]}
    return out


# --- checking, in worker processes or here ---------------------------------------------------

def _as_dict(result: Any) -> dict[str, Any]:
    """The one place a project's result enters the portfolio: as the JSON-ready dict of the result
    (what crosses process boundaries and what the roll-up and the JSON Lines read)."""
    from mlcompliance.result.codec import to_dict
    return to_dict(result)


_worker_checker = None


def _init_worker(policy_paths: tuple[Path, ...], probes: bool | None = None, engine: Any = None,
                 cache: bool = True) -> None:
    """``engine``: an Engine here, or in a worker process the EngineSpec of the run's shared Dask cluster
    (each worker process connects its own client to that scheduler; the cluster closes with the run)."""
    global _worker_checker
    from mlcompliance.probes.data.engines import EngineSpec, open_engine
    from mlcompliance.run import Checker
    if isinstance(engine, EngineSpec):
        engine = open_engine(engine)
    _worker_checker = Checker(policy_paths, probes, engine, cache)


def _check_one(path: str, as_of: date, fail_on: str | None) -> dict[str, Any]:
    try:
        return {"path": path, "result": _as_dict(_worker_checker.check(Path(path), as_of, fail_on))}  # type: ignore[union-attr]
    except InputError as err:
        entry = {"path": path, "error": err.one_line(), "file": err.file, "line": err.line}
        if len(err.records()) > 1:
            entry["errors"] = err.records()   # every input error (capped at errors.MAX_REPORTED)
        return entry


def _prepare(entry: dict[str, Any], fmt: str, options: dict[str, Any], line: str | None = None) -> Item:
    return Item(entry["path"], line if line is not None else jsonl.entry_line(entry), digest(entry),
                formats.prepare(fmt, entry, options))


def _work(paths: list[str], as_of: date, fail_on: str | None, fmt: str, options: dict[str, Any]) -> list[Item]:
    return [_prepare(_check_one(p, as_of, fail_on), fmt, options) for p in paths]


def iter_checked(paths: list[str], as_of: date, fail_on: str | None, policy_paths: tuple[Path, ...],
                 jobs: int | None, fmt: str, options: dict[str, Any], probes: bool | None = None,
                 engine: Any = None, cache: bool = True) -> Iterator[Item]:
    """Check ``paths`` (sorted, each once) and yield their items in that order (``probes``, ``engine``, ``cache``:
    see Checker; with worker processes, a Dask engine's one cluster is shared by all of them)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(paths) >= PARALLEL_MIN:
        chunks = iter([paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)])
        spec = engine.shared() if engine is not None and probes is not False else None
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), initializer=_init_worker,
                                 initargs=(policy_paths, probes, spec, cache)) as pool:
            pending: deque = deque()

            def submit() -> None:
                chunk = next(chunks, None)
                if chunk is not None:
                    pending.append(pool.submit(_work, chunk, as_of, fail_on, fmt, options))
            for _ in range(jobs * WINDOW_PER_JOB):
                submit()
            while pending:
                items = pending.popleft().result()
                submit()
                yield from items
        return
    _init_worker(policy_paths, probes, engine, cache)
    for path in paths:
        yield _prepare(_check_one(path, as_of, fail_on), fmt, options)


# --- reading saved portfolios ----------------------------------------------------------------

def iter_saved(reader: jsonl.PortfolioReader, fmt: str, options: dict[str, Any]) -> Iterator[Item]:
    """The items of a saved portfolio file, with its exact lines (so the sha256 is the file's)."""
    for lineno, line, entry in reader.entries():
        try:
            yield _prepare(entry, fmt, options, line)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            raise InputError(f"project '{entry['path']}': damaged result ({type(err).__name__}: {err})",
                             file=reader.name, line=lineno,
                             expected="a result as 'mlcompliance check --format json' writes it") from None


def open_shards(files: list[Path]) -> tuple[list[jsonl.PortfolioReader], dict[str, Any]]:
    """Open shard outputs and check they belong together; returns the readers and the merged header."""
    readers = [jsonl.PortfolioReader(f) for f in files]
    first = readers[0]
    for r in readers[1:]:
        for key in jsonl.CONSISTENT:
            if r.header[key] != first.header[key]:
                raise InputError(f"{key} differs from {first.name} ({_short(r.header[key])} here, "
                                 f"{_short(first.header[key])} there)", file=r.name, line=1,
                                 expected="shards of one run: same as-of date, --fail-on, tool and pack versions")
    shards = [r.header.get("shard") for r in readers]
    if any(shards):
        if not all(shards):
            r = readers[shards.index(None)]
            raise InputError("not a shard, merged with shards", file=r.name, line=1,
                             expected="outputs of 'check --shard I/N', one per I")
        count = shards[0]["count"]
        seen: dict[int, str] = {}
        for r, s in zip(readers, shards):
            if s["count"] != count:
                raise InputError(f"shard {s['index']}/{s['count']} merged with shards of {count}", file=r.name,
                                 line=1, expected=f"shards I/{count}")
            if s["index"] in seen:
                raise InputError(f"shard {s['index']}/{count} given twice (also {seen[s['index']]})", file=r.name,
                                 line=1, expected="each shard once")
            seen[s["index"]] = r.name
        missing = sorted(set(range(1, count + 1)) - set(seen))
        if missing:
            raise InputError("missing shard " + ", ".join(f"{i}/{count}" for i in missing), file=first.name,
                             expected=f"all {count} shards")
    return readers, {k: first.header[k] for k in jsonl.CONSISTENT}   # a fresh run's header, without its shard


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def iter_merged(readers: list[jsonl.PortfolioReader], fmt: str,
                options: dict[str, Any]) -> Iterator[Item]:
    """The items of several portfolio files, in path order; a project in two files is an input error.
    Each file's summary line is checked against its own project lines as it ends."""
    def one(reader: jsonl.PortfolioReader, n: int) -> Iterator[tuple[str, int, Item]]:
        rollup = Rollup()
        for item in iter_saved(reader, fmt, options):
            rollup.add(item.digest)
            yield item.path, n, item
        verify_summary(reader, summary_sha256(rollup))
        rollup.close()
    previous: tuple[str, int] | None = None
    for path, n, item in heapq.merge(*(one(r, i) for i, r in enumerate(readers)), key=lambda x: x[0]):
        if previous is not None and previous[0] == path:
            raise InputError(f"project '{path}' is in two shards (also in {readers[previous[1]].name})",
                             file=readers[n].name, expected="shards whose projects do not overlap")
        previous = (path, n)
        yield item


def summary_sha256(rollup: Rollup) -> str:
    sha = hashlib.sha256()
    for chunk in rollup.summary_chunks():
        sha.update(chunk.encode("utf-8"))
    return sha.hexdigest()


def verify_summary(reader: jsonl.PortfolioReader, sha256: str) -> None:
    """A saved summary line must be the one its project lines give (else lines were edited or lost)."""
    if sha256 != reader.summary_sha256:
        raise InputError("the summary line does not match the project lines before it", file=reader.name,
                         line=reader.summary_line,
                         expected="the file as 'check --format json' wrote it (no line edited, added or lost)")


# --- writing -----------------------------------------------------------------------------------

class Written(NamedTuple):
    rollup: Rollup
    summary_sha256: str


def write(items: Iterable[Item], head: dict[str, Any], fmt: str, out: TextIO, options: dict[str, Any],
          progress: Callable[[int], None] | None = None) -> Written:
    """Stream ``items`` into format ``fmt`` on ``out``; the caller closes the returned roll-up."""
    sink = formats.sink(fmt, out, head, options)
    whole = hashlib.sha256() if sink.uses_sha256 else None
    text = jsonl.header_line(head)
    if whole:
        whole.update(text.encode("utf-8"))
    sink.header_line(text)
    rollup = Rollup()
    for item in items:
        if whole:
            whole.update(item.line.encode("utf-8"))
        rollup.add(item.digest)
        sink.take(item.path, item.line, item.fragment)
        if progress:
            progress(1)
    summary = hashlib.sha256()
    for chunk in rollup.summary_chunks():
        data = chunk.encode("utf-8")
        if whole:
            whole.update(data)
        summary.update(data)
        sink.summary(chunk)
    sink.finish(rollup, whole.hexdigest() if whole else "")
    return Written(rollup, summary.hexdigest())


def exit_code(rollup: Rollup) -> int:
    return {"compliant": 0, "non_compliant": 1, "error": 2}[rollup.verdict]
