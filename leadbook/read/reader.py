"""Reading lead workbooks (.xlsx, .xlsm, .xls, .ods; a .csv through ``csvfile``): fast
(fastexcel: Rust and Arrow), tolerant (sheets found by name or by their header row, the seed
template's own labels and a second header row of field keys understood), and careful (the
file is checked before it is opened, in ``checks``: size, zip damage, encryption, zip bombs).
Which files a folder holds, and which are skipped, is ``inputs``' business.

The result keeps every value where it was: sheet, Excel row, column. Values are returned as
the cells hold them; ``normalize`` turns them into comparable values without changing them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from leadbook.core.catalog import Catalog
from leadbook.core.errors import InputError
from leadbook.core.leadid import TEAM_FORMAT
from leadbook.core.texts import sheet_names
from leadbook.read import preload
from leadbook.read.checks import SPARSE, check_file, read_properties, xml_damage
from leadbook.read.formulas import formula_id_format, stale_formula_rows
from leadbook.read.inputs import READABLE_SUFFIXES, expand_paths, list_inputs
from leadbook.read.messages import input_error

__all__ = [
    "RawBook",
    "SheetData",
    "check_file",
    "expand_paths",
    "input_error",
    "list_inputs",
    "read_book",
]

HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3
WORKBOOK_SUFFIXES = READABLE_SUFFIXES


@dataclass
class SheetData:
    """One sheet's data: a text column per field key, aligned with ``rows``."""

    name: str
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # field key (or composite key) -> 0-based column index
    unknown: list[tuple[int, str]]  # columns whose header matches no field
    rows: list[int] = field(default_factory=list)  # Excel row numbers of the data rows
    frame: Any = None  # polars DataFrame: one text column per field key, aligned with rows
    extra: Any = None  # polars DataFrame: the unknown columns' text, named by column index
    formula_rows: set[int] = field(default_factory=set)  # lead-ID formulas without a value
    formula_rep: str = ""  # the rep code those formulas put in the IDs ("": the seed's IDs)
    formula_format: str = TEAM_FORMAT  # and where (core.leadid)
    # Cells carry their types (a date cell reads as a date, text as text). False for CSV,
    # where every cell is text: a date written as text is then no finding.
    typed: bool = True
    second_header: int | None = None  # Excel row of a second header row (field keys), skipped

    def extra_values(self, col: int, rows: list[int]) -> list[str | None]:
        """The trimmed text of an unknown column (0-based index) at the given Excel rows
        (a master's provenance columns: not catalog fields, kept as they are)."""
        import polars as pl

        return self.extra_series(col, pl.Series(rows, dtype=pl.Int64)).to_list()

    def extra_series(self, col: int, rows):
        """``extra_values`` for rows given as a polars Series, as a String Series (no Python
        object per row: a master's log has hundreds of thousands)."""
        import polars as pl

        name = str(col)
        if self.extra is None or name not in self.extra.columns:
            return pl.Series([None] * len(rows), dtype=pl.String)
        first = self.rows[0] if self.rows else self.header_row + 1
        if self.rows and self.rows[-1] - first + 1 != len(self.rows):  # filled rows only
            where = {r: i for i, r in enumerate(self.rows)}
            index = pl.Series([where[r] for r in rows.to_list()], dtype=pl.Int64)
        else:
            index = rows.cast(pl.Int64) - first
        text = self.extra[name].gather(index).str.strip_chars()
        return text.to_frame("t").select(pl.when(pl.col("t") != "").then(pl.col("t")))["t"]

    def __len__(self) -> int:
        return len(self.rows)

    def filled(self) -> int:
        """The rows that hold a value in a field's column (what a user counts as rows: a
        sheet saved by LibreOffice reaches down to its last formatted row)."""
        import polars as pl

        if self.frame is None or not self.frame.width or not self.frame.height:
            return 0
        filled = pl.any_horizontal(
            pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0 for c in self.frame.columns
        )
        return int(self.frame.select(filled.sum()).item())


@dataclass
class RawBook:
    path: str
    register: SheetData
    log: SheetData | None
    properties: dict[str, str]
    kind: str = "xlsx"  # what the file really is: xlsx (also .xlsm), ods, ole (.xls), csv
    hidden: list = field(default_factory=list)  # read.hidden.Hidden: comments, links, ...

    @property
    def rows(self) -> int:
        """The register's filled rows."""
        return self.register.filled()


