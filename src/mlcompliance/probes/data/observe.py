"""The data probe: facts from every dataset of the data manifest that has a ``path`` in the project.

``observe_data(project, files)`` returns the facts for ``/observed/data`` (docs/probes.md) and
the location index that maps each ``/observed/data/...`` pointer to the data manifest's line
for that dataset (per-field facts to that field's line), so a finding about the data points at
the claim it contradicts. Per dataset: integrity (``integrity``), one chunked pass for schema and
quality (``profile``), personal-data detection on the profile's sample (``personal``); then
overlaps between splits (``splits``). A file that is missing or bad is a fact (``readable:
false`` with the error), which rules turn into a finding. Results are cached by the file's
SHA-256, the probe version and the declaration the facts depend on (``cache``).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import escape_token
from mlcompliance.evidence.project import Project, resolve_inside

PROBE_VERSION = "1"
ROOT = "/observed/data"
PROGRESS_BYTES = 32 << 20        # files at least this large show a progress bar on a terminal
HOW = {
    "read": "whole file read in chunks of {chunk} rows (pandas; pyarrow for Parquet); every row counted",
    "integrity": "SHA-256 and MD5 of the file's bytes (1 MiB blocks); a directory: see integrity.rule",
    "personal": "by column name (word lists) and by content: the non-empty values of a uniform random sample of "
                "{tested} rows (every row when fewer; seed {seed}) tested against validators (docs/probes.md); a "
                "column looks personal when its name matches or at least {share} of tested values match one "
                "kind; special categories (GDPR Art. 9(1), Art. 10) by name and by content: the same values compared "
                "whole with each category's vocabulary, ICD-10 and genetic patterns; a category is observed when at "
                "least {special} of the values that are not neutral answers match it (probes/data/special.py); "
                "no value is kept",
}


def wants_data(bundle: dict[str, Any]) -> bool:
    """Whether the evidence points at data: some dataset of the manifest has a path."""
    manifest = bundle.get("data_manifest")
    datasets = manifest.get("datasets") if isinstance(manifest, dict) else None
    return isinstance(datasets, list) and any(isinstance(d, dict) and isinstance(d.get("path"), str) for d in datasets)


def observe_data(project: Project, files: dict[str, bytes] | None = None,
                 cache: Any = "default") -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """(facts, location index) of the datasets with a path; ``files`` replaces the project directory
    (and is never cached). ``cache``: a ``cache.Cache``, None for none, by default the user's."""
    from mlcompliance.probes.data import cache as cache_mod
    from mlcompliance.probes.data.bom import bom_hashes
    from mlcompliance.probes.data.splits import overlaps
    if files is not None:
        cache = None
    elif cache == "default":
        cache = cache_mod.Cache.default()
    manifest = project.bundle.get("data_manifest")
    datasets = manifest.get("datasets") if isinstance(manifest, dict) else None
    datasets = datasets if isinstance(datasets, list) else []
    index: dict[str, tuple[str, int]] = {}

    def point(pointer: str, declared: str) -> None:
        where = project.locate(declared)
        index[pointer] = (where.file, where.line)

    facts: dict[str, dict[str, Any]] = {}
    tables: list[dict[str, Any]] = []
    lock = _dvc_lock(project, files)
    bom = bom_hashes(project, files)
    for i, ds in enumerate(datasets):
        if not isinstance(ds, dict) or not isinstance(ds.get("path"), str):
            continue
        key = ds["id"] if isinstance(ds.get("id"), str) and ds["id"] not in facts else str(i)
        base, decl = f"{ROOT}/datasets/{escape_token(key)}", f"/data_manifest/datasets/{i}"
        entry, table = _dataset(project, files, ds, i, key, cache, lock, bom)
        facts[key] = entry
        _index_dataset(entry, ds, base, decl, point, lambda ptr, file, line: index.__setitem__(ptr, (file, line)))
        if table is not None:
            tables.append(table)
    split_facts = overlaps(tables)
    for n, pair in enumerate(split_facts):
        second = facts[pair["second"]]["index"]
        field = "split_key" if "keys" in pair else ""
        point(f"{ROOT}/splits/{n}", f"/data_manifest/datasets/{second}/{field}".rstrip("/"))
    if facts:
        first = next(iter(facts.values()))["index"]
        point(ROOT, f"/data_manifest/datasets/{first}")
        point(f"{ROOT}/summary", f"/data_manifest/datasets/{first}")
    personal = [k for k, v in facts.items() if v.get("personal", {}).get("observed")]
    special = [k for k, v in facts.items() if v.get("personal", {}).get("special_categories")]
    return {
        "probe": "data", "probe_version": PROBE_VERSION,
        "datasets": facts,
        "splits": split_facts,
        "summary": {"datasets": len(facts), "read": sum(1 for v in facts.values() if v.get("profiled")),
                    "personal_data": bool(personal), "datasets_with_personal_data": personal,
                    "special_categories": bool(special), "datasets_with_special_categories": special},
    }, index


