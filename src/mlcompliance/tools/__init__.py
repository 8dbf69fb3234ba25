"""Tools for pack authors and maintainers: pack fixtures, the catalog, generated docs.

They sit beside the flow (they run the engine on fixtures or describe packs) and may import
anything except ``render`` internals and ``cli``.
"""
