"""The ``leadbook`` command: a thin adapter over the library (STYLE.md 5).

Each command parses its options, calls one library function, prints, and exits:
0 all good, 1 findings of severity error, 2 cannot run (bad input, bad config, bad options).
Heavy modules are imported inside the commands, so ``leadbook --help`` stays fast. One module
per command (or pair of commands); the shared options are in ``options``.
"""

from __future__ import annotations

import sys

import click

from leadbook import __version__
from leadbook.cli.assign import assign
from leadbook.cli.history import history
from leadbook.cli.merge import handoff, merge
from leadbook.cli.new import new
from leadbook.cli.report import report
from leadbook.cli.sample import sample
from leadbook.cli.split import split
from leadbook.cli.usage import LeadbookGroup
from leadbook.cli.validate import validate
from leadbook.core.messages import lang_of, text


@click.group(cls=LeadbookGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leadbook")
def cli() -> None:
    """Make, check, merge and report on sales-lead workbooks (销售线索台账).

    \b
    Example:
      leadbook new leads.xlsx
    """


for command in (new, validate, sample, merge, report, handoff, assign, history, split):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="leadbook")
    except KeyboardInterrupt:
        click.echo(text("interrupted", lang_of(sys.argv[1:])), err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
