"""Adapters (the registry lives on the doc-adapters branch)."""
