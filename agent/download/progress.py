"""Download progress for people: bytes, rate and ETA (rich)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from rich.filesize import decimal
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from common.i18n import _

__all__ = ["RateMeter", "rich_bar"]


class RateMeter:
    """Turns (done, total) samples into a one-line summary: ``12.3 MB / 40.0 MB, 8.1 MB/s, 3 s left``."""

    def __init__(self) -> None:
        self._start: tuple[float, int] | None = None

    def line(self, done: int, total: int) -> str:
        now = time.monotonic()
        if self._start is None:
            self._start = (now, done)
        elapsed = now - self._start[0]
        rate = (done - self._start[1]) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        text = _("{done} / {total}, {rate}/s").format(done=decimal(done), total=decimal(total), rate=decimal(int(rate)))
        return text if eta is None else text + ", " + _("{seconds} s left").format(seconds=int(eta))


def rich_bar(description: str) -> tuple[Progress, Callable[[int, int], Awaitable[None]]]:
    """A rich progress bar (use as a context manager) and the callback that drives it."""
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
    )
    task = bar.add_task(description, total=None)

    async def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update
