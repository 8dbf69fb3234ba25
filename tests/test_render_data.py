"""The data section of the result (result/data.py) and its reports: JSON, Markdown, HTML.

The samples credit-scoring and xray-anomaly declare predictions files, so their results carry
fairness and metrics computed from data; a generated project carries planted drift whose values
are derived by hand; the 5 000-row people project of test_probe_data shows that no personal value
reaches the data section of any report. Values are asserted exactly as the probes rounded them.
"""
from __future__ import annotations

import html
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import AS_OF, INVOICE, SAMPLES, check_json, cli
from test_probe_data import MANIFEST, people_csv

from mlcompliance.render import RENDERERS
from mlcompliance.result import codec
from mlcompliance.result.data import from_observed


@pytest.fixture(scope="module")
def credit() -> dict[str, Any]:
    return check_json(SAMPLES / "credit-scoring")


@pytest.fixture(scope="module")
def xray() -> dict[str, Any]:
    return check_json(SAMPLES / "xray-anomaly")


def drift_project(root: Path) -> Path:
    """Training x = 0..999 and serving x = 300..1299 (a planted shift of 300); z and cat identical."""
    shutil.copytree(INVOICE, root)
    card = yaml.safe_load((root / "model_card.yaml").read_text(encoding="utf-8"))
    card["features"] = ["x", "z", "cat"]
    (root / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    (root / "data_manifest.yaml").write_text(
        'kind: data_manifest\nschema_version: "1.0"\ndatasets:\n'
        "  - {id: train, path: data/train.csv, format: csv, split: train, personal_data: false}\n"
        "  - {id: serving, path: data/serving.csv, format: csv, split: production, compare_to: train,"
        " personal_data: false}\n", encoding="utf-8")

    def rows(shift: int) -> str:
        return "x,z,cat\n" + "".join(f"{i + shift},{i % 7},{'ab'[i % 2]}\n" for i in range(1000))
    (root / "data" / "train.csv").write_text(rows(0), encoding="utf-8")
    (root / "data" / "serving.csv").write_text(rows(300), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return check_json(drift_project(tmp_path_factory.mktemp("drift") / "drift"))


def _typed(result: dict[str, Any]) -> Any:
    typed = codec.from_dict(result)
    assert codec.from_dict(codec.to_dict(typed)) == typed
    assert codec.to_dict(typed) == result
    return typed


def test_credit_scoring_data_section_in_json(credit):
    _typed(credit)
    data = credit["data"]
    ds = {d["id"]: d for d in data["datasets"]}
    pred = ds["upl-oot-predictions-5.0.0"]
    assert (pred["file"], pred["rows"], pred["size"], pred["duplicates"]) == (
        "data/upl_oot_sample_predictions_5.0.0.csv", 6000, 202997, 0)
    assert pred["sha256"] == "f92fd5805a8fb7457bc3b4c57274a0a12a768458ad60c1d233e345ca62a80a97"
    cols = {c["name"]: c for c in pred["columns"]}
    assert [c["name"] for c in pred["columns"]] == ["application_id", "age_band", "sex", "disability_indicator",
                                                    "default_12m", "pd_12m", "declined"]
    assert cols["pd_12m"] == {"name": "pd_12m", "dtype": "number", "missing": 0, "missing_share": 0.0,
                              "out_of_range": 0, "personal": [], "special_category": None}
    assert cols["sex"]["personal"] == [{"kind": "sex_gender", "by": "name", "share": None, "tested": None}]
    assert cols["disability_indicator"]["special_category"] == "health"
    assert pred["how"]["sampling"] == {"mode": "full", "n": 6000}
    f = data["fairness"]
    assert (f["dataset"], f["status"], f["n"], f["min_group_size"]) == ("upl-oot-predictions-5.0.0", "ok", 6000, 30)
    assert f["threshold"]["value"] == 0.8 and f["threshold"]["rule"] == "HLEG-R5-DISPARATE-IMPACT"
    assert f["threshold"]["pack"] == "eu-trustworthy-ai" and f["threshold"]["pack_version"] == "1.3.0"
    assert "US four-fifths rule" in f["threshold"]["context"] and "not EU law" in f["threshold"]["context"]
    assert [a["attribute"] for a in f["attributes"]] == ["age_band", "disability_indicator", "sex"]
    sex = f["attributes"][2]
    assert sex["groups"] == [
        {"group": "F", "n": 2880, "selection_rate": 0.202777777778, "tpr": 0.642857142857, "fpr": 0.187275341481},
        {"group": "M", "n": 3120, "selection_rate": 0.213461538462, "tpr": 0.657407407407, "fpr": 0.197543160691}]
    assert sex["disparate_impact_ratio"] == 0.94994994995
    assert sex["selection_test"] == {"test": "chi2_contingency", "p_value": 0.308651524091, "statistic": 1.03643724696}
    assert sex["threshold_rate"] == float(f"{0.8 * 0.213461538462:.12g}") == 0.17076923077
    auc = data["metrics"]["metrics"][0]
    assert auc == {"name": "auc", "value": 0.817962002875, "lower": 0.788434150618, "upper": 0.845072463922,
                   "level": 0.95, "method": "bootstrap percentile (rows resampled)", "n_boot": 1000,
                   "seed": 20260101, "sample_rows": None}
    assert data["metrics"]["how"]["seed"] == 20260101 and data["metrics"]["how"]["how"] == "full"
    assert data["drift"] == []


def test_credit_scoring_markdown_and_html(credit):
    md = RENDERERS["md"](credit)
    assert ("- Fairness `sex` (2 groups): disparate-impact ratio 0.9499, demographic-parity difference 0.01068, "
            "equal-opportunity difference 0.01455, equalised-odds difference 0.01455; selection "
            "chi2\\_contingency p = 0.3087") in md
    assert ("- `upl-oot-predictions-5.0.0` (predictions): 6,000 rows, 7 columns, 202,997 bytes, sha256 "
            "`f92fd5805a8fb745`…, 0 duplicate rows; looks personal: `age_band` (age), `sex` (sex\\_gender); "
            "special categories: `disability_indicator` (health) (sampling: mode full, n 6,000)") in md
    assert ("- Metrics on `upl-oot-predictions-5.0.0` (n 6,000, 95% intervals, full, bootstrap seed 20260101): "
            "auc 0.818 [0.7884, 0.8451]") in md
    page = RENDERERS["html"](credit)
    section = page[page.index('<section id="data">'):]
    section = section[:section.index("</section>")]
    assert page.index('<section id="findings"') < page.index('<section id="data">') < page.index('<section id="inventory"')
    assert '<li><a href="#data">Data</a></li>' in page
    # bars: the rate x 420 px, the threshold line at 0.8 x the highest rate
    assert ('data-group="M" data-kind="sel" data-value="0.2135" x="150" y="56" width="89.7"') in section
    assert ('data-group="F" data-kind="tpr" data-value="0.6429"') in section
    assert f'x1="{150 + round(0.17076923077 * 420, 1)}"' in section
    assert "0.8 x highest rate (HLEG-R5-DISPARATE-IMPACT): 0.1708" in section
    assert "Legal context: Pack policy, not EU law" in section
    assert "<td>health</td>" in section
    assert ("<tr><th scope=\"row\">auc</th><td class=\"num\">0.818</td><td class=\"num\">[0.7884, 0.8451]</td>"
            "<td class=\"num\">95%</td><td class=\"muted\">bootstrap percentile (rows resampled); n_boot 1000; "
            "seed 20260101</td></tr>") in section
    assert "<caption>Groups of <code>sex</code></caption>" in section


def test_xray_anomaly_fairness_and_metrics(xray):
    _typed(xray)
    f = xray["data"]["fairness"]
    age = f["attributes"][0]
    assert age["attribute"] == "age_band" and [g["group"] for g in age["groups"]] == ["18-39", "40-64", "65+"]
    assert age["selection_test"]["p_value"] == 0.020853923685
    assert age["disparate_impact_ratio"] == 0.905222719783
    assert age["threshold_rate"] == 0.405151515151
    assert [m["name"] for m in xray["data"]["metrics"]["metrics"]] == ["auc", "gini", "ks", "brier", "accuracy", "f1"]
    assert xray["data"]["metrics"]["metrics"][0]["value"] == 0.940714554055
    acc = xray["data"]["metrics"]["metrics"][4]
    assert (acc["method"], acc["n_boot"], acc["seed"]) == ("Wilson score interval", None, None)
    md = RENDERERS["md"](xray)
    assert ("- Fairness `age_band` (3 groups): disparate-impact ratio 0.9052, demographic-parity difference 0.048, "
            "equal-opportunity difference 0.02364, equalised-odds difference 0.02364; selection chi2\\_contingency "
            "p = 0.02085") in md
    page = RENDERERS["html"](xray)
    assert 'data-group="65+" data-kind="sel" data-value="0.5064"' in page
    assert "threshold 0.4052</title>" in page


def test_planted_drift_sorted_by_psi_with_exact_values(drifted):
    from scipy import stats
    _typed(drifted)
    [c] = drifted["data"]["drift"]
    assert (c["dataset"], c["compare_to"], c["status"], c["n_reference"], c["n_current"]) == (
        "serving", "train", "ok", 1000, 1000)
    assert [x["feature"] for x in c["features"]] == ["x", "cat", "z"]      # by PSI, ties by name
    x = c["features"][0]
    # reference deciles 99.9, 199.8, ...: the shifted sample leaves 3 bins empty (floored at 1e-4), 4 x in the last
    psi = 3 * (1e-4 - 0.1) * math.log(1e-4 / 0.1) + (0.4 - 0.1) * math.log(4)
    assert x["psi"] == pytest.approx(psi, rel=1e-11) and x["psi"] == 2.48614256545
    p = stats.ks_2samp(range(1000), range(300, 1300)).pvalue
    assert (x["statistic"], x["wasserstein"], x["effect_name"], x["effect_size"]) == (0.3, 300.0, "ks_d", 0.3)
    assert x["p_value"] == float(f"{p:.12g}") and x["p_adjusted"] == float(f"{3 * p:.12g}")
    assert c["features"][1]["kind"] == "categorical" and c["features"][1]["psi"] == 0.0
    assert drifted["data"]["drift_how"]["how"] == "full"
    assert drifted["data"]["fairness"] is None and drifted["data"]["metrics"] is None
    md = RENDERERS["md"](drifted)
    assert ("- Drift `serving` vs `train` (n 1,000 / 1,000, full), top by PSI: `x` PSI 2.486 (p adj. 1.27e-39), "
            "`cat` PSI 0 (p adj. 1), `z` PSI 0 (p adj. 1)") in md
    page = RENDERERS["html"](drifted)
    rows = re.findall(r'<tr><th scope="row"><code>(\w+)</code></th><td>(numeric|categorical)</td>', page)
    assert rows == [("x", "numeric"), ("cat", "categorical"), ("z", "numeric")]
    assert ('<td class="num">0.3</td><td class="num">4.232e-40</td><td class="num">1.27e-39</td>'
            '<td class="num">2.486</td><td class="num">300</td><td>ks d 0.3</td>') in page


def test_invoice_splits_and_no_data_key_without_probes():
    result = check_json(INVOICE)
    [s] = result["data"]["splits"]
    assert (s["first"], s["second"], s["rows_overlapping"]) == ("invoices-train", "invoices-test", 0)
    assert "Split overlap `invoices-train` → `invoices-test`: 0 of 80 rows (0)" in RENDERERS["md"](result)
    page = RENDERERS["html"](result)
    assert ('<tr><td><code>invoices-train</code></td><td><code>invoices-test</code></td><td class="num">0 of 80</td>'
            '<td class="num">0</td><td></td><td class="num"></td><td class="num"></td></tr>') in page
    assert " object at 0x" not in page
    bare = check_json(INVOICE, "--no-probes")
    assert "data" not in bare
    assert 'id="data"' not in RENDERERS["html"](bare) and "<summary>Data" not in RENDERERS["md"](bare)


def test_too_small_groups_are_counted_never_named():
    observed = {"probe": "data", "probe_version": "1", "datasets": {}, "splits": [], "outcomes": {
        "drift": {"how": "full", "comparisons": []},
        "fairness": {"dataset": "p", "status": "incomplete", "min_group_size": 30, "by_attribute": {"name": {
            "attribute": "name", "status": "insufficient", "min_group_size": 30, "missing": 0,
            "problem": "fewer than two groups with at least 30 rows (Zed Secret: 1, Ann Other: 40)",
            "groups": [{"group": "Ann Other", "n": 40, "selection_rate": 0.5, "too_small": False},
                       {"group": "Zed Secret", "n": 1, "selection_rate": 1.0, "too_small": True}]}}}}}
    facts = from_observed(observed)
    text = json.dumps(codec.data_to_dict(facts))
    assert "Zed Secret" not in text
    [a] = facts.fairness.attributes
    assert (a.too_small_groups, a.too_small_rows, [g.group for g in a.groups]) == (1, 1, ["Ann Other"])
    assert a.problem == "fewer than two groups with at least 30 rows: fairness cannot be judged"


@pytest.fixture(scope="module")
def people_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("people") / "people"
    shutil.copytree(INVOICE, root)
    (root / "data_manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "data" / "customers.csv").write_text(people_csv(), encoding="utf-8")
    return root


def test_no_personal_value_in_the_data_section(people_project):
    values = sorted({v for line in people_csv().splitlines()[1:] for v in line.split(",")[1:4]})
    assert len(values) > 5000
    result = check_json(people_project)
    data = result["data"]
    cols = {c["name"]: c for c in data["datasets"][0]["columns"]}
    assert cols["email"]["personal"] == [{"kind": "email", "by": "name", "share": None, "tested": None},
                                         {"kind": "email", "by": "content", "share": 1.0, "tested": 2000}]
    assert cols["income"]["missing"] == 139 and cols["age"]["out_of_range"] == 4083
    outputs = {"json": json.dumps(data, ensure_ascii=False), "md": RENDERERS["md"](result),
               "html": html.unescape(RENDERERS["html"](result))}
    for fmt, out in outputs.items():
        leaked = [v for v in values if v in out]
        assert not leaked, (fmt, leaked[:3])


def test_cli_check_md_has_the_data_summary(people_project):
    res = cli("check", people_project, "--as-of", AS_OF, "--format", "md")
    assert "<details><summary>Data (1 dataset(s) probed)</summary>" in res.stdout
    assert "- `customers` (train): 5,000 rows, 7 columns," in res.stdout


def test_hostile_names_in_the_data_section_stay_inert(credit):
    """Column, dataset and group names come from the user's files: escaped in HTML, inert in Markdown."""
    evil = '<script>window.__pwned=1</script>[x](https://evil.example) @team'
    result = json.loads(json.dumps(credit))
    ds = result["data"]["datasets"][0]
    ds["id"], ds["columns"][0]["name"] = evil, evil
    result["data"]["fairness"]["attributes"][2]["groups"][0]["group"] = evil
    result["data"]["fairness"]["attributes"][2]["attribute"] = evil
    _typed(result)
    page = RENDERERS["html"](result)
    assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    md = RENDERERS["md"](result)
    assert "<script>" not in md.replace("`<script>window.__pwned=1</script>[x](https://evil.example) @team`", "")
    assert f"`{evil}`" in md          # a code span: shown literally, never a link, tag or mention
