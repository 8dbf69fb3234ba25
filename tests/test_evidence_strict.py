"""Evidence that cannot be checked, a directory that is not a project, and all input errors at once.

Issue 9, must-haves 5-7: placeholders and references to absent files count as missing
(evidence.claims), a directory without evidence is exit 2 and ``check`` with no argument finds
the project root upwards (evidence.project.has_evidence / find_root), and every schema error of
every file is reported in one run (errors.InputErrors).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import AS_OF, SAMPLES, cli, write_project

from mlcompliance.errors import MAX_REPORTED, InputError, InputErrors, combine
from mlcompliance.evidence import claims
from mlcompliance.evidence.project import find_root, has_evidence, load_project

DPIA = "GDPR-ART35-1-DPIA-APPROVED"
CONTEST = "GDPR-ART22-3-CONTEST-CHANNEL"
CARD_DPIA_REF = "  ref: DPIA-2025-031 (UPL-PD v5 application decisioning)\n"
CARD_CONTEST = "  contest_channel_ref: https://www.kingsbridgebank.co.uk/loans/decision-review\n"


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the one line ``old`` in ``path``; return its line number."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _set_refs(project: Path, dpia_ref: str, contest_ref: str) -> tuple[int, int]:
    card = project / "model_card.yaml"
    return (_edit(card, CARD_DPIA_REF, f"  ref: {json.dumps(dpia_ref)}\n"),
            _edit(card, CARD_CONTEST, f"  contest_channel_ref: {json.dumps(contest_ref)}\n"))


def _worst(result: dict, rule_id: str) -> dict:
    found = [f for f in result["findings"] if f["rule_id"] == rule_id]
    assert found, rule_id
    return min(found, key=lambda f: ["fail", "error", "warn", "manual", "pass", "not_applicable"].index(f["outcome"]))


def _check(project: Path, *options: str) -> tuple[int, dict]:
    res = cli("check", project, "--as-of", AS_OF, "--format", "json", *options)
    assert res.exit_code in (0, 1), res.stderr
    return res.exit_code, json.loads(res.stdout)


# --- must-have 5: claims that cannot be checked do not pass ---------------------------------------

def test_sample_passes_both_rules_as_shipped(sample_check):
    _, result = sample_check("credit-scoring")
    assert _worst(result, DPIA)["outcome"] == "pass"
    assert _worst(result, CONTEST)["outcome"] == "pass"


@pytest.mark.parametrize("dpia_ref, contest_ref, seen", [
    ("[More Information Needed]", "TBD", ("placeholder '[More Information Needed]'", "placeholder 'TBD'")),
    ("TODO", "n/a", ("placeholder 'TODO'", "placeholder 'n/a'")),
    ("   ", "<fill in>", ("empty value", "placeholder '<fill in>'")),
    ("docs/dpia-2025-031.pdf", "docs/contest.md#how", ("'docs/dpia-2025-031.pdf' is not a file in the project",
                                                        "'docs/contest.md' is not a file in the project")),
])
def test_unverifiable_refs_fail_both_critical_rules(sample_copy, dpia_ref, contest_ref, seen):
    project = sample_copy("credit-scoring")
    dpia_line, contest_line = _set_refs(project, dpia_ref, contest_ref)
    code, result = _check(project)
    assert code == 1
    dpia, contest = _worst(result, DPIA), _worst(result, CONTEST)
    assert dpia["outcome"] == contest["outcome"] == "fail"
    # located at the placeholder itself, saying what was seen there
    assert (dpia["location"]["file"], dpia["location"]["line"]) == ("model_card.yaml", dpia_line)
    assert (contest["location"]["file"], contest["location"]["line"]) == ("model_card.yaml", contest_line)
    assert dpia["location"]["pointer"] == "/dpia/ref"
    assert seen[0] in dpia["message"] and "counts as missing" in dpia["message"]
    assert seen[1] in contest["message"]


def test_project_files_urls_and_document_ids_still_count(sample_copy):
    project = sample_copy("credit-scoring")
    (project / "docs").mkdir()
    (project / "docs" / "DPIA 2025-031.pdf").write_bytes(b"%PDF-1.7\n")
    _set_refs(project, "docs/DPIA 2025-031.pdf#section-3", "urn:kb:complaints:decision-review")
    _, result = _check(project)
    assert _worst(result, DPIA)["outcome"] == "pass"
    assert _worst(result, CONTEST)["outcome"] == "pass"
    _set_refs_again = _edit(project / "model_card.yaml", '  ref: "docs/DPIA 2025-031.pdf#section-3"\n',
                            "  ref: ./docs/DPIA 2025-031.pdf\n")
    assert _set_refs_again
    _, result = _check(project)
    assert _worst(result, DPIA)["outcome"] == "pass"


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_link_leading_outside_the_project_is_not_evidence(sample_copy, tmp_path):
    project = sample_copy("credit-scoring")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# DPIA\n", encoding="utf-8")
    (project / "docs").mkdir()
    (project / "docs" / "dpia.md").symlink_to(outside)
    (project / "docs" / "contest.md").write_text("# How to contest\n", encoding="utf-8")
    _set_refs(project, "docs/dpia.md", "docs/contest.md")
    _, result = _check(project)
    dpia = _worst(result, DPIA)
    assert dpia["outcome"] == "fail"
    assert "'docs/dpia.md' is a symbolic link leading outside the project" in dpia["message"]
    assert _worst(result, CONTEST)["outcome"] == "pass"


def test_removed_values_are_facts_with_locations(sample_copy):
    project = sample_copy("credit-scoring")
    dpia_line, contest_line = _set_refs(project, "TBD", "../outside.md")
    card = (project / "model_card.yaml").read_text(encoding="utf-8")
    card = card.replace("  out_of_scope:\n    - credit cards", "  out_of_scope:\n    - TODO\n    - credit cards")
    (project / "model_card.yaml").write_text(card, encoding="utf-8")
    loaded = load_project(project)
    facts = loaded.bundle["observed"]["placeholders"]
    assert [(i["pointer"], i["value"], i["line"], i["column"]) for i in facts["items"]] == [
        ("/model_card/intended_use/out_of_scope/0", "TODO", 37, 7),
        ("/model_card/decision/contest_channel_ref", "../outside.md", contest_line + 1, 3),
        ("/model_card/dpia/ref", "TBD", dpia_line + 1, 3),
    ]
    assert facts["items"][1]["reason"] == ("reference '../outside.md' leaves the project directory, "
                                           "so it counts as missing")
    assert "ref" not in loaded.bundle["model_card"]["dpia"]
    assert loaded.documents["model_card"].value["dpia"]["ref"] == "TBD"   # the file's own value is kept
    # the list lost its first item; the items after it still point at their own lines
    scope = loaded.bundle["model_card"]["intended_use"]["out_of_scope"]
    assert scope[0] == "credit cards, overdrafts, car finance and secured lending" and len(scope) == 4
    assert loaded.locate("/model_card/intended_use/out_of_scope/0").line == 38
    assert loaded.locate("/model_card/intended_use/out_of_scope/3").line == 41
    assert loaded.locate("/observed/placeholders/items/2").line == dpia_line + 1


@pytest.mark.parametrize("value", ["TBD", "tbd", " TODO ", "N/A", "n/a", "-", "—", "???", "?", "...", "",
                                   "   ", "[More Information Needed]", "more information needed", "<fill in>",
                                   "<name of the DPO>", "{{ owner }}", "[TODO]", "(tbc)", "TBD: legal review",
                                   "todo - write it", "FIXME", "To be determined.", "Pending"])
def test_placeholders(value):
    assert claims.placeholder(value)


@pytest.mark.parametrize("value", ["DPIA-2025-031", "None", "NA", "no", "0", "Not applicable: no personal data",
                                   "Todorov review 2025", "TBDX-17", "a - b", "https://x.example/tbd", "<b>bold</b> text"])
def test_not_placeholders(value):
    assert not claims.placeholder(value)


@pytest.mark.parametrize("value, kind", [
    ("https://wiki.example/dpia", "url"), ("urn:kb:dpia:2025-031", "url"), ("s3://bucket/raw/", "url"),
    ("mailto:dpo@example.com", "url"), ("DPIA-2025-031 (application decisioning)", "id"), ("ROPA-RET-0093", "id"),
    ("Partner hospitals' notice (DSA-2023-NL-01)", "id"), ("v1.2", "id"), ("docs/dpia.md", "path"),
    ("dpia.pdf", "path"), ("./dpia", "path"), ("/etc/passwd", "path"), ("C:\\dpia.docx", "path"),
    ("data/raw/x.csv (WORM copy)", "path"), ("DMS/2024/017", "path"), ("README.md#contest", "path"),
])
def test_reference_kinds(value, kind):
    assert claims.reference_kind(value) == kind


def test_reference_fields_come_from_the_schemas():
    card = claims.reference_patterns("model_card")
    assert ("dpia", "ref") in card and ("decision", "contest_channel_ref") in card
    assert ("attestations", "*", "evidence_ref") in card
    for kind in ("model_card", "data_manifest", "pipeline"):
        patterns = claims.reference_patterns(kind)
        assert patterns and all(p[-1] == "ref" or p[-1].endswith("_ref") or p[:2] == ("documentation", "annex_iv")
                                for p in patterns)
    assert ("datasets", "*", "transformations", "*", "code_ref") not in claims.reference_patterns("data_manifest")


def test_placeholder_counts_as_missing_for_conditions_too(tmp_path):
    """The engine never sees the placeholder: a named field's placeholder is absent everywhere."""
    project = write_project(tmp_path / "p", {"model_card.yaml": {
        "kind": "model_card", "schema_version": "1.0",
        "model_details": {"name": "TBD", "version": "1.0.0"}}})
    loaded = load_project(project)
    assert "name" not in loaded.bundle["model_card"]["model_details"]
    assert loaded.name == "p"   # the card's placeholder name is not the project's name


