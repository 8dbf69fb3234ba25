"""SHA-256, MD5 and size of a declared file or directory, streamed in constant memory.

MD5 is computed because DVC records it (``dvc.lock``); SHA-256 is what Croissant, CycloneDX and
the data manifest record. A directory's digest is defined here (documented in docs/probes.md):
over its regular files in sorted order of their relative POSIX paths, each contributes
``<relative path> NUL <hex digest of its content> LF`` to an outer digest of the same algorithm.
Files are hashed in 1 MiB blocks; links leading outside the project are not followed (listed).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

BLOCK = 1 << 20
DIRECTORY_RULE = ("sha256/md5 over the directory's regular files sorted by relative POSIX path, each adding "
                  "'<path>\\0<hex digest of its content>\\n'")


def digest_bytes(data: bytes) -> dict[str, Any]:
    """Digests of an in-memory file (pack fixtures)."""
    return {"kind": "file", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest()}


def digest_file(path: Path) -> dict[str, Any]:
    """Digests and size of one file, read in blocks."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            sha.update(block)
            md5.update(block)
            size += len(block)
    return {"kind": "file", "size": size, "sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def sha256_file(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of one file read in 1 MiB blocks: constant memory, for any size."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def digest_directory(path: Path, root: Path) -> dict[str, Any]:
    """The directory digest defined above, with total size, file count and links not followed."""
    root_real = os.path.realpath(root)
    entries: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames.sort()
        for name in filenames:
            full = Path(dirpath) / name
            rel = full.relative_to(path).as_posix()
            real = os.path.realpath(full)
            if not real.startswith(root_real.rstrip(os.sep) + os.sep) or not os.path.isfile(real):
                skipped.append(rel)
                continue
            entries.append((rel, full))
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    for rel, full in sorted(entries):
        one = digest_file(full)
        size += one["size"]
        sha.update(rel.encode("utf-8") + b"\0" + one["sha256"].encode() + b"\n")
        md5.update(rel.encode("utf-8") + b"\0" + one["md5"].encode() + b"\n")
    return {"kind": "directory", "size": size, "files": len(entries), "sha256": sha.hexdigest(),
            "md5": md5.hexdigest(), "not_followed": sorted(skipped), "rule": DIRECTORY_RULE}


def digest_path(path: Path, root: Path) -> dict[str, Any]:
    return digest_directory(path, root) if path.is_dir() else digest_file(path)
