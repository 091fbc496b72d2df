"""``leadbook new``: write an empty lead workbook (``--rep``: that rep's own)."""

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
@click.option(
    "--rep",
    default=None,
    metavar="NAME",
    help="The rep whose workbook it is (a name or code from the config's reps, e.g. '*张'): "
    "named in it, first in the 跟进人 dropdowns, lead IDs with the rep's code.",
)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def new(
    out: Path, config_path: Path | None, lang: str, rows: int, rep: str | None, force: bool
) -> None:
    """Write a new, empty lead workbook to OUT.

    \b
    The workbook has the instructions, the register (线索台账) with dropdowns,
    cascading industry and region choices, generated lead IDs and colours for
    overdue and dormant leads, the follow-up log, the field guide and the lists.
    With --rep it is that rep's workbook: its lead IDs carry the rep's code from
    the team config (EXPO20240521ZH001), unique across the team.

    \b
    Example:
      leadbook new leads.xlsx --config examples/team.toml
      leadbook new ZH.xlsx --config examples/team.toml --rep '*张'
    """
    from leadbook.core.config import load_config
    from leadbook.workbook.template import write_workbook

    try:
        config = load_config(config_path)
        owner = config.find_rep(rep) if rep is not None else None
        path = write_workbook(out, config=config, lang=lang, rows=rows, force=force, rep=owner)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    if owner is not None and not owner.code:
        click.echo(message("new_rep_no_code", lang, rep=owner.name), err=True)
    click.echo(message("wrote", lang, paths=path))
