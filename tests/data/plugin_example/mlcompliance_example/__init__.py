"""Example mlcompliance plug-ins (see docs/packs.md, "Plug-ins")."""
from pathlib import Path


def packs_dir() -> Path:
    """The directory holding this distribution's policy packs (entry point mlcompliance.packs)."""
    return Path(__file__).parent / "packs"
