"""When things happen: :class:`Clock` draws a lead's creation time (by outcome and channel),
the delay to its first contact, the time and number of its contacts, kept in the day and never
after ``as_of``; :func:`timeline` is the schedule a customer states (计划Q3启动 ...).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Clock:
    """The sample's times, all before ``as_of`` (a whole minute) and drawn from ``rng``."""

    def __init__(self, rng: random.Random, as_of: datetime, dormancy_days: int) -> None:
        self.rng, self.as_of, self.dormancy = rng, as_of, dormancy_days

    def created(self, outcome: str, channel: str) -> datetime:
        """Creation time: older for outcomes that take time; office hours except web forms."""
        rng, dormancy = self.rng, self.dormancy
        if outcome == "fresh" and rng.random() < 0.5:  # came in today: still within its SLA
            return self.as_of - timedelta(minutes=rng.randint(30, 20 * 60))
        low = {"won": 15, "lost": 10, "dormant": 40, "invalid": 2, "open": 1, "fresh": 3}
        high = 60 if outcome == "fresh" else max(200, dormancy + 60)
        t = self.as_of - timedelta(days=rng.uniform(low.get(outcome, dormancy + 15), high))
        if channel == "官网表单":
            return minute(t)
        t -= timedelta(days=max(0, t.weekday() - 4))  # weekend -> Friday
        return t.replace(
            hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0, microsecond=0
        )

    def first_delay(self, rank: int) -> timedelta:
        """Hours to the first contact; one in five high/mid leads misses its SLA."""
        late = self.rng.random() < 0.2
        hours = ((25, 96) if late else (0.3, 14), (50, 150) if late else (0.5, 30), (1, 240))[rank]
        return timedelta(hours=self.rng.uniform(*hours))

    def last_contact(
        self, outcome: str, created: datetime, first: datetime
    ) -> tuple[datetime, int]:
        """The time of the newest contact, and how many contacts."""
        rng, as_of, dormancy = self.rng, self.as_of, self.dormancy
        days = lambda a, b: timedelta(days=rng.uniform(a, b))  # noqa: E731
        age = (as_of - created).days
        return {
            "won": lambda: (created + days(10, min(120, age - 1)), rng.randint(3, 10)),
            "lost": lambda: (created + days(5, age - 1), rng.randint(2, 8)),
            "dormant": lambda: (created + days(10, age - 1), rng.randint(1, 4)),
            "invalid": lambda: (first + days(0, 3), rng.randint(1, 2)),
            "stale": lambda: (as_of - days(dormancy + 3, max(dormancy + 4, age - 5)), rng.randint(1, 5)),
            "open": lambda: (as_of - days(0, max(1, min(45, dormancy - 10, age))), rng.randint(2, 8)),
        }[outcome]()  # fmt: skip

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
