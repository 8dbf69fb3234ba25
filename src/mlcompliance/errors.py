"""The one error type the CLI turns into "exit 2 with a clear message".

Anything the user can get wrong (a malformed file, a schema violation, an unknown pack
version, a path that escapes the project) raises :class:`InputError`; everything else is
a bug and may show a traceback.
"""
from __future__ import annotations


class InputError(Exception):
    """Bad input, reported as ``file:line:column: message (expected: ...)``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.message}"
        if self.expected:
            text += f" (expected: {self.expected})"
        return text
