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

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from mlcompliance.engine.findings import Finding, WaiverNote, freeze
from mlcompliance.evidence.loader import Document, load_file
from mlcompliance.evidence.project import Project, resolve_inside
from mlcompliance.evidence.schemas import (
    describe_error,
    format_checker,
    leaf,
    parse_instant,
    schema,
    validate_document,
)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverEntry:
    """One waiver of the register with its status (docs/waivers.md). ``scope`` is kept as written.

    A malformed waiver has only id, location, status, reason and matched; ``lifetime_days`` is
    None when its dates could not be read."""
    id: str
    file: str
    line: int
    pointer: str
    status: str
    matched: tuple[str, ...] = ()
    reason: str | None = None
    rule: str | None = None
    scope: Mapping[str, str] | None = None
    justification: str | None = None
    approver: str | None = None
    created: str | None = None
    expires: str | None = None
    ticket: str | None = None
    lifetime_days: int | None = None
    days_left: int | None = None


_SPEC_FIELDS = ("rule", "scope", "justification", "approver", "created", "expires", "ticket")


def apply(doc: Document | None, findings: list[Finding], as_of: date,
          caps: dict[str, dict[str, int]]) -> tuple[list[Finding], list[WaiverEntry]]:
    """(the findings with waivers applied, as new findings; the waiver register)."""
    if doc is None:
        return findings, []
    check = _entry_validator()
    register = []
    current = list(findings)   # each waiver sees the findings as the waivers before it left them
    end_of_day = _end_of(as_of)
    for i, spec in enumerate(doc.value["waivers"]):
        line, _ = doc.location(f"/waivers/{i}")
        where = {"id": spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str) else f"W{i + 1}",
                 "file": doc.path, "line": line, "pointer": f"/waivers/{i}"}
        errors = sorted(check.iter_errors(spec), key=lambda e: list(e.absolute_path))
        if errors:
            message, expected = describe_error(leaf(errors[0]))
            register.append(WaiverEntry(**where, status="invalid",
                                        reason=message + (f" (expected {expected})" if expected else "")))
            continue
        given = {k: (freeze(spec[k]) if k == "scope" else spec[k]) for k in _SPEC_FIELDS if k in spec}
        try:
            created, expires = _instant(spec["created"], False), _instant(spec["expires"], True)
        except ValueError as exc:
            register.append(WaiverEntry(**where, **given, status="invalid",
                                        reason=f"{exc}: a date-time needs a UTC offset"))
            continue
        lifetime = (_utc_day(spec["expires"]) - _utc_day(spec["created"])).days
        scope = spec.get("scope", {})
        targets = [(j, f) for j, f in enumerate(current) if f.rule_id == spec["rule"] and f.outcome == "fail"
                   and fnmatchcase(f.file, scope.get("file", "*")) and fnmatchcase(f.target, scope.get("pointer", "*"))]
        status, reason = _status(created, expires, end_of_day, as_of, [f for _, f in targets], caps, lifetime)
        register.append(WaiverEntry(**where, **given, lifetime_days=lifetime, days_left=(expires - end_of_day).days,
                                    matched=tuple(f.fingerprint for _, f in targets), status=status, reason=reason))
        note = WaiverNote(id=where["id"], status=status, expires=spec["expires"], approver=spec["approver"])
        outcome = "waived" if status in ("active", "expiring") else "fail"
        for j, _ in targets:
            current[j] = replace(current[j], waiver=note, outcome=outcome)
    return current, register


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
