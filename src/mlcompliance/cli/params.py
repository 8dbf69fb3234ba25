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
