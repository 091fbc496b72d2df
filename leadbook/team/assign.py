"""``leadbook assign``: new leads from lists (a trade-fair scan export, the website form's CSV,
a partner's sheet) handed out to the reps, appended to copies of the reps' workbooks.

1. The lists are read and validated as ``validate`` reads them (columns found by header).
   The findings about the list's own cells are reported (those on the fields assignment fills
   itself, and missing columns, are not: a list is no workbook). A row without 公司名称 is
   refused (nothing identifies the customer), as is one with neither a known 来源渠道 nor
   ``channel`` (no lead ID can be made); the other rows are assigned with their findings
   reported, and each assigned lead names the required fields it leaves empty (the list had
   no such column or cell), for the rep to complete.
2. The reps' workbooks (and the master, ``into``) give the existing customers: the same
   normalised company, office phone or IM account as 撞单 uses (``merge.company``) makes a new
   lead an existing customer, which goes to its owner (the first registration) and is reported
   as such. A lead met twice in the lists goes where the first went.
3. The others follow the config's rules (``team.rules``): territory, then the fewest open
   leads under capacity, round-robin on ties.
4. Each assigned lead gets 创建时间 = ``as_of`` (the moment it enters the rep's register),
   status the first status (待跟进) when the list gives none, the rep as 最近跟进人, and a lead
   ID: channel code + date + the rep's code (none for a rep without one) + the sequence after
   the highest the rep already has for that channel and day (``ids_for``' format, never an ID
   the reps' workbooks or the master already hold). It is appended to a copy of the rep's
   workbook in ``out_dir`` (same file name; ``team.append``). Only reps with an .xlsx/.xlsm
   workbook of their own in the folder receive leads (a shared sheet's customers count as
   existing, each with the rep its row credits, but nothing is appended to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.check.issues import FileReport, Issue
from leadbook.core import provenance
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.config import Rep, TeamConfig, load_config
from leadbook.core.leadid import LEAD_ID, format_lead_id
from leadbook.core.mask import mask_text
from leadbook.core.show import shown_path
from leadbook.merge.company import company_key, im_key, phone_key
from leadbook.merge.versions import row_reps, sheet_values
from leadbook.read.normalize import ROW
from leadbook.team.append import append_rows
from leadbook.team.handin import by_code, shared, workbook_rep
from leadbook.team.rules import Load, choose, take

# Fields assignment fills itself: findings about them in a list are not the list's fault.
FILLED = ("lead_id", "status", "last_owner", "created_at")
# A list is no template: its missing columns are said per lead (Assignment.to_complete).
LIST_ONLY = ("missing-column", "checks-skipped", "template-mismatch")
APPENDABLE = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Assignment:
    """Where one new lead went, and why."""

    source: str  # the list (as shown)
    row: int  # its Excel row there
    company: str  # masked
    reason: str  # territory | least-loaded | existing | full | no-rep | no-company |
    # no-channel | owner-no-workbook
    rep: str | None = None  # masked
    lead_id: str | None = None
    owner_lead: str | None = None  # existing: the owner's lead ID of that customer
    copy: str | None = None  # the copy it was appended to (as shown)
    copy_row: int | None = None
    to_complete: tuple[str, ...] = ()  # required fields it leaves empty (keys), for the rep

    @property
    def assigned(self) -> bool:
        return self.copy is not None


@dataclass
class RepLoad:
    rep: str  # masked
    code: str | None
    capacity: int | None
    open_before: int
    assigned: int = 0
    workbook: str | None = None  # as shown


@dataclass
class AssignResult:
    as_of: datetime
    assignments: list[Assignment] = field(default_factory=list)
    findings: list[Issue] = field(default_factory=list)  # about the lists' rows
    unreadable: list[FileReport] = field(default_factory=list)
    loads: list[RepLoad] = field(default_factory=list)
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # message key, params
    written: list[Path] = field(default_factory=list)

    @property
    def unassigned(self) -> list[Assignment]:
        return [a for a in self.assignments if not a.assigned]


@dataclass
class _Book:
    """A rep's workbook in the folder: where to append, what it holds."""

    path: Path
    rep: str
    appendable: bool
    sheet: str
    header_row: int
    columns: dict[str, int]
    ids: list[str]
    open: int
    top: dict[tuple[str, str], int] = field(default_factory=dict)  # (code, day) -> highest seq
    new: list[dict[str, Any]] = field(default_factory=list)
    new_at: list[int] = field(default_factory=list)  # indexes into the result's assignments


