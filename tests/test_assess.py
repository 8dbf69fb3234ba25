"""`mlcompliance assess`: questionnaire, template round trip, scoring, over-claims, recommendations, errors, outputs."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import SAMPLES, tree_digest

from mlcompliance.cli.assess_cmd import assess as assess_command
from mlcompliance.scoring.assess import (
    Answers,
    assess,
    dimension_stage,
    load_answers,
    load_questionnaire,
    recommend,
    template,
)

AS_OF = "2026-11-01"
LEADERS = SAMPLES / "assess" / "leadership-answers.yaml"
SUPPORT = SAMPLES / "support-email-router"
INVOICE = SAMPLES / "invoice-late-payment"
Q = load_questionnaire()


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(assess_command, [str(a) for a in args], input=input, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def answers_at(stages: dict[str, int]) -> Answers:
    """Answers choosing, for each question id, the option of the given stage."""
    return Answers({}, {qid: Q.question(qid).at_stage(s).id for qid, s in stages.items()})


# --- the questionnaire --------------------------------------------------------------------------

def test_questionnaire_covers_six_dimensions_three_stages_seven_principles():
    assert [d["id"] for d in Q.dimensions] == ["data", "model_training", "deployment", "investment_and_change",
                                               "control_and_governance", "innovation_and_future"]
    per_dimension = Counter(q.dimension for q in Q.questions)
    assert set(per_dimension) == {d["id"] for d in Q.dimensions}
    assert all(3 <= n <= 5 for n in per_dimension.values())
    for q in Q.questions:
        assert sorted(o.stage for o in q.options) == [1, 2, 3]
    probed = {q.principle for q in Q.questions if q.principle}
    assert probed == {p["id"] for p in Q.principles} and len(probed) == 7


@pytest.mark.parametrize("stages, expected", [
    ([1, 2, 3, 3], 2), ([2, 3, 3], 3), ([1, 3], 1), ([3], 3), ([1, 1, 3, 3, 3], 3), ([2, 1, 1, 3], 1), ([], None),
])
def test_dimension_stage_is_the_lower_median(stages, expected):
    assert dimension_stage(stages) == expected


# --- template round trip ------------------------------------------------------------------------

def test_template_round_trip(tmp_path):
    out = tmp_path / "answers.yaml"
    result = run("--template", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    blank = load_answers(out, Q)
    assert blank.choices == {q.id: None for q in Q.questions}
    assert set(blank.about) == {"organisation", "respondent", "role", "date"}
    text = out.read_text(encoding="utf-8")
    for q in Q.questions:                       # every question and option is in the template
        assert f"  {q.id}:\n" in text
    filled = text.replace("  data-validation:\n", "  data-validation: b\n").replace(
        "  funding:\n", "  funding: c\n").replace('  organisation: ""', '  organisation: "Acme: ML & data"')
    write(out, filled)
    answers = load_answers(out, Q)
    assert answers.choices["data-validation"] == "b" and answers.choices["funding"] == "c"
    assert answers.about["organisation"] == "Acme: ML & data"
    # writing the answers back gives the same answers
    again = write(tmp_path / "again.yaml", template(Q, answers))
    assert load_answers(again, Q).choices == answers.choices
    assert load_answers(again, Q).about == answers.about


def test_sample_answers_file_round_trips():
    answers = load_answers(LEADERS, Q)
    assert answers.choices["data-validation"] == "c" and answers.choices["learning-loop"] is None
    assert answers.about["organisation"].startswith("Northwind")


# --- scoring ------------------------------------------------------------------------------------

def test_scoring_an_answers_file_by_hand(tmp_path):
    path = write(tmp_path / "a.yaml", """
answers:
  data-validation: a      # 1
  data-versioning: b      # 2
  data-preparation: c     # 3
  data-policy: c          # 3   -> data: lower median of 1,2,3,3 = 2
  training-automation: b  # 2
  model-validation: b     # 2   -> model_training: 2 (3 of 5 unanswered)
  release-process: c      # 3   -> deployment: 3
  funding: a              # 1
  skills-and-roles: c     # 3   -> investment_and_change: lower median of 1,3 = 1
