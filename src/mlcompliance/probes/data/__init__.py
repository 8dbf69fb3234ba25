"""Probes over the data files a manifest declares: facts computed from the data itself.

May import: ``mlcompliance.evidence``, ``mlcompliance.probes`` and below. pandas, numpy,
scipy and pyarrow are imported inside functions only, so a metadata-only check never loads them.
"""
