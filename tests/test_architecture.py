"""The package layout follows the flow: no module imports a folder that comes later in it.

evidence -> probes -> policy -> engine -> scoring -> result -> render, with the orchestration
(`run`, `portfolio`), the pack-author `tools` and the `cli` on top (docs/architecture.md).
"""
from __future__ import annotations

import ast
from pathlib import Path

import mlcompliance

PACKAGE = Path(mlcompliance.__file__).parent
# Each layer may import itself and any layer listed before it.
LAYERS = ["base", "evidence", "probes", "policy", "engine", "scoring", "result", "render", "run", "tools", "cli"]
BASE = {"__init__", "errors", "io", "resources", "vocab", "plugins"}
ORCHESTRATION = {"run", "portfolio"}


def layer_of(module: str) -> str:
    """'mlcompliance.engine.waivers' -> 'engine'; top-level helpers are 'base'."""
    head = module.split(".")[1] if "." in module else "__init__"
    if head in BASE:
        return "base"
    if head in ORCHESTRATION:
        return "run"
    if head == "__main__":
        return "cli"
    return head


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlcompliance"):
            if node.module == "mlcompliance":
                found.update(f"mlcompliance.{a.name}" for a in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mlcompliance"))
    return found


def test_every_module_belongs_to_a_known_layer():
    for path in PACKAGE.rglob("*.py"):
        module = "mlcompliance." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        assert layer_of(module) in LAYERS, f"{module}: put it in a folder of the flow or in BASE"


def test_no_import_against_the_flow():
    backwards = []
    for path in PACKAGE.rglob("*.py"):
        module = "mlcompliance." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        mine = LAYERS.index(layer_of(module))
        for target in imported_modules(path):
            if target == "mlcompliance.__version__" or target == "mlcompliance":
                continue
            if LAYERS.index(layer_of(target)) > mine:
                backwards.append(f"{module} imports {target}")
    assert backwards == []


def test_each_folder_says_what_it_may_import():
    for folder in PACKAGE.iterdir():
        init = folder / "__init__.py"
        if folder.is_dir() and init.exists() and not folder.name.startswith("_"):
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
            assert "import" in doc.lower(), f"{folder.name}/__init__.py: say what the folder may import"