def _index_dataset(entry: dict[str, Any], ds: dict[str, Any], base: str, decl: str,
                   point: Callable[[str, str], None], index_direct: Callable[[str, str, int], None]) -> None:
    fields = {f.get("name"): n for n, f in enumerate(ds.get("fields") or []) if isinstance(f, dict)}

    def field_or(name: str, fallback: str) -> str:
        return f"{decl}/fields/{fields[name]}" if name in fields else fallback

    def declared(key: str) -> str:
        return f"{decl}/{key}" if key in ds else decl
    point(base, decl)
    point(f"{base}/readable", f"{decl}/path")
    point(f"{base}/error", f"{decl}/path")
    point(f"{base}/integrity", declared("sha256") if "sha256" in ds else f"{decl}/path")
    point(f"{base}/rows", declared("rows"))
    lock = entry.get("integrity", {}).get("dvc_lock")
    if lock:
        index_direct(f"{base}/integrity/dvc_lock", lock["file"], lock["line"])
    recorded = entry.get("integrity", {}).get("cyclonedx")
    if recorded:
        index_direct(f"{base}/integrity/cyclonedx", recorded["file"], recorded["line"])
    point(f"{base}/declared_fields", declared("fields"))
    point(f"{base}/declared_fields_missing", declared("fields"))
    for name in entry.get("declared_fields", {}):
        point(f"{base}/declared_fields/{escape_token(name)}", field_or(name, decl))
    for name in entry.get("column_stats", {}):
        point(f"{base}/column_stats/{escape_token(name)}", field_or(name, decl))
    personal = entry.get("personal")
    if personal:
        point(f"{base}/personal", declared("personal_data"))
        for name in personal.get("columns", {}):
            point(f"{base}/personal/columns/{escape_token(name)}", field_or(name, declared("personal_data")))
        for name in personal.get("special_categories", {}):
            point(f"{base}/personal/special_categories/{escape_token(name)}",
                  field_or(name, declared("special_categories")))


