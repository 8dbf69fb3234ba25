"""Probes over the data files a manifest declares: facts computed from the data itself.

May import: ``mlcompliance.evidence``, ``mlcompliance.probes`` and below.
"""
