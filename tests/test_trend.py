"""Trends (issue 12, point 5): every point of a weekly trend against numbers worked out by
hand from eight leads over three weeks, the pipeline at a period's end with and without an
earlier register state (a snapshot), the period arithmetic, and the trend in the page and the
Excel summary (charts opened by LibreOffice).

As of Sunday 2024-06-30 18:00; weeks W24 (10-16 June), W25 (17-23), W26 (24-30, the report's
week: the week containing as_of, so the reports here ask for it with ``to_date=True``; by
default a report covers the last complete week, W25). SLA 高潜力 24 h, 中潜力 48 h. The leads (one rep, *甲) and their log:

    A 06-10 09:00 高潜力 已成交   log 06-10 15:00 跟进中, 06-19 10:00 已成交
    B 06-12 10:00 中潜力 待报价   log 06-15 10:00 跟进中 (48 h deadline 06-14 10:00: late),
                                  06-25 11:00 待报价
    G 06-14 09:00 低潜力 方案提交中 log 06-26 10:00 方案提交中
    H 06-11 09:00 低潜力 已成交   no log; 最近跟进时间 06-21 15:00 (so won then)
    C 06-18 09:00 高潜力 已流失   log 06-18 12:00 跟进中, 06-27 09:00 已流失
    D 06-20 14:00 低潜力 跟进中   no log; 最近跟进时间 06-21 10:00
    E 06-25 09:00 高潜力 已成交   log 06-25 10:00 跟进中, 06-28 16:00 已成交
    F 06-26 09:00 中潜力 待跟进   never contacted (deadline 06-28 09:00: missed)
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import polars as pl
import pytest
from realclients import ARTIFACTS, png_size, render_png, soffice_convert

from leadbook.core.config import load_config
from leadbook.metrics import compute, period_for, prepare
from leadbook.metrics.period import previous_periods
from leadbook.metrics.tables import Snapshot, build_tables
from leadbook.metrics.trend import pipeline_at, status_at, trend
from leadbook.report.html import render_html
from leadbook.report.view import build_view
from leadbook.report.xlsx import write_xlsx

AS_OF = datetime(2024, 6, 30, 18, 0)
T = datetime
STAGES = ["待跟进", "跟进中", "待报价", "方案提交中", "商务谈判"]


def _lead(row, lead_id, created, potential, status, last_contact_at=None):
    return {"_file": 0, "_row": row, "lead_id": lead_id, "created_at": created,
            "channel": "展会", "potential": potential, "status": status, "last_owner": "*甲",
            "last_contact_at": last_contact_at, "company": f"{lead_id}公司"}  # fmt: skip


LEADS = [
    _lead(3, "A", T(2024, 6, 10, 9), "高潜力", "已成交", T(2024, 6, 19, 10)),
    _lead(4, "B", T(2024, 6, 12, 10), "中潜力", "待报价", T(2024, 6, 25, 11)),
    _lead(5, "G", T(2024, 6, 14, 9), "低潜力", "方案提交中", T(2024, 6, 26, 10)),
    _lead(6, "H", T(2024, 6, 11, 9), "低潜力", "已成交", T(2024, 6, 21, 15)),
    _lead(7, "C", T(2024, 6, 18, 9), "高潜力", "已流失", T(2024, 6, 27, 9)),
    _lead(8, "D", T(2024, 6, 20, 14), "低潜力", "跟进中", T(2024, 6, 21, 10)),
    _lead(9, "E", T(2024, 6, 25, 9), "高潜力", "已成交", T(2024, 6, 28, 16)),
    _lead(10, "F", T(2024, 6, 26, 9), "中潜力", "待跟进"),
]


def _entry(row, lead_id, at, status_to):
    return {"_file": 0, "_row": row, "lead_id": lead_id, "owner": "*甲", "contact_at": at,
            "status_to": status_to}  # fmt: skip


LOG = [
    _entry(2, "A", T(2024, 6, 10, 15), "跟进中"),
    _entry(3, "A", T(2024, 6, 19, 10), "已成交"),
    _entry(4, "B", T(2024, 6, 15, 10), "跟进中"),
    _entry(5, "B", T(2024, 6, 25, 11), "待报价"),
    _entry(6, "G", T(2024, 6, 26, 10), "方案提交中"),
    _entry(7, "C", T(2024, 6, 18, 12), "跟进中"),
    _entry(8, "C", T(2024, 6, 27, 9), "已流失"),
    _entry(9, "E", T(2024, 6, 25, 10), "跟进中"),
    _entry(10, "E", T(2024, 6, 28, 16), "已成交"),
]


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("_file").cast(pl.UInt32), pl.col("_row").cast(pl.Int32)
    )


def tables(snapshots=()):
    t = build_tables(frame(LEADS), frame(LOG), files=["rep.xlsx"])
    t.snapshots = list(snapshots)
    return t


@pytest.fixture(scope="module")
def facts():
    return prepare(tables(), load_config(), AS_OF)


@pytest.fixture(scope="module")
def week():
    return period_for("week", AS_OF)


def snapshot(taken_at, statuses) -> Snapshot:
    register = pl.DataFrame(
        {
            "lead_id": [f"S{i}" for i in range(len(statuses))],
            "status": statuses,
            "rep": ["*甲"] * len(statuses),
        }  # fmt: skip
    )
    return Snapshot(taken_at, register, "master-w25.xlsx")


# ------------------------------------------------------------------------------ the numbers
def test_every_trend_point_by_hand(facts, week):
    got = trend(facts, week)
    # the weeks before W24 end before the first lead (A, 06-10 09:00): left out
    assert got["label"].to_list() == ["2024-W24", "2024-W25", "2024-W26"]
    assert got["period_start"].to_list() == [
        date(2024, 6, 10),
        date(2024, 6, 17),
        date(2024, 6, 24),
    ]
    assert got["period_end"].to_list() == [date(2024, 6, 16), date(2024, 6, 23), date(2024, 6, 30)]
    # new: W24 A B G H; W25 C D; W26 E F
    assert got["new_leads"].to_list() == [4, 2, 2]
    # won (closed won in the week): W24 none; W25 A (06-19, log) and H (06-21, 最近跟进时间);
    # W26 E (06-28)
    assert got["won"].to_list() == [0, 2, 1]
    # conversion = won now / new: W24 A H of 4; W25 none of C D; W26 E of E F
    assert got["conversion"].to_list() == [0.5, 0.0, 0.5]
    # median days to close of the week's deals: W25 A 9 d 1 h, H 10 d 6 h -> mean of the two;
    # W26 E 3 d 7 h
    cycle = got["cycle_days_median"].to_list()
    assert cycle[0] is None
    assert cycle[1] == pytest.approx(((9 + 1 / 24) + (10 + 6 / 24)) / 2)
    assert cycle[2] == pytest.approx(3 + 7 / 24)
    # first follow-up in time: W24 A met, B late (1/2); W25 C met (D has no SLA); W26 E met,
    # F missed
    assert got["sla_share"].to_list() == [0.5, 1.0, 0.5]
    # the pipeline at each end:
    # W24 (before 06-17): A 跟进中, B 跟进中, G 待跟进 (its one status change is later),
    #     H 待跟进 (won later, 06-21, without a log entry)
    # W25 (before 06-24): B 跟进中, C 跟进中, D 跟进中 (no status change logged: its status
    #     now), G 待跟进; A and H won
    # W26 (to as_of): B 待报价, G 方案提交中, D 跟进中, F 待跟进; A E won, C lost
    assert got.select(STAGES).rows() == [(2, 2, 0, 0, 0), (1, 3, 0, 0, 0), (1, 1, 1, 1, 0)]
    assert got.columns == [
        "period_start", "period_end", "label", "new_leads", "won", "conversion",
        "cycle_days_median", "sla_share", *STAGES, "leads", "cohort_won", "cycle_deals",
        "sla_evaluated",
    ]  # fmt: skip
    # leads by each end: 4, 6, 8; the cohort's won A H, -, E; deals with both times 0, 2, 1;
    # SLA decided B A, C, E F
    assert got.select("leads", "cohort_won", "cycle_deals", "sla_evaluated").rows() == [
        (4, 2, 0, 2), (6, 0, 2, 1), (8, 1, 1, 2)
    ]  # fmt: skip


def test_the_last_point_is_the_headline():
    m = compute(tables(), period="week", as_of=AS_OF, config=load_config(), to_date=True)
    last, h = m.trend.row(-1, named=True), m.headline
    assert last["label"] == "2024-W26"
    assert (last["new_leads"], last["won"], last["conversion"]) == (
        h["new"],
        h["won"],
        h["conversion"],
    )
    assert last["cycle_days_median"] == h["median_days"]
    assert last["sla_share"] == h["sla_share"]
    # the pipeline now: the open leads by status, as the funnel counts them
    funnel = dict(m.funnel.select("status", "leads").iter_rows())
    assert {s: last[s] for s in STAGES} == {s: funnel[s] for s in STAGES}
    # by default the last complete week (W25): the trend ends there, its last point is again
    # the headline (2 new, A and H won, none of C D won, cycle of A H, C met)
    m = compute(tables(), period="week", as_of=AS_OF, config=load_config())
    last, h = m.trend.row(-1, named=True), m.headline
    assert m.trend["label"].to_list() == ["2024-W24", "2024-W25"]
    assert (last["new_leads"], last["won"], last["conversion"], last["sla_share"]) == (
        h["new"], h["won"], h["conversion"], h["sla_share"]
    ) == (2, 2, 0.0, 1.0)  # fmt: skip
    assert last["cycle_days_median"] == h["median_days"]
    assert h["median_days"] == pytest.approx(((9 + 1 / 24) + (10 + 6 / 24)) / 2)


def test_status_at_a_period_end(facts, week):
    w24 = previous_periods(week, 3)[0]
    got = dict(
        status_at(facts, w24)
        .join(facts.leads.select("_lead", "lead_id"), on="_lead")
        .select("lead_id", "status")
        .iter_rows()
    )
    # C D E F were created later: not there
    assert got == {"A": "跟进中", "B": "跟进中", "G": "待跟进", "H": "待跟进"}


def test_the_pipeline_from_a_snapshot(facts, week):
    w24, w25, w26 = previous_periods(week, 3)
    without = [pipeline_at(facts, q) for q in (w24, w25, w26)]
    early = snapshot(T(2024, 6, 19, 9), ["待跟进"] * 5)
    late = snapshot(T(2024, 6, 23, 18), ["待跟进", "商务谈判", "商务谈判", "已成交", "无效"])
    after = snapshot(T(2024, 7, 1, 9), ["商务谈判"] * 9)  # after as_of: not known yet
    snaps = [early, late, after]
    # W25 from the latest snapshot taken in it (06-23 18:00): its statuses, closed ones left
    # out; W24 and W26 have none taken in them: rebuilt from the log as before
    assert pipeline_at(facts, w25, snaps) == {
        "待跟进": 1, "跟进中": 0, "待报价": 0, "方案提交中": 0, "商务谈判": 2
    }  # fmt: skip
    assert pipeline_at(facts, w24, snaps) == without[0]
    assert pipeline_at(facts, w26, snaps) == without[2]
    assert without[1] == {"待跟进": 1, "跟进中": 3, "待报价": 0, "方案提交中": 0, "商务谈判": 0}
    # one taken exactly at a week's end (Monday 00:00) describes that end, not the next one's
    edge = snapshot(T(2024, 6, 17), ["待报价"] * 7)
    assert pipeline_at(facts, w24, [edge])["待报价"] == 7
    assert pipeline_at(facts, w25, [edge]) == without[1]
    # through compute: the snapshots of the tables
    m = compute(tables(snaps), period="week", as_of=AS_OF, config=load_config(), to_date=True)
    assert m.trend.select(STAGES).rows() == [(2, 2, 0, 0, 0), (1, 0, 0, 0, 2), (1, 1, 1, 1, 0)]


def test_a_snapshot_before_the_first_lead_starts_the_trend(facts, week):
    old = snapshot(T(2024, 6, 5, 18), ["跟进中"] * 3)  # W23: before lead A
    got = trend(facts, week, [old])
    assert got["label"].to_list() == ["2024-W23", "2024-W24", "2024-W25", "2024-W26"]
    assert got.row(0, named=True)["跟进中"] == 3 and got.row(0, named=True)["new_leads"] == 0


def test_twelve_periods_at_most():
    leads = [*LEADS, _lead(11, "OLD", T(2022, 1, 5, 9), "低潜力", "跟进中")]
    t = build_tables(frame(leads), frame(LOG), files=["rep.xlsx"])
    facts = prepare(t, load_config(), AS_OF)
    got = trend(facts, period_for("month", AS_OF))
    assert got.height == 12
    assert got["label"].to_list()[0] == "2023-07" and got["label"].to_list()[-1] == "2024-06"
    # July 2023 - May 2024 had no new lead: zero, and no conversion (not 0 %)
    assert got["new_leads"].to_list() == [0] * 11 + [8]
    assert got["conversion"].to_list()[:11] == [None] * 11
    # the old lead (跟进中, no log) is in the pipeline at every end
    assert got["跟进中"].to_list()[:11] == [1] * 11


@pytest.mark.parametrize(
    ("kind", "as_of", "labels"),
    [
        ("week", T(2024, 1, 3, 10), ["2023-W51", "2023-W52", "2024-W01"]),
        ("month", T(2024, 2, 15, 10), ["2023-12", "2024-01", "2024-02"]),
        ("quarter", T(2024, 2, 15, 10), ["2023-Q3", "2023-Q4", "2024-Q1"]),
    ],
)
def test_previous_periods(kind, as_of, labels):
    periods = previous_periods(period_for(kind, as_of), 3)
    assert [p.label for p in periods] == labels
    assert all(a.end == b.start for a, b in zip(periods, periods[1:], strict=False))
    assert all(p.prev_start < p.start and p.as_of == as_of for p in periods)


# ------------------------------------------------------------------------------ the outputs
def view(lang="zh"):
    m = compute(tables(), period="week", as_of=AS_OF, config=load_config(), to_date=True)
    return build_view(m, config=load_config(), lang=lang, files=["rep.xlsx"], leads=8)


def test_the_page_draws_the_trend():
    html = render_html(view())
    section = html[
        html.index('<section id="trend">') : html.index('<section id="funnel-channels">')
    ]
    assert section.count("<svg") == 2
    assert section.count("<polyline") == 3  # new leads, won, conversion
    # the stacked columns: W24 two stages, W25 two, W26 four -> 8 segments
    assert len(re.findall(r'<rect class="st\d"[^>]*><title>', section)) == 8
    assert "2024-W26 · 待报价: 1" in section
    assert ">W24<" in section and ">W26<" in section  # short labels under the chart
    assert "<td>2024-W25</td>" in section and '<td class="num">100.0%</td>' in section
    assert "近期趋势" in section
    en = render_html(view("en"))
    assert "Pipeline at period end, by stage" in en and "New leads and deals won" in en


def test_the_summary_has_the_trend_sheet(tmp_path):
    import openpyxl

    path = write_xlsx(view(), tmp_path / "summary.xlsx")
    ws = openpyxl.load_workbook(path)["趋势"]
    header = [c.value for c in ws[4]]
    assert header[:8] == ["期间", "开始日期", "结束日期", "新增线索", "成交", "转化率",
                          "成交周期中位数(天)", "及时率"]  # fmt: skip
    assert header[8:13] == STAGES
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=7)]
    assert [r[0] for r in rows] == ["2024-W24", "2024-W25", "2024-W26"]
    assert [r[3:5] for r in rows] == [[4, 0], [2, 2], [2, 1]]
    assert rows[2][8:12] == [1, 1, 1, 1]
    assert ws.cell(5, 6).number_format == "0.0%"
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        drawing = re.search(r'Target="../drawings/(drawing\d+\.xml)"', rels).group(1)
        drels = zf.read(f"xl/drawings/_rels/{drawing}.rels").decode()
        charts = [
            zf.read(f"xl/charts/{n}").decode() for n in re.findall(r"charts/(chart\d+\.xml)", drels)
        ]
    assert len(charts) == 2
    line, stack = charts
    assert "<c:lineChart>" in line and line.count("<c:ser>") == 3 and "<c:valAx>" in line
    assert '<c:grouping val="stacked"/>' in stack and stack.count("<c:ser>") == 5


def test_the_trend_charts_render_in_libreoffice(tmp_path):
    path = write_xlsx(view(), tmp_path / "summary.xlsx")
    ods = soffice_convert(path, "ods", tmp_path / "ods", recalc=False)
    with zipfile.ZipFile(ods) as zf:
        objects = {
            n: zf.read(n).decode()
            for n in zf.namelist()
            if re.fullmatch(r"Object \d+/content\.xml", n)
        }
        content = zf.read("content.xml").decode()
    # the trend sheet comes second, its two charts are the first chart objects in it
    sheet = content[content.index('table:name="趋势"') :]
    sheet = sheet[: sheet.index("</table:table>")]
    names = re.findall(r'draw:object[^>]*xlink:href="\./(Object \d+)"', sheet)
    assert len(names) == 2
    line, stack = (objects[f"{n}/content.xml"] for n in names)
    assert 'chart:class="chart:line"' in line
    assert line.count("<chart:series") == 3  # new leads, won; conversion on the second axis
    assert 'chart:name="secondary-y"' in line
    assert 'chart:class="chart:bar"' in stack and 'chart:stacked="true"' in stack
    assert stack.count("<chart:series") == 5
    png = render_png(path, "趋势", ARTIFACTS / "summary-trend.png", columns="A:P", rows=30, dpi=80)
    width, height = png_size(png)
    assert width > 800 and height > 300  # the table and the two charts below it
