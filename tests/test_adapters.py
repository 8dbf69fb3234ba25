"""Adapters on real third-party files: exact native values, exact source locations, detection,
merging with native evidence, `convert`, and hostile input (docs/adapters.md)."""
from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from helpers import AS_OF, INVOICE, cli, tree_digest, write_project

from mlcompliance.errors import InputError
from mlcompliance.evidence import adapters
from mlcompliance.evidence.adapters import adapt_file, detect, module
from mlcompliance.evidence.adapters.gather import validate
from mlcompliance.evidence.adapters.merge import NATIVE, Source, adapted_locator, merge
from mlcompliance.evidence.project import load_project

DATA = Path(__file__).parent / "data" / "adapters"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "examples"
if not SHARED.exists():
    SHARED = Path("/work/shared/reference/examples")
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="shared reference examples not present")


def one(root: Path, rel: str, kind: str):
    found = [a for a in adapt_file(root, rel) if a.kind == kind]
    assert len(found) == 1, [a.kind for a in adapt_file(root, rel)]
    return found[0]


def at(adapted, pointer: str) -> tuple[int, int]:
    return adapted_locator(adapted)(pointer)


def valid(adapted) -> None:
    """An adapter's fragment is valid native evidence (merged alone and checked by the native schema)."""
    validate(merge(adapted.kind, [Source(adapted.source, adapted.adapter, adapted.value, adapted_locator(adapted))]))


# --- registry ------------------------------------------------------------------------------------

def test_registry_lists_the_document_adapters_and_skips_absent_modules():
    assert {"huggingface", "mct", "cyclonedx", "spdx", "croissant"} <= set(adapters.names())
    assert module("no_such_adapter") is None
    for name in adapters.names():
        mod = module(name)
        assert mod.NAME == name and mod.PATTERNS and callable(mod.claims) and callable(mod.adapt)


