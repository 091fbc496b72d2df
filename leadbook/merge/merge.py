"""``leadbook merge``: many reps' workbooks into one master workbook (a leadbook workbook
itself, with provenance columns), idempotent and independent of the order of the inputs.

How rows become the master:

1. Every input is read and validated once (``validate_paths(on_frames=...)``). Each register
   row is a *version* of a lead, with its provenance: source file, position (``线索台账!5``),
   rep (the file's most common 最近跟进人), and its findings (the codes validation reported
   on that row). A master read as an input carries all of these in its provenance columns.
2. Text is kept as written, but mobiles and e-mail addresses are masked in every text cell
   (R-S2.2); time fields are the parsed date-times (to the second), or the text when
   unreadable.
3. A lead's identity is (source lead ID, normalised company). Versions of one identity
   become one master row: the latest 最近跟进时间 wins, ties go to the smaller content digest
   (never to input order); every field whose values differ is a :class:`Conflict`.
4. One source lead ID with different companies (IDs are per-workbook sequences) is an ID
   collision: the earliest-created keeps the ID, the others get the next free sequence of
   their channel code and day (:class:`Renumbered`); 原线索编号 keeps the source ID, so that
   merging the master again finds the same identities.
5. Identities linked by normalised company, office phone or IM account form a
   :class:`DuplicateGroup` (撞单); the first registration owns the customer and the others are
   marked in the findings column. No row is ever dropped, except with ``valid_only`` (rows
   with error findings, counted).
6. Log entries follow their lead (renumbered IDs relinked); identical entries (lead,
   time, owner, content) are kept once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.check.codes import CODES
from leadbook.check.issues import FileReport, Report
from leadbook.core import provenance
from leadbook.core.catalog import Catalog, Field, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.leadid import LEAD_ID
from leadbook.core.mask import mask_text
from leadbook.merge.company import company_key, im_key, phone_key
from leadbook.read.normalize import FILE, RAW, ROW
from leadbook.read.reader import RawBook, SheetData

# Internal columns of the version frames (provenance, identity, keys).
SRC, POS, REP, SID, LINK, FINDINGS = "_src", "_pos", "_rep", "_sid", "_link", "_findings"
CO, ANON, PHONE, IM, VID = "_co", "_anon", "_phone", "_im", "_vid"
TXT = "__txt"  # suffix: a time field's text when it is not a readable date-time
IDENTITY = [SID, CO, ANON]
# Cells that may hold a mobile or an e-mail address (the exact check is mask.mask_text).
PII_PREFILTER = r"[@＠]|[1１][3-9３-９][0-9０-９]"
FINDINGS_SEP = "; "
DUPLICATE_MARK = {
    "zh": "撞单:以 {rep} {lead_id} 为准",
    "en": "duplicate customer: {rep} {lead_id} owns it",
}
_MARK = re.compile(r"^(撞单:|duplicate customer:)")
ERROR_CODES = frozenset(c.code for c in CODES.values() if c.severity == "error")


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class Conflict:
    """One field of one lead whose versions differ."""

    lead_id: str | None  # the master's lead ID
    company: str  # as the master keeps it
    field: str
    values: tuple[tuple[str, str, str, str], ...]  # (source file, position, rep, value)
    winner: tuple[str, str]  # (source file, position) of the version the master keeps
    identity: tuple[str, str, str] = field(default=("", "", ""), repr=False, compare=False)


@dataclass(frozen=True)
class Renumbered:
    """A lead whose source ID another customer's lead already had."""

    old_id: str
    new_id: str
    company: str
    rep: str
    source_file: str
    position: str


@dataclass(frozen=True)
class Member:
    lead_id: str | None  # in the master
    source_lead_id: str  # in its source workbook
    rep: str
    company: str
    created_at: datetime | None
    source_file: str
    position: str


@dataclass(frozen=True)
class DuplicateGroup:
    """One customer under several lead IDs (撞单); ``members[0]`` registered first and owns it."""

    members: tuple[Member, ...]
    linked_by: tuple[str, ...]  # "company", "office_phone", "im_account"

    @property
    def owner(self) -> Member:
        return self.members[0]

    @property
    def reps(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.rep for m in self.members))


