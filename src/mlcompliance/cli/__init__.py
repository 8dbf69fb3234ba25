"""The command line: Click commands that parse options, call the library and pick the exit code.

Only ``cli`` may import ``click``; nothing imports ``cli``.
"""
from mlcompliance.cli.main import main

__all__ = ["main"]