def _dataset(project: Project, files: dict[str, bytes] | None, ds: dict[str, Any], i: int, key: str,
             cache: Any, lock: dict[str, tuple[str, str, int]],
             bom: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The facts of one dataset and, when it was read, its hashes for the split overlaps."""
    from mlcompliance.probes.data import integrity
    from mlcompliance.probes.data.read import detect_format
    path = ds["path"]
    fmt = detect_format(path, ds.get("format"))
    entry: dict[str, Any] = {"id": ds.get("id"), "index": i, "path": path, "split": ds.get("split"),
                             "format": fmt, "readable": True, "error": None, "profiled": False}
    source: Path | bytes | None = None
    pending = None
    try:
        if files is not None:
            source = files.get(path)
            if source is None:
                raise InputError("data file not found", file=path)
            digest = integrity.digest_bytes(source)
        else:
            source = resolve_inside(project.root, path)
            if not source.exists():
                raise InputError("data file not found", file=path)
            if source.is_dir():
                digest = integrity.digest_directory(source, project.root)
            else:
                digest = cache.known_digest(source) if cache is not None else None
                if digest is None:     # hashed in a thread while the profile reads the file (hashlib frees the GIL)
                    pending = _background(integrity.digest_file, source)
                    digest = {"kind": "file"}
    except InputError as err:
        return {**entry, "readable": False, "error": str(err)}, None
    except OSError as err:
        return {**entry, "readable": False, "error": f"{path}: cannot be read: {err.strerror or err}"}, None
    if pending is not None and fmt is None:
        digest, pending = _finish(pending, path), None
        if isinstance(digest, str):
            return {**entry, "readable": False, "error": digest}, None
    if digest["kind"] == "directory":
        entry["integrity"] = _integrity(digest, lock, path, bom)
        entry["reason"] = "a directory: hashed, not profiled"
        return entry, None
    if fmt is None:
        entry["integrity"] = _integrity(digest, lock, path, bom)
        entry["reason"] = "format unknown (no format: csv, parquet or jsonl, no known extension): hashed, not profiled"
        return entry, None
    hit = cache.get(_cache_key(ds, fmt, digest)) if cache is not None and pending is None else None
    error = None
    if hit is not None:
        body, rows, keys = hit
        body["how"]["read"] = _engine().describe(fmt, source)   # the same facts, whichever engine computed them
    else:
        try:
            body, rows, keys = _profile(source, fmt, ds, path, _size(source))
        except InputError as err:
            from mlcompliance.probes.data.engines import EngineUnavailable
            if isinstance(err, EngineUnavailable):     # the --engine cannot work: the run's error, not the file's
                raise
            error = str(err)
        if pending is not None:
            done = _finish(pending, path)
            if isinstance(done, str):
                return {**entry, "readable": False, "error": done}, None
            digest = done
            if cache is not None:
                cache.remember_digest(source, digest)
        if error is None and cache is not None:
            cache.put(_cache_key(ds, fmt, digest), body, rows, keys)
    entry["integrity"] = _integrity(digest, lock, path, bom)
    if error is not None:
        return {**entry, "readable": False, "error": error}, None
    entry.update(body)
    entry["profiled"] = True
    for group in (body["declared_fields"], body["column_stats"], body["personal"]["columns"],
                  body["personal"]["special_categories"]):
        for item in group.values():
            item["dataset"] = ds.get("id", key)
    table = {"id": key, "split": ds.get("split"), "split_key": ds.get("split_key"),
             "columns": body["columns"], "rows": rows, "keys": keys}
    return entry, table


def _integrity(digest: dict[str, Any], lock: dict[str, tuple[str, str, int]], path: str,
               bom: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The integrity facts in one key order, whether hashed now, in a thread or remembered; with the
    hashes dvc.lock and a CycloneDX BOM record for the same path (``probes/data/bom.py``)."""
    from mlcompliance.probes.data.bom import normal_path
    out = {k: digest[k] for k in ("kind", "size", "sha256", "md5", "files", "not_followed", "rule") if k in digest}
    out["how"] = HOW["integrity"]
    if path in lock:
        md5, file, line = lock[path]
        out["dvc_lock"] = {"md5": md5, "file": file, "line": line}
    recorded = bom.get(normal_path(path) or path)
    if recorded is not None:
        out["cyclonedx"] = dict(recorded)
    return out


def _background(function: Callable[..., Any], *args: Any) -> Any:
    from concurrent.futures import ThreadPoolExecutor
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def _finish(future: Any, path: str) -> dict[str, Any] | str:
    """The digests a background hash computed, or the error text when the file could not be read."""
    try:
        return future.result()
    except OSError as err:
        return f"{path}: cannot be read: {err.strerror or err}"


def _size(source: Path | bytes) -> int:
    try:
        return len(source) if isinstance(source, bytes) else source.stat().st_size
    except OSError:
        return 0


def _profile(source: Path | bytes, fmt: str, ds: dict[str, Any], path: str,
             size: int) -> tuple[dict[str, Any], Any, Any]:
    from mlcompliance.probes.data.profile import Profiler
    fields = [f for f in ds.get("fields") or [] if isinstance(f, dict)]
    split_key = ds.get("split_key") if isinstance(ds.get("split_key"), str) else None
    profiler = Profiler(fields, split_key)
    engine = _engine()      # pandas here, or Dask workers (--engine dask): the same chunks' facts
    with _Progress(path, size if fmt != "parquet" else None) as progress:
        for chunk, hashed in engine.hashed_chunks(source, fmt, path, progress):
            profiler.update(chunk, hashed)
            del chunk, hashed       # not kept alive while the next one is read (memory)
    body = profiler.facts()
    body["how"] = {"read": engine.describe(fmt, source), "sampling": profiler.sampling()}
    body["personal"] = _personal(profiler, ds, fields, body)
    return body, profiler.all_row_hashes(), profiler.all_key_hashes()


def _engine() -> Any:
    from mlcompliance.probes.data.engines import current
    return current()


def _personal(profiler: Any, ds: dict[str, Any], fields: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """Personal-data facts per column; withholds value statistics of the columns that look personal."""
    from mlcompliance.probes.data import personal as p
    from mlcompliance.probes.data import special as sp
    declared = {f["name"]: f for f in fields if isinstance(f.get("name"), str)}
    dataset_special = [c for c in ds.get("special_categories") or [] if isinstance(c, str)]
    sample = profiler.small.frame
    columns: dict[str, Any] = {}
    special: dict[str, Any] = {}
    for name in body["columns"]:
        name_kind = p.by_name(name)
        values: list[Any] = []
        if sample is not None and name in sample.columns:
            values = sample[name].dropna().head(p.MAX_TESTED).tolist()
        content = p.by_content(values)
        if name_kind == "date_of_birth":
            content.append(p.dates_share(values))
        strong = [h for h in content if h["share"] >= p.CONTENT_SHARE and h["kind"] != "date"]
        looks = name_kind is not None or bool(strong)
        if looks:
            field = declared.get(name)
            if field is not None:
                marked: bool | None = field.get("personal") is True
            else:
                marked = False if declared else None
            columns[name] = {"name": name, "by_name": name_kind, "content": content, "looks_personal": True,
                                 "declared_personal": marked,
                                 "kinds": sorted({h["kind"] for h in strong} | ({name_kind} if name_kind else set())),
                                 "description": p.describe(name, name_kind, content, True)}
        entry = _special(name, p.special_by_name(name), sp.by_content(values), declared.get(name, {}), dataset_special)
        if entry is not None:
            special[name] = entry
    for name in columns:
        stats = body["column_stats"].get(name, {})
        for k in ("min", "max"):
            stats.pop(k, None)
        stats["values_withheld"] = "the column looks personal: no value statistics are reported"
    from mlcompliance.probes.data.profile import SEED, SMALL_ROWS
    return {"how": HOW["personal"].format(tested=SMALL_ROWS, seed=SEED, share=p.CONTENT_SHARE,
                                                 special=sp.SPECIAL_SHARE),
            "observed": bool(columns), "declared_personal_data": ds.get("personal_data"),
            "columns": columns, "looks_personal_columns": list(columns),
            "special_categories": special}


def _special(name: str, by_name: str | None, content: list[dict[str, Any]], field: dict[str, Any],
             dataset_special: list[str]) -> dict[str, Any] | None:
    """The special-category fact of one column: by its name, by its content, or both; None when neither.
    ``category`` is the name's category, else the content category with the largest share; ``kinds``
    every category the name or content shows; ``declared`` whether the manifest declares ``category``
    (dataset ``special_categories`` or the field's ``special_category``)."""
    from mlcompliance.probes.data import special as sp
    strong = sorted((h for h in content if h["observed"]), key=lambda h: -h["share"])
    if by_name is None and not strong:
        return None
    category = by_name or strong[0]["category"]
    kinds = sorted({h["category"] for h in strong} | ({by_name} if by_name else set()))
    by = "name" if not strong else "content" if by_name is None else "name and content"
    entry: dict[str, Any] = {"name": name, "category": category, "by": by,
                             "declared": field.get("special_category") == category or category in dataset_special}
    if strong:
        share = next((h["share"] for h in strong if h["category"] == category), None)
        entry.update(({"share": share} if share is not None else {}) |
                     {"kinds": kinds, "content": strong, "description": sp.describe(name, strong)})
    return entry


SOURCES = ("data/observe.py", "data/profile.py", "data/read.py", "data/personal.py", "data/special.py",
           "data/bom.py", "data/integrity.py")   # relative to mlcompliance/probes: the code the facts come from
LIBRARIES = ("numpy", "pandas", "pyarrow")     # pandas' dtype inference and parsing decide facts


def _cache_key(ds: dict[str, Any], fmt: str, digest: dict[str, Any]) -> str:
    import hashlib

    from mlcompliance.probes.data.cache import code_digest, library_versions

    from mlcompliance.probes.data import personal, profile, special
    from mlcompliance.probes.data.read import CHUNK_ROWS
    basis = {"probe": PROBE_VERSION, "sha256": digest["sha256"], "size": digest["size"], "format": fmt,
             "fields": ds.get("fields"), "split_key": ds.get("split_key"), "personal_data": ds.get("personal_data"),
             "special_categories": ds.get("special_categories"), "chunk": CHUNK_ROWS,
             "sample": [profile.SAMPLE_ROWS, profile.SMALL_ROWS, profile.SEED, personal.MAX_TESTED],
             "special": special.VERSION, "code": code_digest(SOURCES), "libraries": library_versions(LIBRARIES)}
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()


def _dvc_lock(project: Project, files: dict[str, bytes] | None) -> dict[str, tuple[str, str, int]]:
    """path -> (md5, dvc.lock, line) of the outs and deps a ``dvc.lock`` at the project root records."""
    from mlcompliance.evidence.loader import parse_text
    try:
        if files is not None:
            data = files.get("dvc.lock")
        else:
            lock = resolve_inside(project.root, "dvc.lock")
            data = lock.read_bytes() if lock.is_file() and lock.stat().st_size <= 4 << 20 else None
        if data is None:
            return {}
        doc = parse_text(data.decode("utf-8", errors="replace"), "dvc.lock", "yaml")
    except (InputError, OSError):
        return {}
    out: dict[str, tuple[str, str, int]] = {}
    stages = doc.value.get("stages") if isinstance(doc.value, dict) else None
    for stage, body in (stages or {}).items() if isinstance(stages, dict) else ():
        for kind in ("deps", "outs"):
            items = body.get(kind) if isinstance(body, dict) else None
            for n, item in enumerate(items if isinstance(items, list) else []):
                md5 = item.get("md5") if isinstance(item, dict) else None
                if isinstance(md5, int) and not isinstance(md5, bool):
                    md5 = str(md5).zfill(32)     # an all-digit hash that YAML read as a number
                if isinstance(md5, str) and isinstance(item.get("path"), str):
                    line = doc.location(f"/stages/{escape_token(str(stage))}/{kind}/{n}/md5")[0]
                    out.setdefault(item["path"], (md5, "dvc.lock", line))
    return out


class _Progress:
    """A one-line progress bar on stderr, only on a terminal and only for large files."""

    def __init__(self, path: str, size: int | None) -> None:
        self.path, self.size, self.last = path, size, -1
        self.on = bool(size and size >= PROGRESS_BYTES and sys.stderr.isatty())

    def __enter__(self) -> Callable[[int], None] | None:
        return self.report if self.on else None

    def report(self, done: int) -> None:
        pct = min(100, done * 100 // max(self.size or 1, 1))
        if pct != self.last:
            self.last = pct
            sys.stderr.write(f"\rprobing {self.path}: {pct:3d} %")
            sys.stderr.flush()

    def __exit__(self, *exc: Any) -> None:
        if self.on and self.last >= 0:
            sys.stderr.write("\r" + " " * (len(self.path) + 16) + "\r")
            sys.stderr.flush()