@dataclass
class MergeResult:
    report: Report  # validation of every input (unreadable ones included)
    register: pl.DataFrame  # master rows: field keys (+ key__txt for times) and provenance
    log: pl.DataFrame
    conflicts: list[Conflict] = field(default_factory=list)
    renumbered: list[Renumbered] = field(default_factory=list)
    groups: list[DuplicateGroup] = field(default_factory=list)
    input_rows: int = 0
    merged: int = 0  # versions folded into another row
    dropped: int = 0  # rows left out (valid_only)
    input_log: int = 0
    log_merged: int = 0  # identical log entries kept once
    log_dropped: int = 0  # entries of rows left out

    @property
    def master_rows(self) -> int:
        return self.register.height

    @property
    def files_read(self) -> int:
        return sum(1 for f in self.report.files if f.error is None)

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.report.files if f.error is not None]

    @property
    def flagged(self) -> int:
        """Master rows with findings (validation codes or a 撞单 mark)."""
        return self.register.filter(pl.col(FINDINGS) != "").height


# ------------------------------------------------------------------------------ public API
def merge_paths(
    paths: Sequence[str | Path],
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    as_of: datetime | None = None,
    lang: str = "zh",
    valid_only: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
    password: str | None = None,
) -> MergeResult:
    """Read, validate and merge every workbook named by ``paths`` (files, folders, globs,
    masters). Unreadable files are reported in ``result.report``, the rest merged.
    Encrypted inputs are decrypted in memory with ``password``."""
    from leadbook.check.validate import validate_paths

    config = config or load_config()
    catalog = catalog or load_catalog()
    collector = _Collector(catalog, password)
    report = validate_paths(
        paths,
        config=config,
        catalog=catalog,
        as_of=as_of,
        lang=lang,
        on_file=on_file,
        on_frames=collector.take,
        password=password,
    )
    versions = _concat(collector.registers, catalog.register)
    entries = _concat(collector.logs, catalog.log)
    return resolve(report, versions, entries, catalog, lang=lang, valid_only=valid_only)


def write_master(
    result: MergeResult,
    out: str | Path,
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    lang: str = "zh",
    force: bool = False,
    created: datetime | None = None,
    password: str | None = None,
) -> Path:
    """Write the master workbook (atomically): the template's sheets, dropdowns and formats,
    lead IDs as values, the provenance columns after the fields. With ``password`` the master
    is encrypted (Excel's "Encrypt with Password")."""
    from leadbook.workbook.template import Extra, write_workbook

    register, log = master_records(result, catalog)  # lazy: dicts made chunk by chunk
    english = lang == "en"
    return write_workbook(
        out,
        config=config,
        catalog=catalog,
        lang=lang,
        rows=max(1, len(register)),
        register=register,
        log=log,
        force=force,
        lead_id_formula=False,
        extra=[Extra(k, en if english else zh, w) for k, zh, en, w in provenance.REGISTER],
        log_extra=[Extra(k, en if english else zh, w) for k, zh, en, w in provenance.LOG],
        created=created or result.report.as_of,
        password=password,
    )


def master_records(result: MergeResult, catalog: Catalog | None = None) -> tuple[Records, Records]:
    """The master's register and log as records keyed by field key (and provenance key)."""
    catalog = catalog or load_catalog()
    names = {SRC: "source_file", POS: "source_row", REP: "rep", SID: "source_lead_id"}
    register = Records(result.register, catalog.register, {**names, FINDINGS: "findings"})
    log = Records(result.log, catalog.log, {SRC: "source_file", POS: "source_row"})
    return register, log


class Records(Sequence):
    """A frame's rows as records (dicts keyed by field key), made ``CHUNK`` rows at a time so
    that a large master never exists as a list of dicts. A time field holds its date-time, or
    its text when unreadable; a date field at midnight holds a ``date``."""

    CHUNK = 20_000

    def __init__(self, frame: pl.DataFrame, fields: Sequence[Field], extra: dict[str, str]):
        self.times = [fd.key for fd in fields if fd.is_time]
        self.dates = {fd.key for fd in fields if fd.type == "date"}
        blank = [pl.when(pl.col(c) != "").then(pl.col(c)).alias(k) for c, k in extra.items()]
        self.frame = frame.select(
            *[fd.key for fd in fields], *[k + TXT for k in self.times], *blank
        )
        self._start, self._rows = -1, []

    def __len__(self) -> int:
        return self.frame.height

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        start = i - i % self.CHUNK
        if start != self._start:
            self._start, self._rows = start, self._convert(self.frame.slice(start, self.CHUNK))
        return self._rows[i - start]

    def _convert(self, chunk: pl.DataFrame) -> list[dict[str, Any]]:
        records = chunk.to_dicts()
        for key in self.times:
            txt, is_date = key + TXT, key in self.dates
            for rec in records:
                text = rec.pop(txt)
                if text is not None:
                    rec[key] = text
                elif is_date and rec[key] is not None and rec[key].time() == time():
                    rec[key] = rec[key].date()  # written with the date format
        return records


