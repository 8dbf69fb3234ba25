"""The portfolio as JSON Lines: the header, each project's line as it comes, the summary line."""
from __future__ import annotations

from typing import Any

from mlcompliance.render.portfolio import Sink as _Base


class Sink(_Base):
    def header_line(self, text: str) -> None:
        self.out.write(text)

    def take(self, path: str, line: str, fragment: Any) -> None:
        self.out.write(line)

    def summary(self, chunk: str) -> None:
        self.out.write(chunk)
