"""Command line: parse options, call the library, choose the exit code (0 ok, 1 non-compliant, 2 bad input)."""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from mlcompliance import __version__
from mlcompliance.cli.params import as_of_date, shard_spec
from mlcompliance.errors import InputError
from mlcompliance.render import BUILTIN as FORMAT_NAMES
from mlcompliance.render import RENDERERS
from mlcompliance.vocab import SEVERITIES


class _Format(click.ParamType):
    """A built-in format, or the name of an installed renderer plug-in (looked up only then)."""
    name = "format"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(FORMAT_NAMES) + "|PLUGIN]"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        from mlcompliance.render import installed_formats
        return [CompletionItem(n) for n in (*FORMAT_NAMES, *installed_formats()) if n.startswith(incomplete)]

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in FORMAT_NAMES:
            return value  # type: ignore[return-value]
        from mlcompliance import plugins
        from mlcompliance.render import installed_formats
        try:
            if plugins.find(plugins.RENDERERS, str(value)) is not None:
                return str(value)
        except plugins.PluginError as err:
            self.fail(err.message, param, ctx)
        installed = installed_formats()
        self.fail(f"'{value}' is not a format: built in are {', '.join(FORMAT_NAMES)}; installed renderer plug-ins: "
                  + (", ".join(installed) if installed else f"none (entry point group {plugins.RENDERERS})"), param, ctx)


