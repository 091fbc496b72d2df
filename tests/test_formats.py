"""Every format a team saves its register in (.xlsx, .xlsm, .xls, .ods, .csv in UTF-8, UTF-8
with BOM and GBK) gives the same findings for the same data; a folder lists every file, read
or skipped with its reason (leadbook's own outputs among them); a second header row of field
keys is skipped; the header words of real import templates are understood.

The inputs are written by other tools: XlsxWriter (the seed-layout sheet), LibreOffice
(``soffice --convert-to xls / ods / csv``), pandas ``to_excel`` and Python's csv module.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from books import seed_layout_book
from conftest import AS_OF, clean_record
from realclients import soffice_convert

from leadbook.check.validate import validate_paths
from leadbook.cli import cli as main
from leadbook.core.catalog import load_catalog
from leadbook.read import csvfile
from leadbook.read.inputs import list_inputs
from leadbook.read.reader import header_index, norm_header, read_book
from leadbook.workbook.template import write_workbook

UTF8_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1"
SHEET = "线索信息管理表"


def records() -> list[dict]:
    """Five leads in the seed's layout: two clean, three with one planted defect each."""
    return [
        clean_record(created_at=datetime(2024, 6, 1, 9, 30), company="深圳市华创智能科技有限公司"),
        clean_record(created_at=datetime(2024, 6, 2, 9, 30), company="广州市恒达精密机械有限公司"),
        clean_record(
            created_at=datetime(2024, 6, 3, 9, 30),
            company="东莞市联兴电子有限公司",
            office_phone="755-1",  # invalid-phone
        ),
        clean_record(
            created_at=datetime(2024, 6, 4, 9, 30),
            company="佛山市顺景家具有限公司",
            position="采购经理 13812345678",  # personal-mobile
        ),
        clean_record(
            created_at=datetime(2024, 6, 5, 9, 30),
            company="珠海市海岸软件有限公司",
            status="谈着呢",  # not-in-list
        ),
    ]


PLANTED = {(5, "office_phone", "invalid-phone"), (6, "position", "personal-mobile")}
PLANTED_STATUS = (7, "status", "not-in-list")


# The builder writes its dates as text: a typed format (xlsx, xls, ods) says so at every date
# cell (date-as-text), a CSV cannot (every cell is text). Compared without those notes.
TYPED_ONLY = {"date-as-text"}
SEED_NOTE = (2, None, "checks-skipped")  # 行业大类 and 流失原因: the seed's table has neither


def findings(path: Path | str) -> set[tuple]:
    report = validate_paths([path], as_of=AS_OF)
    assert [f.error for f in report.files] == [None], report.files
    return {f for f in report.flatten("row", "field", "code") if f[2] not in TYPED_ONLY}


