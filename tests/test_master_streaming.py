"""The master is written in XlsxWriter's constant_memory mode (issue 14, point 4): rows
streamed to disk top to bottom, one ``write_row`` per record. Read back with openpyxl it
holds the records' values, and it keeps its validations, autofilter (where a rep's workbook
has an Excel table, which constant_memory mode cannot write), formats, frozen panes,
conditional formats, defined names and hidden lists sheet."""

from __future__ import annotations

import zipfile
from copy import copy
from datetime import date, datetime

import openpyxl
import pytest
from books import seed_layout_book
from conftest import AS_OF, clean_record
from openpyxl.utils import get_column_letter

from leadbook.core.catalog import load_catalog
from leadbook.core.provenance import REGISTER as PROVENANCE
from leadbook.merge.master import master_records, merge_paths, write_master
from leadbook.workbook.template import Extra, write_workbook


def _records() -> list[dict]:
    """Three reps' worth of leads, hand-made (XlsxWriter, the seed's layout)."""
    out = []
    for i in range(40):
        out.append(
            clean_record(
                lead_id=f"EXPO20240521{i + 1:03d}",
                company=f"深圳市第{i + 1}号智能科技有限公司",
                office_phone=f"0755-8600{i:04d}",
                im_account=f"wxid_{i:04d}",
                created_at=datetime(2024, 5, 21, 9, 30),
                last_contact_at=datetime(2024, 6, 1 + i % 20, 14, 30),
                need="=1+1" if i == 3 else f"需要采购{i + 1}套传感器",
            )
        )
    return out


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reps")
    records = _records()
    seed_layout_book(folder / "a.xlsx", records[:25])
    seed_layout_book(folder / "b.xlsx", records[25:])
    result = merge_paths([folder], as_of=AS_OF)
    out = tmp_path_factory.mktemp("master") / "master.xlsx"
    write_master(result, out)
    return result, out


