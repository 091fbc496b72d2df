"""Reading a CSV register: the encoding told from the bytes (a BOM, else strict UTF-8, else
GB18030, a superset of the GBK that Excel in China saves), the delimiter sniffed (comma,
semicolon or tab), every cell kept as the text it is.

A CSV holds one sheet and no types: dates and numbers are text, as in the file, and
``normalize`` reads them as it reads text cells of a workbook.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from leadbook.read.messages import input_error

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # Excel's "Unicode text": UTF-16, tab-separated
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DELIMITERS = ",;\t"
SNIFF_CHARS = 64 * 1024


def decode(data: bytes, lang: str = "zh") -> tuple[str, str]:
    """(text, encoding) of a CSV file's bytes; ``InputError`` when no encoding fits."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise input_error(lang, "csv_encoding") from None
    if b"\x00" in data[:SNIFF_CHARS]:
        raise input_error(lang, "csv_binary")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise input_error(lang, "csv_encoding")


def delimiter(text: str) -> str:
    """The delimiter of the first lines: the one that splits them most evenly."""
    sample = text[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_rows(data: bytes, lang: str = "zh") -> list[list[str]]:
    """Every row of a CSV file (its bytes, as checked) as lists of text cells (short rows
    are not padded)."""
    text, _ = decode(data, lang)
    if "\x00" in text:
        raise input_error(lang, "csv_binary")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
        return [row for row in reader]
    except csv.Error as exc:
        raise input_error(lang, "csv_malformed", detail=str(exc)[:200]) from None


_NOT_IN_TITLES = str.maketrans({ch: "_" for ch in "\\/*?:[]"})


def sheet_title(path: Path) -> str:
    """The name a CSV file's one sheet goes by: the file's stem, as Excel and LibreOffice name
    it when they open the file (without the characters a sheet name cannot hold)."""
    return path.stem.translate(_NOT_IN_TITLES)[:31] or "Sheet1"


def rows_frame(rows: list[list[str]]):
    """The rows as a polars frame of text columns (``column_1``...), as fastexcel gives a
    sheet, with each column's position (0-based)."""
    import polars as pl

    width = max((len(r) for r in rows), default=0)
    columns = {
        f"column_{c + 1}": [(r[c] if c < len(r) and r[c] != "" else None) for r in rows]
        for c in range(width)
    }
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns})
    return frame, list(range(width))
