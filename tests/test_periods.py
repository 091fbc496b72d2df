"""The period a report covers (issue 12, point 1) and the as-of time (point 2), on the days
managers run reports. Every date and expected period below is written by hand from a calendar:
2026-11-30 and 2026-01-05 are Mondays, 2026-11-29 a Sunday, 2027-01-01 a Friday; ISO week 48
of 2026 is 23-29 November, week 53 of 2026 is 28 December - 3 January, week 1 of 2026 is
29 December 2025 - 4 January 2026 (1 January 2026 is a Thursday).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from leadbook.cli.options import AsOf
from leadbook.core.asof import as_of_time, end_of_day, is_date_only
from leadbook.metrics.period import previous_periods, report_period
from leadbook.report.view import period_words

T = datetime
D = date


def span(p):
    """(first day, last day, previous period's first day, label) of a period."""
    return p.start.date(), p.last_day, p.prev_start.date(), p.label


@pytest.mark.parametrize(
    ("kind", "as_of", "expected"),
    [
        # Monday 09:00: last week, Monday 23 to Sunday 29 November
        ("week", T(2026, 11, 30, 9), (D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 16), "2026-W48")),
        # first day of a month: the month before
        ("month", T(2026, 12, 1, 9), (D(2026, 11, 1), D(2026, 11, 30), D(2026, 10, 1), "2026-11")),
        ("week", T(2026, 12, 1, 9), (D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 16), "2026-W48")),
        # first day of a quarter: the quarter before
        ("quarter", T(2026, 10, 1, 9), (D(2026, 7, 1), D(2026, 9, 30), D(2026, 4, 1), "2026-Q3")),
        ("month", T(2026, 10, 1, 9), (D(2026, 9, 1), D(2026, 9, 30), D(2026, 8, 1), "2026-09")),
        # Sunday 23:30: this week is not over, so the week before
        ("week", T(2026, 11, 29, 23, 30), (D(2026, 11, 16), D(2026, 11, 22), D(2026, 11, 9), "2026-W47")),
        # Sunday 23:59 (and a date alone: the end of the day) closes the week
        ("week", T(2026, 11, 29, 23, 59), (D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 16), "2026-W48")),
        ("week", end_of_day(D(2026, 11, 29)), (D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 16), "2026-W48")),
        ("month", end_of_day(D(2026, 11, 30)), (D(2026, 11, 1), D(2026, 11, 30), D(2026, 10, 1), "2026-11")),
        # 1 January: last year's last complete ISO week, December, Q4
        ("week", T(2027, 1, 1, 9), (D(2026, 12, 21), D(2026, 12, 27), D(2026, 12, 14), "2026-W52")),
        ("month", T(2027, 1, 1, 9), (D(2026, 12, 1), D(2026, 12, 31), D(2026, 11, 1), "2026-12")),
        ("quarter", T(2027, 1, 1, 9), (D(2026, 10, 1), D(2026, 12, 31), D(2026, 7, 1), "2026-Q4")),
        ("quarter", T(2026, 1, 1, 0, 5), (D(2025, 10, 1), D(2025, 12, 31), D(2025, 7, 1), "2025-Q4")),
        # the first Monday of 2026: ISO week 1 began in 2025
        ("week", T(2026, 1, 5, 9), (D(2025, 12, 29), D(2026, 1, 4), D(2025, 12, 22), "2026-W01")),
    ],
)  # fmt: skip
def test_the_last_complete_period(kind, as_of, expected):
    p = report_period(kind, as_of)
    assert span(p) == expected
    assert p.complete and not p.to_date and p.as_of == as_of


@pytest.mark.parametrize(
    ("kind", "as_of", "expected"),
    [
        ("week", T(2026, 11, 30, 9), (D(2026, 11, 30), D(2026, 11, 30), D(2026, 11, 23), "2026-W49")),
        ("month", T(2026, 12, 1, 9), (D(2026, 12, 1), D(2026, 12, 1), D(2026, 11, 1), "2026-12")),
        ("week", T(2026, 11, 29, 23, 30), (D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 16), "2026-W48")),
        ("quarter", T(2027, 1, 1, 9), (D(2027, 1, 1), D(2027, 1, 1), D(2026, 10, 1), "2027-Q1")),
        ("week", T(2027, 1, 1, 9), (D(2026, 12, 28), D(2027, 1, 1), D(2026, 12, 21), "2026-W53")),
    ],
)  # fmt: skip
def test_to_date_is_the_period_containing_as_of(kind, as_of, expected):
    p = report_period(kind, as_of, to_date=True)
    assert span(p) == expected
    assert p.to_date and not p.complete


