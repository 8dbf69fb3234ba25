"""Command line: parse options, call the library, choose the exit code (0 ok, 1 non-compliant, 2 bad input)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import InputError

SEVERITIES = ("info", "low", "medium", "high", "critical")
FORMATS = ("text", "json", "md")


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


class _Group(click.Group):
    """Turns InputError into one clear line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as err:
            click.echo(f"mlcompliance: error: {err}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlcompliance")
def main() -> None:
    """Policy-as-code compliance checks for machine-learning projects."""


@main.command()
@click.argument("projects", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity of a fail/error finding that makes the check fail (default: the "
                   "project's gate.fail_on, else high).")
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD",
              help="Date all date logic is evaluated at (default: today).")
@click.option("--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of policy packs (repeatable).")
def check(projects: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str | None,
          as_of: date, policy_paths: tuple[Path, ...]) -> None:
    """Check PROJECTS (directories of evidence files) against their policy packs.

    Exit code 0: compliant; 1: non-compliant under the gate; 2: usage, configuration or input error.
    """
    from .render import RENDERERS
    from .run import Checker

    checker = Checker(policy_paths)
    results = [checker.check(p, as_of, fail_on) for p in projects]
    render = RENDERERS[fmt]
    if len(results) == 1:
        text = render(results[0])
    elif fmt == "json":
        from .result import dumps
        text = dumps({"result_version": results[0]["result_version"], "projects": results})
    else:
        text = "".join(render(r) + ("\n" if fmt == "text" else "\n---\n\n") for r in results)
    _emit(text, output, projects)
    sys.exit(1 if any(r["gate"]["verdict"] != "compliant" for r in results) else 0)


def _emit(text: str, output: Path | None, projects: tuple[Path, ...] = ()) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from .evidence import CONFIG_NAMES, KINDS
    from .io import write_atomic
    protected = tuple(p / f"{k}{ext}" for p in projects for k in (*KINDS, *[c.rsplit('.', 1)[0] for c in CONFIG_NAMES])
                      for ext in (".yaml", ".yml", ".json"))
    write_atomic(output, text, protected)
