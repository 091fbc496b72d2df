"""``leadbook new``: write an empty lead workbook."""

from __future__ import annotations

from pathlib import Path

import click

from leadbook.cli.options import (
    FILE_PATH,
    CannotRun,
    config_option,
    lang_option,
    message,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("out", type=FILE_PATH)
@config_option
@lang_option
@click.option(
    "--rows",
    default=500,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many register rows to prepare with dropdowns and formulas.",
)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def new(out: Path, config_path: Path | None, lang: str, rows: int, force: bool) -> None:
    """Write a new, empty lead workbook to OUT.

    \b
    The workbook has the instructions, the register (线索台账) with dropdowns,
    cascading industry and region choices, generated lead IDs and colours for
    overdue and dormant leads, the follow-up log, the field guide and the lists.

    \b
    Example:
      leadbook new leads.xlsx --config examples/team.toml
    """
    from leadbook.core.config import load_config
    from leadbook.workbook.template import write_workbook

    try:
        config = load_config(config_path)
        path = write_workbook(out, config=config, lang=lang, rows=rows, force=force)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    click.echo(message("wrote", lang, paths=path))
