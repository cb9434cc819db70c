"""Weighted random choice, precomputed once: random.choices recomputes the sums on every call."""

import bisect
import itertools
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, pairs: Iterable[tuple[T, float]]):
        pairs = [(item, weight) for item, weight in pairs if weight > 0]
        if not pairs:
            raise ValueError("nothing to choose from")
        self.items = [item for item, _ in pairs]
        self.cum_weights = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cum_weights[-1]

    def pick(self, rng) -> T:
        return self.items[bisect.bisect(self.cum_weights, rng.random() * self.total)]