@dataclass
class _Customer:
    rep: str  # masked
    lead_id: str | None
    created_at: datetime | None
    order: int


def _keys(company, phone, im) -> tuple[str, str, str]:
    return company_key(company), phone_key(phone), im_key(im)


def _col(frame: pl.DataFrame, key: str) -> list:
    return frame[key].to_list() if key in frame.columns else [None] * frame.height


class _Existing:
    """Existing customers by key, and every lead ID already taken."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[int, str], list[_Customer]] = {}
        self.ids: set[str] = set()
        self.top: dict[tuple[str, str, str], int] = {}  # (code, day, rep code) -> highest seq
        self.count = 0

    def add(self, rep, lead_id, created, keys) -> None:
        customer = _Customer(rep, lead_id, created, self.count)
        self.count += 1
        if lead_id:
            self.ids.add(lead_id)
            m = LEAD_ID.match(lead_id)
            if m:
                key = (m["code"], m["date"], m["rep"] or "")
                self.top[key] = max(self.top.get(key, 0), int(m["seq"]))
        for kind, value in enumerate(keys):
            if value:
                self.by_key.setdefault((kind, value), []).append(customer)

    def owner(self, keys) -> _Customer | None:
        """The first registration among the customers sharing a key with ``keys``."""
        found = [c for kind, v in enumerate(keys) if v for c in self.by_key.get((kind, v), [])]
        if not found:
            return None
        return min(found, key=lambda c: (c.created_at is None, c.created_at or 0, c.order))


def _tops(ids) -> dict[tuple[str, str], int]:
    """(channel code, day) -> the highest sequence among ``ids``, whatever their format."""
    top: dict[tuple[str, str], int] = {}
    for lead_id in ids:
        m = LEAD_ID.match(lead_id)
        if m:
            key = (m["code"], m["date"])
            top[key] = max(top.get(key, 0), int(m["seq"]))
    return top


def _read_reps(paths, config, catalog, lang, result: AssignResult, lists=()):
    """The reps' workbooks (and a master): books to append to, existing customers."""
    from leadbook.check.validate import validate_paths

    closed = set(config.status_groups.get("closed", ()))
    books: list[_Book] = []
    existing = _Existing()

    skip = {Path(p).resolve() for p in lists}

    def collect(report, raw, reg, log) -> None:
        if Path(raw.path).resolve() in skip:  # a list kept in the reps' folder
            return
        headers = [h for _, h in raw.register.unknown]
        companies, phones = _col(reg, "company"), _col(reg, "office_phone")
        ims, ids, created = _col(reg, "im_account"), _col(reg, "lead_id"), _col(reg, "created_at")
        if provenance.is_master(headers):
            keys = provenance.header_keys()
            col = next((c for c, h in raw.register.unknown if keys.get(h) == "rep"), None)
            reps = raw.register.extra_values(col, reg[ROW].to_list()) if col is not None else []
            reps = [mask_text(r or "") for r in reps] or [""] * reg.height
        elif shared(reg):  # its customers count, per row; no rep's own book to append to
            reps = [by_code(r, config) for r in row_reps(reg, log, Path(raw.path).stem).to_list()]
        else:
            rep = workbook_rep(raw, reg, log, config)
            statuses = _col(reg, "status")
            filled = [bool(c or i) for c, i in zip(companies, ids, strict=True)]
            books.append(
                _Book(
                    Path(raw.path),
                    rep,
                    raw.kind == "xlsx" and Path(raw.path).suffix.lower() in APPENDABLE,
                    raw.register.name,
                    raw.register.header_row,
                    dict(raw.register.columns),
                    [i for i in ids if i],
                    sum(1 for s, f in zip(statuses, filled, strict=True) if f and s not in closed),
                    _tops(i for i in ids if i),
                )
            )
            reps = [rep] * reg.height
        for i in range(reg.height):
            keys_ = _keys(companies[i], phones[i], ims[i])
            existing.add(reps[i], ids[i], created[i], keys_)

    report = validate_paths(
        paths, config=config, catalog=catalog, lang=lang, on_frames=collect, check=False
    )
    result.unreadable += [f for f in report.files if f.error is not None]
    return books, existing