class _Group(click.Group):
    """Turns InputError into one clear line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as err:
            for line in err.lines():   # every error of the run (InputErrors), one per line
                click.echo(f"mlcompliance: error: {line}", err=True)
            sys.exit(2)


_template_dir_option = click.option(
    "--template-dir", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
    help="Directory of Jinja2 templates overriding the built-in HTML report templates (docs/templates.md).")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlcompliance")
def main() -> None:
    """Policy-as-code compliance checks for machine-learning projects."""


@main.command()
@click.argument("projects", nargs=-1, type=click.Path(path_type=Path))
@click.option("--recursive", "recursive_root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Check every project found under this directory (a portfolio).")
@click.option("--jobs", type=click.IntRange(1), default=None,
              help="Processes for a portfolio (default: one per CPU).")
@click.option("--shard", callback=shard_spec, metavar="I/N",
              help="Check only slice I of N of the projects (by a hash of each project's path), for CI "
                   "matrix jobs; combine their JSON outputs with `mlcompliance merge`.")
@click.option("--format", "fmt", type=_Format(), default="text", show_default=True,
              help="Output format: a built-in one or an installed renderer plug-in (`mlcompliance plugins`).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="[FORMAT=]PATH",
              help="Write the --format report to PATH (atomically) instead of standard output; FORMAT=PATH "
                   "(repeatable) also writes that format, e.g. --output sarif=results.sarif --output "
                   "html=report.html, all from one run.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity of a fail/error finding that makes the check fail (default: the project's "
                   "gate.fail_on, else by risk tier: high at minimal, limited and high, low at prohibited).")
@click.option("--as-of", callback=as_of_date, metavar="YYYY-MM-DD",
              help="Date all date logic is evaluated at (default: today).")
@click.option("--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of policy packs (repeatable).")
@click.option("--timestamp", is_flag=True,
              help="Record the generation time in the result (makes the output differ from run to run).")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A saved JSON result of this project: mark each problem finding new or recurring (by "
                   "fingerprint: rule, file and JSON pointer, never a line) and list the ones fixed since.")
@click.option("--fail-on-new", is_flag=True,
              help="With --baseline: only findings new since the baseline can block (exit code 1).")
@click.option("--probe/--no-probes", "probes", default=None,
              help="Run the data probes (read the declared data files) even when no dataset has a path / "
                   "never: a metadata-only gate. Default: probe when some dataset of the manifest has a path.")
@click.option("--engine", "engine_name", type=click.Choice(["pandas", "dask"]), default="pandas", show_default=True,
              help="Where the data probes parse the data files: pandas in this process, or dask: in parallel on "
                   "the workers of a Dask cluster (pip install 'mlcompliance[dask]'), with the same facts "
                   "(docs/probes.md).")
@click.option("--dask-scheduler", metavar="ADDRESS", envvar="MLCOMPLIANCE_DASK_SCHEDULER", default=None,
              help="With --engine dask: the scheduler of a running Dask cluster (e.g. tcp://host:8786; env "
                   "MLCOMPLIANCE_DASK_SCHEDULER); its workers must see the project's files at the same paths. "
                   "Default: a local cluster started for the run and closed at its end.")
@click.option("--dask-workers", type=click.IntRange(1), default=2, show_default=True,
              help="With --engine dask and no --dask-scheduler: worker processes of the local cluster.")
@click.option("--dask-blocksize", callback=lambda ctx, param, value: _bytes(value), default="16MiB",
              show_default=True, metavar="SIZE",
              help="With --engine dask: bytes per partition of a CSV or JSON Lines file (e.g. 64MiB, 1000000).")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Compute every data-probe fact and file digest anew: neither read nor write the cache "
                   "(by default results are cached by the SHA-256 of the files they read; docs/probes.md).")
@click.option("--framework", "frameworks", multiple=True, metavar="ID",
              help="Also report the result by the controls of framework ID through its crosswalk: iso42001 "
                   "(ISO/IEC 42001:2023 Annex A) or nist-ai-rmf (NIST AI RMF 1.0); repeatable. One project only "
                   "(docs/crosswalks.md).")
@_template_dir_option
@click.option("--sarif-root", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Directory SARIF file URIs are relative to (code scanning resolves them against the repository "
                   "root). Default: the root of the git repository holding the project (for a portfolio: the "
                   "working directory), else the working directory.")
def check(projects: tuple[Path, ...], recursive_root: Path | None, jobs: int | None,
          shard: tuple[int, int] | None, fmt: str, outputs: tuple[str, ...], fail_on: str | None, as_of: date,
          policy_paths: tuple[Path, ...], timestamp: bool, baseline_file: Path | None, fail_on_new: bool,
          probes: bool | None, no_cache: bool, engine_name: str, dask_scheduler: str | None, dask_workers: int,
          dask_blocksize: int, frameworks: tuple[str, ...], template_dir: Path | None, sarif_root: Path | None) -> None:
    """Check PROJECTS (directories of evidence files; default: the project containing the current
    directory) against their policy packs.

    One project gives its result; several (or --recursive) give a portfolio.
    Exit code 0: compliant; 1: non-compliant under the gate (with --fail-on-new: a new finding
    blocks); 2: usage, configuration or input error.
    """
    if not projects and recursive_root is None:
        projects = (_project_here(),)
    if fail_on_new and baseline_file is None:
        raise click.UsageError("--fail-on-new needs --baseline FILE (the saved result to compare with)")
    output, extra = _outputs(outputs)
    from mlcompliance.probes.data.engines import EngineSpec, open_engine
    engine = open_engine(EngineSpec(engine_name, dask_scheduler, dask_workers, dask_blocksize))
    click.get_current_context().call_on_close(engine.close)    # a local Dask cluster ends with the run
    if frameworks:
        from mlcompliance.policy import crosswalks
        for name in frameworks:
            crosswalks.load_framework(name)   # an unknown name is a usage error before any checking
    if len(projects) == 1 and recursive_root is None and shard is None:
        from mlcompliance.run import Checker
        baseline = None
        if baseline_file is not None:
            from mlcompliance.result.baseline import Comparison
            baseline = Comparison.load(baseline_file)
        try:
            result = Checker(policy_paths, probes, engine, not no_cache).check(
                projects[0], as_of, fail_on, baseline=baseline, new_only=fail_on_new, frameworks=frameworks)
        except InputError as err:
            _emit_failure([(fmt, output), *extra], projects[0], err, as_of, sarif_root)
            raise
        if timestamp:
            from dataclasses import replace
            result = replace(result, generated_at=_now())
        from mlcompliance.cli import sarif_root as sarif_base
        sarif = sarif_base.options(sarif_root, projects[0])
        _emit(_render(fmt, result, template_dir, sarif), output, projects)
        for extra_fmt, path in extra:
            _emit(_render(extra_fmt, result, template_dir if extra_fmt == "html" else None, sarif), path, projects)
        sys.exit(1 if result.gate.verdict != "compliant" else 0)
    if baseline_file is not None:
        raise click.UsageError("--baseline compares one project with its saved result; give one PROJECT")
    if frameworks:
        raise click.UsageError("--framework reports one project's result by a framework; give one PROJECT")
    from mlcompliance import portfolio
    keys = {str(p): p.as_posix() for p in projects}
    if recursive_root is not None:
        keys.update(portfolio.find_projects(recursive_root))
    if not keys:
        raise InputError("no project found (a directory with mlcompliance.yaml or a model card)",
                         file=str(recursive_root))
    paths = sorted(p for p, k in keys.items() if shard is None or portfolio.shard_of(k, shard[1]) == shard[0])
    del keys
    head = portfolio.header(as_of, fail_on, portfolio.catalog(policy_paths), shard)
    head = _stamp(head) if timestamp else head
    if extra:
        _check_portfolio_to_many(paths, head, as_of, fail_on, policy_paths, jobs, [(fmt, output), *extra],
                                 template_dir, probes, sarif_root, engine, not no_cache)
        return
    options = _portfolio_options(fmt, template_dir, sarif_root)
    with _progress(len(paths)) as advance, _output(output, paths) as out:
        items = portfolio.iter_checked(paths, as_of, fail_on, policy_paths, jobs, fmt, options, probes, engine, not no_cache)
        rollup, _ = portfolio.write(items, head, fmt, out, options, advance)
    _finish_portfolio(rollup)


def _bytes(value: str | int) -> int:
    """A size such as 64MiB, 64MB, 500k or 1000000 in bytes (binary and decimal units alike: KiB/KB...)."""
    import re
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(i?b)?\s*", str(value), re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(f"'{value}' is not a size in bytes (e.g. 32MiB, 1000000)")
    unit = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    if match.group(3) and match.group(3).lower() == "b" and match.group(2):
        unit = {"k": 10 ** 3, "m": 10 ** 6, "g": 10 ** 9}[match.group(2).lower()]
    return int(match.group(1)) * unit


def _project_here() -> Path:
    """With no PROJECT: the nearest directory from here upwards that holds evidence (like git,
    never crossing a ``.git`` directory's parent), said on stderr."""
    from mlcompliance.evidence.project import find_root, no_evidence_error
    here = Path.cwd()
    root = find_root(here)
    if root is None:
        raise no_evidence_error(here, upwards=True)
    shown = Path(os.path.relpath(root, here))
    click.echo(f"mlcompliance: checking the project at {root}" + ("" if root == here else f" ({shown.as_posix()})"),
               err=True)
    return shown


def _outputs(values: tuple[str, ...]) -> tuple[Path | None, list[tuple[str, Path]]]:
    """``-o PATH`` (the --format report) and ``-o FORMAT=PATH`` (more formats from the same run).

    ``X=...`` is a format only when X names a built-in format or an installed renderer; any other
    value is a path, so a file name with ``=`` in it still works."""
    plain: list[Path] = []
    extra: list[tuple[str, Path]] = []
    for value in values:
        name, sep, rest = value.partition("=")
        if sep and rest and _is_format(name):
            extra.append((name, Path(rest)))
        else:
            plain.append(Path(value))
    if len(plain) > 1:
        raise click.UsageError("-o/--output PATH is given twice: name the others FORMAT=PATH")
    seen = [p for p in plain] + [p for _, p in extra]
    if len({str(p) for p in seen}) != len(seen):
        raise click.UsageError("two outputs write the same file")
    return (plain[0] if plain else None), extra


def _is_format(name: str) -> bool:
    if name in FORMAT_NAMES:
        return True
    if not name.isidentifier() and not name.replace("-", "_").isidentifier():
        return False
    from mlcompliance.render import installed_formats
    return name in installed_formats()


def _check_portfolio_to_many(paths: list[str], head: dict, as_of: date, fail_on: str | None,
                             policy_paths: tuple[Path, ...], jobs: int | None,
                             targets: list[tuple[str, Path | None]], template_dir: Path | None,
                             probes: bool | None = None, sarif_root: Path | None = None, engine: object = None,
                             cache: bool = True) -> None:
    """A portfolio written in several formats from one run: checked once into a temporary JSON
    Lines portfolio, then each format rendered from it (as `mlcompliance render` does, so each
    output is byte-identical to a separate `check --format F`)."""
    import tempfile

    from mlcompliance import portfolio
    from mlcompliance.result import jsonl
    for target_fmt, _ in targets:
        _portfolio_options(target_fmt, template_dir if target_fmt == "html" else None)
    with tempfile.TemporaryDirectory(prefix="mlcompliance-") as tmp:
        saved = Path(tmp) / "portfolio.jsonl"
        with _progress(len(paths)) as advance, saved.open("w", encoding="utf-8", newline="") as out:
            items = portfolio.iter_checked(paths, as_of, fail_on, policy_paths, jobs, "json", {}, probes, engine, cache)
            rollup, _ = portfolio.write(items, head, "json", out, {}, advance)
        for target_fmt, path in targets:
            options = _portfolio_options(target_fmt, template_dir if target_fmt == "html" else None, sarif_root)
            reader = jsonl.PortfolioReader(saved)
            with _output(path, paths) as out:
                written = portfolio.write(portfolio.iter_saved(reader, target_fmt, options), reader.header,
                                          target_fmt, out, options)
                written.rollup.close()
    _finish_portfolio(rollup)


def _emit_failure(targets: list[tuple[str, Path | None]], project: Path, err: InputError,
                  as_of: date | None = None, sarif_root: Path | None = None) -> None:
    """Each CI format's report of a project that could not be loaded (an error, never an empty
    report: render/failure.py), written before the error goes to stderr with exit code 2."""
    from mlcompliance import __version__
    from mlcompliance.cli import sarif_root as sarif_base
    from mlcompliance.render import failure
    prefix = sarif_base.options(sarif_root, project)["uri_prefix"]
    for fmt, output in targets:
        text = failure.render(fmt, failure.Failure.from_error(project.as_posix(), err), __version__, as_of, prefix)
        if text is not None:
            _emit(text, output, (project,))


def _portfolio_options(fmt: str, template_dir: Path | None, sarif_root: Path | None = None) -> dict:
    if fmt not in FORMAT_NAMES:
        raise click.UsageError(f"format '{fmt}' is a plug-in: plug-in formats render one project's result, not a "
                               "portfolio (use a built-in format: " + ", ".join(FORMAT_NAMES) + ")")
    if template_dir is not None and fmt != "html":
        raise click.UsageError("--template-dir applies to --format html only")
    if fmt == "sarif":   # project paths are relative to the working directory: where is it under the root?
        from mlcompliance.cli import sarif_root as sarif_base
        return sarif_base.portfolio_options(sarif_root)
    return {"template_dir": str(template_dir)} if template_dir is not None else {}


def _finish_portfolio(rollup) -> None:
    """Input errors on stderr, then the exit code: 2 if any project could not be checked (the
    others are still in the report), else 1 if any is non-compliant, else 0."""
    from mlcompliance import portfolio
    for error in rollup.errors:
        click.echo(f"mlcompliance: error: {error['error']}", err=True)
    code = portfolio.exit_code(rollup)
    rollup.close()
    sys.exit(code)


class _output:
    """Where a streamed report goes: standard output, or a file written atomically (never one of
    the projects' evidence files)."""

    def __init__(self, output: Path | None, projects: list[str] = ()) -> None:
        self.output = output
        self.projects = projects
        self.context = None

    def __enter__(self):
        if self.output is None:
            return sys.stdout
        from mlcompliance.evidence.project import CONFIG_NAMES, KINDS
        from mlcompliance.io import open_atomic
        names = {f"{k}{ext}" for k in (*KINDS, *[c.rsplit('.', 1)[0] for c in CONFIG_NAMES])
                 for ext in (".yaml", ".yml", ".json")}
        protected = tuple(Path(p) / self.output.name for p in self.projects) if self.output.name in names else ()
        self.context = open_atomic(self.output, protected)
        return self.context.__enter__()

    def __exit__(self, *exc: object):
        if self.context is not None:
            return self.context.__exit__(*exc)
        sys.stdout.flush()
        return None


def _now() -> str:
    """The generation time for --timestamp: UTC, whole seconds."""
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _stamp(header: dict) -> dict:
    """A copy of a portfolio's header with ``generated_at`` after ``as_of``."""
    out: dict = {}
    for key, value in header.items():
        out[key] = value
        if key == "as_of":
            out["generated_at"] = _now()
    return out


class _progress:
    """A progress bar on stderr for long portfolios, only when stderr is a terminal (never in CI logs)."""

    def __init__(self, total: int) -> None:
        self.bar = None
        if total > 5 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="checking", file=sys.stderr)

    def __enter__(self):
        if self.bar is None:
            return None
        bar = self.bar.__enter__()
        return bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@main.command()
