"""Personal data in the columns that are no field of the catalog (R-S2.2: anywhere in the
workbook). A real template's columns that leadbook does not know (邮箱, 手机, a second phone
column, 备注) get an ``unknown-column`` warning, and their cells are still scanned: a mobile
or a personal e-mail there is flagged at its cell like in any field.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from leadbook.check.codes import make_issue
from leadbook.check.issues import Issue
from leadbook.core import mask
from leadbook.core.config import TeamConfig


def unknown_column_findings(path: str, sheet, config: TeamConfig, lang: str) -> list[Issue]:
    """``personal-mobile`` / ``personal-email`` findings in ``sheet``'s unknown columns."""
    import polars as pl

    if sheet is None:
        return []
    personal = set(config.personal_email_domains)
    found: list[Issue] = []
    for col, header in sheet.unknown:  # a header cell is text a rep typed too
        for code, value in mask.personal_data(header, personal, config.allow_company_email):
            found.append(
                make_issue(
                    code,
                    file=path,
                    sheet=sheet.name,
                    row=sheet.header_row,
                    column=xl_col_to_name(col),
                    value=value,
                    lang=lang,
                    label=NAME_LABELS["header"]["en" if lang == "en" else "zh"],
                )
            )
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
        for code, value in mask.personal_data(text, personal, config.allow_company_email):
            found.append(
                make_issue(
                    code,
                    file=path,
                    sheet=sheet.name,
                    row=first + i,
                    column=xl_col_to_name(col),
                    value=value,
                    lang=lang,
                    label=mask.mask_text(header),
                )
            )
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


def name_findings(path: str, sheets, config: TeamConfig, lang: str) -> list[Issue]:
    """Personal data in the file's name or its sheets' names (a workbook named after its
    contact's mobile): flagged, as in a cell, so the rep renames it (R-S2.2)."""
    from pathlib import Path

    personal = set(config.personal_email_domains)
    found = []
    named = [("file", None, Path(path).name)]
    named += [("sheet", s.name, s.name) for s in sheets if s is not None]
    for kind, sheet, text in named:
        for code, value in mask.personal_data(text, personal, config.allow_company_email):
            found.append(
                make_issue(
                    code,
                    file=path,
                    sheet=sheet,
                    value=value,
                    lang=lang,
                    label=NAME_LABELS[kind]["en" if lang == "en" else "zh"],
                )
            )
    return found


def hidden_findings(path: str, hidden, config: TeamConfig, lang: str) -> list[Issue]:
    """Personal data in comments, hyperlinks, defined names and document properties
    (``read.hidden``): flagged at the comment's cell, or for the sheet or the file."""
    personal = set(config.personal_email_domains)
    found = []
    for item in hidden:
        for code, value in mask.personal_data(item.text, personal, config.allow_company_email):
            column = row = None
            if item.cell:
                letters = item.cell.rstrip("0123456789")
                column, row = letters, int(item.cell[len(letters) :])
            found.append(
                make_issue(
                    code,
                    file=path,
                    sheet=item.sheet,
                    row=row,
                    column=column,
                    value=value,
                    lang=lang,
                    label=NAME_LABELS[item.place]["en" if lang == "en" else "zh"],
                )
            )
    return found
