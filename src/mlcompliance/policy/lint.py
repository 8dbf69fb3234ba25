"""`packs lint`: schema and consistency problems of pack directories, each with file:line."""
from __future__ import annotations

from pathlib import Path

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import load_file
from mlcompliance.evidence.project import DERIVED, KINDS, OBSERVED
from mlcompliance.policy.packs import compile_pack


def pack_dirs(path: Path) -> list[Path]:
    if (path / "pack.yaml").is_file():
        return [path]
    found = sorted({p.parent for p in path.glob("*/pack.yaml")} | {p.parent for p in path.glob("*/*/pack.yaml")})
    return found


def lint_path(path: Path) -> list[str]:
    dirs = pack_dirs(path)
    if not dirs:
        return [f"{path}: no pack.yaml found (expected PATH/pack.yaml, PATH/<id>/pack.yaml or PATH/<id>/<version>/pack.yaml)"]
    problems: list[str] = []
    for directory in dirs:
        problems += lint_pack(directory)
    return problems


def lint_pack(directory: Path) -> list[str]:
    try:
        pack = compile_pack(directory, "lint", trust=False)
    except InputError as err:
        return [str(err)]
    manifest = load_file(directory / "pack.yaml", str(directory / "pack.yaml"))
    problems = []
    checked = {r.requirement for r in pack.rules}
    for i, req in enumerate(pack.requirements):
        line, _ = manifest.location(f"/requirements/{i}")
        if req.manual and req.id in checked:
            problems.append(f"{manifest.path}:{line}: requirement {req.id} is marked manual but rules check it")
        if not req.manual and req.id not in checked:
            problems.append(f"{manifest.path}:{line}: requirement {req.id} has no rule and is not marked manual "
                            "(percentages would overstate coverage)")
    for rule in pack.rules:
        first = rule.scope.split("/")[1] if rule.scope.count("/") else ""
        if first and first not in KINDS + (OBSERVED, DERIVED):
            problems.append(f"{rule.source}: rule {rule.id} scope {rule.scope} does not start with one of "
                            + ", ".join(f"/{k}" for k in KINDS + (OBSERVED, DERIVED)))
        if not rule.references:
            problems.append(f"{rule.source}: rule {rule.id} cites no reference")
    if not list((directory / "tests").glob("*.yaml")):
        problems.append(f"{directory}: no fixtures in tests/*.yaml (run 'mlcompliance packs test' after adding them)")
    return problems