@click.argument("result_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=_Format(), required=True,
              help="Output format: a built-in one or an installed renderer plug-in (`mlcompliance plugins`).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@_template_dir_option
@click.option("--sarif-root", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="For a portfolio: the directory SARIF file URIs are relative to, as for `check` (default: the "
                   "git repository holding the working directory, else the working directory).")
@click.option("--sarif-prefix", metavar="DIR", default=None,
              help="For one project's result: its directory relative to the SARIF root, put in front of each "
                   "SARIF file URI (what `check` works out from --sarif-root or git; default: none).")
def render(result_file: Path, fmt: str, output: Path | None, template_dir: Path | None, sarif_root: Path | None,
           sarif_prefix: str | None) -> None:
    """Rebuild a report from a saved JSON result or JSON Lines portfolio (byte-identical to the same
    format from `check`). A portfolio is read and rendered one project at a time."""
    from mlcompliance.result import jsonl
    if jsonl.sniff(result_file) == "portfolio":
        from mlcompliance import portfolio
        options = _portfolio_options(fmt, template_dir, sarif_root)
        reader = jsonl.PortfolioReader(result_file)
        with _output(output) as out:
            written = portfolio.write(portfolio.iter_saved(reader, fmt, options), reader.header, fmt, out, options)
            written.rollup.close()
            portfolio.verify_summary(reader, written.summary_sha256)
        return
    from mlcompliance.result.codec import read
    _emit(_render(fmt, read(result_file), template_dir, {"uri_prefix": sarif_prefix or ""}), output)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="json", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--timestamp", is_flag=True, help="Record the generation time in the merged header.")
@_template_dir_option
def merge(shards: tuple[Path, ...], fmt: str, output: Path | None, timestamp: bool, template_dir: Path | None) -> None:
    """Combine the JSON Lines outputs of `check --shard I/N` (every I once, or portfolios with no
    project in common) into one portfolio, as one run over all their projects would give.

    Exit code as `check` of that portfolio: 0 compliant, 1 non-compliant, 2 a project not checked
    or shards that do not belong together (different as-of date, --fail-on, tool or pack versions,
    a shard missing or given twice, a project in two of them, a damaged file).
    """
    from mlcompliance import portfolio
    options = _portfolio_options(fmt, template_dir)
    readers, head = portfolio.open_shards(list(shards))
    head = _stamp(head) if timestamp else head
    with _output(output, []) as out:
        rollup, _ = portfolio.write(portfolio.iter_merged(readers, fmt, options), head, fmt, out, options)
    _finish_portfolio(rollup)


def _render(fmt: str, result: object, template_dir: Path | None, sarif: dict | None = None) -> str:
    if template_dir is not None and fmt != "html":
        raise click.UsageError("--template-dir applies to --format html only")
    options = {"template_dir": template_dir} if template_dir is not None else {}
    if fmt == "sarif" and sarif and sarif.get("uri_prefix"):
        options.update(sarif)
    return RENDERERS[fmt](result, **options)


def _emit(text: str, output: Path | None, projects: tuple[Path, ...] = ()) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from mlcompliance.evidence.project import CONFIG_NAMES, KINDS
    from mlcompliance.io import write_atomic
    protected = tuple(p / f"{k}{ext}" for p in projects for k in (*KINDS, *[c.rsplit('.', 1)[0] for c in CONFIG_NAMES])
                      for ext in (".yaml", ".yml", ".json"))
    write_atomic(output, text, protected)


# --- policy packs ------------------------------------------------------------------------

_policy_path_option = click.option(
    "--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
    help="Extra directory of policy packs (repeatable).")


def _find_sources(policy_paths: tuple[Path, ...], wanted: tuple[str, ...]):
    """Pack sources named ID or ID@VERSION (highest version when none given); all when none named."""
    from mlcompliance.policy.packs import discover, plugin_sources, resolve
    sources = discover(policy_paths, plugins=not wanted)   # a named pack imports plug-ins only if needed
    if not wanted:
        latest: dict[str, object] = {}
        for src in sources:
            latest[src.id] = src  # discover() sorts by version, so the last one wins
        return list(latest.values())
    chosen = []
    for item in wanted:
        pid, _, version = item.partition("@")
        chosen += resolve({pid: f"=={version}" if version else "*"}, sources,
                          more=lambda w: plugin_sources(sources, w))
    return chosen


@main.group()
def packs() -> None:
    """List, inspect, lint and test policy packs."""


@packs.command("list")
@_policy_path_option
def packs_list(policy_paths: tuple[Path, ...]) -> None:
    """List every available pack version."""
    from mlcompliance.policy.packs import discover, load_pack
    rows = [("PACK", "VERSION", "REQS", "RULES", "MANUAL", "ORIGIN", "TITLE")]
    broken = 0
    for src in discover(policy_paths):
        origin = src.origin.split(":")[0]
        try:
            if src.problem:
                raise src.problem
            pack = load_pack(src)
        except InputError as err:
            broken += 1
            rows.append((src.id, src.version, "-", "-", "-", origin, f"BROKEN: {err}"))
            continue
        manual = sum(1 for r in pack.requirements if r.manual)
        rows.append((pack.id, pack.version, str(len(pack.requirements)), str(len(pack.rules)), str(manual),
                     origin, pack.title))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])
    sys.exit(1 if broken else 0)


