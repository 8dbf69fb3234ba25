"""Plug-ins through entry points, without a venv: ``importlib.metadata.entry_points`` is replaced
by a fake listing fake distributions, so each contract and error path can be driven directly.
(tests/test_plugins_venv.py installs a real plug-in distribution.)"""
from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
import yaml
from helpers import AS_OF, SAMPLES, cli, write_project

from mlcompliance import plugins
from mlcompliance.policy import checks
from mlcompliance.policy.checks import NamedCheck, Violation, named_check, resolve
from mlcompliance.render import RENDERERS


class FakeDist:
    def __init__(self, name: str, version: str) -> None:
        self.name, self.version = name, version


class FakeEntryPoint:
    """What importlib.metadata gives: name, value, dist and load(); counts the loads."""

    def __init__(self, group: str, name: str, obj: object, dist: str = "acme-plugins", version: str = "1.2.0") -> None:
        self.group, self.name, self.value = group, name, f"acme_plugins:{name.replace('-', '_')}"
        self.dist = FakeDist(dist, version)
        self.obj = obj
        self.loads = 0

    def load(self) -> object:
        self.loads += 1
        if isinstance(self.obj, BaseException):
            raise self.obj
        return self.obj


class Installed:
    def __init__(self) -> None:
        self.entry_points: list[FakeEntryPoint] = []
        self.scans: list[str] = []

    def add(self, group: str, name: str, obj: object, **dist: str) -> FakeEntryPoint:
        ep = FakeEntryPoint(group, name, obj, **dist)
        self.entry_points.append(ep)
        return ep

    def __call__(self, *, group: str) -> list[FakeEntryPoint]:
        self.scans.append(group)
        return [ep for ep in self.entry_points if ep.group == group]


@pytest.fixture
def installed(monkeypatch) -> Installed:
    fake = Installed()
    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    monkeypatch.setattr(checks, "_PLUGINS", {})
    return fake


@named_check("min_words", {"required": ["min"], "properties": {
    "field": {"type": "string", "minLength": 1}, "min": {"type": "integer", "minimum": 1}}})
def min_words(ctx, target, p):
    """The text has at least `min` words."""
    pointer, value = resolve(ctx, target, p["field"]) if "field" in p else (target.pointer, target.value)
    if not isinstance(value, str) or len(value.split()) < p["min"]:
        yield Violation(pointer, value, f"fewer than {p['min']} words")


def make_pack(base: Path, pid: str = "acme", version: str = "1.0.0", check: str = "min_words",
              params: dict | None = None) -> Path:
    directory = base / pid / version
    (directory / "rules").mkdir(parents=True)
    manifest = {"id": pid, "version": version, "title": "Acme documentation", "engine": ">=0.1",
                "source": {"name": "Acme standard", "version": "2026"},
                "requirements": [{"id": "ACME-1", "title": "Limitations are explained", "clause": "s. 1"}]}
    rule = {"id": f"{pid.upper()}-LIMITS", "requirement": "ACME-1", "title": "Limitations are explained",
            "severity": "low", "references": [{"regulation": "Acme", "clause": "s. 1"}],
            "scope": "/model_card/limitations/*",
            "assert": {"check": check, "with": {"min": 4} if params is None else params},
            "message": "Too terse: {$detail}", "remediation": "Explain it."}
    (directory / "pack.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    (directory / "rules" / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}, sort_keys=False))
    return directory


def project(tmp_path: Path, packs: dict | None = None) -> Path:
    card = {"model_details": {"name": "m", "version": "1.0.0"}, "risk": {"tier": "minimal"},
            "limitations": ["Not calibrated for small customers.", "Euro only."]}
    return write_project(tmp_path / "p", {"model_card.yaml": card,
                                          "mlcompliance.yaml": {"packs": packs or {"acme": "*"}}})


def check_json(*args):
    result = cli("check", *args, "--as-of", AS_OF, "--format", "json")
    return result, (json.loads(result.stdout) if result.stdout.startswith("{") else None)


def outcomes(data, rule_id):
    return [f["outcome"] for f in data["findings"] if f["rule_id"] == rule_id]


# --- laziness -------------------------------------------------------------------------------

def test_a_check_with_built_in_checks_formats_and_packs_never_reads_plugin_metadata(installed):
    installed.add(plugins.CHECKS, "min_words", AssertionError("must not be imported"))
    result = cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "sarif")
    assert result.exit_code == 0, result.stderr
    assert installed.scans == []


