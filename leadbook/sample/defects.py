"""Planted defects: :data:`DEFECT_CODES` planted round robin by :class:`Planter`, each on its own
lead (never one of a 撞单 pair), with the bad values people type (:data:`BAD_VALUES`). Each
``_plant_*`` method changes one lead the way its code's rule catches.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from leadbook.core.config import TeamConfig
from leadbook.sample.companies import Companies
from leadbook.sample.contacts import office_phone
from leadbook.sample.followup import FollowUp
from leadbook.sample.records import Lead
from leadbook.sample.timing import minute
from leadbook.sample.words import AREA_CODES, SURNAMES, word_list, word_table

# Defects are planted in this order, round robin (duplicate-lead-id is left out: the lead ID
# is the template's formula).
DEFECT_CODES = word_list("""
    required-missing not-in-list invalid-phone invalid-datetime invalid-budget personal-mobile
    personal-email unmasked-name region-mismatch industry-mismatch lost-without-reason vague-need
    high-potential-incomplete unknown-lead log-mismatch
""")
BAD_VALUES = word_table("""
    method: 上门拜访 短信
    budget: 面议 大概几十万 预算未定 十几万左右
    date: 2024/13/45 2025-02-30 下周三 月底前
    email: zhang.san lili_88 wangwei1990 chen.jie
