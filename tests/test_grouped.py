"""Findings that cost little (issue 14.1): one code in one column on many rows is one line
of text (rows as ranges, a count, the first values), ``--all`` gives one line per cell, the
JSON keeps every finding; the findings are held in columns until they are read."""

import json

import pytest
from books import seed_table_openpyxl, seed_table_row
from conftest import AS_OF

from leadbook.check.codes import make_issue
from leadbook.check.issues import FileReport, Findings, Report
from leadbook.check.render import render_json, render_text, row_ranges
from leadbook.check.validate import validate_paths
from leadbook.cli import cli

BAD_ROWS = [4, 5, 6, 9, 11, 12]  # Excel rows: 4-6, 9, 11-12
PHONE = "J"  # 办公电话 in the seed's table


def _book(tmp_path):
    """The seed's table by openpyxl, 12 leads (rows 3-14), a bad office phone on BAD_ROWS."""
    rows = []
    for n, excel_row in enumerate(range(3, 15)):
        phone = f"{excel_row}-1" if excel_row in BAD_ROWS else "0755-86001234"
        rows.append(seed_table_row(f"EXPO20240520{n + 1:03d}", **{"办公电话": phone}))
    return seed_table_openpyxl(tmp_path / "bad.xlsx", rows)


def _phone_lines(text):
    return [line for line in text.splitlines() if "invalid-phone" in line]


def test_row_ranges_merge_consecutive_rows_and_split_at_gaps():
    assert row_ranges([12, 4, 5, 6, 9, 11]) == [(4, 6), (9, 9), (11, 12)]
    assert row_ranges([7]) == [(7, 7)]
    assert row_ranges([3, 3, 4]) == [(3, 4)]


@pytest.mark.parametrize(("lang", "count"), [("zh", "(6 行)"), ("en", "(6 rows)")])
def test_one_line_for_a_code_in_a_column_with_ranges_and_count(tmp_path, lang, count):
    report = validate_paths([_book(tmp_path)], as_of=AS_OF, lang=lang)
    lines = _phone_lines(render_text(report))
    assert len(lines) == 1
    assert lines[0].split()[0] == "线索信息管理表!J4:J6,"
    assert f"线索信息管理表!{PHONE}4:{PHONE}6, {PHONE}9, {PHONE}11:{PHONE}12 {count}" in lines[0]
    values = "“4-1”、“5-1”、“6-1”" if lang == "zh" else "“4-1”, “5-1”, “6-1”"
    assert values in lines[0]  # the first three values
    assert "9-1" not in lines[0]
    assert sum(1 for i in report.files[0].issues if i.code == "invalid-phone") == 6


def test_all_gives_one_line_per_cell(tmp_path):
    report = validate_paths([_book(tmp_path)], as_of=AS_OF)
    lines = _phone_lines(render_text(report, all_cells=True))
    assert [line.split()[0] for line in lines] == [f"线索信息管理表!J{r}" for r in BAD_ROWS]
    grouped = render_text(report).splitlines()
    assert grouped[-1] == render_text(report, all_cells=True).splitlines()[-1]  # the summary


def test_json_keeps_every_finding(tmp_path):
    report = validate_paths([_book(tmp_path)], as_of=AS_OF)
    issues = json.loads(render_json(report))["files"][0]["issues"]
    phones = [(i["row"], i["column"], i["value"]) for i in issues if i["code"] == "invalid-phone"]
    assert phones == [(r, PHONE, f"{r}-1") for r in BAD_ROWS]


def test_cli_all_and_json_streamed(tmp_path, runner):
    path = str(_book(tmp_path))
    args = ["validate", path, "--as-of", "2024-06-30 18:00"]
    grouped = runner.invoke(cli, args)
    every = runner.invoke(cli, [*args, "--all"])
    data = runner.invoke(cli, [*args, "--format", "json"])
    assert grouped.exit_code == every.exit_code == data.exit_code == 1
    assert len(_phone_lines(grouped.output)) == 1
    assert len(_phone_lines(every.output)) == 6
    assert grouped.output.splitlines()[-1] == every.output.splitlines()[-1]
    doc = json.loads(data.output)
    assert sum(i["code"] == "invalid-phone" for i in doc["files"][0]["issues"]) == 6
    report = validate_paths([path], as_of=AS_OF)
    assert data.output.rstrip("\n") == render_json(report)


def test_groups_keep_masking_and_single_findings_stay_as_they_were():
    issues = [
        make_issue("personal-mobile", file="a.xlsx", sheet="线索台账", row=r, column="P",
                   field="need", value=f"138****{5670 + r}")
        for r in (3, 4, 5)
    ]  # fmt: skip
    lone = make_issue("vague-need", file="a.xlsx", sheet="线索台账", row=7, column="Q",
                      field="need", value="看看")  # fmt: skip
    report = Report(as_of=AS_OF, files=[FileReport("a.xlsx", rows=10, issues=[*issues, lone])])
    text = render_text(report)
    line = next(x for x in text.splitlines() if "personal-mobile" in x)
    assert "线索台账!P3:P5 (3 行)" in line and "“138****5673”、“138****5674”、“138****5675”" in line
    assert any(x.split()[0] == "线索台账!Q7" for x in text.splitlines())
    assert text.splitlines()[-1] == "共 1 个文件、10 行:错误 3 个,警告 1 个,无法读取 0 个"


def test_findings_behave_as_a_list():
    one = make_issue("vague-need", file="a.xlsx", sheet="线索台账", row=7, field="need")
    two = make_issue("vague-need", file="a.xlsx", sheet="线索台账", row=3, field="need")
    found = Findings([one])
    found.append(two)
    assert len(found) == 2 and found[0] == one and found[-1] == two and found == [one, two]
    assert found.sorted() == [two, one]
    del found[0]
    assert list(found) == [two]
    report = FileReport("a.xlsx", issues=[one])
    assert isinstance(report.issues, Findings) and report.errors + report.warnings == 1


def test_places_name_every_finding_without_making_it(tmp_path):
    report = validate_paths([_book(tmp_path)], as_of=AS_OF)
    found = report.files[0].issues
    assert list(found.places()) == [(i.sheet, i.row, i.code) for i in found]
    assert ("线索信息管理表", 9, "invalid-phone") in set(found.places())


@pytest.mark.parametrize(
    "text",
    [
        "办公电话“755-1”不是有效的办公电话号码。",
        "１３８\u200b１２３４\u00a0５６７８",
        "138\u20141234\u20145678 和 zhang＠qq。com",
        "𝟏𝟑𝟖12345678",
        "\t13812345678\x0c",
        "电话 ①③⑧12345678",
    ],
)
def test_the_fast_normal_form_is_the_normal_form(text):
    """The masker's quick test (``str.translate``) reads a text as ``normal_form`` does, so
    what it lets through unmasked holds nothing to mask."""
    from leadbook.core import mask

    assert mask._folded(text) == mask.normal_form(text)[0]
    assert ("****" in mask.mask_text(text) or "***@" in mask.mask_text(text)) == bool(
        mask.find_mobiles(text) or mask.find_emails(text)
    )