def test_registry_skips_only_the_missing_adapter_module(monkeypatch):
    import importlib

    def fake(name):
        if name.endswith(".absent"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        raise ModuleNotFoundError("No module named 'somedependency'", name="somedependency")
    monkeypatch.setattr(importlib, "import_module", fake)
    monkeypatch.setattr(adapters, "_loaded", {})
    assert module("absent") is None                      # not written yet: skipped
    with pytest.raises(ModuleNotFoundError):             # written, but broken: not hidden
        module("broken")


def test_claims_are_by_content():
    hf = module("huggingface")
    assert hf.claims("README.md", "---\nlicense: mit\n---\n")
    assert not hf.claims("README.md", "# My project\n\nNot a model card.\n")
    assert not hf.claims("docs/README.md", "---\ntitle: Guide\nlayout: page\n---\n# Guide\n")   # a docs page
    assert hf.claims("README.md", "# Model Card for x\n")
    assert not hf.claims("card.yaml", "---\nlicense: mit\n")
    assert module("cyclonedx").claims("x.json", '{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    assert not module("cyclonedx").claims("bom.json", '{"spdxVersion": "SPDX-2.3"}')
    assert module("mct").claims("m.json", '{"schema_version": "0.0.2", "model_details": {}}')
    assert not module("mct").claims("model_card.json", '{"kind": "model_card", "model_details": {"overview": 1}}')
    assert module("croissant").claims("metadata.json", '{"@context": {"cr": "http://mlcommons.org/croissant/"}}')
    assert module("spdx").claims("a.json", '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}')


# --- Hugging Face ----------------------------------------------------------------------------------

def test_huggingface_trainer_card():
    card = one(DATA / "huggingface", "test-trainer/README.md", "model_card")
    assert card.value["model_details"] == {"license": "apache-2.0", "name": "test-trainer"}
    assert card.value["datasets"] == [{"id": "glue"}]
    assert card.value["performance"]["metrics"] == [
        {"name": "accuracy", "value": 0.8504901960784313, "dataset": "glue"},
        {"name": "f1", "value": 0.893542757417103, "dataset": "glue"}]
    assert at(card, "/model_details/license") == (2, 1)
    assert at(card, "/performance/metrics/0/value") == (23, 7)
    assert at(card, "/performance/metrics/1/name") == (25, 7)
    # "More information needed" sections are placeholders, located at their heading
    assert card.missing == ["/model_details/description", "/intended_use/purpose", "/data_summary"]
    assert at(card, "/intended_use/purpose") == (44, 1)
    pipeline = one(DATA / "huggingface", "test-trainer/README.md", "pipeline")
    assert pipeline.value == {"training": {"seed": 42}} and at(pipeline, "/training/seed") == (60, 1)
    valid(card)
    valid(pipeline)


def test_huggingface_model_index_with_split_and_scalar_fields():
    card = one(DATA / "huggingface", "questionanswering-v2/README.md", "model_card")
    assert card.value["performance"]["metrics"] == [
        {"name": "exact_match", "value": 79.5998, "dataset": "squad", "slice": "validation"},
        {"name": "f1", "value": 86.9965, "dataset": "squad", "slice": "validation"}]
    assert at(card, "/performance/metrics/0/slice") == (18, 7)
    card = one(DATA / "huggingface", "sample-simple-model-index/README.md", "model_card")
    assert card.value["model_details"]["framework"] == "timm"
    assert card.value["model_details"]["description"].startswith("This is a test model card with multiple")
    assert card.value["performance"]["metrics"][1] == {"name": "f1", "value": 0.66, "dataset": "beans",
                                                       "slice": "test"}
    assert at(card, "/model_details/description") == (37, 1)
    valid(card)


LENDER_CARD = """---
license: apache-2.0
library_name: sklearn
datasets: lender/loan-applications-2024
base_model:
- lender/bureau-score-v3
model-index:
- name: credit-default-scorer
  results:
  - task: {type: tabular-classification}
    dataset: {name: hold-out, type: lender/loan-applications-2024, split: test}
    metrics:
    - {type: roc_auc, value: 0.812}
---

# Model Card for credit-default-scorer

## Model Details

### Model Description

Gradient-boosted trees over application features. <script>alert("x")</script><b>bold</b>

- **Developed by:** Credit Risk Analytics
- **Funded by [optional]:** [More Information Needed]
- **License:** [More Information Needed]

## Uses

### Direct Use

Rank applications for manual underwriting.

```
## Out-of-Scope Use
not a heading: inside a fence
```

### Out-of-Scope Use

[More Information Needed]
"""


def test_huggingface_placeholders_html_fences_and_scalar_or_list(tmp_path):
    root = write_project(tmp_path / "p", {"README.md": LENDER_CARD})
    card = one(root, "README.md", "model_card")
    v = card.value
    assert v["model_details"]["description"] == "Gradient-boosted trees over application features. bold"
    assert v["model_details"]["owners"] == [{"name": "Credit Risk Analytics"}]
    assert v["model_details"]["license"] == "apache-2.0"        # front matter; the body's placeholder is ignored
    assert v["datasets"] == [{"id": "lender/loan-applications-2024"}]     # a scalar where a list is usual
    assert v["dependencies"] == [{"name": "lender/bureau-score-v3", "type": "external_model"}]
    assert v["intended_use"] == {"purpose": "Rank applications for manual underwriting."}
    assert "/intended_use/out_of_scope" in card.missing and at(card, "/intended_use/out_of_scope") == (39, 1)
    assert "/model_details/license" in card.missing
    valid(card)


# --- Model Card Toolkit ----------------------------------------------------------------------------

def test_mct_v001_and_v002():
    v1 = one(DATA / "mct", "cats_vs_dogs_v0_0_1.json", "model_card")
    v2 = one(DATA / "mct", "cats_vs_dogs_v0_0_2.json", "model_card")
    for card in (v1, v2):
        assert card.value["model_details"]["name"] == "Fine-tuned MobileNetV2 Model for Cat vs. Dogs"
        assert card.value["model_details"]["license"] == "Apache-2.0"
        assert card.value["model_details"]["owners"] == [{"name": "Model Cards Team", "contact": "model-cards@google.com"}]
        assert card.value["performance"]["metrics"][0] == {"name": "accuracy", "value": 0.9781249761581421}
        assert card.value["intended_use"]["primary_users"] == ["Fans of dogs and cats."]
        valid(card)
    assert at(v1, "/model_details/license") == (16, 5)
    assert at(v2, "/performance/metrics/0/value")[0] > 1
    full = one(DATA / "mct", "full.json", "model_card")
    assert full.value["performance"]["metrics"] == [
        {"name": "accuracy", "value": 0.9, "slice": "overall", "confidence_interval": {"lower": 0.85, "upper": 0.95}}]
    assert full.value["datasets"] == [{"id": "data name"}]


# --- CycloneDX -------------------------------------------------------------------------------------

@needs_shared
def test_cyclonedx_mlbom_model_card_datasets_and_dependencies():
    card = one(SHARED / "cyclonedx-mlbom", "bom.json", "model_card")
    assert card.value["model_details"] == {
        "name": "support-ticket-classifier", "version": "1.0.0",
        "description": "Fictional supervised text classification model for support ticket routing.",
        "task": "text-classification", "model_architecture": "encoder-only transformer"}
    assert card.value["datasets"] == [{"id": "support-ticket-training-data"}, {"id": "support-ticket-evaluation-data"}]
    assert card.value["performance"]["metrics"] == [{"name": "macro-f1", "value": 0.91, "slice": "held-out-evaluation"}]
    assert at(card, "/performance/metrics/0/value") == (57, 15)
    assert at(card, "/model_details/name") == (22, 7)
    manifest = one(SHARED / "cyclonedx-mlbom", "bom.json", "data_manifest")
    assert [d["id"] for d in manifest.value["datasets"]] == ["support-ticket-training-data",
                                                            "support-ticket-evaluation-data"]
    assert manifest.value["datasets"][0]["uri"] == "https://example.com/datasets/support-tickets/train.jsonl"
    valid(card)
    valid(manifest)


def test_cyclonedx_15_16_17_spec_examples():
    for name, line in (("valid-machine-learning-1.5.json", 11), ("valid-machine-learning-1.7.json", 13)):
        card = one(DATA / "cyclonedx", name, "model_card")
        assert card.value["model_details"]["name"] == "stable-diffusion"
        assert card.value["datasets"] == [{"id": "Training Data"}]
        assert "performance" not in card.value          # the example's metric values are not numbers
        assert at(card, "/model_details/name") == (line, 7)  # located although YAML cannot read the 1.5 JSON
        valid(card)
    card = one(DATA / "cyclonedx", "valid-machine-learning-considerations-env-1.6.json", "model_card")
    assert card.value == {"model_details": {"name": "Llama-2-7b"}}


def test_cyclonedx_hashes_become_dataset_sha256(tmp_path):
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"type": "data", "bom-ref": "d1", "name": "loans", "hashes": [{"alg": "SHA-256", "content": "A" * 64}]}]}
    (tmp_path / "bom.json").write_text(json.dumps(bom, indent=1))
    manifest = one(tmp_path, "bom.json", "data_manifest")
    assert manifest.value == {"datasets": [{"id": "loans", "name": "loans", "sha256": "a" * 64}]}
    assert at(manifest, "/datasets/0/sha256") == (12, 6)


