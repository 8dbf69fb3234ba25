"""The GitHub Action's steps (action.yml at the repository root), as one module a test can run.

``python -m mlcompliance.cli.github_action run`` runs ONE ``mlcompliance check`` with an
``--output`` for each report (JSON, SARIF, HTML, Markdown, annotations) into the output
directory, appends the Markdown to the job summary, prints the annotations capped per level
(GitHub shows 10 of each per step) with a notice pointing at the rest, and writes the step
outputs (exit code, verdict, file paths, SARIF category). It exits 0 whatever the check said,
so that the SARIF and the HTML report are uploaded for a failing project too; then
``python -m mlcompliance.cli.github_action gate`` fails the step on exit 1 (non-compliant)
and exit 2 (bad input) as configured. Any other exit code of the check (a crash) fails at once.

Inputs come as environment variables (action.yml maps its inputs onto them): MLC_PROJECTS
(whitespace-separated paths, default "."), MLC_POLICY_PATHS, MLC_FAIL_ON, MLC_AS_OF,
MLC_BASELINE, MLC_FAIL_ON_NEW, MLC_OUTPUT_DIR, MLC_MAX_ANNOTATIONS, MLC_CATEGORY, MLC_ARTIFACT_NAME, and for the
gate MLC_EXIT_CODE, MLC_FAIL_ON_NONCOMPLIANT, MLC_FAIL_ON_ERROR; plus GitHub's own
GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT.

Paths in a single project's SARIF and annotations are relative to the project; when the
project is not the workspace root they are prefixed with its workspace-relative path here, so
code scanning and the pull request put them on the right file (a portfolio's already are).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from mlcompliance.render import github
from mlcompliance.render.sarif import safe_prefix

SUMMARY_LIMIT = 1_000_000
"""Bytes of Markdown appended to the job summary (GitHub refuses a step's summary over 1 MiB)."""
ERROR_LINE = re.compile(r"^mlcompliance: error: (?:(?P<file>[^:\n]+):(?P<line>\d+)(?::(?P<col>\d+))?: )?(?P<msg>.*)$")
TRUE = ("true", "yes", "1", "on")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _flag(name: str, default: bool) -> bool:
    value = _env(name).lower()
    return default if not value else value in TRUE


def category(projects: list[str]) -> str:
    """The code-scanning category: one per project (or per set of projects checked together),
    so the uploads of a matrix over projects do not replace each other."""
    slug = "+".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p.strip("/")).strip("-") or "root" for p in projects)
    return f"mlcompliance/{slug}"


def command(projects: list[str], outdir: Path, workspace: Path | None = None) -> list[str]:
    """The one check: every report written from the same run (SARIF URIs relative to ``workspace``,
    the repository checkout, which code scanning resolves them against)."""
    result = outdir / ("result.jsonl" if len(projects) > 1 else "result.json")
    cmd = [sys.executable, "-m", "mlcompliance", "check", *projects, "--format", "text",
           "--output", f"json={result}", "--output", f"sarif={outdir / 'results.sarif'}",
           "--output", f"html={outdir / 'report.html'}", "--output", f"md={outdir / 'summary.md'}",
           "--output", f"github={outdir / 'annotations.txt'}"]
    for path in _env("MLC_POLICY_PATHS").split():
        cmd += ["--policy-path", path]
    for option, name in (("--fail-on", "MLC_FAIL_ON"), ("--as-of", "MLC_AS_OF"), ("--baseline", "MLC_BASELINE")):
        if _env(name):
            cmd += [option, _env(name)]
    if _flag("MLC_FAIL_ON_NEW", False):
        cmd.append("--fail-on-new")
    if workspace is not None:
        cmd += ["--sarif-root", str(workspace)]
    return cmd


