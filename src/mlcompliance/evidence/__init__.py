"""Evidence: find, load and validate a project's files into one located tree.

The loader keeps every value's file, line and column; ``project`` finds the evidence files,
validates them against the JSON Schemas in ``mlcompliance/schemas/`` and builds the bundle
(``/model_card``, ``/data_manifest``, ``/pipeline``) with its location index.
May import: ``mlcompliance.errors``, ``mlcompliance.resources`` and the standard library.
"""
