"""``leadbook merge`` and ``leadbook handoff``: one master from every rep's workbook; leads moved between reps."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

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
    messages_lang_option,
    password_from_option,
    password_option,
    progress,
)
from leadbook.core.errors import LeadbookError


@click.command()
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
@format_option("text for people, json for scripts (the summary and the hand-in check, on stdout).")
@click.option(
    "--history",
    "history_path",
    type=FILE_PATH,
    help="Record the master's state in this history store (SQLite; a master names the store "
    "beside it). With --into it is recorded anyway, beside the master written "
    "(MASTER.history.sqlite).",
)
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
    fmt,
    history_path,
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
    kept and flagged. With reps in the team config, the hand-in check lists
    the reps who sent no workbook, workbooks of no configured rep and (with
    --into) workbooks with no contact newer than the master's. Exit code: 0 merged, 1 merged but an input was
    unreadable (skipped), 2 nothing could run.

    \b
    Each merge --into (and -o with --history) records the master's state in
    the history store beside it (master.history.sqlite; one snapshot per
    week, a re-run of the week replaces it): see leadbook history.

    \b
    Example:
      leadbook merge reps/ -o master.xlsx --conflicts conflicts.xlsx
      leadbook merge new-week/ --into master.xlsx
      leadbook merge reps/ -o master.xlsx --history master.history.sqlite
      leadbook merge reps/ -o master.xlsx --password-env LEADS_PW --encrypt
    """

    from leadbook.core.atomic import check_target, refuse_inputs
    from leadbook.core.config import load_config
    from leadbook.core.crypto import is_encrypted
    from leadbook.merge.conflicts import check_report_path, summary_lines, write_conflicts
    from leadbook.merge.into import check_master
    from leadbook.merge.master import merge_paths, write_master
    from leadbook.read.reader import expand_paths
    from leadbook.team.handin import Seen, check_hand_in

    if not paths and into is None:
        raise click.UsageError(message("merge_no_inputs", lang))
    if out is None and into is None:
        raise click.UsageError(message("merge_no_out", lang))
    if encrypt and conflicts_path is not None and conflicts_path.suffix.lower() == ".csv":
        raise click.UsageError(message("conflicts_csv_encrypted", lang, path=conflicts_path))
    password = password_from_option(password_env, encrypt, lang)
    out = out or into
    in_place = into is not None and out.resolve() == into.resolve()
    inputs = [str(into)] * (into is not None) + [str(p) for p in paths]
    try:
        config = load_config(config_path)
        if into is not None and not into.is_file():
            raise CannotRun(message("into_missing", lang, path=into))
        if in_place and not encrypt and is_encrypted(into):
            raise CannotRun(message("master_encrypted", lang, path=into))
        check_target(out, force=force or in_place)
        if conflicts_path is not None:
            check_target(check_report_path(conflicts_path, encrypted=encrypt), force=force)
        refuse_inputs([None if in_place else out, conflicts_path], expand_paths(inputs), lang)
        if into is not None:
            check_master(into, lang=lang, password=password)
        store = _history_store(into, out, history_path)
        if store is not None:
            from leadbook.history.store import check_store

            check_store(store)
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    seen = Seen(config)
    with _merge_lock(into is not None or store is not None, out, lang):
        with progress(len(expand_paths(inputs)), "merge", lang) as advance:
            result = merge_paths(
                inputs,
                config=config,
                as_of=as_of,
                lang=lang,
                valid_only=valid_only,
                on_file=advance,
                password=password,
                on_frames=seen.take,
            )
        if result.files_read == 0:
            for line in summary_lines(result, lang):
                click.echo(line, err=True)
            raise CannotRun(message("nothing_merged", lang))
        master_error = next(
            (f.error for f in result.unreadable if into and f.path == str(into)), None
        )
        if master_error is not None:  # merging without its rows would lose them
            raise CannotRun(message("master_unreadable", lang, path=into, error=master_error))
        try:
            lock = password if encrypt else None
            write_master(
                result, out, config=config, lang=lang, force=force or in_place, password=lock
            )
            if conflicts_path is not None:
                write_conflicts(result, conflicts_path, lang=lang, force=force, password=lock)
        except LeadbookError as exc:
            raise CannotRun.of(exc, lang) from None
        recorded = _record_history(result, store, out, config, lang)  # still under the lock
    _show(result, check_hand_in(seen, config), [out, conflicts_path], fmt, lang, recorded)
    sys.exit(1 if result.unreadable or recorded == "" else 0)


