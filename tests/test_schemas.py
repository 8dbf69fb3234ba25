"""The quick (fastjsonschema) and the authoritative (jsonschema) evidence validators agree."""
from __future__ import annotations

import copy
import random

import pytest
from helpers import SAMPLES

from mlcompliance.evidence import pointers
from mlcompliance.evidence.loader import load_file
from mlcompliance.evidence.project import KINDS
from mlcompliance.evidence.schemas import fast_validator, validator
from mlcompliance.policy.packs import discover
from mlcompliance.tools.packtest import merge

REPLACEMENTS = [12345, 1.5, 42.0, -1, "a/b", "x", "", [], {}, True, None, "2024-13-45", "../outside", "2026-11-01", ["a"], {"x-note": 1}]


def documents():
    for path in sorted(SAMPLES.glob("*/*.yaml")):
        kind = path.stem
        if kind in KINDS and "broken" not in str(path):
            yield kind, load_file(path, str(path)).value


def fixture_documents():
    for src in discover():
        for path in sorted((src.directory / "tests").glob("*.yaml")):
            spec = load_file(path, str(path)).value
            for case in spec["cases"]:
                for kind in KINDS:
                    yield kind, merge(spec.get("base", {}).get(kind, {}), case.get("evidence", {}).get(kind, {}))


def all_pointers(value, here=""):
    yield here
    if isinstance(value, dict):
        for k, v in value.items():
            yield from all_pointers(v, pointers.join(here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from all_pointers(v, pointers.join(here, i))


def mutations(doc, rng, per_doc=12):
    nodes = [p for p in all_pointers(doc) if p]
    for pointer in rng.sample(nodes, min(per_doc, len(nodes))):
        parent_ptr, _, token = pointer.rpartition("/")
        for replacement in REPLACEMENTS:
            mutated = copy.deepcopy(doc)
            parent = pointers.get(mutated, parent_ptr)
            parent[int(token) if isinstance(parent, list) else token.replace("~1", "/").replace("~0", "~")] = replacement
            yield mutated
        mutated = copy.deepcopy(doc)
        parent = pointers.get(mutated, parent_ptr)
        if isinstance(parent, dict):
            parent.pop(token.replace("~1", "/").replace("~0", "~"))
            parent["lawfull_basis"] = "consent"
            yield mutated


def agree(kind, doc):
    slow = validator(kind).is_valid(doc)
    assert fast_validator(kind)(doc) == slow, (kind, doc)
    return slow


@pytest.mark.parametrize("kind, doc", list(documents()), ids=lambda x: x if isinstance(x, str) else "")
def test_agree_on_sample_documents_and_their_mutations(kind, doc):
    assert agree(kind, doc)
    rng = random.Random(kind + str(len(str(doc))))
    verdicts = [agree(kind, m) for m in mutations(doc, rng)]
    assert not all(verdicts), "the mutations should include invalid documents"


@pytest.mark.slow   # every document of every pack fixture, through both validators: over 2 s
def test_agree_on_every_fixture_document():
    seen = 0
    for kind, doc in fixture_documents():
        assert agree(kind, doc)
        seen += 1
    assert seen > 1000


def test_quick_validators_are_generated_from_the_current_schemas():
    from mlcompliance.evidence.schemas import FAST_SCHEMAS
    for name in FAST_SCHEMAS:
        assert fast_validator(name) is not None, f"stale or missing _fastschema/{name}.py: run `mlcompliance docs`"


def test_a_stale_quick_validator_is_ignored(monkeypatch):
    import mlcompliance.evidence._fastschema.model_card as generated
    fast_validator.cache_clear()
    monkeypatch.setattr(generated, "SCHEMA_SHA256", "0" * 64)
    try:
        assert fast_validator("model_card") is None
    finally:
        monkeypatch.undo()
        fast_validator.cache_clear()
