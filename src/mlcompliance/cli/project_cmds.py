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
from mlcompliance.vocab import TIERS


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


COMMANDS = [fields]
