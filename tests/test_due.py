"""What is due (issue 12, point 6): each rep's to-do for the coming days on a hand case, the
SLA breaches of the period apart from the old backlog, the to-do in the page and the summary
(masked like every list), the ``due_days`` setting, and the ``sla-breach`` hints of
``leadbook validate`` that fit the case.

As of Sunday 2024-06-30 18:00, due_days 7: the window is 30 June (today) to 7 July. The
reports here cover the month (or week) containing as_of, June (24-30 June), so they pass
``to_date=True`` (by default a report covers the last complete period, May or 17-23 June).
"""

from __future__ import annotations

from datetime import datetime

import openpyxl
import polars as pl
import pytest
from books import clean_records, log_for, make_book
from conftest import AS_OF

from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.config import build_config, load_config
from leadbook.core.errors import ConfigError
from leadbook.metrics import compute, prepare
from leadbook.metrics.due import due_items
from leadbook.metrics.tables import build_tables
from leadbook.report.html import render_html
from leadbook.report.view import build_view
from leadbook.report.xlsx import write_xlsx

T = datetime


def _lead(file, row, lead_id, created, potential, status, **more):
    return {"_file": file, "_row": row, "lead_id": lead_id, "created_at": created,
            "channel": "展会", "potential": potential, "status": status,
            "company": f"{lead_id}公司", **more}  # fmt: skip


# File 0 is *甲's (its 最近跟进人), file 1 *乙's.
OPEN = {"last_owner": "*甲", "last_contact_at": T(2024, 6, 20, 10)}
LEADS = [
    _lead(0, 3, "P1", T(2024, 6, 1, 9), "低潜力", "跟进中", next_due=T(2024, 7, 3),  # in 3 days
          next_action="7月3日前回电 13812345678", **OPEN),
    _lead(0, 4, "P2", T(2024, 6, 1, 9), "低潜力", "跟进中", next_due=T(2024, 7, 8), **OPEN),  # 8 d
    _lead(0, 5, "P3", T(2024, 6, 1, 9), "低潜力", "待报价", next_due=T(2024, 7, 7), **OPEN),  # 7 d
    _lead(0, 6, "P4", T(2024, 6, 1, 9), "中潜力", "跟进中", next_due=T(2024, 6, 30), **OPEN),  # today
    _lead(0, 7, "P5", T(2024, 6, 1, 9), "低潜力", "跟进中", next_due=T(2024, 6, 29), **OPEN),  # overdue
    _lead(0, 8, "P6", T(2024, 6, 1, 9), "低潜力", "已成交", next_due=T(2024, 7, 2), **OPEN),  # closed
    # *乙: Q1 高潜力 created 10 h before as_of, never contacted: its 24 h deadline (07-01
    # 08:00) lies in the window
    _lead(1, 3, "Q1", T(2024, 6, 30, 8), "高潜力", "待跟进"),
    _lead(1, 4, "Q2", T(2024, 6, 30, 8), "中潜力", "跟进中", last_owner="*乙",
          last_contact_at=T(2024, 6, 30, 9)),  # contacted (logged): nothing due
    _lead(1, 5, "Q3", T(2024, 6, 29, 10), "高潜力", "待跟进"),  # deadline 06-30 10:00: passed
    _lead(1, 6, "Q4", T(2024, 6, 30, 8), "低潜力", "待跟进"),  # no SLA
    _lead(1, 7, "Q5", T(2024, 6, 20, 9), "中潜力", "待跟进"),  # deadline 06-22 09:00: passed
    _lead(1, 8, "Q6", T(2024, 6, 27, 20), "中潜力", "待跟进"),  # deadline 06-29 20:00: passed
    # SLA backlog: deadline before June
    _lead(1, 9, "R1", T(2024, 5, 10, 9), "高潜力", "待跟进"),  # deadline 05-11 09:00
    _lead(1, 10, "R2", T(2024, 5, 31, 20), "中潜力", "待跟进"),  # deadline 06-02 20:00: June's
    _lead(1, 11, "R3", T(2024, 6, 5, 9), "高潜力", "跟进中", last_owner="*乙",
          last_contact_at=T(2024, 6, 7, 9)),  # contacted 48 h late: June's
]  # fmt: skip
LOG = [
    {"_file": 1, "_row": 2, "lead_id": "Q2", "owner": "*乙", "contact_at": T(2024, 6, 30, 9),
     "status_to": "跟进中"},
    {"_file": 1, "_row": 3, "lead_id": "R3", "owner": "*乙", "contact_at": T(2024, 6, 7, 9),
     "status_to": "跟进中"},
]  # fmt: skip