@pytest.mark.parametrize("component, path, written", [
    ({"name": "loans", "data": [{"type": "dataset", "contents": {"url": "file://./data/loans.csv"}}]},
     "data/loans.csv", "file://./data/loans.csv"),
    ({"name": "loans", "data": [{"type": "dataset", "contents": {"url": "data/loans.parquet"}}]},
     "data/loans.parquet", "data/loans.parquet"),
    ({"name": "./data/loans.csv.gz"}, "data/loans.csv.gz", "./data/loans.csv.gz"),
])
def test_cyclonedx_data_component_naming_a_project_file_gets_its_path(tmp_path, component, path, written):
    """A data component located by a file: URL, a relative URL or a file name is a dataset with ``path``
    (it used to have none, so the manifest's path rules failed on it and the probe never read it)."""
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "data", **component}]}
    (tmp_path / "bom.json").write_text(json.dumps(bom, indent=1))
    manifest = one(tmp_path, "bom.json", "data_manifest")
    assert manifest.value["datasets"][0]["path"] == path
    assert "uri" not in manifest.value["datasets"][0]
    line = at(manifest, "/datasets/0/path")[0]
    assert f'"{written}"' in (tmp_path / "bom.json").read_text().splitlines()[line - 1]
    valid(manifest)


def test_cyclonedx_remote_data_url_stays_a_uri_and_a_plain_name_no_path(tmp_path):
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"type": "data", "name": "loans", "data": [{"contents": {"url": "https://example.com/loans.csv"}}]},
        {"type": "data", "name": "Training Data"}]}
    (tmp_path / "bom.json").write_text(json.dumps(bom, indent=1))
    first, second = one(tmp_path, "bom.json", "data_manifest").value["datasets"]
    assert first["uri"] == "https://example.com/loans.csv" and "path" not in first
    assert "path" not in second


