"""Issue 9's lender: a repository of real public files (a Hugging Face card pushed with the
default template, so full of `[More Information Needed]`; MLflow `MLmodel`; DVC `dvc.yaml`,
`dvc.lock`, `params.yaml`; a GitHub workflow) goes from nothing to a meaningful verdict with `init` + the answers + `check`, and no other hand-written YAML."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from helpers import cli

DATA = Path(__file__).parent / "data" / "adapters"
AS_OF = "2026-11-01"

CARD_DATA = {                      # the Hub metadata a team fills in when it pushes the model
    "license": "apache-2.0",
    "library_name": "sklearn",
    "tags": ["tabular-classification", "credit-scoring"],
    "model-index": [{"name": "loan-default-gbm", "results": [{
        "task": {"type": "tabular-classification"},
        "dataset": {"name": "applications", "type": "internal"},
        "metrics": [{"type": "roc_auc", "value": 0.81}, {"type": "accuracy", "value": 0.76}]}]}],
}
CARD_FIELDS = {                    # what the team wrote in the template; every other field stays a placeholder
    "model_id": "loan-default-gbm",
    "model_summary": "Predicts the probability that a consumer loan defaults within 12 months.",
    "developers": "Retail credit analytics",
    "direct_use": "Scores consumer loan applications for the credit officers.",
}
ANSWERS = """\
purpose: Decide consumer loan applications
affected_persons: [loan applicants]
risk_tier: high
risk_rationale: Creditworthiness of natural persons (AI Act Annex III 5(b))
ai_act_category: high_risk_annex_iii
ai_act_annex_iii_point: 5b
decision_automation: human_in_the_loop
decision_effect: legal
profiling: true
personal_data: true
lawful_basis: contract
jurisdictions: EU
dpia_required: true
packs: [gdpr, mlops-practices]
"""


def hub_card() -> str:
    """The README.md `huggingface_hub.ModelCard.from_template` writes from the default template."""
    import jinja2
    template = (DATA / "huggingface" / "hub-template" / "modelcard_template.md").read_text(encoding="utf-8")
    card_data = yaml.safe_dump(CARD_DATA, sort_keys=False).strip()
    return jinja2.Template(template).render(card_data=card_data, **CARD_FIELDS)


def build(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "README.md").write_text(hub_card(), encoding="utf-8")
    for name in ("dvc.yaml", "dvc.lock", "params.yaml"):
        shutil.copy(DATA / "dvc" / "example-get-started" / name, root / name)
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(DATA / "github-actions" / "example-get-started-cml.yaml", root / ".github" / "workflows" / "cml.yaml")
    (root / "model").mkdir()
    for name in ("MLmodel", "requirements.txt"):
        shutil.copy(DATA / "mlflow" / "sklearn-wine" / name, root / "model" / name)
    (root / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    return root


def test_from_nothing_to_a_verdict_with_init_answers_and_check(tmp_path):
    repo = build(tmp_path / "lender")
    before = {p.name for p in repo.iterdir()}
    drafted = cli("init", repo, "--answers", repo / "answers.yaml")
    assert drafted.exit_code == 0, drafted.output
    assert {p.name for p in repo.iterdir()} - before == {"model_card.yaml", "data_manifest.yaml", "pipeline.yaml",
                                                         "mlcompliance.yaml"}
    card = (repo / "model_card.yaml").read_text(encoding="utf-8")
    # drafted from the real files, each value with its source line
    assert "# from README.md:" in card and "(huggingface)" in card
    assert "# from model/MLmodel:" in card
    pipeline = (repo / "pipeline.yaml").read_text(encoding="utf-8")
    assert "# from dvc.yaml:" in pipeline and "# from .github/workflows/cml.yaml:" in pipeline

    # what the card left as [More Information Needed] is named as still to write, never drafted as a value
    assert "[More Information Needed]" not in card
    header = card.split("kind:", 1)[0]
    assert "/model_card/intended_use/out_of_scope (README.md)" in header

    checked = cli("check", repo, "--format", "json", "--as-of", AS_OF)
    assert checked.exit_code == 1, checked.stderr            # a verdict, not an input error
    result = json.loads(checked.stdout)
    assert result["risk"]["tier"] == "high" and result["gate"]["verdict"] == "non_compliant"
    inventory = {f["path"]: f for f in result["project"]["files"]}
    assert inventory["README.md"]["adapter"] == "huggingface" and len(inventory["README.md"]["sha256"]) == 64
    assert inventory["model/MLmodel"]["adapter"] == "mlflow" and inventory["dvc.lock"]["adapter"] == "dvc"
    failing = {f["rule_id"]: f for f in result["findings"] if f["outcome"] in ("fail", "error")}
    # the regulatory gaps a lender must close are named: no DPIA, no out-of-scope uses, no validation
    assert failing["GDPR-ART35-1-DPIA-APPROVED"]["location"]["file"] == "model_card.yaml"
    assert any(r.startswith("MLOPS-") for r in failing)
    # the real files agree with each other (card framework "sklearn" and MLflow's "sklearn 1.2.2")
    assert "MLOPS-EVIDENCE-SOURCES-AGREE" not in failing
    # and the MLflow signature is what the card's features were drafted from
    assert "MLOPS-07-FEATURES-IN-SIGNATURE" not in failing
