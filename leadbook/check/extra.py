"""Personal data in the columns that are no field of the catalog (R-S2.2: anywhere in the
workbook). A real template's columns that leadbook does not know (邮箱, 手机, a second phone
column, 备注) get an ``unknown-column`` warning, and their cells are still scanned: a mobile
or a personal e-mail there is flagged at its cell like in any field.
"""

from __future__ import annotations

import re

from leadbook.check.codes import make_issue
from leadbook.check.issues import Issue
from leadbook.core import mask
from leadbook.core.config import TeamConfig
from leadbook.read.formulas import _column_letter as xl_col_to_name


def unknown_column_findings(path: str, sheet, config: TeamConfig, lang: str) -> list[Issue]:
    """``personal-mobile`` / ``personal-email`` findings in ``sheet``'s unknown columns."""
    import polars as pl

    if sheet is None:
        return []
    found: list[Issue] = []
    for col, header in sheet.unknown:  # a header cell is text a rep typed too
        found += _flagged(header, config, lang, path, sheet.name, sheet.header_row, col, "header")
    if sheet.extra is None or not sheet.extra.width:
        return found
    first = sheet.rows[0] if sheet.rows else sheet.header_row + 1
    present = set(sheet.extra.columns)  # a copy per call: taken once
    headers = {
        str(col): (col, header)
        for col, header in sheet.unknown
        if str(col) in present  # leadbook's own columns too: a rep may have typed in them
    }
    if not headers:
        return found
    # One long column of every unknown cell, filtered once (a sheet can have 16,000 unknown
    # columns: a filter per column would take half a minute).
    cells = (
        sheet.extra.select(pl.col(name).cast(pl.String) for name in headers)
        .with_row_index("i")
        .unpivot(index="i", variable_name="col", value_name="v")
        .filter(pl.col("v").str.contains(mask.PREFILTER))
        .sort("col", "i")
    )
    for i, name, text in cells.iter_rows():
        col, header = headers[name]
        label = mask.mask_text(header)
        found += _flagged(text, config, lang, path, sheet.name, first + i, col, label=label)
    return found


NAME_LABELS = {
    "header": {"zh": "表头", "en": "header"},
    "file": {"zh": "文件名", "en": "file name"},
    "sheet": {"zh": "工作表名", "en": "sheet name"},
    "comment": {"zh": "批注", "en": "cell comment"},
    "hyperlink": {"zh": "超链接", "en": "hyperlink"},
    "defined-name": {"zh": "定义的名称", "en": "defined name"},
    "properties": {"zh": "文档属性(作者、标题等)", "en": "document properties (author, title)"},
}


def _flagged(
    text: str,
    config: TeamConfig,
    lang: str,
    path: str,
    sheet: str | None = None,
    row: int | None = None,
    col: int | None = None,
    place: str | None = None,
    label: str | None = None,
) -> list[Issue]:
    """The personal-mobile / personal-email findings of one text, at its place."""
    personal = set(config.personal_email_domains)
    if place is not None:
        label = NAME_LABELS[place]["en" if lang == "en" else "zh"]
    return [
        make_issue(
            code,
            file=path,
            sheet=sheet,
            row=row,
            column=None if col is None else xl_col_to_name(col),
            value=value,
            lang=lang,
            label=label,
        )
        for code, value in mask.personal_data(text, personal, config.allow_company_email)
    ]


def name_findings(path: str, sheets, config: TeamConfig, lang: str) -> list[Issue]:
    """Personal data in the file's name or its sheets' names (a workbook named after its
    contact's mobile): flagged, as in a cell, so the rep renames it (R-S2.2)."""
    from pathlib import Path

    found = _flagged(Path(path).name, config, lang, path, place="file")
    for s in sheets:
        if s is not None:
            found += _flagged(s.name, config, lang, path, s.name, place="sheet")
    return found


def hidden_findings(path: str, hidden, config: TeamConfig, lang: str) -> list[Issue]:
    """Personal data in comments, hyperlinks, defined names and document properties
    (``read.hidden``): flagged at the comment's cell, or for the sheet or the file."""
    found = []
    for item in hidden:
        row = col = None
        if item.cell:
            row, col = _row_col(item.cell)
            row += 1  # Excel's row number
        found += _flagged(item.text, config, lang, path, item.sheet, row, col, item.place)
    return found


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def _row_col(cell: str) -> tuple[int, int]:
    """(0-based row, 0-based column) of an A1 reference, as xlsxwriter's
    ``xl_cell_to_rowcol`` gives them (without importing xlsxwriter into validate)."""
    m = _A1.match(cell)
    if m is None:
        from xlsxwriter.utility import xl_cell_to_rowcol

        return xl_cell_to_rowcol(cell)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1
