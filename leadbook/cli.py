"""The ``leadbook`` command: a thin adapter over the library (STYLE.md 5).

Each command parses its options, calls one library function, prints, and exits:
0 all good, 1 findings of severity error, 2 cannot run (bad input, bad config, bad options).
Heavy modules are imported inside the commands, so ``leadbook --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadbook import __version__
from leadbook.errors import LeadbookError


class CannotRun(click.ClickException):
    """A LeadbookError shown as one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"leadbook: {self.format_message()}", err=True)


def config_option(f):
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Team config (TOML) overriding lists, channel codes, SLA hours, dormancy days, reps.",
    )(f)


def lang_option(f):
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of sheet names, labels and messages.",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leadbook")
def cli() -> None:
    """Make, check, merge and report on sales-lead workbooks (销售线索台账).

    \b
    Example:
      leadbook new leads.xlsx
    """


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
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
    from leadbook.config import load_config
    from leadbook.template import write_workbook

    try:
        config = load_config(config_path)
        path = write_workbook(out, config=config, lang=lang, rows=rows, force=force)
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    click.echo(f"wrote {path}")


def main() -> None:
    try:
        cli(prog_name="leadbook")
    except KeyboardInterrupt:
        click.echo("leadbook: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
