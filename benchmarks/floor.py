#!/usr/bin/env python3
"""The floor: the 20 bench rules hand-written in plain Python over the same project files.

    python floor.py [-q] PROJECT_DIR...

For each project directory it reads model_card.yaml, data_manifest.yaml and pipeline.yaml,
parses them with yaml.CSafeLoader (no schema validation, no line tracking, no findings), runs
the 20 rules, prints one line ``<dir>: BENCH-Rxx`` per violated rule and exits 1 when any
project violates a rule (0 otherwise), like the peer benchmark's CLI.

The semantics are exactly those of benchmarks/packs/bench20 (the peer's rules_py.py mapped to
our field names; see README.md); bench_check.py checks that the verdicts equal expected.json.
``check_project(dir) -> [rule ids]`` and ``check_bundle(bundle)`` are the in-process API.
"""
from __future__ import annotations

import re
import sys

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KINDS = ("model_card", "data_manifest", "pipeline")

RISK_TIERS = frozenset({"minimal", "limited", "high"})
GDPR_BASES = frozenset({"consent", "contract", "legal_obligation", "vital_interests",
                        "public_task", "legitimate_interests"})
APPROVAL_ROLES = frozenset({"owner", "validator", "legal", "privacy", "security"})

SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$").search
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$").search
SHA256 = re.compile(r"^[0-9a-f]{64}$").search
COMMIT = re.compile(r"^[0-9a-f]{40}$").search
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").search

_D: dict = {}
_L: list = []


def _num(x) -> bool:
    return type(x) is int or type(x) is float


def _obj(x) -> dict:
    return x if type(x) is dict else _D


def _arr(x) -> list:
    return x if type(x) is list else _L


def _nonempty_str(x) -> bool:
    return type(x) is str and x != ""


def _nonempty_list(x) -> bool:
    return type(x) is list and len(x) > 0


# Each rule takes (model_card, data_manifest, pipeline) and returns True when it holds.

def r01(mc, dm, pl):  # licence present
    return _nonempty_str(_obj(mc.get("model_details")).get("license"))


def r02(mc, dm, pl):  # risk tier in minimal/limited/high
    t = _obj(mc.get("risk")).get("tier")
    return type(t) is str and t in RISK_TIERS


def r03(mc, dm, pl):  # name present
    return _nonempty_str(_obj(mc.get("model_details")).get("name"))


def r04(mc, dm, pl):  # semver
    v = _obj(mc.get("model_details")).get("version")
    return type(v) is str and SEMVER(v) is not None


def r05(mc, dm, pl):  # owners non-empty
    return _nonempty_list(_obj(mc.get("model_details")).get("owners"))


def r06(mc, dm, pl):  # every owner has an e-mail contact
    for o in _arr(_obj(mc.get("model_details")).get("owners")):
        c = _obj(o).get("contact")
        if type(c) is not str or EMAIL(c) is None:
            return False
    return True


def r07(mc, dm, pl):  # datasets listed
    return _nonempty_list(dm.get("datasets"))


def r08(mc, dm, pl):  # every dataset has a sha256 of 64 lowercase hex
    for d in _arr(dm.get("datasets")):
        s = _obj(d).get("sha256")
        if type(s) is not str or SHA256(s) is None:
            return False
    return True


def r09(mc, dm, pl):  # personal data needs a GDPR lawful basis
    for d in _arr(dm.get("datasets")):
        d = _obj(d)
        if d.get("personal_data") is True and d.get("lawful_basis") not in GDPR_BASES:
            return False
    return True


def r10(mc, dm, pl):  # 0 <= retention.period_days <= 3650
    for d in _arr(dm.get("datasets")):
        r = _obj(_obj(d).get("retention")).get("period_days")
        if not _num(r) or r < 0 or r > 3650:
            return False
    return True


def r11(mc, dm, pl):  # every metric value >= its threshold (as the named check meets_threshold)
    for m in _arr(_obj(mc.get("performance")).get("metrics")):
        m = _obj(m)
        v, t = m.get("value"), m.get("threshold")
        if not _num(v):
            return False
        if _num(t) and v < t:          # no threshold: nothing to meet
            return False
    return True


def r12(mc, dm, pl):  # primary uses listed
    return _nonempty_list(_obj(mc.get("intended_use")).get("primary_uses"))


def r13(mc, dm, pl):  # out-of-scope uses listed
    return _nonempty_list(_obj(mc.get("intended_use")).get("out_of_scope"))


def r14(mc, dm, pl):  # high risk -> an oversight mechanism other than 'none'
    if _obj(mc.get("risk")).get("tier") != "high":
        return True
    m = _obj(mc.get("human_oversight")).get("mechanism")
    return _nonempty_str(m) and m != "none"


def r15(mc, dm, pl):  # high risk -> a validator approval
    if _obj(mc.get("risk")).get("tier") != "high":
        return True
    for a in _arr(mc.get("approvals")):
        if _obj(a).get("role") == "validator":
            return True
    return False


def r16(mc, dm, pl):  # disparate impact >= 0.8 when protected attributes are declared
    f = _obj(mc.get("fairness"))
    if not _nonempty_list(f.get("protected_attributes")):
        return True
    seen = False
    for m in _arr(f.get("metrics")):
        m = _obj(m)
        if m.get("name") == "disparate_impact_ratio":
            seen = True
            v = m.get("value")
            if not _num(v) or v < 0.8:
                return False
    return seen


def r17(mc, dm, pl):  # seed is an integer
    s = _obj(pl.get("training")).get("seed")
    return type(s) is int


def r18(mc, dm, pl):  # runs non-empty, each with a 40-hex git commit
    runs = pl.get("runs")
    if not _nonempty_list(runs):
        return False
    for r in runs:
        c = _obj(r).get("git_commit")
        if type(c) is not str or COMMIT(c) is None:
            return False
    return True


def r19(mc, dm, pl):  # CI enabled
    return _obj(pl.get("ci")).get("enabled") is True


def r20(mc, dm, pl):  # approvals: known role and a YYYY-MM-DD date
    for a in _arr(mc.get("approvals")):
        a = _obj(a)
        dt = a.get("date")
        if a.get("role") not in APPROVAL_ROLES or type(dt) is not str or DATE(dt) is None:
            return False
    return True


_FUNCS = (r01, r02, r03, r04, r05, r06, r07, r08, r09, r10,
          r11, r12, r13, r14, r15, r16, r17, r18, r19, r20)
RULES = tuple((f"BENCH-R{i:02d}", fn) for i, fn in enumerate(_FUNCS, 1))


def check_bundle(mc, dm, pl) -> list[str]:
    """Violated rule ids for parsed documents (None or non-mappings count as empty)."""
    mc, dm, pl = _obj(mc), _obj(dm), _obj(pl)
    return [rid for rid, fn in RULES if not fn(mc, dm, pl)]


def load(path: str):
    try:
        with open(path, "rb") as fh:
            return yaml.load(fh, Loader=_Loader)
    except FileNotFoundError:
        return None


def check_project(directory: str) -> list[str]:
    d = str(directory).rstrip("/")
    return check_bundle(*(load(f"{d}/{kind}.yaml") for kind in KINDS))


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    quiet = "-q" in args
    dirs = [a for a in args if a != "-q"]
    if not dirs:
        print(__doc__, file=sys.stderr)
        return 2
    out = []
    bad = 0
    for d in dirs:
        violated = check_project(d)
        if violated:
            bad += 1
            if not quiet:
                out.extend(f"{d}: {rid}" for rid in violated)
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.write(f"{len(dirs)} projects, {bad} failing (floor)\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
