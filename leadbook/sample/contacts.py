"""People and how to reach them: the reps' names (:func:`rep_names`), the colleague who covers
a contact (:func:`colleague`), and a customer's office phone with the city's real area code
(:func:`office_phone`) and IM account (:func:`im_account`). Each takes the random generator.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

from leadbook.sample.companies import stem
from leadbook.sample.words import AREA_CODES, PROVINCE_AREA, SURNAMES


def rep_names(rng: random.Random, configured: Sequence[str], n: int) -> list[str]:
    """The config's reps first, then masked surnames (*张, *李, ...) not taken yet."""
    names = list(configured[:n])
    surnames = rng.sample(SURNAMES, len(SURNAMES))
    for i in range(2 * n):
        name = f"*{surnames[i % len(surnames)]}{i // len(surnames) or ''}"
        if len(names) < n and name not in names:
            names.append(name)
    return names


def colleague(rng: random.Random, reps: Sequence[str], book: int) -> str:
    """Another rep than the book's own (the own one when there is no other)."""
    if len(reps) == 1:
        return reps[book]
    other = rng.randrange(len(reps) - 1)
    return reps[other + (other >= book)]


def office_phone(rng: random.Random, co: dict[str, str]) -> str:
    """The city's real area code where known (else a stable plausible one) + 7-8 digits."""
    city, province = co["city"], co["province"]
    code = AREA_CODES.get(city) or AREA_CODES.get(province)
    if code is None:  # stable per city
        code = PROVINCE_AREA.get(stem(province), "059") + str(zlib.crc32(city.encode()) % 10)
    digits = 8 if len(code) == 3 or rng.random() < 0.7 else 7
    number = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    return f"{code}-{number}" + (f"-{rng.randint(600, 899)}" if rng.random() < 0.15 else "")


def im_account(rng: random.Random) -> str:
    """A WeChat or DingTalk ID."""
    letters = "".join(rng.choices("abcdefghjkmnpqrstuvwxyz", k=rng.randint(4, 7)))
    return rng.choice(("wxid_", "dd_")) + letters + str(rng.randint(10, 9999))
