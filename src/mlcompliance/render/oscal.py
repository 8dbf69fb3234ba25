"""NIST OSCAL 1.1.2 assessment results (JSON) of one project's check (docs/oscal.md).

A pure function of the result, with nothing random or clock-dependent: every ``uuid`` is a
UUIDv5 in the fixed namespace :data:`NAMESPACE`, named by stable keys (the result digest for the
document and its result, the project and finding fingerprint for an observation and its finding,
the project and waiver id for a risk, the project and path for an evidence file), and every
date-time is the as-of date at midnight UTC (or ``generated_at`` with ``--timestamp``). So the
same result gives byte-identical OSCAL, and the same finding keeps its UUIDs across runs.

The mapping:

* ``metadata``: title, as-of, result digest; the waivers' approvers as parties with the role
  ``waiver-approver``.
* ``import-ap``: there is no OSCAL assessment plan; its ``href`` points at a back-matter resource
  that says so and names the plan actually used: the policy packs of ``reviewed-controls``.
* one ``result`` per check: ``reviewed-controls`` has one control selection per pack (its
  requirements as control ids, pack version and digest as props); the tool is the component of
  the assessment platform in ``local-definitions.assessment-assets``; verdict, score and counts
  are props.
* every evaluated finding (all outcomes but ``not_applicable``, which are only counted) is one
  ``observation`` (message, observed value, rule, pack, severity; ``relevant-evidence`` citing
  the evidence file, line and JSON pointer with the file's sha256, linked to the file's
  back-matter resource whose ``rlinks`` carry the SHA-256 hash) and one ``finding`` targeting the
  rule as ``objective-id`` with state ``satisfied`` (pass) or ``not-satisfied`` (fail, error,
  warn, waived, manual), linked to its observation.
* every waiver of the register is a ``risk``: ``deviation-approved`` while active or expiring,
  ``open`` when expired or invalid (the finding fails again); justification, approver, expiry,
  ticket and scope as description and props, a risk-log entry logged by the approver, linked to
  the observations of the findings it waives (and those findings to it).
* with ``--baseline``, every problem the baseline had and this check no longer finds is an
  ``observation`` (prop ``baseline: fixed``, no finding of its own), and the result's props count
  the new, recurring and fixed findings.

Strings are shown with :func:`render.common.visible` (no control or direction character
survives), and single-line OSCAL strings (props, titles) are folded to one line.
"""
from __future__ import annotations

import json
import posixpath
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from mlcompliance.render.common import visible
from mlcompliance.render.view import observed_text, result_sha256, text
from mlcompliance.result import codec
from mlcompliance.result.model import Finding, Result, WaiverEntry
from mlcompliance.vocab import OUTCOMES

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("8f9afca6-ff5b-5171-bded-e9ee6fb9fd34")
"""The UUIDv5 namespace of every UUID mlcompliance writes in OSCAL: ``uuid5(NAMESPACE_URL,
"urn:mlcompliance:oscal")``, written out so that it never changes (changing it changes every UUID)."""
NS = "urn:mlcompliance:oscal"
"""The namespace of mlcompliance's own ``props`` (OSCAL requires one for names it does not define)."""
INPUT_ERROR_OBJECTIVE = "mlcompliance-input-error"

