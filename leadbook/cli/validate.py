"""``leadbook validate``: check workbooks, print the findings, write annotated copies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadbook.cli.options import (
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
@format_option()
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a marked-up copy of each workbook into this folder (.xls, .ods and .csv "
    "inputs as .xlsx copies).",
)
@as_of_option
@config_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--all",
    "all_cells",
    is_flag=True,
    help="One line per bad cell (text). Without it, one code in one column on many rows "
    "is one line: the rows as ranges, their count and the first values.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes for a large batch (default: one per core, up to 4, when the files "
    "add up to 8 MB or more; 1: none). Also LEADBOOK_JOBS.",
)
@lang_option
@click.option("--force", is_flag=True, help="Overwrite annotated copies that already exist.")
@password_option
@encrypt_option("the annotated copies (--annotate)")
def validate(
    paths,
    fmt,
    annotate_dir,
    as_of,
    config_path,
    strict,
    all_cells,
    jobs,
    lang,
    force,
    password_env,
    encrypt,
) -> None:
    """Check filled lead workbooks and point at every bad cell.

    \b
    PATHS are workbooks, folders (searched recursively) or globs. Findings are
    printed per file, worst first, as `sheet!C12  code  message  hint`.
    With reps in the team config, the hand-in check follows: reps without a
    workbook, workbooks of no configured rep.
    Exit code: 0 no errors, 1 errors found (or warnings with --strict),
    2 a file could not be read or the options are wrong.

    \b
    Example:
      leadbook validate reps/ --annotate checked/ --as-of 2024-06-30
      leadbook validate locked/ --password-env LEADS_PW --annotate checked/ --encrypt
    """
    from leadbook.check.render import render_text, write_json
    from leadbook.check.validate import validate_paths
    from leadbook.core.config import load_config
    from leadbook.read.reader import expand_paths
    from leadbook.team.handin import Seen, check_hand_in, hand_in_dict, hand_in_lines

    if encrypt and annotate_dir is None:
        raise click.UsageError(message("encrypt_needs_annotate", lang))
    password = password_from_option(password_env, encrypt, lang)
    try:
        config = load_config(config_path)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    if annotate_dir is not None and not annotate_dir.is_dir():
        try:
            annotate_dir.mkdir(parents=True)
        except OSError as exc:
            raise CannotRun(
                message("cannot_create_folder", lang, path=annotate_dir, reason=exc.strerror)
            ) from None
    total = len(expand_paths([str(p) for p in paths]))
    seen = Seen(config)  # the hand-in check (reps in the team config)
    with progress(total, "validate", lang) as advance:
        report = validate_paths(
            paths,
            config=config,
            as_of=as_of,
            lang=lang,
            on_file=advance,
            password=password,
            keep_lead_ids=annotate_dir is not None,
            on_frames=seen.take if config.reps else None,
            jobs=jobs,
        )
    annotated = True
    if annotate_dir is not None:
        annotated = _annotate_all(report, annotate_dir, lang, force, password, encrypt)
    hand_in = check_hand_in(seen, config)
    if fmt == "json":
        extra = None if hand_in is None else {"handin": hand_in_dict(hand_in)}
        pieces: list[str] = []

        def write(text: str) -> None:  # in pieces of about 1,000 findings, not one by one
            pieces.append(text)
            if len(pieces) >= 1_000:
                click.echo("".join(pieces), nl=False)
                pieces.clear()

        write_json(report, write, extra)
        click.echo("".join(pieces))
    else:
        click.echo(render_text(report, color=sys.stdout.isatty(), all_cells=all_cells))
        for line in hand_in_lines(hand_in, lang):
            click.echo(line)
    sys.exit(report.exit_code(strict) if annotated else 2)


def _annotate_all(report, out_dir: Path, lang: str, force: bool, password, encrypt) -> bool:
    """Write the annotated copies; a copy that cannot be written is a note on its file (its
    findings stay). Returns whether every copy was written."""
    from leadbook.check.annotate import annotate, copy_name

    done = True
    taken: set[str] = set()
    for file_report in report.files:
        if not file_report.read:
            continue
        src = Path(file_report.path)
        name = copy_name(src)
        if name.lower() in taken:  # a.xls and a.xlsx in one run: the second copy is renamed
            name = f"{src.stem} ({src.suffix.lstrip('.')}).xlsx"
        taken.add(name.lower())
        try:
            annotate(
                src,
                file_report,
                out_dir,
                lang=lang,
                force=force,
                password=password,
                encrypt=encrypt,
                name=name,
            )
        except LeadbookError as exc:
            file_report.notes.append(exc.text(lang))
            done = False
    return done
