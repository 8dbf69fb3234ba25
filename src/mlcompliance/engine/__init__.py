"""The engine: (evidence bundle, compiled rules, context) -> findings.

``evaluate`` runs each applicable rule (tier, as-of date, conditions, scope); ``tiering``
derives the risk tier; ``waivers`` applies accepted risk; ``corechecks`` holds the engine's own
findings (declared tier, waiver file). May import: ``policy``, ``probes``, ``evidence`` and below.
"""
