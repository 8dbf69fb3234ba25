"""GitHub Actions workflow commands: one line per annotation, escaped per GitHub's rules."""
from __future__ import annotations

import re

from helpers import render_portfolio

from mlcompliance.render import RENDERERS, github

LINE = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(value: str) -> str:
    return unescape_data(value.replace("%3A", ":").replace("%2C", ","))


def commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    assert text.endswith("\n")
    out = []
    for line in text[:-1].split("\n"):
        m = LINE.match(line)
        assert m, line
        props = {}
        if m.group(2):
            for part in m.group(2).split(","):
                key, _, value = part.partition("=")
                assert key in ("file", "line", "col", "endLine", "endColumn", "title"), part
                props[key] = unescape_property(value)
        out.append((m.group(1), props, unescape_data(m.group(3))))
    return out


def test_escaping_rules():
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github.escape_data("a:b,c") == "a:b,c"
    assert github.command("error", {"file": "x,y:z.yaml", "line": 3, "title": "T, 1"}, "m\nn") == \
        "::error file=x%2Cy%3Az.yaml,line=3,title=T%2C 1::m%0An"
    assert github.command("notice", {}, "hi") == "::notice::hi"


def test_compliant_sample_prints_only_a_notice(invoice_result):
    cmds = commands(RENDERERS["github"](invoice_result))
    assert [c[0] for c in cmds] == ["notice"]
    assert "COMPLIANT" in cmds[0][2] and "Score: 100.0%" in cmds[0][2]


def test_errors_for_blocking_and_warnings_for_other_problems(failing_result):
    cmds = commands(RENDERERS["github"](failing_result))
    blocking = set(failing_result["gate"]["blocking"])
    problems = [f for f in failing_result["findings"] if f["outcome"] in ("fail", "error", "warn")]
    kinds = [c[0] for c in cmds]
    assert kinds.count("error") == len(blocking) > 0
    assert kinds.count("warning") == len(problems) - len(blocking) > 0
    assert kinds[-1] == "notice" and kinds.count("notice") == 1
    assert kinds == sorted(kinds, key=["error", "warning", "notice"].index)
    annotated = [c for c in cmds if c[0] != "notice"]
    assert len(annotated) == len(problems)
    for kind, props, message in annotated:
        f = next(f for f in problems if f["rule_id"] in props["title"] and f["message"] in message
                 and props["file"] == f["location"]["file"] and props["line"] == str(f["location"]["line"]))
        assert (kind == "error") == (f["fingerprint"] in blocking)
        assert f["remediation"] in message
        assert f["severity"] in props["title"]


def test_hostile_content_cannot_start_a_command(hostile_result):
    text = RENDERERS["github"](hostile_result)
    cmds = commands(text)  # every line is exactly one well-formed command
    problems = [f for f in hostile_result["findings"] if f["outcome"] in ("fail", "error", "warn")]
    assert len(cmds) == len(problems) + 1
    assert not any(line.startswith("::add-mask") for line in text.splitlines())
    assert "\r" not in text
    # the payloads round-trip exactly through the escaping
    messages = "\n".join(c[2] for c in cmds)
    assert "::error file=evil.py,line=1::injected%0A::add-mask::x" in messages
    assert hostile_result["project"]["name"] in cmds[-1][2]


def test_only_safe_project_paths_prefix_files():
    """A portfolio prefixes annotation paths with each project's path only when it is relative and inside."""
    from mlcompliance.render.sarif import safe_prefix
    assert safe_prefix("models/invoice") == "models/invoice"
    for bad in ("/etc", "../outside", "C:/x", ".", ""):
        assert safe_prefix(bad) == ""


def test_portfolio_annotations_point_into_each_project(portfolio_result):
    cmds = commands(render_portfolio(portfolio_result, "github"))
    blocking = sum(len(e["result"]["gate"]["blocking"]) for e in portfolio_result["projects"])
    assert [c[0] for c in cmds].count("error") == blocking > 0
    assert all(p["file"].startswith("failing-project/") for k, p, _ in cmds if k != "notice")
    assert cmds[-1][0] == "notice" and "invoice: compliant" in cmds[-1][2]