def test_the_period_in_words():
    nov = report_period("month", T(2026, 12, 1, 9))
    assert period_words(nov, "zh") == "2026年11月(11月1日–11月30日)"
    assert period_words(nov, "en") == "November 2026 (1–30 November)"
    w48 = report_period("week", T(2026, 11, 30, 9))
    assert period_words(w48, "zh") == "第48周 11月23日–29日"
    assert period_words(w48, "en") == "Week 48, 23–29 November"
    q3 = report_period("quarter", T(2026, 10, 1, 9))
    assert period_words(q3, "zh") == "2026年第3季度(7月1日–9月30日)"
    assert period_words(q3, "en") == "Q3 2026 (1 July – 30 September)"
    w1 = report_period("week", T(2026, 1, 5, 9))
    assert period_words(w1, "zh") == "第1周 2025年12月29日–2026年1月4日"
    assert period_words(w1, "en") == "Week 1, 29 December 2025 – 4 January 2026"
    dec = report_period("month", T(2026, 12, 1, 9), to_date=True)
    assert period_words(dec, "zh") == "2026年12月至今(12月1日)"
    assert period_words(dec, "en") == "December 2026 to date (1 December)"
    w49 = report_period("week", T(2026, 12, 1, 9), to_date=True)
    assert period_words(w49, "zh") == "第49周至今 11月30日–12月1日"
    assert period_words(w49, "en") == "Week 49 to date, 30 November – 1 December"


def test_previous_periods_for_the_trend():
    nov = report_period("month", T(2026, 12, 1, 9))
    labels = [p.label for p in previous_periods(nov, 12)]
    assert labels == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
                      "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]  # fmt: skip
    assert all(p.as_of == T(2026, 12, 1, 9) for p in previous_periods(nov, 12))


def test_a_date_alone_is_the_end_of_that_day():
    eod = T(2026, 11, 30, 23, 59, 59, 999999)
    assert as_of_time(D(2026, 11, 30)) == eod
    assert as_of_time(T(2026, 11, 30, 9)) == T(2026, 11, 30, 9)
    assert as_of_time(None, now=T(2026, 1, 2, 3, 4)) == T(2026, 1, 2, 3, 4)
    as_of = AsOf()
    for text in ("2026-11-30", "2026/11/30", "2026年11月30日", "２０２６-１１-３０"):
        assert is_date_only(text)
        assert as_of.convert(text, None, None) == eod, text
    for text in ("2026-11-30 09:00", "2026-11-30T09:00", "2026年11月30日 9:00"):
        assert not is_date_only(text)
        assert as_of.convert(text, None, None) == T(2026, 11, 30, 9), text


def test_validate_counts_all_of_an_as_of_day(runner, tmp_path):
    """validate shares --as-of: a lead created at 15:00 on the as-of day is not "in the
    future" when the as-of is that date alone (the end of the day), and is at 09:00."""
    from books import clean_records, seed_layout_book
    from conftest import clean_record

    from leadbook.cli import cli

    records = [*clean_records(2), clean_record(created_at=T(2024, 6, 30, 15), last_contact_at=None,
                                                last_owner=None, last_summary=None)]  # fmt: skip
    book = seed_layout_book(tmp_path / "rep.xlsx", records)
    day = runner.invoke(cli, ["validate", str(book), "--as-of", "2024-06-30", "--format", "json"])
    morning = runner.invoke(
        cli, ["validate", str(book), "--as-of", "2024-06-30 09:00", "--format", "json"]
    )
    import json

    def future(result) -> list:
        data = json.loads(result.stdout)
        return [i for f in data["files"] for i in f["issues"]
                if i["code"] == "invalid-datetime" and i["field"] == "created_at"]  # fmt: skip

    assert json.loads(day.stdout)["as_of"].startswith("2024-06-30T23:59:59")
    assert future(day) == []
    assert len(future(morning)) == 1
