"""One lead's register row (:meth:`Leads.lead`): creation time, channel and outcome as its
plan's slot says, potential, the company as written, contact details, need, budget and the
other fields filled per potential level, then its follow-up log; and a planted 撞单
(:meth:`Leads.duplicate`): one customer in two books.
"""

from __future__ import annotations

import random
from dataclasses import replace

from leadbook.core.config import TeamConfig
from leadbook.sample.companies import Companies, written
from leadbook.sample.contacts import im_account, office_phone
from leadbook.sample.followup import FollowUp
from leadbook.sample.profiles import Slot
from leadbook.sample.records import Lead
from leadbook.sample.timing import Clock, timeline
from leadbook.sample.weighted import Weighted
from leadbook.sample.words import (
    BUDGETS,
    CHANNEL_WEIGHTS,
    COMPETITORS,
    CONTACT_TITLES,
    CURRENT,
    DECISIONS,
    LOW_NEEDS,
    MAIN_BUSINESS,
    NEEDS,
    OUTCOMES,
    PINYIN,
    POSITIONS,
    fill,
)


class Leads:
    """Makes leads from companies, times and follow-ups, all drawn from one ``rng``."""

    def __init__(
        self,
        rng: random.Random,
        config: TeamConfig,
        companies: Companies,
        clock: Clock,
        follow_up: FollowUp,
    ) -> None:
        self.rng, self.cfg, self.companies = rng, config, companies
        self.clock, self.follow_up = clock, follow_up
        self.levels = config.values("potential_levels")
        self.channels = {c.name: CHANNEL_WEIGHTS.get(c.name, 10) for c in config.channels}
        self.channel = Weighted(self.channels)

    def lead(self, book: int, slot: Slot, co: dict[str, str]) -> Lead:
        """A lead of ``co`` in book ``book`` as its plan's ``slot`` says: created then, by that
        channel, ending in that outcome (fresh: no contact yet)."""
        rng, outcome, channel, created = self.rng, slot.outcome, slot.channel, slot.created
        potential = rng.choices(self.levels[:3], OUTCOMES[outcome][: len(self.levels)])[0]
        rank = min(self.levels.index(potential), 2)  # 0 high, 1 mid, 2 low
        phone, im = rng.random() < 0.7, rng.random() < 0.6
        if not (phone or im):
            phone, im = (True, False) if rng.random() < 0.5 else (False, True)
        form = rng.choices(("town", "bare", "stem", "province", "bracket"), (5, 3, 2, 2, 1))[0]
        has = lambda *p: rng.random() < p[rank]  # noqa: E731  (probability per potential level)
        reg = {
            "created_at": created, "channel": channel, "status": self.follow_up.open[0], "potential": potential,
            "company": written(co, form), "industry": co["section"],
            "industry_division": co["division"], "size": rng.choice(self.cfg.values("company_sizes")),
            "province": co["province"], "city": co["city"], "contact": "*" + rng.choice(CONTACT_TITLES),
            "position": rng.choice(POSITIONS), "office_phone": office_phone(rng, co) if phone else None,
            "im_account": im_account(rng) if im else None,
            "need": fill(rng, rng.choice(NEEDS if has(1, 1, 0.6) else LOW_NEEDS)),
            "budget": rng.choice(BUDGETS) if has(1, 0.85, 0.4) else None,
            "timeline": timeline(rng, created) if has(1, 0.75, 0.3) else None,
            "decision": rng.choice(DECISIONS) if has(1, 0.7, 0.3) else None,
            "last_owner": None, "last_contact_at": None, "last_summary": None, "next_action": None,
            "next_due": None, "loss_reason": None,
            "website": f"https://www.{''.join(rng.sample(PINYIN, 2))}.com.cn" if has(0.4, 0.3, 0.2) else None,
            "main_business": MAIN_BUSINESS.get(co["word"], co["division"]) if has(0.6, 0.5, 0.3) else None,
            "current_products": rng.choice(CURRENT) if has(0.5, 0.4, 0.2) else None,
            "competitors": rng.choice(COMPETITORS) if has(0.4, 0.3, 0.1) else None,
        }  # fmt: skip
        lead = Lead(book, outcome, reg, [], co["brand"])
        if outcome != "fresh":
            self.follow_up.follow_up(lead, rank)
        return lead

    def duplicate(self, a: int, slot_a: Slot, b: int, slot_b: Slot) -> tuple[Lead, Lead]:
        """One customer in books a and b: same brand, written differently, other channel."""
        co = self.companies.company()
        first = self.lead(a, slot_a, co)
        if slot_b.channel == slot_a.channel:
            others = {k: w for k, w in self.channels.items() if k != slot_a.channel}
            slot_b = replace(slot_b, channel=Weighted(others or self.channels)(self.rng))
        second = self.lead(b, slot_b, co)
        forms = self.rng.sample(
            ("town", "bracket", "joint", "stem", "space", "wide", "china", "group"), 2
        )
        first.reg["company"], second.reg["company"] = (written(co, f) for f in forms)
        shared = self.rng.choice(("office_phone", "im_account", "", ""))
        if shared:
            value = first.reg[shared] or second.reg[shared]
            value = value or (
                office_phone(self.rng, co) if shared == "office_phone" else im_account(self.rng)
            )
            first.reg[shared] = second.reg[shared] = value
        first.duplicate = second.duplicate = True
        return first, second
