"""Reading: each validated workbook's register and log as *version* frames, one row per
sheet row with its provenance (source file, position, rep, findings; carried over from a
master's provenance columns), then all files' versions in one frame with the output values
computed once: text as written (mobiles and e-mail addresses masked), times to the second."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from leadbook.check.issues import FileReport
from leadbook.core import provenance
from leadbook.core.catalog import Catalog, Field
from leadbook.core.mask import PREFILTER, mask_text
from leadbook.merge.columns import FINDINGS, LINK, POS, REP, SID, SRC, TXT
from leadbook.merge.findings import carried_findings, findings_text, row_findings
from leadbook.read.normalize import FILE, RAW, ROW
from leadbook.read.reader import RawBook, SheetData


class Collector:
    """Keeps the version frames of every readable file's register and log, compactly: the
    frames of each ``BLOCK`` files are concatenated and kept as one compressed Arrow IPC
    buffer until all files are read. Many small frames, each made among the reading and
    validating of the next files, would scatter the native heap (it grew about twice as
    fast as the frames' own size); ``registers`` and ``logs`` read the blocks back, in file
    order (concatenated with :func:`concat_versions`: the frame one frame per file gives)."""

    BLOCK = 25

    def __init__(self, catalog: Catalog, password: str | None = None) -> None:
        self.catalog = catalog
        self.password = password
        self._blocks: dict[str, list[bytes]] = {"register": [], "log": []}
        self._pending: dict[str, list[pl.DataFrame]] = {"register": [], "log": []}

    @property
    def registers(self) -> list[pl.DataFrame]:
        return self._frames("register")

    @property
    def logs(self) -> list[pl.DataFrame]:
        return self._frames("log")

    def take(self, report: FileReport, raw: RawBook, reg: pl.DataFrame, log) -> None:
        name = Path(raw.path).name
        carried = _carried(raw, reg, log, self.password)
        rep = row_reps(reg, log, Path(raw.path).stem)
        self._add(
            "register",
            _register_versions(reg, raw, report, self.catalog, name, rep, carried.get("register")),
        )
        if log is not None and raw.log is not None:
            self._add("log", _log_versions(log, raw.log, self.catalog, name, carried.get("log")))
        if len(self._pending["register"]) >= self.BLOCK:
            for role in self._pending:
                self._flush(role)

    def _add(self, role: str, frame: pl.DataFrame) -> None:
        self._pending[role].append(frame)

    def _flush(self, role: str) -> None:
        """The pending frames as one block. Diagonal concatenation in two steps is the one
        step's: columns in order of first appearance, dtypes relaxed to their supertype."""
        frames = self._pending[role]
        if not frames:
            return
        block = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
        buffer = io.BytesIO()
        block.write_ipc(buffer, compression="lz4")
        self._blocks[role].append(buffer.getvalue())
        self._pending[role] = []

    def _frames(self, role: str) -> list[pl.DataFrame]:
        """The blocks read back (each one, once read, no longer kept), then the frames of
        the files since the last block."""
        blocks, self._blocks[role] = self._blocks[role], []
        frames = [pl.read_ipc(io.BytesIO(b)) for b in blocks]
        frames += self._pending[role]
        self._pending[role] = []
        return frames


def _carried(raw: RawBook, reg: pl.DataFrame, log, password=None) -> dict[str, dict[str, list]]:
    """A master's provenance columns (not catalog fields: the reader keeps them as unknown
    columns), aligned with the frames' rows."""
    keys = provenance.header_keys()
    if not provenance.is_master(header for _, header in raw.register.unknown):
        return {}  # a rep's own 校验结果 / 负责销售 columns never stand for leadbook's
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


def file_rep(reg: pl.DataFrame, log, fallback: str) -> str:
    """The file's rep: its most common 最近跟进人, else its log's most common 跟进人 (masked:
    the rep is shown in the master, the conflicts report and on the terminal)."""
    for frame, key in ((reg, "last_owner"), (log, "owner")):
        if frame is None or key not in frame.columns:
            continue
        counts = Counter(v for v in frame[key].to_list() if v)
        if counts:
            return mask_text(min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0])
    return fallback


