"""Issue 10.3: lead-ID formulas without values. A workbook merely saved by another program
(openpyxl, as leadbook's annotated copies are; LibreOffice as .xls) validates with the same
findings as its original: the IDs are computed as the formula computes them."""

from __future__ import annotations

from datetime import datetime, timedelta

import openpyxl
import pytest
from books import CODES, clean_records, log_for, make_book
from conftest import AS_OF

from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.leadid import ids_for
from leadbook.read.formulas import xls_formula_cells, xlsx_formula_cells

REG, LOG = "线索台账", "跟进记录"


def _records() -> list[dict]:
    """Six leads, two of a channel on one day (sequence 001 and 002), with findings to keep:
    an SLA breach (first call 3 days late) and a follow-up time the log does not hold."""
    records = clean_records(4)
    records.append(dict(records[0], created_at=datetime(2024, 5, 21, 15, 0)))  # EXPO...002
    records.append(dict(records[1], channel="官网表单"))
    return records


def _log(records):
    log = log_for(records)
    log[0] = dict(log[0], contact_at=records[0]["created_at"] + timedelta(days=3))
    log.pop()  # the last lead's latest follow-up is no longer in the log
    return log


def _original(tmp_path):
    records = _records()
    (tmp_path / "orig").mkdir()
    return make_book(tmp_path / "orig" / "rep.xlsx", records, log=_log(records)), records


def _findings(path) -> list[tuple]:
    report = validate_paths([path], as_of=AS_OF)
    (file_report,) = report.files
    assert file_report.error is None
    return [
        (i.code, i.sheet, i.row, i.column, i.field, i.value, i.message, i.hint)
        for i in file_report.sorted_issues()
    ]


def _resave_openpyxl(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    openpyxl.load_workbook(src).save(dst)
    return dst


def test_the_original_has_the_findings_to_compare(tmp_path):
    path, records = _original(tmp_path)
    codes = sorted({f[0] for f in _findings(path)})
    assert "sla-breach" in codes and "log-mismatch" in codes
    assert "unknown-lead" not in codes and "required-missing" not in codes
    ids = ids_for(records, CODES)
    assert ids[0] == "EXPO20240521001" and ids[4] == "EXPO20240521002"


def test_resaved_by_openpyxl_validates_like_the_original(tmp_path):
    path, records = _original(tmp_path)
    resaved = _resave_openpyxl(path, tmp_path / "resaved" / "rep.xlsx")
    cells = xlsx_formula_cells(resaved, REG, 0)
    assert cells[3] is None and len(cells) == 20  # formulas kept, no values
    assert _findings(resaved) == _findings(path)


def test_libreoffice_xls_validates_like_the_original(tmp_path):
    from realclients import soffice_convert

    path, _ = _original(tmp_path)
    xls = soffice_convert(path, "xls", tmp_path / "xls", recalc=False)
    cells = xls_formula_cells(xls, REG, 0)
    assert len(cells) == 20 and cells[3] in (None, "0.0")  # the string result reads as 0
    assert _findings(xls) == _findings(path)


def test_an_annotated_copy_validates_like_its_original(tmp_path, runner):
    path, _ = _original(tmp_path)
    resaved = _resave_openpyxl(path, tmp_path / "resaved" / "rep.xlsx")
    for src, out in ((path, "ann1"), (resaved, "ann2")):
        result = runner.invoke(
            cli,
            [
                "validate",
                str(src),
                "--annotate",
                str(tmp_path / out),
                "--as-of",
                "2024-07-01 09:00",
            ],
        )
        assert result.exit_code == 0, result.output  # warnings only
        copy = tmp_path / out / "rep.xlsx"
        # The copy caches the IDs in its formulas, as Excel would.
        cells = xlsx_formula_cells(copy, REG, 0)
        assert cells[3] == "EXPO20240521001" and cells[7] == "EXPO20240521002"
        assert openpyxl.load_workbook(copy)[REG]["A3"].value.startswith("=IF(")
        assert _findings(copy) == _findings(path)


def test_a_stale_zero_is_computed_and_a_typed_id_is_kept(tmp_path):
    """Cached 0 in a formula: computed. A typed empty cell (no formula): still missing."""
    path, _ = _original(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[REG]
    ws["A4"] = None  # typed over: no formula, no ID
    wb.save(tmp_path / "edited.xlsx")
    found = _findings(tmp_path / "edited.xlsx")
    missing = [f for f in found if f[0] == "required-missing"]
    assert [(f[2], f[3]) for f in missing] == [(4, "A")]
    # The log's entries of that lead now name an unknown ID; every other lead is matched.
    unknown = [f for f in found if f[0] == "unknown-lead"]
    assert {f[5] for f in unknown} == {"EXPO20240522001"}


@pytest.mark.parametrize("cached", [b"<v>0</v>", b"<v></v>", b"", b"<v>#VALUE!</v>"])
def test_stale_cached_values_are_recognised(tmp_path, cached):
    import zipfile

    path, _ = _original(tmp_path)
    src = zipfile.ZipFile(path)
    target = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                start = data.index(b'<c r="A3"')
                end = data.index(b"</c>", start)
                cell = data[start:end]
                f_end = cell.index(b"</f>") + 4
                data = data[:start] + cell[:f_end] + cached + data[end:]
            out.writestr(info, data)
    assert _findings(target) == _findings(path)


def test_computed_ids_equal_what_libreoffice_computes(tmp_path):
    """A creation time typed as text: the formula gives that row no ID and does not count
    it; the IDs leadbook computes for an openpyxl copy are the ones LibreOffice computes."""
    import polars as pl
    from realclients import soffice_convert

    from leadbook.core.catalog import load_catalog
    from leadbook.core.config import load_config
    from leadbook.read.normalize import FILE, ROW, batch_frame, fill_formula_ids
    from leadbook.read.reader import read_book

    path, _ = _original(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[REG]["B3"] = "2024/5/21 9:30"  # text, not a date
    edited = tmp_path / "edited" / "rep.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    recalculated = soffice_convert(edited, "xlsx", tmp_path / "lo", recalc=True)
    by_lo = {r: v for r, v in xlsx_formula_cells(recalculated, REG, 0).items() if v}
    assert 3 not in by_lo and by_lo[7] == "EXPO20240521001"  # row 7 is now the first

    raw = read_book(edited, load_catalog())
    assert raw.register.formula_rows >= {3, 4, 5, 6, 7, 8}
    sheets = [(0, raw.register)]
    frame, filled = fill_formula_ids(
        batch_frame(sheets, load_catalog().register),
        sheets,
        {c.name: c.code for c in load_config().channels},
    )
    assert filled[0] == by_lo
    row3 = frame.filter((pl.col(FILE) == 0) & (pl.col(ROW) == 3))
    assert row3["lead_id"].item() is None
