"""From raw cell values to a typed, comparable table (polars), without changing what the
user wrote: every column keeps its raw text beside the normalised value.

Normalising: spaces trimmed, full-width digits, letters and brackets folded (NFKC), numbers
that should be text (a phone stored as 7.5512345678E10) turned back into digits and marked,
Excel date serials and date strings (``2024-05-20 14:30``, ``2024/5/20 14:30``, the seed's
``2024-05-2014:30``, ``2024年5月20日``) parsed. Empty rows are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl

from leadbook.core import reference
from leadbook.core.catalog import Field
from leadbook.read.formulas import computed_ids
from leadbook.read.industry import split_industry
from leadbook.read.reader import SheetData
from leadbook.read.size import parse_size

RAW = "__raw"  # suffix: the value as the user wrote it (text)
BAD = "__bad"  # suffix: a date-time that could not be read
NUM = "__num"  # suffix: a text field that held a number (phones that lost their 0)
TEXT = "__text"  # suffix: a date-time cell that holds text reading as a date (2024/5/20 14:30)
FREE = "__free"  # suffix: True where a required value may be empty (the seed's one-cell industry)
DETAIL = "__detail"  # industry__detail: the part of 所属行业 below the division (汽车零部件)
HINT = "__hint"  # industry__hint: the division that detail likely belongs to
CELL = "__cell"  # industry__cell: the one-cell 所属行业 as written
LOW, HIGH, KIND = "__low", "__high", "__kind"  # a size band's bounds and kind
FILE, ROW = "_file", "_row"

_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$"
)
_EXCEL_EPOCH = datetime(1899, 12, 30)


def cell_text(value: Any) -> str | None:
    """A cell as text the way the user sees it; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_datetime(value: Any) -> datetime | None:
    """A date-time from a cell (datetime, date, Excel serial or text); None if unreadable."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (bool, time | timedelta)):
        return None
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # Excel's range, 1900-01-01 to 9999-12-31
            return _EXCEL_EPOCH + timedelta(days=float(value))
        return None
    if isinstance(value, str):
        m = _DATETIME.match(value.strip().translate(_FULLWIDTH_DIGITS))
        if m:
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
            try:
                return datetime(y, mo, d, h, mi, s)
            except ValueError:
                return None
    return None


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９：－／", "0123456789:-/")


# Full-width ASCII (U+FF01-U+FF5E) and the ideographic space, folded to half-width: what
# NFKC does to the characters people type, at a fraction of the cost.
_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]
_FULL_CLASS = "[\uff01-\uff5e\u3000]"


def sheet_frame(sheet: SheetData, fields: Sequence[Field], file_index: int = 0) -> pl.DataFrame:
    """One sheet as a frame (see :func:`batch_frame`)."""
    return batch_frame([(file_index, sheet)], fields)


def batch_frame(sheets: Sequence[tuple[int, SheetData]], fields: Sequence[Field]) -> pl.DataFrame:
    """Many files' sheets as one frame: ``_file``, ``_row``, and per field ``key``
    (normalised), ``key__raw`` (as written); time fields also ``key__bad``, phones ``key__num``.

    All vectorised, and one frame per batch: polars' fixed cost per column is paid once.
    """
    by_key = {f.key: f for f in fields}
    parts = []
    for file_index, sheet in sheets:
        part = _with_industry(_with_address(sheet)).with_columns(
            pl.lit(file_index, dtype=pl.UInt32).alias(FILE),
            pl.Series(ROW, sheet.rows, dtype=pl.Int32),
            pl.lit(getattr(sheet, "typed", True)).alias(TYPED),
        )
        parts.append(part)
    # One chunk: the rules then run on contiguous columns (3x faster than on 100 pieces).
    frame = pl.concat(parts, how="diagonal_relaxed").rechunk() if len(parts) > 1 else parts[0]
    keys = [f.key for f in fields if f.key in frame.columns]
    raw = {k: _blank_to_null(pl.col(k)) for k in keys}
    carried = [c for c in frame.columns if c.endswith(_CARRIED)]
    frame = frame.select(
        FILE,
        ROW,
        TYPED,
        *[raw[k].alias(k + RAW) for k in keys],
        *carried,
    )
    frame = frame.filter(pl.any_horizontal(pl.col(k + RAW).is_not_null() for k in keys))
    times = [k for k in keys if by_key[k].is_time]
    frame = _parse_times(frame, times)
    texts = [k for k in keys if not by_key[k].is_time]
    wide = _with_full_width(frame, texts)
    exprs: list[pl.Expr] = []
    for key in keys:
        fd = by_key[key]
        if fd.is_time:
            exprs.append((pl.col(key + RAW).is_not_null() & pl.col(key).is_null()).alias(key + BAD))
            exprs.append(_typed_as_text(key))
        else:
            exprs.append(_normalised(key, fold=key in wide))
            if fd.type == "phone":
                # A phone stored as a number lost its leading 0 (7.5512345678E10 -> 75512345678).
                exprs.append(
                    pl.col(key + RAW)
                    .str.contains(r"^[1-9]\d{8,11}$")
                    .fill_null(False)
                    .alias(key + NUM)
                )
    frame = frame.with_columns(exprs)
    for key in keys:
        if by_key[key].type == "size":
            frame = _with_size_bounds(frame, key)
    return frame.drop(TYPED)


TYPED = "_typed"  # the row's file keeps cell types (not CSV)
_CARRIED = (DETAIL, HINT, CELL, FREE)  # columns made before normalising, kept as they are
# How the reader writes a real date cell: 2024-05-20 14:30:00, maybe with milliseconds.
# A date-time cell's text in any other form that still reads as a date was typed as text.
REAL_DATE_FORM = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$"


def _typed_as_text(key: str) -> pl.Expr:
    """A time cell that holds text reading as a date: not in the reader's form for a real date
    cell, not a number (an Excel serial, which formulas use as a date), yet parsed. Text in
    exactly the reader's own form cannot be told from a date cell without reading the sheet
    twice, and is taken as a date; in a CSV file every cell is text, and nothing is flagged."""
    raw = pl.col(key + RAW).str.strip_chars()
    return (
        pl.col(TYPED)
        & pl.col(key).is_not_null()
        & ~raw.str.contains(REAL_DATE_FORM)
        & raw.cast(pl.Float64, strict=False).is_null()
    ).alias(key + TEXT)


def _with_size_bounds(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``key__low``, ``key__high`` (people or 万元) and ``key__kind`` of each size band; all
    null where the text cannot be read (``check.formats`` reports it)."""
    values = frame[key].drop_nulls().unique().to_list()
    bands = {v: parse_size(v) for v in values}
    table = pl.DataFrame(
        {
            key: values,
            key + LOW: [b.low if b else None for b in bands.values()],
            key + HIGH: [b.high if b else None for b in bands.values()],
            key + KIND: [b.kind if b else None for b in bands.values()],
        },
        schema={
            key: pl.String,
            key + LOW: pl.Float64,
            key + HIGH: pl.Float64,
            key + KIND: pl.String,
        },
    )
    return frame.join(table, on=key, how="left", maintain_order="left")


