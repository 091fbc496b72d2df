"""Workbooks (or a merged master) as two tables for the reports: one row per lead, one row per
follow-up log entry, each keyed to its lead.

Reading goes through ``validate_paths(..., on_frames=...)``, so a report reads exactly what
``leadbook validate`` checks, with the same tolerance (seed layouts, English headers). Lead IDs
are unique per workbook only, so a lead is keyed by (file, source file, lead ID): ``_lead``,
an integer, on both tables (null on a log entry that names no known lead).

The rep who owns a lead (``rep``): a master's provenance column 负责销售 when there is one;
otherwise the rep of its workbook, found as ``merge`` finds it (the most common 最近跟进人, else
the most common 跟进人 of the log, else the file's name; in a shared sheet, where no one
最近跟进人 names most rows, each row's own), so a report on the reps' workbooks and one on
their merged master agree.

Each lead is counted once (``leadbook.metrics.inputs``): workbooks a master given with them
covers are left out, older masters of the same team become ``snapshots``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.core.catalog import Catalog, Field, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.provenance import header_keys, is_master, shared_sheet
from leadbook.metrics.inputs import SOURCE_ID, Book, count_once
from leadbook.read.normalize import BAD, FILE, NUM, RAW, ROW

KEY = "_lead"  # integer key of a lead; on the log, the key of the lead an entry belongs to
SOURCE = "_source"  # a master's source-file column ("" for a rep's own workbook)
REP = "rep"
# A merged master's provenance columns (``leadbook.core.provenance``) that reports use.
EXTRA = {"rep": REP, "source_file": SOURCE, "source_lead_id": SOURCE_ID}


@dataclass(frozen=True)
class Snapshot:
    """An earlier state of the register: an older master given with the newest one, or a
    snapshot of the history store. ``register`` has the normalised register columns (field
    keys: lead_id, status, potential, channel, created_at, ...) and ``rep``; ``taken_at`` is
    the moment the state describes (the merge's as-of)."""

    taken_at: datetime
    register: pl.DataFrame
    source: str = ""


@dataclass
class Tables:
    """The leads (``register``) and the follow-up log of every readable input.

    ``files[i]`` is the path of the input whose rows carry ``_file == i``; ``unreadable``
    lists (path, reason) of the inputs that could not be read.
    """

    register: pl.DataFrame
    log: pl.DataFrame
    files: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # listed, not read: why
    snapshots: list[Snapshot] = field(default_factory=list)  # earlier states, oldest first

    @property
    def leads(self) -> int:
        return self.register.height


def load_tables(
    paths: Sequence[str | Path],
    *,
    config: TeamConfig | None = None,
    as_of: datetime | None = None,
    lang: str = "zh",
    on_file: Callable[[Any], None] | None = None,
    password: str | None = None,
) -> Tables:
    """Read workbooks, folders, globs or a master into :class:`Tables` (encrypted ones
    decrypted in memory with ``password``)."""
    from leadbook.check.validate import validate_paths

    config = config or load_config()
    catalog = load_catalog()
    books: list[Book] = []

    def take(file_report, raw, reg, log) -> None:
        master = is_master(header for _, header in raw.register.unknown)
        frame = _with_extras(_trim(reg), raw.register, password, master)
        if log is not None and raw.log is not None:
            log = _with_extras(_trim(log), raw.log, password, master)
        else:
            log = None
        books.append(Book(len(books), raw.path, master, frame, log))

    report = validate_paths(
        paths, config=config, catalog=catalog, as_of=as_of, lang=lang, on_file=on_file,
        on_frames=take, password=password, check=False,
    )  # fmt: skip
    counted = count_once(books, lang, as_of)  # a master and its workbooks: each lead once
    files = [f.path for f in report.files]
    unreadable = [(f.path, f.error) for f in report.files if f.error is not None]
    tables = _tables(counted.books, files, unreadable, catalog)
    noted = dict(counted.skipped)
    tables.skipped = [
        (f.path, f.skipped or noted[f.path])
        for f in report.files
        if f.skipped is not None or f.path in noted
    ]
    tables.snapshots = [
        Snapshot(b.taken_at or datetime.min, _tables([b], files, [], catalog).register, b.path)
        for b in counted.history
    ]
    return tables


def _tables(books: Sequence[Book], files, unreadable, catalog: Catalog) -> Tables:
    registers = [b.register for b in books]
    logs = [b.log for b in books if b.log is not None]
    register = pl.concat(registers, how="diagonal_relaxed") if registers else None
    log = pl.concat(logs, how="diagonal_relaxed") if logs else None
    if register is not None and SOURCE_ID in register.columns:
        register = register.drop(SOURCE_ID)
    return build_tables(register, log, files=files, unreadable=unreadable, catalog=catalog)


def _trim(frame: pl.DataFrame) -> pl.DataFrame:
    """Only the normalised values (the raw text and the flags are validation's business)."""
    return frame.select([c for c in frame.columns if not c.endswith((RAW, BAD, NUM))])


def _with_extras(frame: pl.DataFrame, sheet, password=None, master=True) -> pl.DataFrame:
    """Add a master's provenance columns (rep, source file, source lead ID), which the reader
    keeps as unknown columns (as ``merge`` does, only in a master: a rep's own 负责销售 column
    never stands for leadbook's)."""
    if not master:
        return frame
    keys = header_keys()
    wanted: dict[int, str] = {}
    for col, header in sheet.unknown:
        name = EXTRA.get(keys.get(header, ""))
        if name is not None and name not in wanted.values():
            wanted[col] = name
    if not wanted:
        return frame
    extras = [sheet.extra_series(col, frame[ROW]).alias(name) for col, name in wanted.items()]
    return frame.with_columns(extras)


def _schema(fields: Sequence[Field]) -> dict[str, pl.DataType]:
    return {f.key: pl.Datetime("us") if f.is_time else pl.String for f in fields}


def build_tables(
    register: pl.DataFrame | None,
    log: pl.DataFrame | None,
    *,
    files: Sequence[str] = (),
    unreadable: Sequence[tuple[str, str]] = (),
    catalog: Catalog | None = None,
) -> Tables:
    """Tables from normalised frames (as ``normalize.sheet_frame`` makes them, or built by
    hand in tests): every catalog field present (null where a sheet lacks it), leads keyed,
    log entries tied to their lead, each lead's rep."""
    catalog = catalog or load_catalog()
    reg = _complete(register, _schema(catalog.register))
    entries = _complete(log, _schema(catalog.log))
    reg = reg.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(KEY))
    # Lead IDs are unique per file (a master renumbers them); where one is not, the source
    # file (a master's 来源文件) tells the leads apart.
    ids = (
        reg.filter(pl.col("lead_id").is_not_null())
        .group_by(FILE, SOURCE, "lead_id")
        .agg(pl.col(KEY).min())
        .with_columns((pl.len().over(FILE, "lead_id") == 1).alias("_unique"))
    )
    by_id = ids.filter("_unique").select(FILE, "lead_id", pl.col(KEY).alias("_k1"))
    by_source = ids.filter(~pl.col("_unique")).select(
        FILE, SOURCE, "lead_id", pl.col(KEY).alias("_k2")
    )
    entries = (
        entries.drop(KEY, strict=False)
        .join(by_id, on=[FILE, "lead_id"], how="left")
        .join(by_source, on=[FILE, SOURCE, "lead_id"], how="left")
        .with_columns(pl.coalesce("_k1", "_k2").alias(KEY))
        .drop("_k1", "_k2")
    )
    reg = reg.with_columns(_rep(reg, entries, files).alias(REP))
    return Tables(reg, entries, list(files), list(unreadable))