# ------------------------------------------------------------------------------ collecting
class _Collector:
    """Keeps, per readable file, the compact version frames of its register and log."""

    def __init__(self, catalog: Catalog, password: str | None = None) -> None:
        self.catalog = catalog
        self.password = password
        self.registers: list[pl.DataFrame] = []
        self.logs: list[pl.DataFrame] = []

    def take(self, report: FileReport, raw: RawBook, reg: pl.DataFrame, log) -> None:
        name = Path(raw.path).name
        carried = _carried(raw, reg, log, self.password)
        rep = _file_rep(reg, log, Path(raw.path).stem)
        self.registers.append(
            _register_versions(reg, raw, report, self.catalog, name, rep, carried.get("register"))
        )
        if log is not None and raw.log is not None:
            self.logs.append(_log_versions(log, raw.log, self.catalog, name, carried.get("log")))


def _carried(raw: RawBook, reg: pl.DataFrame, log, password=None) -> dict[str, dict[str, list]]:
    """A master's provenance columns (not catalog fields: the reader keeps them as unknown
    columns), aligned with the frames' rows."""
    keys = provenance.header_keys()
    wanted = []
    for role, sheet, frame in (("register", raw.register, reg), ("log", raw.log, log)):
        if sheet is None or frame is None:
            continue
        cols = {keys[h]: c for c, h in sheet.unknown if h in keys}
        if cols:
            wanted.append((role, sheet, frame, cols))
    if not wanted:
        return {}
    out = {}
    for role, sheet, frame, cols in wanted:
        excel = frame[ROW].to_list()
        out[role] = {key: sheet.extra_values(c, excel) for key, c in cols.items()}
    return out


def _file_rep(reg: pl.DataFrame, log, fallback: str) -> str:
    """The file's rep: its most common 最近跟进人, else its log's most common 跟进人 (masked:
    the rep is shown in the master, the conflicts report and on the terminal)."""
    for frame, key in ((reg, "last_owner"), (log, "owner")):
        if frame is None or key not in frame.columns:
            continue
        counts = Counter(v for v in frame[key].to_list() if v)
        if counts:
            return mask_text(min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0])
    return fallback


def _row_findings(report: FileReport, sheet: str) -> dict[int, set[str]]:
    by_row: dict[int, set[str]] = {}
    for issue in report.issues:
        if issue.sheet == sheet and issue.row is not None:
            by_row.setdefault(issue.row, set()).add(issue.code)
    return by_row


_SEVERITY_RANK = {c.code: (0 if c.severity == "error" else 1) for c in CODES.values()}


def findings_text(codes) -> str:
    """Codes as the findings column shows them: errors first, then by name."""
    return FINDINGS_SEP.join(sorted(set(codes), key=lambda c: (_SEVERITY_RANK.get(c, 2), c)))


