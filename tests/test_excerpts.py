"""Evidence excerpts (result.excerpts): the evidence lines around each problem finding, captured at
check time, shown in HTML and Markdown, escaped and inert; never from a data file."""
from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from helpers import AS_OF, cli

from mlcompliance.engine.findings import Finding
from mlcompliance.render import markdown as md_render
from mlcompliance.result import codec
from mlcompliance.result.excerpts import CLIPPED, CONTEXT, MAX_LINE_CHARS, MAX_LINES, capture, eligible, window

PROBLEMS = ("fail", "error", "warn")


def _check(project: Path, fmt: str = "json", *extra: str) -> str:
    out = cli("check", project, "--as-of", AS_OF, "--format", fmt, "--no-probes", *extra)
    assert out.exit_code in (0, 1), out.stderr
    return out.stdout


def test_each_problem_finding_in_an_evidence_file_has_its_lines(failing_result, failing_project):
    excerpts = failing_result["excerpts"]
    assert excerpts, "a failing project must carry excerpts"
    inventory = {f["path"]: f for f in failing_result["project"]["files"]}
    for e in excerpts:   # only evidence metadata files of the inventory, quoted exactly as they are
        f = inventory[e["file"]]
        assert eligible(f["kind"], f["format"], f.get("adapter"))
        real = (failing_project / e["file"]).read_text(encoding="utf-8").split("\n")
        assert e["lines"] == real[e["start"] - 1:e["end"]]
        assert e["end"] == e["start"] + len(e["lines"]) - 1
    # sorted, merged: no two excerpts of a file overlap or touch
    keys = [(e["file"], e["start"]) for e in excerpts]
    assert keys == sorted(keys)
    for a, b in zip(excerpts, excerpts[1:]):
        if a["file"] == b["file"]:
            assert b["start"] > a["end"] + 1
    typed = codec.from_dict(failing_result)
    quoted = 0
    for f in typed.findings:
        shown = window(typed.excerpts, f.file, f.line)
        if f.outcome in PROBLEMS and f.file in inventory and inventory[f.file]["sha256"] and f.file.endswith(".yaml"):
            assert shown is not None, f"{f.rule_id} at {f.file}:{f.line} has no excerpt"
            first, lines = shown
            assert first <= f.line <= first + len(lines) - 1
            assert first == max(1, f.line - CONTEXT)
            quoted += 1
    assert quoted >= 5
    assert not any(f["outcome"] == "pass" and False for f in failing_result["findings"])


def test_only_problem_findings_are_quoted(checks):
    """A compliant sample with only passing findings in its evidence gets no excerpts key at all:
    its JSON is byte-identical to before."""
    out = checks.result(Path(__file__).resolve().parent.parent / "sample_projects" / "xray-anomaly")
    problems = [f for f in out["findings"] if f["outcome"] in PROBLEMS]
    if not problems:
        assert "excerpts" not in out


def test_never_from_a_data_file():
    """Even a finding that points at a data file gets no excerpt: only eligible files are read."""
    assert not eligible("data", "csv", None)
    assert not eligible("model_card", "markdown", "huggingface")
    assert not eligible("data_manifest", "json", "croissant")   # Croissant may embed records
    assert eligible("model_card", "yaml", None) and eligible("pipeline", "yaml", "ci")
    f = _finding(file="data/train.csv", line=3)
    assert capture([f], {"model_card.yaml": "a: 1\n"}) == ()


def test_the_probed_sample_quotes_no_data(checks):
    """credit-scoring with its data probed: excerpts come from the YAML evidence only, and no
    excerpt line holds a row of its data files."""
    root = Path(__file__).resolve().parent.parent / "sample_projects" / "credit-scoring"
    out = cli("check", root, "--as-of", AS_OF, "--format", "json")
    assert out.exit_code == 1, out.stderr
    result = json.loads(out.stdout)
    files = {e["file"] for e in result["excerpts"]}
    assert files and all(f.endswith((".yaml", ".yml", ".json")) for f in files)
    rows = set()
    for p in root.rglob("*.csv*"):
        if p.suffix == ".csv":
            rows |= {line for line in p.read_text(encoding="utf-8").splitlines()[1:200] if len(line) > 8}
    assert not rows & {line.strip() for e in result["excerpts"] for line in e["lines"]}


def _finding(**kw) -> Finding:
    base = dict(rule_id="R-1", pack="p", pack_version="1.0.0", requirement="REQ", title="t", outcome="fail",
                severity="high", message="m", remediation="r", references=(), file="model_card.yaml", line=1,
                column=1, target="", pointer="")
    base.update(kw)
    return Finding(**base)