@pytest.fixture(scope="module")
def formats(tmp_path_factory) -> dict[str, Path]:
    """The same register in every format."""
    folder = tmp_path_factory.mktemp("formats")
    original = seed_layout_book(folder / "xlsx" / "seed.xlsx", records())
    made = {"xlsx": original}
    for fmt in ("xls", "ods"):
        made[fmt] = soffice_convert(original, fmt, folder / fmt)
    made["csv-lo"] = soffice_convert(original, UTF8_CSV, folder / "csv-lo")
    rows = [[("" if v is None else str(v)) for v in row] for row in _values(original)]
    for name, encoding in (("csv-bom", "utf-8-sig"), ("csv-gbk", "gbk"), ("csv-utf8", "utf-8")):
        path = folder / name / "seed.csv"
        path.parent.mkdir()
        with open(path, "w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
        made[name] = path
    frame = pd.DataFrame(rows[2:], columns=rows[1])
    made["pandas"] = folder / "pandas" / "seed.xlsx"
    made["pandas"].parent.mkdir()
    frame.to_excel(made["pandas"], sheet_name=SHEET, index=False, startrow=1)
    return made


def _values(path: Path) -> list[list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:  # read-only workbooks keep their file open until closed
        return [list(row) for row in wb[SHEET].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_the_gbk_file_is_really_gbk(formats):
    data = formats["csv-gbk"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert csvfile.decode(data)[1] == "gb18030"
    assert formats["csv-bom"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert csvfile.decode(formats["csv-bom"].read_bytes())[1] == "utf-8-sig"


@pytest.mark.parametrize(
    "fmt", ["xls", "ods", "csv-lo", "csv-bom", "csv-gbk", "csv-utf8", "pandas"]
)
def test_the_same_findings_in_every_format(formats, fmt):
    expected = findings(formats["xlsx"])
    assert expected == PLANTED | {PLANTED_STATUS, SEED_NOTE}
    assert findings(formats[fmt]) == expected


def test_a_csv_is_one_sheet_named_like_the_file(formats):
    book = read_book(formats["csv-gbk"], load_catalog())
    assert book.kind == "csv" and book.log is None
    assert book.register.name == "seed" and book.register.header_row == 2
    assert book.rows == 5
    report = validate_paths([formats["csv-gbk"]], as_of=AS_OF)
    assert {i.cell for i in report.issues() if i.code == "invalid-phone"} == {"seed!M5"}


def test_csv_delimiters_and_encodings(tmp_path):
    text = "公司名称;来源渠道;线索状态\n华创;展会;跟进中\n"
    assert csvfile.delimiter(text) == ";"
    assert csvfile.delimiter("公司名称\t来源渠道\t线索状态\n") == "\t"
    assert csvfile.decode("华创".encode("utf-16"))[0] == "华创"
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("gb18030"))
    assert csvfile.read_rows(path.read_bytes())[1] == ["华创", "展会", "跟进中"]
    path.write_bytes(b"\x00\x01binary\x00")
    report = validate_paths([path], as_of=AS_OF)
    assert report.files[0].error == "不是文本格式的 CSV 文件(里面有二进制内容)"
    path.write_bytes(b"\xef\xbb\xbf\xff\xfe")  # a BOM, then bytes that are no UTF-8
    report = validate_paths([path], as_of=AS_OF, lang="en")
    assert report.files[0].error.startswith("cannot tell this CSV file's text encoding")


# ------------------------------------------------------------------------ folders
@pytest.fixture(scope="module")
def mixed_folder(formats, tmp_path_factory) -> Path:
    """A folder as a manager's share looks after a week: the register as .ods, .csv and .xls,
    leadbook's own outputs (annotated copy, Excel summary, conflicts reports), a lock file
    and a note."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("share")
    for fmt, name in (("ods", "rep-ods.ods"), ("csv-gbk", "rep-csv.csv"), ("xls", "rep-xls.xls")):
        shutil.copy(formats[fmt], folder / name)
    runner = CliRunner()
    out = tmp_path_factory.mktemp("outputs")
    done = runner.invoke(main, ["validate", str(formats["xlsx"]), "--annotate", str(out)])
    assert done.exit_code == 1, done.output
    shutil.copy(out / "seed.xlsx", folder / "checked-seed.xlsx")
    done = runner.invoke(
        main,
        ["merge", str(formats["xlsx"]), "-o", str(out / "master.xlsx"),
         "--conflicts", str(out / "conflicts.xlsx"), "--as-of", "2024-06-30"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        main,
        ["merge", str(formats["xlsx"]), "-o", str(out / "master2.xlsx"),
         "--conflicts", str(out / "conflicts.csv"), "--as-of", "2024-06-30"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        main, ["report", str(out / "master.xlsx"), "--xlsx", str(out / "summary.xlsx")]
    )
    assert done.exit_code == 0, done.output
    for name in ("conflicts.xlsx", "conflicts.csv", "summary.xlsx"):
        shutil.copy(out / name, folder / name)
    (folder / "~$rep-xls.xls").write_bytes(b"\x08lock")
    (folder / "说明.txt").write_text("每周五交台账", encoding="utf-8")
    return folder


SKIPPED = {
    "checked-seed.xlsx": "leadbook 写出的校验结果副本(validate --annotate);"
    "要检查这份副本,请直接指定这个文件",
    "conflicts.csv": "leadbook merge 写出的冲突报告,不是线索台账",
    "conflicts.xlsx": "leadbook merge 写出的冲突报告,不是线索台账",
    "summary.xlsx": "leadbook report 写出的 Excel 汇总表,不是线索台账",
    "~$rep-xls.xls": "Excel/WPS 打开工作簿时留下的临时锁定文件",
    "说明.txt": "不是 Excel/WPS 表格文件(.txt);能读取的格式:.xlsx / .xlsm / .xls / .ods / .csv",
}
READ = {"rep-csv.csv", "rep-ods.ods", "rep-xls.xls"}


def test_a_folder_lists_every_file_once(mixed_folder, runner):
    result = runner.invoke(main, ["validate", str(mixed_folder), "--format", "json"])
    assert result.exit_code == 1  # the planted errors; nothing unreadable
    data = json.loads(result.output)
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert set(by_name) == READ | set(SKIPPED)
    assert {n: f["skipped"] for n, f in by_name.items() if f["skipped"]} == SKIPPED
    assert {n for n, f in by_name.items() if f["error"] is None and not f["skipped"]} == READ
    assert {by_name[n]["rows"] for n in READ} == {5}
    assert data["summary"]["skipped"] == 6 and data["summary"]["files"] == 9

    text = runner.invoke(main, ["validate", str(mixed_folder)]).output
    for name in READ | set(SKIPPED):
        path_lines = [ln for ln in text.splitlines() if ln.startswith(str(mixed_folder / name))]
        assert len(path_lines) == 1, (name, text)
    for name, reason in SKIPPED.items():
        assert f"{mixed_folder / name}\n  已跳过:{reason}" in text
    assert text.splitlines()[-1].endswith(",跳过 6 个")


def test_merge_and_report_read_the_same_files(mixed_folder, runner, tmp_path):
    result = runner.invoke(
        main, ["merge", str(mixed_folder), "-o", str(tmp_path / "m.xlsx"), "--as-of", "2024-06-30"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "读取 3 个文件,无法读取 0 个"
    # The same five leads in three files: one row each in the master.
    assert lines[1].startswith("线索:输入 15 行 = 主表 5 行 + 合并重复 10 行")
    skipped = lines[lines.index("已跳过(未读取):") + 1 :]
    assert sorted(ln.split(": ", 1)[0].strip() for ln in skipped if ln.startswith("  ")) == sorted(
        str(mixed_folder / n) for n in SKIPPED
    )
    result = runner.invoke(main, ["report", str(mixed_folder), "--as-of", "2024-06-30"])
    assert result.exit_code == 0, result.output
    assert result.output.count("已跳过") == 6  # one line per skipped file, on stderr
    from leadbook.metrics.tables import load_tables

    tables = load_tables([mixed_folder], as_of=datetime(2024, 6, 30))
    assert tables.leads == 15 and len(tables.skipped) == 6


def test_an_annotated_copy_named_by_itself_is_read(mixed_folder):
    report = validate_paths([mixed_folder / "checked-seed.xlsx"], as_of=AS_OF)
    assert report.files[0].read and report.files[0].rows == 5
    report = validate_paths([mixed_folder / "summary.xlsx"], as_of=AS_OF)
    assert report.files[0].skipped and report.exit_code() == 0


def test_folders_and_patterns_that_name_nothing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    only_notes = tmp_path / "notes"
    only_notes.mkdir()
    (only_notes / "a.docx").write_bytes(b"PK")
    report = validate_paths(
        [empty, only_notes, tmp_path / "gone.xlsx", str(tmp_path / "*.ods")], as_of=AS_OF
    )
    assert [(Path(f.path).name, f.error, f.skipped) for f in report.files] == [
        ("empty", "文件夹里没有可读取的表格文件(.xlsx / .xlsm / .xls / .ods / .csv)", None),
        ("a.docx", None, "不是 Excel/WPS 表格文件(.docx);能读取的格式:"
         ".xlsx / .xlsm / .xls / .ods / .csv"),
        ("notes", "文件夹里没有可读取的表格文件(.xlsx / .xlsm / .xls / .ods / .csv)", None),
        ("gone.xlsx", "文件或文件夹不存在", None),
        ("*.ods", "没有与这个通配符匹配的文件", None),
    ]  # fmt: skip
    assert report.exit_code() == 2
    english = validate_paths([empty], as_of=AS_OF, lang="en")
    assert english.files[0].error == (
        "the folder holds no file that can be read (.xlsx / .xlsm / .xls / .ods / .csv)"
    )


def test_hidden_folders_are_not_entered(tmp_path, formats):
    (tmp_path / ".git").mkdir()
    shutil.copy(formats["ods"], tmp_path / ".git" / "old.ods")
    shutil.copy(formats["ods"], tmp_path / "rep.ods")
    assert [i.path.name for i in list_inputs([str(tmp_path)])] == ["rep.ods"]


def test_the_recognised_outputs_match_their_writers():
    from leadbook.check.render import WORDS
    from leadbook.core import outputs
    from leadbook.merge.conflicts import _TEXT

    assert {WORDS[lang]["findings_sheet"] for lang in WORDS} == set(outputs.FINDINGS_SHEETS)
    assert {_TEXT[lang]["headers"] for lang in _TEXT} == set(outputs.CONFLICTS_HEADERS)
    kinds = {frozenset(k[:31] for k in _TEXT[lang]["kinds"].values()) for lang in _TEXT}
    assert kinds == set(outputs.CONFLICTS_SHEETS)


# ------------------------------------------------------------------------ annotate
def test_annotate_writes_xlsx_copies_of_xls_ods_and_csv(formats, runner, tmp_path):
    inputs = [formats["xls"], formats["ods"], formats["csv-gbk"]]
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["a.xls", "b.ods", "c.csv"]
    for src, name in zip(inputs, names, strict=True):
        shutil.copy(src, folder / name)
    before = json.loads(runner.invoke(main, ["validate", str(folder), "--format", "json"]).output)
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["validate", str(folder), "--format", "json", "--annotate", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.output) == before  # no finding lost, no note
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "b.xlsx", "c.xlsx"]
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        wb = openpyxl.load_workbook(out / name)
        assert wb.sheetnames[0] == "校验结果"
        sheet = "c" if name == "c.xlsx" else SHEET
        assert wb[sheet]["M5"].fill.start_color.rgb.endswith("FFC7CE")  # the invalid phone
        assert wb[sheet]["M5"].value == "755-1"
        assert "138****5678" in wb[sheet]["L6"].value  # masked in the copy
    # The copy of the .xls validates like the .xls itself (dates typed, text as text), but
    # for the mobile, masked in the copy.
    again = findings(out / "a.xlsx")
    assert again == findings(formats["xls"]) - {(6, "position", "personal-mobile")}


def test_a_copy_that_cannot_be_written_keeps_the_findings(formats, runner, tmp_path):
    src = tmp_path / "a.xls"
    shutil.copy(formats["xls"], src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.xlsx").write_bytes(b"earlier copy")
    result = runner.invoke(main, ["validate", str(src), "--format", "json", "--annotate", str(out)])
    assert result.exit_code == 2
    data = json.loads(result.output)["files"][0]
    assert data["error"] is None and {i["code"] for i in data["issues"]} >= {"invalid-phone"}
    assert len(data["notes"]) == 1 and "文件已存在" in data["notes"][0]
    assert (out / "a.xlsx").read_bytes() == b"earlier copy"


def test_an_xls_and_an_xlsx_of_one_name_get_two_copies(formats, runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(formats["xls"], folder / "a.xls")
    shutil.copy(formats["xlsx"], folder / "a.xlsx")
    out = tmp_path / "out"
    result = runner.invoke(main, ["validate", str(folder), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a (xlsx).xlsx", "a.xlsx"]


# ------------------------------------------------------------------------ headers
def _sheet_with_headers(path: Path, rows: list[list[str]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户导入")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    wb.close()
    return path


LABELS = ["公司名称", "来源渠道", "线索状态", "潜力等级", "办公电话", "联系人"]
KEYS = ["company", "channel", "status", "potential", "office_phone", "contact"]
ENGLISH = ["Company", "Channel", "Status", "Potential", "Office phone", "Contact"]
LEAD = ["深圳市华创智能科技有限公司", "展会", "跟进中", "高潜力", "0755-86001234", "*经理"]
BAD_PHONE = ["广州市恒达精密机械有限公司", "展会", "跟进中", "高潜力", "755-1", "*经理"]


@pytest.mark.parametrize("second", [KEYS, ENGLISH], ids=["keys", "english"])
def test_a_second_header_row_is_skipped(tmp_path, second):
    path = _sheet_with_headers(tmp_path / "crm.xlsx", [LABELS, second, LEAD, BAD_PHONE])
    book = read_book(path, load_catalog())
    assert book.register.header_row == 1 and book.register.second_header == 2
    assert book.register.rows[0] == 3 and book.rows == 2
    report = validate_paths([path], as_of=AS_OF)
    cells = {(i.row, i.field) for i in report.issues() if i.row and i.row > 1}
    assert (2, "company") not in cells and not any(r == 2 for r, _ in cells)
    assert ("invalid-phone", "客户导入!E4") in {(i.code, i.cell) for i in report.issues()}


def test_a_lead_under_the_header_is_not_taken_for_a_second_header(tmp_path):
    path = _sheet_with_headers(tmp_path / "plain.xlsx", [LABELS, LEAD, BAD_PHONE])
    book = read_book(path, load_catalog())
    assert book.register.second_header is None and book.rows == 2


NEW_ALIASES = {
    "业务员": "last_owner", "销售": "last_owner", "负责人": "last_owner", "销售员": "last_owner",
    "客户经理": "last_owner", "公司": "company", "客户名称": "company", "单位名称": "company",
    "名称": "company", "员工数量": "size", "人数": "size", "人员规模": "size",
    "联系方式": "office_phone", "联系电话": "office_phone", "手机号": "office_phone",
    "微信": "im_account", "客户来源": "channel", "跟进状态": "status", "省份": "province",
    "城市": "city", "职称": "position", "预算金额": "budget", "跟进记录": "last_summary",
    "下次跟进时间": "next_due",
}  # fmt: skip


@pytest.mark.parametrize("alias", sorted(NEW_ALIASES))
def test_each_new_alias_maps_to_its_field(alias):
    index = header_index(load_catalog(), "register")
    assert index[norm_header(alias)] == NEW_ALIASES[alias]


def test_an_import_template_with_everyday_headers(tmp_path):
    """业务员 / 公司 / 员工数量 / 联系方式: read as fields; a mobile under the ambiguous
    联系方式 is still found as personal data."""
    headers = ["公司", "来源渠道", "线索状态", "员工数量", "联系方式", "业务员"]
    rows = [
        headers,
        ["深圳市华创智能科技有限公司", "展会", "跟进中", "200-499人", "0755-86001234", "*销售"],
        ["广州市恒达精密机械有限公司", "展会", "跟进中", "200-499人", "13812345678", "*销售"],
    ]
    path = _sheet_with_headers(tmp_path / "import.xlsx", rows)
    book = read_book(path, load_catalog())
    assert book.register.columns == {
        "company": 0, "channel": 1, "status": 2, "size": 3, "office_phone": 4, "last_owner": 5
    }  # fmt: skip
    assert book.register.unknown == []
    report = validate_paths([path], as_of=AS_OF)
    at = {(i.code, i.cell, i.value) for i in report.issues() if i.row == 3}
    assert ("personal-mobile", "客户导入!E3", "138****5678") in at
    assert not any(i.code == "invalid-phone" for i in report.issues())  # shadowed


# ------------------------------------------------------------------------ row counts
def test_a_libreoffice_save_counts_the_filled_rows(tmp_path):
    book = write_workbook(tmp_path / "five.xlsx", register=records(), log=[])
    resaved = soffice_convert(book, "xlsx", tmp_path / "lo")
    raw = read_book(resaved, load_catalog())
    assert len(raw.register) >= 100  # the template's formatted rows, read as empty rows
    report = validate_paths([resaved], as_of=AS_OF)
    assert report.files[0].rows == 5 and report.rows == 5


def test_personal_data_in_unknown_columns_is_found(tmp_path):
    """A column leadbook does not know (邮箱, 备用电话) is a warning, and its cells are still
    scanned for personal data (R-S2.2: anywhere in the workbook)."""
    rows = [
        [*LABELS, "邮箱", "备用电话"],
        [*LEAD, "zhang.san@qq.com", "无"],
        [*LEAD[:1], "展会", "跟进中", "高潜力", "0755-86001234", "*总", "", "139 1234 5678"],
    ]
    path = _sheet_with_headers(tmp_path / "extra.xlsx", rows)
    report = validate_paths([path], as_of=AS_OF)
    found = {(i.code, i.cell, i.value) for i in report.issues() if i.code.startswith("personal")}
    assert found == {
        ("personal-email", "客户导入!G2", "z***@qq.com"),
        ("personal-mobile", "客户导入!H3", "139 **** 5678"),
    }
    assert {(i.code, i.column) for i in report.issues() if i.code == "unknown-column"} == {
        ("unknown-column", "G"),
        ("unknown-column", "H"),
    }
    message = next(i.message for i in report.issues() if i.code == "personal-mobile")
    assert message.startswith("“备用电话”中有个人手机号 139 **** 5678")
