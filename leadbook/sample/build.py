"""The whole sample from one random generator (:func:`build`): the reps' names and profiles,
each book's plan (creation times, outcomes), the planted 撞单 pairs, the other leads, the
planted defects; then the assembly into :class:`~leadbook.sample.records.SampleData`: lead IDs
as the template's formula computes them, logs sorted by time, and the Excel row of each planted
defect.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from leadbook.core import reference
from leadbook.core.config import TeamConfig
from leadbook.core.leadid import ids_for
from leadbook.sample.companies import Companies
from leadbook.sample.contacts import rep_names
from leadbook.sample.defects import Planter
from leadbook.sample.followup import FollowUp
from leadbook.sample.leads import Leads
from leadbook.sample.profiles import Profile, plan, profiles
from leadbook.sample.records import (
    Lead,
    PlantedDefect,
    PlantedDuplicate,
    SampleBook,
    SampleData,
    mask,
)
from leadbook.sample.timing import Clock, minute

FIRST_REGISTER_ROW, FIRST_LOG_ROW = 3, 2  # Excel rows of the first data row


def build(
    rng: random.Random,
    config: TeamConfig,
    as_of: datetime,
    reps: int,
    leads: int,
    defects: float,
    duplicates: int,
) -> SampleData:
    """``reps`` books of ``leads`` leads, ``duplicates`` 撞单 pairs, ``defects`` of them defective."""
    as_of = minute(as_of)
    names = rep_names(rng, config.reps, reps)
    config = replace(config, reps=tuple(dict.fromkeys([*config.reps, *names])))
    companies = Companies(rng, reference.regions(), reference.industries())
    clock = Clock(rng, as_of, config.dormancy_days)
    habits = profiles(rng, reps, leads)
    follow_up = FollowUp(rng, config, clock, names, [p.careless for p in habits])
    books, pairs = _books(
        rng, Leads(rng, config, companies, clock, follow_up), clock, habits, duplicates
    )
    extra: list[list[dict]] = [[] for _ in range(reps)]  # log rows of unknown leads
    planter = Planter(rng, config, companies, follow_up, as_of)
    marks = planter.plant(books, extra, round(defects * reps * leads))
    return _assemble(config, names, books, extra, marks, pairs)


def _books(
    rng: random.Random, make: Leads, clock: Clock, habits: list[Profile], duplicates: int
) -> tuple[list[list[Lead]], list[tuple[Lead, Lead]]]:
    """Each book's leads by creation time, as its rep's plan says; the 撞单 pairs first, drawn
    into the two books with the most of their plan left."""
    plans = [plan(rng, clock, p, make.channel) for p in habits]
    books: list[list[Lead]] = [[] for _ in habits]
    pairs = []
    for _ in range(duplicates):  # ties broken at random
        room = sorted(
            range(len(books)), key=lambda i: (len(books[i]) - len(plans[i]), rng.random())
        )
        a, b = sorted(room[:2])
        if len(books[b]) == len(plans[b]) or len(books[a]) == len(plans[a]):
            raise ValueError(f"cannot plant {duplicates} duplicates in these books")
        pair = make.duplicate(a, plans[a][len(books[a])], b, plans[b][len(books[b])])
        books[a].append(pair[0])
        books[b].append(pair[1])
        pairs.append(pair)
    for i, slots in enumerate(plans):
        books[i] += [make.lead(i, s, make.companies.company()) for s in slots[len(books[i]) :]]
        books[i].sort(key=lambda lead: lead.reg["created_at"])
    return books, pairs


def _assemble(
    config: TeamConfig,
    names: list[str],
    books: list[list[Lead]],
    extra: list[list[dict]],
    marks: list[tuple],
    pairs: list[tuple[Lead, Lead]],
) -> SampleData:
    """Lead IDs (as the template's formula computes them), sorted logs, Excel rows. A rep of
    the config with a code gets ``ZH.xlsx`` and IDs with the code (EXPO20240521ZH001), any
    other rep ``rep01.xlsx`` ... and the seed's IDs."""
    codes = {c.name: c.code for c in config.channels}
    out: list[SampleBook] = []
    for i, leads in enumerate(books):
        rep_code = config.rep_code(names[i]) or ""
        ids = ids_for([x.reg for x in leads], codes, rep_code, config.lead_id_format)
        for lead, lead_id in zip(leads, ids, strict=True):
            lead.reg["lead_id"] = lead_id
            for entry in lead.entries:
                entry["lead_id"] = lead_id
        log = sorted(
            [e for x in leads for e in x.entries] + extra[i], key=lambda e: e["contact_at"]
        )
        file = f"{rep_code}.xlsx" if rep_code else f"rep{i + 1:02d}.xlsx"
        out.append(SampleBook(file, names[i], [x.reg for x in leads], log))
    rows = {id(r): j + FIRST_REGISTER_ROW for b in out for j, r in enumerate(b.register)}
    rows |= {id(e): j + FIRST_LOG_ROW for b in out for j, e in enumerate(b.log)}
    defects = [
        PlantedDefect(out[lead.book].file, sheet, rows[id(entry or lead.reg)], key, code,
                      mask(value), (entry or lead.reg)["lead_id"])
        for lead, sheet, key, code, value, entry in marks
    ]  # fmt: skip
    duplicates = []
    for a, b in pairs:
        shared = [k for k in ("office_phone", "im_account") if a.reg[k] and a.reg[k] == b.reg[k]]
        rows_ = tuple((out[x.book].file, x.reg["lead_id"], x.reg["company"]) for x in (a, b))
        duplicates.append(PlantedDuplicate(a.brand, rows_, "".join(shared)))
    return SampleData(out, defects, duplicates, config)
