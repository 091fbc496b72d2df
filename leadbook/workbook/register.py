"""The register sheet (线索台账): group bands, the ``Leads`` table and one row per lead.

Row 1 bands the columns by catalog group (and the merge's provenance columns); row 2 is the
table's header; the leads follow, each with its lead ID as a formula (the ID it computes cached with it)
or, in a merged master, as the source's value. Then the validations, the row colours, the
``LEAD_IDS`` name the log's dropdown refers to, and the sheet's protection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from leadbook.core.catalog import Field
from leadbook.core.leadid import excel_formula
from leadbook.core.sheetlook import lines_needed, print_setup, row_height
from leadbook.workbook.book import Book, quote
from leadbook.workbook.conditional import add_conditional_formats
from leadbook.workbook.formats import GROUP_FILLS, PROVENANCE_FILL
from leadbook.workbook.spec import (
    BAND_ROW,
    BLANK_ROWS_PRINTED,
    FIRST_DATA_ROW,
    HEADER_ROW,
    SHEET_PROTECTION,
)
from leadbook.workbook.validations import add_validations


def write_register(
    book: Book, ws: Worksheet, records: Sequence[dict[str, Any]], ids: Sequence[str | None]
) -> None:
    """Write the register with ``records`` (keyed by field key) to ``ws`` and protect it.

    ``ids`` are the records' lead IDs, cached with the formulas that compute them (unused
    when the spec writes IDs as values).
    """
    spec, fields = book.spec, book.cat.register
    columns = book.columns(fields, spec.extra)
    col = {key: i for i, (key, _) in enumerate(columns)}
    last = FIRST_DATA_ROW + spec.rows - 1
    ws.set_row(BAND_ROW, 20)  # rows sized before they are written (constant_memory)
    ws.set_row(HEADER_ROW, 32)
    _bands(book, ws, fields, len(columns))
    widths = book.table(ws, "Leads", HEADER_ROW, last, fields, spec.extra, records)
    ws.freeze_panes(FIRST_DATA_ROW, 1)
    _rows(book, ws, records, ids, col, last, widths)
    add_validations(book, ws, fields, FIRST_DATA_ROW, last, col)
    add_conditional_formats(book, ws, col, last, len(columns))
    book.wb.define_name(
        "LEAD_IDS",
        f"={quote(ws.name)}!$A${FIRST_DATA_ROW + 1}:$A${last + 1}",
    )
    printed = FIRST_DATA_ROW + max(len(records), BLANK_ROWS_PRINTED) - 1
    print_setup(
        ws,
        printed,
        len(columns) - 1,
        header_rows=(BAND_ROW, HEADER_ROW),
        width=sum(widths),
        gridlines=True,
    )
    ws.protect("", SHEET_PROTECTION)


def _rows(
    book: Book,
    ws: Worksheet,
    records: Sequence[dict[str, Any]],
    ids: Sequence[str | None],
    col: dict[str, int],
    last: int,
    widths: list[float],
) -> None:
    """Every prepared row: its lead ID, then the record's values where it has one (a row
    as high as its longest wrapped text needs)."""
    spec = book.spec
    ch_col, cr_col = xl_col_to_name(col["channel"]), xl_col_to_name(col["created_at"])
    rep = (spec.rep.code if spec.rep else None) or ""  # the rep's code in every ID
    for r in range(spec.rows):
        row = FIRST_DATA_ROW + r
        record = records[r] if r < len(records) else {}
        if spec.lead_id_formula and not _kept(spec, record, ids, r):
            formula = excel_formula(
                row + 1,
                ch_col,
                cr_col,
                FIRST_DATA_ROW + 1,
                last + 1,
                rep=rep,
                fmt=book.cfg.lead_id_format,
            )
            cached = (ids[r] if r < len(ids) else None) or ""
            ws.write_formula(row, 0, formula, book.f.locked_id, cached)
        elif record.get("lead_id") is not None:
            ws.write_string(row, 0, str(record["lead_id"]), book.f.locked_id)
        if record:
            book.write_record(ws, row, col, record, skip="lead_id")
        lines = 1
        for key, value in record.items():
            if isinstance(value, str) and key in col and len(value) * 2 >= widths[col[key]] - 1:
                lines = max(lines, lines_needed(value, widths[col[key]]))
        if lines > 1:
            ws.set_row(row, row_height(lines))


def _kept(spec, record: dict[str, Any], ids: Sequence[str | None], r: int) -> bool:
    """Whether the row keeps the record's own lead ID (``keep_lead_ids``): it has one, and the
    formula would give the row another."""
    own = record.get("lead_id")
    return spec.keep_lead_ids and own is not None and own != (ids[r] if r < len(ids) else None)


def _bands(book: Book, ws: Worksheet, fields: Sequence[Field], ncols: int) -> None:
    """Row 1: one merged band per run of fields of a group, then one over the extras."""
    start = 0
    groups = [g.key for g in book.cat.groups]
    while start < len(fields):
        group = fields[start].group
        end = start
        while end + 1 < len(fields) and fields[end + 1].group == group:
            end += 1
        fmt = book.f.band(GROUP_FILLS[groups.index(group) % len(GROUP_FILLS)])
        _band(ws, start, end, book.cat.group(group).label(book.lang), fmt)
        start = end + 1
    if ncols > len(fields):
        label = book.t["validation"]["provenance_group"]
        _band(ws, len(fields), ncols - 1, label, book.f.band(PROVENANCE_FILL))


def _band(ws: Worksheet, start: int, end: int, label: str, fmt: Format) -> None:
    if end > start:
        ws.merge_range(BAND_ROW, start, BAND_ROW, end, label, fmt)
    else:
        ws.write_string(BAND_ROW, start, label, fmt)
