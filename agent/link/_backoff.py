"""Reconnect delays: exponential, capped, with jitter so a fleet never reconnects in step."""

from __future__ import annotations

import random

__all__ = ["Backoff"]


class Backoff:
    """``next()`` gives initial·2ⁿ capped at ``maximum``, scaled by a random factor in [0.5, 1]."""

    def __init__(self, initial: float, maximum: float, *, rng: random.Random | None = None) -> None:
        self.initial = max(initial, 0.01)
        self.maximum = max(maximum, self.initial)
        self.attempt = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        ceiling = min(self.maximum, self.initial * 2 ** min(self.attempt, 30))
        self.attempt += 1
        return ceiling * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0
