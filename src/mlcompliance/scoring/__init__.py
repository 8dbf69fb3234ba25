"""Scoring: from findings to numbers: per-requirement and per-pack scores, the gate, maturity.

May import: ``engine`` (findings, vocabulary), ``policy``, ``evidence`` and below; it never
evaluates evidence itself.
"""
