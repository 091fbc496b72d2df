"""What the commands share: the option decorators, the error that exits 2, the as-of time type
and the progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadbook.cli.usage import current_lang
from leadbook.core.errors import LeadbookError
from leadbook.core.messages import text

FILE_PATH = click.Path(dir_okay=False, path_type=Path)  # an input or output file


class CannotRun(click.ClickException):
    """A LeadbookError shown as one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"leadbook: {self.format_message()}", err=True)

    @classmethod
    def of(cls, exc: LeadbookError, lang: str) -> CannotRun:
        """``exc`` in the command's language."""
        return cls(exc.text(lang))


def message(key: str, lang: str, **params) -> str:
    """A command message from the catalogue (``templates/messages.toml``)."""
    return text(key, lang, **params)


def config_option(f):
    return click.option(
        "--config",
        "config_path",
        type=FILE_PATH,
        help="Team config (TOML) overriding lists, channel codes, SLA hours, dormancy days, reps.",
    )(f)


def password_option(f):
    return click.option(
        "--password-env",
        metavar="VAR",
        help="Open encrypted workbooks (Excel's Encrypt with Password) with the password held "
        "by environment variable VAR; the password itself is never given on the command line.",
    )(f)


def encrypt_option(what: str):
    """``--encrypt``: lock ``what`` with the --password-env password."""

    def decorator(f):
        return click.option(
            "--encrypt",
            is_flag=True,
            help=f"Encrypt {what} with the --password-env password (Excel's Encrypt with "
            "Password, AES-256), to send it locked.",
        )(f)

    return decorator


def password_from_option(
    password_env: str | None, encrypt: bool = False, lang: str = "zh"
) -> str | None:
    """The password named by --password-env; one line and exit 2 when it is not set."""
    from leadbook.core.crypto import password_from_env

    if encrypt and not password_env:
        raise click.UsageError(text("encrypt_needs_password", lang))
    try:
        return password_from_env(password_env)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None


def lang_option(f):
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of sheet names, labels and messages.",
    )(f)


def messages_lang_option(f):
    """--lang for a command whose only text is its messages."""
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of the messages.",
    )(f)


class AsOf(click.ParamType):
    """A point in time: ``2024-06-30 18:00`` (ISO 8601 also); a date alone, ``2024-06-30``,
    is the end of that day (:mod:`leadbook.core.asof`)."""

    name = "time"

    def convert(self, value, param, ctx):
        from datetime import datetime

        if isinstance(value, datetime):
            return value
        from leadbook.read.normalize import parse_datetime

        parsed = parse_datetime(str(value))
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(text("bad_time", current_lang(ctx), value=repr(value)), param, ctx)
        from leadbook.core.asof import end_of_day, is_date_only

        if is_date_only(str(value)):
            return end_of_day(parsed.date())
        return parsed.replace(tzinfo=None)


def _now_if_missing(ctx, param, value):
    from datetime import datetime

    return value or datetime.now().replace(second=0, microsecond=0)


def as_of_option(f):
    return click.option(
        "--as-of",
        type=AsOf(),
        default=None,
        callback=_now_if_missing,
        help="The time rules are checked at (SLA, dormancy, future dates); a date alone is "
        "the end of that day. Default: now.",
    )(f)


def progress(total: int, label: str, lang: str = "zh"):
    """A progress bar on a terminal when there are many files; otherwise nothing. ``label``
    is the command (validate, merge, report), shown in ``lang``."""
    import contextlib

    label = text(f"progress_{label}", lang)

    if total < 5 or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda *_: None)
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar():
        with Progress(transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda *_: progress.advance(task)

    return bar()


def format_option(help: str = "text for people, json for scripts (on stdout)."):
    """``--format text|json`` (the parameter ``fmt``), the same on every command."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )
