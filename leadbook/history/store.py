"""The history store: one SQLite file beside the master (Python's ``sqlite3``, no server),
holding the state of every lead at every merge, so that last week's pipeline can be read next
to this week's. ``master.xlsx`` keeps its history in ``master.history.sqlite``
(:func:`store_path`).

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`; docs/history.md says the same):

- ``snapshots``: one row per merged week: ``id``, ``taken_at`` (the merge's as-of, ISO
  ``YYYY-MM-DDTHH:MM:SS``), ``week`` (its ISO week, ``2024-W26``, unique), ``master`` (the
  master's file name), ``leads`` (rows in the snapshot), ``leadbook_version``, ``written_at``
  (when the merge ran).
- ``leads``: one row per lead per snapshot (``snapshot_id`` -> ``snapshots.id``), only the
  fields the reports use: :data:`LEAD_COLUMNS`. No company, contact, phone, IM account, budget,
  decision or free text (R-K2): none of them is needed for a trend.
- ``moves``: one row per lead handed over (``leadbook handoff``): ``lead_id``,
  ``previous_id`` (the ID before, when the target had to renumber it), ``from_rep``,
  ``to_rep``, ``moved_at``.
- ``lead_history``: a view, every lead row with its snapshot's ``taken_at`` and ``week``.

A snapshot is written in one transaction: re-merging a week (the same ISO week of the as-of)
replaces that week's snapshot; a failure half-way leaves the store as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.core.errors import InputError, OutputError
from leadbook.core.mask import PREFILTER, mask_text

SCHEMA_VERSION = 1
SUFFIX = ".history.sqlite"
TIMEOUT = 30.0  # seconds a writer waits for another one (merges are locked anyway)

# (column, SQLite type): the fields the reports use, in this order
LEAD_COLUMNS = (
    ("lead_id", "TEXT"),
    ("rep", "TEXT"),  # the master's 负责销售 (masked, *张)
    ("channel", "TEXT"),
    ("status", "TEXT"),
    ("potential", "TEXT"),
    ("industry", "TEXT"),  # the GB/T 4754 section
    ("loss_reason", "TEXT"),
    ("created_at", "TEXT"),
    ("last_contact_at", "TEXT"),
    ("next_due", "TEXT"),
    ("first_contact_at", "TEXT"),  # the first logged contact
    ("won_at", "TEXT"),  # a won lead: the first log entry changing to a won status, else
    ("lost_at", "TEXT"),  # 最近跟进时间 (the same for lost)
    ("source_file", "TEXT"),  # the master's 来源文件
)
LEAD_KEYS = tuple(name for name, _ in LEAD_COLUMNS)
TIMES = frozenset(k for k in LEAD_KEYS if k.endswith(("_at", "_due")))

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    taken_at TEXT NOT NULL,
    week TEXT NOT NULL UNIQUE,
    master TEXT NOT NULL,
    leads INTEGER NOT NULL,
    leadbook_version TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leads (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    {", ".join(f"{name} {kind}" for name, kind in LEAD_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS leads_by_snapshot ON leads(snapshot_id);
CREATE INDEX IF NOT EXISTS leads_by_lead ON leads(lead_id);
CREATE TABLE IF NOT EXISTS moves (
    id INTEGER PRIMARY KEY,
    lead_id TEXT NOT NULL,
    previous_id TEXT NOT NULL,
    from_rep TEXT NOT NULL,
    to_rep TEXT NOT NULL,
    moved_at TEXT NOT NULL
);
CREATE VIEW IF NOT EXISTS lead_history AS
    SELECT s.taken_at, s.week, l.* FROM leads l JOIN snapshots s ON s.id = l.snapshot_id;
"""


@dataclass(frozen=True)
class SnapshotInfo:
    """One row of ``snapshots`` (``won`` and ``open`` counted with the config's status
    groups when listed by :func:`list_snapshots`)."""

    id: int
    taken_at: datetime
    week: str
    master: str
    leads: int
    leadbook_version: str
    won: int = 0
    open: int = 0
    replaced: bool = False  # written by write_snapshot over the same week's snapshot


@dataclass(frozen=True)
class StoredSnapshot:
    """A snapshot read back: its row, and its leads as dicts (times as ``datetime``)."""

    info: SnapshotInfo
    leads: list[dict[str, Any]]


@dataclass(frozen=True)
class Move:
    lead_id: str
    previous_id: str
    from_rep: str
    to_rep: str
    moved_at: datetime


WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def store_path(master: str | Path) -> Path:
    """The history store beside ``master``: ``master.xlsx`` -> ``master.history.sqlite``; any
    other path (``team.sqlite``) names the store itself."""
    master = Path(master)
    if master.suffix.lower() not in WORKBOOKS:
        return master
    stem = master.name[: -len(master.suffix)] if master.suffix else master.name
    return master.with_name(stem + SUFFIX)


def week_label(when: datetime | date) -> str:
    """The ISO week of ``when``: ``2024-W26`` (Monday to Sunday; 2024-12-30 is 2025-W01)."""
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


@contextmanager
def _open(path: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
    """A connection to a store of this schema version (made when ``create``), else
    ``InputError`` (missing, not a store, made by a newer leadbook)."""
    if not create and not path.is_file():
        raise InputError(key="history_missing", path=path)
    if path.exists() and not path.is_file():
        raise OutputError(key="history_not_file", path=path)
    try:
        con = sqlite3.connect(path, timeout=TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise OutputError(key="history_unwritable", path=path, error=str(exc)) from None
    with closing(con):
        try:
            con.execute("PRAGMA foreign_keys = ON")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise InputError(
                    key="history_newer", path=path, version=version, known=SCHEMA_VERSION
                )
            if version == 0:
                tables = con.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if tables.fetchall():  # an SQLite file of something else
                    raise InputError(key="history_not_store", path=path)
                if create:
                    con.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION};"
                                      " COMMIT;")  # fmt: skip
        except sqlite3.DatabaseError as exc:
            raise InputError(key="history_unreadable", path=path, error=str(exc)) from None
        yield con


def check_store(path: str | Path) -> None:
    """Before a merge writes anything: ``path`` is a store leadbook can add to (or can be made
    there). Raises ``LeadbookError``."""
    path = Path(path)
    if path.exists():
        with _open(path, create=False):
            return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(key="output_folder_missing", path=path, folder=folder)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat()
    return None


def _text(value: Any) -> str | None:
    """A text value as stored: masked (no mobile or e-mail can reach the store), or None."""
    if value is None or value == "":
        return None
    return mask_text(str(value))


def lead_frame(leads: pl.DataFrame | Iterable[dict[str, Any]]) -> pl.DataFrame:
    """The lead rows as the store writes them: :data:`LEAD_KEYS` in order (missing ones
    empty), times as ISO text (a time that is not a date-time, unreadable text, as NULL), texts
    masked (no mobile or e-mail can reach the store; each distinct value masked once)."""
    if not isinstance(leads, pl.DataFrame):
        rows = [{k: _plain(k, lead.get(k)) for k in LEAD_KEYS} for lead in leads]
        schema = {k: pl.Datetime("us") if k in TIMES else pl.String for k in LEAD_KEYS}
        leads = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    columns = []
    for key in LEAD_KEYS:
        if key not in leads.columns:
            columns.append(pl.lit(None, dtype=pl.String).alias(key))
        elif key in TIMES and leads.schema[key] in (pl.Datetime, pl.Date):
            time = pl.col(key).cast(pl.Datetime("us"))
            columns.append(time.dt.strftime("%Y-%m-%dT%H:%M:%S").alias(key))
        elif key in TIMES:  # text: not a date-time
            columns.append(pl.lit(None, dtype=pl.String).alias(key))
        else:
            columns.append(_masked(leads, key))
    return leads.select(columns)


def _plain(key: str, value: Any) -> Any:
    if key in TIMES:
        if isinstance(value, datetime):
            return value
        return datetime(value.year, value.month, value.day) if isinstance(value, date) else None
    return None if value is None else str(value)


def _masked(frame: pl.DataFrame, key: str) -> pl.Expr:
    """Column ``key`` as text, empty as NULL, mobiles and e-mails masked."""
    col = pl.col(key).cast(pl.String)
    values = frame[key].cast(pl.String)
    suspects = values.filter(values.str.contains(PREFILTER)).unique().to_list()
    table = {v: m for v in suspects if (m := mask_text(v)) != v}
    text = pl.when(col != "").then(col)
    return (text.replace(table) if table else text).alias(key)