def _blank_to_null(col: pl.Expr) -> pl.Expr:
    return pl.when(col.str.strip_chars().str.len_chars() > 0).then(col).otherwise(None)


_DATETIME_PARTS = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?$"
)


ISO_SECONDS = "%Y-%m-%d %H:%M:%S"  # how the reader writes a date cell as text
# Excel's dates: a time before (a time of day alone is read as 1899-12-30 or -31) or after is
# not a date, and is reported as unreadable.
FIRST_DATE, LAST_DATE = datetime(1900, 1, 1), datetime(9999, 12, 31, 23, 59, 59)


def _parse_times(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Parse the time columns: the reader's own ISO form first (fast), then the other
    accepted forms on the few cells left (regex work only where needed)."""
    if not keys:
        return frame
    frame = frame.with_columns(
        pl.col(k + RAW).str.strptime(pl.Datetime("us"), ISO_SECONDS, strict=False).alias(k)
        for k in keys
    )
    for key in keys:
        todo = pl.col(key + RAW).is_not_null() & pl.col(key).is_null()
        if not frame.select(todo.any()).item():
            continue
        indexed = frame.with_row_index("_i")
        slow = indexed.filter(todo).select("_i", parse_time(pl.col(key + RAW)).alias(key))
        frame = indexed.update(slow, on="_i").drop("_i")
    return frame.with_columns(
        pl.when(pl.col(k).is_between(FIRST_DATE, LAST_DATE)).then(pl.col(k)).alias(k) for k in keys
    )


def parse_time(text: pl.Expr) -> pl.Expr:
    """Vectorised :func:`parse_datetime` over text cells: date strings in the accepted
    forms, or Excel date serials written as numbers."""
    s = text.str.strip_chars().str.replace_many(_FULL, _HALF)
    parts = s.str.extract_groups(_DATETIME_PARTS)

    def part(i: int) -> pl.Expr:
        return parts.struct.field(str(i)).fill_null("0").str.zfill(2)

    iso = pl.concat_str(
        [
            parts.struct.field("1"),
            pl.lit("-"),
            part(2),
            pl.lit("-"),
            part(3),
            pl.lit(" "),
            part(4),
            pl.lit(":"),
            part(5),
            pl.lit(":"),
            part(6),
        ]
    )
    from_text = iso.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    number = s.cast(pl.Float64, strict=False)
    serial = pl.when(number.is_between(1, 2958465.999)).then(
        pl.lit(_EXCEL_EPOCH, dtype=pl.Datetime("us"))
        + pl.duration(milliseconds=(number * 86_400_000).round().cast(pl.Int64))
    )
    return pl.coalesce(from_text, serial)


def present_keys(sheet: SheetData) -> set[str]:
    """The field keys a sheet has columns for (province and city when they come from the
    seed's single address column): a file is judged on these alone, whatever columns the
    other files of its batch have."""
    keys = set(sheet.columns)
    if _splits_address(keys):
        keys |= {"province", "city"}
    if _splits_industry(keys):
        keys.add("industry_division")
    return keys


def _splits_address(columns) -> bool:
    return "province_city" in columns and not {"province", "city"} & set(columns)


def _splits_industry(columns) -> bool:
    return "industry" in columns and "industry_division" not in columns


def _with_address(sheet: SheetData) -> pl.DataFrame:
    """The sheet's frame, with the seed's single address column split into province and
    city when the sheet has no columns of its own for them."""
    frame = sheet.frame
    if not _splits_address(frame.columns):
        return frame
    pairs = [split_address(v) for v in frame["province_city"].to_list()]
    return frame.with_columns(
        pl.Series("province", [p for p, _ in pairs], dtype=pl.String),
        pl.Series("city", [c for _, c in pairs], dtype=pl.String),
    )


def _with_industry(frame: pl.DataFrame) -> pl.DataFrame:
    """The seed's one-cell 所属行业 (``制造业-汽车制造业``) split into section and division
    when the sheet has no division column of its own (see ``read.industry``). The division
    is then optional (``industry_division__free``): the seed's table has no such column."""
    if not _splits_industry(frame.columns):
        return frame
    cells = frame["industry"].to_list()
    split = {v: split_industry(v) for v in set(cells) if v is not None}
    none = split_industry(None)
    rows = [split.get(v, none) if v is not None else none for v in cells]
    return frame.with_columns(
        pl.Series("industry", [c.section for c in rows], dtype=pl.String),
        pl.Series("industry_division", [c.division for c in rows], dtype=pl.String),
        pl.Series("industry" + DETAIL, [c.detail for c in rows], dtype=pl.String),
        pl.Series("industry" + HINT, [c.suggestion for c in rows], dtype=pl.String),
        pl.Series("industry" + CELL, cells, dtype=pl.String),
        pl.Series("industry" + FREE, [c.detail is not None for c in rows], dtype=pl.Boolean),
        pl.lit(True).alias("industry_division" + FREE),
    )


def _with_full_width(frame: pl.DataFrame, keys: list[str]) -> set[str]:
    """The text columns holding any full-width character (folding is costly; most have none)."""
    if not keys:
        return set()
    found = frame.select(pl.col(k + RAW).str.contains(_FULL_CLASS).any().alias(k) for k in keys)
    return {k for k, hit in found.row(0, named=True).items() if hit}


def _normalised(key: str, fold: bool = True) -> pl.Expr:
    text = pl.col(key + RAW)
    if fold:
        text = text.str.replace_many(_FULL, _HALF)
    text = text.str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None).alias(key)


# ------------------------------------------------------------------- addresses
def _province_aliases() -> dict[str, str]:
    aliases = {}
    for province in reference.regions():
        aliases[province] = province
        short = re.sub(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$", "", province)
        aliases.setdefault(short, province)
    return aliases


def split_address(text: str | None) -> tuple[str | None, str | None]:
    """The seed's single address column (广东省深圳市, 上海市浦东新区, 北京市) as
    (province, city). An unknown province gives (None, None); a city that is not the
    province's is returned as written, for the region check to report."""
    if not text:
        return None, None
    s = re.sub(r"\s+", "", text)
    aliases = _province_aliases()
    match = max((a for a in aliases if s.startswith(a)), key=len, default=None)
    if match is None:
        return None, None
    province = aliases[match]
    rest = s[len(match) :]
    cities = reference.regions()[province]
    if not rest:
        return province, province if province in cities else None
    city = max((c for c in cities if rest.startswith(c)), key=len, default=None)
    if city is None:  # 深圳 for 深圳市
        city = next((c for c in cities if rest.startswith(c.rstrip("市"))), None)
    return province, city or rest


# ------------------------------------------------------------------ formula lead IDs
_DATE_CELL = r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?|\d+(\.\d+)?)$"


def fill_formula_ids(frame: pl.DataFrame, sheets: Sequence[tuple[int, SheetData]], codes):
    """The normalised register ``frame`` of a batch with the lead IDs of its sheets' formula
    cells that hold no value computed as the formula would (``read.formulas``), and
    {file index: {Excel row: ID}} of the IDs put in."""
    todo = [(i, s) for i, s in sheets if s.formula_rows]
    if not todo or "lead_id" not in frame.columns:
        return frame, {}
    filled: dict[int, dict[int, str]] = {}
    parts = []
    for index, sheet in todo:
        own = frame.filter(pl.col(FILE) == index)
        empty = [None] * own.height
        channels = own["channel"].to_list() if "channel" in own.columns else empty
        created = empty
        if "created_at" in own.columns:
            # The formula needs a real date (ISNUMBER): a date typed as text gives no ID
            # and is not counted. The reader writes a date cell as ISO text, a number as is.
            real = own.select(
                pl.when(pl.col("created_at" + RAW).str.contains(_DATE_CELL)).then("created_at")
            ).to_series()
            created = real.to_list()
        ids = computed_ids(
            own[ROW].to_list(),
            channels,
            created,
            sheet.formula_rows,
            codes,
            sheet.formula_rep,
            sheet.formula_format,
        )
        filled[index] = {row: v for row, v in ids.items() if v is not None}
        parts.append(
            pl.DataFrame(
                {FILE: [index] * len(ids), ROW: list(ids), "_id": list(ids.values())},
                schema={FILE: pl.UInt32, ROW: pl.Int32, "_id": pl.String},
            ).with_columns(pl.lit(True).alias("_formula"))
        )
    joined = frame.join(pl.concat(parts), on=[FILE, ROW], how="left", maintain_order="left")
    # A formula row shows what the formula computes (nothing, when it computes "").
    formula = pl.col("_formula").fill_null(False)
    return joined.with_columns(
        pl.when(formula).then(pl.col("_id")).otherwise(pl.col(c)).alias(c)
        for c in ("lead_id", "lead_id" + RAW)
    ).drop("_id", "_formula"), filled