def _read_lists(paths, config, catalog, as_of, lang, channel, result: AssignResult):
    """The new leads: (source, Excel row, normalised values, values to write)."""
    from leadbook.check.validate import validate_paths

    rows: list[tuple[str, int, dict, dict]] = []

    def collect(report, raw, reg, log) -> None:
        values = sheet_values(reg, raw.register, catalog.register)
        norm = reg.to_dicts()
        for n, v in zip(norm, values.to_dicts(), strict=True):
            rows.append((raw.path, n[ROW], n, v))

    report = validate_paths(
        paths, config=config, catalog=catalog, as_of=as_of, lang=lang, on_frames=collect
    )
    filled = set(FILLED) | ({"channel"} if channel else set())
    for fr in report.files:
        if fr.error is not None:
            result.unreadable.append(fr)
        result.findings += [
            i for i in fr.sorted_issues() if i.code not in LIST_ONLY and i.field not in filled
        ]
    return rows


def _record(values: dict, catalog: Catalog) -> dict[str, Any]:
    """A list row as register values (time fields: the time, else the text as written)."""
    record = {}
    for fd in catalog.register:
        value = values.get(fd.key)
        if fd.is_time and value is None:
            value = values.get(fd.key + "__txt")
        if value is not None and value != "":
            record[fd.key] = value
    return record


def _next_id(book: _Book, code: str, when: datetime, rep_code: str, existing: _Existing) -> str:
    """The ID after the highest sequence the rep has for that channel and day (in any ID
    format in the rep's workbook; with the rep's code anywhere in the team), never one
    already taken."""
    day = f"{when:%Y%m%d}"
    seq = max(existing.top.get((code, day, rep_code), 0), book.top.get((code, day), 0)) + 1
    while (lead_id := format_lead_id(code, when, seq, rep_code)) in existing.ids:
        seq += 1
    book.top[(code, day)] = seq
    return lead_id