def write_snapshot(
    path: str | Path,
    leads: pl.DataFrame | Iterable[dict[str, Any]],
    *,
    taken_at: datetime,
    master: str,
    version: str,
    written_at: datetime | None = None,
    _fail_after: int | None = None,  # tests: raise after this many lead rows (atomicity)
) -> SnapshotInfo:
    """Append the master's state (``leads``: a frame or dicts with :data:`LEAD_KEYS`) as the
    snapshot of ``taken_at``'s ISO week, replacing that week's snapshot if there is one. One
    transaction: on any error the store is left as it was. Raises ``LeadbookError``."""
    path = Path(path)
    week = week_label(taken_at)
    written_at = written_at or datetime.now()
    frame, shown = lead_frame(leads), _text(master) or ""
    with _open(path, create=True) as con:
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                old = con.execute("SELECT id FROM snapshots WHERE week = ?", (week,)).fetchone()
                if old is not None:
                    con.execute("DELETE FROM leads WHERE snapshot_id = ?", old)
                    con.execute("DELETE FROM snapshots WHERE id = ?", old)
                cur = con.execute(
                    "INSERT INTO snapshots (taken_at, week, master, leads, leadbook_version,"
                    " written_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (_iso(taken_at), week, shown, frame.height, version, _iso(written_at)),
                )
                sid = cur.lastrowid
                marks = ", ".join("?" * (len(LEAD_KEYS) + 1))
                insert = f"INSERT INTO leads (snapshot_id, {', '.join(LEAD_KEYS)}) VALUES ({marks})"
                con.executemany(insert, _numbered(sid, frame, _fail_after))
            except BaseException:
                if con.in_transaction:  # SQLite may have rolled back itself (disk full)
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise OutputError(key="history_unwritable", path=path, error=str(exc)) from None
    when = taken_at.replace(microsecond=0)
    return SnapshotInfo(sid, when, week, shown, frame.height, version, replaced=old is not None)


def _numbered(sid: int, frame: pl.DataFrame, fail_after: int | None) -> Iterator[tuple]:
    for i, row in enumerate(frame.iter_rows()):
        if fail_after is not None and i >= fail_after:
            raise RuntimeError("planted failure")
        yield (sid, *row)


def _info(row: Sequence, won: int = 0, open_: int = 0) -> SnapshotInfo:
    sid, taken_at, week, master, leads, version = row
    return SnapshotInfo(sid, datetime.fromisoformat(taken_at), week, master, leads, version,
                        won, open_)  # fmt: skip


_INFO = "SELECT id, taken_at, week, master, leads, leadbook_version FROM snapshots"


def list_snapshots(
    path: str | Path, *, won: Sequence[str] = (), closed: Sequence[str] = ()
) -> list[SnapshotInfo]:
    """Every snapshot, oldest first, with its ``won`` leads (status in ``won``) and ``open``
    ones (status not in ``closed``)."""
    with _open(Path(path), create=False) as con:
        infos = con.execute(f"{_INFO} ORDER BY taken_at, id").fetchall()
        counts = {}
        for sid, status, n in con.execute(
            "SELECT snapshot_id, status, count(*) FROM leads GROUP BY snapshot_id, status"
        ):
            won_n, open_n = counts.get(sid, (0, 0))
            counts[sid] = (won_n + n * (status in won), open_n + n * (status not in closed))
    return [_info(row, *counts.get(row[0], (0, 0))) for row in infos]


def load_snapshots(path: str | Path) -> list[StoredSnapshot]:
    """Every snapshot with its leads, oldest first (times as ``datetime``)."""
    with _open(Path(path), create=False) as con:
        infos = con.execute(f"{_INFO} ORDER BY taken_at, id").fetchall()
        out = []
        for row in infos:
            leads = []
            query = f"SELECT {', '.join(LEAD_KEYS)} FROM leads WHERE snapshot_id = ? ORDER BY rowid"
            for values in con.execute(query, (row[0],)):
                lead = dict(zip(LEAD_KEYS, values, strict=True))
                for key in TIMES:
                    if lead[key] is not None:
                        lead[key] = datetime.fromisoformat(lead[key])
                leads.append(lead)
            out.append(StoredSnapshot(_info(row), leads))
    return out


def record_moves(path: str | Path, moves: Sequence[Move]) -> None:
    """Add hand-offs to an existing store (one transaction)."""
    with _open(Path(path), create=False) as con:
        try:
            with con:
                con.execute("BEGIN IMMEDIATE")
                con.executemany(
                    "INSERT INTO moves (lead_id, previous_id, from_rep, to_rep, moved_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(_text(m.lead_id) or "", _text(m.previous_id) or "", _text(m.from_rep) or "",
                      _text(m.to_rep) or "", _iso(m.moved_at)) for m in moves],
                )  # fmt: skip
        except sqlite3.Error as exc:
            raise OutputError(key="history_unwritable", path=path, error=str(exc)) from None


def load_moves(path: str | Path) -> list[Move]:
    """Every recorded hand-off, in the order they were made."""
    with _open(Path(path), create=False) as con:
        rows = con.execute(
            "SELECT lead_id, previous_id, from_rep, to_rep, moved_at FROM moves ORDER BY id"
        ).fetchall()
    return [Move(a, b, c, d, datetime.fromisoformat(e)) for a, b, c, d, e in rows]
