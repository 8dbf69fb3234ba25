"""Waivers: accepted risks, kept in the project's waivers.yaml and never inline.

Time: the as-of date D is evaluated at its end (D+1 00:00 UTC). A waiver whose `expires` is
a date is in force through that whole day (inclusive); one whose `expires` is a date-time
(which must carry a UTC offset) is in force while that instant is at or after the end of D.
`created` must not be after D. A waiver in force that expires within 30 days warns.

A waiver applies only to `fail` findings of its rule within its scope. It is not applied
(the finding keeps failing: fail closed) when it is malformed, not yet created, expired, or
longer than its pack allows for the finding's severity. A waiver that matches no failing
finding is stale. Every waiver appears in the register with its status.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from mlcompliance.engine.findings import Finding
from mlcompliance.evidence.loader import Document, load_file
from mlcompliance.evidence.project import Project, resolve_inside
from mlcompliance.evidence.schemas import describe_error, format_checker, leaf, parse_instant, schema, validate_document

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

EXPIRING_DAYS = 30
DEFAULT_FILE = "waivers.yaml"


def load(project: Project) -> Document | None:
    """The project's waiver file (validated as a whole), or None when it has none."""
    configured = project.settings.get("waivers")
    rel = configured or DEFAULT_FILE
    path = resolve_inside(project.root, rel, rel)
    if not path.exists():
        if configured:
            line, col = project.config.location("/waivers")  # type: ignore[union-attr]
            from mlcompliance.errors import InputError
            raise InputError(f"waiver file '{rel}' not found", file=project.config.path,  # type: ignore[union-attr]
                             line=line, column=col, expected="an existing file inside the project")
        return None
    doc = load_file(path, rel)
    validate_document(doc, "waivers")
    return doc


def _entry_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator
    whole = schema("waivers")
    return Draft202012Validator({**whole["$defs"]["waiver"], "$defs": whole["$defs"]}, format_checker=format_checker())


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)


def _instant(text: str, end_of_day: bool) -> datetime:
    """A date is its end (expires) or its start (created); a date-time must have an offset."""
    value = parse_instant(text)
    if len(text) == 10:
        day = value.date()
        return _end_of(day) if end_of_day else datetime.combine(day, time.min, tzinfo=timezone.utc)
    if value.tzinfo is None:
        raise ValueError(f"{text} has no UTC offset")
    return value


def _utc_day(text: str) -> date:
    value = parse_instant(text)
    return value.astimezone(timezone.utc).date() if value.tzinfo else value.date()


def apply(doc: Document | None, findings: list[Finding], as_of: date,
          caps: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Mark waived findings in place and return the waiver register."""
    if doc is None:
        return []
    check = _entry_validator()
    register = []
    end_of_day = _end_of(as_of)
    for i, spec in enumerate(doc.value["waivers"]):
        line, _ = doc.location(f"/waivers/{i}")
        entry: dict[str, Any] = {"id": spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str)
                                 else f"W{i + 1}", "file": doc.path, "line": line, "pointer": f"/waivers/{i}"}
        errors = sorted(check.iter_errors(spec), key=lambda e: list(e.absolute_path))
        if errors:
            message, expected = describe_error(leaf(errors[0]))
            entry.update(status="invalid", reason=message + (f" (expected {expected})" if expected else ""),
                         matched=[])
            register.append(entry)
            continue
        entry.update({k: spec[k] for k in ("rule", "scope", "justification", "approver", "created", "expires", "ticket")
                      if k in spec})
        try:
            created, expires = _instant(spec["created"], False), _instant(spec["expires"], True)
        except ValueError as exc:
            entry.update(status="invalid", reason=f"{exc}: a date-time needs a UTC offset", matched=[])
            register.append(entry)
            continue
        lifetime = (_utc_day(spec["expires"]) - _utc_day(spec["created"])).days
        entry["lifetime_days"] = lifetime
        entry["days_left"] = (expires - end_of_day).days
        scope = spec.get("scope", {})
        targets = [f for f in findings if f.rule_id == spec["rule"] and f.outcome == "fail"
                   and fnmatchcase(f.file, scope.get("file", "*")) and fnmatchcase(f.target, scope.get("pointer", "*"))]
        entry["matched"] = [f.fingerprint for f in targets]
        status, reason = _status(created, expires, end_of_day, as_of, targets, caps, lifetime)
        entry["status"] = status
        if reason:
            entry["reason"] = reason
        for f in targets:
            note = {"id": entry["id"], "status": status, "expires": spec["expires"], "approver": spec["approver"]}
            if status in ("active", "expiring"):
                f.outcome = "waived"
            f.extra["waiver"] = note
        register.append(entry)
    return register


def _status(created: datetime, expires: datetime, end_of_day: datetime, as_of: date, targets: list[Finding],
            caps: dict[str, dict[str, int]], lifetime: int) -> tuple[str, str | None]:
    if created >= end_of_day:
        return "not_yet_valid", f"created after the as-of date {as_of.isoformat()}"
    if expires < end_of_day:
        return "expired", f"expired before the end of {as_of.isoformat()}: the findings it covers fail again"
    if not targets:
        return "stale", "matches no failing finding: remove it, or correct its rule or scope"
    for f in targets:
        cap = caps.get(f.pack, {}).get(f.severity)
        if cap is not None and lifetime > cap:
            return "over_long", (f"lasts {lifetime} days; pack {f.pack} allows at most {cap} days for a "
                                 f"{f.severity} finding")
    if (expires - end_of_day) <= timedelta(days=EXPIRING_DAYS):
        return "expiring", f"expires within {EXPIRING_DAYS} days of {as_of.isoformat()}"
    return "active", None
