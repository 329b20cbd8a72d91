"""Writes that many sessions produce, collected in memory and flushed together."""

from __future__ import annotations

import dataclasses
from typing import Any

from server.services.presence import PresenceBatch

__all__ = ["Pending"]


@dataclasses.dataclass(kw_only=True, slots=True)
class Pending:
    """Presence and command status changes since the last flush."""

    presence: PresenceBatch = dataclasses.field(default_factory=PresenceBatch)
    #: status ("sent" | "acked") → command uuids (stamped with the flush's time: at most a
    #: flush interval late, never earlier than the event).
    statuses: dict[str, set[str]] = dataclasses.field(default_factory=lambda: {"sent": set(), "acked": set()})

    def __bool__(self) -> bool:
        return bool(self.presence) or any(self.statuses.values())

    def seen(self, agent_id: int) -> None:
        self.presence.seen.add(agent_id)

    def hello(self, agent_id: int, values: dict[str, Any]) -> None:
        self.presence.offline.discard(agent_id)
        self.presence.hello[agent_id] = values

    def state(self, agent_id: int, state: dict[str, Any]) -> None:
        self.presence.states[agent_id] = state

    def offline(self, agent_id: int) -> None:
        self.presence.offline.add(agent_id)

    def touches(self, agent_id: int) -> bool:
        """Whether a row write for ``agent_id`` is waiting here."""
        p = self.presence
        return agent_id in p.hello or agent_id in p.states or agent_id in p.offline or agent_id in p.seen

    def status(self, status: str, command_uuid: str) -> None:
        self.statuses[status].add(command_uuid)

    def merge(self, other: Pending) -> None:
        """Put back a batch that failed to flush (newer values win)."""
        self.presence.seen |= other.presence.seen
        self.presence.hello = other.presence.hello | self.presence.hello
        self.presence.states = other.presence.states | self.presence.states
        self.presence.offline |= other.presence.offline
        for status, uuids in other.statuses.items():
            self.statuses[status] |= uuids
