"""The seed's own formats are valid data (issue 10, points 1, 4 and 7): a sheet laid out like
the seed's register table and filled with its example values validates with 0 errors, written
by openpyxl, pandas, XlsxWriter or re-saved by LibreOffice; each planted defect is found with
its code at its cell; dates typed as text are checked and noted."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from books import (
    clean_records,
    make_book,
    seed_table_openpyxl,
    seed_table_pandas,
    seed_table_row,
    seed_table_xlsxwriter,
)
from conftest import AS_OF

from leadbook.check.validate import validate_paths
from leadbook.core import reference
from leadbook.core.catalog import load_catalog
from leadbook.core.config import load_config
from leadbook.read.industry import split_industry, suggest_division
from leadbook.read.normalize import TEXT, sheet_frame
from leadbook.read.reader import SheetData
from leadbook.read.size import EMPLOYEES, REVENUE, parse_size

SHEET = "线索信息管理表"


def check(path, **kw):
    return validate_paths([path], as_of=AS_OF, **kw)


def seed_rows() -> list[dict]:
    """Rows 3-5: the seed's example values (all three 公司规模 examples, 门类-大类 industries);
    rows 6-9: one planted defect each."""
    return [
        seed_table_row("EXPO20240521001"),  # 制造业-汽车零部件: below the division
        seed_table_row("EXPO20240521002", 所属行业="制造业-汽车制造业", 公司规模="50-100人"),
        seed_table_row(
            "WEB20240522001",
            来源渠道="官网表单",
            所属行业="建筑业-房屋建筑业",
            公司规模="5000万-1亿",
            公司地址="上海市浦东新区",
            办公电话="021-58001234",
        ),
        seed_table_row("EXPO20240523001", 所属行业="制造业-软件和信息技术服务业"),
        seed_table_row("EXPO20240523002", 公司规模="很大"),
        seed_table_row("EXPO20240523003", 最近跟进时间="2024/5/20 14:30"),
        seed_table_row("EXPO20240523004", 最近跟进时间="2026.11.29"),  # text, and in the future
    ]


EXPECTED = [  # (row, column, code, severity); E 所属行业, F 公司规模, Q 最近跟进时间
    (2, None, "checks-skipped", "warning"),
    (3, "E", "industry-detail", "warning"),
    (6, "E", "industry-mismatch", "error"),
    (7, "E", "industry-detail", "warning"),
    (7, "F", "invalid-size", "error"),
    (8, "E", "industry-detail", "warning"),
    (8, "Q", "date-as-text", "warning"),
    (9, "E", "industry-detail", "warning"),
    (9, "Q", "date-as-text", "warning"),
    (9, "Q", "invalid-datetime", "error"),
]


def _resaved(tmp_path):
    from realclients import soffice_convert

    made = seed_table_openpyxl(tmp_path / "made" / "seed.xlsx", seed_rows())
    resaved = soffice_convert(made, "xlsx", tmp_path / "resaved")
    assert resaved.read_bytes() != made.read_bytes()
    return resaved


WRITERS = {
    "xlsxwriter": lambda tmp: seed_table_xlsxwriter(tmp / "seed.xlsx", seed_rows()),
    "openpyxl": lambda tmp: seed_table_openpyxl(tmp / "seed.xlsx", seed_rows()),
    "pandas": lambda tmp: seed_table_pandas(tmp / "seed.xlsx", seed_rows()),
    "libreoffice": _resaved,
}


@pytest.mark.parametrize("tool", list(WRITERS))
def test_the_seed_table_filled_with_its_examples_has_no_false_errors(tmp_path, tool):
    path = WRITERS[tool](tmp_path)
    report = check(path)
    found = sorted((i.row, i.column, i.code, i.severity) for i in report.issues())
    assert found == EXPECTED
    clean = [i for i in report.issues() if i.row in (3, 4, 5) and i.severity == "error"]
    assert clean == []
    assert report.files[0].rows == 7
    assert {i.sheet for i in report.issues()} == {SHEET}


def test_the_seed_table_messages_say_what_and_how(tmp_path):
    report = check(seed_table_xlsxwriter(tmp_path / "seed.xlsx", seed_rows()))
    by = {(i.row, i.code): i for i in report.issues()}
    detail = by[(3, "industry-detail")]
    assert detail.value == "制造业-汽车零部件" and detail.field == "industry"
    assert "“汽车零部件”不是" in detail.message and "汽车制造业" in detail.message
    assert "制造业-汽车制造业" in detail.hint and "主营业务" in detail.hint
    mismatch = by[(6, "industry-mismatch")]
    assert mismatch.value == "软件和信息技术服务业" and "“制造业”" in mismatch.message
    assert by[(7, "invalid-size")].value == "很大"
    assert "50-100人" in by[(7, "invalid-size")].hint
    text = by[(8, "date-as-text")]
    assert text.value == "2024/5/20 14:30" and "2024-05-20 14:30" in text.message
    assert "常规" in text.hint and "分列" in text.hint
    assert "不可能已经发生" in by[(9, "invalid-datetime")].message  # checked as 2026-11-29
    skipped = by[(2, "checks-skipped")]
    for words in ("“创建时间”", "“潜力等级”", "“流失原因”", "首次跟进时限", "线索编号中的日期"):
        assert words in skipped.message
    assert "行业大类" not in skipped.message  # 所属行业 holds it: 门类-大类
    en = check(seed_table_xlsxwriter(tmp_path / "en.xlsx", seed_rows()), lang="en")
    en_by = {(i.row, i.code): i for i in en.issues()}
    assert "cannot run" in en_by[(2, "checks-skipped")].message
    assert "is text, not a date" in en_by[(8, "date-as-text")].message


def test_a_seed_sheet_without_its_extra_columns_fails_no_file(tmp_path):
    rows = seed_rows()[:3]
    report = check(seed_table_openpyxl(tmp_path / "seed.xlsx", rows))
    assert report.errors == 0 and report.exit_code() == 0
    assert [i.code for i in report.issues()].count("checks-skipped") == 1
    assert "missing-column" not in {i.code for i in report.issues()}


def test_leadbooks_own_workbook_still_needs_its_columns(tmp_path):
    """A workbook leadbook made keeps its columns: one deleted is an error, not a note."""
    import openpyxl

    path = make_book(tmp_path / "b.xlsx", clean_records(2), log=[])
    wb = openpyxl.load_workbook(path)
    wb["线索台账"]["E2"] = "备注"  # 潜力等级's header renamed away
    wb.save(tmp_path / "renamed.xlsx")
    report = check(tmp_path / "renamed.xlsx")
    codes = {(i.code, i.field) for i in report.issues()}
    assert ("missing-column", "potential") in codes
    assert "checks-skipped" not in {c for c, _ in codes}


# ----------------------------------------------------------------------- 所属行业
@pytest.mark.parametrize(
    ("text", "section", "division", "detail"),
    [
        ("制造业-汽车制造业", "制造业", "汽车制造业", None),
        ("制造业/汽车制造业", "制造业", "汽车制造业", None),
        ("制造业 汽车制造业", "制造业", "汽车制造业", None),
        ("制造业－汽车制造业", "制造业", "汽车制造业", None),  # full-width dash
        ("制造业—汽车制造业", "制造业", "汽车制造业", None),  # em dash
        ("建筑业-房屋建筑业", "建筑业", "房屋建筑业", None),
        ("制造业", "制造业", None, None),
        ("汽车制造业", "制造业", "汽车制造业", None),  # a division finds its section
        ("零售业", "批发和零售业", "零售业", None),
        (
            "信息传输、软件和信息技术服务业-软件和信息技术服务业",
            "信息传输、软件和信息技术服务业",
            "软件和信息技术服务业",
            None,
        ),  # fmt: skip
        ("制造业-汽车零部件", "制造业", None, "汽车零部件"),
        ("制造业-汽车制造业-汽车零部件", "制造业", "汽车制造业", None),  # finer, and fine
        ("制造业-软件和信息技术服务业", "制造业", "软件和信息技术服务业", None),  # a mismatch
        ("很大", "很大", None, None),  # not readable: not-in-list
    ],
)
def test_one_cell_industry_is_split(text, section, division, detail):
    cell = split_industry(text)
    assert (cell.section, cell.division, cell.detail) == (section, division, detail)


def test_the_likely_division_comes_from_reference_data():
    assert split_industry("制造业-汽车零部件").suggestion == "汽车制造业"
    assert suggest_division("食品加工", "制造业") == "食品制造业"  # keyword 食品
    # No keyword: the division sharing the rarest pieces of its name (农副食品加工业: 副食)
    assert suggest_division("副食", "制造业") == "农副食品加工业"
    assert suggest_division("精密模具", "制造业") is None  # nothing fits: no guess
    assert suggest_division("软件", "制造业") is None  # a keyword of another section
    it = split_industry("IT服务")
    assert (it.section, it.detail, it.suggestion) == (None, "IT服务", "软件和信息技术服务业")
    divisions = reference.division_sections()
    assert set(reference.industry_keywords().values()) <= set(divisions)


def test_an_industry_the_keywords_place_is_a_warning_not_an_error(tmp_path):
    rows = [seed_table_row("EXPO20240521001", 所属行业="IT服务")]
    report = check(seed_table_xlsxwriter(tmp_path / "s.xlsx", rows))
    assert [(i.row, i.column, i.code) for i in report.issues() if i.row == 3] == [
        (3, "E", "industry-detail")
    ]
    issue = next(i for i in report.issues() if i.code == "industry-detail")
    assert "信息传输、软件和信息技术服务业-软件和信息技术服务业" in issue.hint


# ----------------------------------------------------------------------- 公司规模
@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("50-100人", EMPLOYEES, 50, 100),
        ("200-500人", EMPLOYEES, 200, 500),
        ("500人以上", EMPLOYEES, 500, None),
        ("约300人", EMPLOYEES, 300, 300),
        ("1000+人", EMPLOYEES, 1000, None),
        ("少于50人", EMPLOYEES, None, 50),
        ("200-499人", EMPLOYEES, 200, 499),  # the dropdown's own bands
        ("5000人以上", EMPLOYEES, 5000, None),
        ("5000万-1亿", REVENUE, 5000, 10000),  # in 万元
        ("1亿以上", REVENUE, 10000, None),
        ("500万以下", REVENUE, None, 500),
        ("年营收1-5亿", REVENUE, 10000, 50000),  # one unit for both bounds
        ("年营收500万-2000万", REVENUE, 500, 2000),
        ("５０－１００人", EMPLOYEES, 50, 100),  # full width
    ],
)
def test_a_size_band_is_read_into_bounds(text, kind, low, high):
    band = parse_size(text)
    assert band is not None and (band.kind, band.low, band.high) == (kind, low, high)


@pytest.mark.parametrize("text", ["很大", "中型企业", "2020年", "200-500人/5000万", "1-2-3人"])
def test_an_unreadable_size_is_none(text):
    assert parse_size(text) is None


def test_every_standard_band_is_readable():
    assert all(parse_size(v) for v in load_config().values("company_sizes"))


def test_the_size_bounds_are_in_the_frame():
    catalog = load_catalog()
    sheet = _sheet({"size": ["50-100人", "5000万-1亿", "很大", None, "很大"]})
    frame = sheet_frame(sheet, catalog.register)
    assert frame.select("size__low", "size__high", "size__kind").rows() == [
        (50.0, 100.0, EMPLOYEES),
        (5000.0, 10000.0, REVENUE),
        (None, None, None),
        (None, None, None),
    ]  # the empty row is dropped


# ---------------------------------------------------------------- dates typed as text
def _sheet(columns: dict[str, list], typed: bool = True) -> SheetData:
    n = len(next(iter(columns.values())))
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
    index = {k: i for i, k in enumerate(columns)}
    return SheetData("S", 1, index, [], list(range(2, 2 + n)), frame, typed=typed)


DATE_CELLS = [
    "2024-05-20 14:30:00",  # how the reader gives a real date cell
    "2024-05-20 14:30:00.500",  # a real date cell with milliseconds
    "45432.6",  # a number (an Excel serial): formulas use it as a date
    "2024/5/20 14:30",  # typed as text (LibreOffice, another locale)
    "2026.11.29",
    "2024年5月20日",
    "2024-05-2014:30",  # the seed's own form
    "下周一",  # not a date at all: invalid-datetime, not date-as-text
]


def test_text_that_reads_as_a_date_is_told_from_a_date_cell():
    frame = sheet_frame(_sheet({"created_at": DATE_CELLS}), load_catalog().register)
    assert frame["created_at" + TEXT].to_list() == [False] * 3 + [True] * 4 + [False]
    assert frame["created_at"].to_list()[3:7] == [
        datetime(2024, 5, 20, 14, 30),
        datetime(2026, 11, 29),
        datetime(2024, 5, 20),
        datetime(2024, 5, 20, 14, 30),
    ]


def test_in_a_csv_every_cell_is_text_and_nothing_is_flagged():
    frame = sheet_frame(_sheet({"created_at": DATE_CELLS}, typed=False), load_catalog().register)
    assert frame["created_at" + TEXT].to_list() == [False] * len(DATE_CELLS)


def test_a_lead_id_empty_for_a_text_creation_time_says_why(tmp_path):
    records = clean_records(3)
    records[1].update(
        created_at="2024/5/22 09:30", status="已成交", last_contact_at=None, last_summary=None
    )
    report = check(make_book(tmp_path / "b.xlsx", records))
    assert report.flatten("row", "column", "code") == [
        (4, "A", "required-missing"),
        (4, "B", "date-as-text"),
    ]
    missing, as_text = report.issues()
    assert "“2024/5/22 09:30”是文本" in missing.message and "补填" not in missing.hint
    assert "生成不了线索编号" in as_text.message
    assert "2024-05-22 09:30" in as_text.message  # checked as that date


# --------------------------------------------------------------- messages (point 7)
def test_high_potential_incomplete_names_each_missing_field(tmp_path):
    records = clean_records(3)
    records[2].update(budget=None, timeline=None)
    report = check(make_book(tmp_path / "b.xlsx", records))
    assert report.flatten("row", "column", "field", "code") == [
        (5, "Q", "budget", "high-potential-incomplete"),
        (5, "R", "timeline", "high-potential-incomplete"),
    ]
    budget, timeline = report.issues()
    assert "“预算范围”没有填写" in budget.message and "高潜力" in budget.message
    assert "“项目时间节点”" in timeline.message
    en = check(make_book(tmp_path / "e.xlsx", records), lang="en").issues()
    assert "“Budget” is empty" in en[0].message


def test_log_mismatch_says_which_sheet_says_what(tmp_path):
    from books import log_for

    records = clean_records(3)
    log = log_for(records)
    records[2]["last_contact_at"] = datetime(2024, 6, 25, 9, 0)  # the log says 06-22 14:30
    report = check(make_book(tmp_path / "b.xlsx", records, log))
    (issue,) = report.issues()
    assert issue.message == (
        "“线索台账”的最近跟进时间是 2024-06-25 09:00,“跟进记录”中这条线索最新一次跟进是 "
        "2024-06-22 14:30。"
    )
    records = clean_records(3)
    records[2]["potential"] = "低潜力"  # no first-contact deadline
    third = log_for(records)[-1]["lead_id"]
    log = [e for e in log_for(records) if e["lead_id"] != third]  # lead 3 has no entry
    (issue,) = check(make_book(tmp_path / "c.xlsx", records, log)).issues()
    assert issue.message == (
        "“线索台账”的最近跟进时间是 2024-06-22 14:30,但“跟进记录”中没有这条线索的跟进记录。"
    )