@packs.command("show")
@click.argument("pack_ref", metavar="ID[@VERSION]")
@_policy_path_option
def packs_show(pack_ref: str, policy_paths: tuple[Path, ...]) -> None:
    """Show a pack's source, requirements and the rules that check each."""
    from mlcompliance.policy.packs import load_pack
    pack = load_pack(_find_sources(policy_paths, (pack_ref,))[0])
    click.echo(f"{pack.id}@{pack.version}: {pack.title}")
    click.echo(f"source: {pack.source['name']} ({pack.source['version']})" +
               (f" {pack.source['url']}" if pack.source.get("url") else ""))
    for src in pack.sources:
        click.echo(f"  law: {src['name']} {src['version']}" +
                   (f", consolidated to {src['consolidated_to']}" if src.get("consolidated_to") else "") +
                   f", as of {src['as_of']}" + (f" {src['url']}" if src.get("url") else ""))
    if pack.law_as_of or pack.review_by:
        click.echo(f"law as of: {pack.law_as_of or '-'}; review by: {pack.review_by or '-'}")
    click.echo(f"digest: {pack.digest}")
    if pack.description:
        click.echo(f"\n{pack.description.strip()}")
    if pack.parameters:
        click.echo("\nparameters (set in mlcompliance.yaml `parameters`):")
        for name, param in sorted(pack.parameters.items()):
            unit = f" {param.unit}" if param.unit else ""
            click.echo(f"  {name} = {param.default}{unit} [{param.basis}; {param.minimum}..{param.maximum}]: "
                       f"{param.description}" + (f" ({param.note})" if param.note else ""))
    for req in pack.requirements:
        rules = [r for r in pack.rules if r.requirement == req.id]
        kind = "manual" if req.manual else f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"
        click.echo(f"\n{req.id}  [{req.clause}]  ({kind})\n  {req.title}")
        for rule in rules:
            tiers = ", ".join(f"{t}={s}" for t, s in rule.tiers.items()) if rule.tiers else f"all tiers={rule.severity}"
            click.echo(f"  - {rule.id}: {rule.title} ({tiers})")