# --- named checks ---------------------------------------------------------------------------

def test_plugin_check_is_imported_only_when_a_rule_names_it(installed, tmp_path):
    ep = installed.add(plugins.CHECKS, "min_words", min_words)
    other = installed.add(plugins.CHECKS, "unused", AssertionError("must not be imported"))
    make_pack(tmp_path / "packs")
    result, data = check_json(project(tmp_path), "--policy-path", tmp_path / "packs")
    assert result.exit_code == 0, result.stderr
    assert outcomes(data, "ACME-LIMITS") == ["pass", "fail"]
    failing = next(f for f in data["findings"] if f["outcome"] == "fail")
    lines = (tmp_path / "p" / "model_card.yaml").read_text().splitlines()
    assert failing["message"] == "Too terse: fewer than 4 words"
    assert lines[failing["location"]["line"] - 1] == "- Euro only."
    assert ep.loads == 1 and other.loads == 0
    assert installed.scans == [plugins.CHECKS]


def test_plugin_check_parameters_are_validated_at_pack_load(installed, tmp_path):
    installed.add(plugins.CHECKS, "min_words", min_words)
    make_pack(tmp_path / "packs", params={"min": "four"})
    result = cli("check", project(tmp_path), "--as-of", AS_OF, "--policy-path", tmp_path / "packs")
    assert result.exit_code == 2
    assert "r.yaml:" in result.stderr and "parameters of check 'min_words' (plug-in from acme-plugins 1.2.0)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("obj, message", [
    (ModuleNotFoundError("No module named 'acme_plugins'"),
     "failed to import: ModuleNotFoundError: No module named 'acme_plugins'"),
    (RuntimeError("boom at import"), "failed to import: RuntimeError: boom at import"),
    (min_words.function, "is a function, not a named check (make it with mlcompliance.policy.checks.named_check)"),
    (NamedCheck("min_words", min_words.function, {"type": "object", "properties": {"min": {"type": "integr"}}}, ""),
     "invalid parameter schema at properties/min/type"),
    (NamedCheck("min_words", min_words.function, {"properties": {}}, ""),
     "the parameter schema must be a JSON Schema of type object"),
    (NamedCheck("min_words", "not a function", min_words.params, ""), "the check's function is not callable"),
    (named_check("word_count", {})(min_words.function),
     "declares the check name 'word_count'; the entry point must have the same name"),
])
def test_broken_plugin_check_is_a_pack_error_naming_file_line_check_and_distribution(installed, tmp_path, obj, message):
    installed.add(plugins.CHECKS, "min_words", obj)
    packs = tmp_path / "packs"
    make_pack(packs)
    result = cli("check", project(tmp_path), "--as-of", AS_OF, "--policy-path", packs)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    rules = packs / "acme" / "1.0.0" / "rules" / "r.yaml"
    check_line = next(i for i, text in enumerate(rules.read_text().splitlines(), 1) if "check: min_words" in text)
    assert f"{rules}:{check_line}:" in line
    assert "named check 'min_words'" in line and "acme-plugins 1.2.0" in line and message in line


def test_unknown_check_lists_built_in_and_installed_checks(installed, tmp_path):
    installed.add(plugins.CHECKS, "min_words", min_words)
    make_pack(tmp_path / "packs", check="min_wordz")
    result = cli("packs", "lint", tmp_path / "packs")
    assert result.exit_code == 1
    assert "unknown named check 'min_wordz'" in result.stdout
    assert "or an installed plug-in check (min_words)" in result.stdout


