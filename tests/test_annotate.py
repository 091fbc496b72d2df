"""The marked-up copy: input untouched, findings sheet first with links, cells filled and
commented, user text kept as text."""

import hashlib
from pathlib import Path

import openpyxl
import pytest
from conftest import clean_record

from leadbook.check.annotate import FILLS, annotate
from leadbook.check.codes import make_issue
from leadbook.check.issues import FileReport, Issue
from leadbook.core.errors import InputError, OutputError
from leadbook.workbook.template import write_workbook


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_book(tmp_path: Path, lang: str = "zh") -> Path:
    record = clean_record(office_phone="755-1", need="=1+1")
    return write_workbook(tmp_path / "a.xlsx", register=[record], rows=5, lang=lang)


def findings(path: Path, sheet: str, lang: str = "zh") -> FileReport:
    def at(code, row, column, field, value, **params):
        return make_issue(
            code,
            file=str(path),
            sheet=sheet,
            row=row,
            column=column,
            field=field,
            value=value,
            lang=lang,
            **params,
        )

    return FileReport(
        str(path),
        rows=1,
        issues=[
            at("vague-need", 3, "P", "need", "=1+1"),
            at("invalid-phone", 3, "N", "office_phone", "755-1", reason="no-area-code"),
            Issue(
                code="personal-mobile",
                severity="error",
                file=str(path),
                sheet=sheet,
                row=3,
                column="N",
                field="office_phone",
                value="13812345678",  # a caller that forgot to mask: still masked on output
                message="办公电话中有个人手机号 13812345678",
                hint="删除手机号",
            ),
            at("unknown-column", 2, "AD", None, None, label="备注"),
            at("missing-column", None, None, None, None, label="潜力等级"),
        ],
    )


@pytest.fixture
def annotated(tmp_path):
    src = make_book(tmp_path)
    before = sha256(src)
    report = findings(src, "线索台账")
    out = annotate(src, report, tmp_path / "out")
    return src, before, report, out


def test_input_is_untouched_and_copy_has_the_same_name(annotated, tmp_path):
    src, before, _, out = annotated
    assert sha256(src) == before
    assert out == tmp_path / "out" / "a.xlsx" and out.is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.xlsx"]  # no temp left


def test_findings_sheet_comes_first_with_links_filter_and_frozen_header(annotated):
    _, _, report, out = annotated
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "校验结果" and wb.sheetnames[1:3] == ["使用说明", "线索台账"]
    assert wb.active.title == "校验结果"
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    ws = wb["校验结果"]
    assert ws["A1"].value == "a.xlsx:共 1 行,错误 3 个,警告 2 个"
    assert [c.value for c in ws[2]] == [
        "位置",
        "严重程度",
        "代码",
        "字段",
        "值",
        "说明",
        "修改建议",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("线索台账", "错误", "missing-column"),
        ("线索台账!N3", "错误", "invalid-phone"),
        ("线索台账!N3", "错误", "personal-mobile"),
        ("线索台账!AD2", "警告", "unknown-column"),
        ("线索台账!P3", "警告", "vague-need"),
    ]
    phone = rows[1]
    assert phone[3] == "办公电话" and phone[4] == "755-1"
    assert phone[5] == "办公电话“755-1”不是有效的办公电话号码。缺少区号。"
    assert phone[6] == "在号码前加上区号和短横线,如 0755-12345678。"
    assert rows[2][4] == "138****5678" and "13812345678" not in rows[2][5]
    link = ws["A4"].hyperlink
    assert link.location == "'线索台账'!N3" and not link.target
    assert ws["A3"].hyperlink.location == "'线索台账'!A1"  # a column finding: the sheet
    assert ws.auto_filter.ref == "A2:G7"
    assert ws.freeze_panes == "A3"
    value = ws["E7"]
    assert value.value == "=1+1" and value.data_type == "s"


def test_flagged_cells_are_filled_and_commented(annotated):
    _, _, report, out = annotated
    wb = openpyxl.load_workbook(out)
    ws = wb["线索台账"]
    phone = ws["N3"]
    assert phone.fill.fgColor.rgb.endswith(FILLS["error"])
    assert phone.comment.author == "leadbook"
    text = phone.comment.text
    assert report.issues[1].message in text and "缺少区号" in text
    assert "personal-mobile" in text and "138****5678" in text
    assert "13812345678" not in text
    need = ws["P3"]
    assert need.fill.fgColor.rgb.endswith(FILLS["warning"])
    assert need.value == "=1+1" and need.data_type == "s"  # the user's text stays text
    header = ws["AD2"]
    assert header.fill.fgColor.rgb.endswith(FILLS["warning"])
    assert ws["M3"].comment is None and not ws["M3"].fill.fgColor.rgb.endswith(FILLS["error"])


def test_flags_are_drawn_above_the_sheets_own_conditional_formats(annotated):
    src, _, _, out = annotated
    before = list(openpyxl.load_workbook(src)["线索台账"].conditional_formatting)
    after = list(openpyxl.load_workbook(out)["线索台账"].conditional_formatting)
    first, second = after[0], after[1]
    assert str(first.sqref) == "N3" and first.rules[0].priority == 1
    assert first.rules[0].dxf.fill.bgColor.rgb.endswith(FILLS["error"])
    assert set(str(second.sqref).split()) == {"AD2", "P3"} and second.rules[0].priority == 2
    assert first.rules[0].stopIfTrue
    own = [r.priority for cf in after[2:] for r in cf.rules]
    assert own == [r.priority + 2 for cf in before for r in cf.rules]


def test_the_copy_keeps_the_workbook(annotated):
    src, _, _, out = annotated
    before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
    assert after.sheetnames[1:] == before.sheetnames
    ws = after["线索台账"]
    assert "Leads" in ws.tables
    assert ws["F3"].value == clean_record()["company"]
    assert len(ws.data_validations.dataValidation) == len(
        before["线索台账"].data_validations.dataValidation
    )


