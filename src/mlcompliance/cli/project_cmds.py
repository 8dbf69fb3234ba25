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


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--answers", "answers_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Answers to the questionnaire (YAML: question id -> answer), instead of asking on the terminal.")
@click.option("--force", is_flag=True, help="Overwrite existing evidence files and mlcompliance.yaml.")
def init(directory: Path, answers_path: Path | None, force: bool) -> None:
    """Draft model_card.yaml, data_manifest.yaml, pipeline.yaml and mlcompliance.yaml in DIRECTORY
    (default: .) from what the repository shows (CI workflows, dvc.yaml, MLflow MLmodel, lock file,
    and third-party evidence the adapters recognise), each value commented with its source file:line.

    The regulatory facts no file holds (risk tier and its basis, AI Act category, Art. 22
    automation and effect, personal data, lawful basis, DPIA...) are asked on the terminal, or
    read from --answers FILE. Exit code 0: files written; 2: an existing file (without --force),
    or a bad answers file (file:line).
    """
    from mlcompliance.errors import InputError
    from mlcompliance.io import write_atomic
    from mlcompliance.tools import init_draft as lib
    if not directory.is_dir():
        raise InputError("directory not found", file=str(directory), expected="an existing project directory")
    present = lib.existing(directory)
    if present and not force:
        raise InputError("already exists; init never overwrites an existing file without --force",
                         file=present[0].as_posix(), expected="a directory without evidence files, or --force")
    questions = lib.load_questions()
    draft = lib.merge(lib.gather(directory, lib.read_settings(directory)))
    if answers_path is not None:
        answers, source = lib.load_answers(answers_path, questions), answers_path.name
    elif _terminal():
        answers, source = _ask(lib, lib.to_ask(questions, draft)), "asked by init"
    else:
        answers, source = {}, ""
    lib.apply_answers(draft, questions, answers, source)
    texts = lib.finish(draft, directory)
    for name, text in texts.items():
        write_atomic(directory / name, text)
    click.echo(f"drafted {', '.join(texts)} in {directory.as_posix()} from "
               + (", ".join(draft.sources) if draft.sources else "no repository file") + ".")
    if draft.open_questions:
        click.echo("still to answer: " + ", ".join(draft.open_questions)
                   + " (give --answers FILE with --force, or edit the files)")
    click.echo(f"next: review the drafts, then `mlcompliance check {directory.as_posix()}`")


def _terminal() -> bool:
    return sys.stdin.isatty()


def _ask(lib, questions) -> dict:
    """The questionnaire on the terminal; an empty answer skips a question."""
    answers: dict = {}
    for q in questions:
        if q.if_ and answers.get(q.if_) is not True:
            continue
        hint = {"enum": " [" + "|".join(map(str, q.options)) + "]", "boolean": " [yes|no]",
                "list": " (comma-separated)"}.get(q.kind, "")
        while True:
            raw = click.prompt(f"{q.text}{hint}", default="", show_default=False).strip()
            if not raw:
                break
            if q.kind == "boolean":
                raw = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}.get(raw.lower(), raw)
            value, problem = lib.check_answer(q, raw)
            if problem is None:
                answers[q.id] = value
                break
            click.echo(f"  not a valid answer: {problem[0]}" + (f" (expected {problem[1]})" if problem[1] else ""))
    return answers


COMMANDS = [fields, export, init]