def test_unknown_check_says_when_no_plugin_is_installed(installed, tmp_path):
    make_pack(tmp_path / "packs", check="min_words")
    result = cli("packs", "lint", tmp_path / "packs")
    assert "unknown named check 'min_words'" in result.stdout
    assert "none installed in mlcompliance.checks" in result.stdout


def test_lint_and_explain_know_plugin_checks(installed, tmp_path):
    installed.add(plugins.CHECKS, "min_words", min_words)
    make_pack(tmp_path / "packs")
    lint = cli("packs", "lint", tmp_path / "packs")
    assert "unknown named check" not in lint.stdout and "ACME" not in lint.stdout.split("no fixtures")[0]
    explained = cli("explain", "ACME-LIMITS", "--policy-path", tmp_path / "packs")
    assert explained.exit_code == 0
    assert "named check min_words (plug-in from acme-plugins 1.2.0) with {\"min\": 4}:" in explained.stdout
    assert "The text has at least `min` words." in explained.stdout


def test_plugin_cannot_shadow_a_built_in_check(installed, tmp_path):
    shadow = installed.add(plugins.CHECKS, "recent", named_check("recent", {})(lambda ctx, t, p: iter(())))
    make_pack(tmp_path / "packs", check="recent", params={"field": "when", "max_days": 30})
    _, data = check_json(project(tmp_path), "--policy-path", tmp_path / "packs")
    assert outcomes(data, "ACME-LIMITS") == ["fail", "fail"]   # the built-in ran: no `when` date
    assert shadow.loads == 0
    with pytest.raises(ValueError, match="a plug-in cannot replace a built-in check"):
        checks.check("recent", {})(lambda ctx, t, p: iter(()))
    listing = cli("plugins")
    assert "recent" in listing.stdout and "ignored: a built-in check has this name" in listing.stdout


def test_two_distributions_with_one_check_name_are_refused(installed, tmp_path):
    installed.add(plugins.CHECKS, "min_words", min_words)
    installed.add(plugins.CHECKS, "min_words", min_words, dist="other-plugins", version="0.3")
    make_pack(tmp_path / "packs")
    result = cli("check", project(tmp_path), "--as-of", AS_OF, "--policy-path", tmp_path / "packs")
    assert result.exit_code == 2
    assert "2 installed distributions provide 'min_words'" in result.stderr
    assert "acme-plugins 1.2.0" in result.stderr and "other-plugins 0.3" in result.stderr


def test_plugin_check_raising_while_checking_is_an_error_finding(installed, tmp_path):
    def explode(ctx, target, p):
        raise ZeroDivisionError("bad luck")
    installed.add(plugins.CHECKS, "min_words", named_check("min_words", {"properties": {"min": {}}})(explode))
    make_pack(tmp_path / "packs")
    _, data = check_json(project(tmp_path), "--policy-path", tmp_path / "packs")
    assert outcomes(data, "ACME-LIMITS") == ["error", "error"]


# --- renderers ------------------------------------------------------------------------------

def test_plugin_renderer_gets_the_json_result_and_render_rebuilds_it(installed, tmp_path):
    seen = []

    def render(result, **options):
        seen.append((result, options))
        result["findings"].clear()   # a plug-in cannot change what the caller holds
        return f"{result['project']['name']}: {result['gate']['verdict']}\n"
    installed.add(plugins.RENDERERS, "short", render)
    installed.add(plugins.RENDERERS, "unused", AssertionError("must not be imported"))
    sample = SAMPLES / "invoice-late-payment"
    out = cli("check", sample, "--as-of", AS_OF, "--format", "short")
    assert out.exit_code == 0 and out.stdout == "Invoice late-payment predictor: compliant\n"
    saved = tmp_path / "result.json"
    assert cli("check", sample, "--as-of", AS_OF, "--format", "json", "-o", saved).exit_code == 0
    assert seen[0][0]["result_version"] and seen[0][1] == {}
    rendered = cli("render", saved, "--format", "short")
    assert rendered.exit_code == 0 and rendered.stdout == out.stdout
    as_json = json.loads(saved.read_text())
    as_json_before = json.loads(saved.read_text())
    RENDERERS["short"](as_json)
    assert seen[-1][0] == {**as_json_before, "findings": []} and as_json == as_json_before


