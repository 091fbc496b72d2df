"""validate: a clean workbook has no findings; each planted defect gives exactly its code at
exactly its cell, in the report, the text, the JSON and the annotated copy."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import openpyxl
import pytest
from books import CODES, clean_records, log_for, make_book, seed_layout_book
from conftest import AS_OF

from leadbook.check.annotate import annotate
from leadbook.check.render import render_json, render_text
from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.config import build_config
from leadbook.core.leadid import ids_for

REG, LOG = "线索台账", "跟进记录"


def check(path, **kw):
    return validate_paths([path], as_of=AS_OF, **kw)


def test_a_clean_workbook_has_no_findings(tmp_path):
    path = make_book(tmp_path / "clean.xlsx", clean_records(3))
    report = check(path)
    assert report.flatten("cell", "code") == []
    assert report.files[0].rows == 3
    assert report.exit_code() == 0


def _set(row: int, **values):
    def change(records, log):
        records[row - 3].update(values)

    return change


def _static_ids(records, log):
    return "static"


PLANTED = [
    ("required-missing", _set(5, company=None), [(REG, 5, "F")]),
    ("required-missing", _set(5, office_phone=None, im_account=None), [(REG, 5, "N")]),
    (
        "not-in-list",  # no channel code, so no lead ID and no log: a lead not yet worked
        _set(5, channel="朋友介绍", potential="低潜力", last_contact_at=None, last_summary=None),
        [(REG, 5, "C")],
    ),
    ("invalid-size", _set(4, size="很大"), [(REG, 4, "I")]),
    ("invalid-size", _set(4, size="500-200人"), [(REG, 4, "I")]),
    ("invalid-phone", _set(5, office_phone="755-1234"), [(REG, 5, "N")]),
    ("invalid-phone", _set(5, office_phone=75512345678.0), [(REG, 5, "N")]),
    (  # unreadable, so no lead ID and no log: a lead not yet worked
        "invalid-datetime",
        _set(5, created_at="2024/13/45 10:00", last_contact_at=None, last_summary=None),
        [(REG, 5, "B")],
    ),
    (  # after the as-of time: the register and the log entry copied from it
        "invalid-datetime",
        _set(4, last_contact_at=datetime(2024, 7, 3, 9, 0)),
        [(REG, 4, "U"), (LOG, 5, "C")],
    ),
    ("invalid-budget", _set(5, budget="面议"), [(REG, 5, "Q")]),
    ("personal-mobile", _set(5, need="请拨13812345678联系,采购500套传感器"), [(REG, 5, "P")]),
    ("personal-mobile", _set(4, office_phone="+86 139-1234-5678"), [(REG, 4, "N")]),
    (  # the summary, and the log entry it was copied from
        "personal-email",
        _set(5, last_summary="方案发至 zhang.san@qq.com"),
        [(REG, 5, "V"), (LOG, 7, "E")],
    ),
    ("personal-email", _set(3, im_account="lisi@163.com"), [(REG, 3, "O")]),
    ("unmasked-name", _set(5, contact="张经理"), [(REG, 5, "L")]),
    ("region-mismatch", _set(5, city="杭州市"), [(REG, 5, "K")]),
    ("industry-mismatch", _set(5, industry_division="软件和信息技术服务业"), [(REG, 5, "H")]),
    ("lost-without-reason", _set(5, status="已流失"), [(REG, 5, "Y")]),
    ("vague-need", _set(5, need="想了解一下"), [(REG, 5, "P")]),
    ("high-potential-incomplete", _set(5, budget=None), [(REG, 5, "Q")]),
    (  # typed as text: checked as the date it reads as (a contact after the as-of time)
        "date-as-text",
        _set(4, next_due="2024/7/5"),
        [(REG, 4, "X")],
    ),
]


@pytest.mark.parametrize(("code", "change", "cells"), PLANTED, ids=[p[0] for p in PLANTED])
def test_one_planted_defect_gives_its_code_at_its_cell(tmp_path, code, change, cells):
    records = clean_records(3)
    change(records, None)
    path = make_book(tmp_path / "book.xlsx", records)
    report = check(path)
    assert report.flatten("sheet", "row", "column", "code") == [(*c, code) for c in cells]
    issue = report.issues()[0]
    assert issue.message and issue.hint and issue.field
    assert_rendered_everywhere(report, path, tmp_path / "checked", code, cells)


def assert_rendered_everywhere(report, path, out, code, cells):
    """The same findings in the text, the JSON and the annotated copy."""
    text = render_text(report)
    data = json.loads(render_json(report))
    found = [(i["sheet"], i["row"], i["column"], i["code"]) for i in data["files"][0]["issues"]]
    assert found == [(*c, code) for c in cells]
    copy = openpyxl.load_workbook(annotate(path, report.files[0], out))
    listed = [row[2] for row in copy["校验结果"].iter_rows(values_only=True)]  # the code column
    for sheet, row, column in cells:
        assert f"{sheet}!{column}{row}" in text and code in text
        cell = copy[sheet][f"{column}{row}"]
        assert cell.comment is not None and code in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith("FFC7CE" if issue_is_error(code) else "FFEB9C")
    assert listed.count(code) == len(cells)


def issue_is_error(code: str) -> bool:
    from leadbook.check.codes import severity

    return severity(code) == "error"


def test_sla_breach_from_the_log(tmp_path):
    records = clean_records(3)
    log = log_for(records)
    ids = ids_for(records, CODES)
    for entry in log:
        if entry["lead_id"] == ids[2] and entry["status_to"] == "跟进中":
            entry["contact_at"] = datetime(2024, 5, 25, 10, 0)  # created 05-23 09:30, 高潜力
    report = check(make_book(tmp_path / "b.xlsx", records, log))
    assert report.flatten("row", "column", "code") == [(5, "U", "sla-breach")]


def test_sla_breach_without_any_contact(tmp_path):
    records = clean_records(3)
    records[2].update(
        last_contact_at=None,
        last_owner=None,
        last_summary=None,
        created_at=datetime(2024, 6, 28, 9, 0),
        potential="中潜力",
    )
    records[1].update(
        last_contact_at=None,
        last_owner=None,
        last_summary=None,
        created_at=datetime(2024, 6, 30, 9, 0),
        potential="中潜力",
    )  # 9 h: not yet
    log = [e for e in log_for(records[:1])]
    report = check(make_book(tmp_path / "b.xlsx", records, log))
    assert report.flatten("row", "column", "code") == [(5, "U", "sla-breach")]


def test_dormant_overdue(tmp_path):
    records = clean_records(3)
    records[2].update(
        created_at=datetime(2024, 2, 1, 9, 0), last_contact_at=datetime(2024, 3, 1, 10, 0)
    )
    report = check(make_book(tmp_path / "b.xlsx", records))
    assert report.flatten("row", "column", "code") == [(5, "U", "dormant-overdue")]
    assert "90" in report.issues()[0].message


def test_unknown_lead_in_the_log(tmp_path):
    records = clean_records(3)
    log = log_for(records)
    log.append(dict(log[0], lead_id="EXPO20000101999", contact_at=datetime(2024, 6, 1, 9, 0)))
    report = check(make_book(tmp_path / "b.xlsx", records, log))
    assert report.flatten("sheet", "row", "column", "code") == [
        (LOG, len(log) + 1, "A", "unknown-lead")
    ]


def test_log_mismatch(tmp_path):
    records = clean_records(3)
    log = log_for(records)
    records[2]["last_contact_at"] = datetime(2024, 6, 25, 9, 0)  # the log says 06-22 14:30
    report = check(make_book(tmp_path / "b.xlsx", records, log))
    assert report.flatten("row", "column", "code") == [(5, "U", "log-mismatch")]


def test_invalid_and_duplicate_lead_ids(tmp_path):
    records = clean_records(3)
    ids = ids_for(records, CODES)
    records[0]["lead_id"] = ids[0]
    records[1]["lead_id"] = "WEB" + ids[1][4:]  # code of another channel
    records[2]["lead_id"] = ids[0]  # the first lead's ID again
    path = make_book(tmp_path / "b.xlsx", records, log=[], lead_id_formula=False)
    report = check(path)
    assert sorted(report.flatten("row", "column", "code")) == [
        (3, "A", "duplicate-lead-id"),
        (4, "A", "invalid-lead-id"),
        (5, "A", "duplicate-lead-id"),
        (5, "A", "invalid-lead-id"),  # its date is the first lead's, not its own
    ]


def test_template_mismatch(tmp_path):
    other = build_config({"dormancy_days": 60})
    path = make_book(tmp_path / "b.xlsx", clean_records(3), config=other)
    report = check(path)
    assert report.flatten("code", "severity", "row") == [("template-mismatch", "warning", None)]
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1
    assert check(path, config=other).flatten("code") == []


# seed_layout_book writes its dates as text ("2024-05-2014:30", as the seed shows them) and
# has no 流失原因 column: notes that leadbook's own workbook cannot have.
SEED_NOTES = {"date-as-text", "checks-skipped"}


def _findings(report):
    return {(i.row, i.field, i.code) for i in report.issues() if i.code not in SEED_NOTES}


def test_seed_layout_sheet_gives_the_same_findings(tmp_path):
    records = clean_records(3)
    records[2]["office_phone"] = "755-1234"
    records[1]["city"] = "杭州市"
    ours = check(make_book(tmp_path / "ours.xlsx", records, log=[]))
    seed = check(seed_layout_book(tmp_path / "seed.xlsx", records))
    assert _findings(seed) == _findings(ours)
    assert {i.code for i in seed.issues()} - SEED_NOTES == {"invalid-phone", "region-mismatch"}
    notes = [(i.row, i.column, i.code) for i in seed.issues() if i.code in SEED_NOTES]
    assert notes == [(2, None, "checks-skipped")] + [
        (r, c, "date-as-text") for r in (3, 4, 5) for c in ("E", "T")
    ]


def test_seed_layout_resaved_by_libreoffice_gives_the_same_findings(tmp_path):
    from realclients import soffice_convert

    records = clean_records(3)
    records[2]["office_phone"] = "755-1234"
    records[1]["city"] = "杭州市"
    records[0]["contact"] = "王经理"
    ours = check(make_book(tmp_path / "ours.xlsx", records, log=[]))
    made = seed_layout_book(tmp_path / "made" / "seed.xlsx", records)
    resaved = soffice_convert(made, "xlsx", tmp_path / "resaved")
    assert resaved.read_bytes() != made.read_bytes()
    seed = check(resaved)
    assert _findings(seed) == _findings(ours)
    assert len(seed.issues()) == 3 + 1 + 6  # and the seed's notes, as above


def test_missing_and_unknown_columns(tmp_path):
    path = seed_layout_book(
        tmp_path / "seed.xlsx", clean_records(2), drop={"position"}, extra={"remark": "备注"}
    )
    report = check(path)
    assert sorted(i for i in report.flatten("code", "field", "row") if i[0] not in SEED_NOTES) == [
        ("missing-column", "position", 2),
        ("unknown-column", None, 2),
    ]
    assert report.exit_code() == 1


def test_text_json_and_annotated_copy_agree(tmp_path, runner):
    records = clean_records(3)
    records[2]["office_phone"] = "755-1234"
    path = make_book(tmp_path / "b.xlsx", records)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "checked"
    args = ["validate", str(path), "--as-of", "2024-06-30 18:00"]
    text = runner.invoke(cli, [*args, "--annotate", str(out)])
    assert text.exit_code == 1, text.output
    assert "线索台账!N5" in text.output and "invalid-phone" in text.output
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert data["version"] == 1 and data["summary"]["errors"] == 1
    issue = data["files"][0]["issues"][0]
    assert (issue["sheet"], issue["row"], issue["column"], issue["code"]) == (
        REG,
        5,
        "N",
        "invalid-phone",
    )
    copy = openpyxl.load_workbook(out / "b.xlsx")
    assert copy.sheetnames[0] == "校验结果"
    assert copy[REG]["N5"].comment is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_personal_data_is_masked_everywhere(tmp_path, runner):
    records = clean_records(3)
    records[2]["need"] = "请拨13812345678联系"
    records[1]["last_summary"] = "发至 zhang.san@qq.com"
    path = make_book(tmp_path / "b.xlsx", records)
    for fmt in ("text", "json"):
        result = runner.invoke(
            cli, ["validate", str(path), "--format", fmt, "--as-of", "2024-06-30"]
        )
        assert "13812345678" not in result.output and "zhang.san" not in result.output
        assert "138****5678" in result.output


def test_english_messages(tmp_path):
    records = clean_records(3)
    records[2]["office_phone"] = "755-1234"
    report = check(make_book(tmp_path / "b.xlsx", records), lang="en")
    assert report.issues()[0].message.isascii() or "Office phone" in report.issues()[0].message


def test_one_bad_file_does_not_stop_the_others(tmp_path, runner):
    make_book(tmp_path / "good.xlsx", clean_records(3))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "notes.xlsx").write_text("hello", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    errors = {f["path"].rsplit("/", 1)[1]: f["error"] for f in data["files"]}
    assert errors["good.xlsx"] is None
    assert "损坏" in errors["broken.xlsx"]
    assert "空" in errors["empty.xlsx"]
    assert "不是 Excel" in errors["notes.xlsx"]
    assert "Traceback" not in result.output
