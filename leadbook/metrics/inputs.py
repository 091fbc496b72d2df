"""Which inputs a report counts: every lead once.

A merged master says, in its provenance columns (``leadbook.core.provenance``), which source
file and which source lead each of its rows came from. So when inputs are given together:

- a rep's workbook that a master was merged from (its file name is one of the master's
  来源文件 and each of its lead IDs is one of that file's 原线索编号) is left out with a note:
  the master holds its leads. One with leads the master lacks (added after the merge)
  cannot be reconciled: the report stops with one line saying which file and what to do;
- masters that share source files are one team's registers at successive times: the newest
  (by the time the merge recorded, its ``--as-of``, else the file's time) is the register,
  the older ones are history (:class:`~leadbook.metrics.tables.Snapshot`), noted as such; a
  report as of an earlier date takes the newest master not merged after it and leaves the
  later ones out. Masters with no source file in common (two teams) are both counted.

Nothing here reads a file's cells: it works on the frames :func:`load_tables` collected.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from leadbook.core.errors import InputError
from leadbook.core.mask import mask_text
from leadbook.core.messages import text
from leadbook.core.show import shown_path

SOURCE_ID = "_source_id"  # a master's 原线索编号 (the lead's ID in its source file)
_CREATED = re.compile(
    r"<(?:dcterms:created|meta:creation-date)\b[^>]*>\s*([0-9T:.\-+Z ]{10,40})\s*</"
)


@dataclass(eq=False)
class Book:
    """One readable input as the report took it: its register (and log) frames."""

    index: int  # the order it was read in
    path: str
    master: bool
    register: pl.DataFrame
    log: pl.DataFrame | None = None
    taken_at: datetime | None = None  # a master's as-of (None: not a master)
    _sources: dict[str, set[str]] | None = field(default=None, repr=False)


@dataclass
class Counted:
    """What to count (``books``), what to leave out with a note (``skipped``: path, reason)
    and the older masters kept as history (``history``, oldest first)."""

    books: list[Book]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    history: list[Book] = field(default_factory=list)


def count_once(books: Sequence[Book], lang: str = "zh", as_of: datetime | None = None) -> Counted:
    """Every lead once: workbooks a master covers left out, older masters taken as
    history (and, of a team's masters, those merged after ``as_of`` left out while one is
    not). Raises ``InputError`` (one line) when a workbook and its master disagree."""
    masters = [b for b in books if b.master]
    for book in masters:
        if book.taken_at is None:
            book.taken_at = taken_at(book.path)
    current, history, later = _newest_per_team(masters, as_of)
    notes: dict[int, str] = {}
    for old, new in history:
        when = _when(old.taken_at)
        notes[old.index] = text("skip_older_master", lang, when=when, master=_name(new))
    for late, new in later:
        when, cut = _when(late.taken_at), _when(as_of)
        notes[late.index] = text("skip_later_master", lang, when=when, as_of=cut, master=_name(new))
    for book in books:
        master = None if book.master else _covering(book, current)
        if master is not None:
            when = _when(master.taken_at)
            notes[book.index] = text("skip_in_master", lang, master=_name(master), when=when)
    order = {b.index: i for i, b in enumerate(books)}
    older = sorted((b for b, _ in history), key=lambda b: (b.taken_at, order[b.index]))
    return Counted(
        [b for b in books if b.index not in notes],
        [(b.path, notes[b.index]) for b in books if b.index in notes],
        older,
    )


def sources(master: Book) -> dict[str, set[str]]:
    """A master's source files (as written in 来源文件) -> the source lead IDs of each."""
    if master._sources is None:
        master._sources = _sources(master.register)
    return master._sources


def _sources(frame: pl.DataFrame) -> dict[str, set[str]]:
    if "_source" not in frame.columns:
        return {}
    ids = frame[SOURCE_ID] if SOURCE_ID in frame.columns else pl.Series([None] * frame.height)
    out: dict[str, set[str]] = {}
    for src, sid in zip(frame["_source"].to_list(), ids.to_list(), strict=True):
        if src:
            bucket = out.setdefault(src, set())
            if sid:
                bucket.add(sid)
    return out


def _known_ids(master: Book) -> set[str]:
    """Every lead ID the master knows: each source file's IDs and the master's own."""
    known = set().union(*sources(master).values())
    own = (
        master.register["lead_id"].drop_nulls().to_list()
        if "lead_id" in master.register.columns
        else []
    )
    return known | {mask_text(v) for v in own if v}


def _newest_per_team(masters: list[Book], as_of: datetime | None = None):
    """Masters grouped by shared source files; per group the register (the newest not
    merged after ``as_of``, else the newest; ties: the one given last), the older ones and
    the later ones, each with the register it gave way to."""
    names = [set(sources(m)) for m in masters]
    group = list(range(len(masters)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(masters)):
        for j in range(i):
            if names[i] & names[j]:
                group[root(i)] = root(j)
    current: list[Book] = []
    history: list[tuple[Book, Book]] = []
    later: list[tuple[Book, Book]] = []
    for g in sorted({root(i) for i in range(len(masters))}):
        members = [(i, m) for i, m in enumerate(masters) if root(i) == g]
        due = [(i, m) for i, m in members if as_of is None or m.taken_at <= as_of] or members
        newest = max(due, key=lambda im: (im[1].taken_at, im[0]))[1]
        current.append(newest)
        history += [(m, newest) for _, m in due if m is not newest]
        taken = {i for i, _ in due}
        later += [(m, newest) for i, m in members if i not in taken]
    return current, history, later


def _covering(book: Book, masters: list[Book]) -> Book | None:
    """The master that holds ``book``'s leads (None: no master names the file). Raises
    when a master names the file but lacks some of its leads."""
    name = mask_text(Path(book.path).name)
    ids = {mask_text(v) for v in book.register["lead_id"].drop_nulls().to_list() if v}
    for master in masters:
        if name not in sources(master):
            continue
        # a lead of the file may sit in the master under another file's name (a 撞单 lead
        # split back to its owner) or under the master's ID (a renumbered lead split back)
        missing = ids - _known_ids(master)
        if missing:
            raise InputError(
                key="inputs_not_reconciled",
                path=shown_path(book.path),
                master=shown_path(master.path),
                count=len(missing),
                example=sorted(missing)[0],
            )
        return master
    return None


def taken_at(path: str | Path) -> datetime:
    """When a master describes the register: the creation time ``merge`` records (its
    ``--as-of``; kept by Excel and LibreOffice when the master is saved again), else the
    file's modification time."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            part = "docProps/core.xml" if "docProps/core.xml" in names else "meta.xml"
            info = zf.getinfo(part)
            if info.file_size <= 1 << 20:
                found = _CREATED.search(zf.read(info).decode("utf-8", "replace"))
                if found:
                    stamp = datetime.fromisoformat(found.group(1).strip().replace("Z", ""))
                    return stamp.replace(tzinfo=None, microsecond=0)
    except Exception:  # not a zip (encrypted, .xls), no such part, a bad date: the file's time
        pass
    return datetime.fromtimestamp(Path(path).stat().st_mtime).replace(microsecond=0)


def _name(book: Book) -> str:
    return shown_path(Path(book.path).name)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