def _carried_findings(text: str | None) -> str:
    """A master's findings cell without its 撞单 mark (recomputed on every merge)."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split(";")]
    return findings_text(p for p in parts if p and not _MARK.match(p))


def _sheet_columns(frame: pl.DataFrame, fields: Sequence[Field]) -> list[pl.Expr]:
    """The raw text (and parsed time) of each field, as version columns."""
    exprs = []
    for fd in fields:
        if fd.key == "lead_id":
            continue
        if fd.is_time and fd.key in frame.columns:
            exprs.append(pl.col(fd.key))
        if fd.key + RAW in frame.columns:
            exprs.append(pl.col(fd.key + RAW))
    return exprs


def _values(frame: pl.DataFrame, sheet: SheetData, fields: Sequence[Field]) -> pl.DataFrame:
    """A sheet's rows for merging: file, row, lead ID (``_link``), each field's raw text and
    parsed time."""
    link = pl.col("lead_id") if "lead_id" in frame.columns else pl.lit(None, dtype=pl.String)
    out = frame.select(pl.col(FILE), pl.col(ROW), link.alias(LINK), *_sheet_columns(frame, fields))
    if "province_city" in sheet.columns and "province" not in sheet.columns:
        out = out.with_columns(  # the seed's one address column, split
            pl.coalesce(frame["province"], frame["province" + RAW]).alias("province" + RAW),
            frame["city"].alias("city" + RAW),
        )
    return out


def sheet_values(
    frame: pl.DataFrame, sheet: SheetData, fields: Sequence[Field], *, mask: bool = True
) -> pl.DataFrame:
    """One sheet's normalised frame as values to write back, keyed by field key (``lead_id``
    as written, ``key__txt`` beside each time field), ``_row`` kept. For ``Records``."""
    values = _concat([_values(frame, sheet, fields)], fields, mask=mask)
    return values.with_columns(pl.col(LINK).alias("lead_id"))


def _register_versions(reg, raw, report, catalog, name, rep, carried) -> pl.DataFrame:
    sheet: SheetData = raw.register
    frame = _values(reg, sheet, catalog.register)
    own_pos = pl.lit(sheet.name + "!") + pl.col(ROW).cast(pl.String)
    carried = carried or {}
    if "findings" in carried:  # a master: its rows keep the findings of their source
        findings = [_carried_findings(t) for t in carried["findings"]]
    else:
        by_row = _row_findings(report, sheet.name)
        findings = [findings_text(by_row.get(r, ())) for r in frame[ROW].to_list()]
    get = lambda key: pl.Series(carried.get(key, [None] * frame.height), dtype=pl.String)  # noqa: E731
    return frame.with_columns(
        pl.coalesce(get("source_file"), pl.lit(name)).alias(SRC),
        pl.coalesce(get("source_row"), own_pos).alias(POS),
        pl.coalesce(get("rep"), pl.lit(rep)).alias(REP),
        pl.coalesce(get("source_lead_id"), LINK, pl.lit("")).alias(SID),
        pl.Series(FINDINGS, findings, dtype=pl.String),
    )


def _log_versions(log, sheet: SheetData, catalog: Catalog, name: str, carried) -> pl.DataFrame:
    frame = _values(log, sheet, catalog.log)
    own_pos = pl.lit(sheet.name + "!") + pl.col(ROW).cast(pl.String)
    carried = carried or {}
    get = lambda key: pl.Series(carried.get(key, [None] * frame.height), dtype=pl.String)  # noqa: E731
    return frame.with_columns(
        pl.coalesce(get("source_file"), pl.lit(name)).alias(SRC),
        pl.coalesce(get("source_row"), own_pos).alias(POS),
    )


# ------------------------------------------------------------------------------ resolving
def _concat(frames: list[pl.DataFrame], fields: Sequence[Field], mask: bool = True):
    """All files' versions in one frame, every field present, output values computed once
    (vectorised): text as written (masked), times to the second with unreadable text beside."""
    base = {FILE: pl.UInt32, ROW: pl.Int32, LINK: pl.String, SRC: pl.String, POS: pl.String}
    base |= {REP: pl.String, SID: pl.String, FINDINGS: pl.String}
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=base)
    missing = []
    for fd in fields:
        if fd.key == "lead_id":
            continue
        if fd.is_time and fd.key not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.Datetime("us")).alias(fd.key))
        if fd.key + RAW not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.String).alias(fd.key + RAW))
    frame = frame.with_columns(missing)
    outputs = []
    for fd in fields:
        if fd.key == "lead_id":
            continue
        raw = pl.col(fd.key + RAW)
        raw = pl.when(raw.str.strip_chars() != "").then(raw)  # blank cells: None
        if fd.is_time:
            when = pl.col(fd.key).dt.round("1s")
            outputs += [when, pl.when(when.is_null()).then(raw).alias(fd.key + TXT)]
        else:
            outputs.append(raw.alias(fd.key))
    frame = frame.with_columns(outputs).drop([c for c in frame.columns if c.endswith(RAW)])
    if not mask:
        return frame
    return _masked(frame, [fd.key if not fd.is_time else fd.key + TXT for fd in fields])


def _masked(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Mobiles and e-mail addresses masked in the text columns (only the candidate cells go
    through Python)."""
    replaced = []
    for col in columns:
        if col not in frame.columns:
            continue
        series = frame[col]
        hits = frame.select(pl.arg_where(pl.col(col).str.contains(PII_PREFILTER))).to_series()
        if hits.len():
            masked = [mask_text(v) for v in series.gather(hits).to_list()]
            replaced.append(series.scatter(hits, masked))
    return frame.with_columns(replaced) if replaced else frame


