"""Probes: facts observed from the repository (and, later, from data), never verdicts.

A probe reads files of the project directory and writes what it observed, with how and where,
into the evidence bundle under ``/observed`` (docs/architecture.md). Rules decide what the
facts mean. May import: ``mlcompliance.evidence`` and below.
"""