@packs.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, file_okay=False))
def packs_lint(paths: tuple[Path, ...]) -> None:
    """Validate pack directories (or directories of packs): schema and consistency errors with file:line.

    Exit code 0: clean; 1: problems found.
    """
    from mlcompliance.policy.lint import lint_path
    problems = []
    for path in paths:
        problems += lint_path(path)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found" if problems else "no problems found")
    sys.exit(1 if problems else 0)


@packs.command("test")
@click.argument("pack_refs", nargs=-1, metavar="[ID[@VERSION]]...")
@_policy_path_option
@click.option("--threshold", type=click.FloatRange(0, 100), default=100.0, show_default=True,
              help="Minimum share (%) of automated rules with both a passing and a failing fixture.")
@click.option("--against", "against", metavar="VERSION", default=None,
              help="Also list every rule and condition changed since this older version of each pack "
                   "(packs diff, severities and editorial changes aside) that no fixture case tells apart: no "
                   "case's outcome differs between the two versions. Informational: the exit code is unchanged.")
def packs_test(pack_refs: tuple[str, ...], policy_paths: tuple[Path, ...], threshold: float,
               against: str | None) -> None:
    """Run the fixtures stored with each pack and report rule coverage.

    Exit code 0: all cases hold and coverage meets the threshold; 1 otherwise.
    """
    from mlcompliance.policy.packs import load_pack
    from mlcompliance.tools.packtest import run_pack_tests
    ok = True
    for src in _find_sources(policy_paths, pack_refs):
        pack = load_pack(src)
        report = run_pack_tests(pack)
        for failure in report.failures:
            click.echo(f"FAIL {failure}")
        uncovered = report.uncovered
        status = "ok" if not report.failures and report.coverage >= threshold else "FAILED"
        ok = ok and status == "ok"
        click.echo(f"{report.pack}@{report.version}: {report.cases} cases, {len(report.failures)} failed; "
                   f"coverage {report.coverage:.1f}% ({len(report.automated_rules) - len(uncovered)}/"
                   f"{len(report.automated_rules)} rules with a passing and a failing fixture) {status}")
        for rule_id in uncovered:
            seen = sorted(report.verified.get(rule_id, set()))
            click.echo(f"  not covered: {rule_id} (verified: {', '.join(seen) or 'nothing'})")
        if against is not None:
            from mlcompliance.tools.packcompare import unproven_changes
            old = load_pack(_find_sources(policy_paths, (f"{pack.id}@{against}",))[0])
            unproven = unproven_changes(old, pack)
            click.echo(f"{pack.id}@{pack.version} against {old.version}: "
                       f"{len(unproven)} change{'s' if len(unproven) != 1 else ''} no case tells apart")
            for item in unproven:
                click.echo(f"  not shown: {item}")
    sys.exit(0 if ok else 1)


