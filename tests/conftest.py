"""Fixtures shared by the test modules (pytest finds them by name: never import this file).

What costs is running ``mlcompliance check`` and the packs' own fixtures, so each is done once:

* ``checks`` (session) runs each distinct ``check`` command once and keeps its output *bytes*;
  ``invoice_result``, ``failing_result``, ``hostile_result`` and ``portfolio_result`` hand each
  test a freshly parsed copy, so a test may change its copy without changing what others see.
* ``failing_project``, ``hostile_project`` and ``portfolio_dir`` (session) are shared directories:
  read-only, and checked to be unchanged at the end of the session. A test that needs to change
  a project takes its own copy (``sample_copy``).
* ``pack_reports`` (session): the built-in packs' fixtures (policies/*/*/tests), run once.

Plain helper functions (``cli``, ``write_project``, the project builders) are in ``helpers.py``.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    AS_OF,
    INVOICE,
    SAMPLES,
    cli,
    make_failing_project,
    make_hostile_project,
    read_portfolio,
    tree_digest,
)


@dataclass(frozen=True)
class Output:
    """What one ``mlcompliance check`` printed."""

    exit_code: int
    stdout: bytes
    stderr: str

    def json(self) -> Any:
        """A fresh parse of the output (a new object on every call); a portfolio's JSON Lines as
        one dict (helpers.read_portfolio)."""
        text = self.stdout.decode("utf-8")
        if text.startswith('{"kind": "portfolio"') or text.startswith('{"kind":"portfolio"'):
            return read_portfolio(text)
        return json.loads(text)


class Checks:
    """``mlcompliance check`` runs, each distinct command run once per session.

    A run is identified by its projects, format, as-of date, extra options and working directory
    (projects may be given relative to ``cwd``, as a user in that directory would). Only for runs
    whose output depends on nothing else: a test that monkeypatches the library runs ``cli`` itself.
    """

    def __init__(self) -> None:
        self._runs: dict[tuple, Output] = {}

    def run(self, *projects: Path | str, fmt: str = "json", as_of: str = AS_OF, options: tuple[str, ...] = (),
            cwd: Path | None = None) -> Output:
        key = (tuple(str(p) for p in projects), fmt, as_of, tuple(options), str(cwd) if cwd else None)
        if key not in self._runs:
            here = os.getcwd()
            if cwd is not None:
                os.chdir(cwd)
            try:
                res = cli("check", *projects, "--as-of", as_of, "--format", fmt, *options)
            finally:
                os.chdir(here)
            self._runs[key] = Output(res.exit_code, res.stdout_bytes, res.stderr)
        return self._runs[key]

    def result(self, *projects: Path | str, as_of: str = AS_OF, options: tuple[str, ...] = (),
               cwd: Path | None = None) -> dict[str, Any]:
        """The JSON result (a fresh copy); the check must have exited 0 or 1."""
        out = self.run(*projects, as_of=as_of, options=options, cwd=cwd)
        assert out.exit_code in (0, 1), out.stderr
        return out.json()


@pytest.fixture(scope="session", autouse=True)
def _data_probe_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The data probe's cache (probes/data/cache.py) in a temporary directory, never the user's;
    set in the environment so that subprocesses use it too."""
    old = os.environ.get("MLCOMPLIANCE_CACHE_DIR")
    os.environ["MLCOMPLIANCE_CACHE_DIR"] = str(tmp_path_factory.mktemp("mlcompliance-cache"))
    yield
    if old is None:
        os.environ.pop("MLCOMPLIANCE_CACHE_DIR", None)
    else:
        os.environ["MLCOMPLIANCE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def checks() -> Checks:
    return Checks()


@pytest.fixture(scope="session")
def sample_check(checks: Checks) -> Callable[..., tuple[int, dict[str, Any]]]:
    """``sample_check(name, as_of=AS_OF)`` -> (exit code, fresh JSON result) of a sample project."""
    def run(name: str, as_of: str = AS_OF) -> tuple[int, dict[str, Any]]:
        out = checks.run(SAMPLES / name, as_of=as_of)
        assert out.exit_code in (0, 1), out.stderr
        return out.exit_code, out.json()
    return run


@pytest.fixture
def sample_copy(tmp_path: Path) -> Callable[[str], Path]:
    """``sample_copy(name)`` -> a copy of ``sample_projects/<name>`` in this test's tmp_path, free to change."""
    def copy(name: str) -> Path:
        return Path(shutil.copytree(SAMPLES / name, tmp_path / name))
    return copy


def _read_only(root: Path) -> Iterator[Path]:
    before = tree_digest(root)
    yield root
    assert tree_digest(root) == before, f"a test changed the shared project {root}: copy it instead"


# --- the projects of the renderer tests --------------------------------------------------------

@pytest.fixture(scope="session")
def failing_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The invoice sample with failures, blocking findings and a waiver register (helpers.make_failing_project)."""
    yield from _read_only(make_failing_project(tmp_path_factory.mktemp("failing")))


@pytest.fixture(scope="session")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The failing project with hostile payloads in every echoed string (helpers.make_hostile_project)."""
    yield from _read_only(make_hostile_project(tmp_path_factory.mktemp("hostile")))


@pytest.fixture(scope="session")
def portfolio_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory with two projects: ``invoice`` (compliant) and ``failing-project``."""
    work = tmp_path_factory.mktemp("portfolio")
    shutil.copytree(INVOICE, work / "invoice")
    make_failing_project(work)
    yield from _read_only(work)


@pytest.fixture
def invoice_result(checks: Checks) -> dict[str, Any]:
    return checks.result(INVOICE)


@pytest.fixture
def failing_result(checks: Checks, failing_project: Path) -> dict[str, Any]:
    return checks.result(failing_project)


@pytest.fixture
def hostile_result(checks: Checks, hostile_project: Path) -> dict[str, Any]:
    return checks.result(hostile_project)


@pytest.fixture
def portfolio_result(checks: Checks, portfolio_dir: Path, tmp_path: Path) -> dict[str, Any]:
    """``check invoice failing-project --format json`` run in ``portfolio_dir`` (relative paths):
    the JSON Lines read as one dict (helpers.read_portfolio), saved at ``file`` for ``render``."""
    out = checks.run("invoice", "failing-project", cwd=portfolio_dir)
    assert out.exit_code in (0, 1), out.stderr
    saved = tmp_path / "portfolio.jsonl"
    saved.write_bytes(out.stdout)
    return dict(out.json(), file=saved)


# --- the built-in packs' own fixtures ----------------------------------------------------------

@pytest.fixture(scope="session")
def pack_reports() -> dict[str, Any]:
    """Pack id -> PackTestReport of its newest built-in version: policies/<id>/<version>/tests, run once."""
    from mlcompliance.policy.packs import discover, load_pack
    from mlcompliance.tools.packtest import run_pack_tests
    newest = {s.id: s for s in discover() if s.origin == "builtin"}   # discover() sorts by version
    return {pid: run_pack_tests(load_pack(source)) for pid, source in sorted(newest.items())}
