"""Presence writes in batches: last_seen, online/offline, Hello facts, service state.

The agent hub collects what heartbeats and connects report in memory and flushes it here
every second or so, so 20,000 agents heartbeating cost a few statements per flush.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Client, MaintenanceWindow

__all__ = ["MaintenanceWindowRow", "MaintenanceWindows", "PresenceBatch", "flush_presence", "project_windows", "windows_for"]

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


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceWindowRow:
    client_id: int | None
    label_selector: dict[str, str]
    cron: str
    duration_minutes: int


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceWindows:
    crons: tuple[str, ...]
    duration_minutes: int


async def project_windows(session: AsyncSession, project_id: int) -> list[MaintenanceWindowRow]:
    """The enabled windows of a project (the hub caches them briefly)."""
    rows = (await session.execute(
        select(MaintenanceWindow).where(MaintenanceWindow.project_id == project_id, MaintenanceWindow.enabled.is_(True))
        .order_by(MaintenanceWindow.id)
    )).scalars().all()
    return [MaintenanceWindowRow(client_id=w.client_id, label_selector=dict(w.label_selector or {}), cron=w.cron,
                                 duration_minutes=w.duration_minutes) for w in rows]


def windows_for(windows: list[MaintenanceWindowRow], agent_id: int, labels: dict[str, str]) -> MaintenanceWindows:
    """The windows that apply to one agent: its own, its labels', its project's."""
    chosen = [
        w for w in windows
        if w.client_id == agent_id or (w.client_id is None and all(labels.get(k) == v for k, v in w.label_selector.items()))
    ]
    return MaintenanceWindows(
        crons=tuple(w.cron for w in chosen), duration_minutes=max((w.duration_minutes for w in chosen), default=0)
    )
