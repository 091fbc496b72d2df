"""A marked-up copy of a checked workbook: flagged cells filled and commented, and a first
sheet (校验结果 / Findings) that lists every finding with a link to its cell.

The input is only read; the copy goes to another folder under the same name, written
atomically. An input that cannot be written back in its own format (.xls, .ods, .csv) gets an
.xlsx copy of its sheets and values (``copy_name``). Values shown on the findings sheet are masked (R-K2) and always text, so a
value such as ``=1+1`` never becomes a formula. Mobiles and e-mail addresses are masked in
every cell and note of the copy too (the flagged cell says what was there): the copy goes
back to the rep or up to a manager, and must not carry personal data further (R-S2.2).
"""

from __future__ import annotations

import warnings
import zipfile
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from leadbook.check.cached import cache_formula_values
from leadbook.check.codes import field_label
from leadbook.check.issues import FileReport, Issue
from leadbook.check.render import display_width, file_summary_text, words
from leadbook.check.scrub import scrub_workbook
from leadbook.core.atomic import atomic_path
from leadbook.core.errors import InputError, OutputError
from leadbook.core.mask import mask_text
from leadbook.core.show import shown

FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
FONTS = {"error": "9C0006", "warning": "9C5700"}
AUTHOR = "leadbook"
# openpyxl drops x14 data validations it cannot read, and says so; the copy keeps the rest.
_DV_WARNING = "Data Validation extension is not supported and will be removed"
_WIDTHS = (16, 10, 24, 16, 22, 60, 60)
_HEADER_ROW, _FIRST_ROW = 2, 3
MAX_ROW = 1_048_576
REWRITTEN_SUFFIXES = (".xlsx", ".xlsm")  # what openpyxl writes back in the same format


def copy_name(src: Path) -> str:
    """The annotated copy's file name: the input's, or ``<stem>.xlsx`` for an input that is
    not written back in its own format (.xls, .ods, .csv)."""
    src = Path(src)
    if src.suffix.lower() in REWRITTEN_SUFFIXES:
        return src.name
    return src.stem + ".xlsx"


def annotate(
    src: Path,
    report: FileReport,
    out_dir: Path,
    *,
    lang: str = "zh",
    force: bool = False,
    password: str | None = None,
    encrypt: bool = False,
    name: str | None = None,
) -> Path:
    """Write ``out_dir/<name>`` (default :func:`copy_name`): a copy of ``src`` marked up with
    ``report``'s findings.

    ``out_dir`` is made when missing. An encrypted ``src`` is decrypted in memory with
    ``password``; with ``encrypt`` the copy is encrypted with it too. Raises ``OutputError``
    when the copy would replace ``src`` or exists without ``force``, ``InputError`` when
    ``src`` cannot be opened.
    """
    src, out_dir = Path(src), Path(out_dir)
    target = out_dir / (name or copy_name(src))
    if target.resolve() == src.resolve():
        raise OutputError(key="annotate_is_input", path=target)
    if report.error is not None:
        raise InputError(key="annotate_unreadable", path=src, error=report.error)
    if encrypt and password is None:
        raise ValueError("encrypt needs a password")
    wb = _open(src, password, lang)
    _mask_cells(wb)
    scrub_workbook(wb)
    _mark_cells(wb, report.issues, lang)
    _findings_sheet(wb, report, shown(src.name), lang)
    if not out_dir.is_dir():
        try:
            out_dir.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(
                key="cannot_create_folder", path=out_dir, reason=exc.strerror
            ) from None
    with atomic_path(target, force=force, password=password if encrypt else None) as tmp:
        wb.save(tmp)
        cache_formula_values(tmp, report.formula_values)
    return target


def _open(src: Path, password: str | None = None, lang: str = "zh") -> Workbook:
    from leadbook.core.crypto import plain_source

    try:
        if _kind(src) != "xlsx":
            return _rebuilt(src, lang)
        source = plain_source(src, password)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_DV_WARNING, category=UserWarning)
            return load_workbook(source, keep_vba=src.suffix.lower() == ".xlsm")
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(key="annotate_missing", path=src) from None
    except Exception as exc:  # openpyxl raises many kinds for a file it cannot read
        raise InputError(key="annotate_cannot_open", path=src, kind=type(exc).__name__) from None