@packs.command("diff")
@click.argument("old_ref", metavar="ID@V1")
@click.argument("new_ref", metavar="ID@V2")
@_policy_path_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def packs_diff(old_ref: str, new_ref: str, policy_paths: tuple[Path, ...], fmt: str) -> None:
    """Rules and requirements added, removed and changed between two versions of a pack."""
    from mlcompliance.policy.diff import diff, render_text
    from mlcompliance.policy.packs import load_pack
    old, new = (load_pack(_find_sources(policy_paths, (ref,))[0]) for ref in (old_ref, new_ref))
    if old.id != new.id:
        raise InputError(f"cannot compare different packs '{old.id}' and '{new.id}'", expected="ID@V1 ID@V2 of one pack")
    d = diff(old, new)
    if fmt == "json":
        from mlcompliance.result.codec import dumps
        click.echo(dumps(d), nl=False)
    else:
        click.echo(render_text(d), nl=False)


@main.command()
@click.argument("rule_id")
@_policy_path_option
def explain(rule_id: str, policy_paths: tuple[Path, ...]) -> None:
    """Explain a rule: why it exists, the clause it enforces, the evidence it expects, how to fix it."""
    from mlcompliance.tools.catalog import explain_rule
    click.echo(explain_rule(rule_id, _find_sources(policy_paths, ())), nl=False)


