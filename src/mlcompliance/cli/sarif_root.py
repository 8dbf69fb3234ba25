"""Where SARIF file URIs are relative to: ``--sarif-root DIR``, else the git repository holding
the project, else the working directory (docs/ci.md "SARIF paths").

Code-scanning services resolve a result's URI against the repository root, so a project in a
subdirectory must have its files named ``models/credit/model_card.yaml``, not
``model_card.yaml``. The renderers stay pure functions of the result: the command line works
out the project's directory relative to the root (a POSIX string) and passes it in.
"""
from __future__ import annotations

import os
from pathlib import Path

import click


def repository_root(start: Path) -> Path | None:
    """The nearest of ``start`` and its ancestors holding ``.git`` (a directory, or a file in a
    worktree or submodule), like ``git rev-parse --show-toplevel`` without running git."""
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return None


def base(explicit: Path | None, start: Path) -> Path:
    """The SARIF root: ``explicit`` (``--sarif-root``), else the git repository of ``start``, else the CWD."""
    if explicit is not None:
        return Path(os.path.abspath(explicit))
    return repository_root(start) or Path(os.getcwd())


def relative(path: Path, root: Path, explicit: bool) -> str:
    """``path`` relative to ``root`` as a POSIX string ("" for the root itself). A path outside
    an explicit root is a usage error; outside a detected one, "" (URIs stay relative to the project)."""
    rel = os.path.relpath(os.path.abspath(path), root)
    if rel == "." :
        return ""
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        if explicit:
            raise click.UsageError(f"--sarif-root {root} does not contain {path}")
        return ""
    return Path(rel).as_posix()


def options(explicit: Path | None, project: Path) -> dict[str, str]:
    """The SARIF renderer's options for one project: ``uri_prefix``."""
    return {"uri_prefix": relative(project, base(explicit, project), explicit is not None)}


def portfolio_options(explicit: Path | None) -> dict[str, str]:
    """The portfolio SARIF options: ``cwd_prefix``, the working directory relative to the root
    (project paths in a portfolio are as given, relative to the working directory)."""
    cwd = Path(os.getcwd())
    return {"cwd_prefix": relative(cwd, base(explicit, cwd), explicit is not None)}
