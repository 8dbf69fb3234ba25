"""The built-in packs: lint-clean, their fixtures pass with full rule coverage, and the docs are fresh.

The packs' fixtures are run once per session (the ``pack_reports`` fixture); every test here reads that run.
"""
from __future__ import annotations

import pytest
from helpers import ROOT, cli

from mlcompliance.policy.packs import discover, load_pack
from mlcompliance.tools import packtest

BUILTIN = sorted({s.id for s in discover() if s.origin == "builtin"})


def test_all_five_packs_are_built_in():
    assert {"gdpr", "gxp-alcoa", "pra-ss1-23", "eu-trustworthy-ai", "mlops-practices"} <= set(BUILTIN)


def test_every_builtin_pack_has_its_fixtures_run(pack_reports):
    assert sorted(pack_reports) == BUILTIN


@pytest.mark.parametrize("pack_id", BUILTIN)
def test_pack_fixtures_pass_with_full_coverage(pack_id, pack_reports):
    report = pack_reports[pack_id]
    assert not report.failures, "\n".join(map(str, report.failures[:10]))
    assert report.uncovered == [], f"rules without a passing and a failing fixture: {report.uncovered}"
    assert report.cases >= len(report.automated_rules)


@pytest.mark.parametrize("pack_id", BUILTIN)
def test_pack_lists_requirements_with_rules_or_manual(pack_id):
    pack = load_pack([s for s in discover() if s.id == pack_id][-1])
    checked = {r.requirement for r in pack.rules}
    for req in pack.requirements:
        assert req.manual != (req.id in checked), req.id
    for rule in pack.rules:
        assert rule.references and rule.remediation.strip() and rule.title.strip()


def test_packs_lint_and_test_commands_are_clean(pack_reports, monkeypatch):
    lint = cli("packs", "lint", ROOT / "policies")
    assert lint.exit_code == 0, lint.stdout
    run_pack_tests, asked = packtest.run_pack_tests, []

    def recorded(pack):
        """The session's run of a built-in pack's fixtures; any other pack's are run here."""
        asked.append(pack.id)
        report = pack_reports.get(pack.id)
        if report is None or (report.pack, report.version) != (pack.id, pack.version):
            return run_pack_tests(pack)
        return report
    monkeypatch.setattr(packtest, "run_pack_tests", recorded)   # `packs test` imports it when it runs
    result = cli("packs", "test")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("coverage 100.0%") == len(BUILTIN)
    assert sorted(asked) == BUILTIN


def test_generated_docs_are_up_to_date():
    result = cli("docs", "--root", ROOT, "--check")
    assert result.exit_code == 0, f"{result.stdout} -- run `mlcompliance docs` and commit docs/"


def test_a_changed_builtin_pack_is_validated_in_full(tmp_path, monkeypatch):
    """The validated.json shortcut applies only to the exact recorded content."""
    import shutil

    from mlcompliance import resources
    from mlcompliance.errors import InputError
    from mlcompliance.policy import packs as policy
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    monkeypatch.setattr(resources, "policies_dir", lambda: copy)
    policy._validated_record.cache_clear()
    rules = copy / "mlops-practices" / "1.0.0" / "rules" / "lineage.yaml"
    rules.write_text(rules.read_text().replace("severity: high", "severity: severe", 1))
    with pytest.raises(InputError, match="severe"):
        policy.compile_pack(copy / "mlops-practices" / "1.0.0", "builtin")
    policy._validated_record.cache_clear()


def test_trusted_and_fully_parsed_builtin_packs_are_identical():
    """Loading from policies/validated.json gives exactly what parsing the YAML gives."""
    from mlcompliance.policy.packs import compile_pack
    for src in [s for s in discover() if s.origin == "builtin"]:
        trusted = compile_pack(src.directory, "builtin", trust=True)
        parsed = compile_pack(src.directory, "builtin", trust=False)
        assert [(r.id, r.spec, r.source) for r in trusted.rules] == [(r.id, r.spec, r.source) for r in parsed.rules]
        assert trusted.requirements == parsed.requirements and trusted.digest == parsed.digest
