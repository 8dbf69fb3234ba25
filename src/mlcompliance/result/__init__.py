"""The result: the versioned, JSON-ready record of one check, and reading saved results.

May import: ``scoring``, ``engine``, ``policy``, ``evidence`` and below; renderers import it,
never the other way round.
"""
