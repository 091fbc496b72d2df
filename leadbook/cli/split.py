"""``leadbook split``: the master back to the reps, one workbook each."""

from __future__ import annotations

from pathlib import Path

import click

from leadbook.cli.options import (
    FILE_PATH,
    CannotRun,
    config_option,
    encrypt_option,
    lang_option,
    message,
    password_from_option,
    password_option,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("master", type=FILE_PATH)
@click.option(
    "-o",
    "--out-dir",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reps' workbooks, created if missing.",
)
@config_option
@lang_option
@click.option("--force", is_flag=True, help="Overwrite workbooks that already exist in the folder.")
@password_option
@encrypt_option("the reps' workbooks")
def split(master, out_dir, config_path, lang, force, password_env, encrypt) -> None:
    """Split a master into one workbook per rep, to send back to the reps.

    \b
    Each rep's workbook is a fresh workbook of the template (dropdowns,
    formulas, colours) with the rep's leads as the master has them: the
    master's lead IDs, the winning versions, 撞单 leads with the customer's
    owner, hand-offs applied, every lead's follow-up log. Files are named by
    the rep's code in the team config (ZH.xlsx), else by the masked name
    (rep-张.xlsx); leads of no known rep go to unassigned.xlsx. The master is
    not changed. Merging the folder again gives the master's leads back.

    \b
    Example:
      leadbook split master.xlsx -o back-to-reps/ --config team.toml
    """
    from leadbook.core.config import load_config
    from leadbook.team.split import split_master

    password = password_from_option(password_env, encrypt, lang)
    try:
        config = load_config(config_path)
        result = split_master(
            master,
            out_dir,
            config=config,
            force=force,
            lang=lang,
            password=password,
            encrypt=encrypt,
        )
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    for book in result.books:
        params = {"path": book.path, "leads": book.leads, "entries": book.log_entries}
        if book.rep is None:
            click.echo(message("split_book_unassigned", lang, **params))
        else:
            click.echo(message("split_book", lang, rep=book.rep, **params))
    if result.others:
        names = ", ".join(p.name for p in result.others)
        click.echo(message("split_others", lang, folder=out_dir, names=names))
    if result.moved:
        click.echo(message("split_moved", lang, count=result.moved))
    click.echo(
        message(
            "split_done",
            lang,
            books=len(result.books),
            leads=result.leads,
            entries=result.log_entries,
            master=master,
        )
    )