def test_capture_is_capped_clipped_and_deterministic():
    text = "\n".join(f"line{i}: " + ("x" * (300 if i == 5 else 3)) for i in range(1, 2001))
    findings = [_finding(line=i, rule_id=f"R-{i}") for i in range(1, 2001, 3)]
    one = capture(findings, {"model_card.yaml": text})
    assert one == capture(list(reversed(findings)), {"model_card.yaml": text})
    assert sum(len(e.lines) for e in one) <= MAX_LINES
    long = next(line for e in one for line in e.lines if line.startswith("line5:"))
    assert long.endswith(CLIPPED) and len(long) == MAX_LINE_CHARS + len(CLIPPED)
    # pass, manual, waived and not-applicable findings are never quoted
    assert capture([_finding(outcome=o) for o in ("pass", "manual", "waived", "not_applicable")],
                   {"model_card.yaml": text}) == ()
    # a line past the end of the file (the file changed?) is not quoted
    assert capture([_finding(line=5000)], {"model_card.yaml": text}) == ()


HOSTILE = ["<script>alert(1)</script>", "![x](https://evil.example/p.png)", "@octocat", "```", "~~~~",
           "</details>", "\u202egnp.exe", "````` </code></pre><img src=x onerror=alert(2)>"]


def _hostile_copy(sample_copy) -> Path:
    root = sample_copy("invoice-late-payment")
    card = root / "model_card.yaml"
    lines = card.read_text(encoding="utf-8").split("\n")
    i = next(n for n, line in enumerate(lines) if re.match(r"\s+version:", line))
    indent = re.match(r"\s*", lines[i]).group(0)
    lines[i] = f"{indent}version: \"2.3\""   # not SemVer: a failing finding at this line
    comments = [f"{indent}# {' '.join(HOSTILE[j:j + 2])}" for j in range(0, len(HOSTILE), 2)]
    lines[i:i] = comments[:2]   # all within CONTEXT lines of the failing line
    lines[i + 3:i + 3] = comments[2:]
    card.write_text("\n".join(lines), encoding="utf-8")
    return root


def test_html_shows_the_excerpt_escaped(sample_copy):
    root = _hostile_copy(sample_copy)
    html = _check(root, "html")
    assert 'class="excerpt"' in html
    body = html[html.index('class="excerpt"'):]
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in html
    assert "\u202e" not in html and "&lt;U+202E&gt;gnp.exe" in body
    assert re.search(r'<span class="hit"><span class="lno">\s*\d+</span>\s+version: &#34;2\.3&#34;', body) \
        or re.search(r'<span class="hit"><span class="lno">\s*\d+</span>\s+version: "2\.3"', body)


def test_markdown_fences_cannot_be_broken_out_of(sample_copy):
    root = _hostile_copy(sample_copy)
    text = _check(root, "md")
    assert "Evidence excerpts" in text
    section = text[text.index("Evidence excerpts"):]
    blocks = re.findall(r"^(`{3,})\n(.*?)\n\1$", section, flags=re.M | re.S)
    assert any("`````" in body for _, body in blocks)
    for mark, body in blocks:   # the fence is longer than any backtick run inside its block
        assert len(mark) > max((len(r) for r in re.findall(r"`+", body)), default=0)
    # rendered as GitHub would: everything quoted stays inside <pre><code>, nothing becomes live
    html = markdown.markdown(section, extensions=["fenced_code"])
    outside = re.sub(r"<pre><code>.*?</code></pre>", "", html, flags=re.S)
    assert "<img" not in outside and "<script" not in outside and "evil.example" not in outside
    assert "\u202e" not in text and "<U+202E>gnp.exe" in section


def test_markdown_fence_helper():
    assert md_render.fence(["a ``` b", "````"])[0] == "`````"
    assert md_render.fence(["plain"])[0] == "```"


def test_excerpts_round_trip_and_render_equals_check(failing_project, tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(_check(failing_project), encoding="utf-8")
    result = codec.read(saved)
    assert codec.dumps(result) == saved.read_text(encoding="utf-8")
    for fmt in ("html", "md"):
        again = cli("render", saved, "--format", fmt)
        assert again.exit_code == 0
        assert again.stdout == _check(failing_project, fmt)


@pytest.mark.parametrize("bad", [{"file": "x", "start": 0, "end": 0, "lines": ["a"]},
                                 {"file": "x", "start": 1, "end": 1, "lines": []}])
def test_schema_refuses_malformed_excerpts(failing_result, bad):
    from mlcompliance.errors import InputError
    failing_result["excerpts"] = [bad]
    with pytest.raises(InputError):
        codec.check(failing_result, "r.json")