""")


class Planter:
    """Plants defects into made leads; the marks say where each one went."""

    def __init__(
        self,
        rng: random.Random,
        config: TeamConfig,
        companies: Companies,
        follow_up: FollowUp,
        as_of: datetime,
    ) -> None:
        self.rng, self.cfg, self.companies, self.follow_up = rng, config, companies, follow_up
        self.as_of = as_of
        self.levels = config.values("potential_levels")

    def plant(self, books: list[list[Lead]], extra: list[list[dict]], count: int) -> list[tuple]:
        """``count`` defects, codes round robin, each on its own lead (never a duplicate)."""
        pool = [lead for leads in books for lead in leads if not lead.duplicate]
        self.rng.shuffle(pool)
        marks: list[tuple] = []
        for k in range(count):
            code = DEFECT_CODES[k % len(DEFECT_CODES)]
            plant = getattr(self, "_plant_" + code.replace("-", "_"))
            for j, lead in enumerate(pool):
                if lead is not None and (mark := plant(lead, extra[lead.book])):
                    pool[j] = None
                    sheet, key, value, entry = mark
                    marks.append((lead, sheet, key, code, value, entry))
                    break
        return marks

    # Each _plant_* changes one lead and returns (sheet, field, value, log entry or None),
    # or returns None, changing nothing, when the lead does not suit the defect.
    def _plant_required_missing(self, lead: Lead, extra: list) -> tuple:
        key = self.rng.choice(("company", "position", "contacts"))
        if key == "contacts":  # neither office phone nor IM account
            lead.reg["office_phone"] = lead.reg["im_account"] = None
            return "register", "office_phone", "", None
        lead.reg[key] = None
        return "register", key, "", None

    def _plant_not_in_list(self, lead: Lead, extra: list) -> tuple | None:
        # A contact method off the list. (A size is no list value: any band is valid.)
        if not lead.entries:
            return None
        entry = self.rng.choice(lead.entries)
        entry["method"] = self.rng.choice(BAD_VALUES["method"])
        return "log", "method", entry["method"], entry

    def _plant_invalid_phone(self, lead: Lead, extra: list) -> tuple | None:
        reg = lead.reg
        if not reg["im_account"]:  # keep one valid contact
            return None
        area, digits = (
            (reg["office_phone"] or office_phone(self.rng, reg)).split("-")[0],
            self.rng.randint(1000, 9999),
        )
        reg["office_phone"] = self.rng.choice(
            (f"{area[1:]}-{digits}", f"{area} {digits}", f"{area}-{digits}")
        )
        return "register", "office_phone", reg["office_phone"], None

    def _plant_invalid_datetime(self, lead: Lead, extra: list) -> tuple | None:
        if not lead.entries:  # a typo puts the creation after as_of: no contact contradicts it
            lead.reg["created_at"] += timedelta(days=365)  # the year mistyped
            return "register", "created_at", f"{lead.reg['created_at']:%Y-%m-%d %H:%M}", None
        dated = [e for e in lead.entries[:-1] if e["due"]]
        if not dated:
            return None
        entry = self.rng.choice(dated)
        entry["due"] = self.rng.choice(BAD_VALUES["date"])  # text in a date column
        return "log", "due", entry["due"], entry

    def _plant_invalid_budget(self, lead: Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] == self.levels[0]:
            return None
        lead.reg["budget"] = self.rng.choice(BAD_VALUES["budget"])
        return "register", "budget", lead.reg["budget"], None

    def _plant_personal_mobile(self, lead: Lead, extra: list) -> tuple:
        rng = self.rng
        head, mid, tail = (
            f"1{rng.choice('3456789')}{rng.randint(0, 9)}",
            rng.randint(1000, 9999),
            rng.randint(1000, 9999),
        )
        mobile = rng.choice(
            (f"{head}{mid}{tail}", f"+86 {head}-{mid}-{tail}", f"{head} {mid} {tail}")
        )
        if len(lead.entries) > 1 and rng.random() < 0.4:
            entry = rng.choice(lead.entries[:-1])  # an older entry: the register keeps the newest
            entry["content"] += f",客户留了手机{mobile}"
            return "log", "content", entry["content"], entry
        lead.reg["need"] += f"(对接人手机:{mobile})"
        return "register", "need", lead.reg["need"], None

    def _plant_personal_email(self, lead: Lead, extra: list) -> tuple | None:
        domains = self.cfg.personal_email_domains[:5] or ("qq.com",)
        email = f"{self.rng.choice(BAD_VALUES['email'])}@{self.rng.choice(domains)}"
        if len(lead.entries) > 1 and self.rng.random() < 0.4:
            entry = self.rng.choice(lead.entries[:-1])
            entry["content"] += f",资料已发至{email}"
            return "log", "content", entry["content"], entry
        if not lead.reg["office_phone"]:
            return None
        lead.reg["im_account"] = email
        return "register", "im_account", email, None

    def _plant_unmasked_name(self, lead: Lead, extra: list) -> tuple:
        title = lead.reg["contact"].lstrip("*")
        lead.reg["contact"] = self.rng.choice(SURNAMES) + title
        return "register", "contact", lead.reg["contact"][0] + "**", None  # masked

    def _plant_region_mismatch(self, lead: Lead, extra: list) -> tuple:
        home = self.companies.regions[lead.reg["province"]]
        lead.reg["city"] = self.rng.choice(
            [c for c in AREA_CODES if c not in home and c not in self.companies.regions]
        )
        return "register", "city", lead.reg["city"], None

    def _plant_industry_mismatch(self, lead: Lead, extra: list) -> tuple:
        home = self.companies.industries[lead.reg["industry"]]
        others = [
            d
            for s in self.companies.sections
            for d in self.companies.industries[s]
            if d not in home
        ]
        lead.reg["industry_division"] = self.rng.choice(others)
        return "register", "industry_division", lead.reg["industry_division"], None

    def _plant_lost_without_reason(self, lead: Lead, extra: list) -> tuple | None:
        if lead.reg["status"] != self.follow_up.final["lost"]:
            return None
        lead.reg["loss_reason"] = None
        return "register", "loss_reason", "", None

    def _plant_vague_need(self, lead: Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] == self.levels[0] or not self.cfg.vague_terms:
            return None
        lead.reg["need"] = self.rng.choice(self.cfg.vague_terms)
        return "register", "need", lead.reg["need"], None

    def _plant_high_potential_incomplete(self, lead: Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] != self.levels[0]:
            return None
        key = self.rng.choice(("budget", "timeline"))
        lead.reg[key] = None
        return "register", key, "", None

    def _plant_unknown_lead(self, lead: Lead, extra: list) -> tuple | None:
        """A log row for a lead ID the register does not have (sequence 9xx never occurs)."""
        if not lead.entries:
            return None
        when = minute(
            self.as_of - timedelta(days=self.rng.randint(1, 150), hours=self.rng.randint(0, 8))
        )
        entry = self.follow_up.entry(
            lead, when, self.follow_up.reps[lead.book], None, self.follow_up.open[1]
        )
        code = self.rng.choice(self.cfg.channels).code
        entry["lead_id"] = f"{code}{when:%Y%m%d}9{self.rng.randint(10, 99)}"
        extra.append(entry)
        return "log", "lead_id", entry["lead_id"], entry

    def _plant_log_mismatch(self, lead: Lead, extra: list) -> tuple | None:
        if not lead.entries:
            return None
        earlier = lead.entries[-1]["contact_at"] - timedelta(days=1, hours=self.rng.randint(1, 20))
        if earlier <= lead.reg["created_at"]:
            return None
        lead.reg["last_contact_at"] = earlier
        return "register", "last_contact_at", f"{earlier:%Y-%m-%d %H:%M}", None