def _mapped(frame: pl.DataFrame, col: str, fn: Callable[[str], str], alias: str) -> pl.Expr:
    """``fn`` over a text column, computed once per distinct value."""
    values = [v for v in frame[col].unique().to_list() if v is not None]
    table = {v: fn(v) for v in values}
    return (
        pl.col(col)
        .replace_strict(table, default="", return_dtype=pl.String)
        .fill_null("")
        .alias(alias)
    )


def resolve(
    report: Report,
    versions: pl.DataFrame,
    entries: pl.DataFrame,
    catalog: Catalog,
    *,
    lang: str = "zh",
    valid_only: bool = False,
) -> MergeResult:
    """From every file's versions and log entries to the master (steps 3 to 6 above)."""
    versions = versions.with_columns(
        _mapped(versions, "company", company_key, CO),
        _mapped(versions, "office_phone", phone_key, PHONE),
        _mapped(versions, "im_account", im_key, IM),
    ).with_columns(
        pl.when((pl.col(SID) == "") | (pl.col(CO) == ""))  # no ID or no company: no identity
        .then(pl.col(SRC) + "|" + pl.col(POS))
        .otherwise(pl.lit(""))
        .alias(ANON),
        pl.int_range(pl.len(), dtype=pl.Int64).alias(VID),
    )
    master, conflicts = _winners(versions, catalog.register)
    result = MergeResult(report, master, entries, conflicts=conflicts)
    result.input_rows = versions.height
    result.merged = versions.height - master.height
    if valid_only:
        bad = (
            pl.col(FINDINGS)
            .str.split(FINDINGS_SEP)
            .list.eval(pl.element().is_in(list(ERROR_CODES)))
        )
        keep = master.filter(~bad.list.any())
        result.dropped = master.height - keep.height
        master = keep
    master, result.renumbered = _renumber(master)
    if result.renumbered and result.conflicts:  # conflicts name the master's IDs
        ids = dict(zip(master.select(IDENTITY).rows(), master["lead_id"].to_list(), strict=True))
        result.conflicts = [
            replace(c, lead_id=ids.get(c.identity, c.lead_id)) for c in result.conflicts
        ]
    master, result.groups = _duplicate_groups(master, lang)
    result.register = master.sort(
        "created_at", "lead_id", SRC, POS, nulls_last=True, maintain_order=True
    )
    result.log, counts = _merge_log(entries, versions, master, catalog.log)
    result.input_log, result.log_merged, result.log_dropped = counts
    return result


def _shown(version: dict[str, Any], fd: Field) -> str:
    """A version's value of a field as compared and reported."""
    value = version.get(fd.key)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if fd.is_time:
        return version.get(fd.key + TXT) or ""
    return value or ""


