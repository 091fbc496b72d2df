"""Fast cell writing for the Excel summary's long tables (the action lists: hundreds of
thousands of cells), producing exactly what xlsxwriter's own calls produce.

xlsxwriter spends ~20 µs a cell in pure Python: ``write_row`` dispatches each value through
``write`` to ``write_string`` / ``write_number``, and ``close`` writes each cell's XML through
generic attribute lists. Here the cells go straight into the worksheet's table, in the same
order (so the shared strings get the same indexes), and ``install`` gives a worksheet a
cell-XML writer for the plain cells (string, number, blank) that writes the same bytes;
any other cell is written by xlsxwriter's own method. ``tests/test_report_cells.py``
compares the parts written both ways.
"""

from __future__ import annotations

from math import isinf, isnan
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple

_STRMAX_HALF = 32767 // 2  # a string this short is never cut (xlsxwriter's own shortcut)


def _written(values: list, blank_text: bool) -> tuple[int, int] | None:
    """The first and last index of a value that makes a cell (not None; with ``blank_text``
    not "" either), or None."""
    n = len(values)
    first = next((i for i in range(n) if _makes(values[i], blank_text)), None)
    if first is None:
        return None
    last = next(i for i in range(n - 1, first - 1, -1) if _makes(values[i], blank_text))
    return first, last


def _makes(value: Any, blank_text: bool) -> bool:
    return value is not None and not (blank_text and value == "")


def _span(ws, first: int, col: int, data: list[list], blank_text: bool) -> bool:
    """Record in the sheet's dimensions the cells the columns ``data`` make from (``first``,
    ``col``), as each write would (the dimensions are a least and a greatest row and column);
    False when the fast way does not apply (a cell off the sheet, which xlsxwriter refuses,
    constant memory, write handlers): then each cell takes xlsxwriter's way."""
    if ws.constant_memory or ws.write_handlers:
        return False
    spans = [(j, s) for j, values in enumerate(data) if (s := _written(values, blank_text))]
    if not spans:
        return True
    top = min(s[0] for _, s in spans)
    bottom = max(s[1] for _, s in spans)
    left, right = spans[0][0], spans[-1][0]
    return (
        ws._check_dimensions(first + top, col + left) == 0
        and ws._check_dimensions(first + bottom, col + right) == 0
    )


def _number_ok(value: Any) -> bool:
    return value.__class__ in (int, float) and not (isnan(value) or isinf(value))


def put_rows(ws, first: int, col: int, data: list[list]) -> None:
    """What ``ws.write_row(first + i, col, row)`` does for every row of the columns ``data``
    (values: str, int, float or None; None and "" write nothing)."""
    if not data or not data[0]:
        return
    if not _span(ws, first, col, data, blank_text=True):
        for r, values in enumerate(zip(*data, strict=True), start=first):
            ws.write_row(r, col, values)
        return
    table, index = ws.table, ws.str_table._get_shared_string_index
    for r, values in enumerate(zip(*data, strict=True), start=first):
        cells = table[r]
        for c, value in enumerate(values, start=col):
            kind = value.__class__
            if kind is str:
                if value == "":
                    continue
                if len(value) > _STRMAX_HALF:
                    ws._write_string(r, c, value)
                else:
                    cells[c] = CellStringTuple(index(value), None)
            elif value is None:
                continue
            elif _number_ok(value):
                cells[c] = CellNumberTuple(value, None)
            else:
                ws.write(r, c, value)


def put_column(ws, first: int, col: int, values: list, fmt, strings: bool) -> None:
    """What ``ws.write_string`` (``strings``) or ``ws.write_number`` of each value with
    ``fmt`` at (``first + i``, ``col``) does; None writes nothing."""
    if not values:
        return
    if not _span(ws, first, col, [values], blank_text=False):
        write = ws.write_string if strings else ws.write_number
        for r, value in enumerate(values, start=first):
            if value is not None:
                write(r, col, value, fmt)
        return
    table = ws.table
    if strings:
        index = ws.str_table._get_shared_string_index
        for r, value in enumerate(values, start=first):
            if value is None:
                continue
            if len(value) > _STRMAX_HALF:
                ws._write_string(r, col, value, fmt)
            else:
                table[r][col] = CellStringTuple(index(value), fmt)
        return
    for r, value in enumerate(values, start=first):
        if value is None:
            continue
        if _number_ok(value):
            table[r][col] = CellNumberTuple(value, fmt)
        else:
            ws._write_number(r, col, value, fmt)


def install(ws) -> None:
    """Give ``ws`` the fast writer of its plain cells' XML (used when the workbook closes)."""
    slow = ws._write_cell
    row_info, col_info = ws.row_info, ws.col_info
    number_t, string_t, blank_t = CellNumberTuple, CellStringTuple, CellBlankTuple
    col_style: dict[int, str] = {}

    def style(row: int, col: int, fmt) -> str:
        if fmt:
            return f' s="{fmt._get_xf_index()}"'
        info = row_info.get(row)
        if info is not None and info.row_format:
            return f' s="{info.row_format._get_xf_index()}"'
        found = col_style.get(col)
        if found is None:
            found = ""
            if col in col_info:
                column_format = col_info[col].column_format
                if column_format is not None:
                    found = f' s="{column_format._get_xf_index()}"'
            col_style[col] = found
        return found

    def write_cell(row: int, col: int, cell) -> None:
        kind = cell.__class__
        if kind is string_t:
            s = style(row, col, cell.format)
            ws.fh.write(
                f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{s} t="s"><v>{cell.string}</v></c>'
            )
        elif kind is number_t:
            s = style(row, col, cell.format)
            ws.fh.write(
                f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{s}><v>{cell.number:.16G}</v></c>'
            )
        elif kind is blank_t:
            s = style(row, col, cell.format)
            ws.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{s}/>')
        else:
            slow(row, col, cell)

    ws._write_cell = write_cell