def _history_store(into, out, history_path):
    """The history store this merge records into: --history, else beside the master an
    --into merge writes, else none."""
    from leadbook.history.store import store_path

    if history_path is not None:
        return store_path(history_path)  # a store, or a master: the store beside it
    return None if into is None else store_path(out)


def _record_history(result, store, out, config, lang: str) -> str | None:
    """Record the snapshot; the line to print (None: no store; "": failed, said on stderr).
    The master is written by then: a failure says so, and exits 1."""
    if store is None:
        return None
    from leadbook.merge.history import record_snapshot

    try:
        info = record_snapshot(result, store, master=out, config=config)
    except LeadbookError as exc:
        click.echo(message("history_failed", lang, path=store, error=exc.text(lang)), err=True)
        return ""
    key = "history_replaced" if info.replaced else "history_recorded"
    return message(key, lang, week=info.week, leads=info.leads, path=store)


def _show(result, hand_in, written, fmt: str, lang: str, recorded: str | None = None) -> None:
    """The summary (and the hand-in check, the history line) as text lines or one JSON
    document."""
    from leadbook.core.show import shown_path
    from leadbook.merge.conflicts import summary_lines
    from leadbook.team.handin import hand_in_dict, hand_in_lines

    written = [p for p in written if p is not None]
    if fmt == "json":
        import json

        from leadbook.merge.results import summary_dict

        doc = {"version": 1, **summary_dict(result), "handin": hand_in_dict(hand_in)}
        doc["written"] = [shown_path(p) for p in written]
        doc["history"] = recorded or None
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    for line in summary_lines(result, lang) + hand_in_lines(hand_in, lang):
        click.echo(line)
    click.echo(message("wrote", lang, paths=", ".join(str(p) for p in written)))
    if recorded:
        click.echo(recorded)


@contextlib.contextmanager
def _merge_lock(locked: bool, out, lang: str):
    """While merging into a master (or recording its history), hold its lock (a second merge
    waits, saying so)."""
    if not locked:
        yield
        return
    from leadbook.merge.into import master_lock

    try:
        with master_lock(out, lang=lang, on_wait=lambda text: click.echo(text, err=True)):
            yield
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None


@click.command()
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
    help="Folder for the two new copies, created if missing (default: each workbook's own folder).",
)
@click.option(
    "--history",
    "history_path",
    type=FILE_PATH,
    help="Record the moves in this master's history store (MASTER.history.sqlite beside it; "
    "or the store itself).",
)
@as_of_option
@config_option
@click.option("--force", is_flag=True, help="Overwrite copies that already exist.")
@password_option
@encrypt_option("the two copies")
@messages_lang_option
def handoff(
    source,
    leads,
    target,
    rep,
    out_dir,
    history_path,
    as_of,
    config_path,
    force,
    password_env,
    encrypt,
    lang,
) -> None:
    """Hand leads over to another rep, with their whole follow-up log (R-K5).

    \b
    Writes SOURCE.handoff.xlsx without the leads and TARGET.handoff.xlsx with
    them appended: 最近跟进人 becomes the new rep and the log gets an entry
    by the previous owner, "移交给 *李(原负责 *张)". Lead IDs stay as they
    are (a moved ID the target already uses gets the next free sequence, and
    is reported). The original workbooks are not changed.

    \b
    Example:
      leadbook handoff rep01.xlsx --lead EXPO20240521001 --to rep02.xlsx --rep *李
      leadbook handoff ZH.xlsx --lead EXPO20240521ZH001 --to LI.xlsx --rep *李 --history master.xlsx
    """
    from leadbook.core.config import load_config
    from leadbook.merge.handoff import handoff as hand_over

    password = password_from_option(password_env, encrypt, lang)
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
            history=history_path,
        )
    except LeadbookError as exc:
        raise CannotRun.of(exc, lang) from None
    moved = ", ".join(old if old == new else f"{old} -> {new}" for old, new in result.moved)
    click.echo(
        message(
            "handoff_done",
            lang,
            count=len(result.moved),
            entries=result.log_entries,
            rep=rep,
            moved=moved,
        )
    )
    for name, old, new in result.renumbered:
        click.echo(message("handoff_id_taken", lang, name=name, old=old, new=new))
    click.echo(message("wrote", lang, paths=f"{result.source_out}, {result.target_out}"))
    if result.history is not None:
        click.echo(message("handoff_history", lang, count=len(result.moves), path=result.history))