def _complete(frame: pl.DataFrame | None, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    base = {FILE: pl.UInt32, ROW: pl.Int32, SOURCE: pl.String, REP: pl.String, **schema}
    if frame is None:
        return pl.DataFrame(schema=base)
    missing = [pl.lit(None, dtype=dtype).alias(k) for k, dtype in base.items() if k not in frame]
    frame = frame.with_columns(missing)
    casts = {k: dtype for k, dtype in base.items() if frame.schema[k] != dtype}
    if casts:
        frame = frame.cast(casts)  # type: ignore[arg-type]
    return frame.with_columns(pl.col(SOURCE).fill_null(""))


def _rep(reg: pl.DataFrame, log: pl.DataFrame, files: Sequence[str]) -> pl.Expr:
    """A master's rep column (负责销售); else the rep the way ``merge`` fills 负责销售. A
    workbook with one 最近跟进人 (a rep's own) is that rep's: its most common 最近跟进人, else
    its log's most common 跟进人, else the file's name. A shared sheet (several 最近跟进人, none
    on 80% of the rows: ``provenance.shared_sheet``) credits each lead to its row's 最近跟进人;
    a row without one to the most common 跟进人 of the lead's log entries, else to the sheet's
    usual rep."""
    by_file: dict[int, str] = {}
    for frame, key in ((log, "owner"), (reg, "last_owner")):  # the register wins
        usual = _most_common(frame, FILE, key)
        by_file |= dict(zip(usual[FILE].to_list(), usual[key].to_list(), strict=True))
    for i in reg[FILE].unique().drop_nulls().to_list():
        if i not in by_file:
            by_file[i] = Path(files[i]).stem if i < len(files) else f"#{i + 1}"
    fallback = pl.col(FILE).replace_strict(by_file, default=None, return_dtype=pl.String)
    named = reg.filter(pl.col("last_owner").is_not_null()).group_by(FILE, "last_owner").len()
    shared = [
        i
        for (i,), counts in named.group_by(FILE)
        if shared_sheet(zip(counts["last_owner"].to_list(), counts["len"].to_list(), strict=True))
    ]
    per_lead = _most_common(log.filter(pl.col(KEY).is_not_null()), KEY, "owner")
    lead_owner = pl.col(KEY).replace_strict(
        per_lead[KEY].to_list(), per_lead["owner"].to_list(), default=None, return_dtype=pl.String
    )
    own = pl.when(pl.col(FILE).is_in(shared)).then(pl.coalesce(pl.col("last_owner"), lead_owner))
    return pl.coalesce(pl.col(REP), own, fallback)


def _most_common(frame: pl.DataFrame, by: str, key: str) -> pl.DataFrame:
    """Per ``by``, the most common non-null ``key`` (ties: the first in sort order)."""
    return (
        frame.filter(pl.col(key).is_not_null())
        .group_by(by, key)
        .agg(pl.len())
        .sort(by, "len", key, descending=[False, True, False])
        .unique(by, keep="first", maintain_order=True)
    )
