"""Every metric against numbers worked out by hand from ten leads and nine log entries.

The expected values below were derived on paper from the table in ``LEADS`` / ``LOG`` (the
comments show the working), never by running the code under test. As of Sunday
2024-06-30 18:00; period = June 2024 (previous: May); SLA 高潜力 24 h, 中潜力 48 h;
dormancy 90 days, warning 14 days before.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from leadbook.core.config import load_config
from leadbook.metrics import (
    channels,
    cohort_totals,
    compute,
    dormancy,
    first_follow_up,
    funnel,
    loss_by_channel,
    loss_reasons,
    need_terms,
    overdue_actions,
    period_for,
    prepare,
    reactivation,
    reps,
    sla_breaches,
    sla_outcomes,
    stage_moves,
    time_to_close,
    won_in_period,
)
from leadbook.metrics.tables import build_tables

AS_OF = datetime(2024, 6, 30, 18, 0)
T = datetime
MFG, ICT = "制造业", "信息传输、软件和信息技术服务业"


def lead(file, row, lead_id, created, channel, status, potential, **more):
    return {"_file": file, "_row": row, "lead_id": lead_id, "created_at": created,
            "channel": channel, "status": status, "potential": potential, **more}  # fmt: skip


# File 0 is *甲's workbook, file 1 *乙's (the rep of a file: its usual 最近跟进人). L6 in file 1
# has the same lead ID as L1 in file 0: lead IDs are per workbook.
LEADS = [
    lead(0, 3, "EXPO20240603001", T(2024, 6, 3, 9), "展会", "已成交", "高潜力",  # L1
         industry=MFG, last_owner="*甲", last_contact_at=T(2024, 6, 20, 10),
         need="需要采购500套智能传感器,要求精度±0.1%", next_due=T(2024, 6, 1)),
    lead(0, 4, "EXPO20240610001", T(2024, 6, 10, 9), "展会", "已流失", "高潜力",  # L2
         industry=MFG, last_owner="*甲", last_contact_at=T(2024, 6, 15, 9),
         loss_reason="选择竞品", need="智能传感器选型,精度要求高"),
    lead(0, 5, "WEB20240628001", T(2024, 6, 28, 10), "官网表单", "待跟进", "中潜力"),  # L3
    lead(0, 6, "WEB20240510001", T(2024, 5, 10, 9), "官网表单", "已成交", "中潜力",  # L4
         industry=ICT, last_owner="*甲", last_contact_at=T(2024, 6, 5, 9),
         need="ERP系统升级,支持200并发用户"),
    lead(0, 7, "TEL20240301001", T(2024, 3, 1, 9), "电话推荐", "跟进中", "低潜力",  # L5
         last_owner="*甲", last_contact_at=T(2024, 4, 1, 9), next_due=T(2024, 4, 10),
         next_action="4月10日前回电 13812345678"),
    lead(1, 3, "EXPO20240603001", T(2024, 1, 15, 10), "老客户转介绍", "已休眠", "中潜力",  # L6
         last_owner="*乙", last_contact_at=T(2024, 3, 20, 10)),
    lead(1, 4, "EXPO20240201001", T(2024, 2, 1, 9), "展会", "商务谈判", "中潜力",  # L7
         last_owner="*乙", last_contact_at=T(2024, 3, 1, 9), next_due=T(2024, 7, 5)),
    lead(1, 5, "TEL20240520001", T(2024, 5, 20, 9), "电话推荐", "已流失", "高潜力",  # L8
         last_owner="*乙", last_contact_at=T(2024, 5, 25, 10), loss_reason="预算不足",
         need="ERP系统替换"),
    lead(1, 6, "EXPO20240629001", T(2024, 6, 29, 20), "展会", "待跟进", "高潜力",  # L9
         need="<script>alert(1)</script>"),
    lead(1, 7, "OTH20240415001", T(2024, 4, 15, 9), "其他", "待跟进", "高潜力"),  # L10
]  # fmt: skip


def entry(file, row, lead_id, owner, at, status_to=None):
    return {"_file": file, "_row": row, "lead_id": lead_id, "owner": owner, "contact_at": at,
            "status_to": status_to}  # fmt: skip


LOG = [
    entry(0, 2, "EXPO20240603001", "*甲", T(2024, 6, 3, 12), "跟进中"),  # e1 L1
    entry(0, 3, "EXPO20240603001", "*甲", T(2024, 6, 20, 10), "已成交"),  # e2 L1
    entry(0, 4, "EXPO20240610001", "*甲", T(2024, 6, 12, 9), "跟进中"),  # e3 L2
    entry(0, 5, "EXPO20240610001", "*甲", T(2024, 6, 15, 9), "已流失"),  # e4 L2
    entry(0, 6, "WEB20240510001", "*甲", T(2024, 5, 10, 20), "跟进中"),  # e5 L4
    entry(0, 7, "WEB20240510001", "*丙", T(2024, 6, 5, 9), "已成交"),  # e6 L4, a colleague
    entry(1, 2, "EXPO20240201001", "*乙", T(2024, 3, 1, 9), "商务谈判"),  # e7 L7
    entry(1, 3, "TEL20240520001", "*乙", T(2024, 5, 20, 10), "跟进中"),  # e8 L8
    entry(1, 4, "TEL20240520001", "*乙", T(2024, 5, 25, 10), "已流失"),  # e9 L8
]


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("_file").cast(pl.UInt32), pl.col("_row").cast(pl.Int32)
    )


@pytest.fixture(scope="module")
def tables():
    return build_tables(_frame(LEADS), _frame(LOG), files=["rep-a.xlsx", "rep-b.xlsx"])


@pytest.fixture(scope="module")
def facts(tables):
    return prepare(tables, load_config(), AS_OF)


@pytest.fixture(scope="module")
def june():
    return period_for("month", AS_OF)


def by(frame: pl.DataFrame, key: str, *cols: str) -> dict:
    return {
        row[0]: row[1:] if len(row) > 2 else row[1] for row in frame.select(key, *cols).iter_rows()
    }


def test_periods():
    week = period_for("week", AS_OF)  # Sunday: the ISO week Mon 24 - Sun 30 June
    assert (week.start, week.end, week.prev_start) == (
        T(2024, 6, 24),
        T(2024, 7, 1),
        T(2024, 6, 17),
    )
    assert week.label == "2024-W26" and week.prev_label == "2024-W25"
    q = period_for("quarter", T(2024, 2, 10))
    assert (q.start, q.end, q.prev_start, q.label) == (
        T(2024, 1, 1),
        T(2024, 4, 1),
        T(2023, 10, 1),
        "2024-Q1",
    )
    m = period_for("month", T(2024, 1, 31, 8))
    assert (m.start, m.end, m.prev_start, m.prev_label) == (
        T(2024, 1, 1),
        T(2024, 2, 1),
        T(2023, 12, 1),
        "2023-12",
    )
    assert not m.complete and m.last_day.isoformat() == "2024-01-31"
    with pytest.raises(ValueError):
        period_for("year", AS_OF)


def test_leads_are_keyed_per_workbook(tables):
    # L1 (file 0) and L6 (file 1) share a lead ID; e1 and e2 belong to L1 only.
    key = dict(
        zip(
            zip(tables.register["_file"], tables.register["_row"], strict=True),
            tables.register["_lead"],
            strict=True,
        )
    )
    log_keys = tables.log["_lead"].to_list()
    assert log_keys[:2] == [key[(0, 3)], key[(0, 3)]]
    assert key[(1, 3)] not in log_keys
    # each file's rep is its usual 最近跟进人, also for leads nobody contacted yet (L3, L9)
    assert by(tables.register.with_columns(pl.col("_row") + pl.col("_file") * 100), "_row", "rep") == {
        3: "*甲", 4: "*甲", 5: "*甲", 6: "*甲", 7: "*甲",
        103: "*乙", 104: "*乙", 105: "*乙", 106: "*乙", 107: "*乙",
    }  # fmt: skip


def test_funnel(facts, june):
    # now: 待跟进 L3 L9 L10; 跟进中 L5; 商务谈判 L7; 已成交 L1 L4; 已流失 L2 L8; 已休眠 L6.
    # entered in June (log 状态变更为): 跟进中 e1 e3 (L1 L2); 已成交 e2 e6 (L1 L4); 已流失 e4 (L2).
    assert funnel(facts, june).rows() == [
        ("待跟进", 3, 0), ("跟进中", 1, 2), ("待报价", 0, 0), ("方案提交中", 0, 0),
        ("商务谈判", 1, 0), ("已成交", 2, 2), ("已流失", 2, 1), ("已休眠", 1, 0), ("无效", 0, 0),
    ]  # fmt: skip
    assert stage_moves(facts, june) == 3  # L1, L2, L4


def test_channels(facts, june):
    # June cohort: L1 展会 won, L2 展会 lost, L9 展会 open, L3 官网表单 open.
    # May cohort: L4 官网表单 won, L8 电话推荐 lost. To date: 展会 L1 L2 L7 L9 (1 won),
    # 官网表单 L3 L4 (1 won), 电话推荐 L5 L8, 老客户转介绍 L6, 其他 L10.
    got = channels(facts, june)
    assert got["channel"].to_list() == ["展会", "官网表单", "电话推荐", "老客户转介绍", "其他"]
    cols = ["new", "won", "lost", "conversion", "prev_new", "prev_won", "prev_conversion", "change",
            "total", "total_won", "total_conversion"]  # fmt: skip
    assert by(got, "channel", *cols) == {
        "展会": (3, 1, 1, pytest.approx(1 / 3), 0, 0, None, None, 4, 1, 0.25),
        "官网表单": (1, 0, 0, 0.0, 1, 1, 1.0, -1.0, 2, 1, 0.5),
        "电话推荐": (0, 0, 0, None, 1, 0, 0.0, None, 2, 0, 0.0),
        "老客户转介绍": (0, 0, 0, None, 0, 0, None, None, 1, 0, 0.0),
        "其他": (0, 0, 0, None, 0, 0, None, None, 1, 0, 0.0),
    }
    assert cohort_totals(facts, june) == {
        "new": 4, "won": 1, "conversion": 0.25, "prev_new": 2, "prev_won": 1, "prev_conversion": 0.5,
    }  # fmt: skip


def test_time_to_close(facts, june):
    # L1: 06-03 09:00 -> e2 06-20 10:00 = 17 days 1 hour = 17.0417; L4: 05-10 09:00 -> e6
    # 06-05 09:00 = 26 days. Both closed in June. Mean = median = 21.5208.
    l1, l4 = 17 + 1 / 24, 26.0
    got = time_to_close(facts, june)
    rows = {
        (d, g): (n, mean, med, n_p, med_p) for d, g, n, mean, med, n_p, med_p in got.iter_rows()
    }
    mid = (l1 + l4) / 2
    assert rows == {
        ("all", None): (2, pytest.approx(mid), pytest.approx(mid), 2, pytest.approx(mid)),
        ("potential", "高潜力"): (1, pytest.approx(l1), pytest.approx(l1), 1, pytest.approx(l1)),
        ("potential", "中潜力"): (1, l4, l4, 1, l4),
        ("channel", "展会"): (1, pytest.approx(l1), pytest.approx(l1), 1, pytest.approx(l1)),
        ("channel", "官网表单"): (1, l4, l4, 1, l4),
        ("industry", MFG): (1, pytest.approx(l1), pytest.approx(l1), 1, pytest.approx(l1)),
        ("industry", ICT): (1, l4, l4, 1, l4),
    }
    assert won_in_period(facts, june) == (2, 0)


def test_time_to_close_falls_back_to_the_last_contact():
    # A won lead without a log entry saying so: closed at its 最近跟进时间 (10 days).
    reg = _frame(
        [
            lead(
                0,
                3,
                "A1",
                T(2024, 6, 1),
                "展会",
                "已成交",
                "高潜力",
                last_contact_at=T(2024, 6, 11),
            )
        ]
    )
    facts = prepare(build_tables(reg, None), load_config(), AS_OF)
    assert time_to_close(facts, period_for("month", AS_OF)).row(0)[2:5] == (1, 10.0, 10.0)


def test_first_follow_up(facts, june):
    # outcomes: L1 met (3 h), L2 late (48 h > 24), L3 missed (deadline 06-30 10:00 passed,
    # never contacted), L4 met (11 h), L6 unknown (contacted, no log entry), L7 late,
    # L8 met (1 h), L9 pending (deadline 06-30 20:00 after as_of), L10 missed. L5: no SLA.
    outcomes = sla_outcomes(facts).sort("_file", "_row")
    assert outcomes["_sla"].to_list() == [
        "met",
        "late",
        "missed",
        "met",
        "unknown",
        "late",
        "met",
        "pending",
        "missed",
    ]
    # June cohort: L1 met, L2 late, L3 missed (L9 pending, not counted): 1 / 3.
    # May cohort: L4 met, L8 met: 2 / 2.
    total = first_follow_up(facts, june).row(0, named=True)
    assert total == {"met": 1, "late": 1, "missed": 1, "pending": 1, "evaluated": 3,
                     "share": pytest.approx(1 / 3), "prev_share": 1.0}  # fmt: skip
    cols = ["met", "late", "missed", "pending", "evaluated", "share", "prev_share"]
    assert by(first_follow_up(facts, june, by="potential"), "potential", *cols) == {
        "高潜力": (1, 1, 0, 1, 2, 0.5, 1.0),  # L1 met, L2 late, L9 pending; May: L8
        "中潜力": (0, 0, 1, 0, 1, 0.0, 1.0),  # L3 missed; May: L4
    }
    assert by(first_follow_up(facts, june, by="rep"), "rep", *cols) == {
        "*甲": (1, 1, 1, 0, 3, pytest.approx(1 / 3), 1.0),
        "*乙": (0, 0, 0, 1, 0, None, 1.0),
    }
    # the rows in a fixed order, the same every run: levels as the config lists them
    for _ in range(5):
        assert first_follow_up(facts, june, by="potential")["potential"].to_list() == [
            "高潜力",
            "中潜力",
        ]


def test_sla_breaches(facts, june):
    # June cohort late or missed: L2 (late 24 h), L3 (missed: as_of - deadline = 8 h); from
    # before June, still missed: L10 (deadline 04-16 09:00: 75 days 9 h = 1809 h). Missed
    # first, by potential: L10 (高潜力), L3 (中潜力), then L2.
    got = sla_breaches(facts, june)
    assert got.select("lead_id", "outcome", "hours_late", "rep").rows() == [
        ("OTH20240415001", "missed", 1809.0, "*乙"),
        ("WEB20240628001", "missed", 8.0, "*甲"),
        ("EXPO20240610001", "late", 24.0, "*甲"),
    ]


def test_dormancy_and_reactivation(facts, june):
    # Open: L3 (idle 2 days), L5 (touch 04-01 09:00: 90 days 9 h -> 90), L7 (03-01 09:00:
    # 121), L9 (0), L10 (created 04-15 09:00: 76). Dormant: idle > 90 -> L7. Soon: 76 < idle
    # <= 90 -> L5 with 0 days left (L10's 76 is not within the 14 days).
    overdue, soon = dormancy(facts)
    assert overdue.select("lead_id", "idle_days").rows() == [("EXPO20240201001", 121)]
    assert soon.select("lead_id", "idle_days", "days_left").rows() == [("TEL20240301001", 90, 0)]
    # 已休眠 L6, last touched 03-20 10:00, before Q2 began: re-activate (idle 102 days).
    assert reactivation(facts, june).select("lead_id", "idle_days", "rep").rows() == [
        ("EXPO20240603001", 102, "*乙")
    ]


def test_overdue_actions(facts):
    # L5 open, due 04-10: 81 days overdue on 06-30. L1 is due 06-01 but won; L7 due 07-05.
    assert overdue_actions(facts).select("lead_id", "days_overdue").rows() == [
        ("TEL20240301001", 81)
    ]


def test_loss_reasons(facts, june):
    # L2 选择竞品 (lost 06-15, June), L8 预算不足 (05-25). Ties by name: 选 (U+9009) < 预 (U+9884).
    assert loss_reasons(facts, june).rows() == [
        ("选择竞品", 1, 0.5, 0.5, 1),
        ("预算不足", 1, 0.5, 1.0, 0),
    ]
    assert loss_by_channel(facts).rows() == [("选择竞品", "展会", 1), ("预算不足", "电话推荐", 1)]


def test_need_terms(facts):
    # Needs of 高潜力 or won leads: L1, L2, L4, L8, L9 (L10 has none). Words after stop words
    # (需要 采购 要求 支持), numbers and 1-character words are gone:
    # L1 智能 传感器 精度 | L2 智能 传感器 选型 精度 | L4 ERP 系统升级 并发 用户 |
    # L8 ERP 系统 替换 | L9 script alert. Ties in code-point order (ASCII first).
    got = need_terms(facts)
    assert got.select("term", "leads").rows() == [
        ("ERP", 2), ("传感器", 2), ("智能", 2), ("精度", 2),
        ("alert", 1), ("script", 1), ("并发", 1), ("替换", 1), ("用户", 1), ("系统", 1),
        ("系统升级", 1), ("选型", 1),
    ]  # fmt: skip
    assert got["share"][0] == 2 / 5
    # the example is the need that holds the word (ties: first in code-point order)
    assert got["example"][0] == "ERP系统升级,支持200并发用户"


def test_reps(facts, june):
    # *甲: L1-L5; new in June L1 L2 L3; won in June L1 L4; 2 of 5 won; SLA 1/3; L5 overdue;
    # June log entries by *甲: e1-e4. *乙: L6-L10; new L9; no SLA due yet; no June entries.
    # *丙 owns no lead but logged e6 in June.
    got = reps(facts, june)
    assert got.rows() == [
        ("*甲", 5, 3, 4, 2, 2, 0.4, pytest.approx(1 / 3), 1),
        ("*丙", 0, 0, 1, 0, 0, None, None, 0),
        ("*乙", 5, 1, 0, 0, 0, 0.0, None, 0),
    ]


def test_compute_headline(tables):
    # --to-date: June so far (the period containing as_of), against all of May
    m = compute(tables, period="month", as_of=AS_OF, config=load_config(), to_date=True)
    assert (m.period.start, m.period.last_day.day, m.period.to_date) == (T(2024, 6, 1), 30, True)
    h = m.headline
    assert (h["leads"], h["open"], h["new"], h["prev_new"], h["won"], h["prev_won"]) == (
        10,
        5,
        4,
        2,
        2,
        0,
    )
    # SLA breaches of June: L3 (deadline 06-30 10:00), L2 (late); the backlog: L10, whose
    # deadline (04-16 09:00) lies before June
    assert (h["breaches"], h["backlog"]) == (2, 1)
    assert (h["dormant_overdue"], h["dormant_soon"], h["reactivation"]) == (1, 1, 1)
    # distinct leads to act on: L10 L3 L2 (SLA), L7 (dormant), L5 (soon and overdue action)
    assert (h["overdue_actions"], h["todo"], h["lost"], h["moved"]) == (1, 5, 2, 3)


def test_week_period_numbers(facts):
    # Week 24-30 June: created L3 (06-28), L9 (06-29); nothing won or lost; the week before
    # (17-23 June) created nothing. SLA: L3 missed, L9 pending -> 0 / 1.
    week = period_for("week", AS_OF)
    assert cohort_totals(facts, week) == {
        "new": 2, "won": 0, "conversion": 0.0, "prev_new": 0, "prev_won": 0, "prev_conversion": None,
    }  # fmt: skip
    assert first_follow_up(facts, week).row(0)[:6] == (0, 0, 1, 1, 1, 0.0)
    assert won_in_period(facts, week) == (0, 1)  # L1 won 06-20, in the week before
