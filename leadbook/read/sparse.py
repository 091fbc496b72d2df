"""Reading a worksheet cell by cell, for sheets that are mostly empty rectangles (one value
typed at XFD1048576 below five leads): memory follows the cells that hold data, not the
rectangle (``read.checks`` decides which workbooks need it). Slower than fastexcel per cell,
so only these workbooks take this way.

Each sheet comes back as fastexcel would give it (every cell as text, dates in ISO form), but
only with the rows that hold something, and the Excel row number of each.
"""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time
from typing import Any


def _text(value: Any) -> str | None:
    """A cell as fastexcel renders it with dtype string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return text + f".{value.microsecond // 1000:03d}" if value.microsecond else text
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


class SparseBook:
    """The workbook's sheets, read by openpyxl (which keeps cells in a dict, not a grid)."""

    def __init__(self, data: bytes) -> None:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        self.sheet_names = self._wb.sheetnames

    def load(self, name: str):
        """(frame, column positions, Excel row numbers): the rows that hold a value."""
        import polars as pl

        ws = self._wb[name]
        by_row: dict[int, dict[int, str]] = {}
        for (row, col), cell in ws._cells.items():  # only the cells that exist
            text = _text(cell.value)
            if text is not None:
                by_row.setdefault(row, {})[col - 1] = text
        numbers = sorted(by_row)
        positions = sorted({c for cells in by_row.values() for c in cells})
        frame = pl.DataFrame(
            {
                str(pos): pl.Series([by_row[r].get(pos) for r in numbers], dtype=pl.String)
                for pos in positions
            }
        )
        return frame, positions, numbers