def assign_leads(
    new: Sequence[str | Path],
    reps_dir: str | Path,
    out_dir: str | Path,
    *,
    into: str | Path | None = None,
    config: TeamConfig | None = None,
    as_of: datetime | None = None,
    channel: str | None = None,
    lang: str = "zh",
    force: bool = False,
) -> AssignResult:
    """Assign the leads of the lists ``new`` to the reps whose workbooks are in ``reps_dir``
    (existing customers checked there and in the master ``into``); write the copies into
    ``out_dir``. ``channel``: the 来源渠道 of rows that give none."""
    config = config or load_config()
    catalog = load_catalog()
    as_of = as_of or datetime.now().replace(second=0, microsecond=0)
    result = AssignResult(as_of)
    codes = {c.name: c.code for c in config.channels}
    books, existing = _read_reps(
        [str(reps_dir)] + ([str(into)] if into else []), config, catalog, lang, result, new
    )
    loads, book_of = _loads(config, books, result)
    rows = _read_lists(new, config, catalog, as_of, lang, channel, result)
    first_status = config.values("statuses")[0]
    for turn, (path, row, norm, values) in enumerate(rows):
        record = _record(values, catalog)
        company = record.get("company")
        where = (shown_path(path), row, mask_text(company or ""))
        lead_channel = record.get("channel") if record.get("channel") in codes else channel
        if not company:
            result.assignments.append(Assignment(*where, "no-company"))
            continue
        if lead_channel not in codes:
            result.assignments.append(Assignment(*where, "no-channel"))
            continue
        keys = _keys(norm.get("company"), norm.get("office_phone"), norm.get("im_account"))
        owner = existing.owner(keys)
        if owner is not None:
            book = next((b for b in books if b.rep == owner.rep and b.appendable), None)
            if book is None:
                result.assignments.append(
                    Assignment(*where, "owner-no-workbook", owner.rep, owner_lead=owner.lead_id)
                )
                continue
            load, reason = next((ld for ld in loads if book_of[id(ld)] is book), None), "existing"
        else:
            load, reason = choose(loads, norm.get("province"), norm.get("industry"))
            if load is None:
                result.assignments.append(Assignment(*where, reason if loads else "no-rep"))
                continue
            book = book_of[id(load)]
        rep = load.rep if load is not None else Rep(book.rep)
        record |= {"channel": lead_channel, "created_at": as_of, "last_owner": rep.name}
        record.setdefault("status", first_status)
        lead_id = _next_id(book, codes[lead_channel], as_of, rep.code or "", existing)
        record["lead_id"] = lead_id
        existing.add(mask_text(rep.name), lead_id, as_of, keys)
        book.new.append(record)
        book.new_at.append(len(result.assignments))
        if load is not None:
            take(load, turn)
        empty = tuple(f.key for f in catalog.register if f.required and f.key not in record)
        result.assignments.append(
            Assignment(
                *where, reason, mask_text(rep.name), lead_id, owner and owner.lead_id,
                to_complete=empty,
            )
        )  # fmt: skip
    _write(books, Path(out_dir), force, result, [*new, reps_dir, *([into] if into else [])])
    for item in result.loads:
        item.assigned = sum(1 for a in result.assignments if a.assigned and a.rep == item.rep)
    return result


def _loads(config: TeamConfig, books: list[_Book], result: AssignResult):
    """One Load per configured rep with an appendable workbook (config order)."""
    loads, book_of = [], {}
    for index, rep in enumerate(config.team):
        name = mask_text(rep.name)
        book = next((b for b in books if b.rep == name and b.appendable), None)
        other = next((b for b in books if b.rep == name), None)
        result.loads.append(
            RepLoad(name, rep.code, rep.capacity, book.open if book else 0,
                    workbook=shown_path(book.path) if book else None)
        )  # fmt: skip
        if book is None:
            key = "assign_not_xlsx" if other is not None else "assign_no_workbook"
            path = shown_path(other.path) if other is not None else ""
            result.notes.append((key, {"rep": name, "path": path}))
            continue
        load = Load(rep, index, book.open)
        loads.append(load)
        book_of[id(load)] = book
    return loads, book_of


def _write(books: list[_Book], out_dir: Path, force: bool, result: AssignResult, inputs) -> None:
    """Each book that received leads, copied with them into ``out_dir`` (every target checked
    before the first is written: none over an input, none twice, none existing without
    ``force``)."""
    from leadbook.core.atomic import check_target, refuse_inputs
    from leadbook.core.errors import OutputError
    from leadbook.read.reader import expand_paths

    receiving = [b for b in books if b.new]
    targets = [out_dir / b.path.name for b in receiving]
    names = [t.name.lower() for t in targets]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise OutputError(key="assign_same_name", names=", ".join(twice))
    for target in targets:
        check_target(target, force=force)
    refuse_inputs(targets, expand_paths([str(p) for p in inputs]))
    for book, target in zip(receiving, targets, strict=True):
        rows = append_rows(
            book.path, target, book.sheet, book.header_row, book.columns, book.new, force=force
        )
        result.written.append(target)
        for at, row in zip(book.new_at, rows, strict=True):
            a = result.assignments[at]
            result.assignments[at] = Assignment(
                a.source, a.row, a.company, a.reason, a.rep, a.lead_id, a.owner_lead,
                shown_path(target), row, a.to_complete,
            )  # fmt: skip