def frame(rows):
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("_file").cast(pl.UInt32), pl.col("_row").cast(pl.Int32)
    )


def tables():
    return build_tables(frame(LEADS), frame(LOG), files=["jia.xlsx", "yi.xlsx"])


def facts(config=None):
    return prepare(tables(), config or load_config(), AS_OF)


def test_the_due_list_by_hand():
    got = due_items(facts())
    # *乙 before *甲 (by name); each rep's items by when they are due
    assert got.select("rep", "lead_id", "task", "days_left").rows() == [
        ("*乙", "Q1", "first_contact", 1),
        ("*甲", "P4", "action", 0),  # due today: not overdue yet
        ("*甲", "P1", "action", 3),  # in: 3 days
        ("*甲", "P3", "action", 7),  # the window's last day
    ]  # P2 (8 days), P5 (overdue), P6 (closed), Q2-Q6 (contacted, passed, no SLA) are out
    q1 = got.row(0, named=True)
    assert q1["deadline"] == T(2024, 7, 1, 8) and q1["next_due"] is None
    assert got.row(2, named=True)["next_due"] == T(2024, 7, 3)


def test_the_window_follows_due_days():
    assert due_items(facts(), 3)["lead_id"].to_list() == ["Q1", "P4", "P1"]
    assert due_items(facts(), 1)["lead_id"].to_list() == ["Q1", "P4"]
    config = build_config({"due_days": 8}, "team.toml")
    assert config.due_days == 8
    assert "P2" in due_items(facts(config))["lead_id"].to_list()
    assert load_config().due_days == 7
    m = compute(tables(), period="month", as_of=AS_OF, config=build_config({"due_days": 3}))
    assert m.due.height == 3


@pytest.mark.parametrize("bad", [0, -1, 93, 2.5, True])
def test_due_days_must_be_a_sensible_number(bad):
    with pytest.raises(ConfigError) as caught:
        build_config({"due_days": bad}, "team.toml")
    assert "team.toml" in caught.value.text("zh") and "due_days" in caught.value.text("en")


def test_the_breaches_of_the_period_apart_from_the_backlog():
    m = compute(tables(), period="month", as_of=AS_OF, config=load_config(), to_date=True)
    # June's: deadlines from 1 June: Q3 (06-30 10:00), Q6 (06-29 20:00), Q5 (06-22 09:00)
    # and R2 (06-02 20:00) never contacted, R3 contacted late; the backlog: R1 (05-11)
    assert sorted(m.breaches["lead_id"].to_list()) == ["Q3", "Q5", "Q6", "R2", "R3"]
    assert m.backlog["lead_id"].to_list() == ["R1"]
    assert (m.headline["breaches"], m.headline["backlog"]) == (5, 1)
    assert m.backlog.row(0, named=True)["hours_late"] == pytest.approx(
        (AS_OF - T(2024, 5, 11, 9)).total_seconds() / 3600
    )
    # a weekly report: the week began on 24 June, so Q5 and R2 are backlog too
    w = compute(tables(), period="week", as_of=AS_OF, config=load_config(), to_date=True)
    assert sorted(w.backlog["lead_id"].to_list()) == ["Q5", "R1", "R2"]
    assert sorted(w.breaches["lead_id"].to_list()) == ["Q3", "Q6"]


def view(lang="zh", redact=False):
    config = load_config()
    m = compute(tables(), period="month", as_of=AS_OF, config=config, to_date=True)
    return build_view(m, config=config, lang=lang, redact=redact, files=["jia.xlsx", "yi.xlsx"])


def test_the_page_has_a_to_do_per_rep_and_the_backlog():
    html = render_html(view())
    todo = html[html.index('<section id="todo"') : html.index('<section id="actions">')]
    assert todo.count("<h3>") == 2
    assert todo.index("*乙") < todo.index("*甲")
    assert "(1 项)" in todo and "(3 项)" in todo
    assert "首次跟进" in todo and "下一步行动" in todo
    assert "7月3日前回电 138****5678" in todo and "13812345678" not in html  # masked
    assert "未来 7 天(含今天)" in todo
    backlog = html[html.index('id="list-backlog"') :]
    assert '首次跟进超时积压 <span class="count">(1)</span>' in backlog
    assert "2024-06-01" in backlog  # the note names the period's start
    assert "本期超时 5 · 超时积压 1" in html
    wide = render_html(view(redact=True))
    assert "7月3日前回电" not in wide  # a next action is free text: left out when redacted
    en = render_html(view("en"))
    assert "To-do per rep" in en and "first contact" in en and "Late first follow-up backlog" in en