# --- must-have 6: wrong place, clear error ----------------------------------------------------------

NO_EVIDENCE = re.compile(r"^mlcompliance: error: no evidence found in (.+): expected model_card\.yaml, "
                         r"data_manifest\.yaml, pipeline\.yaml or mlcompliance\.yaml")


def test_empty_directory_is_an_input_error(tmp_path):
    res = cli("check", tmp_path, "--as-of", AS_OF)
    assert res.exit_code == 2 and res.stdout == ""
    match = NO_EVIDENCE.match(res.stderr)
    assert match and match.group(1) == str(tmp_path), res.stderr


def test_directory_of_unrelated_files_is_an_input_error(tmp_path):
    write_project(tmp_path, {"README.md": "# notes\n", "train.py": "print(1)\n", "config.yaml": {"lr": 0.1}})
    res = cli("check", tmp_path, "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 2 and res.stdout == ""
    assert NO_EVIDENCE.match(res.stderr), res.stderr


def test_subdirectory_of_a_sample_names_the_project_above():
    sub = SAMPLES / "xray-anomaly" / "data"
    res = cli("check", sub, "--as-of", AS_OF)
    assert res.exit_code == 2
    assert NO_EVIDENCE.match(res.stderr)
    assert f"the nearest project above is {SAMPLES / 'xray-anomaly'}" in res.stderr


def test_portfolio_records_a_directory_without_evidence(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli("check", empty, SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 2
    entries = [json.loads(line) for line in res.stdout.splitlines()]
    error = next(e for e in entries if e.get("path") == str(empty))
    assert error["error"].startswith(f"no evidence found in {empty}: expected model_card.yaml")


def test_no_argument_checks_the_current_project(sample_copy, monkeypatch):
    project = sample_copy("invoice-late-payment")
    monkeypatch.chdir(project)
    here = cli("check", "--as-of", AS_OF, "--format", "json")
    given = cli("check", project, "--as-of", AS_OF, "--format", "json")
    assert here.exit_code == given.exit_code == 0
    assert here.stdout == given.stdout
    assert here.stderr == f"mlcompliance: checking the project at {project}\n"


def test_no_argument_from_a_subdirectory_finds_the_root(sample_copy, monkeypatch):
    project = sample_copy("invoice-late-payment")
    deep = project / "notebooks" / "eda"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    res = cli("check", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.stderr == f"mlcompliance: checking the project at {project} (../..)\n"
    assert res.stdout == cli("check", project, "--as-of", AS_OF, "--format", "json").stdout


def test_root_search_stops_at_a_git_boundary(tmp_path, monkeypatch):
    write_project(tmp_path, {"mlcompliance.yaml": {"packs": {"gdpr": "1.1.0"}}})
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    assert find_root(repo / "src") is None
    assert find_root(tmp_path / "other") == tmp_path  # no .git on the way: found upwards
    monkeypatch.chdir(repo / "src")
    res = cli("check", "--as-of", AS_OF)
    assert res.exit_code == 2
    assert res.stderr.startswith(f"mlcompliance: error: no evidence found in {repo / 'src'} or the directories "
                                 "above it")


def test_has_evidence_markers(tmp_path):
    assert not has_evidence(tmp_path)
    for name in ("pipeline.json", "mlcompliance.yml", "data_manifest.yml"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
        assert has_evidence(tmp_path)
        (tmp_path / name).unlink()


# --- must-have 7: all input errors in one run -------------------------------------------------------

def test_four_mistakes_in_two_files_in_one_run(sample_copy):
    project = sample_copy("credit-scoring")
    card, manifest = project / "model_card.yaml", project / "data_manifest.yaml"
    l1 = _edit(card, "  version: 5.0.0\n  description", "  version: 5\n  description")
    l2 = _edit(card, "  model_architecture: gradient_boosted_trees\n", "  model_architecure: gradient_boosted_trees\n")
    l3 = _edit(manifest, 'schema_version: "1.0"\n', 'schema_version: "9.0"\n')
    l4 = _edit(manifest, "  - id: upl-applications-train\n", "  - id: upl-applications-train\n    colour: blue\n") + 1
    res = cli("check", project, "--as-of", AS_OF)
    assert res.exit_code == 2 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert all(line.startswith("mlcompliance: error: ") for line in lines)
    assert [line.split(": ")[2] for line in lines] == [
        f"{project.as_posix()}/model_card.yaml:{l1}:3", f"{project.as_posix()}/model_card.yaml:{l2}:3",
        f"{project.as_posix()}/data_manifest.yaml:{l3}:1", f"{project.as_posix()}/data_manifest.yaml:{l4}:5"]
    assert "model_details.version: 5 has the wrong type (expected: a string" in lines[0]
    assert "unknown field 'model_details.model_architecure' (did you mean 'model_architecture'?)" in lines[1]
    assert 'schema_version: "9.0" is not allowed (expected: one of "1.0")' in lines[2]
    assert "unknown field 'datasets.0.colour'" in lines[3]
    # a portfolio records all four in the project's error entry
    res = cli("check", project, SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "json")
    entry = next(json.loads(x) for x in res.stdout.splitlines() if json.loads(x).get("path") == str(project))
    assert [(e["file"].rsplit("/", 1)[1], e["line"], e["column"]) for e in entry["errors"]] == [
        ("model_card.yaml", l1, 3), ("model_card.yaml", l2, 3), ("data_manifest.yaml", l3, 1),
        ("data_manifest.yaml", l4, 5)]
    assert entry["error"].startswith("4 input errors: ") and entry["line"] == l1


def test_config_and_evidence_errors_together(tmp_path):
    project = write_project(tmp_path / "p", {
        "mlcompliance.yaml": "gate:\n  fail_on: severe\n",
        "model_card.yaml": "kind: model_card\nschema_version: '1.0'\nrisk:\n  tier: hgh\n  teir: low\n"})
    res = cli("check", project, "--as-of", AS_OF)
    assert res.exit_code == 2
    where = [line.split(": ")[2].rsplit("/", 1)[1] for line in res.stderr.splitlines()]
    assert where == ["mlcompliance.yaml:2:3", "model_card.yaml:4:3", "model_card.yaml:5:3"]


def test_errors_are_capped_with_a_count(tmp_path):
    fields = "".join(f"  unknown_{n:03d}: x\n" for n in range(MAX_REPORTED + 7))
    project = write_project(tmp_path / "p", {"model_card.yaml": f"kind: model_card\nmodel_details:\n{fields}"})
    res = cli("check", project, "--as-of", AS_OF)
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == MAX_REPORTED + 1
    assert lines[0].endswith("model_card.yaml:3:3: unknown field 'model_details.unknown_000' (expected: one of "
                             "the documented fields: data_cutoff, description, framework, inventory_id, license, "
                             "model_architecture, name, owners, references, task, trained_at, version)")
    assert lines[-1] == f"mlcompliance: error: ... and 7 more input errors (the first {MAX_REPORTED} are shown)"


def test_one_error_keeps_the_single_error_form():
    one = InputError("bad", file="a.yaml", line=2, column=3, expected="good")
    assert combine([one]) is one and combine([]) is None
    assert one.lines() == ["a.yaml:2:3: bad (expected: good)"]
    two = combine([one, InputError("worse", file="b.yaml", line=1)])
    assert isinstance(two, InputErrors) and isinstance(two, InputError)
    assert (two.file, two.line, two.column, two.message) == ("a.yaml", 2, 3, "bad")
    assert str(two) == "a.yaml:2:3: bad (expected: good)\nb.yaml:1: worse"
    assert combine([two, one]).lines() == [*two.lines(), one.lines()[0]]


def test_an_attestation_by_a_placeholder_is_no_attestation(sample_copy):
    project = sample_copy("credit-scoring")
    line = _edit(project / "model_card.yaml", "    attested_by: Head of Internal Audit\n", "    attested_by: TBD\n")
    _, result = _check(project)
    audit = _worst(result, "PRA-P2.5-INTERNAL-AUDIT")
    assert audit["outcome"] == "manual" and "attestation" not in audit
    assert audit["message"] == ("Needs a human attestation: no rule can check this requirement. The attestation "
                                f"recorded is incomplete (model_card.yaml:{line}:5: placeholder 'TBD' counts as missing).")


def test_a_placeholder_in_a_json_list_keeps_the_other_items_located(tmp_path):
    card = {"kind": "model_card", "schema_version": "1.0",
            "intended_use": {"out_of_scope": ["TBD", "mortgages", "business loans"]}}
    project = write_project(tmp_path / "p", {"model_card.json": json.dumps(card, indent=2) + "\n"})
    loaded = load_project(project)
    assert loaded.bundle["model_card"]["intended_use"]["out_of_scope"] == ["mortgages", "business loans"]
    item = loaded.bundle["observed"]["placeholders"]["items"][0]
    assert (item["file"], item["line"], item["pointer"]) == ("model_card.json", 6, "/model_card/intended_use/out_of_scope/0")
    assert loaded.locate("/model_card/intended_use/out_of_scope/0").line == 7
    assert loaded.locate("/model_card/intended_use/out_of_scope/1").line == 8
