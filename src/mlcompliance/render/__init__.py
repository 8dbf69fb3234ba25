"""Renderers: pure functions from a result dict to text. Nothing here reads files or clocks."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import json_format, markdown, text

RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "text": text.render,
    "json": json_format.render,
    "md": markdown.render,
}