""")
    result = run("--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    stages = {d["id"]: d["claimed_stage"] for d in data["dimensions"]}
    assert stages == {"data": 2, "model_training": 2, "deployment": 3, "investment_and_change": 1,
                      "control_and_governance": None, "innovation_and_future": None}
    assert data["overall"]["claimed_stage"] == 1           # the weakest assessed dimension
    data_dim = data["dimensions"][0]
    assert data_dim["lowest_answer"] == 1 and data_dim["answered"] == 4 and data_dim["questions"] == 4
    principles = {p["id"]: p["claimed"] for p in data["principles"]}
    assert principles["validation"] == "not_met"           # data-validation a (1), model-validation b (2)
    assert principles["versioning"] == "partial" and principles["automated_cd"] == "met"
    assert principles["automated_ci"] is None              # training-tests unanswered
    assert data["project"] is None and data["over_claims"] == []
    assert len(data["unanswered"]) == 25 - 9
    assert data["as_of"] == date.today().isoformat()          # no --as-of: today


def test_over_claims_flagged_against_the_support_router():
    result = run("--answers", LEADERS, "--project", SUPPORT, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {d["id"]: (d["claimed_stage"], d["evidenced_stage"], d["over_claim"]) for d in data["dimensions"]}
    assert rows == {"data": (3, 2, True), "model_training": (2, 1, True), "deployment": (2, 1, True),
                    "investment_and_change": (2, None, False), "control_and_governance": (2, 1, True),
                    "innovation_and_future": (2, None, False)}
    assert data["over_claims"] == ["data", "model_training", "deployment", "control_and_governance"]
    assert data["overall"] == {"claimed_stage": 2, "claimed_label": "Automated validation and continuous training",
                               "evidenced_stage": 1, "evidenced_label": "Manual", "over_claim": True}
    assert set(data["over_claimed_principles"]) == {"automated_ci", "versioning", "validation"}
    assert data["project"]["stage"] == 1 and data["project"]["google_level"] == 0
    assert data["project"]["ml_test_score"]["final"] == 1.0
    recs = data["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3]
    assert [(r["kind"], r["dimension"]) for r in recs] == [
        ("over_claim", "data"), ("over_claim", "model_training"), ("over_claim", "deployment")]
    assert "CI runs data tests and ran recently" in recs[0]["action"]   # what Stage 3 data evidence needs


def test_the_same_claims_hold_against_the_invoice_project():
    result = run("--answers", LEADERS, "--project", INVOICE, "--as-of", AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    assert data["over_claims"] == [] and data["overall"]["over_claim"] is False
    assert {d["id"]: d["evidenced_stage"] for d in data["dimensions"]}["data"] == 3
    assert all(r["kind"] == "next_stage" for r in data["recommendations"])


def test_recommendations_rank_prerequisites_and_spread_over_dimensions():
    stages = {q.id: 3 for q in Q.questions}
    stages |= {"serving-tests": 1,          # deployment, Stage 1 answer, not a prerequisite
               "funding": 1,                # investment, Stage 1 answer, not a prerequisite
               "model-validation": 1,       # model training, Stage 1 answer probing validation: Stage 2 prerequisite
               "training-automation": 1,    # same dimension: only one step per dimension while others remain
               "release-process": 2}        # deployment, Stage 2 answer probing CD
    result = assess(Q, answers_at(stages), date(2026, 11, 1))
    recs = result["recommendations"]
    assert [(r["dimension"], r["question"]) for r in recs] == [
        ("model_training", "training-automation"), ("deployment", "serving-tests"),
        ("investment_and_change", "funding")]
    assert recs[0]["why"] == "answered at Stage 1; a prerequisite of Stage 2 in the playbook"
    assert recs[0]["action"].startswith("Retraining: A training pipeline retrains automatically")
    assert (recs[0]["from_stage"], recs[0]["to_stage"]) == (1, 2)


def test_fewer_dimensions_than_steps_fills_in_rank_order():
    stages = {q.id: 3 for q in Q.questions} | {"data-validation": 1, "data-policy": 2, "data-preparation": 1}
    recs = assess(Q, answers_at(stages), date(2026, 11, 1))["recommendations"]
    assert [r["question"] for r in recs] == ["data-validation", "data-preparation", "data-policy"]


def test_all_at_stage_3_without_project_needs_no_step():
    result = assess(Q, answers_at({q.id: 3 for q in Q.questions}), date(2026, 11, 1))
    assert result["recommendations"] == [] and result["overall"]["claimed_stage"] == 3
    assert recommend(Q, result["dimensions"]) == []


# --- bad answers: exit 2 with file:line ---------------------------------------------------------

@pytest.mark.parametrize("text, line, message", [
    ("answers:\n  data-validation: b\n  data-versionin: c\n", 3, "unknown question id 'data-versionin' "
                                                                "(expected: did you mean 'data-versioning'?)"),
    ("answers:\n  data-validation: b\n  data-versioning: z\n", 3, "invalid answer 'z' to 'data-versioning'"),
    ("answers:\n  data-validation: 2\n", 2, "invalid answer 2 to 'data-validation'"),
    ("answers:\n  data-validation: [b\n", 3, "invalid YAML"),
    ("answers:\n  data-validation: b\n  data-validation: c\n", 3, "duplicate key 'data-validation'"),
    ("answers: {}\nextra: 1\n", 2, "unknown key 'extra'"),
    ("questionnaire: other@2\nanswers: {}\n", 1, "answers are for questionnaire 'other@2'"),
    ("about:\n  org: [a, b]\n", 2, "'about.org' must be a single value"),
    ("- data-validation\n", 1, "an answers file must be a mapping"),
    ("answers: [b]\n", 1, "'answers' must be a mapping"),
])
def test_bad_answers_exit_2_with_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path / "bad.yaml", text)
    result = run("--answers", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"mlcompliance: error: {path}:{line}:")
    assert message in result.stderr


def test_missing_answers_file_and_bad_project_exit_2(tmp_path):
    result = run("--answers", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "file not found" in result.stderr
    result = run("--answers", LEADERS, "--project", SAMPLES / "broken-fraud-alerts")
    assert result.exit_code == 2 and "model_card.yaml:" in result.stderr


def test_usage_errors_exit_2():
    assert run("--template", "--answers", LEADERS).exit_code == 2
    assert run("--answers", LEADERS, "--save-answers", "x.yaml").exit_code == 2
    assert run("--answers", LEADERS, "--as-of", "2026-13-01").exit_code == 2


# --- outputs ------------------------------------------------------------------------------------

def test_json_output_is_deterministic_and_file_output_is_atomic(tmp_path):
    args = ("--answers", LEADERS, "--project", SUPPORT, "--as-of", AS_OF, "--format", "json")
    before = tree_digest(SUPPORT)
    first, second = run(*args).stdout, run(*args).stdout
    assert first == second and str(SUPPORT.resolve()) not in first
    out = tmp_path / "report.json"
    result = run(*args, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == first
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]    # no temporary file left behind
    assert tree_digest(SUPPORT) == before


def test_output_never_overwrites_the_answers_or_the_evidence(tmp_path):
    answers = write(tmp_path / "answers.yaml", LEADERS.read_text(encoding="utf-8"))
    result = run("--answers", answers, "-o", answers)
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert answers.read_text(encoding="utf-8") == LEADERS.read_text(encoding="utf-8")
    result = run("--answers", answers, "--project", SUPPORT, "-o", SUPPORT / "model_card.yaml")
    assert result.exit_code == 2


def test_markdown_output_has_tables_and_escapes_inputs(tmp_path):
    text = LEADERS.read_text(encoding="utf-8").replace(
        'organisation: "Northwind Retail GmbH, Customer Experience"',
        'organisation: "Evil | <script>alert(1)</script> *bold*"')
    path = write(tmp_path / "a.yaml", text)
    result = run("--answers", path, "--project", SUPPORT, "--as-of", AS_OF, "--format", "md")
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("# MLOps leaders' self-assessment\n")
    assert "| Dimension | Claimed | Evidenced | Answers | Over-claim |" in md
    assert "| Data | Stage 3 | Stage 2 | 4/4 | **yes** |" in md
    assert "## Next steps" in md and "1. **Data** (over-claim)" in md
    assert "<script>" not in md and "Evil \\| &lt;script&gt;" in md and "\\*bold\\*" in md


def test_text_output_shows_claims_beside_evidence():
    result = run("--answers", LEADERS, "--project", SUPPORT, "--as-of", AS_OF)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("Data") and "Stage 3" in line and "Stage 2" in line and "OVER-CLAIM" in line
               for line in lines)
    assert any(line.startswith("Investment and change management") and "no evidence" in line for line in lines)
    assert "Project evidence: Support e-mail router: Stage 1 (Manual); Google level 0, Azure level 1" in result.stdout
    assert "Next steps" in result.stdout and "Unanswered: learning-loop" in result.stdout


def test_interactive_mode_prompts_and_saves_answers(tmp_path):
    saved = tmp_path / "saved.yaml"
    keys = "".join("b\n" if i % 2 else "c\n" for i in range(len(Q.questions)))
    result = run("--format", "json", "--save-answers", saved, input="x\n" + keys)   # "x" is refused, asked again
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)                       # prompts went to stderr, stdout is pure JSON
    assert data["unanswered"] == []
    assert "1. Validating new data" in result.stderr and "Error: 'x' is not one of" in result.stderr
    reloaded = load_answers(saved, Q)
    assert reloaded.choices["data-validation"] == "c" and reloaded.choices["data-versioning"] == "b"
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["questionnaire"] == "mlops-leaders@1.0"


def test_assessment_renders_as_a_self_contained_html_page(tmp_path):
    from click.testing import CliRunner
    from helpers import AS_OF, SAMPLES

    from mlcompliance.cli import main
    out = tmp_path / "assess.html"
    result = CliRunner().invoke(main, ["assess", "--answers", str(SAMPLES / "assess" / "leadership-answers.yaml"),
                                       "--project", str(SAMPLES / "support-email-router"), "--as-of", AS_OF,
                                       "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html
    assert "over-claim" in html and "The three most valuable next steps" in html
    assert "http://" not in html.replace("http://json", "") and "src=" not in html


def test_assess_html_names_the_project_and_warns_on_another_system(tmp_path):
    """The page says which project the claims were compared with, and warns when the answers'
    scope names another system (the sample answers are about the support e-mail router)."""
    from click.testing import CliRunner
    from helpers import AS_OF

    from mlcompliance.cli import main

    def page(project: Path, fmt: str = "html") -> str:
        out = tmp_path / f"{project.name}.{fmt}"
        result = CliRunner().invoke(main, ["assess", "--answers", str(LEADERS), "--project", str(project),
                                           "--as-of", AS_OF, "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        return out.read_text(encoding="utf-8")
    same = page(SUPPORT)
    assert "Project compared</dt><dd>Support e-mail router" in same
    assert "scope-warning" not in same
    other = page(SAMPLES / "credit-scoring")
    assert "Project compared</dt><dd>Unsecured personal loan application PD model (UPL-PD)" in other
    assert 'class="scope-warning' in other and "does not name the project compared" in other
    assert "does not name the project compared" in page(SAMPLES / "credit-scoring", "md")
    assert "does not name the project compared" in " ".join(page(SAMPLES / "credit-scoring", "text").split())
    data = json.loads(page(SAMPLES / "credit-scoring", "json"))
    assert data["scope_check"]["same_system"] is False and data["scope_check"]["key"] == "scope"