# --- SPDX 3 --------------------------------------------------------------------------------------

def test_spdx3_ai_profile():
    card = one(DATA / "spdx", "ai-example02.spdx3.json", "model_card")
    v = card.value
    assert v["model_details"]["license"] == "CC0-1.0"
    assert v["model_details"]["model_architecture"] == "classification; supervised"
    assert v["intended_use"] == {"purpose": "Text sentiment analysis."}
    assert v["decision"] == {"automation": "solely_automated"}
    assert {m["name"] for m in v["performance"]["metrics"]} >= {"precision"}
    assert sorted((d["id"], d["split"]) for d in v["datasets"]) == [("test.txt", "test"), ("train.txt", "train"),
                                                                      ("valid.txt", "train")]
    pipeline = one(DATA / "spdx", "ai-example02.spdx3.json", "pipeline")
    assert pipeline.value == {"training": {"seed": 0}}
    valid(card)
    card = one(DATA / "spdx", "ai-example01-simplehtr.spdx3.json", "model_card")
    assert card.value["model_details"]["name"] == "word-model"
    assert card.value["datasets"] == [{"id": "IAMdataset", "split": "train"}]
    assert at(card, "/model_details/name") == (1178, 4)
    valid(card)


def test_spdx3_dataset_profile():
    manifest = one(DATA / "spdx", "dataset-example01.spdx3.json", "data_manifest")
    d = manifest.value["datasets"][0]
    assert d["sha256"] == "434d75c84cf86456c16193dbc53beef31eb63f3387425882ddb2ef6acb9d472c"
    assert d["version"] == "2024-04-15"
    assert d["known_issues"] == [{"description": "Data in some geographical areas are more completed than the others."}]
    assert "personal_data" not in d            # "no" sensitive information says nothing about personal data
    assert at(manifest, "/datasets/0/sha256") == (93, 11)
    valid(manifest)


# --- Croissant ---------------------------------------------------------------------------------------

@needs_shared
def test_croissant_titanic_files_fields_and_hashes():
    manifest = one(SHARED / "croissant-titanic", "metadata.json", "data_manifest")
    ds = manifest.value["datasets"]
    assert [d["id"] for d in ds] == ["passengers.csv", "genders.csv", "embarkation_ports.csv"]
    assert ds[0]["path"] == "data/titanic.csv" and ds[0]["format"] == "text/csv"
    assert ds[0]["sha256"] == "c617db2c7470716250f6f001be51304c76bcc8815527ab8bae734bdca0735737"
    assert ds[1]["fields"] == [{"name": "label", "type": "string", "description": 'One of {"male", "female"}'},
                               {"name": "url", "type": "string", "description": "Corresponding WikiData URL"}]
    assert at(manifest, "/datasets/0") == (57, 5)
    assert at(manifest, "/datasets/0/sha256") == (64, 7) and at(manifest, "/datasets/0/path") == (62, 7)
    valid(manifest)


@needs_shared
def test_croissant_rai_fields():
    manifest = one(SHARED / "croissant-dices-350", "metadata.json", "data_manifest")
    d = manifest.value["datasets"][0]
    assert d["id"] == "DICES-350_dataset"
    assert d["collection_process"].startswith("The input data was sampled from an 8K multi-turn conversation")
    assert "labels" in d and at(manifest, "/datasets/0/collection_process") == (63, 3)
    valid(manifest)


def test_croissant_bigcode_and_11():
    manifest = one(DATA / "croissant", "bigcode-the-stack-1.0.json", "data_manifest")
    d = manifest.value["datasets"][0]
    assert d["id"] == "bigcode-the-stack" and d["known_issues"] and d["known_gaps"]
    valid(manifest)
    manifest = one(DATA / "croissant", "credit-g-1.0.json", "data_manifest")
    assert manifest.value["datasets"][0]["fields"][1] == {"name": "duration", "type": "number",
                                                           "description": "duration - a field."}
    manifest = one(DATA / "croissant", "wildchat-1.1.json", "data_manifest")
    assert manifest.value["datasets"][0]["id"] == "WildChat-1M"
    valid(manifest)


