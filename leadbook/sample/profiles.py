"""The reps differ (:func:`profiles`): how many leads each one has (0.6 to 1.5 times the mean),
how many of them end won (5% to 30%), and whether the rep logs contacts; and each book's plan
(:func:`plan`): when its leads came in, by which channel, and how each one ends, by its age and
the rep's profile.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from leadbook.sample.timing import Clock
from leadbook.sample.weighted import Weighted
from leadbook.sample.words import CARELESS_OUTCOMES, FRESH, FRESH_OLD, OUTCOME_BY_AGE

ACTIVITY = (0.6, 1.5)  # a rep's share of the leads, relative to the others
CONVERSION = (0.05, 0.30)  # the share of a rep's leads won, lowest and highest
WON_AGE = 20  # days: no lead younger than this is won yet


@dataclass(frozen=True)
class Profile:
    leads: int  # how many leads the rep's book holds
    conversion: float  # the share of them won
    careless: bool = False  # rarely logs contacts: few log entries, late first contacts


@dataclass
class Slot:
    """One lead of a book's plan."""

    created: datetime
    channel: str
    outcome: str  # a key of ``words.OUTCOMES``


def _spread(rng: random.Random, low: float, high: float, n: int) -> list[float]:
    """``n`` values from ``low`` to ``high``, evenly spaced with a little jitter, shuffled."""
    if n == 1:
        return [(low + high) / 2]
    step = (high - low) / (n - 1)
    values = [min(high, max(low, low + step * (i + rng.uniform(-0.3, 0.3)))) for i in range(n)]
    rng.shuffle(values)
    return values


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, each part at least 1 (largest remainder)."""
    rest, whole = total - len(weights), sum(weights)
    exact = [rest * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + 1 for c in counts]


def profiles(rng: random.Random, reps: int, leads: int) -> list[Profile]:
    """``reps`` profiles holding ``reps * leads`` leads in all (``leads`` is the mean); one
    careless rep in three or more, two in eight or more, among the lower half by conversion."""
    counts = split(reps * leads, _spread(rng, *ACTIVITY, reps))
    conversion = _spread(rng, *CONVERSION, reps)
    lower = sorted(range(reps), key=lambda i: conversion[i])[: (reps + 1) // 2]
    careless = set(rng.sample(lower, 2 if reps >= 8 else 1 if reps >= 3 else 0))
    return [Profile(counts[i], conversion[i], i in careless) for i in range(reps)]


def plan(rng: random.Random, clock: Clock, profile: Profile, channel: Weighted) -> list[Slot]:
    """The book's leads: creation times and channels, then outcomes: not contacted yet (most
    of the newest leads), won (the rep's conversion, older leads likelier), else by age."""
    slots = []
    for _ in range(profile.leads):
        name = channel(rng)
        slots.append(Slot(clock.created(name), name, ""))
    days = [(clock.as_of - s.created).total_seconds() / 86400 for s in slots]
    for slot, age in zip(slots, days, strict=True):
        fresh = next((p for hours, p in FRESH if age * 24 < hours), FRESH_OLD[profile.careless])
        if rng.random() < fresh:
            slot.outcome = "fresh"
    # Won: a weighted draw without replacement (the largest u ** (1 / weight) win).
    old = [i for i, s in enumerate(slots) if not s.outcome and days[i] >= WON_AGE]
    keys = [(1 - rng.random()) ** (90 / min(90, days[i] - 15)) for i in old]
    ranked = sorted(zip(keys, old, strict=True), reverse=True)
    for _, i in ranked[: round(profile.conversion * len(slots))]:
        slots[i].outcome = "won"
    bounds = (10, 40, max(40, clock.dormancy + 10))
    tables = [
        Weighted({k: w * (CARELESS_OUTCOMES.get(k, 1) if profile.careless else 1)
                  for k, w in table.items()})
        for table in OUTCOME_BY_AGE
    ]  # fmt: skip
    for slot, age in zip(slots, days, strict=True):
        if not slot.outcome:
            slot.outcome = tables[sum(age >= b for b in bounds)](rng)
    return slots
