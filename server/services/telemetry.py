"""Telemetry batches from agents, applied exactly once.

A batch is written (with its ``(agent, seq)`` row in telemetry_batches) before the
server acknowledges it; the agent resends whatever was not acknowledged, and a batch
seen before is acknowledged again without being applied twice.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import agent_pb2, common_pb2
from server.db.models import (
    AgentMetric,
    Client,
    ClientSelfUpgradeHistory,
    Command,
    EventAction,
    ServiceUpgradeHistory,
    TelemetryBatch,
    UpgradeStatus,
)
from server.services.agents import check_labels
from server.services.events import EventRecord, write_events

__all__ = ["MAX_EVENTS_PER_BATCH", "record_batch", "record_service_upgrade", "validate_batch"]

MAX_EVENTS_PER_BATCH = 1000
FUTURE_TIMESTAMP = N_("Telemetry event time {time} lies in the future.")
TOO_MANY_EVENTS = N_("A telemetry batch holds at most {limit} events.")
BAD_SEQ = N_("Telemetry batch sequence must be positive.")
BAD_METRIC = N_("A metric needs a name of 1 to 100 characters and a finite value.")


def validate_batch(batch: agent_pb2.TelemetryBatch, now: datetime, tolerance: timedelta) -> None:
    """Refuse a batch with a zero seq, too many events, or times beyond ``now + tolerance``."""
    if batch.seq <= 0:
        raise InvalidInput(BAD_SEQ, error_code="INVALID_TELEMETRY")
    if len(batch.events) > MAX_EVENTS_PER_BATCH:
        raise InvalidInput(TOO_MANY_EVENTS, error_code="INVALID_TELEMETRY", limit=MAX_EVENTS_PER_BATCH)
    limit = now + tolerance
    for event in batch.events:
        if event.HasField("occurred_at"):
            when = event.occurred_at.ToDatetime(UTC)
            if when > limit:
                raise InvalidInput(FUTURE_TIMESTAMP, error_code="TELEMETRY_FROM_FUTURE", time=when.isoformat())
        if event.WhichOneof("event") == "metric":
            metric = event.metric
            if not 1 <= len(metric.name) <= 100 or not math.isfinite(metric.value):
                raise InvalidInput(BAD_METRIC, error_code="INVALID_TELEMETRY")
            check_labels(dict(metric.labels))


async def record_batch(session: AsyncSession, agent_id: int, batch: agent_pb2.TelemetryBatch, now: datetime) -> bool:
    """Apply a validated batch once; False when this (agent, seq) was applied before."""
    seen = await session.scalar(
        select(TelemetryBatch.id).where(TelemetryBatch.client_id == agent_id, TelemetryBatch.batch_seq == batch.seq)
    )
    if seen is not None:
        return False
    session.add(TelemetryBatch(client_id=agent_id, batch_seq=batch.seq, received_at=now))
    client = await session.get_one(Client, agent_id)
    metrics: list[dict[str, object]] = []
    events: list[EventRecord] = []
    for event in batch.events:
        when = event.occurred_at.ToDatetime(UTC) if event.HasField("occurred_at") else now
        kind = event.WhichOneof("event")
        if kind == "metric":
            metrics.append({"client_id": agent_id, "name": event.metric.name, "value": event.metric.value,
                            "labels": dict(event.metric.labels) or None, "observed_at": when})
        elif kind == "service_upgrade":
            await _service_upgrade_event(session, client, event.service_upgrade, when, events)
        elif kind == "self_upgrade":
            record = event.self_upgrade
            session.add(ClientSelfUpgradeHistory(
                client_id=client.id, command_id=await _command_id(session, client.id, record.command_id),
                from_version=record.from_version, to_version=record.to_version,
                status=_status(record), details=record.details or None, upgraded_at=when,
            ))
    if metrics:
        await session.execute(insert(AgentMetric), metrics)
    await write_events(session, events)
    await session.flush()
    return True


def _status(record: agent_pb2.UpgradeRecord) -> str:
    return UpgradeStatus.SUCCESS.value if record.outcome == common_pb2.UPGRADE_OUTCOME_SUCCESS else UpgradeStatus.FAILED.value


async def _command_id(session: AsyncSession, client_id: int, command_uuid: str) -> int | None:
    if not command_uuid:
        return None
    return await session.scalar(select(Command.id).where(Command.uuid == command_uuid, Command.client_id == client_id))


async def _service_upgrade_event(
    session: AsyncSession, client: Client, record: agent_pb2.UpgradeRecord, when: datetime, events: list[EventRecord]
) -> None:
    command_id = await _command_id(session, client.id, record.command_id)
    await record_service_upgrade(
        session, client, command_id=command_id, from_version=record.from_version, to_version=record.to_version,
        success=_status(record) == UpgradeStatus.SUCCESS.value, details=record.details, step_timings=None,
        release_id=None, when=when, events=events,
    )


async def record_service_upgrade(
    session: AsyncSession, client: Client, *, command_id: int | None, from_version: str, to_version: str,
    success: bool, details: str, step_timings: dict[str, float] | None, release_id: int | None, when: datetime,
    events: list[EventRecord] | None = None,
) -> None:
    """A service_upgrade_history row and its success/failed event (counted in the rollups).

    The event goes into ``events`` when given (the caller writes a batch's events together),
    else it is written now.

    A command's upgrade is recorded once: when the agent's telemetry record of it came first,
    the command's result completes that row (its step timings) instead of adding another.
    """
    if command_id is not None:
        earlier = await session.scalar(select(ServiceUpgradeHistory).where(ServiceUpgradeHistory.command_id == command_id))
        if earlier is not None:
            earlier.step_timings = step_timings or earlier.step_timings
            earlier.details = details or earlier.details
            return
    session.add(ServiceUpgradeHistory(
        client_id=client.id, command_id=command_id, from_version=from_version, to_version=to_version,
        status=UpgradeStatus.SUCCESS.value if success else UpgradeStatus.FAILED.value, details=details or None,
        upgraded_at=when, step_timings=step_timings,
    ))
    event = EventRecord(
        project_id=client.project_id, release_id=release_id, version=to_version or "", client_id=client.client_uuid,
        client_version=from_version or client.service_version, region=client.region, ip_address=client.last_ip,
        user_agent="upkeep-agent", action=EventAction.SUCCESS.value if success else EventAction.FAILED.value,
        error_message=None if success else (details or None), created_at=when,
    )
    if events is None:
        await write_events(session, [event])
    else:
        events.append(event)
    if success and to_version:
        client.service_version = to_version
