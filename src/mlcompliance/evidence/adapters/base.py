"""What every adapter returns: native evidence drafted from a file the team already has.

An adapter reads one third-party file (a Hugging Face card, an MLflow ``MLmodel``, a DVC lock,
a CI workflow...) and maps what it says into fragments of the native evidence
(``model_card``, ``data_manifest``, ``pipeline``), keeping, for every value it sets, where in
the original file it came from. Adapters never decide compliance and never read outside the
project or the network; a file they cannot parse is an ``InputError`` naming file:line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Where one native value came from: the original file, line and column, and the adapter."""

    file: str          # relative to the project root, POSIX separators
    line: int
    column: int
    adapter: str       # e.g. "huggingface", "mlflow", "dvc", "github-actions"


@dataclass
class Adapted:
    """Native evidence drafted from one source file.

    ``value`` is a fragment of the native document of ``kind`` (it validates as a partial
    native document: no unknown fields); ``origins`` maps native JSON pointers inside that
    document (e.g. ``/model_details/name``) to the origin of the value. A pointer absent from
    ``origins`` is located at its nearest ancestor's origin.
    """

    kind: str                       # "model_card" | "data_manifest" | "pipeline"
    adapter: str
    source: str                     # the file read, relative to the project root
    value: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)   # native pointers whose source said "placeholder"
