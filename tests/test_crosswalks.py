"""Crosswalks to ISO/IEC 42001 Annex A and NIST AI RMF 1.0 (docs/crosswalks.md): the vendored id
lists, the crosswalk files and their loader, and `check --framework` end to end."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import AS_OF, ROOT, SAMPLES, cli

from mlcompliance.errors import InputError
from mlcompliance.policy import crosswalks
from mlcompliance.policy.packs import discover
from mlcompliance.result import codec
from mlcompliance.result import frameworks as fw

BASE = ROOT / "policies" / "crosswalks"
CREDIT = SAMPLES / "credit-scoring"

# Written out here independently of the vendored file: ISO/IEC 42001:2023 Annex A has 38 controls.
ISO_IDS = ["A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
           "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4",
           "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8", "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
           "A.8.2", "A.8.3", "A.8.4", "A.8.5", "A.9.2", "A.9.3", "A.9.4", "A.10.2", "A.10.3", "A.10.4"]
# NIST AI 100-1 Tables 1-4: subcategories per category.
NIST_SHAPE = {"GOVERN": [7, 3, 2, 3, 2, 2], "MAP": [6, 3, 5, 2, 2], "MEASURE": [3, 13, 3, 3], "MANAGE": [4, 4, 2, 3]}


def _known() -> dict[str, set[str]]:
    return crosswalks.requirement_ids(discover(plugins=False))


# --- the vendored id lists -----------------------------------------------------------------

def test_iso_list_is_the_38_annex_a_controls_in_order():
    framework = crosswalks.load_framework("iso42001")
    assert [c.id for c in framework.controls] == ISO_IDS
    assert all(c.title and c.group for c in framework.controls)


def test_nist_list_is_the_72_core_subcategories_in_order():
    framework = crosswalks.load_framework("nist-ai-rmf")
    expected = [f"{fn} {cat}.{n}" for fn, cats in NIST_SHAPE.items() for cat, count in enumerate(cats, 1)
                for n in range(1, count + 1)]
    assert len(expected) == 72
    assert [c.id for c in framework.controls] == expected
    assert framework.control("MEASURE 2.11").title.startswith("Fairness and bias")
    assert framework.control("GOVERN 1.6").title.startswith("Mechanisms are in place to inventory AI systems")


def test_id_lists_record_their_provenance():
    for name in ("iso42001-annex-a.yaml", "nist-ai-rmf-1.0.yaml"):
        text = (BASE / "frameworks" / name).read_text(encoding="utf-8")
        assert "Provenance" in text and "checked" in text


# --- every crosswalk entry is checked ---------------------------------------------------------

@pytest.mark.parametrize("fid", ["iso42001", "nist-ai-rmf"])
def test_every_mapped_id_is_real(fid):
    """Read independently of the loader: each control in the vendored list, each requirement in some
    installed version of its pack (pack.yaml), each relationship one of the four types."""
    walk = yaml.safe_load((BASE / f"{fid}.yaml").read_text(encoding="utf-8"))
    listed = yaml.safe_load(next((BASE / "frameworks").glob(
        "iso42001-*.yaml" if fid == "iso42001" else "nist-ai-rmf-*.yaml")).read_text(encoding="utf-8"))
    ids = {c["id"] for c in listed["controls"]}
    reqs: dict[str, set[str]] = {}
    for manifest in (ROOT / "policies").glob("*/*/pack.yaml"):
        pack = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        reqs.setdefault(pack["id"], set()).update(r["id"] for r in pack["requirements"])
    assert walk["mappings"]
    for m in walk["mappings"]:
        assert m["control"] in ids, m
        assert m["requirement"] in reqs[m["pack"]], m
        assert m["relationship"] in ("equal", "subset", "superset", "intersects"), m
        assert len(m["rationale"]) > 20 and "\n" not in m["rationale"], m
    # and the loader agrees
    loaded = crosswalks.load(fid, _known())
    assert len(loaded.mappings) == len(walk["mappings"])


def test_nothing_is_forced_onto_a_control():
    """Unmapped requirements stay unmapped: Art. 5 prohibited practices has no ISO Annex A or NIST
    counterpart, and GOVERN 1.1 (which would fit every legal requirement) is not used."""
    known = _known()
    for fid in ("iso42001", "nist-ai-rmf"):
        walk = crosswalks.load(fid, known)
        assert not [m for m in walk.mappings if m.requirement == "EUAI-ART5-PROHIBITED"]
    assert not crosswalks.load("nist-ai-rmf", known).for_control("GOVERN 1.1")


def _write(tmp_path: Path, entries: list[dict], relationship_ok: bool = True) -> Path:
    base = tmp_path / "cw"
    (base / "frameworks").mkdir(parents=True)
    (base / "frameworks" / "toy.yaml").write_text(yaml.safe_dump({
        "framework": {"id": "toy", "title": "Toy framework", "version": "1"},
        "controls": [{"id": "T.1", "title": "One"}, {"id": "T.2", "title": "Two"}]}), encoding="utf-8")
    (base / "toy-walk.yaml").write_text(yaml.safe_dump({"framework": "toy", "mappings": entries}, sort_keys=False),
                                        encoding="utf-8")
    return base


ENTRY = {"pack": "gdpr", "requirement": "GDPR-ART35-1-DPIA", "control": "T.1", "relationship": "intersects",
         "rationale": "A DPIA is an impact assessment."}
KNOWN = {"gdpr": {"GDPR-ART35-1-DPIA", "GDPR-OLD-ONLY"}}


def test_a_toy_crosswalk_loads(tmp_path):
    base = _write(tmp_path, [ENTRY, {**ENTRY, "requirement": "GDPR-OLD-ONLY", "control": "T.2"}])
    walk = crosswalks.load("toy", KNOWN, base)
    assert [(m.requirement, m.control, m.line) for m in walk.mappings] == [
        ("GDPR-ART35-1-DPIA", "T.1", 3), ("GDPR-OLD-ONLY", "T.2", 8)]
    assert crosswalks.available(base) == ["toy"]


@pytest.mark.parametrize("change, message", [
    ({"control": "T.9"}, "control 'T.9' is not in the Toy framework list"),
    ({"requirement": "GDPR-NOPE"}, "requirement 'GDPR-NOPE' is in no installed version of pack 'gdpr'"),
    ({"pack": "nope"}, "unknown policy pack 'nope'"),
    ({"relationship": "overlaps"}, "overlaps"),
    ({"rationale": ""}, ""),
])
def test_a_bad_entry_is_an_input_error_with_file_and_line(tmp_path, change, message):
    base = _write(tmp_path, [ENTRY, {**ENTRY, **change}])
    with pytest.raises(InputError) as err:
        crosswalks.load("toy", KNOWN, base)
    assert message in str(err.value)
    assert err.value.file.endswith("toy-walk.yaml") and err.value.line and err.value.line >= 6


def test_a_duplicate_entry_is_refused(tmp_path):
    base = _write(tmp_path, [ENTRY, dict(ENTRY)])
    with pytest.raises(InputError, match="mapped to T.1 twice"):
        crosswalks.load("toy", KNOWN, base)


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(InputError, match=r"unknown framework 'iso-42001' \(did you mean 'iso42001'\?\)"):
        crosswalks.load_framework("iso-42001")


def test_a_requirement_of_any_installed_version_is_known():
    """Keyed by requirement id: an id from any installed version of the pack counts, so a mapping
    written for a new pack version does not break the older ones, and vice versa."""
    class Src:
        def __init__(self, pid, ids):
            self.id = pid
            self.manifest = type("D", (), {"value": {"requirements": [{"id": i} for i in ids]}})()
    known = crosswalks.requirement_ids([Src("p", ["A", "B"]), Src("p", ["B", "C"]), Src("q", [])])
    assert known == {"p": {"A", "B", "C"}, "q": set()}


# --- the roll-up --------------------------------------------------------------------------------

@pytest.mark.parametrize("statuses, expected", [
    (["pass", "fail", "manual"], "fail"),
    (["pass", "error"], "error"),
    (["pass", "waived"], "waived"),
    (["pass", "manual"], "pass"),
    (["manual", "not_applicable"], "manual"),
    (["not_applicable", "not_applicable"], "not_assessed"),
    ([], "not_assessed"),
])
def test_control_status_rolls_up_worst_first(statuses, expected):
    assert fw.control_status(statuses) == expected


# --- check --framework, end to end ------------------------------------------------------------

@pytest.fixture(scope="module")
def iso_result():
    run = cli("check", CREDIT, "--as-of", AS_OF, "--framework", "iso42001", "--format", "json")
    assert run.exit_code == 1, run.output
    return json.loads(run.stdout)


def _control(result: dict, cid: str) -> dict:
    return next(c for c in result["frameworks"][0]["controls"] if c["id"] == cid)


def test_credit_scoring_by_iso42001(iso_result):
    report = iso_result["frameworks"][0]
    assert (report["id"], report["version"], len(report["controls"])) == ("iso42001", "2023", 38)
    # a failing mapped requirement makes the control fail
    literacy = _control(iso_result, "A.4.6")
    assert literacy["status"] == "fail"
    assert [(r["requirement"], r["relationship"], r["status"]) for r in literacy["requirements"]] == [
        ("EUAI-ART4-AI-LITERACY", "intersects", "fail")]
    deployment = _control(iso_result, "A.6.2.5")
    assert deployment["status"] == "fail"
    assert {r["requirement"]: r["status"] for r in deployment["requirements"]} == {
        "MLOPS-02-CD": "pass", "MLOPS-10-CANARY": "fail", "MLOPS-18-RELEASE-AFTER-VALIDATION": "pass"}
    # DPIA review fails (its waiver expired) while the DPIA itself passes
    impact = _control(iso_result, "A.5.2")
    assert impact["status"] == "fail"
    assert {r["requirement"]: r["status"] for r in impact["requirements"]}["GDPR-ART35-1-DPIA"] == "pass"
    # waived is worse than pass; manual only when nothing else applies
    assert _control(iso_result, "A.6.2.4")["status"] == "waived"
    assert _control(iso_result, "A.5.3")["status"] == "manual"
    assert _control(iso_result, "A.7.5")["status"] == "pass"
    # not assessed: nothing mapped, or every mapped requirement not applicable
    assert _control(iso_result, "A.2.3") == {"id": "A.2.3", "title": "Alignment with other organisational policies",
                                             "group": "A.2 Policies related to AI", "status": "not_assessed",
                                             "full_coverage": False, "requirements": []}
    tech_doc = _control(iso_result, "A.6.2.7")
    assert tech_doc["status"] == "not_assessed" and tech_doc["requirements"]
    assert {r["status"] for r in tech_doc["requirements"]} == {"not_applicable"}
    assert report["statuses"] == {"error": 0, "fail": 4, "warn": 0, "waived": 1, "pass": 15, "manual": 1,
                                  "not_assessed": 17}
    assert sum(report["statuses"].values()) == 38


def test_the_framework_section_is_valid_and_round_trips(iso_result, tmp_path):
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(iso_result), encoding="utf-8")
    result = codec.read(saved)   # validates against result.schema.json
    assert codec.to_dict(result) == iso_result
    # rendering the saved result gives what check gives, in every report format
    for fmt in ("text", "md", "html"):
        direct = cli("check", CREDIT, "--as-of", AS_OF, "--framework", "iso42001", "--format", fmt).stdout
        assert cli("render", saved, "--format", fmt).stdout == direct, fmt


def test_without_the_flag_the_result_only_lacks_the_section(iso_result):
    plain = json.loads(cli("check", CREDIT, "--as-of", AS_OF, "--format", "json").stdout)
    assert "frameworks" not in plain
    assert plain == {k: v for k, v in iso_result.items() if k != "frameworks"}
    text = cli("check", CREDIT, "--as-of", AS_OF).stdout
    with_fw = cli("check", CREDIT, "--as-of", AS_OF, "--framework", "iso42001").stdout
    assert "framework" not in text.lower().replace("frameworks", "")
    assert [line for line in with_fw.splitlines()
            if not line.startswith(("framework iso42001", "  FAIL", "  ERROR", "  WARN"))] == text.splitlines()
    html = cli("check", CREDIT, "--as-of", AS_OF, "--format", "html").stdout
    assert 'id="frameworks"' not in html


def test_text_md_and_html_show_the_rollup():
    args = ("check", CREDIT, "--as-of", AS_OF, "--framework", "iso42001", "--framework", "nist-ai-rmf")
    text = cli(*args).stdout
    assert ("framework iso42001 (ISO/IEC 42001:2023 Annex A reference controls): 38 controls: 4 fail, 1 waived, "
            "15 pass, 1 manual, 17 not assessed") in text
    assert "  FAIL  A.6.2.5 Deployment <- mlops-practices MLOPS-10-CANARY (intersects, fail)" in text
    assert re.search(r"^framework nist-ai-rmf .*: 72 controls: ", text, re.M)
    md = cli(*args, "--format", "md").stdout
    assert "| `A.6.2.5` | Deployment | fail |" in md
    html = cli(*args, "--format", "html").stdout
    assert html.count('<section id="frameworks">') == 1
    assert 'id="framework-iso42001"' in html and 'id="framework-nist-ai-rmf"' in html


def test_json_is_deterministic_and_ordered_as_given():
    args = ("check", CREDIT, "--as-of", AS_OF, "--format", "json", "--framework", "nist-ai-rmf",
            "--framework", "iso42001", "--framework", "nist-ai-rmf")
    first, second = cli(*args).stdout, cli(*args).stdout
    assert first == second
    assert [f["id"] for f in json.loads(first)["frameworks"]] == ["nist-ai-rmf", "iso42001"]


def test_an_unknown_framework_is_exit_2():
    run = cli("check", CREDIT, "--as-of", AS_OF, "--framework", "iso27001")
    assert run.exit_code == 2
    assert "unknown framework 'iso27001'" in run.stderr


def test_packs_crosswalk_lists_mappings_and_unmapped():
    run = cli("packs", "crosswalk", "iso42001", "--pack", "pra-ss1-23", "--format", "json")
    assert run.exit_code == 0, run.output
    listing = json.loads(run.stdout)
    by_req = {r["requirement"]: r for r in listing["rows"]}
    assert [c["control"] for c in by_req["PRA-P3.2-DATA"]["controls"]] == ["A.7.4", "A.7.5"]
    assert by_req["PRA-P1.1-MODEL-DEFINITION"]["controls"] == []
    unmapped = cli("packs", "crosswalk", "nist-ai-rmf", "--unmapped").stdout
    assert "EUAI-ART5-PROHIBITED: unmapped" in unmapped
    assert "PRA-P1.2-INVENTORY" not in unmapped


def test_a_mapped_requirement_absent_from_the_chosen_version_is_left_out():
    """A crosswalk entry for a requirement that the applied pack version does not have (it exists in
    another installed version) is not shown, and does not make the control assessed."""
    from types import SimpleNamespace as NS
    framework = crosswalks.Framework(id="toy", title="Toy", version="1", publisher=None, url=None,
                                     controls=(crosswalks.Control("T.1", "One", None),
                                               crosswalks.Control("T.2", "Two", None)), file="toy.yaml")
    walk = crosswalks.Crosswalk(framework=framework, file="toy-walk.yaml", mappings=(
        crosswalks.Mapping("p", "R-NEW", "T.1", "superset", "only in version 2"),
        crosswalks.Mapping("p", "R-OLD", "T.1", "intersects", "in version 1"),
        crosswalks.Mapping("p", "R-NEW", "T.2", "equal", "only in version 2")))
    summaries = [NS(id="p", requirements=[NS(id="R-OLD", title="Old", status="pass")])]
    report = fw.build(walk, summaries)
    one, two = report.controls
    assert [(r.requirement, r.status) for r in one.requirements] == [("R-OLD", "pass")]
    assert (one.status, one.full_coverage) == ("pass", False)
    assert (two.status, two.requirements) == ("not_assessed", ())
    assert dict(report.statuses)["pass"] == 1 and dict(report.statuses)["not_assessed"] == 1


def test_full_coverage_needs_an_applicable_equal_or_superset_mapping():
    from types import SimpleNamespace as NS
    framework = crosswalks.Framework(id="toy", title="Toy", version="1", publisher=None, url=None,
                                     controls=(crosswalks.Control("T.1", "One", None),), file="toy.yaml")
    for rel, status, expected in (("equal", "fail", True), ("superset", "pass", True), ("subset", "pass", False),
                                  ("equal", "not_applicable", False)):
        walk = crosswalks.Crosswalk(framework=framework, file="w.yaml",
                                    mappings=(crosswalks.Mapping("p", "R", "T.1", rel, "why"),))
        report = fw.build(walk, [NS(id="p", requirements=[NS(id="R", title="R", status=status)])])
        assert report.controls[0].full_coverage is expected, (rel, status)


def test_a_portfolio_refuses_framework(tmp_path):
    run = cli("check", CREDIT, SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--framework", "iso42001")
    assert run.exit_code == 2
    assert "--framework reports one project's result" in run.stderr


@pytest.mark.parametrize("fid", ["iso42001", "nist-ai-rmf"])
def test_every_rollup_agrees_with_the_requirement_summaries(fid):
    """Whatever the packs decide: each mapped requirement's status is its status in `summary`, each
    control's status is the roll-up of those, and every entry of the crosswalk whose requirement the
    result has appears under its control."""
    for project in (CREDIT, SAMPLES / "invoice-late-payment"):
        result = json.loads(cli("check", project, "--as-of", AS_OF, "--framework", fid, "--format", "json").stdout)
        summary = {(p["id"], r["id"]): r["status"] for p in result["summary"]["packs"] for r in p["requirements"]}
        report = result["frameworks"][0]
        shown = set()
        for control in report["controls"]:
            for r in control["requirements"]:
                assert r["status"] == summary[(r["pack"], r["requirement"])]
                shown.add((r["pack"], r["requirement"], control["id"]))
            assert control["status"] == fw.control_status(r["status"] for r in control["requirements"])
        expected = {(m.pack, m.requirement, m.control) for m in crosswalks.load(fid, _known()).mappings
                    if (m.pack, m.requirement) in summary}
        assert shown == expected
        assert sum(report["statuses"].values()) == len(report["controls"])
