"""``report.cells`` writes exactly what xlsxwriter's own calls write: the same parts, byte for
byte (the volatile docProps/core.xml aside)."""

from __future__ import annotations

import zipfile

import xlsxwriter

from leadbook.report.cells import install, put_column, put_rows

TEXTS = ["a", "", None, "长文本 & <b>", "a", " x ", "=1+1", "http://x.example"]
NUMBERS = [1.0, None, 2.5, 0, 3, -1e-9, None, 45678.25]
LONG = "字" * 20_000  # over half the string limit: xlsxwriter's own way (cut when too long)


def _book(path, fast: bool) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    fmt = wb.add_format({"num_format": "0.0%"})
    text_fmt = wb.add_format({"text_wrap": True})
    for name in ("one", "two"):
        ws = wb.add_worksheet(name)
        if fast:
            install(ws)
        ws.write_string(0, 0, "title", wb.add_format({"bold": True}))
        ws.set_column(1, 1, 20, text_fmt)
        ws.set_column(2, 2, 12, fmt)
        ws.set_row(5, 40)
        data = [TEXTS, NUMBERS, [None] * len(TEXTS), [LONG, *TEXTS[1:]]]
        columns = [(TEXTS, text_fmt, True), (NUMBERS, fmt, False), ([None, None], fmt, False)]
        if fast:
            put_rows(ws, 3, 1, data)
            for j, (values, f, strings) in enumerate(columns):
                put_column(ws, 20, 1 + j, values, f, strings)
        else:
            for r, values in enumerate(zip(*data, strict=True), start=3):
                ws.write_row(r, 1, values)
            for j, (values, f, strings) in enumerate(columns):
                write = ws.write_string if strings else ws.write_number
                for r, value in enumerate(values, start=20):
                    if value is not None:
                        write(r, 1 + j, value, f)
        ws.write_blank(30, 3, None, fmt)
        ws.write_boolean(31, 3, True)
    wb.close()


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def test_cells_written_as_xlsxwriter_writes_them(tmp_path):
    slow, fast = tmp_path / "slow.xlsx", tmp_path / "fast.xlsx"
    _book(slow, fast=False)
    _book(fast, fast=True)
    assert _parts(fast) == _parts(slow)


def test_nothing_to_write(tmp_path):
    for fast in (False, True):
        wb = xlsxwriter.Workbook(str(tmp_path / f"{fast}.xlsx"))
        ws = wb.add_worksheet()
        if fast:
            install(ws)
            put_rows(ws, 1, 0, [[None, ""], [None, None]])
            put_column(ws, 1, 0, [None], None, True)
        wb.close()
    assert _parts(tmp_path / "True.xlsx") == _parts(tmp_path / "False.xlsx")
