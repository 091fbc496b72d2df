"""``leadbook history``: the snapshots of a master's history store."""

from __future__ import annotations

import json

import click

from leadbook.cli.options import (
    FILE_PATH,
    CannotRun,
    config_option,
    format_option,
    message,
    messages_lang_option,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("master", type=FILE_PATH)
@format_option("text: one line per snapshot; json: the same as a JSON document.")
@config_option
@messages_lang_option
def history(master, fmt, config_path, lang) -> None:
    """List the snapshots of a master's history store: date, week, leads, won, open.

    \b
    MASTER is the master workbook (its store is MASTER.history.sqlite beside
    it, written by each merge --into) or the store itself. Won and open are
    counted with the team config's status groups. Exit code: 0 listed, 2 no
    store or not readable.

    \b
    Example:
      leadbook history master.xlsx
      leadbook history master.history.sqlite --format json
    """
    from leadbook.core.config import load_config
    from leadbook.history.store import list_snapshots, load_moves, store_path

    store = store_path(master)
    try:
        config = load_config(config_path)
        groups = config.status_groups
        snaps = list_snapshots(store, won=groups.get("won", ()), closed=groups.get("closed", ()))
        moves = load_moves(store)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    if fmt == "json":
        doc = {
            "store": str(store),
            "snapshots": [
                {"id": s.id, "taken_at": s.taken_at.isoformat(sep=" ", timespec="minutes"),
                 "week": s.week, "master": s.master, "leads": s.leads, "won": s.won,
                 "open": s.open, "leadbook_version": s.leadbook_version}
                for s in snaps
            ],
            "moves": len(moves),
        }  # fmt: skip
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if not snaps:
        click.echo(message("history_empty", lang, path=store))
    else:
        click.echo(message("history_header", lang, path=store, count=len(snaps)))
    for s in snaps:
        date = f"{s.taken_at:%Y-%m-%d %H:%M}"
        click.echo(
            message("history_row", lang, date=date, week=s.week, leads=s.leads, won=s.won,
                    open=s.open, master=s.master)
        )  # fmt: skip
    if moves:
        click.echo(message("history_moves", lang, count=len(moves)))