# ------------------------------------------------------------------------- headers
def norm_header(text: Any) -> str:
    """A header as compared: NFKC, no spaces, no required-markers, lower case."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[(\[](必填|选填|required|optional)[)\]]$", "", s)
    return s.strip("*※")


@cache
def header_index(catalog: Catalog, sheet: str) -> dict[str, str]:
    """Normalised header -> field key (composites included) for ``register`` or ``log``."""
    index: dict[str, str] = {}
    for fd in catalog.sheet_fields(sheet):
        for name in fd.header_names:
            index.setdefault(norm_header(name), fd.key)
    if sheet == "register":
        for comp in catalog.composites:
            for label in comp.labels:
                index.setdefault(norm_header(label), comp.key)
    return index


def match_header(row: list[Any], index: dict[str, str]) -> tuple[dict[str, int], list]:
    columns: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for i, cell in enumerate(row):
        if cell in ("", None):
            continue
        key = index.get(norm_header(cell))
        if key is None or key in columns:
            unknown.append((i, str(cell).strip()))
        else:
            columns[key] = i
    return columns, unknown


def find_header(rows: list[list[Any]], index: dict[str, str]) -> tuple[int, dict, list] | None:
    """(0-based row, columns, unknown) of the best header in the first rows, if any."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns, unknown = match_header(row, index)
        if len(columns) >= MIN_HEADER_MATCHES and (best is None or len(columns) > len(best[1])):
            best = (r, columns, unknown)
    return best


def is_second_header(row: list[Any], columns: dict[str, int], index: dict[str, str]) -> bool:
    """Whether the row under the header is a second header, as CRM import templates have
    (English labels or field keys under the Chinese labels): most of its cells name the
    field of their own column."""
    same = sum(
        1
        for key, col in columns.items()
        if col < len(row) and index.get(norm_header(row[col] or "")) == key
    )
    filled = sum(1 for cell in row if cell not in ("", None))
    return same >= min(MIN_HEADER_MATCHES, len(columns)) and 2 * same >= filled


# ---------------------------------------------------------------------------- reading
def read_book(
    path: str | Path,
    catalog: Catalog,
    *,
    max_bytes: float = 100 * 2**20,
    lang: str = "zh",
    password: str | None = None,
) -> RawBook:
    """Read the register and the follow-up log of one workbook (.xlsx, .xlsm, .xls, .ods)
    or the register of a CSV file. Raises ``InputError``.

    Values are read with fastexcel (Rust, Arrow: no Python object per cell), every column as
    text so no type guessing can lose a value; ``normalize`` parses dates and numbers.
    """
    path = Path(path)
    kind, data = check_file(path, max_bytes, lang, password)
    if kind == "csv":
        return _read_csv(path, data, catalog, lang)
    import fastexcel

    try:
        if kind == SPARSE:  # a mostly empty rectangle: read cell by cell
            from leadbook.read.sparse import SparseBook

            kind, wb = "xlsx", SparseBook(data)
        else:
            wb = fastexcel.read_excel(data)
            if preload.wanted(kind, data):  # the log loads in a second thread meanwhile
                wb = preload.Preloaded(wb, data)
        names = list(wb.sheet_names)
        register = _find_sheet(wb, names, catalog, "register", exclude=None)
        if register is None:
            raise input_error(lang, "no_register")
        log = _find_sheet(wb, names, catalog, "log", exclude=register.name)
    except InputError:
        raise
    except BaseException as exc:  # the reader raises its own types for every kind of damage
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if not isinstance(exc, Exception):
            if type(exc).__name__ != "PanicException":
                raise  # KeyboardInterrupt, SystemExit
            # A Rust panic in calamine (pyo3 raises it as a BaseException): seen for a number
            # far out of range in a date-formatted cell.
            raise input_error(lang, "reader_failed", detail=detail) from None
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise input_error(lang, "encrypted") from None
        # The zip is sound (check_file read all of it): the damage is in the XML.
        if kind in ("xlsx", "ods") and "cannot detect file format" in detail.lower():
            detail = xml_damage(data) or detail  # what calamine's format sniffing hides
        raise input_error(lang, "malformed", detail=detail) from None
    source = io.BytesIO(data)
    properties = read_properties(source) if kind == "xlsx" else {}
    if kind in ("xlsx", "ole"):  # formula cells exist in these (ods: LibreOffice caches all)
        register.formula_rows = stale_formula_rows(source, kind, register)
        if register.formula_rows:  # a rep's workbook: the IDs carry the rep's code
            rep, fmt = formula_id_format(source, kind, properties)
            register.formula_rep, register.formula_format = rep, fmt
    hidden = []
    if kind == "xlsx":
        from leadbook.read.hidden import hidden_texts

        hidden = hidden_texts(data, [s.name for s in (register, log) if s is not None])
    return RawBook(str(path), register, log, properties, kind, hidden)


