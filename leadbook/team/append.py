"""Appending leads to a copy of a rep's workbook (``leadbook assign``), with openpyxl.

The copy is the rep's own file with rows added below its last filled register row: sheets,
dropdowns, formulas, colours and protection stay as they were (openpyxl keeps them; the
lead-ID formulas of the other rows lose their cached value and are computed again on opening
and by leadbook's reader). Each new row copies the cell styles of the row above, gets its
lead ID as a value (the ID assignment gave it) and dates formatted as dates; the first lead
of an empty register takes its columns' styles (unlocked cells in the protected sheet). The input is
never written: the copy goes to another path, atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from leadbook.core.atomic import atomic_path

DATE_FORMAT = "yyyy-mm-dd hh:mm"


def append_rows(
    source: Path,
    target: Path,
    sheet: str,
    header_row: int,
    columns: dict[str, int],
    records: Sequence[dict[str, Any]],
    force: bool = False,
) -> list[int]:
    """Write ``source`` with ``records`` (keyed by field key) appended to its register sheet
    ``sheet`` (header at Excel row ``header_row``; ``columns``: field key -> 0-based column)
    to ``target``. Returns the Excel rows the records went to."""
    import openpyxl

    keep_vba = source.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(source, keep_vba=keep_vba)
    ws = wb[sheet]
    fields = {k: c + 1 for k, c in columns.items() if k != "lead_id"}
    row = _last_filled(ws, header_row, list(fields.values())) + 1
    written = []
    for record in records:
        for key, value in record.items():
            col = columns.get(key)
            if col is None or value is None or value == "":
                continue
            cell = ws.cell(row=row, column=col + 1)
            _style(ws, cell, row, col + 1, header_row)
            cell.value = value
            if isinstance(value, datetime) and not cell.is_date:
                cell.number_format = DATE_FORMAT
        written.append(row)
        row += 1
    _extend_tables(ws, row - 1)
    with atomic_path(target, force=force) as tmp:
        wb.save(tmp)
    return written


def _style(ws, cell, row: int, col: int, header_row: int) -> None:
    """The style of the data row above; else, for a cell without one (the first lead of an
    empty register), its column's: unlocked in the protected sheet, dates as dates."""
    above = ws.cell(row=row - 1, column=col) if row - 1 > header_row else None
    if above is not None and above.has_style:
        cell._style = copy(above._style)
        return
    if cell.has_style:
        return
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= (dim.max or dim.min) and dim.has_style:
            cell._style = copy(dim._style)
            return


def _last_filled(ws, header_row: int, cols: list[int]) -> int:
    """The last row at or below the header with a value in one of the field columns."""
    last = header_row
    for r, values in enumerate(
        ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
    ):
        if any(c - 1 < len(values) and values[c - 1] not in (None, "") for c in cols):
            last = r
    return last


def _extend_tables(ws, last_row: int) -> None:
    """A table (``Leads``) that ends above the new rows is extended over them."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if max_row < last_row:
            table.ref = (
                f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last_row}"
            )
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