def test_the_page_says_when_nothing_is_due():
    leads = [dict(LEADS[1])]  # P2: due in 8 days only
    t = build_tables(frame(leads), None, files=["jia.xlsx"])
    m = compute(t, period="month", as_of=AS_OF, config=load_config())
    html = render_html(build_view(m, config=load_config(), files=["jia.xlsx"]))
    assert "未来 7 天没有到期的待办。" in html


def test_the_summary_has_the_to_do_sheet(tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(view(), tmp_path / "s.xlsx"))
    assert "待办" in wb.sheetnames and "清单-超时积压" in wb.sheetnames
    ws = wb["待办"]
    assert ws["A1"].value == "各销售待办 (4)"
    assert [c.value for c in ws[4]][:4] == ["负责销售", "下一步行动", "首次跟进", "待办合计"]
    assert [[c.value for c in r][:4] for r in ws.iter_rows(min_row=5, max_row=6)] == [
        ["*乙", 0, 1, 1],
        ["*甲", 3, 0, 3],
    ]
    assert ws["A8"].value == "未来待办"
    header = [c.value for c in ws[9]]
    assert header[:3] == ["负责销售", "待办事项", "线索编号"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=10, max_row=13)]
    assert [r[2] for r in rows] == ["Q1", "P4", "P1", "P3"]
    assert rows[0][1] == "首次跟进" and rows[2][9] == "7月3日前回电 138****5678"
    assert ws.cell(10, 8).number_format == "yyyy-mm-dd hh:mm"
    backlog = wb["清单-超时积压"]
    assert backlog.cell(5, 1).value == "R1"


def test_report_due_days_option(runner, tmp_path):
    records = clean_records(2)
    records[0].update(next_due=datetime(2024, 7, 3), next_action="7月3日前提交报价")
    records[1].update(next_due=datetime(2024, 7, 10), next_action="7月10日前回访")
    book = make_book(tmp_path / "rep.xlsx", records)
    out = tmp_path / "r.xlsx"
    args = ["report", str(book), "--as-of", "2024-06-30 18:00", "--xlsx", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    assert openpyxl.load_workbook(out)["待办"]["A1"].value == "各销售待办 (1)"
    done = runner.invoke(cli, [*args, "--due-days", "14"])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(out)["待办"]["A1"].value == "各销售待办 (2)"
    bad = runner.invoke(cli, [*args, "--due-days", "0"])
    assert bad.exit_code == 2


# ------------------------------------------------------------------------------ validate
def test_validate_hints_fit_the_breach(tmp_path):
    records = clean_records(3)
    # row 3: 高潜力, created 2024-03-01 09:00, never contacted: the 24 h deadline passed
    # 2024-03-02 09:00, 120 whole days before as_of (06-30 18:00)
    records[0].update(created_at=datetime(2024, 3, 1, 9, 0), status="待跟进", last_contact_at=None,
                      last_owner=None, last_summary=None, next_action=None)  # fmt: skip
    # row 4: 中潜力, created 06-27 09:00, never contacted: deadline 06-29 09:00, a day ago
    records[1].update(created_at=datetime(2024, 6, 27, 9, 0), potential="中潜力", status="待跟进",
                      last_contact_at=None, last_owner=None, last_summary=None)  # fmt: skip
    # row 5: 高潜力, first contact 30 h after creation (late, but contacted)
    log = log_for(records[2:])
    log[0]["contact_at"] = records[2]["created_at"] + (
        datetime(2024, 1, 2, 6) - datetime(2024, 1, 1)
    )
    report = validate_paths([make_book(tmp_path / "b.xlsx", records, log)], as_of=AS_OF)
    issues = {i.row: i for i in report.issues() if i.code == "sla-breach"}
    assert sorted(issues) == [3, 4, 5]
    old, recent, late = issues[3], issues[4], issues[5]
    assert old.hint.startswith("该线索超出首次跟进时限已 120 天:补记实际跟进或更新状态")
    assert "立即联系客户" not in old.hint and "120 天" in old.message
    assert recent.hint.startswith("立即联系客户")
    assert "立即联系客户" not in late.hint and "无需再联系" in late.hint
    assert "2024-05-24 15:30" in late.message  # 05-23 09:30 + 30 h
    en = validate_paths([tmp_path / "b.xlsx"], as_of=AS_OF, lang="en")
    hints = {i.row: i.hint for i in en.issues() if i.code == "sla-breach"}
    assert hints[3].startswith("The first follow-up deadline passed 120 days ago")