_STATE = {
    "pass": ("satisfied", "pass"),
    "fail": ("not-satisfied", "fail"),
    "waived": ("not-satisfied", "fail"),
    "error": ("not-satisfied", "other"),
    "warn": ("not-satisfied", "other"),
    "manual": ("not-satisfied", "other"),
}
_STATE_REMARKS = {
    "error": "The rule could not be evaluated (an error); the objective is not shown to be satisfied.",
    "warn": "A warning: the check did not pass, but it does not block the gate.",
    "manual": "A manual requirement not attested: a person must attest it (docs/waivers.md, attestations).",
    "waived": "The rule fails; a waiver accepts the deviation (see the related risk).",
}
_WAIVER_RISK_STATUS = {"active": "deviation-approved", "expiring": "deviation-approved"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _line(value: Any) -> str:
    """One line, no leading or trailing blank, control characters visible."""
    return visible(" ".join(text(value).split()), newlines=False)


def _multi(value: Any) -> str:
    return visible(text(value).strip())


def _token(value: str) -> str:
    """An OSCAL token (an XML NCName) for an identifier: other characters become ``_``."""
    tok = re.sub(r"[^\w.\-]", "_", value) or "_"
    return tok if tok[0] == "_" or tok[0].isalpha() else "_" + tok


def _prop(name: str, value: Any) -> dict[str, str] | None:
    shown = _line(value)
    return {"name": name, "ns": NS, "value": shown} if shown else None


def _props(*pairs: tuple[str, Any]) -> list[dict[str, str]]:
    return [p for name, value in pairs if value is not None and (p := _prop(name, value)) is not None]


def _with(obj: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``obj`` with the optional members that are not empty (OSCAL arrays have minItems 1)."""
    for key, value in optional.items():
        if value:
            obj[key.replace("_", "-")] = value
    return obj


def _instant(value: str | None, end_of_day: bool = False) -> str | None:
    """A waiver date as an OSCAL date-time with zone, read as the waiver engine reads it (a date's
    start, or for an expiry its end, in UTC); a date-time with an offset in UTC. None when there is
    none, or its year is outside the years OSCAL's date-time pattern allows (1900-2999)."""
    raw = text(value).strip()
    if _DATE.fullmatch(raw):
        out = f"{raw}T23:59:59Z" if end_of_day else f"{raw}T00:00:00Z"
    else:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None or "T" not in raw:
            return None
        out = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out if "1900" <= out[:4] <= "2999" else None


def timestamp(as_of: date, generated_at: str | None = None) -> str:
    """The one date-time of the document: ``generated_at`` (``--timestamp``), else the as-of date."""
    return _instant(generated_at) or f"{as_of.isoformat()}T00:00:00Z"


def _uri(path: str) -> str:
    from mlcompliance.render.sarif import _uri as sarif_uri
    return sarif_uri(path)


# --- pieces shared with the document of a project that could not be loaded ----------------------

def _tool_component(name: str, version: str, key: str) -> dict[str, Any]:
    return {"uuid": _uuid("tool", name, version, key), "type": "software", "title": _line(f"{name} {version}"),
            "description": f"{_line(name)}: offline policy-as-code compliance checker for machine-learning projects; "
                           "it examined the project's evidence files against the policy packs.",
            "props": _props(("version", version)), "status": {"state": "operational"}}


def _assessment_assets(component: dict[str, Any]) -> dict[str, Any]:
    return {"components": [component],
            "assessment-platforms": [{"uuid": _uuid("platform", component["uuid"]),
                                      "title": component["title"],
                                      "uses-components": [{"component-uuid": component["uuid"]}]}]}


def _plan_resource(key: str, packs: Iterable[str]) -> dict[str, Any]:
    named = ", ".join(packs) or "none (the project was not checked)"
    return {"uuid": _uuid("plan", key), "title": "Assessment plan: the mlcompliance policy packs",
            "description": ("There is no separate OSCAL assessment plan. The plan is the set of policy packs "
                            "mlcompliance assessed the project against, each pinned by version and sha256 digest "
                            f"(the control selections of reviewed-controls): {_line(named)}.")}


def _document(title: str, stamp: str, version: str, doc_uuid: str, plan: dict[str, Any],
              results: list[Any], resources: list[Any], props: list[dict[str, str]],
              parties: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"title": title, "last-modified": stamp, "version": version,
                                "oscal-version": OSCAL_VERSION}
    _with(metadata, props=props)
    roles = [{"id": "assessor", "title": "Assessor (the automated tool)"}]
    if parties:
        roles.append({"id": "waiver-approver", "title": "Waiver approver"})
    metadata["roles"] = roles
    if parties:
        metadata["parties"] = parties
        metadata["responsible-parties"] = [{"role-id": "waiver-approver",
                                            "party-uuids": [p["uuid"] for p in parties]}]
    return {"assessment-results": {
        "uuid": doc_uuid,
        "metadata": metadata,
        "import-ap": {"href": f"#{plan['uuid']}",
                      "remarks": "A placeholder: no OSCAL assessment plan exists; the resource it points at "
                                 "names the policy packs used as the plan."},
        "results": results,
        "back-matter": {"resources": [plan, *resources]},
    }}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- one project's result -----------------------------------------------------------------------

def _file_resources(result: Result, project: str,
                    prefix: str = "") -> tuple[list[dict[str, Any]], dict[str, tuple[str, str | None]]]:
    """Back-matter resources of the evidence files; path -> (resource uuid, sha256 or None). The
    link is the path relative to the project, or with ``prefix`` (a portfolio's project directory
    relative to the working directory) prefixed."""
    resources: list[dict[str, Any]] = []
    index: dict[str, tuple[str, str | None]] = {}
    for f in result.project.files:
        if not f.path or f.path in index:
            continue
        rid = _uuid("file", project, f.path)
        sha = f.sha256 if re.fullmatch(r"[0-9a-f]{64}", text(f.sha256)) else None
        rlink: dict[str, Any] = {"href": _uri(posixpath.join(prefix, f.path) if prefix else f.path)}
        if sha:
            rlink["hashes"] = [{"algorithm": "SHA-256", "value": sha}]
        res = {"uuid": rid, "title": _line(f.path) or "(file)",
               "description": f"Evidence file of kind {_line(f.kind)}" + ("" if sha else " (absent when checked)"),
               "props": _props(("evidence-kind", f.kind), ("format", f.format), ("adapter", f.adapter),
                               ("sha256", sha)),
               "rlinks": [rlink]}
        resources.append(res)
        index[f.path] = (rid, sha)
    return resources, index


def _pack_resources(result: Result) -> list[dict[str, Any]]:
    out = []
    for p in result.packs:
        res: dict[str, Any] = {"uuid": _uuid("pack", p.id, p.version, p.digest),
                               "title": _line(f"{p.title or p.id} {p.version}"),
                               "description": f"Policy pack {_line(p.id)} version {_line(p.version)} ({_line(p.origin)}).",
                               "props": _props(("pack", p.id), ("pack-version", p.version), ("pack-digest", p.digest),
                                               ("source", p.source.get("name")),
                                               ("source-version", p.source.get("version")))}
        digest = text(p.digest).removeprefix("sha256:")
        url = text(p.source.get("url"))
        if re.match(r"^https?://\S+$", url):
            res["rlinks"] = [{"href": url}]
        elif re.fullmatch(r"[0-9a-f]{64}", digest):
            res["citation"] = {"text": f"{_line(p.id)} {_line(p.version)}"}
        if re.fullmatch(r"[0-9a-f]{64}", digest):
            res["props"].append({"name": "sha256", "ns": NS, "value": digest})
        out.append(res)
    return out


def _reviewed_controls(result: Result) -> dict[str, Any]:
    selections = []
    listed: set[str] = set()
    for pack in result.summary.packs:
        ids = []
        for req in pack.requirements:
            tok = _token(req.id)
            if tok not in ids:
                ids.append(tok)
        listed.add(pack.id)
        ref = next((p for p in result.packs if p.id == pack.id), None)
        sel: dict[str, Any] = {"description": _line(f"Policy pack {pack.title or pack.id} {pack.version}"),
                               "props": _props(("pack", pack.id), ("pack-version", pack.version),
                                               ("pack-digest", ref.digest if ref else None))}
        if ids:
            sel["include-controls"] = [{"control-id": i} for i in ids]
        else:
            sel["remarks"] = "The pack has no requirement that applies to this project."
        selections.append(sel)
    engine: dict[str, list[str]] = {}
    for f in result.findings:
        if f.pack not in listed:
            reqs = engine.setdefault(f.pack, [])
            if _token(f.requirement or f.rule_id) not in reqs:
                reqs.append(_token(f.requirement or f.rule_id))
    for pack_id, ids in sorted(engine.items()):
        selections.append({"description": _line(f"{pack_id}: the checker's own rules (configuration, waivers, tier)"),
                           "props": _props(("pack", pack_id)),
                           "include-controls": [{"control-id": i} for i in ids]})
    if not selections:
        selections.append({"description": "No policy pack applied.", "include-controls": [],
                           "remarks": "Nothing was assessed."})
        selections[0].pop("include-controls")
    return {"description": "The requirements of the policy packs mlcompliance assessed the project against: "
                           "each pack is a control selection, each requirement a control id.",
            "control-selections": selections}


def _evidence(f: Finding, files: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    path = f.file
    line = f.line if f.line >= 1 else None
    rid, sha = files.get(path, (None, None))
    where = _line(path) or "(the project)"
    if line is not None:
        where += f":{line}"
    desc = f"Evidence at {where}"
    if f.pointer:
        desc += f", JSON pointer {_line(f.pointer)}"
    desc += f"; file sha256 {sha}." if sha else "; the file's sha256 is not recorded (absent or not a file)."
    ev: dict[str, Any] = {"description": desc}
    if rid is not None:
        ev["href"] = f"#{rid}"
    ev["props"] = _props(("file", path), ("line", line), ("column", f.column if f.column >= 1 else None),
                         ("pointer", f.pointer), ("sha256", sha))
    if not ev["props"]:
        ev.pop("props")
    return ev


def _observation_and_finding(f: Finding, key: str, stamp: str, tool_uuid: str,
                             files: dict[str, tuple[str, str | None]], blocking: set[str],
                             risk_of: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    obs_uuid = _uuid("observation", key)
    seen = observed_text(f)
    description = _multi(f.message or f.title or f.rule_id)
    if seen is not None:
        description += f"\n\nObserved: {_multi(seen)}"
    if f.detail and _multi(f.detail) not in description:
        description += f"\n\n{_multi(f.detail)}"
    common = (("rule-id", f.rule_id), ("pack", f.pack), ("pack-version", f.pack_version),
              ("requirement", f.requirement), ("severity", f.severity), ("outcome", f.outcome),
              ("fingerprint", f.fingerprint))
    obs: dict[str, Any] = {
        "uuid": obs_uuid, "title": _line(f.title or f.rule_id), "description": description,
        "props": _props(*common, ("observed", seen), ("baseline", f.baseline)),
        "methods": ["EXAMINE"],
        "types": ["control-objective", "finding"] if f.outcome != "pass" else ["control-objective"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
        "relevant-evidence": [_evidence(f, files)],
        "collected": stamp,
    }
    if f.attestation is not None:
        a = f.attestation
        obs["props"] += _props(("attested-by", a.attested_by), ("attested-on", a.date),
                               ("attestation-evidence", a.evidence_ref))
        if a.statement:
            obs["remarks"] = f"Attestation: {_multi(a.statement)}"
    state, reason = _STATE[f.outcome]
    status: dict[str, Any] = {"state": state, "reason": reason}
    if f.outcome in _STATE_REMARKS:
        status["remarks"] = _STATE_REMARKS[f.outcome]
    finding: dict[str, Any] = {
        "uuid": _uuid("finding", key), "title": _line(f.title or f.rule_id),
        "description": _multi(f.message or f.title or f.rule_id),
        "props": _props(("rule-id", f.rule_id), ("requirement", f.requirement), ("severity", f.severity),
                        ("outcome", f.outcome), ("blocking", "true" if f.fingerprint in blocking else "false")),
        "target": {"type": "objective-id", "target-id": _token(f.rule_id),
                   "title": _line(f"{f.rule_id} (requirement {f.requirement}, {f.pack} {f.pack_version})"),
                   "status": status},
        "related-observations": [{"observation-uuid": obs_uuid}],
    }
    if f.remediation and f.outcome != "pass":
        finding["remarks"] = f"Remediation: {_multi(f.remediation)}"
    risk = risk_of.get(f.waiver.id) if f.waiver is not None else None
    if risk is not None:
        finding["related-risks"] = [{"risk-uuid": risk}]
    return obs, finding


def _fixed_observation(f: Finding, key: str, stamp: str, tool_uuid: str,
                       files: dict[str, tuple[str, str | None]], baseline_as_of: str) -> dict[str, Any]:
    """A problem the baseline recorded that this check no longer finds (``check --baseline``): an
    observation of the change (the finding it was, with the baseline's message), with no finding of
    its own, since the rule's current outcome is among the findings."""
    return {
        "uuid": _uuid("observation", key), "title": _line(f"Fixed since the baseline: {f.title or f.rule_id}"),
        "description": _multi(f"The baseline of {baseline_as_of} had this {f.outcome} finding; this check no longer "
                              f"finds it. Then: {f.message or f.title or f.rule_id}"),
        "props": _props(("rule-id", f.rule_id), ("pack", f.pack), ("pack-version", f.pack_version),
                        ("requirement", f.requirement), ("severity", f.severity), ("outcome", f.outcome),
                        ("fingerprint", f.fingerprint), ("baseline", "fixed")),
        "methods": ["EXAMINE"], "types": ["control-objective"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
        "relevant-evidence": [_evidence(f, files)],
        "collected": stamp,
    }


def _baseline_props(result: Result) -> list[tuple[str, Any]]:
    b = result.baseline
    if b is None:
        return []
    return [("baseline-as-of", b.as_of), ("baseline-new", b.new), ("baseline-recurring", b.recurring),
            ("baseline-fixed", len(b.fixed))]


def _party(name: str) -> dict[str, Any]:
    return {"uuid": _uuid("party", name), "type": "person", "name": _line(name)}


def _risk(w: WaiverEntry, project: str, observations: list[str], party: dict[str, Any] | None) -> dict[str, Any]:
    status = _WAIVER_RISK_STATUS.get(w.status, "open")
    rule = text(w.rule) or "(no rule)"
    scope = ", ".join(f"{k}={v}" for k, v in sorted((w.scope or {}).items()))
    statement = (f"Rule {_line(rule)} fails" + (f" within {_line(scope)}" if scope else "")
                 + f"; waiver {_line(w.id)} ({_line(w.status)}) ")
    if status == "deviation-approved":
        statement += (f"accepts the deviation, approved by {_line(w.approver) or '(no approver)'}, until "
                      f"{_line(w.expires) or '(no expiry)'}.")
    else:
        statement += "does not accept it" + (f": {_line(w.reason)}" if w.reason else "") + "; the finding fails."
    risk: dict[str, Any] = {
        "uuid": _uuid("risk", project, w.id, w.file, w.pointer),
        "title": _line(f"Waiver {w.id}: {rule}"),
        "description": _multi(w.justification) or "No justification given.",
        "statement": statement,
        "props": _props(("waiver-id", w.id), ("waiver-status", w.status), ("rule-id", w.rule),
                        ("approver", w.approver), ("created", w.created), ("expires", w.expires),
                        ("ticket", w.ticket), ("days-left", w.days_left), ("lifetime-days", w.lifetime_days),
                        ("scope", scope or None), ("waiver-file", f"{w.file}:{w.line}"), ("reason", w.reason)),
        "status": status,
    }
    deadline = _instant(w.expires, end_of_day=True)
    if deadline:
        risk["deadline"] = deadline
    start = _instant(w.created)
    if party is not None and start:
        risk["risk-log"] = {"entries": [{
            "uuid": _uuid("risk-log", project, w.id),
            "title": "Deviation approved" if status == "deviation-approved" else "Deviation recorded",
            "description": _multi(f"Waiver {w.id} approved by {w.approver}" + (f", ticket {w.ticket}" if w.ticket else "")
                                  + (f", expires {w.expires}" if w.expires else "") + "."),
            "start": start,
            "logged-by": [{"party-uuid": party["uuid"]}],
            "status-change": status,
        }]}
    if observations:
        risk["related-observations"] = [{"observation-uuid": o} for o in observations]
    return risk


def parts(result: Result, key: str | None = None, prefix: str = "") -> dict[str, Any]:
    """One project's OSCAL ``result`` and what the document around it needs (evidence-file and pack
    resources, approver parties). ``key`` names the project in every UUID (default: its name; a
    portfolio gives the project's path, so two projects of the same name never share a UUID, and the
    project directory as ``prefix`` of the evidence files' links)."""
    name = result.project.name or "project"
    project = key or name
    digest = result_sha256(result)
    stamp = timestamp(result.as_of, result.generated_at)
    tool_name = text(result.tool.name) or "mlcompliance"
    tool_version = text(result.tool.version) or "0"
    component = _tool_component(tool_name, tool_version, project)
    files_res, files = _file_resources(result, project, prefix)
    blocking = set(result.gate.blocking)

    parties: dict[str, dict[str, Any]] = {}
    for w in result.waivers:
        if text(w.approver).strip():
            parties.setdefault(_line(w.approver), _party(w.approver))
    risk_uuid = {w.id: _uuid("risk", project, w.id, w.file, w.pointer) for w in result.waivers}

    observations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    obs_of_fp: dict[str, list[str]] = {}
    seen_keys: dict[str, int] = {}
    skipped = 0
    for f in result.findings:
        if f.outcome not in _STATE:
            skipped += 1
            continue
        base = f"{project}\x1f{f.fingerprint}"
        n = seen_keys.get(base, 0)
        seen_keys[base] = n + 1
        subject = base if n == 0 else f"{base}\x1f{n}"
        obs, fnd = _observation_and_finding(f, subject, stamp, component["uuid"], files, blocking, risk_uuid)
        observations.append(obs)
        findings.append(fnd)
        obs_of_fp.setdefault(f.fingerprint, []).append(obs["uuid"])

    fixed = result.baseline.fixed if result.baseline is not None else ()
    for f in fixed:      # what the baseline found and this check no longer does: an observation, not a finding
        observations.append(_fixed_observation(f, f"{project}\x1ffixed\x1f{f.fingerprint}", stamp, component["uuid"],
                                               files, result.baseline.as_of))

    risks = []
    for w in result.waivers:
        linked = [o for fp in w.matched for o in obs_of_fp.get(fp, [])]
        risks.append(_risk(w, project, linked, parties.get(_line(w.approver))))

    counts = codec.counts_to_dict(result.summary.outcomes)
    score = codec.score_to_dict(result.summary.score)
    raw, accepted = score.get("raw"), score.get("with_accepted_risk")
    result_props = _props(("verdict", result.gate.verdict), ("result-sha256", digest), ("as-of", result.as_of.isoformat()),
                          ("risk-tier", result.risk.tier), ("fail-on", result.gate.fail_on),
                          ("score", raw), ("score-with-accepted-risk", accepted),
                          *((f"outcome-{o.replace('_', '-')}", counts.get(o, 0)) for o in OUTCOMES),
                          ("blocking-findings", len(blocking)), ("new-only", "true" if result.gate.new_only else None),
                          *_baseline_props(result))
    verdict = "COMPLIANT" if result.gate.verdict == "compliant" else "NOT COMPLIANT"
    oscal_result: dict[str, Any] = {
        "uuid": _uuid("result", project, digest),
        "title": _line(f"mlcompliance check of {name} as of {result.as_of.isoformat()}"),
        "description": (f"Verdict: {verdict} (gate fails on {_line(result.gate.fail_on)} and above; risk tier "
                        f"{_line(result.risk.tier)}). {len(findings)} findings evaluated, {len(blocking)} blocking; "
                        f"{skipped} not applicable (counted, not listed). The result it renders has sha256 {digest} "
                        "(`check --format json`)."),
        "start": stamp, "end": stamp,
        "props": [*_props(("project", name), ("project-path", key)), *result_props],
        "local-definitions": {"assessment-assets": _assessment_assets(component)},
        "reviewed-controls": _reviewed_controls(result),
    }
    _with(oscal_result, observations=observations, risks=risks, findings=findings)
    return {"result": oscal_result, "files": files_res, "packs": _pack_resources(result),
            "parties": sorted(parties.values(), key=lambda p: p["name"]),
            "pack_names": [f"{p.id} {p.version}" for p in result.packs]}


def build(result: Result) -> dict[str, Any]:
    name = result.project.name or "project"
    digest = result_sha256(result)
    part = parts(result)
    doc_props = _props(("project", name), ("as-of", result.as_of.isoformat()), ("result-sha256", digest),
                       ("verdict", result.gate.verdict))
    return _document(_line(f"mlcompliance assessment results: {name}"), timestamp(result.as_of, result.generated_at),
                     result.as_of.isoformat(), _uuid("document", digest, text(result.tool.version)),
                     _plan_resource(name, part["pack_names"]), [part["result"]], [*part["files"], *part["packs"]],
                     doc_props, part["parties"])


def render(result: Result) -> str:
    return dumps(build(result))


# --- a project that could not be loaded -----------------------------------------------------------

def failure_result(failure: Any, version: str, as_of: date | None, stamp: str | None = None) -> dict[str, Any]:
    """The OSCAL ``result`` of a project that could not be loaded (``render.failure.Failure``): its
    one finding, ``not-satisfied``, is the input error at its file and line; no control was
    reviewed. An error, never an empty or compliant-looking result."""
    from mlcompliance.render.failure import HELP
    project = failure.path or "project"
    stamp = stamp or timestamp(as_of or date(1970, 1, 1))
    component = _tool_component("mlcompliance", version or "0", project)
    where = f"{failure.file}:{failure.line}"
    key = f"{project}\x1f{where}\x1f{failure.message}"
    obs_uuid = _uuid("observation", "input-error", key)
    observation = {
        "uuid": obs_uuid, "title": "Input error: the project could not be loaded",
        "description": _multi(failure.message) or "The project could not be loaded.",
        "props": _props(("outcome", "error"), ("rule-id", "mlcompliance/input-error")),
        "methods": ["EXAMINE"], "types": ["finding"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": component["uuid"]}]}],
        "relevant-evidence": [{"description": f"Input error at {_line(where)}; the file was not read to the end, "
                                              "so no sha256 is recorded.",
                               "props": _props(("file", failure.file), ("line", failure.line))}],
        "collected": stamp,
    }
    finding = {
        "uuid": _uuid("finding", "input-error", key), "title": "mlcompliance input error",
        "description": f"{_multi(failure.message)}\n\n{HELP}",
        "props": _props(("outcome", "error"), ("blocking", "true")),
        "target": {"type": "objective-id", "target-id": INPUT_ERROR_OBJECTIVE,
                   "title": "The project's evidence can be loaded",
                   "status": {"state": "not-satisfied", "reason": "other",
                              "remarks": "Nothing was checked: the verdict is an error, not compliant."}},
        "related-observations": [{"observation-uuid": obs_uuid}],
    }
    result = {
        "uuid": _uuid("result", "input-error", key),
        "title": _line(f"mlcompliance check of {project}: ERROR, the project could not be loaded"),
        "description": (f"ERROR: {_multi(failure.message)}\n\nNone of the project's rules were evaluated (exit code 2). "
                        f"{HELP}"),
        "start": stamp, "end": stamp,
        "props": _props(("project-path", project), ("verdict", "error"), ("as-of", as_of.isoformat() if as_of else None)),
        "local-definitions": {"assessment-assets": _assessment_assets(component)},
        "reviewed-controls": {"description": "No control was reviewed: the project could not be loaded.",
                              "control-selections": [{"description": "None: the project was not checked.",
                                                      "remarks": "The input error is the only finding."}]},
        "observations": [observation],
        "findings": [finding],
    }
    return result


def build_failure(failure: Any, version: str, as_of: date | None) -> dict[str, Any]:
    """The document of a project that could not be loaded: its one result is the error."""
    project = failure.path or "project"
    result = failure_result(failure, version, as_of)
    return _document(_line(f"mlcompliance assessment results: {project} (input error)"), result["start"],
                     as_of.isoformat() if as_of else "unknown", _uuid("document", result["uuid"], version),
                     _plan_resource(project, []), [result], [], _props(("project", project), ("verdict", "error")))


def render_failure(failure: Any, version: str, as_of: date | None = None) -> str:
    return dumps(build_failure(failure, version, as_of))
