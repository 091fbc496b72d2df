"""``leadbook assign``: new leads from lists handed out to the reps (线索分配)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadbook.cli.options import (
    FILE_PATH,
    CannotRun,
    as_of_option,
    config_option,
    format_option,
    message,
    messages_lang_option,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("new", nargs=-1, required=True)
@click.option(
    "--reps",
    "reps_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The folder of the reps' workbooks (existing customers; the copies are made from them).",
)
@click.option(
    "-o",
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reps' copies and assignments.csv, created if missing.",
)
@click.option("--into", type=FILE_PATH, help="The master: its customers count as existing too.")
@click.option(
    "--channel",
    help="The 来源渠道 of rows that give none (e.g. 展会 for a trade-fair scan export).",
)
@format_option()
@as_of_option
@config_option
@click.option("--force", is_flag=True, help="Overwrite copies or the table if they exist.")
@messages_lang_option
def assign(new, reps_dir, out_dir, into, channel, fmt, as_of, config_path, force, lang) -> None:
    """Assign new leads (.xlsx / .csv lists) to the reps, into copies of their workbooks.

    \b
    Each lead that is an existing customer (same company, office phone or IM
    account as in a rep's workbook or the master) goes to its owner; the
    others by the team config's rules: territory (provinces, industries),
    then the fewest open leads under capacity, round-robin on ties. Each
    gets its lead ID (with the rep's code), 待跟进 and the rep as 最近跟进人,
    and is appended to a copy of the rep's workbook in OUT_DIR (the inputs
    are not changed); OUT_DIR/assignments.csv lists who got what and why.
    Exit code: 0 all assigned, 1 a lead was not assigned or a file was
    unreadable, 2 nothing could run.

    \b
    Example:
      leadbook assign expo.csv web-form.xlsx --reps reps/ -o assigned/ --config team.toml
      leadbook assign expo.csv --channel 展会 --reps reps/ --into master.xlsx -o assigned/
    """
    from leadbook.core.atomic import check_target
    from leadbook.core.config import load_config
    from leadbook.core.show import shown_path
    from leadbook.team.assign import assign_leads
    from leadbook.team.assigned import TABLE_NAME, assign_dict, assign_lines, write_table

    table = out_dir / TABLE_NAME
    try:
        config = load_config(config_path)
        if not config.reps:
            raise CannotRun(message("assign_no_reps", lang))
        if channel is not None and config.channel_code(channel) is None:
            known = ", ".join(c.name for c in config.channels)
            raise click.UsageError(
                message("assign_bad_channel", lang, channel=channel, known=known)
            )
        if into is not None and not into.is_file():
            raise CannotRun(message("into_missing", lang, path=into))
        if not out_dir.is_dir():
            try:
                out_dir.mkdir(parents=True)
            except OSError as exc:
                raise CannotRun(
                    message("cannot_create_folder", lang, path=out_dir, reason=exc.strerror)
                ) from None
        check_target(table, force=force)
        result = assign_leads(
            new,
            reps_dir,
            out_dir,
            into=into,
            config=config,
            as_of=as_of,
            channel=channel,
            lang=lang,
            force=force,
        )
        write_table(result, table, lang=lang, force=force)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    if fmt == "json":
        import json

        doc = assign_dict(result, lang)
        doc["written"].append(shown_path(table))
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for line in assign_lines(result, lang):
            click.echo(line)
        written = ", ".join(str(p) for p in [*result.written, table])
        click.echo(message("wrote", lang, paths=written))
    sys.exit(1 if result.unassigned or result.unreadable else 0)
