"""The command line's language: --lang read before click parses it, and click's own usage
errors (missing argument, unknown option, bad value) shown in it (``templates/messages.toml``).

Click writes its errors in English; in Chinese mode (the default) ``LeadbookGroup`` shows
them from the exception's own fields (the parameter, the option, the value), so a missing
argument reads 缺少参数 'PATHS...'. English mode shows click's text as it is.
"""

from __future__ import annotations

import re
import sys
from contextvars import ContextVar

import click
from click import exceptions as ce

from leadbook.core.messages import lang_of, text

LANG: ContextVar[str] = ContextVar("leadbook_lang", default="zh")


def current_lang(ctx: click.Context | None = None) -> str:
    """The --lang of the command being run (parsed or, before that, from the command line)."""
    while ctx is not None:
        lang = ctx.params.get("lang")
        if lang:
            return lang
        ctx = ctx.parent
    return LANG.get()


class LeadbookGroup(click.Group):
    """A group that shows usage errors in the command line's language."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = list(sys.argv[1:] if args is None else args)
        token = LANG.set(lang_of(args))
        try:
            try:
                rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except click.ClickException as exc:
                if not standalone_mode:
                    raise
                show(exc, LANG.get())
                sys.exit(exc.exit_code)
            except click.Abort:
                if not standalone_mode:
                    raise
                click.echo(text("interrupted", LANG.get()), err=True)
                sys.exit(130)
        finally:
            LANG.reset(token)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


def show(exc: click.ClickException, lang: str) -> None:
    """``exc`` as click shows it, in ``lang``."""
    if lang == "en" or not isinstance(exc, ce.UsageError):
        exc.show()
        return
    ctx = exc.ctx
    if ctx is not None:
        usage = ctx.get_usage()
        usage = text("usage", lang, usage=usage.removeprefix("Usage:").strip())
        click.echo(usage, err=True)
        if ctx.command.get_help_option(ctx) is not None:
            names = ctx.command.get_help_option_names(ctx)
            command = f"{ctx.command_path} {max(names, key=len)}"
            click.echo(text("usage_try", lang, command=command) + "\n", err=True)
    click.echo(text("usage_error", lang, message=usage_message(exc, lang)), err=True)


def _hint(exc) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if isinstance(hint, (list, tuple)):
        return " / ".join(hint)
    return hint or ""


def _commands(ctx) -> str:
    group = ctx.command if ctx is not None else None
    names = group.list_commands(ctx) if isinstance(group, click.Group) else []
    return "、".join(names)


# click's English value messages and the catalogue entries they become.
_VALUES = [
    (
        re.compile(r"^(?P<value>.+?) is not (?:one of )?(?P<choices>'.*')\.$", re.S),
        "click_not_one_of",
    ),
    (re.compile(r"^(?P<value>.+?) is not a valid (?:integer|float)\.$", re.S), "click_not_number"),
    (
        re.compile(r"^(?P<value>.+?) is not in the range (?P<range>.+)\.$", re.S),
        "click_out_of_range",
    ),
    (re.compile(r"^(?:File|Path) (?P<path>.+) is a directory\.$", re.S), "click_path_is_folder"),
    (re.compile(r"^(?:Directory|Path) (?P<path>.+) is a file\.$", re.S), "click_path_is_file"),
]
_OPTION_VALUE = re.compile(r"^Option (?P<name>'[^']*') requires (?:an argument|\d+ arguments)\.$")
_NO_VALUE = re.compile(r"^Option (?P<name>'[^']*') does not take a value\.$")
_EXTRA = re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command (?P<name>'.*')\.$")


def _value(message: str, lang: str) -> str:
    for pattern, key in _VALUES:
        m = pattern.match(message)
        if m:
            return text(key, lang, **m.groupdict())
    return message


def usage_message(exc: ce.UsageError, lang: str) -> str:
    """The one-line reason of a usage error, in ``lang``."""
    if isinstance(exc, ce.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "argument")
        key = "click_missing_option" if kind == "option" else "click_missing_argument"
        return text(key, lang, name=_hint(exc))
    if isinstance(exc, ce.NoSuchOption):
        message = text("click_no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            names = ", ".join(sorted(exc.possibilities))
            message += text("click_did_you_mean", lang, names=names)
        return message
    if isinstance(exc, ce.BadParameter):
        detail = _value(exc.message, lang)
        hint = _hint(exc)
        return text("click_invalid_value", lang, param=hint, detail=detail) if hint else detail
    message = exc.message
    for pattern, key in (
        (_OPTION_VALUE, "click_option_needs_value"),
        (_NO_VALUE, "click_option_takes_no_value"),
        (_EXTRA, "click_extra_arguments"),
    ):
        m = pattern.match(message)
        if m:
            return text(key, lang, **m.groupdict())
    m = _NO_COMMAND.match(message)
    if m:
        return text("click_no_such_command", lang, name=m["name"], commands=_commands(exc.ctx))
    if message == "Missing command.":
        return text("click_missing_command", lang, commands=_commands(exc.ctx))
    return message
