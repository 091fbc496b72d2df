"""The follow-up log sheet (跟进记录): the ``FollowUps`` table, one row per contact.

Sized for three entries per prepared lead unless the spec says otherwise; the records are
written as given, then each column's validation (the lead ID chosen from the register's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from leadbook.core.sheetlook import lines_needed, print_setup, row_height
from leadbook.workbook.book import Book
from leadbook.workbook.spec import BLANK_ROWS_PRINTED, LOG_HEADER_ROW, SHEET_PROTECTION
from leadbook.workbook.validations import add_validations


def write_followups(book: Book, ws: Worksheet, records: Sequence[dict[str, Any]]) -> None:
    """Write the log with ``records`` (keyed by field key) to ``ws`` and protect it."""
    spec, fields = book.spec, book.cat.log
    columns = book.columns(fields, spec.log_extra)
    col = {key: i for i, (key, _) in enumerate(columns)}
    first = LOG_HEADER_ROW + 1
    last = first + (spec.log_rows or spec.rows * 3) - 1
    ws.set_row(LOG_HEADER_ROW, 32)  # sized before it is written (constant_memory)
    widths = book.table(ws, "FollowUps", LOG_HEADER_ROW, last, fields, spec.log_extra, records)
    ws.freeze_panes(first, 0)
    for r, record in enumerate(records):
        book.write_record(ws, first + r, col, record)
        lines = 1
        for key, value in record.items():
            if isinstance(value, str) and key in col and len(value) * 2 >= widths[col[key]] - 1:
                lines = max(lines, lines_needed(value, widths[col[key]]))
        if lines > 1:
            ws.set_row(first + r, row_height(lines))
    add_validations(book, ws, fields, first, last, col)
    printed = LOG_HEADER_ROW + max(len(records), BLANK_ROWS_PRINTED)
    print_setup(
        ws,
        printed,
        len(columns) - 1,
        header_rows=(0, LOG_HEADER_ROW),
        width=sum(widths),
        gridlines=True,
    )
    ws.protect("", SHEET_PROTECTION)
