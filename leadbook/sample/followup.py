"""The follow-up log of a lead: the statuses it moves through (:attr:`FollowUp.open`, then
one of :attr:`FollowUp.final`), one entry per contact (text, method, next action, owner, with
R-K5 hand-overs to a colleague), and the register's copy of the newest entry.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from leadbook.core.config import TeamConfig
from leadbook.sample.contacts import colleague
from leadbook.sample.records import Lead
from leadbook.sample.timing import Clock
from leadbook.sample.weighted import Weighted
from leadbook.sample.words import GENERAL_TEXT, METHOD_WEIGHTS, NEXT_TASKS, STAGE_TEXT, fill


class FollowUp:
    """Writes the logs of the reps' leads; ``open`` and ``final`` are the config's statuses."""

    def __init__(
        self,
        rng: random.Random,
        config: TeamConfig,
        clock: Clock,
        reps: Sequence[str],
        careless: Sequence[bool] = (),
    ) -> None:
        self.rng, self.cfg, self.clock, self.reps = rng, config, clock, reps
        self.careless = careless  # per book: the rep rarely logs contacts (late, few entries)
        statuses, closed = config.values("statuses"), config.status_groups.get("closed", ())
        self.open = [s for s in statuses if s not in closed]  # 待跟进, 跟进中, ... 商务谈判
        self.final = {g: config.status_groups[g][0] for g in ("won", "lost", "dormant", "invalid")}
        self.method = Weighted(
            {m: METHOD_WEIGHTS.get(m, 5) for m in config.values("contact_methods")}
        )

    def path(self, outcome: str, n: int) -> list[str]:
        """The statuses a lead moves through, cut to fit ``n`` contacts (first and last kept)."""
        work, rng = self.open[1:], self.rng
        path = {
            "won": work + [self.final["won"]],
            "lost": work[: rng.randint(1, len(work))] + [self.final["lost"]],
            "dormant": work[: rng.randint(1, 2)] + [self.final["dormant"]],
            "invalid": work[:1] + [self.final["invalid"]],
        }.get(outcome) or work[: rng.randint(1, len(work))]
        return path[-1:] if n == 1 else path[:1] + path[max(1, len(path) - n + 1) :]

    def follow_up(self, lead: Lead, rank: int) -> None:
        """The lead's log, its status, and the register's copy of the newest entry."""
        rng, reg, clock = self.rng, lead.reg, self.clock
        careless = lead.book < len(self.careless) and self.careless[lead.book]
        first = reg["created_at"] + clock.first_delay(rank, careless)
        last, n = clock.last_contact(lead.outcome, reg["created_at"], first, careless)
        times = clock.contact_times(reg["created_at"], first, last, n)
        path, end = self.path(lead.outcome, len(times)), len(times) - 1
        slots = (
            [0] if len(path) == 1 else [0, *sorted(rng.sample(range(1, end), len(path) - 2)), end]
        )
        changes = dict(zip(slots, path, strict=True))
        own, other = self.reps[lead.book], colleague(rng, self.reps, lead.book)
        handed_over = rng.random() < 0.1  # a colleague made the early contacts (R-K5)
        status = reg["status"]
        # A lead still worked is mostly on schedule: its next action due around as_of or in the
        # coming two weeks (a careless rep's less often); else 2-10 days after the contact.
        on_time = lead.outcome == "open" and rng.random() < (0.3 if careless else 0.65)
        for i, t in enumerate(times):
            status = changes.get(i) or status
            owner = other if handed_over and i < len(times) // 2 else own
            newest = on_time and i == len(times) - 1
            days = max(1, (clock.as_of - t).days + rng.randint(-2, 12)) if newest else None
            lead.entries.append(self.entry(lead, t, owner, changes.get(i), status, days))
        if rng.random() < 0.04:  # a colleague covered the newest contact
            lead.entries[-1]["owner"] = other
        newest = lead.entries[-1]
        reg |= {"status": status, "last_owner": newest["owner"], "last_contact_at": newest["contact_at"],
                "last_summary": newest["content"], "next_action": newest["next_action"],
                "next_due": newest["due"]}  # fmt: skip

    def entry(
        self,
        lead: Lead,
        t: datetime,
        owner: str,
        status_to: str | None,
        status: str,
        days: int | None = None,
    ) -> dict:
        """One log entry at ``t``, its next action due ``days`` later (default: 2-10, a
        dormant lead's 90); a move to lost also sets the register's loss reason."""
        rng = self.rng
        if status_to == self.final["lost"]:
            lead.reg["loss_reason"] = reason = rng.choice(self.cfg.values("loss_reasons"))
            content = f"客户反馈:{reason},项目终止"
        else:
            texts = STAGE_TEXT.get(status_to or "", GENERAL_TEXT)
            content = fill(rng, rng.choice(texts))
        tasks = NEXT_TASKS.get(status) or (("电话回访",) if status in self.open else ())
        if days is None:
            days = 90 if status == self.final["dormant"] else rng.randint(2, 10)
        due = (t + timedelta(days=days)).date()
        action = f"{due.month}月{due.day}日前{rng.choice(tasks)}({owner})" if tasks else None
        return {"lead_id": None, "owner": owner, "contact_at": t, "method": self.method(rng),
                "content": content, "status_to": status_to, "next_action": action,
                "due": due if action else None}  # fmt: skip