def _digest(version: dict[str, Any], fields: Sequence[Field]) -> str:
    content = [_shown(version, fd) for fd in fields if fd.key != "lead_id"]
    content += [version[SRC], version[POS], version[REP], version[SID]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _winners(versions: pl.DataFrame, fields: Sequence[Field]):
    """One row per identity: the version with the latest contact (ties: smallest digest),
    and the conflicts among the versions."""
    shared = versions.select(pl.len().over(IDENTITY) > 1).to_series()
    if not shared.any():
        return versions, []
    groups: dict[tuple, list[dict]] = {}
    for v in versions.filter(shared).drop(FILE, ROW).to_dicts():
        groups.setdefault((v[SID], v[CO], v[ANON]), []).append(v)
    compared = [fd for fd in fields if fd.key != "lead_id"]
    winners, conflicts = [], []
    for identity in sorted(groups):
        group = groups[identity]
        newest = max(_contact(v) for v in group)
        top = [v for v in group if _contact(v) == newest]
        winner = min(top, key=lambda v: _digest(v, fields)) if len(top) > 1 else top[0]
        winners.append(winner[VID])
        ordered = sorted(group, key=lambda v: (v[SRC], v[POS]))
        for fd in compared:
            values = tuple((v[SRC], v[POS], v[REP], _shown(v, fd)) for v in ordered)
            if len({x[3] for x in values}) > 1:
                where = (winner[SRC], winner[POS])
                company = winner["company"] or ""
                conflicts.append(
                    Conflict(identity[0] or None, company, fd.key, values, where, identity)
                )
    return versions.filter(~shared | pl.col(VID).is_in(winners)), conflicts


def _contact(version: dict[str, Any]) -> tuple[bool, datetime]:
    when = version.get("last_contact_at")
    return (True, when) if isinstance(when, datetime) else (False, datetime.min)


def _renumber(master: pl.DataFrame) -> tuple[pl.DataFrame, list[Renumbered]]:
    """Lead IDs for the master: the source ID, or for an ID that several customers share,
    the next free sequence of its code and day for all but the earliest-created (then by
    company). Vectorised: at team scale most per-workbook IDs collide."""
    has_id = pl.col(SID) != ""
    parts = pl.col(SID).str.extract_groups(LEAD_ID.pattern)
    prefix = pl.concat_str(parts.struct.field("code"), parts.struct.field("date"))
    ids = master.with_row_index("_i").filter(has_id)
    ids = ids.with_columns(
        prefix.alias("_prefix"), parts.struct.field("seq").cast(pl.Int64).alias("_seq")
    )
    later = (
        ids.sort(SID, "created_at", CO, ANON, nulls_last=True)
        .with_columns(pl.int_range(pl.len()).over(SID).alias("_k"))
        .filter(pl.col("_k") > 0)
    )
    top = ids.group_by("_prefix").agg(pl.col("_seq").max().alias("_top"))
    parsed = (
        later.filter(pl.col("_prefix").is_not_null())
        .join(top, on="_prefix", how="left")
        .sort("_prefix", SID, "_k")
        .with_columns(
            (pl.col("_top") + pl.int_range(1, pl.len() + 1).over("_prefix")).alias("_next")
        )
        .with_columns(
            (pl.col("_prefix") + pl.col("_next").cast(pl.String).str.zfill(3)).alias("_new")
        )
    )
    odd = later.filter(pl.col("_prefix").is_null()).sort(SID, "_k")
    used = set(ids[SID].to_list()) if odd.height else set()
    odd_new = []
    for sid in odd[SID].to_list():  # not code + date + sequence: a suffix keeps it readable
        k = 2
        while f"{sid}-{k}" in used:
            k += 1
        used.add(f"{sid}-{k}")
        odd_new.append(f"{sid}-{k}")
    renamed = pl.concat(
        [parsed.select("_i", "_new"), odd.select("_i", pl.Series("_new", odd_new, pl.String))]
    )
    new = pl.Series("_new", [None] * master.height, dtype=pl.String)
    new = new.scatter(renamed["_i"], renamed["_new"]) if renamed.height else new
    master = master.with_columns(
        pl.coalesce(new, pl.when(has_id).then(pl.col(SID))).alias("lead_id")
    )
    done = master.select(SID, new, pl.col("company").fill_null(""), REP, SRC, POS)
    renumbered = [
        Renumbered(*row)
        for row in done.filter(pl.col("_new").is_not_null()).sort(SID, "_new").iter_rows()
    ]
    return master, renumbered


LINK_KINDS = ("company", "office_phone", "im_account")


def customer_groups(keys: Sequence[tuple[str, str, str]]) -> list[tuple[list[int], set[str]]]:
    """Groups of rows that are one customer: rows sharing a company key, a phone key or an IM
    key (``company.company_key``, ``phone_key``, ``im_key``; "" links nothing), found with
    union-find. Each group (of two or more rows): its row indexes, and what linked them."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, str], int] = {}
    linked_by: dict[int, set[str]] = {}
    for i, row in enumerate(keys):
        for kind, value in enumerate(row):
            if not value:
                continue
            j = first.setdefault((kind, value), i)
            if j != i:
                linked_by.setdefault(j, set()).add(LINK_KINDS[kind])
                parent[find(i)] = find(j)
    components: dict[int, list[int]] = {}
    for i in range(len(keys)):
        components.setdefault(find(i), []).append(i)
    return [
        (members, set().union(*(linked_by.get(i, set()) for i in members)))
        for members in components.values()
        if len(members) > 1
    ]


def _duplicate_groups(master: pl.DataFrame, lang: str):
    """撞单 groups over the master's identities; all but the first registration marked."""
    found = customer_groups(master.select(CO, PHONE, IM).rows())
    if not found:
        return master, []
    company = pl.col("company").fill_null("")
    info = master.select("lead_id", SID, REP, company, "created_at", SRC, POS).rows()
    marks = [""] * master.height
    mark = DUPLICATE_MARK.get(lang, DUPLICATE_MARK["zh"])
    groups = []
    for members, linked in found:
        ordered = sorted(members, key=lambda i: _registration(info[i]))
        group = DuplicateGroup(
            tuple(Member(*info[i]) for i in ordered),
            tuple(k for k in LINK_KINDS if k in linked),
        )
        groups.append(group)
        for i in ordered[1:]:
            marks[i] = mark.format(rep=group.owner.rep, lead_id=group.owner.lead_id or "-")
    groups.sort(key=lambda g: _registration(astuple(g.owner)))
    findings = (
        pl.when(pl.col("_mark") == "")
        .then(pl.col(FINDINGS))
        .when(pl.col(FINDINGS) == "")
        .then(pl.col("_mark"))
        .otherwise(pl.col(FINDINGS) + FINDINGS_SEP + pl.col("_mark"))
    )
    master = master.with_columns(pl.Series("_mark", marks, dtype=pl.String))
    return master.with_columns(findings.alias(FINDINGS)).drop("_mark"), groups


def _registration(info: tuple) -> tuple:
    """Sort key of a member: first registration first (then lead ID, rep, source)."""
    lead_id, _, rep, _, created, src, pos = info
    return (created is None, created or datetime.min, lead_id or "", rep or "", src, pos)


def _merge_log(entries: pl.DataFrame, versions: pl.DataFrame, master: pl.DataFrame, fields):
    """Log entries tied to their master lead, identical ones kept once (the first source).
    Joins and sorts run on narrow frames; the wide one is gathered once."""
    links = (
        versions.filter(pl.col(LINK).is_not_null())
        .select(FILE, ROW, LINK, SID, CO, ANON)
        .sort(FILE, ROW)
        .unique([FILE, LINK], keep="first", maintain_order=True)
        .drop(ROW)
    )
    ids = master.select(SID, CO, ANON, pl.col("lead_id").alias("_master_id"))
    tied = (
        entries.select(FILE, LINK)
        .join(links, on=[FILE, LINK], how="left", maintain_order="left")
        .join(ids, on=IDENTITY, how="left", nulls_equal=True, maintain_order="left")
        .select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
            pl.when(pl.col(SID).is_null())
            .then(pl.col(LINK))
            .otherwise(pl.col("_master_id"))
            .alias("lead_id"),
            (pl.col(SID).is_not_null() & pl.col("_master_id").is_null()).alias("_gone"),
        )
    )
    same = ["lead_id", "contact_at", "contact_at" + TXT, "owner", "content"]
    keys = pl.concat([tied, entries.select(*same[1:], SRC, POS)], how="horizontal").filter(
        ~pl.col("_gone")
    )
    kept = keys.height
    order = (
        keys.sort(*same, SRC, POS, nulls_last=True)
        .unique(same, keep="first", maintain_order=True)
        .sort("contact_at", "lead_id", SRC, POS, nulls_last=True, maintain_order=True)
    )
    out_cols = [fd.key for fd in fields if fd.key != "lead_id"]
    out_cols += [fd.key + TXT for fd in fields if fd.is_time]
    log = entries.select(*out_cols, SRC, POS)[order["_i"]].with_columns(order["lead_id"])
    log = log.select("lead_id", *out_cols, SRC, POS)
    return log, (entries.height, kept - order.height, entries.height - kept)
