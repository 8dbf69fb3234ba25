"""Statistics over data: drift, fairness, performance metrics with confidence intervals.

Pure functions of pandas/NumPy objects that return plain dicts (JSON-ready facts); they never
decide anything. SciPy is imported inside the functions that need it, so importing this package
costs nothing on a metadata-only check. Formulas, assumptions and the thresholds the packs apply
to these numbers are in docs/data-statistics.md. May import: ``mlcompliance.evidence`` and below.
"""
