"""Drawing in given proportions: :class:`Weighted`, a weighted choice among fixed items, and
:func:`quotas`, a fixed number of outcomes split in given shares (no draw)."""

from __future__ import annotations

import random
from itertools import accumulate


class Weighted:
    """A weighted choice among fixed items (cumulative weights computed once)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.items, self.cum = list(weights), list(accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def quotas(n: int, shares: dict[str, float]) -> list[str]:
    """``n`` outcomes in the given shares (largest remainder, empty outcomes first)."""
    counts = {k: int(n * s) for k, s in shares.items()}
    rest = sorted(shares, key=lambda k: (counts[k] > 0, counts[k] - n * shares[k]))
    for k in rest[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k, c in counts.items() for _ in range(c)]
