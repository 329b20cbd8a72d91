"""Presence writes in batches: last_seen, online/offline, Hello facts, service state.

The agent hub collects what heartbeats and connects report in memory and flushes it here
every second or so, so 20,000 agents heartbeating cost a few statements per flush.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Client

__all__ = ["PresenceBatch", "flush_presence"]

CHUNK = 1000


@dataclasses.dataclass(kw_only=True, slots=True)
class PresenceBatch:
    """What changed since the last flush."""

    #: Agents heard from (heartbeat or any message).
    seen: set[int] = dataclasses.field(default_factory=set)
    #: Agent → column values from Hello (versions, os, labels, online=True ...).
    hello: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    #: Agent → latest ServiceState (protobuf JSON dict).
    states: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    #: Agents whose stream ended.
    offline: set[int] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.seen or self.hello or self.states or self.offline)


def _chunks(ids: Collection[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i:i + CHUNK] for i in range(0, len(ordered), CHUNK)]


async def flush_presence(session: AsyncSession, batch: PresenceBatch, now: datetime) -> None:
    """Write one batch; rows are touched in id order to keep lock order stable."""
    if batch.hello:
        await session.execute(
            update(Client), [{"id": agent_id, **values} for agent_id, values in sorted(batch.hello.items())]
        )
    if batch.states:
        await session.execute(
            update(Client), [{"id": agent_id, "service_state": state} for agent_id, state in sorted(batch.states.items())]
        )
    for chunk in _chunks(batch.seen - batch.offline):
        await session.execute(update(Client).where(Client.id.in_(chunk)).values(last_seen_at=now))
    for chunk in _chunks(batch.offline):
        await session.execute(update(Client).where(Client.id.in_(chunk)).values(online=False, last_seen_at=now))
