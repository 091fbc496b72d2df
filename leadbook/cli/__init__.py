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
from leadbook.core.errors import LeadbookError

FILE_PATH = click.Path(dir_okay=False, path_type=Path)  # an input or output file


class CannotRun(click.ClickException):
    """A LeadbookError shown as one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"leadbook: {self.format_message()}", err=True)


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


def _password(password_env: str | None, encrypt: bool = False) -> str | None:
    """The password named by --password-env; one line and exit 2 when it is not set."""
    from leadbook.core.crypto import password_from_env

    if encrypt and not password_env:
        raise click.UsageError("--encrypt needs --password-env VAR (the password to lock with)")
    try:
        return password_from_env(password_env)
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None


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
    from leadbook.core.config import load_config
    from leadbook.workbook.template import write_workbook

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
        from leadbook.read.normalize import parse_datetime

        parsed = parse_datetime(str(value))
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(f"{value!r} is not a date or time like 2024-06-30 18:00", param, ctx)
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
@password_option
@encrypt_option("the annotated copies (--annotate)")
def validate(
    paths, fmt, annotate_dir, as_of, config_path, strict, lang, force, password_env, encrypt
) -> None:
    """Check filled lead workbooks and point at every bad cell.

    \b
    PATHS are workbooks, folders (searched recursively) or globs. Findings are
    printed per file, worst first, as `sheet!C12  code  message  hint`.
    Exit code: 0 no errors, 1 errors found (or warnings with --strict),
    2 a file could not be read or the options are wrong.

    \b
    Example:
      leadbook validate reps/ --annotate checked/ --as-of 2024-06-30
      leadbook validate locked/ --password-env LEADS_PW --annotate checked/ --encrypt
    """
    from leadbook.check.render import render_json, render_text
    from leadbook.check.validate import validate_paths
    from leadbook.core.config import load_config
    from leadbook.read.reader import expand_paths

    if encrypt and annotate_dir is None:
        raise click.UsageError("--encrypt locks the annotated copies: give --annotate DIR")
    password = _password(password_env, encrypt)
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
        report = validate_paths(
            paths, config=config, as_of=as_of, lang=lang, on_file=advance, password=password
        )
    if annotate_dir is not None:
        _annotate_all(report, annotate_dir, lang, force, password, encrypt)
    if fmt == "json":
        click.echo(render_json(report))
    else:
        click.echo(render_text(report, color=sys.stdout.isatty()))
    sys.exit(report.exit_code(strict))


def _annotate_all(report, out_dir: Path, lang: str, force: bool, password, encrypt) -> None:
    from leadbook.check.annotate import annotate

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
            annotate(
                src,
                file_report,
                out_dir,
                lang=lang,
                force=force,
                password=password,
                encrypt=encrypt,
            )
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

    from leadbook.core.config import load_config
    from leadbook.sample.make import make_sample

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


@cli.command()
@click.argument("paths", nargs=-1)
@click.option(
    "-o",
    "--out",
    type=FILE_PATH,
    help="The master workbook to write (default with --into: the --into master itself).",
)
@click.option(
    "--into",
    type=FILE_PATH,
    help="Last week's master: merged with PATHS and, without -o, replaced atomically.",
)
@click.option(
    "--conflicts",
    "conflicts_path",
    type=FILE_PATH,
    help="Write the conflicts report (differing fields, renumbered IDs, 撞单) as .xlsx or .csv "
    "(a .csv cannot be encrypted: with --encrypt write .xlsx).",
)
@click.option("--valid-only", is_flag=True, help="Leave out rows with error findings (counted).")
@as_of_option
@config_option
@lang_option
@click.option("--force", is_flag=True, help="Overwrite the master or the report if it exists.")
@password_option
@encrypt_option("the master and the conflicts report")
def merge(
    paths,
    out,
    into,
    conflicts_path,
    valid_only,
    as_of,
    config_path,
    lang,
    force,
    password_env,
    encrypt,
) -> None:
    """Merge reps' workbooks into one master workbook, with provenance.

    \b
    PATHS are workbooks, folders (searched recursively), globs or earlier
    masters. One row per lead: the version with the latest contact wins and
    differing fields are reported; customers under several lead IDs (撞单)
    are grouped, the first registration owns them. Rows with findings are
    kept and flagged. Exit code: 0 merged, 1 merged but an input was
    unreadable (skipped), 2 nothing could run.

    \b
    Example:
      leadbook merge reps/ -o master.xlsx --conflicts conflicts.xlsx
      leadbook merge new-week/ --into master.xlsx
      leadbook merge reps/ -o master.xlsx --password-env LEADS_PW --encrypt
    """

    from leadbook.core.atomic import check_target
    from leadbook.core.config import load_config
    from leadbook.core.crypto import is_encrypted
    from leadbook.merge.conflicts import check_report_path, summary_lines, write_conflicts
    from leadbook.merge.master import merge_paths, write_master
    from leadbook.read.reader import expand_paths

    if not paths and into is None:
        raise click.UsageError("give the workbooks to merge (PATHS), or --into MASTER")
    if out is None and into is None:
        raise click.UsageError("give the master to write with -o MASTER.xlsx (or --into)")
    if encrypt and conflicts_path is not None and conflicts_path.suffix.lower() == ".csv":
        raise click.UsageError(
            f"--conflicts {conflicts_path}: a CSV file cannot be encrypted; use .xlsx"
        )
    password = _password(password_env, encrypt)
    out = out or into
    in_place = into is not None and out.resolve() == into.resolve()
    try:
        config = load_config(config_path)
        if into is not None and not into.is_file():
            raise CannotRun(f"{into}: --into master not found")
        if in_place and not encrypt and is_encrypted(into):
            raise CannotRun(
                f"{into}: the master is encrypted; add --encrypt to keep it so "
                "(or -o to write an unencrypted copy)"
            )
        check_target(out, force=force or in_place)
        if conflicts_path is not None:
            check_target(check_report_path(conflicts_path, encrypted=encrypt), force=force)
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    inputs = [str(into)] * (into is not None) + [str(p) for p in paths]
    with _progress(len(expand_paths(inputs)), "merge") as advance:
        result = merge_paths(
            inputs,
            config=config,
            as_of=as_of,
            lang=lang,
            valid_only=valid_only,
            on_file=advance,
            password=password,
        )
    if result.files_read == 0:
        for line in summary_lines(result, lang):
            click.echo(line, err=True)
        raise CannotRun("no readable workbook among the inputs: nothing merged")
    master_error = next((f.error for f in result.unreadable if into and f.path == str(into)), None)
    if master_error is not None:  # merging without its rows would lose them
        raise CannotRun(f"{into}: {master_error}: nothing merged, nothing written")
    try:
        lock = password if encrypt else None
        write_master(result, out, config=config, lang=lang, force=force or in_place, password=lock)
        if conflicts_path is not None:
            write_conflicts(result, conflicts_path, lang=lang, force=force, password=lock)
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    for line in summary_lines(result, lang):
        click.echo(line)
    click.echo(f"wrote {out}" + (f", {conflicts_path}" if conflicts_path else ""))
    sys.exit(1 if result.unreadable else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--period",
    type=click.Choice(["week", "month", "quarter"]),
    default="month",
    show_default=True,
    help="The calendar week (Mon-Sun), month or quarter containing --as-of, up to --as-of; "
    "compared with the whole period before.",
)
@as_of_option
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
@lang_option
@config_option
@password_option
@encrypt_option("the Excel summary (--xlsx; an HTML page cannot be encrypted)")
def report(
    paths, period, as_of, html_path, xlsx_path, redact, lang, config_path, password_env, encrypt
) -> None:
    """Report on workbooks or a merged master: conversion, cycle, SLA, dormancy.

    \b
    PATHS are workbooks, folders (searched recursively), globs or a master.
    Prints the headline numbers; --html and --xlsx write the page and the
    Excel summary (replaced if they exist). Exit code: 0 written, 1 written
    but an input was unreadable (left out), 2 nothing could run.

    \b
    Example:
      leadbook report master.xlsx --period week --html report.html --xlsx summary.xlsx
      leadbook report reps/ --as-of 2024-06-30 --redact --html wide.html
      leadbook report master.xlsx --xlsx summary.xlsx --password-env LEADS_PW --encrypt
    """
    from leadbook.core.config import load_config
    from leadbook.read.reader import expand_paths
    from leadbook.report.make import make_report
    from leadbook.report.view import summary_lines

    if encrypt and xlsx_path is None:
        raise click.UsageError("--encrypt locks the Excel summary: give --xlsx FILE")
    if encrypt and html_path is not None:
        raise click.UsageError(
            "--encrypt: an HTML page cannot be encrypted; write --html in a run without --encrypt"
        )
    password = _password(password_env, encrypt)
    try:
        config = load_config(config_path)
        with _progress(len(expand_paths([str(p) for p in paths])), "report") as advance:
            result = make_report(
                paths,
                period=period,
                as_of=as_of,
                html=html_path,
                xlsx=xlsx_path,
                redact=redact,
                lang=lang,
                config=config,
                on_file=advance,
                password=password,
                encrypt=encrypt,
            )
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    view = result.view
    if not view.files:
        for path, error in view.unreadable:
            click.echo(f"leadbook: {path}: {error}", err=True)
        raise CannotRun("no readable workbook among the inputs: nothing to report")
    for line in summary_lines(view):
        click.echo(line)
    for written in (result.html, result.xlsx):
        if written is not None:
            click.echo(f"wrote {written}")
    sys.exit(1 if view.unreadable else 0)


@cli.command()
@click.argument("source", type=FILE_PATH)
@click.option(
    "--lead",
    "leads",
    multiple=True,
    required=True,
    help="A lead ID to hand over (repeat for several).",
)
@click.option(
    "--to",
    "target",
    required=True,
    type=FILE_PATH,
    help="The workbook of the rep who takes the leads over.",
)
@click.option("--rep", required=True, help="The new owner, as the 跟进人 column names reps (*李).")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the two new copies (default: each workbook's own folder).",
)
@as_of_option
@config_option
@click.option("--force", is_flag=True, help="Overwrite copies that already exist.")
@password_option
@encrypt_option("the two copies")
def handoff(
    source, leads, target, rep, out_dir, as_of, config_path, force, password_env, encrypt
) -> None:
    """Hand leads over to another rep, with their whole follow-up log (R-K5).

    \b
    Writes SOURCE.handoff.xlsx without the leads and TARGET.handoff.xlsx with
    them appended: 最近跟进人 becomes the new rep and the log gets an entry
    "转交自 <previous owner>". The original workbooks are not changed.

    \b
    Example:
      leadbook handoff rep01.xlsx --lead EXPO20240521001 --to rep02.xlsx --rep *李
    """
    from leadbook.core.config import load_config
    from leadbook.merge.handoff import handoff as hand_over

    password = _password(password_env, encrypt)
    if out_dir is not None and not out_dir.is_dir():
        raise CannotRun(f"{out_dir}: folder does not exist")
    try:
        config = load_config(config_path)
        result = hand_over(
            source,
            target,
            leads,
            rep,
            out_dir=out_dir,
            config=config,
            as_of=as_of,
            force=force,
            password=password,
            encrypt=encrypt,
        )
    except LeadbookError as exc:
        raise CannotRun(str(exc)) from None
    moved = ", ".join(old if old == new else f"{old} -> {new}" for old, new in result.moved)
    click.echo(
        f"handed {len(result.moved)} leads ({result.log_entries} log entries) to {rep}: {moved}"
    )
    for name, old, new in result.renumbered:
        click.echo(f"  {name}: lead ID {old} is now {new} (the workbook's ID formula)")
    click.echo(f"wrote {result.source_out}, {result.target_out}")


def main() -> None:
    try:
        cli(prog_name="leadbook")
    except KeyboardInterrupt:
        click.echo("leadbook: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
