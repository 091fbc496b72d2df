"""``leadbook report``: the review report on workbooks or a master."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from leadbook.cli.options import (
    FILE_PATH,
    CannotRun,
    as_of_option,
    config_option,
    encrypt_option,
    format_option,
    lang_option,
    message,
    password_from_option,
    password_option,
    progress,
)
from leadbook.core.errors import LeadbookError


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--period",
    type=click.Choice(["week", "month", "quarter"]),
    default="month",
    show_default=True,
    help="The last complete calendar week (Mon-Sun), month or quarter before --as-of "
    "(on Monday morning: last week; on 1 December: November), compared with the one before.",
)
@click.option(
    "--to-date",
    is_flag=True,
    help="Report the period containing --as-of, up to --as-of (this month so far), compared "
    "with the whole previous period.",
)
@as_of_option
@format_option(
    "text for people; json prints the numbers for scripts on stdout (messages on stderr)."
)
@click.option(
    "--html",
    "html_path",
    type=FILE_PATH,
    help="Write the report page here (one self-contained HTML file).",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=FILE_PATH,
    help="Write the Excel summary here (a sheet per metric, charts, action lists).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="For a wider audience: leave out budgets, decision processes, contacts and all "
    "free text (needs, next actions). Personal data is always masked.",
)
@click.option(
    "--history",
    "history_path",
    type=FILE_PATH,
    help="The history store to read for trends (default: MASTER.history.sqlite beside a "
    "single master given, when it exists).",
)
@lang_option
@config_option
@password_option
@encrypt_option("the Excel summary (--xlsx; an HTML page cannot be encrypted)")
@click.option(
    "--due-days",
    type=click.IntRange(1, 92),
    default=None,
    help="Each rep's to-do covers the coming this many days (default: the config's due_days, 7).",
)
def report(
    paths, period, to_date, as_of, fmt, html_path, xlsx_path, redact, history_path, lang, config_path,
    password_env, encrypt, due_days,
) -> None:  # fmt: skip
    """Report on workbooks or a merged master: conversion, cycle, SLA, dormancy.

    \b
    PATHS are workbooks, folders (searched recursively), globs or a master.
    Prints the headline numbers; --html and --xlsx write the page and the
    Excel summary (replaced if they exist). Exit code: 0 written, 1 written
    but an input was unreadable (left out), 2 nothing could run.

    \b
    Example:
      leadbook report master.xlsx --period week --html report.html --xlsx summary.xlsx
      leadbook report master.xlsx --as-of "2026-12-01 09:00"   # November
      leadbook report master.xlsx --to-date --format json     # this month so far
      leadbook report reps/ --as-of 2024-06-30 --redact --html wide.html
      leadbook report master.xlsx --xlsx summary.xlsx --password-env LEADS_PW --encrypt
    """
    from leadbook.core.config import load_config
    from leadbook.read.reader import expand_paths
    from leadbook.report.make import make_report
    from leadbook.report.view import summary_lines

    if encrypt and xlsx_path is None:
        raise click.UsageError(message("encrypt_needs_xlsx", lang))
    if encrypt and html_path is not None:
        raise click.UsageError(message("encrypt_no_html", lang))
    password = password_from_option(password_env, encrypt, lang)
    try:
        config = load_config(config_path)
        if due_days is not None:
            config = replace(config, due_days=due_days)
        with progress(len(expand_paths([str(p) for p in paths])), "report", lang) as advance:
            result = make_report(
                paths,
                period=period,
                to_date=to_date,
                as_of=as_of,
                html=html_path,
                xlsx=xlsx_path,
                redact=redact,
                lang=lang,
                config=config,
                on_file=advance,
                password=password,
                encrypt=encrypt,
                history=history_path,
            )
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    view = result.view
    for path, reason in view.skipped:
        click.echo(message("file_skipped", lang, path=path, reason=reason), err=True)
    if not view.files:
        for path, error in view.unreadable:
            click.echo(message("file_error", lang, path=path, error=error), err=True)
        if view.skipped:
            count = len(view.skipped)
            raise CannotRun(message("nothing_to_report_skipped", lang, count=count))
        raise CannotRun(message("nothing_to_report", lang))
    if fmt == "json":
        from leadbook.report.data import render_report_json

        click.echo(render_report_json(view))
    else:
        for line in summary_lines(view):
            click.echo(line)
    if result.history_error is not None:
        click.echo(
            message("history_left_out", lang, error=result.history_error.text(lang)), err=True
        )
    elif result.history is not None:
        click.echo(
            message("history_read", lang, count=result.snapshots, path=result.history),
            err=fmt == "json",
        )
    for written in (result.html, result.xlsx):
        if written is not None:
            click.echo(message("wrote", lang, paths=written), err=fmt == "json")
    sys.exit(1 if view.unreadable else 0)