def row_reps(reg: pl.DataFrame, log, fallback: str) -> pl.Series:
    """Each row's rep (负责销售): the file's rep (:func:`file_rep`); but in a shared sheet
    (``provenance.shared_sheet``: no one 最近跟进人 on 80% of the rows) the row's own
    最近跟进人, else the most common 跟进人 of the lead's log entries, else the file's rep.
    As ``metrics.tables`` credits leads."""
    usual = file_rep(reg, log, fallback)
    owners = reg["last_owner"].to_list() if "last_owner" in reg.columns else [None] * reg.height
    if not provenance.shared_sheet(Counter(v for v in owners if v)):
        return pl.Series([usual] * reg.height, dtype=pl.String)
    counts: Counter = Counter()
    if log is not None and {"lead_id", "owner"} <= set(log.columns):
        pairs = zip(log["lead_id"].to_list(), log["owner"].to_list(), strict=True)
        counts.update((lid, owner) for lid, owner in pairs if lid and owner)
    best: dict[str, tuple[int, str]] = {}
    for (lid, owner), n in counts.items():
        if lid not in best or (-n, owner) < (-best[lid][0], best[lid][1]):
            best[lid] = (n, owner)
    ids = reg["lead_id"].to_list() if "lead_id" in reg.columns else [None] * reg.height
    reps = []
    for owner, lid in zip(owners, ids, strict=True):
        own = owner or (best[lid][1] if lid in best else None)
        reps.append(mask_text(own) if own else usual)
    return pl.Series(reps, dtype=pl.String)


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
    values = concat_versions([_values(frame, sheet, fields)], fields, mask=mask)
    return values.with_columns(pl.col(LINK).alias("lead_id"))


def _register_versions(reg, raw, report, catalog, name, rep, carried) -> pl.DataFrame:
    sheet: SheetData = raw.register
    frame = _values(reg, sheet, catalog.register)
    own_pos = pl.lit(sheet.name + "!") + pl.col(ROW).cast(pl.String)
    carried = carried or {}
    if "findings" in carried or "finding_codes" in carried:  # a master: its rows keep
        texts = carried.get("findings", [None] * frame.height)  # the findings of their source
        codes = carried.get("finding_codes", [None] * frame.height)
        findings = [carried_findings(t, c) for t, c in zip(texts, codes, strict=True)]
    else:
        by_row = row_findings(report, sheet.name)
        findings = [findings_text(by_row.get(r, ())) for r in frame[ROW].to_list()]
    get = lambda key: pl.Series(carried.get(key, [None] * frame.height), dtype=pl.String)  # noqa: E731
    return frame.with_columns(
        pl.coalesce(get("source_file"), pl.lit(name)).alias(SRC),
        pl.coalesce(get("source_row"), own_pos).alias(POS),
        pl.coalesce(get("rep"), rep).alias(REP),
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


def concat_versions(frames: list[pl.DataFrame], fields: Sequence[Field], mask: bool = True):
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
    texts = [fd.key if not fd.is_time else fd.key + TXT for fd in fields]
    # Lead IDs, file and sheet names (and the rep, named after the file when the sheet names
    # none) are a rep's text too (a mobile typed as the ID, a file named after a contact):
    # masked like the fields, the same way in register and log.
    return _masked(frame, [*texts, LINK, SID, SRC, POS, REP])


def _masked(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Mobiles and e-mail addresses masked in the text columns (only the candidate cells go
    through Python)."""
    replaced = []
    for col in columns:
        if col not in frame.columns:
            continue
        series = frame[col]
        hits = frame.select(pl.arg_where(pl.col(col).str.contains(PREFILTER))).to_series()
        if hits.len():
            masked = [mask_text(v) for v in series.gather(hits).to_list()]
            replaced.append(series.scatter(hits, masked))
    return frame.with_columns(replaced) if replaced else frame
