"""Policy: packs as data, compiled once into rules, plus the named checks rules may call.

``packs`` loads, validates, version-resolves and compiles packs; ``checks`` holds the named
checks (Python functions with a parameter schema); ``lint`` and ``diff`` are pack-author tools.
May import: ``mlcompliance.evidence`` (loader, pointers, schemas) and below, never the engine.
"""
