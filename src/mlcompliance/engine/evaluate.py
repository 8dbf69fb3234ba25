"""Evaluate compiled rules against one project's evidence: (evidence, rules, context) -> findings."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from mlcompliance.engine.findings import (
    Attestation,
    Finding,
    Reference,
    fill,
    freeze,
    observation,
)
from mlcompliance.errors import InputError
from mlcompliance.evidence import claims, pointers
from mlcompliance.evidence.project import Project, resolve_inside
from mlcompliance.policy.checks import Context, Target
from mlcompliance.policy.packs import Pack, Requirement, Rule
from mlcompliance.vocab import MANUAL_NOT_APPLICABLE, MANUAL_REMEDIATION


def read_project_file(project: Project) -> Callable[[str], bytes | None]:
    """A reader for named checks: project-relative path -> bytes, None if absent or outside."""
    def read(rel: str) -> bytes | None:
        try:
            path = resolve_inside(project.root, rel)
        except InputError:
            return None
        return path.read_bytes() if path.is_file() else None
    return read


class ProjectFiles:
    """Existence and SHA-256 of project files for named checks (``project_file``), never reading a
    whole file into memory: a digest is, in order, the one the data probe computed for the same
    file in this run (``/observed/data``), the one the digest cache remembers for the file as it is
    now (path, size, mtime, inode; ``probes.data.cache``; not with ``cache=False``), else the file
    streamed through SHA-256 in 1 MiB blocks, remembered for the rest of the run and the next."""

    def __init__(self, project: Project, cache: bool = True) -> None:
        self.root = project.root
        self._project = project
        self._cache: Any = None
        self._known: dict[str, str] | None = None   # real path -> SHA-256 known in this run
        self._observed = project.bundle.get("observed", {}).get("data")
        self._use_cache = cache

    def _path(self, rel: Any) -> Any:
        if not isinstance(rel, str):
            return None
        try:
            path = resolve_inside(self.root, rel)
        except InputError:
            return None
        return path if path.is_file() else None

    def exists(self, rel: str) -> bool:
        return self._path(rel) is not None

    def sha256(self, rel: str) -> str | None:
        import os
        path = self._path(rel)
        if path is None:
            return None
        real = os.path.realpath(path)
        if self._known is None:
            self._known = self._probed()
        if real in self._known:
            return self._known[real]
        from mlcompliance.probes.data import integrity
        if self._use_cache and self._cache is None:
            from mlcompliance.probes.data.cache import Cache
            self._cache = Cache.default()
        digest = self._cache.known_sha256(path) if self._cache is not None else None
        if digest is None:
            try:
                digest, size = integrity.sha256_file(path)
            except OSError:
                return None
            if self._cache is not None:
                self._cache.remember_sha256(path, digest, size)
        self._known[real] = digest
        self._inventory(rel, digest)
        return digest

    def _inventory(self, rel: str, digest: str) -> None:
        """List a file a rule hashed in the project's inventory (a lockfile, a model file): evidence an
        auditor can match by its sha256, like the files the probes read."""
        from mlcompliance.probes.observe import inventory_format
        path = rel
        while path.startswith("./"):
            path = path[2:]
        if all(f["path"] != path for f in self._project.probed_files):
            self._project.probed_files.append({"path": path, "kind": "project_file",
                                               "format": inventory_format(path), "sha256": digest})

    def _probed(self) -> dict[str, str]:
        """Real path -> SHA-256 of every plain file the data probe hashed in this run."""
        import os
        out: dict[str, str] = {}
        datasets = self._observed.get("datasets") if isinstance(self._observed, dict) else None
        for entry in (datasets or {}).values() if isinstance(datasets, dict) else ():
            found = entry.get("integrity") if isinstance(entry, dict) else None
            if isinstance(found, dict) and found.get("kind") == "file" and isinstance(found.get("sha256"), str):
                path = self._path(entry.get("path"))
                if path is not None:
                    out[os.path.realpath(path)] = found["sha256"]
        return out


def evaluate(project: Project, packs: list[Pack], as_of: date, tier: str,
             read_file: Callable[[str], bytes | None] | None = None,
             date_overrides: dict[str, dict[str, str]] | None = None,
             parameters: dict[str, dict[str, Any]] | None = None, cache: bool = True) -> list[Finding]:
    """All findings of ``packs`` on ``project``, in evaluation order (the result sorts them, once).

    ``read_file`` (pack fixtures: in-memory files) defaults to the project directory, whose files
    ``project_file`` hashes streamed (``ProjectFiles``; ``cache`` False: not from the digest cache);
    ``date_overrides`` maps rule ids to
    replacement ``applies_from``/``applies_until`` dates (mlcompliance.yaml effective_dates);
    ``parameters`` maps a pack id to its parameter values (mlcompliance.yaml ``parameters`` over
    the pack's defaults; a pack absent here uses its defaults).
    """
    overrides = date_overrides or {}
    if "derived" not in project.bundle:   # the packs' conditions read /derived: never evaluate without it
        from mlcompliance.engine.tiering import TIER_CONDITIONS, attach_derived
        from mlcompliance.policy.packs import shared_conditions
        attach_derived(project, as_of, shared_conditions(packs, TIER_CONDITIONS))
    values = {p.id: {**{n: q.default for n, q in p.parameters.items()}, **(parameters or {}).get(p.id, {})}
              for p in packs}
    ctx = Context(project.bundle, as_of, tier, read_file or read_project_file(project), values,
                  files=None if read_file is not None else ProjectFiles(project, cache))
    findings: list[Finding] = []
    for pack in packs:
        ctx.legacy = pack.legacy
        conditions: dict[str, bool] = {}

        def holds(name: str, pack: Pack = pack) -> bool:
            if name not in conditions:
                conditions[name] = pack.conditions[name](ctx)
            return conditions[name]
        for rule in pack.rules:
            findings.extend(_evaluate_rule(rule, project, ctx, holds, overrides.get(rule.id, {})))
        findings.extend(_manual_findings(pack, project, tier, holds, as_of))
    ctx.legacy = False
    return findings


def _not_applicable(rule: Rule, project: Project, reason: str, severity: str) -> Finding:
    loc = project.locate(rule.scope.split("/*", 1)[0])
    return _finding(rule, "not_applicable", severity, reason, loc, loc.pointer, loc.pointer)


def _finding(rule: Rule, outcome: str, severity: str, message: str, loc: Any, target: str,
             pointer: str, observed: Any = pointers.MISSING, detail: str | None = None,
             ctx: Context | None = None) -> Finding:
    used = None
    if ctx is not None and rule.parameters:   # the pack parameter values the rule's checks were given
        values = ctx.parameters.get(rule.pack, {})
        used = freeze({name: values[name] for name in rule.parameters if name in values})
    return Finding(rule_id=rule.id, pack=rule.pack, pack_version=rule.pack_version, requirement=rule.requirement,
                   title=rule.title, outcome=outcome, severity=severity, message=message,
                   remediation=rule.remediation, references=_references(rule.references), file=loc.file,
                   line=loc.line, column=loc.column, target=target, pointer=pointer,
                   observed=observation(observed), detail=detail, parameters=used or None)


def _references(refs: list[dict[str, str]]) -> tuple[Reference, ...]:
    return tuple(Reference(r["regulation"], r["clause"], r.get("url")) for r in refs)


def _evaluate_rule(rule: Rule, project: Project, ctx: Context, holds,
                   dates: dict[str, str]) -> Iterator[Finding]:
    severity = rule.severity_at(ctx.tier)
    if severity is None:
        applicable = ", ".join(rule.tiers or {})
        yield _not_applicable(rule, project, f"Not applicable at risk tier '{ctx.tier}' (applies at: {applicable}).",
                              rule.severity)
        return
    applies_from = date.fromisoformat(dates["applies_from"]) if "applies_from" in dates else rule.applies_from
    applies_until = date.fromisoformat(dates["applies_until"]) if "applies_until" in dates else rule.applies_until
    via = f" {dates['via']}" if dates.get("via") and dates["via"] != rule.id else ""
    moved = f" (date set in mlcompliance.yaml effective_dates{via})" if dates else ""
    if applies_from and ctx.as_of < applies_from:
        yield _not_applicable(rule, project, f"Applies from {applies_from.isoformat()}{moved}; "
                              f"as of {ctx.as_of.isoformat()} it does not apply yet.", severity)
        return
    if applies_until and ctx.as_of > applies_until:
        yield _not_applicable(rule, project, f"Applied until {applies_until.isoformat()}{moved}.", severity)
        return
    for name in rule.if_:
        if not holds(name):
            yield _not_applicable(rule, project, f"Not applicable: condition '{name}' does not hold.", severity)
            return
    for name in rule.unless:
        if holds(name):
            yield _not_applicable(rule, project, f"Not applicable: condition '{name}' holds.", severity)
            return
    targets = list(pointers.expand(project.bundle, rule.scope))
    if not targets:
        yield _not_applicable(rule, project, f"Nothing to check: the evidence has no {rule.scope}.", severity)
        return
    for pointer, value in targets:
        loc = project.locate(pointer)
        if rule.when is not None and not rule.when(value):
            yield _finding(rule, "not_applicable", severity, "Not applicable to this item (its 'when' condition "
                           "does not hold).", loc, loc.pointer, loc.pointer)
            continue
        try:
            violations = rule.evaluate(ctx, Target(pointer, value))
        except Exception as exc:  # noqa: BLE001 - a rule that cannot be evaluated is an 'error' finding
            yield _finding(rule, "error", severity, f"Could not evaluate: {type(exc).__name__}: {exc}",
                           loc, loc.pointer, loc.pointer, ctx=ctx)
            continue
        if not violations:
            yield _finding(rule, "pass", severity, rule.title, loc, loc.pointer, loc.pointer, ctx=ctx)
            continue
        first = min(violations, key=lambda v: v.pointer)
        at = project.locate(first.pointer)
        details = "; ".join(dict.fromkeys(v.detail for v in violations))
        message = fill(rule.message, value, {"observed": first.observed, "detail": details, "tier": ctx.tier})
        removed = "; ".join(dict.fromkeys(n for v in violations for n in _removed_notes(v, project)))
        if removed:   # what the evidence held there before it was found unverifiable
            message += f" ({removed})"
            details += f"; {removed}"
        outcome = "warn" if rule.mode == "advisory" else "fail"
        yield _finding(rule, outcome, severity, message, at, loc.pointer, at.pointer, first.observed, details, ctx)


def _removed_notes(violation: Any, project: Project) -> list[str]:
    """Why the value at fault is absent when the file has one: a placeholder, or a reference to no
    project file (evidence.claims, facts under /observed/placeholders)."""
    items = project.bundle.get("observed", {}).get("placeholders", {}).get("items") or []
    if not items:
        return []
    whole = violation.observed is pointers.MISSING or violation.observed in ({}, [])
    return [item["reason"] if item["pointer"] == violation.pointer else claims.note(item)
            for item in claims.related(items, violation.pointer, whole)]


def _inapplicable(req: Requirement, tier: str, holds: Callable[[str], bool], legacy: bool = False) -> str | None:
    """Why a manual requirement does not apply, or None when it does (at prohibited, a requirement
    listing high applies, unless its pack is evaluated as released)."""
    if req.tiers is not None and tier not in req.tiers and not (
            tier == "prohibited" and "high" in req.tiers and not legacy):
        return f"Not applicable at risk tier '{tier}' (applies at: {', '.join(req.tiers)})."
    for name in req.if_:
        if not holds(name):
            return f"Not applicable: condition '{name}' does not hold."
    for name in req.unless:
        if holds(name):
            return f"Not applicable: condition '{name}' holds."
    return None


def _manual_findings(pack: Pack, project: Project, tier: str, holds: Callable[[str], bool],
                     as_of: date) -> Iterator[Finding]:
    attestations = {a.get("requirement"): (i, a) for i, a in
                    enumerate(project.bundle.get("model_card", {}).get("attestations", []) or [])}
    for req in pack.requirements:
        if not req.manual:
            continue
        reference = (Reference(pack.source["name"], req.clause, req.url or None),)
        reason = _inapplicable(req, tier, holds, pack.legacy)
        if reason:
            loc = project.locate("/model_card")
            yield Finding(rule_id=req.id, pack=pack.id, pack_version=pack.version, requirement=req.id,
                          title=req.title, outcome="not_applicable", severity="info", message=reason,
                          remediation=MANUAL_NOT_APPLICABLE, references=reference,
                          file=loc.file, line=loc.line, column=loc.column, target=loc.pointer, pointer=loc.pointer)
            continue
        hit = attestations.get(req.id)
        incomplete = ""
        if hit and not (hit[1].get("attested_by") and hit[1].get("date")):   # a placeholder was taken out
            items = project.bundle.get("observed", {}).get("placeholders", {}).get("items") or []
            seen = claims.related(items, f"/model_card/attestations/{hit[0]}", True)
            incomplete = " The attestation recorded is incomplete" + (
                " (" + "; ".join(claims.note(item) for item in seen) + ")." if seen else ".")
            hit = None
        if hit:
            i, att = hit
            loc = project.locate(f"/model_card/attestations/{i}")
            expires = att.get("expires")
            attestation = Attestation(attested_by=att["attested_by"], date=_iso(att["date"]),
                                      statement=att.get("statement"), evidence_ref=att.get("evidence_ref"),
                                      expires=None if expires is None else _iso(expires))
            if attestation.expired(as_of):
                message = (f"Attested by {att['attested_by']} on {attestation.date}, but the attestation expired on "
                           f"{attestation.expires}: a person must attest it again.")
            else:
                message = f"Attested by {att['attested_by']} on {att['date']}; a person must confirm it, no rule can."
        else:
            loc = project.locate("/model_card")
            message = "Needs a human attestation: no rule can check this requirement." + incomplete
            attestation = None
        yield Finding(rule_id=req.id, pack=pack.id, pack_version=pack.version, requirement=req.id, title=req.title,
                      outcome="manual", severity="info", message=message,
                      remediation=MANUAL_REMEDIATION,
                      references=reference, file=loc.file, line=loc.line, column=loc.column, target=loc.pointer,
                      pointer=loc.pointer, attestation=attestation)


def _iso(value: Any) -> str:
    """A date from the evidence as YYYY-MM-DD text (the loader keeps dates as written)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
