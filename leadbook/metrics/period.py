"""The review period of a report: a calendar week (ISO, Monday to Sunday), month or quarter.

:func:`report_period` is the rule a report uses: by default the **last complete** period
before ``as_of`` (run on Monday 09:00, the week that ended last night; on 1 December,
November), compared with the one before it; with ``to_date`` the period containing ``as_of``,
up to ``as_of`` ("this month so far"), compared with the whole previous period.
:func:`period_for` is the calendar period containing a time. A period whose end is less than
a minute after ``as_of`` counts as complete (``--as-of 2024-06-30`` means the end of that day,
``2024-06-30 23:59`` too). The report's header always names the exact dates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import polars as pl

PERIODS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter
    start: datetime  # first instant of the period
    end: datetime  # first instant after the calendar period (events also stop at as_of)
    prev_start: datetime
    as_of: datetime
    to_date: bool = False  # asked for the period containing as_of (``--to-date``)

    @property
    def label(self) -> str:
        """2024-W26, 2024-06, 2024-Q2."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def prev_label(self) -> str:
        return period_for(self.kind, self.start - timedelta(microseconds=1)).label

    @property
    def last_day(self) -> date:
        """The last day the period covers so far (as_of's day, or the period's last day)."""
        return min(self.as_of, self.end - timedelta(microseconds=1)).date()

    @property
    def complete(self) -> bool:
        return self.as_of >= self.end - timedelta(minutes=1)

    @property
    def quarter_start(self) -> datetime:
        """The start of the calendar quarter containing as_of (re-activation is quarterly)."""
        return datetime(self.as_of.year, 3 * ((self.as_of.month - 1) // 3) + 1, 1)

    def current(self, col: str | pl.Expr) -> pl.Expr:
        """True where the time in ``col`` lies in the period and not after as_of."""
        c = pl.col(col) if isinstance(col, str) else col
        return (c >= self.start) & (c < self.end) & (c <= self.as_of)

    def previous(self, col: str | pl.Expr) -> pl.Expr:
        c = pl.col(col) if isinstance(col, str) else col
        return (c >= self.prev_start) & (c < self.start)


def report_period(kind: str, as_of: datetime, to_date: bool = False) -> Period:
    """The period a report covers: the last complete ``kind`` period before ``as_of`` (the one
    containing it when it ends within a minute of ``as_of``); with ``to_date`` the period
    containing ``as_of``, up to it. Events after ``as_of`` never count."""
    current = period_for(kind, as_of)
    if to_date:
        return replace(current, to_date=True)
    if current.complete:
        return current
    return replace(period_for(kind, current.start - timedelta(microseconds=1)), as_of=as_of)


def previous_periods(period: Period, n: int) -> list[Period]:
    """``n`` periods ending with ``period``, oldest first; the earlier ones complete, each with
    ``period``'s as_of."""
    out = [period]
    while len(out) < n:
        out.append(replace(period_for(period.kind, out[-1].start - timedelta(microseconds=1)),
                           as_of=period.as_of))  # fmt: skip
    return out[::-1]


def period_for(kind: str, as_of: datetime) -> Period:
    """The ``kind`` period (week, month or quarter) that contains ``as_of``."""
    day = datetime(as_of.year, as_of.month, as_of.day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7), start - timedelta(days=7), as_of)
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _add_months(start, 1), _add_months(start, -1), as_of)
    if kind == "quarter":
        start = datetime(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period(kind, start, _add_months(start, 3), _add_months(start, -3), as_of)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {kind!r}")


def _add_months(t: datetime, months: int) -> datetime:
    index = t.year * 12 + t.month - 1 + months
    return t.replace(year=index // 12, month=index % 12 + 1, day=1)