# --- detection, merging, the project ------------------------------------------------------------------

def test_detect_finds_files_by_content_and_respects_settings(tmp_path):
    root = write_project(tmp_path / "p", {
        "README.md": LENDER_CARD, "docs/README.md": "# Docs\n\nNot a card.\n",
        "data/metadata.json": (DATA / "croissant" / "credit-g-1.0.json").read_text(),
        "sbom/bom.json": (DATA / "cyclonedx" / "valid-machine-learning-1.7.json").read_text()})
    found = detect(root, {})
    assert sorted({(a.adapter, a.source) for a in found}) == [
        ("croissant", "data/metadata.json"), ("cyclonedx", "sbom/bom.json"), ("huggingface", "README.md")]
    assert all(len(a.sha256) == 64 for a in found)
    assert {a.source for a in detect(root, {"adapters": {"disabled": ["huggingface"]}})} == {
        "data/metadata.json", "sbom/bom.json"}
    assert {a.source for a in detect(root, {"adapters": {"enabled": ["croissant"]}})} == {"data/metadata.json"}
    assert detect(root, {"adapters": {"detect": False}}) == []


def test_detect_never_follows_links_out_of_the_project(tmp_path):
    outside = write_project(tmp_path / "outside", {"README.md": LENDER_CARD})
    root = write_project(tmp_path / "p", {})
    (root / "README.md").symlink_to(outside / "README.md")
    (root / "model").symlink_to(outside, target_is_directory=True)
    assert detect(root, {}) == []


def test_hf_card_as_the_model_card_evidence_path(tmp_path):
    """`evidence.model_card: README.md` pointing at an HF card used to be "invalid YAML"."""
    root = write_project(tmp_path / "p", {"README.md": LENDER_CARD,
                                          "mlcompliance.yaml": {"evidence": {"model_card": "README.md"},
                                                                "adapters": {"detect": False}}})
    project = load_project(root)
    assert project.bundle["model_card"]["model_details"]["name"] == "credit-default-scorer"
    loc = project.locate("/model_card/performance/metrics/0/value")
    assert (loc.file, loc.line, loc.column) == ("README.md", 13, 23)
    files = project.files()
    assert {"path": "README.md", "kind": "model_card", "format": "markdown", "adapter": "huggingface",
            "sha256": hashlib.sha256(LENDER_CARD.encode()).hexdigest()} in files
    assert not any(f["path"] == "README.md" and f.get("adapter") is None for f in files)


def test_merge_precedence_keyed_lists_conflicts_and_locations(tmp_path):
    root = INVOICE
    native = load_project(root).documents["model_card"]
    card = write_project(tmp_path / "c", {"README.md": (
        "---\nlicense: apache-2.0\nmodel-index:\n- name: Invoice late-payment predictor\n  results:\n"
        "  - dataset: {type: invoices-test}\n    metrics:\n    - {type: auc, value: 0.79}\n"
        "    - {type: brier, value: 0.12}\n---\n")})
    hf = one(card, "README.md", "model_card")
    merged = merge("model_card", [Source(native.path, NATIVE, native.value, native.location),
                                  Source(hf.source, hf.adapter, hf.value, adapted_locator(hf))])
    assert merged.value["model_details"]["license"] == native.value["model_details"]["license"]   # native first
    metrics = merged.value["performance"]["metrics"]
    assert len(metrics) == len(native.value["performance"]["metrics"]) + 1          # auc merged, brier added
    assert metrics[-1] == {"name": "brier", "value": 0.12, "dataset": "invoices-test"}
    assert merged.locate(f"/performance/metrics/{len(metrics) - 1}/value") == ("README.md", 9, 21, "huggingface")
    assert merged.locate("/model_details/license")[:2] == ("model_card.yaml", native.location("/model_details/license")[0])
    assert [c["pointer"] for c in merged.conflicts] == ["/model_card/model_details/license",
                                                       "/model_card/performance/metrics/0/value"]
    auc = merged.conflicts[1]["values"]
    assert [(v["value"], v["file"], v["adapter"]) for v in auc] == [
        (0.81, "model_card.yaml", "native"), (0.79, "README.md", "huggingface")]
    assert auc[1]["line"] == 8