def relocate(outdir: Path, prefix: str) -> None:
    """Prefix a single project's annotation file paths (its SARIF URIs are already relative to
    the workspace: ``check --sarif-root``)."""
    notes = outdir / "annotations.txt"
    notes.write_text(re.sub(r"^(::\w+ (?:[^:]*,)?file=)", lambda m: m.group(1) + github.escape_property(prefix + "/"),
                            notes.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")


def _append(path: str, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def _summary(outdir: Path) -> str:
    data = (outdir / "summary.md").read_bytes()
    if len(data) <= SUMMARY_LIMIT:
        return data.decode("utf-8")
    cut = data[:SUMMARY_LIMIT].rsplit(b"\n", 1)[0].decode("utf-8", "ignore")
    return cut + "\n\n*Summary truncated (GitHub keeps 1 MiB per step): the full report is in the artifact.*\n"


def _input_errors(stderr: str, workspace: Path) -> list[str]:
    """The check's input errors (one line each on stderr) as error annotations on the file and
    line they name."""
    out = []
    for line in stderr.splitlines():
        m = ERROR_LINE.match(line)
        if not m:
            continue
        props: dict[str, object] = {"title": "mlcompliance: input error (exit 2)"}
        if m.group("file"):
            file = Path(m.group("file"))
            try:
                file = file.resolve().relative_to(workspace.resolve())
            except ValueError:
                pass
            props = {"file": file.as_posix(), "line": m.group("line"), "col": m.group("col"), **props}
        out.append(github.command("error", props, m.group("msg")))
    return out or [github.command("error", {"title": "mlcompliance: input error (exit 2)"}, stderr.strip() or "exit 2")]


def _relative(project: str, workspace: Path) -> str:
    try:
        return Path(project).resolve().relative_to(workspace.resolve()).as_posix() if Path(project).is_absolute() else project
    except ValueError:
        return project


def run() -> int:
    workspace = Path(_env("GITHUB_WORKSPACE", os.getcwd()))
    projects = _env("MLC_PROJECTS", ".").split()
    outdir = Path(_env("MLC_OUTPUT_DIR", "mlcompliance-report"))
    if not outdir.is_absolute():
        outdir = workspace / outdir
    outdir.mkdir(parents=True, exist_ok=True)
    limit = int(_env("MLC_MAX_ANNOTATIONS", "10"))
    cmd = command(projects, outdir, workspace)
    result = Path(cmd[cmd.index("--output") + 1].split("=", 1)[1])
    for stale in (result, *(outdir / n for n in ("results.sarif", "report.html", "summary.md", "annotations.txt"))):
        stale.unlink(missing_ok=True)       # so that what exists after the check was written by it
    print("$ " + shlex.join(["mlcompliance", *cmd[3:]]), flush=True)
    proc = subprocess.run(cmd, cwd=workspace, stdout=sys.stdout, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(proc.stderr)
    code = proc.returncode
    cat = _env("MLC_CATEGORY") or category(projects)
    outputs = {"exit-code": str(code), "report-dir": str(outdir), "category": cat,
               "artifact-name": _env("MLC_ARTIFACT_NAME") or "mlcompliance-report-" + re.sub(
                   r"[^A-Za-z0-9._+-]+", "-", cat.removeprefix("mlcompliance/")),
               "verdict": {0: "compliant", 1: "non-compliant", 2: "error"}.get(code, "crashed")}
    notes = ""
    if code in (0, 1, 2) and (outdir / "annotations.txt").exists():
        # a result, or a portfolio (written even when some projects could not be checked: exit 2)
        prefix = safe_prefix(_relative(projects[0], workspace)) if len(projects) == 1 else ""
        if prefix:
            relocate(outdir, prefix)
        _append(_env("GITHUB_STEP_SUMMARY"), _summary(outdir))
        notes = (outdir / "annotations.txt").read_text(encoding="utf-8")
        outputs.update(sarif=str(outdir / "results.sarif"), html=str(outdir / "report.html"), json=str(result))
    if code == 2:
        if "::error " not in notes:     # the reports could not say it (e.g. a usage error): stderr does
            notes = "\n".join(_input_errors(proc.stderr, workspace)) + "\n" + notes
        fence = "`" * 3
        _append(_env("GITHUB_STEP_SUMMARY"), f"\n### mlcompliance: input error (exit 2)\n\n{fence}\n"
                + proc.stderr.strip().replace(fence, "'''") + f"\n{fence}\n")
    sys.stdout.write(github.cap(notes, limit, "see the job summary, code scanning (SARIF) or the HTML report artifact"))
    _append(_env("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))
    sys.stdout.flush()
    return 0 if code in (0, 1, 2) else code


def gate() -> int:
    """Fail the step on a non-compliant project (exit 1) and on bad input (exit 2) as configured."""
    code = int(_env("MLC_EXIT_CODE", "3"))
    if code == 1 and _flag("MLC_FAIL_ON_NONCOMPLIANT", True):
        print("::error title=mlcompliance::non-compliant under the gate (exit 1)")
        return 1
    if code == 2 and _flag("MLC_FAIL_ON_ERROR", True):
        print("::error title=mlcompliance::the evidence or configuration could not be read (exit 2)")
        return 2
    if code not in (0, 1, 2):
        print(f"::error title=mlcompliance::the check did not finish (exit {code})")
        return code or 3
    return 0


if __name__ == "__main__":
    steps = {"run": run, "gate": gate}
    if len(sys.argv) != 2 or sys.argv[1] not in steps:
        sys.exit("usage: python -m mlcompliance.cli.github_action run|gate")
    sys.exit(steps[sys.argv[1]]())
