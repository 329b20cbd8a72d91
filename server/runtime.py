"""What every adapter of one server process shares: settings, database, components.

Components are long-lived parts with an explicit lifecycle (an event batch writer, the
agent hub, the storage backend ...). ``server/wiring.py`` lists them; the server starts
them in order before the listeners open and stops them in reverse after both closed::

    build ──► start components ──► listeners open ──► (serve) ──► listeners drain
                                                                     │
                          components stopped (reverse order) ◄───────┘
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.config import Settings

__all__ = ["Component", "Runtime"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Component(Protocol):
    """A part of the server with a start/stop lifecycle."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclasses.dataclass(kw_only=True, slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    components: dict[str, Any] = dataclasses.field(default_factory=dict)
    _tasks: set[asyncio.Task[Any]] = dataclasses.field(default_factory=set)

    def component(self, name: str, kind: type[T]) -> T:
        """The component registered as ``name`` (typed for the caller)."""
        value = self.components[name]
        if not isinstance(value, kind):
            raise TypeError(f"component {name!r} is {type(value).__name__}, not {kind.__name__}")
        return value

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, keeping a strong reference until it ends."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def start_components(self) -> None:
        for name, component in self.components.items():
            logger.debug("starting component %s", name)
            await component.start()

    async def stop_components(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for name, component in reversed(list(self.components.items())):
            try:
                await component.stop()
            except Exception:
                logger.exception("component %s failed to stop", name)