def _read_csv(path: Path, data: bytes, catalog: Catalog, lang: str) -> RawBook:
    """A CSV file's register: one sheet, named like the file (as Excel and LibreOffice name
    it when they open the file)."""
    from leadbook.read.csvfile import read_rows, rows_frame, sheet_title

    frame, positions = rows_frame(read_rows(data, lang))
    head = _head_rows(frame, positions)
    index = header_index(catalog, "register")
    found = find_header(head, index)
    if found is None:
        raise input_error(lang, "no_register")
    header, columns, unknown = found
    register = _sheet_data(
        sheet_title(path), frame, positions, header, columns, unknown, head, index
    )
    return RawBook(str(path), register, None, {}, "csv")


def _load(wb, name: str):
    """A whole sheet as text, rows from the sheet's first row, with each column's position
    (and, read cell by cell, the Excel row of each frame row; else ``None``: row 1 on)."""
    if hasattr(wb, "load"):  # read cell by cell (``sparse``), or partly elsewhere (``preload``)
        return wb.load(name)
    return (*preload.load_frame(wb, name), None)


def _find_sheet(wb, names: list[str], catalog: Catalog, role: str, exclude: str | None):
    index = header_index(catalog, role)
    preferred = set(sheet_names(role))
    candidates = sorted(
        (n for n in names if n != exclude), key=lambda n: (n not in preferred, names.index(n))
    )
    best = None
    head_of: dict[str, list[list[Any]]] = {}
    numbers_of: dict[str, list[int] | None] = {}
    for name in candidates:
        frame, positions, numbers_of[name] = _load(wb, name)
        head = head_of[name] = _head_rows(frame, positions)
        found = find_header(head, index)
        if found is None:
            continue
        if role == "log" and not {"contact_at", "content", "method"} & set(found[1]):
            continue  # a register-like sheet is not a log
        if name in preferred:
            best = (name, frame, positions, found)
            break
        if best is None or len(found[1]) > len(best[3][1]):
            best = (name, frame, positions, found)
    if best is None:
        return None
    name, frame, positions, (header, columns, unknown) = best
    data = _sheet_data(name, frame, positions, header, columns, unknown, head_of[name], index)
    numbers = numbers_of[name]
    if numbers is not None:  # read cell by cell: frame rows are the filled rows only
        data.header_row = numbers[header]
        if data.second_header is not None:
            data.second_header = numbers[data.second_header - 1]
        data.rows = numbers[len(numbers) - len(data.rows) :]
    return data


def _head_rows(frame, positions: list[int]) -> list[list[Any]]:
    """The first rows as lists indexed by absolute column (A = 0)."""
    width = (max(positions) + 1) if positions else 0
    rows = []
    for values in frame.head(HEADER_SCAN_ROWS).iter_rows():
        row: list[Any] = [""] * width
        for pos, value in zip(positions, values, strict=True):
            row[pos] = "" if value is None else value
        rows.append(row)
    return rows


def _sheet_data(
    name,
    frame,
    positions,
    header: int,
    columns: dict,
    unknown: list,
    head: list[list[Any]],
    index: dict[str, str],
) -> SheetData:
    """The mapped columns below the header (and below a second header row, if there is
    one), renamed to field keys (empty rows included: ``normalize`` drops them, vectorised)."""
    import polars as pl

    data = SheetData(name, header + 1, columns, unknown)
    first = header + 1
    if first < len(head) and is_second_header(head[first], columns, index):
        data.second_header = first + 1
        first += 1
    by_position = dict(zip(positions, frame.columns, strict=True))  # frame.columns: a copy
    body = frame.slice(first)
    data.rows = list(range(first + 1, first + 1 + body.height))
    data.frame = body.select(
        [
            (pl.col(by_position[col]) if col in by_position else pl.lit(None, pl.String)).alias(key)
            for key, col in columns.items()
        ]
    )
    data.extra = body.select(
        pl.col(by_position[col]).alias(str(col)) for col, _ in unknown if col in by_position
    )
    return data
