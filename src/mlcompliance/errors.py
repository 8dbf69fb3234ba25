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

    def lines(self) -> list[str]:
        """The error as lines to print (one here; several for :class:`InputErrors`)."""
        return [str(self)]

    def one_line(self) -> str:
        return str(self)

    def records(self) -> list[dict]:
        return [{"file": self.file, "line": self.line, "column": self.column, "message": self.message,
                 "expected": self.expected}]


MAX_REPORTED = 50   # input errors shown in one run; the rest are counted


class InputErrors(InputError):
    """Several input errors found in one run (every schema error of every file), still an
    :class:`InputError`: its message, file, line, column and expected are the first error's, so
    code that reports one error keeps working; :meth:`lines` gives all of them, at most
    ``MAX_REPORTED`` plus a count of the rest."""

    def __init__(self, errors: list[InputError]) -> None:
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, column=first.column,
                         expected=first.expected)
        self.errors = list(errors)

    def lines(self) -> list[str]:
        shown = [InputError.__str__(e) for e in self.errors[:MAX_REPORTED]]
        rest = len(self.errors) - MAX_REPORTED
        if rest > 0:
            shown.append(f"... and {rest} more input error{'s' if rest > 1 else ''} "
                         f"(the first {MAX_REPORTED} are shown)")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def one_line(self) -> str:
        return f"{len(self.errors)} input errors: " + "; ".join(self.lines())

    def records(self) -> list[dict]:
        """The errors as JSON-ready records (file, line, column, message, expected), capped too."""
        return [{"file": e.file, "line": e.line, "column": e.column, "message": e.message,
                 "expected": e.expected} for e in self.errors[:MAX_REPORTED]]


def combine(errors: list[InputError]) -> InputError | None:
    """None, the one error, or an :class:`InputErrors` of several (nested ones flattened)."""
    flat: list[InputError] = []
    for err in errors:
        flat.extend(err.errors if isinstance(err, InputErrors) else [err])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else InputErrors(flat)
