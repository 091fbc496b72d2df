"""One number, one value (issue 12, points 2, 4, 7, 9): the as-of cut, ``--format json`` on
numbers worked out by hand, the terminal, the page, the Excel summary and the JSON of one
report compared number by number, and the labels of both languages.

The hand-worked numbers use the ten leads of test_metrics (as of Sunday 2024-06-30 18:00):
by default the report covers May 2024, the last complete month, compared with April.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from test_metrics import AS_OF, LEADS, LOG, _frame, entry, lead

from leadbook.cli import cli
from leadbook.core.config import load_config
from leadbook.core.paths import template_file
from leadbook.metrics import Metrics, compute
from leadbook.metrics.tables import build_tables
from leadbook.report.data import report_json
from leadbook.report.view import report_view
from leadbook.report.xlsx import write_xlsx
from leadbook.sample.make import make_sample

T = datetime
FILES = ["rep-a.xlsx", "rep-b.xlsx"]


def small_tables(leads=LEADS, log=LOG):
    return build_tables(_frame(leads), _frame(log), files=FILES)


# ------------------------------------------------------------------------------ the cut
def later_rows():
    """What the two workbooks would hold a few days after as_of: a new lead (created 07-01),
    L3 contacted on 07-01 (跟进中), L7 won on 07-02, both with 最近跟进时间 updated."""
    leads = [dict(r) for r in LEADS]
    leads[2].update(status="跟进中", last_owner="*甲", last_contact_at=T(2024, 7, 1, 10))  # L3
    leads[6].update(status="已成交", last_contact_at=T(2024, 7, 2, 15))  # L7
    leads.append(lead(0, 8, "WEB20240701001", T(2024, 7, 1, 9), "官网表单", "待跟进", "高潜力"))
    log = LOG + [
        entry(0, 8, "WEB20240628001", "*甲", T(2024, 7, 1, 10), "跟进中"),
        entry(1, 5, "EXPO20240201001", "*乙", T(2024, 7, 2, 15), "已成交"),
        entry(0, 9, "WEB20240701001", "*甲", T(2024, 7, 1, 11), "跟进中"),
    ]
    return leads, log


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
@pytest.mark.parametrize("to_date", [False, True])
def test_rows_after_as_of_change_nothing(period, to_date):
    config = load_config()
    kw = {"period": period, "as_of": AS_OF, "config": config, "to_date": to_date}
    before = compute(small_tables(), **kw)
    after = compute(small_tables(*later_rows()), **kw)
    assert after.headline.pop("later") == 1 and before.headline.pop("later") == 0
    assert after.headline == before.headline
    for name in Metrics.__dataclass_fields__:
        a, b = getattr(after, name), getattr(before, name)
        if isinstance(a, pl.DataFrame):  # some come from a group_by: in no set order
            assert a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True)), (
                name
            )
    assert after.period == before.period


def test_last_contact_after_as_of_is_no_contact():
    # L9 (高潜力, created 06-29 20:00, deadline 06-30 20:00) with 最近跟进时间 07-01 and no
    # log entry: as of 06-30 18:00 it was not contacted yet, so its SLA is still pending
    # (not "unknown"), and it is due within the week.
    leads = [dict(r) for r in LEADS]
    leads[8].update(last_owner="*乙", last_contact_at=T(2024, 7, 1, 9))
    m = compute(small_tables(leads), period="month", as_of=AS_OF, config=load_config())
    due = m.due.filter(pl.col("lead_id") == "EXPO20240629001")
    assert due.select("task", "deadline").rows() == [("first_contact", T(2024, 6, 30, 20))]


# ------------------------------------------------------------------------------ JSON
def test_json_on_numbers_worked_out_by_hand():
    view = report_view(small_tables(), period="month", as_of=AS_OF, config=load_config())
    got = report_json(view)
    # May 2024: created L4 (05-10, won 06-05) and L8 (05-20, lost): 1 of 2 won. Nothing closed
    # in May (L4 and L1 closed in June): no cycle. SLA: L4 met (11 h), L8 met (1 h): 2 / 2.
    # April: L10 (高潜力, never contacted: missed): 0 / 1 converted, 0 / 1 in time.
    assert {k: got[k] for k in ("period", "label", "period_start", "period_end", "to_date")} == {
        "period": "month", "label": "2024-05", "period_start": "2024-05-01",
        "period_end": "2024-05-31", "to_date": False,
    }  # fmt: skip
    assert (got["leads"], got["new_leads"], got["won"], got["conversion"]) == (10, 2, 0, 0.5)
    assert (got["cycle_days_median"], got["sla_share"], got["sla_evaluated"]) == (None, 1.0, 2)
    assert got["previous"] == {
        "label": "2024-04", "period_start": "2024-04-01", "period_end": "2024-04-30",
        "new_leads": 1, "won": 0, "conversion": 0.0, "cycle_days_median": None, "sla_share": 0.0,
    }  # fmt: skip
    # to act on: L10 and L3 (never contacted, past the deadline: L3's 06-30 10:00), L7
    # (dormant), L5 (going dormant, and its action is overdue): 4 leads, 5 items. L10's
    # deadline (04-16 09:00) lies before May: the backlog; L3's (06-30, after May): recent,
    # with the period's breaches.
    assert got["todo"] == {"leads": 4, "items": 5, "breaches": 1, "backlog": 1,
                           "dormant_soon": 1, "dormant_overdue": 1, "overdue_actions": 1,
                           "reactivation": 1}  # fmt: skip
    # due in 7 days: L7's next action (07-05) and L9's first contact (deadline 06-30 20:00)
    assert got["due"] == {"*乙": 2}
    trend = got["trend"]
    # the months before January 2024 end before the first lead (L6, 01-15): left out
    assert [r["label"] for r in trend] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    # Jan: L6 (contacted, no log: SLA unknown); Feb: L7 (first entry 03-01, late); Mar: L5
    # (低潜力, no SLA); Apr: L10 missed; May as above.
    # Leads by each month's end: L6; + L7; + L5; + L10; + L4 L8.
    last5 = [(r["label"], r["leads"], r["new_leads"], r["cohort_won"], r["won"], r["sla_share"])
             for r in trend[-5:]]  # fmt: skip
    assert last5 == [("2024-01", 1, 1, 0, 0, None), ("2024-02", 2, 1, 0, 0, 0.0),
                     ("2024-03", 3, 1, 0, 0, None), ("2024-04", 4, 1, 0, 0, 0.0),
                     ("2024-05", 6, 2, 1, 0, 1.0)]  # fmt: skip
    # January's end: only L6, 已休眠 now with no status change logged, so 已休眠 then (the
    # trend's rule 4): not in the pipeline
    stages = ["待跟进", "跟进中", "待报价", "方案提交中", "商务谈判"]
    assert trend[0] == {
        "period_start": "2024-01-01", "period_end": "2024-01-31", "label": "2024-01", "leads": 1,
        "new_leads": 1, "won": 0, "cohort_won": 0, "conversion": 0.0, "cycle_days_median": None,
        "cycle_deals": 0, "sla_share": None, "sla_evaluated": 0, **dict.fromkeys(stages, 0),
    }  # fmt: skip
    # May's end: L7 商务谈判 (e7), L5 跟进中 (no log), L10 待跟进, L4 跟进中 (e5; won 06-05,
    # later); L8 lost (e9), L6 已休眠: 1 待跟进, 2 跟进中, 1 商务谈判
    assert [trend[-1][s] for s in stages] == [1, 2, 0, 0, 1]
    # the last point is the report's period, with the headline's values
    assert {k: trend[-1][k] for k in ("new_leads", "won", "conversion", "sla_share")} == {
        k: got[k] for k in ("new_leads", "won", "conversion", "sla_share")
    }
    assert json.dumps(got, ensure_ascii=False)  # plain JSON values only


def test_json_to_date():
    view = report_view(
        small_tables(), period="month", as_of=AS_OF, config=load_config(), to_date=True
    )
    got = report_json(view)
    # June to date: L1 L2 L3 L9 created, L1 won; closed in June: L1 (17 days 1 hour) and L4
    # (26 days): median 21.5208; SLA L1 met, L2 late, L3 missed: 1 / 3.
    assert (got["period_start"], got["period_end"], got["to_date"]) == ("2024-06-01", "2024-06-30", True)  # fmt: skip
    assert (got["new_leads"], got["won"], got["conversion"]) == (4, 2, 0.25)
    assert got["cycle_days_median"] == pytest.approx((17 + 1 / 24 + 26) / 2)
    assert got["sla_share"] == pytest.approx(1 / 3)
    assert got["previous"]["label"] == "2024-05" and got["previous"]["new_leads"] == 2
    # breaches: L2 (late) and L3 (missed) of June's cohort; L10 (missed, deadline 04-16
    # before June) the backlog; to act on: L2 L3 L10, L7 (dormant), L5: 5 leads
    todo = got["todo"]
    assert (todo["breaches"], todo["backlog"], todo["leads"]) == (2, 1, 5)


def test_json_is_masked():
    leads = [dict(r) for r in LEADS]
    leads[6].update(rep="张伟 13812345678")  # a master's 负责销售 carrying a mobile (L7: due)
    tables = small_tables(leads)
    view = report_view(tables, period="month", as_of=AS_OF, config=load_config())
    text = json.dumps(report_json(view), ensure_ascii=False)
    assert "13812345678" not in text and "138****5678" in text


# ------------------------------------------------------------------------------ the four outputs
SAMPLE_AS_OF = "2026-12-01 09:00"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from click.testing import CliRunner

    base = tmp_path_factory.mktemp("four")
    make_sample(base / "reps", reps=4, leads=80, seed=7, as_of=T(2026, 12, 1, 9))
    runner = CliRunner()
    args = ["report", str(base / "reps"), "--as-of", SAMPLE_AS_OF]
    html, xlsx = base / "r.html", base / "s.xlsx"
    text = runner.invoke(cli, [*args, "--html", str(html), "--xlsx", str(xlsx)])
    assert text.exit_code == 0, text.output
    as_json = runner.invoke(cli, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    return (
        text.stdout,
        html.read_text(encoding="utf-8"),
        openpyxl.load_workbook(xlsx),
        json.loads(as_json.stdout),
    )


def _pct(v):
    return "-" if v is None else f"{v * 100:.1f}%"


def _days(v):
    return "-" if v is None else f"{v:,.1f} 天"


def test_the_four_outputs_agree(outputs):
    terminal, html, wb, data = outputs
    assert data["new_leads"] and data["won"] and data["cycle_days_median"] and data["sla_share"]
    assert data["label"] == "2026-11" and data["period_text"] == "2026年11月(11月1日–11月30日)"
    # (card id, terminal label, value as shown, previous as shown, JSON value, JSON previous)
    p = data["previous"]
    expected = [
        ("new", "新增线索", str(data["new_leads"]), str(p["new_leads"]), data["new_leads"], p["new_leads"]),
        ("won", "本期成交", str(data["won"]), str(p["won"]), data["won"], p["won"]),
        ("conversion", "新线索转化率", _pct(data["conversion"]), _pct(p["conversion"]), data["conversion"], p["conversion"]),
        ("median_days", "本期成交周期(中位数)", _days(data["cycle_days_median"]), _days(p["cycle_days_median"]), data["cycle_days_median"], p["cycle_days_median"]),
        ("sla", "首次跟进及时率", _pct(data["sla_share"]), _pct(p["sla_share"]), data["sla_share"], p["sla_share"]),
        ("todo", "待处理线索", str(data["todo"]["leads"]), None, data["todo"]["leads"], None),
    ]  # fmt: skip
    lines = {ln.split(":")[0].strip(): ln for ln in terminal.splitlines() if ":" in ln}
    cards = dict(re.findall(r'id="card-(\w+)">\s*<div class="label">[^<]*</div>\s*'
                            r'<div class="value">([^<]*)', html))  # fmt: skip
    subs = dict(re.findall(r'id="card-(\w+)">.*?<div class="sub">([^<]*)</div>', html, re.S))
    overview = {
        row[0]: (row[1], row[2])
        for row in wb["概览"].iter_rows(values_only=True)
        if row and isinstance(row[0], str)
    }
    for key, label, shown, prev, value, prev_value in expected:
        line = lines[label]
        assert line.split(":", 1)[1].strip().startswith(shown + "  ("), (key, line)
        assert cards[key] == shown, key
        if prev is not None:
            assert f"上期 {prev}" in line and f"上期 {prev}" in subs[key], key
        xlsx_label = label + (" (天)" if key == "median_days" else "")
        xv, xp = overview[xlsx_label]
        assert xv == pytest.approx(value), key
        if prev_value is not None:
            assert xp == pytest.approx(prev_value), key
    # the to-do card: its parts, their sum, and that a lead counts once
    todo = data["todo"]
    parts = ("breaches", "backlog", "dormant_soon", "dormant_overdue", "overdue_actions")
    parts = [todo[k] for k in parts]
    assert sum(parts) == todo["items"] >= todo["leads"]
    assert f"合计 {todo['items']:,} 项,同一线索在多个清单中只计一次" in subs["todo"]
    assert subs["todo"] in lines["待处理线索"]
    # the period, said the same way in the terminal, the page and the summary
    words = "月报 2026年11月(11月1日–11月30日)"
    assert words in terminal.splitlines()[0] and words in html
    assert words in wb["概览"]["A1"].value
    assert "对比上期:2026年10月(10月1日–10月31日)" in terminal and "对比上期:2026年10月" in html


def test_a_master_as_of_monday_morning_reports_november(outputs, tmp_path, runner):
    from leadbook.merge.master import merge_paths, write_master

    reps = tmp_path / "reps"
    make_sample(reps, reps=3, leads=40, seed=3, as_of=T(2026, 12, 1, 9))
    config = load_config()
    master = tmp_path / "master.xlsx"
    write_master(merge_paths([reps], config=config, as_of=T(2026, 12, 1, 9)), master, config=config)
    month = runner.invoke(cli, ["report", str(master), "--as-of", "2026-12-01 09:00"])
    assert month.exit_code == 0, month.output
    assert month.output.startswith("销售线索复盘报告 · 月报 2026年11月(11月1日–11月30日)\n")
    week = runner.invoke(cli, ["report", str(master), "--as-of", "2026-12-01 09:00", "--period", "week"])  # fmt: skip
    assert "周报 第48周 11月23日–29日" in week.output
    so_far = runner.invoke(
        cli, ["report", str(master), "--as-of", "2026-12-01 09:00", "--to-date", "--format", "json"]
    )
    got = json.loads(so_far.stdout)
    assert (got["period_start"], got["period_end"], got["to_date"]) == ("2026-12-01", "2026-12-01", True)  # fmt: skip
    assert got["previous"]["label"] == "2026-11"
    # a date alone: the end of 30 November, so November is complete
    eod = runner.invoke(cli, ["report", str(master), "--as-of", "2026-11-30", "--format", "json"])
    assert json.loads(eod.stdout)["as_of"] == "2026-11-30T23:59:59"
    assert json.loads(eod.stdout)["label"] == "2026-11"


# ------------------------------------------------------------------------------ labels
def _keys(table: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in table.items():
        out.add(prefix + key)
        if isinstance(value, dict):
            out |= _keys(value, f"{prefix}{key}.")
    return out


def test_chinese_and_english_labels_have_the_same_keys():
    with open(template_file("report/labels.toml"), "rb") as fh:
        words = tomllib.load(fh)
    assert set(words) == {"zh", "en"}
    assert _keys(words["zh"]) == _keys(words["en"])
    assert len(words["zh"]["period"]["months"]) == len(words["en"]["period"]["months"]) == 12

    def placeholders(table: dict, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from placeholders(value, f"{prefix}{key}.")
            elif isinstance(value, str):
                yield prefix + key, set(re.findall(r"\{(\w+)\}", value))

    zh, en = dict(placeholders(words["zh"])), dict(placeholders(words["en"]))
    assert zh == en  # the same placeholders in both languages


@pytest.mark.parametrize(("lang", "everything", "blank"), [("zh", "全部", "(未填)"), ("en", "All", "(blank)")])  # fmt: skip
def test_the_all_row_is_not_blank(tmp_path, lang, everything, blank):
    view = report_view(small_tables(), period="month", as_of=AS_OF, config=load_config(),
                       lang=lang, to_date=True)  # fmt: skip
    wb = openpyxl.load_workbook(write_xlsx(view, tmp_path / "s.xlsx"))
    ws = wb[view.text["sheets"]["time_to_close"]]
    first = [c.value for c in ws[5]]  # the row under the headers: every deal
    assert first[:3] == [everything, everything, 2]
    assert blank not in [c.value for row in ws.iter_rows(min_row=5, max_row=5) for c in row]


def test_make_report_takes_a_date(tmp_path):
    from books import clean_records, make_book

    from leadbook.report.make import make_report

    make_book(tmp_path / "rep.xlsx", clean_records(3))
    result = make_report([tmp_path / "rep.xlsx"], as_of=date(2024, 6, 30))
    p = result.metrics.period
    assert p.as_of == T(2024, 6, 30, 23, 59, 59, 999999)
    assert (p.label, p.complete) == ("2024-06", True)


def test_the_report_says_what_the_cut_left_out():
    from leadbook.report.html import render_html
    from leadbook.report.view import summary_lines

    view = report_view(small_tables(*later_rows()), period="month", as_of=AS_OF,
                       config=load_config())  # fmt: skip
    note = "另有 1 条线索创建于数据截止时间之后,未计入统计"
    assert note in render_html(view) and note in "\n".join(summary_lines(view))
    assert "10 条线索" in summary_lines(view)[1]  # the leads counted, not the 11 read