def _kind(src: Path) -> str:
    """What the file is by its content: ``xlsx`` (a zip workbook, encrypted ones too),
    ``ods``, ``ole`` (a legacy .xls) or ``csv``."""
    from leadbook.read.checks import OLE_MAGIC, TEXT_SUFFIXES

    with open(src, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        from leadbook.core.crypto import is_encrypted

        return "xlsx" if is_encrypted(src) else "ole"
    if head.startswith(b"PK"):
        with zipfile.ZipFile(src) as zf:
            return "ods" if "content.xml" in zf.namelist() else "xlsx"
    return "csv" if src.suffix.lower() in TEXT_SUFFIXES else "xlsx"


def _rebuilt(src: Path, lang: str) -> Workbook:
    """An .xlsx workbook holding the sheets and values of an .xls, .ods or .csv file (no
    formats, no formulas: their values), so the findings can be marked up in it."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in _sheets(src, lang):
        ws = wb.create_sheet(title)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    _text_cell(ws, r, c, value)
                    continue
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                    value = int(value)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
    if not wb.worksheets:
        wb.create_sheet("Sheet1")
    return wb


def _sheets(src: Path, lang: str):
    """(title, rows of values) of every sheet, as the reader names them."""
    if _kind(src) == "csv":
        from leadbook.read.csvfile import read_rows, sheet_title

        yield sheet_title(src), read_rows(src.read_bytes(), lang)
        return
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(src))
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        yield name[:31], sheet.to_python(skip_empty_area=False)


def _mask_cells(wb: Workbook) -> None:
    """Mobiles and e-mail addresses masked in every value and note of the copy; formulas are
    left alone, a number that is a mobile becomes its masked text."""
    for ws in wb.worksheets:
        # The cells that exist, not the rectangle: one value at XFD1048576 must not make
        # the copy walk 17 billion cells (issue 11).
        for cell in list(ws._cells.values()):
            if not isinstance(cell, Cell):
                continue
            value = cell.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int | str) and not isinstance(value, bool):
                text = str(value)
                if cell.data_type != "f" and (masked := mask_text(text)) != text:
                    _text_cell(ws, cell.row, cell.column, masked)
            if cell.comment is not None and cell.comment.text:
                note = cell.comment
                masked, author = mask_text(note.text), mask_text(note.author or "")
                if masked != note.text or author != (note.author or ""):
                    cell.comment = Comment(masked, author, note.height, note.width)


def _target_cell(wb: Workbook, issue: Issue) -> Cell | None:
    """The flagged cell, when the finding names one that exists in the workbook."""
    if not (issue.sheet and issue.row and issue.column) or issue.sheet not in wb.sheetnames:
        return None
    ws = wb[issue.sheet]
    if not isinstance(ws, Worksheet) or not 1 <= issue.row <= MAX_ROW:
        return None
    try:
        column = column_index_from_string(issue.column)
    except ValueError:
        return None
    cell = ws.cell(row=issue.row, column=column)
    return cell if isinstance(cell, Cell) else None  # not inside a merged range


def _note(issue: Issue, lang: str) -> str:
    w = words(lang)
    return (
        f"[{w[issue.severity]}] {issue.code}\n{mask_text(issue.message)}\n"
        f"{w['hint']}: {mask_text(issue.hint)}"
    )


def _mark_cells(wb: Workbook, issues: list[Issue], lang: str) -> None:
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    cells: dict[tuple[str, str], Cell] = {}
    for issue in sorted(issues, key=Issue.sort_key):
        cell = _target_cell(wb, issue)
        if cell is not None:
            key = (cell.parent.title, cell.coordinate)
            by_cell[key].append(issue)
            cells[key] = cell
    overlay: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, found in by_cell.items():
        cell = cells[key]
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = PatternFill("solid", start_color=FILLS[worst], end_color=FILLS[worst])
        overlay[key[0]][worst].append(cell.coordinate)
        text = "\n\n".join(_note(i, lang) for i in found)
        if cell.comment is not None:  # keep the user's own note, after ours
            text += f"\n\n---\n{cell.comment.text}"
        lines = sum(1 + len(part) // 30 for part in text.split("\n"))
        cell.comment = Comment(text, AUTHOR, height=min(20 * lines + 20, 600), width=320)
    for sheet, by_severity in overlay.items():
        _overlay(wb[sheet], by_severity)


def _overlay(ws: Worksheet, by_severity: dict[str, list[str]]) -> None:
    """Conditional formats that paint the flagged cells above the sheet's own rules.

    The register colours whole rows by rule (SLA red, dormant amber, won green, lost grey),
    and a conditional format hides a plain fill; so the flags are also drawn as the first
    rules: first by priority (Excel, WPS) and first in the file (LibreOffice).
    """
    existing = list(ws.conditional_formatting)
    ws.conditional_formatting = ConditionalFormattingList()
    for priority, severity in enumerate(FILLS, start=1):
        coordinates = by_severity.get(severity)
        if not coordinates:
            continue
        fill = PatternFill("solid", bgColor=FILLS[severity], fgColor=FILLS[severity])
        rule = Rule(
            type="expression",
            formula=["TRUE"],
            stopIfTrue=True,
            dxf=DifferentialStyle(fill=fill),
            priority=priority,
        )
        ws.conditional_formatting.add(" ".join(coordinates), rule)
    for cf in existing:
        for rule in cf.rules:
            rule.priority = (rule.priority or 0) + len(FILLS)
            ws.conditional_formatting.add(str(cf.sqref), rule)


def _text_cell(ws: Worksheet, row: int, col: int, value: str | None) -> Cell:
    """Write ``value`` as text: a leading "=" stays a character, never a formula."""
    cell = ws.cell(row=row, column=col)
    if value:
        cell.value = value
        cell.data_type = "s"
    return cell


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _findings_sheet(wb: Workbook, report: FileReport, name: str, lang: str) -> None:
    w = words(lang)
    title = w["findings_sheet"]
    if title in wb.sheetnames:  # a copy annotated before: its findings are stale
        del wb[title]
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws = wb.create_sheet(title, 0)
    wb.active = 0
    ws.sheet_view.tabSelected = True
    headers = w["headers"].split("|")
    _text_cell(ws, 1, 1, file_summary_text(report, lang, name)).font = Font(bold=True, size=12)
    for col, header in enumerate(headers, start=1):
        cell = _text_cell(ws, _HEADER_ROW, col, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[col - 1]
    wrap = Alignment(wrap_text=True, vertical="top")
    row = _FIRST_ROW - 1
    for row, issue in enumerate(report.sorted_issues(), start=_FIRST_ROW):
        values = [
            issue.cell,
            w[issue.severity],
            issue.code,
            field_label(issue.field, issue.sheet, lang) if issue.field else "",
            mask_text(issue.value) if issue.value is not None else "",
            mask_text(issue.message),
            mask_text(issue.hint),
        ]
        for col, value in enumerate(values, start=1):
            _text_cell(ws, row, col, value).alignment = wrap
        ws.cell(row=row, column=2).font = Font(bold=True, color=FONTS[issue.severity])
        ws.cell(row=row, column=2).fill = PatternFill(
            "solid", start_color=FILLS[issue.severity], end_color=FILLS[issue.severity]
        )
        _link(wb, ws.cell(row=row, column=1), issue)
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(headers))}{max(row, _HEADER_ROW)}"
    ws.freeze_panes = f"A{_FIRST_ROW}"
    _fit_rows(ws, _FIRST_ROW, row)
    _print_setup(ws, f"A1:{get_column_letter(len(headers))}{max(row, _HEADER_ROW)}")


def _print_setup(ws: Worksheet, area: str) -> None:
    """A4 landscape, one page wide, the header row on every page (as the lead workbook)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_area = area
    ws.oddFooter.center.text = "&A · &P / &N"


def _fit_rows(ws: Worksheet, first: int, last: int) -> None:
    """Row heights for the wrapped text: not every spreadsheet program fits them on opening."""
    for r in range(first, last + 1):
        lines = 1
        for col, width in enumerate(_WIDTHS, start=1):
            value = ws.cell(row=r, column=col).value
            if value:
                lines = max(lines, -(-display_width(str(value)) // max(width - 1, 1)))
        ws.row_dimensions[r].height = min(15 * lines + 2, 409)


def _link(wb: Workbook, cell: Cell, issue: Issue) -> None:
    """Make the 位置 cell a link to the flagged cell (or to the sheet, for a column finding)."""
    if not issue.sheet or issue.sheet not in wb.sheetnames:
        return
    target = _target_cell(wb, issue)
    where = target.coordinate if target is not None else "A1"
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{_quote(issue.sheet)}!{where}")
    cell.font = Font(color="0563C1", underline="single")
