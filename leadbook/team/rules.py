"""The assignment rules (线索分配) of the team config, as pure functions over the reps' loads.

For a new lead that is no existing customer:

1. **Territory first**: the reps whose territory covers the lead (a rep's ``provinces`` hold
   the lead's province, and its ``industries`` its industry section; an empty list covers
   everything, a rep with neither has no territory) and who are under capacity.
2. Else the reps **without a territory** under capacity (all reps when every rep has one).
3. Among the candidates, the **fewest open leads** (open: a status outside the ``closed``
   group) wins; ties go round-robin: to the rep served longest ago this run, then in config
   order. ``capacity`` is the most open leads a rep holds (None: no limit).

A lead no candidate can take stays unassigned (``choose`` returns None).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from leadbook.core.config import Rep

_PROVINCE_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")


@dataclass
class Load:
    """A rep who can receive leads: the workbook they are appended to, the open leads."""

    rep: Rep
    index: int  # config order
    open: int  # open leads now (the workbook's, plus those assigned this run)
    turn: int = -1  # the run's assignment counter when this rep last got a lead

    @property
    def full(self) -> bool:
        return self.rep.capacity is not None and self.open >= self.rep.capacity

    @property
    def territory(self) -> bool:
        return bool(self.rep.provinces or self.rep.industries)


def province_key(name: str | None) -> str:
    """广东省, 广东 and 广东 省 compare equal (the suffix and spaces dropped)."""
    return _PROVINCE_SUFFIX.sub("", "".join((name or "").split()))


def covers(rep: Rep, province: str | None, industry: str | None) -> bool:
    """Whether the rep's territory covers a lead of that province and industry section."""
    if not (rep.provinces or rep.industries):
        return False
    if rep.provinces and province_key(province) not in {province_key(p) for p in rep.provinces}:
        return False
    return not rep.industries or (industry or "").strip() in rep.industries


def _least(loads: Sequence[Load]) -> Load | None:
    free = [ld for ld in loads if not ld.full]
    return min(free, key=lambda ld: (ld.open, ld.turn, ld.index)) if free else None


def choose(
    loads: Sequence[Load], province: str | None, industry: str | None
) -> tuple[Load | None, str]:
    """The rep a new lead goes to and why (``territory``, ``least-loaded``; ``full`` with
    None when every candidate is at capacity)."""
    local = [ld for ld in loads if covers(ld.rep, province, industry)]
    chosen = _least(local)
    if chosen is not None:
        return chosen, "territory"
    general = [ld for ld in loads if not ld.territory] or list(loads)
    chosen = _least(general)
    return (chosen, "least-loaded") if chosen is not None else (None, "full")


def take(load: Load, turn: int) -> None:
    """Count a lead given to ``load`` at the run's ``turn``-th assignment."""
    load.open += 1
    load.turn = turn
