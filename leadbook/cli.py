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


class AsOf(click.ParamType):
    """A point in time: ``2024-06-30`` or ``2024-06-30 18:00`` (ISO 8601 also)."""

    name = "time"

    def convert(self, value, param, ctx):
        from datetime import datetime

        if isinstance(value, datetime):
            return value
        from leadbook.normalize import parse_datetime

        parsed = parse_datetime(str(value))
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(f"{value!r} is not a date or time like 2024-06-30 18:00", param, ctx)
        return parsed.replace(tzinfo=None)


def as_of_option(f):
    return click.option(
        "--as-of",
        type=AsOf(),
        default=None,
        help="The time rules are checked at (SLA, dormancy, future dates). Default: now.",
    )(f)


def _progress(total: int, label: str):
    """A progress bar on a terminal when there are many files; otherwise nothing."""
    import contextlib

    if total < 5 or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda *_: None)
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar():
        with Progress(transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda *_: progress.advance(task)

    return bar()


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts (on stdout).",
)
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a marked-up copy of each workbook into this folder.",
)
@as_of_option
@config_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@lang_option
@click.option("--force", is_flag=True, help="Overwrite annotated copies that already exist.")
def validate(paths, fmt, annotate_dir, as_of, config_path, strict, lang, force) -> None:
    """Check filled lead workbooks and point at every bad cell.

    \b
    PATHS are workbooks, folders (searched recursively) or globs. Findings are
    printed per file, worst first, as `sheet!C12  code  message  hint`.
    Exit code: 0 no errors, 1 errors found (or warnings with --strict),
    2 a file could not be read or the options are wrong.

    \b
    Example:
      leadbook validate reps/ --annotate checked/ --as-of 2024-06-30
    """
    from leadbook.config import load_config
    from leadbook.reader import expand_paths
    from leadbook.render import render_json, render_text
    from leadbook.validate import validate_paths

    try:
        config = load_config(config_path)
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    if annotate_dir is not None and not annotate_dir.is_dir():
        try:
            annotate_dir.mkdir(parents=True)
        except OSError as exc:
            raise CannotRun(f"{annotate_dir}: cannot create folder: {exc.strerror}") from None
    total = len(expand_paths([str(p) for p in paths]))
    with _progress(total, "validate") as advance:
        report = validate_paths(paths, config=config, as_of=as_of, lang=lang, on_file=advance)
    if annotate_dir is not None:
        _annotate_all(report, annotate_dir, lang, force)
    if fmt == "json":
        click.echo(render_json(report))
    else:
        click.echo(render_text(report, color=sys.stdout.isatty()))
    sys.exit(report.exit_code(strict))


def _annotate_all(report, out_dir: Path, lang: str, force: bool) -> None:
    from leadbook.annotate import annotate

    for file_report in report.files:
        if file_report.error is not None:
            continue
        src = Path(file_report.path)
        if (out_dir / src.name).resolve() == src.resolve():
            file_report.error = (
                f"--annotate {out_dir} would overwrite the input: choose another folder"
            )
            continue
        try:
            annotate(src, file_report, out_dir, lang=lang, force=force)
        except LeadbookError as exc:
            file_report.error = str(exc)


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--reps",
    default=12,
    show_default=True,
    type=click.IntRange(1, 2000),
    help="How many reps, one workbook each.",
)
@click.option(
    "--leads",
    default=150,
    show_default=True,
    type=click.IntRange(1, 200_000),
    help="Leads per workbook.",
)
@click.option(
    "--seed",
    default=7,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same data.",
)
@click.option(
    "--defects",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of leads with one planted defect (listed in manifest.json).",
)
@as_of_option
@config_option
@click.option("--force", is_flag=True, help="Overwrite existing files in OUT_DIR.")
def sample(out_dir, reps, leads, seed, defects, as_of, config_path, force) -> None:
    """Write realistic sample workbooks, one per rep, into OUT_DIR.

    \b
    Plausible companies, regions, contacts, needs and follow-up logs, a few
    planted defects and a few customers in two reps' files (撞单), all listed
    in OUT_DIR/manifest.json. Deterministic for a seed and --as-of.

    \b
    Example:
      leadbook sample demo-out/reps --reps 12 --leads 150 --as-of 2024-06-30
    """
    from datetime import datetime

    from leadbook.config import load_config
    from leadbook.sample import make_sample

    as_of = as_of or datetime.now().replace(second=0, microsecond=0)
    try:
        config = load_config(config_path)
        result = make_sample(
            out_dir,
            reps=reps,
            leads=leads,
            seed=seed,
            defects=defects,
            as_of=as_of,
            config=config,
            force=force,
        )
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        f"wrote {len(result.paths)} workbooks x {leads} leads to {out_dir} "
        f"({len(result.defects)} planted defects, {len(result.duplicates)} shared customers; "
        f"see {result.manifest})"
    )


def main() -> None:
    try:
        cli(prog_name="leadbook")
    except KeyboardInterrupt:
        click.echo("leadbook: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
