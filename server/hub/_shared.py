"""Per-key values loaded at most once per max age; callers arriving during a load share it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["SharedLoads"]

V = TypeVar("V")


class SharedLoads(Generic[V]):
    """A reconnect storm asks for the same project's settings thousands of times at once:
    one query answers them all, instead of one per connect that finds no cached copy."""

    def __init__(self, load: Callable[[int], Awaitable[V]], max_age_s: float) -> None:
        self._load = load
        self._max_age_s = max_age_s
        self._entries: dict[int, tuple[float, asyncio.Future[V]]] = {}

    async def get(self, key: int, *, fresh: bool = False) -> V:
        entry = self._entries.get(key)
        if fresh or entry is None or time.monotonic() - entry[0] > self._max_age_s:
            entry = self._entries[key] = (time.monotonic(), asyncio.ensure_future(self._load(key)))
        try:
            return await asyncio.shield(entry[1])
        except Exception:
            if self._entries.get(key) is entry:
                del self._entries[key]  # the next caller tries again
            raise

    def loaded(self, key: int) -> V | None:
        """The value loaded last, if a load finished and succeeded."""
        entry = self._entries.get(key)
        if entry is None or not entry[1].done() or entry[1].cancelled() or entry[1].exception() is not None:
            return None
        return entry[1].result()

    def forget(self, key: int) -> None:
        self._entries.pop(key, None)
