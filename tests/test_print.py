"""Every workbook leadbook writes, printed by LibreOffice (issue 15, points 1, 2 and 9): the new
workbook, the master, an annotated copy, the summary and the conflicts report.

Each is converted to PDF once (LibreOffice prints every visible sheet, with the workbook's own
print setup); each page's footer names its sheet (``&A``), which gives the pages per sheet
(``pdftotext``, ``pdfinfo``). The first page of each sheet is kept as a PNG under
test-artifacts/print/. The widths are checked on the file itself (openpyxl): every text cell
fits its column (CJK characters count two, a larger font proportionally more) or wraps onto
lines its row is high enough for, or runs into empty cells on its right (titles).
"""

from __future__ import annotations

import math
import re
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from realclients import ARTIFACTS, soffice_convert

from leadbook.cli import cli

ASOF = ["--as-of", "2024-06-30 18:00"]
OUT = ARTIFACTS / "print"


def width_of(text: str) -> int:
    line_widths = [
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in text.split("\n")
    ]
    return max(line_widths, default=0)


def cut_cells(path: Path) -> list[str]:
    """Text cells of the visible sheets that their column does not show whole."""
    wb = openpyxl.load_workbook(path)
    cut = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        widths: dict[int, float] = {}
        for dim in ws.column_dimensions.values():
            if dim.width:
                for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                    widths[c] = dim.width
        merged = {}
        for rng in ws.merged_cells.ranges:
            merged[(rng.min_row, rng.min_col)] = range(rng.min_col, rng.max_col + 1)
        skip = {(r, c) for rng in ws.merged_cells.ranges for r, c in rng.cells}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value or value.startswith("="):
                    continue
                key = (cell.row, cell.column)
                if key in skip and key not in merged:
                    continue
                cols = merged.get(key, [cell.column])
                width = sum(widths.get(c, 8.43) for c in cols)
                # widths count characters of the default 11-point font: a CJK character up
                # to 11 points is two; a larger font (a title) proportionally more
                scale = max(1.0, (cell.font.sz or 11) / 11) * (1.05 if cell.font.b else 1)
                need = width_of(value) * scale
                if cell.alignment.wrap_text:
                    lines = sum(
                        max(1, math.ceil(width_of(line) * scale / max(width - 1, 1)))
                        for line in value.split("\n")
                    )
                    height = ws.row_dimensions[cell.row].height or 15
                    if lines * 13.2 * scale > height + 3:
                        cut.append(f"{ws.title}!{cell.coordinate}: {lines} lines in {height}pt")
                elif need > width + 0.5:
                    right = [ws.cell(cell.row, c).value for c in range(cols[-1] + 1, cols[-1] + 40)]
                    if any(v not in (None, "") for v in right[: math.ceil(need - width) // 8 + 2]):
                        cut.append(f"{ws.title}!{cell.coordinate}: {need:.0f} > {width:.0f}")
    return cut


def pages_per_sheet(xlsx: Path, name: str) -> dict[str, int]:
    """Print ``xlsx`` through LibreOffice; the pages of each sheet (its footer names it); the
    first page of each sheet kept as a PNG."""
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = soffice_convert(xlsx, "pdf", OUT / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    total = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages: dict[str, int] = {}
    first: dict[str, int] = {}
    for number, page in enumerate(text.split("\f")[:total], start=1):
        footer = [ln.strip() for ln in page.splitlines() if ln.strip()][-1]
        sheet = re.fullmatch(r"(.+?) · \d+ / \d+", footer)
        assert sheet, f"{name} page {number}: no footer naming its sheet: {footer!r}"
        pages[sheet.group(1)] = pages.get(sheet.group(1), 0) + 1
        first.setdefault(sheet.group(1), number)
    for i, number in enumerate(first.values()):
        png = OUT / f"{name}-{i + 1}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", str(number), "-l", str(number),
             "-singlefile", str(pdf), str(png)],
            check=True,
        )  # fmt: skip
        assert png.with_suffix(".png").stat().st_size > 1000
    assert sum(pages.values()) == total
    return pages


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every kind of workbook leadbook writes, from 3 sample reps' workbooks."""
    from click.testing import CliRunner

    runner = CliRunner()
    root = tmp_path_factory.mktemp("print")

    def run(*args):
        result = runner.invoke(cli, [str(a) for a in args])
        assert result.exit_code in (0, 1), result.output
        return result

    run("new", root / "new.xlsx")
    reps = root / "reps"
    run("sample", reps, "--reps", 3, "--leads", 12, "--defects", 0.2, *ASOF)
    master, conflicts = root / "master.xlsx", root / "conflicts.xlsx"
    run("merge", reps, "-o", master, "--conflicts", conflicts, *ASOF)
    run("validate", sorted(reps.glob("*.xlsx"))[0], "--annotate", root / "annotated", *ASOF)
    summary = root / "summary.xlsx"
    run("report", master, "--xlsx", summary, *ASOF)
    annotated = next((root / "annotated").glob("*.xlsx"))
    return {
        "new": root / "new.xlsx",
        "master": master,
        "annotated": annotated,
        "summary": summary,
        "conflicts": conflicts,
    }


def test_the_blank_workbook_prints_one_page_per_sheet(written):
    # 使用说明: ~40 lines at 14pt in one portrait page; the register and the log: their header
    # and 30 empty rows; the field guide: 37 fields, 2-5 lines each, over two landscape pages.
    pages = pages_per_sheet(written["new"], "new")
    assert pages == {"使用说明": 1, "线索台账": 1, "跟进记录": 1, "字段说明": 2}
    assert cut_cells(written["new"]) == []


def used_rows(path: Path, sheet: str) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:  # read-only workbooks keep their file open until closed
        rows = wb[sheet].iter_rows(values_only=True)
        return sum(1 for row in rows if any(v not in (None, "") for v in row))
    finally:
        wb.close()


def test_the_master_prints_its_rows_only(written):
    # Its rows only, no page of empty ones: a landscape A4 page (595 pt, 480 pt between the
    # margins, header and footer) holds at least 32 rows of 15 pt at a scale up to 1.
    master = written["master"]
    pages = pages_per_sheet(master, "master")
    leads, entries = used_rows(master, "线索台账") - 2, used_rows(master, "跟进记录") - 1
    assert leads == 36 and entries > 36
    assert pages["使用说明"] == 1 and pages["字段说明"] == 2
    assert pages["线索台账"] <= math.ceil((leads + 2) / 32)
    assert 1 <= pages["跟进记录"] <= math.ceil((entries + 1) / 32)
    assert cut_cells(master) == []


def test_the_annotated_copy_prints(written):
    pages = pages_per_sheet(written["annotated"], "annotated")
    assert pages["校验结果"] == 1 and pages["线索台账"] == 1 and pages["使用说明"] == 1
    assert cut_cells(written["annotated"]) == []


def test_the_summary_prints(written):
    pages = pages_per_sheet(written["summary"], "summary")
    assert all(n <= 2 for n in pages.values()), pages
    assert cut_cells(written["summary"]) == []


def test_the_conflicts_report_prints(written):
    pages = pages_per_sheet(written["conflicts"], "conflicts")
    assert pages == {"字段冲突": 1, "编号重复": 1, "撞单": 1}
    assert cut_cells(written["conflicts"]) == []


def test_the_checker_sees_a_cut_column(tmp_path):
    """The width check itself: a column too narrow for its CJK text is found."""
    import xlsxwriter

    path = tmp_path / "narrow.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("s")
    ws.set_column(0, 1, 10)
    ws.write_string(0, 0, "深圳市华创智能科技有限公司")  # 26 wide, B1 not empty: cut
    ws.write_string(0, 1, "x")
    ws.write_string(1, 0, "深圳市华创")  # 10 wide: fits
    wrap = wb.add_format({"text_wrap": True})
    ws.write_string(2, 0, "深圳市华创智能科技有限公司", wrap)  # 3 lines in a 15pt row: cut
    wb.close()
    assert [c.split(":")[0] for c in cut_cells(path)] == ["s!A1", "s!A3"]
    assert get_column_letter(1) == "A"
