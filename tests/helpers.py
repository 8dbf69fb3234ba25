"""Plain helpers the tests import: run the real CLI in-process, build projects and packs on disk.

Fixtures (results, projects, pack-fixture reports) live in ``conftest.py``; this module holds only
functions and constants, importable as ``from helpers import ...`` (pytest puts ``tests/`` on the
import path because ``tests/conftest.py`` sits there and ``tests/`` is not a package).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from mlcompliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"
INVOICE = SAMPLES / "invoice-late-payment"
AS_OF = "2026-11-01"


def cli(*args: Any) -> Result:
    """Run `mlcompliance ARGS` in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_project(root: Path, files: dict[str, object]) -> Path:
    """Create a project: values that are dicts are dumped as YAML, strings/bytes written as is."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 and mtime of every file below root, to prove nothing was modified."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() + f":{p.stat().st_mtime_ns}"
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- a small third-party pack ------------------------------------------------------------------

OWNER_RULE = {
    "id": "ACME-OWNER", "requirement": "ACME-1", "title": "The model has an owner", "severity": "high",
    "tiers": {"limited": "medium", "high": "high"},
    "references": [{"regulation": "Acme", "clause": "s. 1", "url": "https://acme.example/s1"}],
    "scope": "/model_card", "assert": {"schema": {"required": ["governance"],
                                                  "properties": {"governance": {"required": ["owner"]}}}},
    "message": "No owner: {$detail}", "remediation": "Set governance.owner.",
}


def make_pack(base: Path, pid: str = "acme", version: str = "1.0.0", rules: list | None = None,
              requirements: list | None = None, conditions: dict | None = None, **meta) -> Path:
    """Write pack ``pid@version`` under ``base`` (default: one rule, OWNER_RULE, and one manual requirement)."""
    directory = base / pid / version
    (directory / "rules").mkdir(parents=True)
    manifest = {"id": pid, "version": version, "title": "Acme policy", "engine": ">=0.1",
                "source": {"name": "Acme standard", "version": "2026"},
                "requirements": requirements or [{"id": "ACME-1", "title": "Models have owners", "clause": "s. 1"},
                                                 {"id": "ACME-2", "title": "Board review", "clause": "s. 2", "manual": True}],
                **({"conditions": conditions} if conditions else {}), **meta}
    (directory / "pack.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    (directory / "rules" / "r.yaml").write_text(yaml.safe_dump({"rules": rules if rules is not None else [OWNER_RULE]},
                                                                sort_keys=False))
    return directory


# --- the failing and hostile projects of the renderer tests ------------------------------------

MARKER = "PWNED"
"""Every payload that would run script sets window.__pwned / calls alert() with this marker."""

PAYLOADS = [
    "<script>window.__pwned = 'script'; alert('PWNED')</script>",
    "<img src=x onerror=\"window.__pwned='img';alert('PWNED')\">",
    "<svg onload=\"window.__pwned='svg'\"><script>window.__pwned='svg-script'</script></svg>",
    "[click me](javascript:window.__pwned='md-link')",
    "<a href=\"javascript:window.__pwned='a'\">link</a>",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=\"data:text/html,<script>parent.__pwned='iframe'</script>\"></iframe>",
    "</td></tr></table><div onmouseover=\"window.__pwned='div'\">broken <b><i>nested</b></i>",
    "{{ 7*7 }} {% if true %}TEMPLATE{% endif %} {# comment #}",
    "<style>body{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>",
    "\"><script>window.__pwned='attr'</script><x y=\"",
    "::error file=evil.py,line=1::injected%0A::add-mask::x",
    "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/e\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='mxss'\">",
    "control \x01\x08 chars",
]


def check_json(project: Path, *extra: str) -> dict[str, Any]:
    """``check PROJECT --format json`` run now (not cached); the exit code must be 0 or 1."""
    res = cli("check", project, "--as-of", AS_OF, "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, doc: Any) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_failing_project(dest: Path) -> Path:
    """A copy of the invoice sample with failures, blocking findings and a waiver register.

    Broken evidence: missing owner, validator among the developers, unversioned dataset, failed CI,
    non-SemVer version, high tier; one applicable and one expired waiver.
    """
    root = dest / "failing-project"
    shutil.copytree(INVOICE, root)
    card = _load(root / "model_card.yaml")
    card["risk"]["tier"] = "high"
    card["model_details"]["version"] = "2.3"
    del card["governance"]["owner"]
    card["governance"]["developers"].append(card["governance"]["validator"])
    _dump(root / "model_card.yaml", card)
    manifest = _load(root / "data_manifest.yaml")
    del manifest["datasets"][1]["version"]
    _dump(root / "data_manifest.yaml", manifest)
    pipeline = _load(root / "pipeline.yaml")
    pipeline["ci"]["last_status"] = "failure"
    pipeline["ci"]["config_path"] = ".github/workflows/missing.yml"
    _dump(root / "pipeline.yaml", pipeline)
    (root / "waivers.yaml").write_text(
        "waivers:\n"
        "  - id: W-CI-RED\n"
        "    rule: MLOPS-01-CI-STATUS\n"
        "    justification: The red build is a flaky upstream mirror; tracked in **OPS-1234**.\n"
        "    approver: Head of Model Risk\n"
        "    created: 2026-10-01\n"
        "    expires: 2027-01-15\n"
        "  - id: W-OLD\n"
        "    rule: MLOPS-04-DATASET-VERSIONED\n"
        "    justification: Expired acceptance of an unversioned test set.\n"
        "    approver: Head of Model Risk\n"
        "    created: 2026-01-01\n"
        "    expires: 2026-06-30\n",
        encoding="utf-8")
    return root


def make_hostile_project(dest: Path, payloads: list[str] | None = None) -> Path:
    """The failing project with hostile payloads in every string that findings echo back.

    Payloads: script tags, event handlers, javascript:/data: URLs, SVG, broken/nested HTML,
    template syntax, workflow commands, XML-illegal control characters. ``payloads`` (default: all
    of PAYLOADS) are used in turn; pass one to put the same payload everywhere, so that no other
    payload can break the page around it.
    """
    payloads = payloads or PAYLOADS

    def payload(i: int) -> str:
        return payloads[i % len(payloads)]

    root = make_failing_project(dest)
    root = root.rename(dest / "hostile-project")
    n = iter(range(1000))
    cfg = _load(root / "mlcompliance.yaml")
    cfg["project"]["name"] = "Hostile " + payload(next(n)) + " " + payload(next(n))
    _dump(root / "mlcompliance.yaml", cfg)
    card = _load(root / "model_card.yaml")
    md = card["model_details"]
    md["name"] = payload(next(n))
    md["version"] = "2.3 " + payload(next(n))
    md["description"] = "\n\n".join(payloads)
    card["limitations"] = list(payloads)
    card["governance"]["validator"] = "Lena " + payload(next(n))
    card["governance"]["developers"] = ["Tom Okafor", card["governance"]["validator"]]
    card["validation"]["validator"] = card["governance"]["validator"]
    for i, metric in enumerate(card["performance"]["metrics"]):
        metric["name"] = f"auc {payload(next(n))}"
        metric["slice"] = f"slice {payload(next(n))}"
        metric["value"] = 0.1  # below threshold: fails, echoing name and slice
    for i, dataset in enumerate(card["datasets"]):
        dataset["id"] = f"ds{i}-{payload(next(n))}"
    card["datasets"].append(dict(card["datasets"][0], id="ds-" + payload(-1) + " " + payload(11)))
    card["attestations"][0]["statement"] = "Attested. " + payload(next(n)) + " " + payload(next(n))
    _dump(root / "model_card.yaml", card)
    manifest = _load(root / "data_manifest.yaml")
    for i, dataset in enumerate(manifest["datasets"]):
        dataset["name"] = payload(next(n))
    del manifest["datasets"][0]["version"]
    _dump(root / "data_manifest.yaml", manifest)
    pipeline = _load(root / "pipeline.yaml")
    pipeline["ci"]["config_path"] = "ci/" + payload(next(n)).replace("\x01", "").replace("\x08", "")
    pipeline["runs"][0]["git_commit"] = None
    del pipeline["runs"][0]["git_commit"]
    pipeline["environment"]["lockfile"] = "locks/" + payload(next(n)).replace("\x01", "")
    _dump(root / "pipeline.yaml", pipeline)
    waivers = (root / "waivers.yaml").read_text(encoding="utf-8")
    waivers = waivers.replace("The red build is a flaky upstream mirror; tracked in **OPS-1234**.",
                              json.dumps("Flaky mirror. " + payload(0) + " " + payload(3) + " " + payload(8)))
    (root / "waivers.yaml").write_text(waivers, encoding="utf-8")
    return root


# --- SARIF -------------------------------------------------------------------------------------

SARIF_SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@lru_cache(maxsize=1)
def _sarif_validator():
    import jsonschema
    schema = json.loads(SARIF_SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_sarif(doc: dict) -> None:
    """Assert that ``doc`` is valid SARIF 2.1.0 (the OASIS schema stored in tests/data)."""
    errors = sorted(_sarif_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


# --- portfolios (JSON Lines) -------------------------------------------------------------------

def read_portfolio(text: str) -> dict[str, Any]:
    """A portfolio's JSON Lines as one dict: the header's and the summary line's keys, plus
    ``entries`` (every project line) and ``projects`` (the checked ones: path and result)."""
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["kind"] == "portfolio" and lines[-1]["kind"] == "summary"
    assert all(line["kind"] == "project" for line in lines[1:-1])
    entries = lines[1:-1]
    return {**lines[0], **lines[-1], "entries": entries, "projects": [e for e in entries if "result" in e]}


def render_portfolio(portfolio: dict[str, Any], fmt: str) -> str:
    """``mlcompliance render`` of a portfolio saved at ``portfolio["file"]`` (the ``portfolio_result`` fixture)."""
    res = cli("render", portfolio["file"], "--format", fmt)
    assert res.exit_code == 0, res.output
    return res.stdout
