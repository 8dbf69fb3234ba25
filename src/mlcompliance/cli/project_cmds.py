"""`mlcompliance fields`, `export` and `init`: argument parsing only; the work is in ``tools``.

Wired into the main group by ``cli.main``. Exit codes as everywhere: 0 done (or compliant),
1 non-compliant, 2 usage or input error.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from mlcompliance.cli.params import as_of_date
from mlcompliance.vocab import SEVERITIES, TIERS


@click.command("fields")
@click.option("--pack", "pack_id", required=True, help="Pack id, e.g. gdpr.")
@click.option("--version", "version", default=None, help="Pack version (default: the newest).")
@click.option("--tier", type=click.Choice(TIERS), default="high", show_default=True,
              help="Risk tier: only the rules applicable at this tier, with their severity there.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "md")), default="text", show_default=True)
@click.option("--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of policy packs (repeatable).")
def fields(pack_id: str, version: str | None, tier: str, fmt: str, policy_paths: tuple[Path, ...]) -> None:
    """List the evidence fields (bundle JSON pointers) a pack's rules read at a tier, with the rules,
    their severity there, and whether the field is required or conditional, so you know what to write."""
    from mlcompliance.cli.main import _find_sources
    from mlcompliance.policy.packs import load_pack
    from mlcompliance.tools import fields as lib
    pack = load_pack(_find_sources(policy_paths, (f"{pack_id}@{version}" if version else pack_id,))[0])
    listing = lib.list_fields(pack, tier)
    if fmt == "json":
        from mlcompliance.result.codec import dumps
        click.echo(dumps(lib.as_dict(listing)), nl=False)
    elif fmt == "md":
        click.echo(lib.render_markdown(listing), nl=False)
    else:
        click.echo(lib.render_text(listing), nl=False)


@click.command("export")
@click.argument("project", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "target", type=click.Choice(("cyclonedx",)), required=True, help="Export format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the BOM to this file (atomically) instead of standard output.")
@click.option("--as-of", callback=as_of_date, metavar="YYYY-MM-DD",
              help="Date the check is evaluated at and the BOM's timestamp (default: today).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Gate threshold used for the verdict recorded in the BOM (default as for `check`).")
@click.option("--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of policy packs (repeatable).")
def export(project: Path, target: str, output: Path | None, as_of: date, fail_on: str | None,
           policy_paths: tuple[Path, ...]) -> None:
    """Export PROJECT (default: .) as a CycloneDX 1.6 ML-BOM: the model with its model card, the
    datasets with their SHA-256, the framework and locked packages, and the check's verdict,
    pack versions and finding counts as `mlcompliance:*` properties.

    Exit code 0: BOM written (whatever the verdict, which is in the BOM); 2: input error.
    """
    from mlcompliance.tools import cyclonedx
    text = cyclonedx.to_json(cyclonedx.export(project, as_of, policy_paths, fail_on))
    if output is None:
        click.echo(text, nl=False)
        return
    from mlcompliance.cli.main import _emit
    _emit(text, output, (project,))


COMMANDS = [fields, export]
