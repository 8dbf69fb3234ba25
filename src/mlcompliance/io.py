"""Writing reports: atomically, and never over one of the inputs."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from mlcompliance.errors import InputError


def write_atomic(path: Path, text: str, protected: tuple[Path, ...] = ()) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (readers never see half a file)."""
    with open_atomic(path, protected) as handle:
        handle.write(text)


@contextmanager
def open_atomic(path: Path, protected: tuple[Path, ...] = ()) -> Iterator[TextIO]:
    """A text handle on a temporary file beside ``path``, renamed onto it when the block ends
    normally and removed when it raises: a report streamed in pieces is still all or nothing."""
    real = path.resolve()
    for p in protected:
        if real == p.resolve():
            raise InputError("refusing to overwrite an input file", file=str(path),
                             expected="an output path that is not one of the project's evidence files")
    directory = real.parent
    if not directory.is_dir():
        raise InputError("output directory does not exist", file=str(path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a report gets the usual permissions
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
