"""Drawing in given proportions: :class:`Weighted`, a weighted choice among fixed items."""

from __future__ import annotations

import random
from itertools import accumulate


class Weighted:
    """A weighted choice among fixed items (cumulative weights computed once)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.items, self.cum = list(weights), list(accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]
