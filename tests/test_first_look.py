"""What a rep and a manager see first (issue 15): the suffix ``new`` writes, the master's
findings in the workbook's language, the conflicts work list, ``handoff``'s checks, stale
temp files, one name per thing. The print and width checks through LibreOffice are in
``test_print.py``."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from books import clean_records, make_book
from conftest import AS_OF, clean_record
from python_calamine import CalamineWorkbook

from leadbook.cli import cli
from leadbook.core import atomic
from leadbook.merge.conflicts import write_conflicts
from leadbook.merge.findings import carried_findings
from leadbook.merge.master import merge_paths

ASOF = ["--as-of", "2024-06-30 18:00"]


def rows_of(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def column(path: Path, sheet: str, header: str, header_row: int = 1) -> list:
    rows = rows_of(path, sheet)
    col = rows[header_row].index(header)
    return [r[col] for r in rows[header_row + 1 :]]


def distinct(records: list[dict]) -> list[dict]:
    """Records of different customers (no shared phone or IM account: no 撞单)."""
    for i, r in enumerate(records):
        r.update(office_phone=f"0755-8600{i:04d}", im_account=f"wxid_lead{i}")
    return records


# ------------------------------------------------------------------ 4. new's suffix
@pytest.mark.parametrize("name", ["x.xls", "x.xlsm", "x.csv", "x"])
def test_new_refuses_a_suffix_it_cannot_write(runner, tmp_path, name):
    out = tmp_path / name
    result = runner.invoke(cli, ["new", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "x.xlsx" in lines[0] and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written, no temp file either


def test_new_writes_an_xlsx_whatever_the_case_of_its_suffix(runner, tmp_path):
    out = tmp_path / "Leads.XLSX"
    assert runner.invoke(cli, ["new", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames[1] == "线索台账"


# ------------------------------------------------------------------ 5. findings by title
@pytest.fixture
def flagged_book(tmp_path):
    records = distinct(clean_records(2))
    records[0]["need"] += "(对接人手机:13812345678)"  # an error: a personal mobile
    records[1].update(  # a warning: no contact for more than 90 days (the default)
        created_at=datetime(2024, 3, 1, 9, 30), last_contact_at=datetime(2024, 3, 2, 9, 0)
    )
    return make_book(tmp_path / "a.xlsx", records)


def test_master_names_findings_by_title_and_keeps_codes_last(runner, tmp_path, flagged_book):
    master = tmp_path / "master.xlsx"
    result = runner.invoke(cli, ["merge", str(flagged_book), "-o", str(master), *ASOF])
    assert result.exit_code == 0, result.output
    header = rows_of(master, "线索台账")[1]
    assert header[-2:] == ["校验结果", "校验代码"]  # the codes: the last column
    shown = column(master, "线索台账", "校验结果")  # sorted by creation: the dormant one first
    codes = column(master, "线索台账", "校验代码")
    assert shown[1] == "含个人手机号" and codes[1] == "personal-mobile"
    assert shown[0] == "长期未跟进" and codes[0] == "dormant-overdue"
    assert not any("-" in s for s in shown if s)  # no code in the Chinese column

    english = tmp_path / "master-en.xlsx"
    result = runner.invoke(
        cli, ["merge", str(flagged_book), "-o", str(english), "--lang", "en", *ASOF]
    )
    assert result.exit_code == 0, result.output
    assert column(english, "Leads", "Findings")[1] == "Personal mobile number"
    assert column(english, "Leads", "Finding codes")[1] == "personal-mobile"


def test_merging_into_a_master_keeps_its_findings(runner, tmp_path, flagged_book):
    master = tmp_path / "master.xlsx"
    assert runner.invoke(cli, ["merge", str(flagged_book), "-o", str(master), *ASOF]).exit_code == 0
    other = clean_record(
        company="广州市恒泰贸易有限公司",
        created_at=datetime(2024, 6, 1, 10, 0),
        office_phone="020-88001234",
        im_account="wxid_hengtai",
    )
    b = make_book(tmp_path / "b.xlsx", [other])
    result = runner.invoke(cli, ["merge", str(b), "--into", str(master), *ASOF])
    assert result.exit_code == 0, result.output
    rows = {
        (r[0], r[-2], r[-1])
        for r in rows_of(master, "线索台账")[2:]
        if r[0]  # the master's own mobile is masked now: only the carried codes remember it
    }
    assert ("EXPO20240521001", "含个人手机号", "personal-mobile") in rows
    assert ("EXPO20240301001", "长期未跟进", "dormant-overdue") in rows
    assert ("EXPO20240601001", "", "") in rows


def test_an_earlier_master_without_the_codes_column_is_read_back():
    # a master of an earlier version showed codes in 校验结果; one in English shows titles
    assert carried_findings("sla-breach; dormant-overdue") == "dormant-overdue; sla-breach"
    assert carried_findings("长期未跟进; 含个人手机号") == "personal-mobile; dormant-overdue"
    assert carried_findings("First contact overdue; 撞单:以 *张 EXPO20240521001 为准") == (
        "sla-breach"
    )
    assert carried_findings("长期未跟进", "sla-breach") == "sla-breach"  # the codes column wins


# ------------------------------------------------------------------ 6. the work list
def test_conflicts_work_list_one_sheet_per_kind(tmp_path):
    base = distinct(clean_records(2))
    later = dict(base[0], last_contact_at=datetime(2024, 6, 25, 9, 0), budget="50万以上",
                 last_owner="*李")  # fmt: skip
    a = make_book(tmp_path / "a.xlsx", base)
    b = make_book(tmp_path / "b.xlsx", [later])
    out = write_conflicts(merge_paths([a, b], as_of=AS_OF), tmp_path / "conflicts.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["字段冲突", "编号重复", "撞单"]
    ws = wb["字段冲突"]
    header = [c.value for c in ws[1]]
    assert header == ["线索编号", "公司名称", "字段", "销售A", "值A", "来源A", "销售B", "值B",
                      "来源B", "采用", "原因"]  # fmt: skip
    rows = {r[2]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    budget = rows["预算范围"]
    assert budget[:5] == ("EXPO20240521001", base[0]["company"], "预算范围", "*销售", "30-50万")
    assert budget[5] == "a.xlsx 线索台账!3" and budget[6:9] == (
        "*李",
        "50万以上",
        "b.xlsx 线索台账!3",
    )
    assert budget[9] == "B(*李)" and budget[10] == "最近跟进时间最晚:2024-06-25 09:00"
    for name in ("编号重复", "撞单"):  # nothing to list: the sheet says so
        assert [c.value for c in wb[name]["A"]][1:] == ["无"]
    assert wb["撞单"]["A1"].value == "撞单组"


# ------------------------------------------------------------------ 7. handoff's checks
@pytest.fixture
def books(tmp_path):
    a = make_book(tmp_path / "a.xlsx", clean_records(2))
    b = make_book(tmp_path / "b.xlsx", [clean_record(company="广州市恒泰贸易有限公司")])
    return a, b


def handoff(runner, a, b, *more):
    return runner.invoke(cli, ["handoff", str(a), "--to", str(b), *ASOF, *more])


def test_handoff_refuses_an_unmasked_rep(runner, books, tmp_path):
    a, b = books
    result = handoff(runner, a, b, "--lead", "EXPO20240521001", "--rep", "王五")
    assert result.exit_code == 2 and "*李" in result.output, result.output
    assert "王五" not in result.output  # the name itself is not repeated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]


def test_handoff_checks_the_rep_against_the_config(runner, books, tmp_path):
    a, b = books
    config = tmp_path / "team.toml"
    config.write_text('reps = ["*张", "*李"]\n', encoding="utf-8")
    args = ["--lead", "EXPO20240521001", "--config", str(config)]
    result = handoff(runner, a, b, *args, "--rep", "*孙")
    assert result.exit_code == 2 and "*张、*李" in result.output, result.output
    assert not a.with_name("a.handoff.xlsx").exists()
    assert handoff(runner, a, b, *args, "--rep", "*李").exit_code == 0


def test_handoff_reports_an_unknown_lead_before_an_existing_copy(runner, books):
    a, b = books
    a.with_name("a.handoff.xlsx").write_bytes(b"an earlier copy")
    result = handoff(runner, a, b, "--lead", "NOPE123", "--rep", "*李")
    assert result.exit_code == 2
    assert "NOPE123" in result.output and "already exists" not in result.output
    assert a.with_name("a.handoff.xlsx").read_bytes() == b"an earlier copy"


def test_handoff_creates_its_output_folder_only_when_all_is_right(runner, books, tmp_path):
    a, b = books
    out = tmp_path / "out" / "week27"
    bad = handoff(runner, a, b, "--lead", "NOPE123", "--rep", "*李", "--out-dir", str(out))
    assert bad.exit_code == 2 and not (tmp_path / "out").exists()
    good = handoff(runner, a, b, "--lead", "EXPO20240521001", "--rep", "*李", "--out-dir", str(out))
    assert good.exit_code == 0, good.output
    assert sorted(p.name for p in out.iterdir()) == ["a.handoff.xlsx", "b.handoff.xlsx"]


# ------------------------------------------------------------------ 8. stale temp files
def test_stale_temp_files_of_killed_runs_are_removed_and_nothing_else(runner, tmp_path):
    old = time.time() - atomic.STALE_AFTER - 60
    stale = tmp_path / ".master.xlsx.leadbook-k3j_9x0q.tmp"
    fresh = tmp_path / ".master.xlsx.leadbook-a1b2c3d4.tmp"  # a run writing right now
    foreign = [
        tmp_path / ".master.xlsx.k3j_9x0q.tmp",  # not leadbook's mark
        tmp_path / "notes.leadbook-k3j_9x0q.tmp",  # not hidden
        tmp_path / ".report.html.leadbook-k3j_9x0q.tmp.bak",
    ]
    folder = tmp_path / ".x.xlsx.leadbook-abcdefgh.tmp"  # a folder, however named
    folder.mkdir()
    for p in (stale, fresh, *foreign):
        p.write_bytes(b"")
    for p in (stale, *foreign, folder):
        os.utime(p, (old, old))
    out = tmp_path / "leads.xlsx"
    assert runner.invoke(cli, ["new", str(out)]).exit_code == 0
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (out, fresh, *foreign, folder))
    assert atomic.TEMP_PATTERN.match(stale.name) and not atomic.TEMP_PATTERN.match(foreign[0].name)


# ------------------------------------------------------------------ 1-3. the new workbook
def hue_name(rgb: str) -> str:
    """What a fill looks like, by its hue (HSV): the words the legend may use."""
    import colorsys

    rgb = rgb[-6:]
    r, g, b = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, s, _ = colorsys.rgb_to_hsv(r, g, b)
    if s < 0.1:
        return "灰"
    deg = h * 360
    for name, top in (("红", 15), ("橙", 40), ("黄", 70), ("绿", 170), ("蓝", 260), ("紫", 330)):
        if deg < top:
            return name
    return "红"


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    from leadbook.workbook.template import write_workbook

    return write_workbook(tmp_path_factory.mktemp("blank") / "leads.xlsx")


def test_the_legend_shows_the_conditional_colours_named_as_they_look(blank):
    wb = openpyxl.load_workbook(blank)
    ws = wb["使用说明"]
    legend = {}  # legend fill -> its text
    for row in ws.iter_rows(min_col=1, max_col=2):
        swatch, text = row
        if swatch.fill.fill_type == "solid" and text.value:
            legend[swatch.fill.fgColor.rgb[-6:].upper()] = text.value
    assert len(legend) == 4
    used = set()
    for rules in wb["线索台账"].conditional_formatting:
        for rule in rules.rules:
            used.add(rule.dxf.fill.bgColor.rgb[-6:].upper())
    assert used == set(legend)  # every colour the register uses, and only those
    for fill, text in legend.items():
        word = text.split(":")[0]
        assert hue_name(fill) in word, (fill, text)  # 浅红色 is red, 橙色 orange


def test_register_columns_fit_their_dropdown_values(blank):
    from leadbook.core.config import load_config

    cfg = load_config()
    ws = openpyxl.load_workbook(blank)["线索台账"]
    header = {c.value: c.column_letter for c in ws[2]}

    def width(label):
        return ws.column_dimensions[header[label]].width

    def widest(values):
        return max(
            sum(2 if ord(ch) > 0x2E7F else 1 for ch in v) for v in values
        )  # CJK double: 人 and ~ count as they show

    divisions = [v for vs in cfg.cascade("industry_divisions").values() for v in vs]
    sizes = cfg.values("company_sizes")
    assert widest(sizes) == 19  # "10000人以上" and its kin
    assert width("公司规模") >= 19 + 2
    assert width("行业大类") >= min(widest(divisions), 44)  # the longest division, or wraps
    assert widest(divisions) == 40
    assert width("所属行业") >= 32


def test_one_name_for_the_follow_up_log(blank):
    wb = openpyxl.load_workbook(blank)
    bands = {c.value for c in wb["线索台账"][1] if c.value}
    assert "跟进记录" in wb.sheetnames and "跟进记录" not in bands  # the log is the sheet
    assert "最近跟进" in bands
    guide = [[c.value for c in row] for row in wb["字段说明"].iter_rows()]
    log_rows = [r for r in guide if r[2] in ("owner", "contact_at", "method")]
    assert {r[0] for r in log_rows} == {"跟进记录"}  # the guide groups the log as the sheet
    assert "跟进日志" not in (Path(__file__).parents[1] / "docs" / "fields.md").read_text("utf-8")


def test_widths_count_cjk_double_as_unicode_says():
    import unicodedata

    from leadbook.core.sheetlook import fit_width, text_width

    samples = [
        "深圳市华创智能科技有限公司",
        "EXPO20240521001",
        "10000人以上",
        "(全角)ABC",
        "한국어",
        "😀",
    ]
    for s in samples:
        assert text_width(s) == sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    assert text_width("短\n深圳市华创") == 10  # the longest line
    # the widest value plus 2 (the filter arrow), at least the catalog's width, at most 60
    assert fit_width("公司规模", ["1-49人", "10000人以上"], least=14) == 14  # 11 + 2 < 14
    assert fit_width("公司规模", ["10000人以上 (集团)"], least=14) == 20  # 18 + 2
    assert fit_width("跟进内容摘要", ["深" * 40], least=32) == 60  # 80 wide: it wraps