def test_unknown_format_is_a_usage_error_listing_built_in_and_installed(installed, tmp_path):
    installed.add(plugins.RENDERERS, "short", AssertionError("must not be imported"))
    result = cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "shrt")
    assert result.exit_code == 2
    assert "'shrt' is not a format: built in are text, json, md, html, sarif, junit, github, csv, requirements-csv, attestations-csv, oscal; " \
           "installed renderer plug-ins: short" in result.stderr
    installed.entry_points.clear()
    none = cli("render", tmp_path / "missing.json", "--format", "nope")
    assert none.exit_code == 2 and "installed renderer plug-ins: none" in none.stderr


@pytest.mark.parametrize("obj, message", [
    (ImportError("cannot import name 'render'"), "failed to import: ImportError: cannot import name 'render'"),
    ("not callable", "is a str, not a function render(result, **options) -> str"),
    (lambda result, **options: 1 / 0, "failed: ZeroDivisionError: division by zero"),
    (lambda result, **options: b"bytes", "returned a bytes, not text"),
])
def test_broken_renderer_is_one_line_naming_the_distribution(installed, obj, message):
    installed.add(plugins.RENDERERS, "short", obj)
    result = cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "short")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "entry point 'short'" in result.stderr and "acme-plugins 1.2.0" in result.stderr and message in result.stderr


def test_plugin_renderer_refuses_a_portfolio(installed):
    installed.add(plugins.RENDERERS, "short", lambda result, **options: "x")
    result = cli("check", SAMPLES / "invoice-late-payment", SAMPLES / "support-chatbot", "--as-of", AS_OF,
                 "--format", "short", "--jobs", "1")
    assert result.exit_code == 2
    assert "format 'short' is a plug-in: plug-in formats render one project's result, not a portfolio" in result.stderr


def test_a_plugin_cannot_replace_a_built_in_format(installed):
    shadow = installed.add(plugins.RENDERERS, "json", lambda result, **options: "hijacked")
    result = cli("check", SAMPLES / "invoice-late-payment", "--as-of", AS_OF, "--format", "json")
    assert result.stdout.startswith("{") and shadow.loads == 0
    assert "ignored: a built-in format has this name" in cli("plugins").stdout


# --- packs ----------------------------------------------------------------------------------

