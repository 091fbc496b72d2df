"""When things happen: :class:`Clock` draws a lead's creation time (spread evenly over the
year before ``as_of``, with a weekly rhythm and office hours, web forms at any hour), the delay
to its first contact, the time and number of its contacts, kept in the day and never after
``as_of``; :func:`timeline` is the schedule a customer states (计划Q3启动 ...).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate

from leadbook.sample.words import (
    CREATED_HOURS,
    CREATED_HOURS_WEB,
    WEEKEND_SHARE,
    WINDOW_DAYS,
)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def _before(hours: tuple[float, ...], t: datetime) -> list[float]:
    """The hour weights of ``t``'s day cut at ``t`` (the hour of ``t`` in part)."""
    cut = [w if h < t.hour else 0.0 for h, w in enumerate(hours)]
    cut[t.hour] = hours[t.hour] * t.minute / 60
    return cut


class Clock:
    """The sample's times, all before ``as_of`` (a whole minute) and drawn from ``rng``."""

    def __init__(self, rng: random.Random, as_of: datetime, dormancy_days: int) -> None:
        self.rng, self.as_of, self.dormancy = rng, as_of, dormancy_days
        self.today = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
        # Day d is today - d days: weekdays weigh 1, weekends WEEKEND_SHARE; today only the
        # part of its office hours before as_of.
        rhythm = [
            WEEKEND_SHARE if (self.today - timedelta(days=d)).weekday() >= 5 else 1.0
            for d in range(WINDOW_DAYS)
        ]
        rhythm[0] *= sum(_before(CREATED_HOURS, as_of)) / sum(CREATED_HOURS)
        self.days = list(range(WINDOW_DAYS))
        self.day_weights = list(accumulate(rhythm))

    def created(self, channel: str) -> datetime:
        """A creation time: the day by the weekly rhythm, the hour by the channel (web forms
        come in at any hour, the rest in office hours mostly); before ``as_of``."""
        rng = self.rng
        hours = CREATED_HOURS_WEB if channel == "官网表单" else CREATED_HOURS
        while True:
            day = self.today - timedelta(
                days=rng.choices(self.days, cum_weights=self.day_weights)[0]
            )
            weights = _before(hours, self.as_of) if day == self.today else list(hours)
            if sum(weights) > 0:  # else (today, nothing this early): another day
                break
        hour = rng.choices(range(24), weights)[0]
        latest = self.as_of.minute if day == self.today and hour == self.as_of.hour else 60
        return day.replace(hour=hour, minute=rng.randrange(max(1, latest)))

    def first_delay(self, rank: int, careless: bool = False) -> timedelta:
        """Hours to the first contact: about one in seven high/mid leads misses its SLA (two in
        three of a careless rep's)."""
        late = self.rng.random() < (0.65 if careless else 0.15)
        hours = ((25, 96) if late else (0.3, 14), (50, 150) if late else (0.5, 30), (1, 240))[rank]
        return timedelta(hours=self.rng.uniform(*hours))

    def idle(self) -> float:
        """Days an open lead has waited since its newest contact: mostly days, some weeks, one
        in five between two thirds of the dormancy days and the dormancy days (即将休眠)."""
        rng, d = self.rng, self.dormancy
        band = rng.choices(((0, 0.15), (0.15, 0.5), (0.5, 0.67), (0.67, 0.995)), (55, 17, 8, 20))
        return d * rng.uniform(*band[0])

    def last_contact(
        self, outcome: str, created: datetime, first: datetime, careless: bool = False
    ) -> tuple[datetime, int]:
        """The time of the newest contact, and how many contacts (a careless rep logs one or
        two: the first, and the newest of a lead still worked)."""
        rng, as_of, dormancy = self.rng, self.as_of, self.dormancy
        days = lambda a, b: timedelta(days=rng.uniform(a, b))  # noqa: E731
        age = (as_of - created).days
        last, n = {
            "won": lambda: (created + days(10, min(120, age - 1)), rng.randint(4, 12)),
            "lost": lambda: (created + days(5, age - 1), rng.randint(3, 8)),
            "dormant": lambda: (created + days(10, age - 1), rng.randint(2, 5)),
            "invalid": lambda: (first + days(0, 3), rng.randint(1, 2)),
            "stale": lambda: (as_of - days(dormancy + 3, max(dormancy + 4, age - 5)), rng.randint(2, 5)),
            "open": lambda: (as_of - timedelta(days=self.idle()), rng.randint(3, 9)),
        }[outcome]()  # fmt: skip
        if outcome == "open" and last <= first:  # younger than its idle time
            last = first + (max(as_of, first) - first) * rng.uniform(0.2, 1)
        if careless:  # the first and the newest contact only; one for leads let go
            n = min(n, 2 if outcome in ("won", "lost", "open") else 1)
        return last, n

    def contact_times(
        self, created: datetime, first: datetime, last: datetime, n: int
    ) -> list[datetime]:
        """``n`` increasing contact times from ``first`` to ``last`` (fewer if they collide)."""
        first = min(first, self.as_of)
        last = min(max(last, first), self.as_of)
        span = (last - first).total_seconds()
        mids = sorted(first + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(n - 2))
        out: list[datetime] = []
        for t in [first] if n == 1 else [first, *mids, last]:
            t = self._daytime(minute(t), created)
            if t > created and (not out or t > out[-1]):
                out.append(t)
        return out

    def _daytime(self, t: datetime, created: datetime) -> datetime:
        """Move a contact at night into the day (same date), unless that breaks the order."""
        if 8 <= t.hour <= 20:
            return t
        day = t.replace(hour=8 + self.rng.randint(0, 1)) if t.hour < 8 else t.replace(hour=20)
        return day if created < day <= self.as_of else t


def timeline(rng: random.Random, created: datetime) -> str:
    """When the customer means to buy, as a register's timeline cell says it."""
    t = created + timedelta(days=rng.randint(40, 240))
    q = (t.month - 1) // 3 + 1
    return rng.choice((f"计划Q{q}启动", f"需{rng.randint(1, 6)}个月内上线", f"计划{t.year}年{t.month}月交付",
                       f"{t.year}年底前完成验收", f"计划{t.year}年Q{q}招标"))  # fmt: skip
