"""`mlcompliance assess`: the leaders' self-assessment (interactive, or from an answers file).

Exit code 0: assessment produced (over-claims are reported, not failed); 2: usage or input error
(a bad answers file names file:line). Wire it into the main group with ``main.add_command(assess)``.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from mlcompliance.cli.params import as_of_date
from mlcompliance.errors import InputError

FORMATS = ("text", "json", "md", "html")


@click.command("assess", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--answers", "answers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Answers file (YAML) to score instead of asking the questions interactively.")
@click.option("--template", "write_template", is_flag=True,
              help="Write an answers template to fill in (to -o FILE, or standard output) and stop.")
@click.option("--project", "project_dir", type=click.Path(path_type=Path),
              help="Project directory whose evidence is compared with the claims, dimension by dimension.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: text).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report (or the template) to this file, atomically, instead of standard output.")
@click.option("--as-of", callback=as_of_date, metavar="YYYY-MM-DD",
              help="Date the project evidence is evaluated at (default: today).")
@click.option("--save-answers", type=click.Path(path_type=Path, dir_okay=False),
              help="Interactive mode: also save the answers given to this file, for later runs with --answers.")
def assess(answers_path: Path | None, write_template: bool, project_dir: Path | None, fmt: str | None,
           output: Path | None, as_of: date, save_answers: Path | None) -> None:
    """Score the leaders' self-assessment across the playbook's six dimensions and seven principles.

    Answer interactively, or fill in a template (`--template -o answers.yaml`) and score it with
    `--answers answers.yaml`. With `--project DIR`, claims are compared with the stage the project's
    evidence shows, and over-claims are flagged. Exit code 0: done; 2: usage or input error.
    """
    try:
        _run(answers_path, write_template, project_dir, fmt, output, as_of, save_answers)
    except InputError as err:
        click.echo(f"mlcompliance: error: {err}", err=True)
        sys.exit(2)


def _run(answers_path: Path | None, write_template: bool, project_dir: Path | None, fmt: str | None,
         output: Path | None, as_of: date, save_answers: Path | None) -> None:
    from mlcompliance.io import write_atomic
    from mlcompliance.scoring import assess as lib

    if write_template and (answers_path or project_dir or save_answers or fmt):
        raise click.UsageError("--template cannot be combined with --answers, --project, --save-answers or --format")
    if save_answers and answers_path:
        raise click.UsageError("--save-answers only applies to interactive mode (without --answers)")
    questionnaire = lib.load_questionnaire()
    if write_template:
        _emit(lib.template(questionnaire), output, ())
        return
    project = maturity = None
    protected: tuple[Path, ...] = ()
    if project_dir is not None:
        from mlcompliance.engine.findings import thaw
        from mlcompliance.evidence.project import load_project
        from mlcompliance.run import Checker
        project = load_project(project_dir)
        maturity = thaw(Checker().check(project_dir, as_of).maturity)   # aggregated from the packs' findings
        if not maturity.get("assessed", True):
            maturity = None
        protected += tuple(project_dir / f.get("path") for f in project.files() if f.get("path"))
    if answers_path is not None:
        answers = lib.load_answers(answers_path, questionnaire)
        protected += (answers_path,)
    else:
        answers = _interactive(questionnaire)
        if save_answers is not None:
            write_atomic(save_answers, lib.template(questionnaire, answers), protected)
            click.echo(f"answers saved to {save_answers}", err=True)
    result = lib.assess(questionnaire, answers, as_of, maturity)
    from mlcompliance.render.assessment import RENDERERS
    _emit(RENDERERS[fmt or "text"](result), output, protected)


def _interactive(questionnaire):  # type: ignore[no-untyped-def]
    from mlcompliance.scoring.assess import Answers
    click.echo(f"{questionnaire.title} ({questionnaire.ref}): {len(questionnaire.questions)} questions. "
               "Choose the option that describes how your organisation works today.", err=True)
    choices: dict[str, str | None] = {}
    current = None
    for number, question in enumerate(questionnaire.questions, start=1):
        if question.dimension != current:
            current = question.dimension
            click.echo(f"\n== {questionnaire.dimension_title(current)} ==", err=True)
        click.echo(f"\n{number}. {question.topic}: {question.text}", err=True)
        for option in question.options:
            click.echo(f"   {option.id}) {option.text}", err=True)
        ids = [o.id for o in question.options]
        choices[question.id] = click.prompt("   answer", type=click.Choice(ids), err=True, show_choices=True)
    return Answers({}, choices, None)


def _emit(text: str, output: Path | None, protected: tuple[Path, ...]) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from mlcompliance.io import write_atomic
    write_atomic(output, text, protected)
