"""`mlcompliance convert PATH`: print the native evidence a project or file amounts to, with sources.

Exit code 0: printed; 2: bad input (a file no adapter reads, a malformed or hostile file),
named file:line. Wire it into the main group with ``main.add_command(convert)``.
"""
from __future__ import annotations

from pathlib import Path

import click


@click.command("convert", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("yaml", "json")), default="yaml", show_default=True,
              help="yaml: native evidence with each value's source in a comment; json: the documents plus "
                   "an origins map (JSON pointer -> file, line, column, adapter).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
def convert(path: Path, fmt: str, output: Path | None) -> None:
    """Show the native evidence PATH (a project directory or one metadata file) amounts to.

    Reads Hugging Face model cards, Model Card Toolkit JSON, CycloneDX ML-BOMs, SPDX 3 AI/Dataset
    documents, Croissant metadata and the other adapters' files (docs/adapters.md), merged with the
    project's own evidence files as `check` merges them.
    """
    from mlcompliance.evidence.adapters.convert import convert as run
    from mlcompliance.evidence.adapters.convert import to_json, to_yaml

    converted = run(path)
    text = to_json(converted) if fmt == "json" else to_yaml(converted)
    if output is None:
        click.echo(text, nl=False)
        return
    from mlcompliance.io import write_atomic
    write_atomic(output, text)
