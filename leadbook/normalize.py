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

from leadbook import reference
from leadbook.catalog import Field
from leadbook.reader import SheetData

RAW = "__raw"  # suffix: the value as the user wrote it (text)
BAD = "__bad"  # suffix: a date-time that could not be read
NUM = "__num"  # suffix: a text field that held a number (phones that lost their 0)
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


def _texts(values: list[Any]) -> list[str | None]:
    return [v if type(v) is str else cell_text(v) for v in values]


def _time_texts(values: list[Any]) -> list[str | None]:
    """Raw text of the cells of a time column that are not already date-times."""
    return [None if isinstance(v, date) or v == "" else cell_text(v) for v in values]


def sheet_frame(sheet: SheetData, fields: Sequence[Field], file_index: int = 0) -> pl.DataFrame:
    """The sheet as a frame: ``_file``, ``_row``, and per field ``key`` (normalised),
    ``key__raw`` (as written); time fields also ``key__bad``, phones ``key__num``."""
    columns: dict[str, Any] = {ROW: pl.Series(ROW, sheet.rows, dtype=pl.Int32)}
    by_key = {f.key: f for f in fields}
    present = [k for k in sheet.values if k in by_key]
    for key in present:
        fd = by_key[key]
        values = sheet.values[key]
        if fd.is_time:
            columns[key + RAW] = pl.Series(_time_texts(values), dtype=pl.String)
            columns[key] = pl.Series(
                [v if type(v) is datetime else parse_datetime(v) for v in values],
                dtype=pl.Datetime("us"),
            )
            continue
        columns[key + RAW] = pl.Series(_texts(values), dtype=pl.String)
        if fd.type == "phone":
            numeric = [type(v) is float or type(v) is int for v in values]
            columns[key + NUM] = pl.Series(numeric, dtype=pl.Boolean)
    frame = pl.DataFrame(columns)
    text_keys = [k for k in present if not by_key[k].is_time]
    frame = frame.with_columns(
        pl.lit(file_index, dtype=pl.UInt32).alias(FILE),
        *[_normalised(k) for k in text_keys],
        *[
            (pl.col(k + RAW).str.strip_chars().str.len_chars() > 0)
            .fill_null(False)
            .and_(pl.col(k).is_null())
            .alias(k + BAD)
            for k in present
            if by_key[k].is_time
        ],
    )
    if "province_city" in sheet.values and not {"province", "city"} & set(present):
        frame = frame.with_columns(_split_address(sheet.values["province_city"]))
    value_cols = [c for c in frame.columns if c.endswith(RAW)]
    if value_cols:
        frame = frame.filter(pl.any_horizontal(pl.col(value_cols).is_not_null()))
    return frame


def _normalised(key: str) -> pl.Expr:
    text = pl.col(key + RAW).str.replace_many(_FULL, _HALF).str.strip_chars()
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


def _split_address(values: list[Any]) -> list[pl.Series]:
    pairs = [split_address(cell_text(v)) for v in values]
    texts = [cell_text(v) for v in values]
    return [
        pl.Series("province", [p for p, _ in pairs], dtype=pl.String),
        pl.Series("province" + RAW, texts, dtype=pl.String),
        pl.Series("city", [c for _, c in pairs], dtype=pl.String),
        pl.Series("city" + RAW, texts, dtype=pl.String),
    ]
