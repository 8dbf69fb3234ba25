"""`mlcompliance render saved.json --format X` is byte-identical to `check --format X`.

One test, over every output format, on every sample project that gives a result, on the failing
and hostile projects of the renderer tests, and on a portfolio (projects given by relative and by
absolute path). Each report is also checked to be well-formed for its format. The failing, hostile
and portfolio cases (which between them hold every outcome, waivers, hostile text and a sample)
run in the fast inner loop; the bundled samples' cases are marked ``slow`` (about 10 s together,
mostly the result validation of ``render``) and run in the full suite.

The one non-deterministic field is ``generated_at``, written only with ``--timestamp``: with the
clock frozen, a stamped result is rebuilt byte for byte too, and render shows the recorded stamp
rather than the time it runs at.
"""
from __future__ import annotations

import csv
import datetime
import html
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import AS_OF, SAMPLES, cli, validate_sarif

from mlcompliance.cli import sarif_root
from mlcompliance.render import RENDERERS

FORMATS = ("text", "json", "md", "html", "sarif", "junit", "github", "csv", "requirements-csv", "attestations-csv",
           "oscal")
BROKEN = "broken-fraud-alerts"   # deliberately invalid evidence: exit 2, no result to render
SAMPLE_NAMES = sorted(p.parent.name for p in SAMPLES.glob("*/model_card.yaml") if p.parent.name != BROKEN)
PROJECTS = ("failing", "hostile", "portfolio", *(pytest.param(n, marks=pytest.mark.slow) for n in SAMPLE_NAMES))


def _well_formed(fmt: str, out: bytes) -> None:
    text = out.decode("utf-8")
    assert text.strip()
    if fmt == "json":   # one result, or a portfolio's JSON Lines (header, projects, summary)
        assert all(json.loads(line)["result_version"] if i == 0 else json.loads(line)
                   for i, line in enumerate(text.splitlines()))
    elif fmt == "sarif":
        validate_sarif(json.loads(text))
    elif fmt == "junit":
        assert sum(1 for e in ET.fromstring(out).iter() if e.tag == "testcase") > 0
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html")
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    elif fmt == "oscal":
        from oscal_schema import errors
        assert errors(json.loads(text)) == []


@pytest.fixture(scope="module")
def targets(failing_project: Path, hostile_project: Path, portfolio_dir: Path) -> dict[str, tuple[tuple, Path | None]]:
    """Project name -> (arguments of `check`, working directory)."""
    out: dict[str, tuple[tuple, Path | None]] = {n: ((SAMPLES / n,), None) for n in SAMPLE_NAMES}
    out["failing"] = ((failing_project,), None)
    out["hostile"] = ((hostile_project,), None)
    out["portfolio"] = (("invoice", "failing-project", SAMPLES / "support-email-router"), portfolio_dir)
    return out


@pytest.fixture(scope="module")
def saved(targets, tmp_path_factory: pytest.TempPathFactory):
    """``saved(name)`` -> (path, exit code) of ``check --format json -o path``, run once per project."""
    cache: dict[str, tuple[Path, int]] = {}
    where = tmp_path_factory.mktemp("saved")

    def save(name: str) -> tuple[Path, int]:
        if name not in cache:
            args, cwd = targets[name]
            path = where / f"{name}.json"
            with pytest.MonkeyPatch.context() as mp:
                if cwd is not None:
                    mp.chdir(cwd)
                code = cli("check", *args, "--as-of", AS_OF, "--format", "json", "-o", path).exit_code
            assert code in (0, 1)
            cache[name] = (path, code)
        return cache[name]
    return save


def test_every_format_is_covered():
    assert set(FORMATS) == set(RENDERERS)
    assert len(SAMPLE_NAMES) >= 5 and BROKEN in {p.name for p in SAMPLES.iterdir()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("project", PROJECTS)
def test_render_equals_check(project, fmt, targets, saved, checks, tmp_path):
    args, cwd = targets[project]
    path, code = saved(project)
    direct = checks.run(*args, fmt=fmt, cwd=cwd)
    assert direct.exit_code == code, direct.stderr
    again = tmp_path / f"again.{fmt}"
    # SARIF URIs are relative to the git repository of a project (cli/sarif_root.py): the saved result
    # does not know where its project was, so `render` is told (--sarif-prefix)
    prefix = sarif_root.options(None, args[0])["uri_prefix"] if fmt == "sarif" and len(args) == 1 else ""
    rendered = cli("render", path, "--format", fmt, "-o", again, *(("--sarif-prefix", prefix) if prefix else ()))
    assert rendered.exit_code == 0 and rendered.stdout == "", rendered.output
    assert again.read_bytes() == direct.stdout
    if fmt == "json":
        assert path.read_bytes() == direct.stdout   # `-o` writes what standard output shows
    _well_formed(fmt, direct.stdout)
    if fmt == "html" and project in SAMPLE_NAMES:   # names of the hostile project: test_render_html.py
        name = json.loads(path.read_bytes())["project"]["name"]
        assert html.escape(name) in direct.stdout.decode("utf-8")


STAMP = "2026-11-01T12:34:56Z"


class _FrozenClock(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime(2026, 11, 1, 12, 34, 56, tzinfo=datetime.timezone.utc).astimezone(tz)


def _stamped_check(fmt: str, output: Path) -> None:
    """``check --timestamp`` of the invoice sample, with the clock frozen at STAMP."""
    with pytest.MonkeyPatch.context() as frozen:
        frozen.setattr(datetime, "datetime", _FrozenClock)
        res = cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--timestamp", "--format", fmt,
                  "-o", output)
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stamped") / "r.json"
    _stamped_check("json", path)
    assert json.loads(path.read_bytes())["generated_at"] == STAMP   # the clock really was frozen
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stamped_result_renders_with_its_recorded_stamp(fmt, stamped, tmp_path):
    direct, again = tmp_path / f"direct.{fmt}", tmp_path / f"again.{fmt}"
    _stamped_check(fmt, direct)
    prefix = sarif_root.options(None, SAMPLES / "invoice-late-payment")["uri_prefix"] if fmt == "sarif" else ""
    assert cli("render", stamped, "--format", fmt, "-o", again,
               *(("--sarif-prefix", prefix) if prefix else ())).exit_code == 0   # at the real time
    assert again.read_bytes() == direct.read_bytes()