def test_plugin_pack_imports_the_entry_point_named_after_it_first(installed, tmp_path):
    make_pack(tmp_path / "plugin")
    named = installed.add(plugins.PACKS, "acme", lambda: tmp_path / "plugin")
    other = installed.add(plugins.PACKS, "zeta", AssertionError("must not be imported"))
    installed.add(plugins.CHECKS, "min_words", min_words)
    result, data = check_json(project(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert outcomes(data, "ACME-LIMITS") == ["pass", "fail"]
    assert data["packs"][0]["origin"] == "entry-point"
    assert named.loads == 1 and other.loads == 0


def test_plugin_pack_under_another_entry_point_name_is_still_found(installed, tmp_path):
    make_pack(tmp_path / "plugin")
    bundle = installed.add(plugins.PACKS, "acme-bundle", tmp_path / "plugin")
    installed.add(plugins.CHECKS, "min_words", min_words)
    result, data = check_json(project(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert bundle.loads == 1 and outcomes(data, "ACME-LIMITS") == ["pass", "fail"]


def test_built_in_packs_are_preferred_unless_only_a_plugin_matches(installed, tmp_path):
    make_pack(tmp_path / "plugin", pid="gdpr", version="9.0.0")
    ep = installed.add(plugins.PACKS, "gdpr", lambda: tmp_path / "plugin")
    installed.add(plugins.CHECKS, "min_words", min_words)
    _, data = check_json(project(tmp_path, {"gdpr": "*"}))
    assert [p["origin"] for p in data["packs"]] == ["builtin"] and ep.loads == 0
    _, data = check_json(project(tmp_path / "second", {"gdpr": ">=9"}))
    assert [(p["version"], p["origin"]) for p in data["packs"]] == [("9.0.0", "entry-point")] and ep.loads == 1


@pytest.mark.parametrize("obj, message", [
    (ImportError("no acme"), "failed to import: ImportError: no acme"),
    (lambda: 1 / 0, "failed: ZeroDivisionError: division by zero"),
    ("/does/not/exist", "gives /does/not/exist, which is not a directory of policy packs"),
])
def test_broken_pack_plugin_is_an_input_error(installed, tmp_path, obj, message):
    installed.add(plugins.PACKS, "acme", obj)
    result = cli("check", project(tmp_path), "--as-of", AS_OF)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "entry point 'acme'" in result.stderr and "acme-plugins 1.2.0" in result.stderr and message in result.stderr


def test_packs_list_shows_plugin_packs(installed, tmp_path):
    make_pack(tmp_path / "plugin")
    installed.add(plugins.PACKS, "acme", lambda: tmp_path / "plugin")
    installed.add(plugins.CHECKS, "min_words", min_words)
    listing = cli("packs", "list")
    assert listing.exit_code == 0
    assert any(line.split()[:2] == ["acme", "1.0.0"] and "entry-point" in line for line in listing.stdout.splitlines())


# --- listing --------------------------------------------------------------------------------

def test_plugins_command_lists_each_group_without_importing(installed):
    eps = [installed.add(plugins.CHECKS, "min_words", AssertionError()),
           installed.add(plugins.RENDERERS, "short", AssertionError(), dist="acme-formats", version="0.2"),
           installed.add(plugins.PACKS, "acme", AssertionError())]
    result = cli("plugins")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["GROUP", "NAME", "DISTRIBUTION", "VERSION", "OBJECT", "NOTE"]
    assert rows[1:] == [["mlcompliance.checks", "min_words", "acme-plugins", "1.2.0", "acme_plugins:min_words"],
                        ["mlcompliance.renderers", "short", "acme-formats", "0.2", "acme_plugins:short"],
                        ["mlcompliance.packs", "acme", "acme-plugins", "1.2.0", "acme_plugins:acme"]]
    as_json = json.loads(cli("plugins", "--format", "json").stdout)
    assert [p["name"] for p in as_json["plugins"]] == ["min_words", "short", "acme"]
    assert all(ep.loads == 0 for ep in eps)


def test_plugins_command_with_nothing_installed(installed):
    result = cli("plugins")
    assert result.exit_code == 0
    assert result.stdout == ("no plug-ins installed (entry point groups: mlcompliance.checks, "
                             "mlcompliance.renderers, mlcompliance.packs)\n")


def test_docs_show_the_example_plugin_as_it_is():
    """docs/packs.md quotes the example distribution; the quotes must not drift from the files."""
    import re

    from helpers import ROOT
    example = ROOT / "tests" / "data" / "plugin_example"
    doc = (ROOT / "docs" / "packs.md").read_text(encoding="utf-8")
    quoted = {m.group(2): m.group(3) for m in re.finditer(r"```(python|yaml)\n# (mlcompliance_example/\S+)\n(.*?)```",
                                                           doc, re.S)}
    assert set(quoted) == {"mlcompliance_example/checks.py", "mlcompliance_example/render.py",
                           "mlcompliance_example/packs/example-docs/1.0.0/rules/docs.yaml"}
    for path, text in quoted.items():
        assert text in (example / path).read_text(encoding="utf-8"), path
    toml = (example / "pyproject.toml").read_text(encoding="utf-8")
    for line in re.findall(r'^\w[\w-]* = "mlcompliance_example[^"]*"', doc, re.M):
        assert line in toml


def test_format_completion_offers_built_in_and_installed_formats(installed):
    from click.shell_completion import ShellComplete

    from mlcompliance.cli import main
    installed.add(plugins.RENDERERS, "jsonl-lite", AssertionError("must not be imported"))
    completions = ShellComplete(main, {}, "mlcompliance", "_X").get_completions(["check", "--format"], "js")
    assert [c.value for c in completions] == ["json", "jsonl-lite"]