@main.command("plugins")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def plugins_cmd(fmt: str) -> None:
    """List installed plug-ins (checks, renderers, packs) with their distribution and version.

    Read from the distributions' metadata: no plug-in is imported.
    """
    from mlcompliance import plugins
    from mlcompliance.policy.checks import REGISTRY
    builtin = {plugins.CHECKS: ("check", set(REGISTRY)), plugins.RENDERERS: ("format", set(FORMAT_NAMES))}
    rows = []
    for group in plugins.GROUPS:
        found = plugins.installed(group)
        for p in found:
            note = ""
            kind, names = builtin.get(group, ("", set()))
            if p.name in names:
                note = f"ignored: a built-in {kind} has this name"
            elif sum(1 for q in found if q.name == p.name) > 1:
                note = "refused: another distribution provides the same name"
            rows.append({"group": group, "name": p.name, "distribution": p.distribution, "version": p.version,
                         "object": p.value, "note": note})
    if fmt == "json":
        from mlcompliance.result.codec import dumps
        click.echo(dumps({"groups": list(plugins.GROUPS), "plugins": rows}), nl=False)
        return
    if not rows:
        click.echo("no plug-ins installed (entry point groups: " + ", ".join(plugins.GROUPS) + ")")
        return
    table = [("GROUP", "NAME", "DISTRIBUTION", "VERSION", "OBJECT", "NOTE")]
    table += [(r["group"], r["name"], r["distribution"], r["version"], r["object"], r["note"]) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for row in table:
        click.echo(("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1]).rstrip())


@main.command()
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
              show_default=True, help="Repository root (the directory holding docs/ and policies/).")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a generated file is stale.")
def docs(root: Path, check_only: bool) -> None:
    """Regenerate derived files: docs/evidence.md (from the JSON Schemas), docs/catalog.md (every
    built-in pack), docs/cli.md (every command's help) and policies/validated.json (built-in packs
    validated in full)."""
    from mlcompliance.cli.reference import cli_markdown
    from mlcompliance.io import write_atomic
    from mlcompliance.tools.docgen import generated_documents
    stale = []
    for name, text in {**generated_documents(), "docs/cli.md": cli_markdown(main)}.items():
        path = root / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
    verb = "stale" if check_only else "written"
    click.echo(f"{verb}: {', '.join(stale)}" if stale else "up to date")
    sys.exit(1 if check_only and stale else 0)


def _register_assess() -> None:
    from mlcompliance.cli.assess_cmd import assess
    main.add_command(assess)


_register_assess()


def _register_convert() -> None:
    from mlcompliance.cli.convert_cmd import convert
    main.add_command(convert)


_register_convert()


def _register_project_commands() -> None:
    from mlcompliance.cli.project_cmds import COMMANDS
    for command in COMMANDS:
        main.add_command(command)


_register_project_commands()


def _register_crosswalk() -> None:
    from mlcompliance.cli.crosswalk_cmd import crosswalk
    packs.add_command(crosswalk)


_register_crosswalk()