def _excel(value):
    """A record value as openpyxl reads its cell back (a date is a date-time at midnight)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def test_master_is_streamed_without_tables(master):
    """Inline strings (constant_memory writes no shared strings table for cells) and no
    table parts."""
    _, out = master
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        register = z.read("xl/worksheets/sheet2.xml").decode()
    assert not [n for n in names if n.startswith("xl/tables/")]
    assert 't="inlineStr"' in register and 't="s"' not in register


def test_master_cells_are_the_records(master):
    result, out = master
    register, log = master_records(result)
    assert len(register) == 40
    wb = openpyxl.load_workbook(out)
    ws = wb["线索台账"]
    catalog = load_catalog()
    keys = [f.key for f in catalog.register] + [k for k, *_ in PROVENANCE]
    assert [c.value for c in ws[2]][: len(catalog.register)] == [f.zh for f in catalog.register]
    compared = 0
    for i, record in enumerate(register):
        row = [c.value for c in ws[3 + i]]
        for c, key in enumerate(keys):
            value = record.get(key)
            if value in (None, ""):
                assert row[c] in (None, ""), (i, key, row[c])
            else:
                assert row[c] == _excel(value), (i, key, row[c], value)
                compared += 1
    assert compared > 40 * 20  # most fields filled
    assert ws.max_row == 2 + 40  # nothing below the last lead
    assert ws.cell(3 + 3, keys.index("need") + 1).data_type == "s"  # "=1+1" stays text
    assert ws.cell(3, keys.index("created_at") + 1).number_format == "yyyy-mm-dd hh:mm"
    lw = wb["跟进记录"]
    log_keys = [f.key for f in catalog.log]
    for i, entry in enumerate(log):
        row = [c.value for c in lw[2 + i]]
        for c, key in enumerate(log_keys):
            value = entry.get(key)
            assert row[c] == (None if value in (None, "") else _excel(value)), (i, key)
    assert lw.max_row == 1 + len(log)


def test_master_keeps_validations_autofilter_and_names(master):
    _, out = master
    wb = openpyxl.load_workbook(out)
    ws = wb["线索台账"]
    catalog = load_catalog()
    ncols = len(catalog.register) + len(PROVENANCE)
    last = get_column_letter(ncols)
    assert ws.auto_filter.ref == f"A2:{last}42"
    assert ws.freeze_panes == "B3"
    assert ws.protection.sheet and ws.protection.autoFilter is False  # filtering allowed
    dvs = {str(d.sqref): d for d in ws.data_validations.dataValidation}
    channel = get_column_letter([f.key for f in catalog.register].index("channel") + 1)
    assert dvs[f"{channel}3:{channel}42"].formula1 == "LIST_channels"
    lists = [f for f in catalog.register if f.type == "list"]
    assert len(dvs) >= len(lists) and all(d.sqref for d in dvs.values())
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) >= 4 and {str(cf.sqref) for cf in ws.conditional_formatting} == {
        f"A3:{last}42"
    }
    assert "LEAD_IDS" in wb.defined_names and "LIST_channels" in wb.defined_names
    assert wb["字典"].sheet_state == "hidden"
    assert wb["字典"]["A1"].value  # the lists, each under its name
    lw = wb["跟进记录"]
    assert lw.auto_filter.ref and lw.auto_filter.ref.startswith("A1:")
    log_dvs = {d.formula1 for d in lw.data_validations.dataValidation}
    assert "LEAD_IDS" in log_dvs


def test_constant_memory_writes_the_cells_the_normal_mode_writes(tmp_path):
    """The same records through both modes: every cell's value, type, format, font, fill
    and protection the same; the validations, conditional formats and names the same. Odd
    values too: empty text, a date-time in a date column, a number, a formula-like text."""
    records = _records()[:6]
    records[0]["need"] = ""
    records[1]["next_due"] = datetime(2024, 7, 1, 10, 0)  # a date-time in a date column
    records[2]["next_due"] = date(2024, 7, 2)
    records[3]["budget"] = 30
    records[4]["website"] = "https://example.com"  # text, never a link
    extra = [Extra(k, zh, w) for k, zh, _, w in PROVENANCE]
    for r in records:
        r["source_file"] = "a.xlsx"
    log = [
        {"lead_id": r["lead_id"], "owner": "*销售", "contact_at": datetime(2024, 6, 3), "due": None}
        for r in records
    ]
    kw = dict(register=records, log=log, lead_id_formula=False, extra=extra, created=AS_OF)
    normal = write_workbook(tmp_path / "normal.xlsx", rows=len(records), **kw)
    streamed = write_workbook(
        tmp_path / "streamed.xlsx", rows=len(records), constant_memory=True, **kw
    )
    a, b = openpyxl.load_workbook(normal), openpyxl.load_workbook(streamed)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        wa, wb_ = a[name], b[name]
        assert wa.dimensions == wb_.dimensions, name
        for ra, rb in zip(wa.iter_rows(), wb_.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                where = (name, ca.coordinate)
                assert (ca.value, ca.data_type) == (cb.value, cb.data_type), where
                assert ca.number_format == cb.number_format, where
                for attr in ("font", "fill", "border", "alignment", "protection"):
                    assert copy(getattr(ca, attr)) == copy(getattr(cb, attr)), (*where, attr)
        dv = [
            (str(d.sqref), d.type, d.formula1, d.prompt) for d in wa.data_validations.dataValidation
        ]
        assert dv == [
            (str(d.sqref), d.type, d.formula1, d.prompt)
            for d in wb_.data_validations.dataValidation
        ], name
        cf = [(str(c.sqref), [r.formula for r in c.rules]) for c in wa.conditional_formatting]
        assert cf == [
            (str(c.sqref), [r.formula for r in c.rules]) for c in wb_.conditional_formatting
        ]
        assert wa.freeze_panes == wb_.freeze_panes
        assert {k: v.height for k, v in wa.row_dimensions.items()} == {
            k: v.height for k, v in wb_.row_dimensions.items()
        }
        for table in wa.tables.values():  # the table's range is the autofilter's
            assert wb_.auto_filter.ref == table.ref and not wb_.tables
    assert {k: v.attr_text for k, v in a.defined_names.items()} == {
        k: v.attr_text for k, v in b.defined_names.items()
    }
    reg = b["线索台账"]
    due = [f.key for f in load_catalog().register].index("next_due") + 1
    assert reg.cell(4, due).value == datetime(2024, 7, 1, 10, 0)
    assert reg.cell(4, due).number_format == "yyyy-mm-dd hh:mm"  # as the normal mode writes it
    assert reg.cell(5, due).number_format == "yyyy-mm-dd"


def test_blank_workbook_keeps_its_table(tmp_path):
    """``leadbook new`` (and split, hand-off, assign) still write the Excel table."""
    path = write_workbook(tmp_path / "new.xlsx", rows=10)
    assert openpyxl.load_workbook(path)["线索台账"].tables["Leads"].ref.startswith("A2:")
