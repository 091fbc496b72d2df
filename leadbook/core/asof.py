"""The as-of time every command takes (``--as-of``): a point in time, and a date alone means
the **end** of that day, so ``--as-of 2026-11-30`` counts all of 30 November (a report on
November, validate's SLA and dormancy "as of that evening")."""

from __future__ import annotations

import re
from datetime import date, datetime, time

END_OF_DAY = time(23, 59, 59, 999999)
_DATE_ONLY = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／", "0123456789-/")


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` (23:59:59.999999)."""
    return datetime.combine(day, END_OF_DAY)


def is_date_only(text: str) -> bool:
    """``2026-11-30``, ``2026/11/30``, ``2026年11月30日`` (no time of day)."""
    return bool(_DATE_ONLY.match(text.strip().translate(_FULLWIDTH)))


def as_of_time(value: date | datetime | None, now: datetime | None = None) -> datetime:
    """A library call's ``as_of``: a datetime as given (naive), a date as the end of that day,
    None as ``now`` (default: the current minute)."""
    if value is None:
        return now or datetime.now().replace(second=0, microsecond=0)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return end_of_day(value)
