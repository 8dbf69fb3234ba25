"""The generated quick validators of rule schemas (policy/fastrules.py) answer as jsonschema does.

For every built-in pack version, every schema that has a quick validator (conditions, `when`,
`assert`, inside any_of / not) is run on every value its rule visits in the sample projects
and in every case of the pack's own fixtures, and on seeded mutations of those values; the
quick answer must equal jsonschema's, both ways.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import load_file
from mlcompliance.evidence.project import KINDS, load_project
from mlcompliance.evidence.schemas import format_checker
from mlcompliance.policy import fastrules
from mlcompliance.policy.packs import discover
from mlcompliance.tools.packtest import merge

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [p for p in sorted((ROOT / "sample_projects").iterdir())
           if (p / "model_card.yaml").exists() and p.name != "broken-fraud-alerts"]
ODD_VALUES = [None, True, False, 0, 1, 1.0, -1, "", "x", "a\n", "2026-01-01", [], [None], {}, {"x": 1}]


def builtin_packs():
    return [src for src in discover() if src.origin == "builtin"]


def pack_key(src) -> str:
    return f"{src.id}/{src.version}"


def bundles(src) -> list[dict]:
    """The sample projects' bundles and every fixture case's bundle of this pack."""
    out = [load_project(path).bundle for path in SAMPLES]
    for path in sorted((src.directory / "tests").glob("*.yaml")):
        spec = load_file(path, str(path)).value
        for case in spec["cases"]:
            out.append({kind: merge(spec.get("base", {}).get(kind, {}), case.get("evidence", {}).get(kind, {}))
                        for kind in KINDS})
    return out


def schemas_with_scopes(src) -> list[tuple[str, dict]]:
    """(scope, schema) for every quick-safe schema of the pack; conditions see the whole bundle."""
    pack = load_file(src.directory / "pack.yaml", "pack.yaml").value
    found = [("", s) for c in (pack.get("conditions") or {}).values() for s in fastrules.assertion_schemas(c)]
    for path in sorted((src.directory / "rules").glob("*.yaml")):
        for rule in load_file(path, str(path)).value["rules"]:
            if "when" in rule:
                found.append((rule.get("scope", ""), rule["when"]))
            found += [(rule.get("scope", ""), s) for s in fastrules.assertion_schemas(rule["assert"])]
    return [(scope, s) for scope, s in found if fastrules.quick_safe(s)]


def mutate(value, rng: random.Random):
    """A copy of ``value`` with one node deleted or replaced by a value of another type."""
    out = copy.deepcopy(value)
    paths = _paths(out)
    if not paths:
        return rng.choice(ODD_VALUES)
    path = rng.choice(paths)
    parent = out
    for token in path[:-1]:
        parent = parent[token]
    last = path[-1]
    if isinstance(parent, dict) and rng.random() < 0.4:
        del parent[last]
    else:
        parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    return out


def _paths(node, here=()) -> list[tuple]:
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append((*here, key))
        found += _paths(child, (*here, key))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("src", builtin_packs(), ids=pack_key)
def test_quick_validators_agree_with_jsonschema(src):
    fastrules.load(pack_key(src))
    cases = bundles(src)
    rng = random.Random(20261204)
    compared = 0
    for scope, schema in schemas_with_scopes(src):
        quick = fastrules.quick_validator(schema)
        assert quick is not None, f"{pack_key(src)}: no generated validator for {json.dumps(schema)[:120]} " \
                                  "(run `mlcompliance docs`)"
        full = Draft202012Validator(schema, format_checker=format_checker())
        seen = {}
        for bundle in cases:
            targets = [bundle] if scope == "" else [v for _, v in pointers.expand(bundle, scope)]
            for value in targets:
                seen.setdefault(json.dumps(value, sort_keys=True), value)
        for value in list(seen.values())[:15]:
            for candidate in [value] + [mutate(value, rng) for _ in range(2)]:
                assert quick(candidate) == full.is_valid(candidate), (
                    f"{pack_key(src)}: quick and jsonschema disagree on {json.dumps(schema)[:200]} "
                    f"for {json.dumps(candidate)[:200]}")
                compared += 1
    assert compared > 100


def test_only_keywords_read_alike_in_both_drafts_get_a_quick_validator():
    assert fastrules.quick_safe({"type": "object", "required": ["a"], "properties": {"a": {"enum": ["x"]}},
                                 "anyOf": [{"not": {"const": 1}}], "x-note": "ignored"})
    for differing in ({"prefixItems": [{}]}, {"items": [{}, {}]}, {"$ref": "#/$defs/a"}, {"format": "date"},
                      {"unevaluatedProperties": False}, {"contains": {}, "minContains": 0},
                      {"properties": {"a": {"dependentRequired": {"a": ["b"]}}}}):
        assert not fastrules.quick_safe(differing), differing


def test_pattern_is_a_search_as_in_jsonschema(tmp_path):
    """fastjsonschema's own `pattern` rejects "a\\n" for ^a$; ours, like jsonschema, accepts it."""
    schema = {"type": "string", "pattern": "^a$"}
    path = tmp_path / "quick_pattern.py"
    path.write_text(fastrules.module_source("test/0", [schema]), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("quick_pattern", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, "validate___definitions_s" + fastrules.schema_key(schema))
    full = Draft202012Validator(schema)
    for value in ("a", "a\n", "ba", "", 3):
        try:
            function(value)
            quick = True
        except Exception:  # noqa: BLE001
            quick = False
        assert quick == full.is_valid(value), value


def test_a_check_whose_rules_all_pass_never_imports_jsonschema():
    """The point of the quick validators: when no rule fails, jsonschema is never needed (the
    invoice sample passes every rule of these packs; mlops-practices 1.1.0 adds maturity rules
    that do not all pass). The pin to 1.0.0 gives the engine's MLC-PACK-SUPERSEDED warning, not a rule's."""
    import subprocess
    import sys
    code = ("import sys\nfrom datetime import date\nfrom pathlib import Path\nfrom mlcompliance.run import Checker\n"
            f"r = Checker().check(Path({str(ROOT / 'sample_projects' / 'invoice-late-payment')!r}), date(2026, 11, 1), "
            "packs={'gdpr': '*', 'eu-trustworthy-ai': '*', 'mlops-practices': '==1.0.0'})\n"
            "import json\nprint(json.dumps(sorted({f.outcome for f in r.findings if f.pack != 'mlcompliance'})))\nprint('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    outcomes, imported = out.stdout.strip().splitlines()[-2:]
    assert not {"fail", "warn", "error"} & set(json.loads(outcomes))
    assert imported == "False"
