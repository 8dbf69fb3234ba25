"""Option parsing shared by the command modules."""
from __future__ import annotations

from datetime import date

import click


def as_of_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    """--as-of: a strict YYYY-MM-DD date; today when absent."""
    if value is None:
        return date.today()
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD") from None


def shard_spec(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    """--shard I/N: slice I (1-based) of N."""
    if value is None:
        return None
    index, _, count = value.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not I/N (for example 2/4)") from None
    if not 1 <= i <= n:
        raise click.BadParameter(f"'{value}': I must be between 1 and N")
    return i, n
