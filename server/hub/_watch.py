"""WatchAgents subscribers: presence and command events fanned out to admin streams."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from generated.upkeep.v1 import admin_pb2, common_pb2

__all__ = ["Watcher", "Watchers"]

#: Events a subscriber may fall behind by before it is dropped (it re-subscribes).
WATCH_QUEUE_LIMIT = 50_000


@dataclasses.dataclass(eq=False, kw_only=True, slots=True)
class Watcher:
    project: str
    agent_ids: frozenset[int]
    include_commands: bool
    queue: asyncio.Queue[admin_pb2.WatchAgentsResponse | None] = dataclasses.field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def wants(self, project: str, agent_id: int) -> bool:
        return (not self.project or self.project == project) and (not self.agent_ids or agent_id in self.agent_ids)

    def offer(self, event: admin_pb2.WatchAgentsResponse) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= WATCH_QUEUE_LIMIT:
            self.overflowed = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(event)


class Watchers:
    def __init__(self) -> None:
        self._watchers: set[Watcher] = set()

    def subscribe(self, *, project: str, agent_ids: frozenset[int], include_commands: bool) -> Watcher:
        watcher = Watcher(project=project, agent_ids=agent_ids, include_commands=include_commands)
        self._watchers.add(watcher)
        return watcher

    def unsubscribe(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    def __bool__(self) -> bool:
        return bool(self._watchers)

    @property
    def want_commands(self) -> bool:
        return any(w.include_commands for w in self._watchers)

    def presence(self, project: str, presence: admin_pb2.AgentPresence) -> None:
        if not self._watchers:
            return
        event = admin_pb2.WatchAgentsResponse(presence=presence)
        event.event_time.FromDatetime(datetime.now(UTC))
        for watcher in self._watchers:
            if watcher.wants(project, presence.agent_id):
                watcher.offer(event)

    def command(self, project: str, command: common_pb2.Command) -> None:
        if not self._watchers:
            return
        event = admin_pb2.WatchAgentsResponse(command=command)
        event.event_time.FromDatetime(datetime.now(UTC))
        for watcher in self._watchers:
            if watcher.include_commands and watcher.wants(project, command.agent_id):
                watcher.offer(event)

    def close_all(self) -> None:
        for watcher in self._watchers:
            watcher.queue.put_nowait(None)
        self._watchers.clear()