def test_conflicts_become_a_finding_at_the_disagreeing_line(tmp_path, sample_copy):
    root = sample_copy("invoice-late-payment")
    (root / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Invoice late-payment predictor\n")
    result = cli("check", root, "--as-of", AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    [finding] = [f for f in data["findings"] if f["rule_id"] == "MLOPS-EVIDENCE-SOURCES-AGREE"]
    assert finding["outcome"] == "fail"
    assert (finding["location"]["file"], finding["location"]["line"]) == ("README.md", 2)
    assert "/model_card/model_details/license" in finding["message"]
    assert {"path": "README.md", "kind": "model_card", "format": "markdown", "adapter": "huggingface",
            "sha256": hashlib.sha256((root / "README.md").read_bytes()).hexdigest()} in data["project"]["files"]


def test_explicit_sources_and_unknown_adapter(tmp_path):
    root = write_project(tmp_path / "p", {
        "cards/model.json": (DATA / "mct" / "full.json").read_text(),
        "mlcompliance.yaml": "adapters: {detect: false}\nsources:\n  - path: cards/model.json\n"})
    assert load_project(root).bundle["model_card"]["model_details"]["name"] == "name"
    (root / "mlcompliance.yaml").write_text("sources:\n  - path: cards/model.json\n    adapter: mct\n"
                                            "  - path: cards/none.json\n")
    with pytest.raises(InputError) as err:
        load_project(root)
    assert "cards/none.json" in str(err.value) and err.value.line == 4


# --- convert -----------------------------------------------------------------------------------------

def test_convert_yaml_comments_and_json_origins(tmp_path):
    root = write_project(tmp_path / "p", {"README.md": LENDER_CARD})
    result = cli("convert", root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "    name: credit-default-scorer  # README.md:8:3 (huggingface)" in lines
    assert "        value: 0.812  # README.md:13:23 (huggingface)" in lines
    assert "#   /model_card/intended_use/out_of_scope: README.md:39 (huggingface)" in lines
    result = cli("convert", root / "README.md", "--format", "json")
    data = json.loads(result.stdout)
    assert data["model_card"]["performance"]["metrics"] == [
        {"name": "roc_auc", "value": 0.812, "dataset": "lender/loan-applications-2024", "slice": "test"}]
    assert data["origins"]["/model_card/performance/metrics/0/value"] == {
        "file": "README.md", "line": 13, "column": 23, "adapter": "huggingface"}
    assert cli("convert", root, "--format", "json").stdout == cli("convert", root, "--format", "json").stdout


def test_convert_native_project_gives_native_origins():
    data = json.loads(cli("convert", INVOICE, "--format", "json").stdout)
    assert data["origins"]["/model_card/model_details/name"]["adapter"] == "native"
    assert data["origins"]["/model_card/model_details/name"]["file"] == "model_card.yaml"


def test_convert_refuses_a_file_no_adapter_reads(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    result = cli("convert", tmp_path / "notes.txt")
    assert result.exit_code == 2
    assert "notes.txt:1: no adapter recognises this file" in result.stderr


# --- bad input -------------------------------------------------------------------------------------

BOMB = "---\nlicense: mit\n" + "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh")) + \
    "---\n# x\n"
HOSTILE = {
    "alias bomb in front matter": ("README.md", BOMB, "alias bomb", 3),
    "front matter never closed": ("README.md", "---\nlicense: mit\n# title\n", "never closed", 1),
    "front matter with a tag": ("README.md", "---\nlicense: !!python/object:os.system ls\n---\n",
                                "unsupported YAML tag", 2),
    "bad YAML in front matter": ("README.md", "---\nlicense: [mit\n---\n", "invalid YAML", 3),
    "truncated CycloneDX": ("bom.json", '{"bomFormat": "CycloneDX", "specVersion": "1.6",\n "components": [', "invalid JSON", 2),
    "CycloneDX without ML-BOM": ("bom.json", '{"bomFormat": "CycloneDX",\n "specVersion": "1.4"}', "has no ML-BOM", 2),
    "SPDX without a graph": ("a.spdx3.json", '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}',
                             "@graph", 1),
    "deeply nested Croissant": ("metadata.json", '{"@context": {"cr": "http://mlcommons.org/croissant/"}, "x": '
                                + "[" * 100000 + "]" * 100000 + "}", "", 1),
    "not UTF-8": ("model_card.json", b'{"schema_version": "0.0.2", "model_details": {"name": "\xff"}}',
                  "not valid UTF-8", 1),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_exit_2_naming_file_and_line(tmp_path, case):
    name, content, fragment, line = HOSTILE[case]
    root = write_project(tmp_path / "p", {name: content})
    result = cli("convert", root / name)
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert f"{name}:{line}" in result.stderr
    result = cli("check", root, "--as-of", AS_OF)       # the same file found by detection
    assert result.exit_code == 2 and f"{name}:{line}" in result.stderr


def test_huge_adapted_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(adapters, "MAX_BYTES", 1000)
    root = write_project(tmp_path / "p", {"README.md": "---\nlicense: mit\n---\n" + "x" * 2000})
    result = cli("check", root, "--as-of", AS_OF)
    assert result.exit_code == 2 and "README.md:1: file is 2021 bytes, more than the 1000" in result.stderr


def test_remote_jsonld_context_is_never_fetched(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    root = write_project(tmp_path / "p", {
        "metadata.json": json.dumps({"@context": {"@vocab": "https://evil.example/ctx.jsonld",
                                                  "cr": "http://mlcommons.org/croissant/"},
                                     "@type": "sc:Dataset", "name": "remote-context"}),
        "x.spdx3.json": (DATA / "spdx" / "dataset-example01.spdx3.json").read_text()})
    before = tree_digest(root)
    result = cli("convert", root, "--format", "json")
    assert result.exit_code == 0
    ids = [d["id"] for d in json.loads(result.stdout)["data_manifest"]["datasets"]]
    assert ids == ["Our World in Data CO2 and Greenhouse Gas Emissions dataset", "remote-context"]
    assert tree_digest(root) == before


def test_explicit_source_outside_the_project_is_refused(tmp_path):
    outside = write_project(tmp_path / "outside", {"README.md": LENDER_CARD})
    root = write_project(tmp_path / "p", {"mlcompliance.yaml": "evidence:\n  model_card: card.md\n"})
    (root / "card.md").symlink_to(outside / "README.md")
    result = cli("check", root, "--as-of", AS_OF)
    assert result.exit_code == 2 and "outside the project directory" in result.stderr


def test_checking_an_hf_card_project_imports_nothing_heavy(tmp_path):
    import subprocess
    import sys
    root = write_project(tmp_path / "p", {"README.md": LENDER_CARD,
                                          "bom.json": (DATA / "cyclonedx" / "valid-machine-learning-1.7.json").read_text()})
    proc = subprocess.run([sys.executable, "-c", (
        "import sys; from mlcompliance.cli import main\n"
        "try:\n    main(['check', sys.argv[1], '--as-of', '2026-11-01', '--format', 'json'])\n"
        "except SystemExit: pass\n"
        "print('HEAVY', sorted(m for m in ('pandas', 'scipy', 'jinja2', 'numpy', 'requests', 'urllib3') "
        "if m in sys.modules), file=sys.stderr)"), str(root)], capture_output=True, text=True, check=False)
    assert "HEAVY []" in proc.stderr, proc.stderr[-500:]
    assert "Traceback" not in proc.stderr


@needs_shared
def test_croissant_hashes_are_checked_against_the_files_end_to_end(tmp_path):
    """A Croissant file's sha256 reaches the native manifest and the existing hash rule checks it."""
    import shutil
    root = tmp_path / "titanic"
    shutil.copytree(SHARED / "croissant-titanic", root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    def hash_findings() -> list[tuple[str, str, int]]:
        data = json.loads(cli("check", root, "--as-of", AS_OF, "--format", "json").stdout)
        return [(f["outcome"], f["location"]["file"], f["location"]["line"]) for f in data["findings"]
                if f["rule_id"] == "MLOPS-06-DATA-HASH-MATCHES"]
    assert hash_findings() == [("pass", "metadata.json", 57), ("pass", "metadata.json", 66),
                               ("pass", "metadata.json", 76)]
    (root / "data" / "genders.csv").write_text("label,url\nmale,x\n")
    assert hash_findings()[1] == ("fail", "metadata.json", 74)      # the genders.csv sha256 line


def test_croissant_named_as_the_data_manifest_and_file_cap(tmp_path, monkeypatch):
    root = write_project(tmp_path / "p", {
        "meta/croissant.json": (DATA / "croissant" / "credit-g-1.0.json").read_text(),
        "mlcompliance.yaml": "evidence:\n  data_manifest: meta/croissant.json\nadapters: {detect: false}\n"})
    project = load_project(root)
    assert project.bundle["data_manifest"]["datasets"][0]["id"] == "credit-g"
    assert project.locate("/data_manifest/datasets/0").file == "meta/croissant.json"
    root = write_project(tmp_path / "q", {"a/README.md": LENDER_CARD, "b/README.md": LENDER_CARD})
    assert len({a.source for a in detect(root, {})}) == 2
    monkeypatch.setattr(adapters, "MAX_FILES", 1)
    assert {a.source for a in detect(root, {})} == {"a/README.md"}


def test_an_invalid_merged_value_is_reported_where_it_came_from():
    from mlcompliance.evidence.adapters.base import Adapted, Origin
    bad = Adapted("model_card", "huggingface", "README.md", {"risk": {"tier": "severe"}},
                  {"/risk/tier": Origin("README.md", 7, 3, "huggingface")})
    with pytest.raises(InputError) as err:
        valid(bad)
    assert (err.value.file, err.value.line, err.value.column) == ("README.md", 7, 3)
    assert str(err.value).startswith("README.md:7:3: model_card drafted by the huggingface adapter: risk.tier:")


def test_front_matter_that_is_not_a_mapping():
    with pytest.raises(InputError) as err:
        module("huggingface").adapt("README.md", "---\n- license\n- b\n---\n", lambda rel: None)
    assert (err.value.line, err.value.message) == (2, "front matter is not a mapping")


def test_free_text_is_not_a_conflict_but_identifiers_are():
    native = Source("model_card.yaml", NATIVE, {"intended_use": {"purpose": "Decide consumer loans"},
                                                "model_details": {"license": "mit", "version": "1.0.0"},
                                                "features": ["age", "income"]}, lambda p: (3, 1))
    card = Source("README.md", "huggingface", {"intended_use": {"purpose": "Rank loans for review"},
                                              "model_details": {"license": "mit", "version": "1.1.0"},
                                              "features": ["income", "age"]}, lambda p: (9, 1))
    merged = merge("model_card", [native, card])
    assert [c["pointer"] for c in merged.conflicts] == ["/model_card/model_details/version"]
    assert merged.value["intended_use"]["purpose"] == "Decide consumer loans"


@pytest.mark.parametrize("declared,adapted,conflict", [
    ({"provider": "azure_devops", "triggers": ["pull_request", "push"]},
     {"provider": "azure_pipelines", "triggers": ["push", "pull_request"]}, False),
    ({"provider": "gitlab_ci", "triggers": ["pull_request", "schedule"]},
     {"provider": "gitlab_ci", "triggers": ["merge_request", "schedule"]}, False),
    ({"provider": "github_actions", "triggers": ["push"]},
     {"provider": "gitlab_ci", "triggers": ["push"]}, True),
    ({"provider": "gitlab_ci", "triggers": ["pull_request", "push"]},
     {"provider": "gitlab_ci", "triggers": ["push"]}, True),
])
def test_one_fact_spelt_two_ways_is_not_a_conflict(declared, adapted, conflict):
    native = Source("pipeline.yaml", NATIVE, {"ci": declared}, lambda p: (1, 1))
    ci = Source(".gitlab-ci.yml", "ci", {"ci": adapted}, lambda p: (2, 1))
    merged = merge("pipeline", [native, ci])
    assert bool(merged.conflicts) is conflict
    assert merged.value["ci"] == declared          # the team's own declaration is kept


@pytest.mark.parametrize("card,mlflow,conflict", [("sklearn", "sklearn 1.2.2", False), ("xgboost 2.1", "sklearn 1.2.2", True)])
def test_a_framework_named_with_and_without_its_version_agrees(card, mlflow, conflict):
    hf = Source("README.md", "huggingface", {"model_details": {"framework": card}}, lambda p: (5, 1))
    ml = Source("model/MLmodel", "mlflow", {"model_details": {"framework": mlflow}}, lambda p: (3, 1))
    assert bool(merge("model_card", [hf, ml]).conflicts) is conflict