def test_findings_outside_any_cell_are_listed_only(tmp_path):
    src = make_book(tmp_path)

    def at(sheet, row, column):
        return Issue(
            code="vague-need",
            severity="warning",
            file=str(src),
            sheet=sheet,
            row=row,
            column=column,
            message="m",
            hint="h",
        )

    odd = [
        at("没有这张表", 3, "P"),
        at("线索台账", 1, "B"),
        at("线索台账", 3, "3"),
        at(None, None, None),
        at("线索台账", 2_000_000, "A"),
    ]
    out = annotate(src, FileReport(str(src), issues=odd), tmp_path / "out")
    wb = openpyxl.load_workbook(out)
    assert wb["校验结果"].max_row == 2 + len(odd)
    assert wb["线索台账"]["B1"].comment is None  # inside the merged group band
    links = {c.value: c.hyperlink for c in wb["校验结果"]["A"][2:]}
    assert links["-"] is None and links["没有这张表!P3"] is None  # nowhere to link to


def test_english(tmp_path):
    src = make_book(tmp_path, "en")
    before = sha256(src)
    report = findings(src, "Leads", "en")
    out = annotate(src, report, tmp_path / "out", lang="en")
    assert sha256(src) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Findings"
    ws = wb["Findings"]
    assert ws["A1"].value == "a.xlsx: 1 row, 3 errors, 2 warnings"
    assert [c.value for c in ws[2]] == [
        "Cell",
        "Severity",
        "Code",
        "Field",
        "Value",
        "Message",
        "How to fix",
    ]
    assert ws["A4"].value == "Leads!N3" and ws["A4"].hyperlink.location == "'Leads'!N3"
    assert ws["B4"].value == "error" and ws["D4"].value == "Office phone"
    cell = wb["Leads"]["N3"]
    assert cell.fill.fgColor.rgb.endswith(FILLS["error"])
    assert "Office phone “755-1” is not a valid office phone number." in cell.comment.text
    assert "How to fix:" in cell.comment.text


def test_a_second_run_replaces_the_findings_sheet(annotated, tmp_path):
    _, _, report, out = annotated
    again = annotate(out, report, tmp_path / "again")
    wb = openpyxl.load_workbook(again)
    assert wb.sheetnames.count("校验结果") == 1 and wb.sheetnames[0] == "校验结果"


def test_never_over_the_input_and_not_over_a_copy_without_force(annotated, tmp_path):
    src, before, report, out = annotated
    with pytest.raises(OutputError) as raised:
        annotate(src, report, src.parent, force=True)
    assert "就是输入文件本身" in raised.value.text("zh")
    assert "is the input itself" in raised.value.text("en")
    assert sha256(src) == before
    with pytest.raises(OutputError, match="already exists"):
        annotate(src, report, out.parent)
    assert annotate(src, report, out.parent, force=True) == out


def test_unreadable_inputs(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot be opened"):
        annotate(bad, FileReport(str(bad)), tmp_path / "out", lang="en")
    with pytest.raises(InputError) as raised:
        annotate(bad, FileReport(str(bad)), tmp_path / "out")
    assert "无法打开这个工作簿" in raised.value.text("zh")
    with pytest.raises(InputError, match="could not be read"):
        annotate(bad, FileReport(str(bad), error="corrupt"), tmp_path / "out", lang="en")
    assert not (tmp_path / "out" / "bad.xlsx").exists()


def test_the_data_validation_extension_warning_is_silenced(tmp_path):
    """Files saved by Excel carry x14 data validations that openpyxl drops with a warning;
    pytest turns warnings into errors, so this fails unless annotate silences exactly it."""
    import zipfile

    src = make_book(tmp_path)
    ext = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0"/></ext></extLst></worksheet>'
    )
    patched = tmp_path / "in" / "a.xlsx"
    patched.parent.mkdir()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(patched, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</worksheet>", ext.encode())
            zout.writestr(item, data)
    with pytest.warns(UserWarning, match="Data Validation extension"):
        openpyxl.load_workbook(patched)
    out = annotate(patched, findings(patched, "线索台账"), tmp_path / "out")
    assert openpyxl.load_workbook(out).sheetnames[0] == "校验结果"


def test_personal_data_is_masked_in_every_cell_and_note_of_the_copy(tmp_path):
    """The copy goes back to the rep or up to a manager: mobiles and e-mail addresses are
    masked wherever they are (R-K2); formulas and other values are left as they were."""
    src = make_book(tmp_path)
    wb = openpyxl.load_workbook(src)
    ws = wb["线索台账"]
    ws["P3"] = "请联系 13912345678 或 zhang.san@qq.com"
    ws["N3"] = 13812345678  # a mobile typed as a number
    ws["O3"].comment = openpyxl.comments.Comment("老板手机 13712345678", "rep")
    ws["AE3"] = "=1+1"
    wb["跟进记录"]["E2"] = "+86 158-8765-4321"
    wb.save(src)
    before = sha256(src)
    out = annotate(src, FileReport(str(src)), tmp_path / "out")
    assert sha256(src) == before
    copy = openpyxl.load_workbook(out)
    ws = copy["线索台账"]
    assert ws["P3"].value == "请联系 139****5678 或 z***@qq.com"
    assert ws["N3"].value == "138****5678" and ws["N3"].data_type == "s"
    assert ws["O3"].comment.text == "老板手机 137****5678"
    assert ws["AE3"].value == "=1+1" and ws["AE3"].data_type == "f"
    assert ws["F3"].value == clean_record()["company"]
    assert copy["跟进记录"]["E2"].value == "+86 158-****-4321"
