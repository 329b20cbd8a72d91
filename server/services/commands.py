"""The durable per-agent command queue.

    QUEUED ─► SENT ─► ACKED ─► RUNNING ─► SUCCEEDED | FAILED
      │        │        │         │
      └────────┴────────┴─────────┴─► CANCELLED | EXPIRED

Every transition is a guarded UPDATE (``WHERE status IN (earlier states)``), so late or
repeated reports never move a command backwards and batched writes may land in any order.
The command's uuid is the agent's idempotency key: it runs at most once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from google.protobuf import json_format
from sqlalchemy import Row, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import FailedPrecondition, InvalidInput, NotFound, PermissionDenied
from common.i18n import N_
from common.versions import Version
from generated.upkeep.v1 import common_pb2
from server.db.matching import among
from server.db.models import (
    Client,
    Command,
    CommandStatus,
    Release,
)
from server.services.telemetry import record_service_upgrade

__all__ = [
    "ACTIVE",
    "add_protos",
    "COMMAND_TYPES",
    "CommandView",
    "cancel_command",
    "create_commands",
    "expire_due",
    "fill_proto",
    "finish_command",
    "get_command",
    "list_commands",
    "mark_status",
    "owned_uuids",
    "record_progress",
    "resume_agents",
    "undelivered_by_agent",
    "uuid4_strings",
    "views_by_uuid",
]

S = CommandStatus
T = TypeVar("T")
#: Statuses a command can still leave.
ACTIVE = (S.QUEUED.value, S.SENT.value, S.ACKED.value, S.RUNNING.value)
DELIVERABLE = (S.QUEUED.value, S.SENT.value)
#: Earlier statuses each target may be reached from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    S.SENT.value: (S.QUEUED.value,),
    S.ACKED.value: (S.QUEUED.value, S.SENT.value),
    S.RUNNING.value: (S.QUEUED.value, S.SENT.value, S.ACKED.value),
}
COMMAND_TYPES: dict[int, str] = {
    value: name.removeprefix("COMMAND_TYPE_").lower()
    for name, value in common_pb2.CommandType.items()
    if value != common_pb2.COMMAND_TYPE_UNSPECIFIED
}
TYPE_NUMBERS = {name: value for value, name in COMMAND_TYPES.items()}
#: Types that need their payload; the others accept an empty one.
PAYLOAD_REQUIRED = {"upgrade", "rollback", "self_update"}

COMMAND_NOT_FOUND = N_("Command {command} not found.")
NOT_YOUR_COMMAND = N_("Command {command} does not belong to this agent.")
BAD_TYPE = N_("Unknown command type.")
PAYLOAD_MISMATCH = N_("The payload does not match the command type {type}.")
PAYLOAD_MISSING = N_("A {type} command needs its payload.")
ALREADY_FINISHED = N_("Command {command} has already finished ({status}).")
EXPIRY_IN_PAST = N_("expires_at lies in the past.")
NO_TARGET = N_("No agent matches the target.")
DOWNGRADE_REFUSED = N_(
    "Agent {agent} has version {installed} installed; {target} is older and only a rollback may install it."
)


def _ts(message: Any, name: str, value: datetime | None) -> None:
    if value is not None:
        getattr(message, name).FromDatetime(value)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CommandView:
    id: str
    agent_id: int
    client_uuid: str
    type: str
    status: str
    #: CommandPayload / CommandProgress / CommandResult as protobuf JSON dicts.
    payload: dict[str, Any]
    progress: dict[str, Any] | None
    result: dict[str, Any] | None
    created_at: datetime | None
    sent_at: datetime | None
    acked_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    created_by: str

    @classmethod
    def from_orm(cls, command: Command | Row[Any], client_uuid: str) -> CommandView:
        """From a Command, or a row of the commands table."""
        return cls(
            id=command.uuid, agent_id=command.client_id, client_uuid=client_uuid, type=command.type,
            status=command.status, payload=dict(command.payload or {}), progress=command.progress, result=command.result,
            created_at=command.created_at, sent_at=command.sent_at, acked_at=command.acked_at,
            started_at=command.started_at, finished_at=command.finished_at, expires_at=command.expires_at,
            created_by=command.created_by or "",
        )

    def to_proto(self) -> common_pb2.Command:
        message = common_pb2.Command(
            id=self.id, agent_id=self.agent_id, client_uuid=self.client_uuid, type=TYPE_NUMBERS.get(self.type, 0),
            status=common_pb2.CommandStatus.Value(f"COMMAND_STATUS_{self.status.upper()}"), created_by=self.created_by,
        )
        json_format.ParseDict(self.payload, message.payload, ignore_unknown_fields=True)
        if self.progress:
            json_format.ParseDict(self.progress, message.progress, ignore_unknown_fields=True)
        if self.result:
            json_format.ParseDict(self.result, message.result, ignore_unknown_fields=True)
        for name in ("created_at", "sent_at", "acked_at", "started_at", "finished_at", "expires_at"):
            _ts(message, name, getattr(self, name))
        return message


def _as_dict(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def validate_payload(type_number: int, payload: common_pb2.CommandPayload) -> str:
    """The command type's name, if ``payload`` fits it."""
    name = COMMAND_TYPES.get(type_number)
    if name is None:
        raise InvalidInput(BAD_TYPE, error_code="INVALID_COMMAND_TYPE")
    kind = payload.WhichOneof("kind")
    if kind is None and name in PAYLOAD_REQUIRED:
        raise InvalidInput(PAYLOAD_MISSING, error_code="INVALID_COMMAND_PAYLOAD", type=name)
    if kind is not None and kind != name:
        raise InvalidInput(PAYLOAD_MISMATCH, error_code="INVALID_COMMAND_PAYLOAD", type=name)
    return name


async def create_commands(
    session: AsyncSession, agents: Mapping[int, str], *, type_number: int, payload: common_pb2.CommandPayload,
    expires_at: datetime | None, ttl: timedelta, prepare: Callable[[list[CommandView]], T], created_by: str = "",
    now: datetime | None = None,
) -> tuple[list[CommandView], T]:
    """One QUEUED row per agent (agent id → its uuid), written in one statement; and what
    ``prepare`` makes of the new commands.

    ``prepare`` runs while the database writes the rows: building 20,000 messages to send
    once they are committed costs no time of its own then.
    """
    name = validate_payload(type_number, payload)
    now = now or datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput(EXPIRY_IN_PAST, error_code="INVALID_EXPIRY")
    if not agents:
        raise NotFound(NO_TARGET, error_code="NO_AGENT_MATCHED")
    ids = list(agents)
    if name == "upgrade" and not payload.upgrade.is_rollback:
        await _refuse_downgrade(session, ids, payload.upgrade)
    expiry = expires_at or now + ttl
    body = _as_dict(payload)
    uuids = uuid4_strings(len(agents))
    status = S.QUEUED.value
    row = {"type": name, "status": status, "payload": body, "created_by": created_by or None, "created_at": now,
           "expires_at": expiry}
    writing = asyncio.ensure_future(_insert(session, ids, uuids, row))
    try:
        await asyncio.sleep(0)  # the statement goes out first
        views = [
            CommandView(
                id=command_uuid, agent_id=agent_id, client_uuid=client_uuid, type=name, status=status, payload=body,
                progress=None, result=None, created_at=now, sent_at=None, acked_at=None, started_at=None,
                finished_at=None, expires_at=expiry, created_by=created_by,
            )
            for (agent_id, client_uuid), command_uuid in zip(agents.items(), uuids, strict=True)
        ]
        prepared = prepare(views)
    finally:
        await writing
    return views, prepared


def uuid4_strings(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, from one read of the OS's random source:
    three times as fast as ``str(uuid.uuid4())`` each, and a fan-out to 20,000 waits for them."""
    raw = bytearray(os.urandom(16 * count))
    for i in range(0, len(raw), 16):
        raw[i + 6] = raw[i + 6] & 0x0F | 0x40  # version 4
        raw[i + 8] = raw[i + 8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}" for i in range(0, len(h), 32)]


#: One statement for any number of agents. Both lists travel as one comma-joined string:
#: psycopg adapts a 20,000-item list item by item, ten times slower.
_INSERT_FOR_AGENTS = text(
    "INSERT INTO commands (uuid, client_id, type, status, payload, created_by, created_at, expires_at) "
    "SELECT new.uuid, new.client_id, :type, :status, CAST(:payload AS json), :created_by, :created_at, :expires_at "
    "FROM unnest(string_to_array(:uuids, ','), CAST(string_to_array(:ids, ',') AS integer[])) AS new(uuid, client_id)"
)


async def _insert(session: AsyncSession, ids: list[int], uuids: list[str], row: dict[str, Any]) -> None:
    if session.bind.dialect.name == "postgresql":
        await session.execute(_INSERT_FOR_AGENTS, {**row, "payload": json.dumps(row["payload"]), "ids": ",".join(map(str, ids)),
                                                   "uuids": ",".join(uuids)})
    else:
        await session.execute(insert(Command.__table__), [{**row, "uuid": u, "client_id": a} for a, u in zip(ids, uuids, strict=True)])


def _installed(reported: str | None) -> Version | None:
    """An agent's reported version, if it parses (what agents report is not ours to refuse)."""
    try:
        return Version.parse(reported or "")
    except InvalidInput:
        return None


async def _refuse_downgrade(session: AsyncSession, agent_ids: Sequence[int], upgrade: common_pb2.UpgradePayload) -> None:
    """Agents install an older version only by a rollback; refuse what they would refuse.

    The target is the payload's version and the release's (the agent checks both); the
    installed one is the service version the agent last reported.
    """
    targets = [upgrade.version] if upgrade.version else []
    if upgrade.release_id:
        release_version = await session.scalar(select(Release.display_version).where(Release.id == upgrade.release_id))
        targets += [release_version] if release_version else []
    if not targets:
        return
    target_text = min(targets, key=Version.parse)
    target = Version.parse(target_text)
    for start in range(0, len(agent_ids), 1000):
        rows = await session.execute(
            select(Client.client_uuid, Client.hostname, Client.service_version)
            .where(Client.id.in_(agent_ids[start:start + 1000]), Client.service_version.is_not(None))
        )
        for row in rows:
            installed = _installed(row.service_version)
            if installed is not None and target < installed:
                raise FailedPrecondition(
                    DOWNGRADE_REFUSED, error_code="DOWNGRADE_REFUSED", agent=row.hostname or row.client_uuid,
                    installed=row.service_version, target=target_text,
                )


async def resume_agents(session: AsyncSession, reported: dict[int, set[str]], now: datetime) -> dict[int, list[CommandView]]:
    """For agents connecting together (agent → command ids its Hello says it has): those of
    its own commands become ACKED, and what is still to deliver to each, oldest first.

    Core statements, one per step on PostgreSQL: a reconnect storm runs this for every few
    connects, so its fixed cost counts."""
    owner = {command_uuid: agent_id for agent_id, uuids in reported.items() for command_uuid in uuids}
    table = Command.__table__
    owned: list[str] = []
    for matches in among(session, table.c.uuid, list(owner)):
        rows = await session.execute(select(table.c.uuid, table.c.client_id).where(matches))
        owned.extend(command_uuid for command_uuid, agent_id in rows if owner[command_uuid] == agent_id)
    await mark_status(session, S.ACKED.value, owned, now)
    pending: dict[int, list[CommandView]] = {agent_id: [] for agent_id in reported}
    for matches in among(session, table.c.client_id, sorted(reported)):
        rows = await session.execute(
            select(table, Client.client_uuid).join(Client, Client.id == table.c.client_id)
            .where(matches, table.c.status.in_(DELIVERABLE), or_(table.c.expires_at.is_(None), table.c.expires_at > now))
            .order_by(table.c.id)
        )
        for row in rows:
            if row.uuid not in reported[row.client_id]:
                pending[row.client_id].append(CommandView.from_orm(row, row.client_uuid))
    return pending


async def undelivered_by_agent(session: AsyncSession) -> dict[int, set[str]]:
    """Per agent, its QUEUED and SENT commands."""
    undelivered: dict[int, set[str]] = {}
    for agent_id, command_uuid in await session.execute(select(Command.client_id, Command.uuid).where(Command.status.in_(DELIVERABLE))):
        undelivered.setdefault(agent_id, set()).add(command_uuid)
    return undelivered


async def owned_uuids(session: AsyncSession, agent_id: int, uuids: Iterable[str]) -> set[str]:
    wanted = list(set(uuids))
    if not wanted:
        return set()
    return set((await session.scalars(select(Command.uuid).where(Command.client_id == agent_id, Command.uuid.in_(wanted)))).all())


async def _owned(session: AsyncSession, agent_id: int, command_uuid: str) -> Command:
    command = await session.scalar(select(Command).where(Command.uuid == command_uuid))
    if command is None or command.client_id != agent_id:
        raise PermissionDenied(NOT_YOUR_COMMAND, error_code="COMMAND_NOT_OWNED", command=command_uuid)
    return command


async def mark_status(session: AsyncSession, status: str, uuids: Collection[str], when: datetime) -> list[str]:
    """Move the given commands to ``status`` at ``when`` where the lifecycle allows it; returns those moved.

    One statement (per 1,000 commands on SQLite). A command acknowledged or running was sent,
    so one moved there straight from QUEUED gets ``sent_at`` too: the hub flushes a command
    sent and acknowledged within one batch as a single update.
    """
    if not uuids:
        return []
    column = {S.SENT.value: "sent_at", S.ACKED.value: "acked_at", S.RUNNING.value: "started_at"}[status]
    # Core, not ORM: an ORM UPDATE … RETURNING looks up every returned row in the session.
    table = Command.__table__
    values: dict[str, Any] = {"status": status, column: when}
    if status != S.SENT.value:
        values["sent_at"] = func.coalesce(table.c.sent_at, when)
    moved: list[str] = []
    for matches in among(session, table.c.uuid, list(uuids)):
        result = await session.execute(
            update(table).where(matches, table.c.status.in_(ALLOWED_FROM[status])).values(values).returning(table.c.uuid)
        )
        moved.extend(result.scalars().all())
    return moved


async def record_progress(session: AsyncSession, agent_id: int, progress: common_pb2.CommandProgress, now: datetime) -> CommandView:
    command = await _owned(session, agent_id, progress.command_id)
    if command.status in ALLOWED_FROM[S.RUNNING.value]:
        command.status = S.RUNNING.value
        command.started_at = command.started_at or now
        command.acked_at = command.acked_at or now
    if command.status == S.RUNNING.value:
        command.progress = _as_dict(progress)
    await session.flush()
    return CommandView.from_orm(command, "")


async def finish_command(
    session: AsyncSession, agent_id: int, result: common_pb2.CommandResult, now: datetime
) -> tuple[CommandView, bool]:
    """Store the final result (idempotent: a repeated result changes nothing).

    Returns the command and whether this call changed it. An upgrade or rollback result
    is also written to service_upgrade_history and the event log.
    """
    command = await _owned(session, agent_id, result.command_id)
    if command.result is not None:
        return CommandView.from_orm(command, ""), False
    command.result = _as_dict(result)
    command.finished_at = result.finished_at.ToDatetime(UTC) if result.HasField("finished_at") else now
    if command.status in ACTIVE:
        command.status = S.SUCCEEDED.value if result.success else S.FAILED.value
        command.error = None if result.success else (result.error or result.error_code or None)
    command.started_at = command.started_at or (result.started_at.ToDatetime(UTC) if result.HasField("started_at") else now)
    if command.type in ("upgrade", "rollback"):
        await _record_upgrade(session, command, result, now)
    await session.flush()
    return CommandView.from_orm(command, ""), True


async def _record_upgrade(session: AsyncSession, command: Command, result: common_pb2.CommandResult, now: datetime) -> None:
    client = await session.get_one(Client, command.client_id)
    release_id = (command.payload.get("upgrade") or {}).get("release_id")
    await record_service_upgrade(
        session, client, command_id=command.id, from_version=result.from_version, to_version=result.to_version,
        success=result.success, details="" if result.success else f"{result.failed_step}: {result.error}".strip(": "),
        step_timings={s.step: s.duration_ms / 1000 for s in result.steps} or None,
        release_id=int(release_id) if release_id else None, when=now,
    )


async def cancel_command(session: AsyncSession, command_uuid: str, now: datetime | None = None) -> CommandView:
    row = (await session.execute(
        select(Command, Client.client_uuid).join(Client, Client.id == Command.client_id).where(Command.uuid == command_uuid)
    )).one_or_none()
    if row is None:
        raise NotFound(COMMAND_NOT_FOUND, command=command_uuid)
    command, client_uuid = row
    if command.status not in ACTIVE:
        raise FailedPrecondition(ALREADY_FINISHED, error_code="COMMAND_FINISHED", command=command_uuid, status=command.status)
    command.status = S.CANCELLED.value
    command.finished_at = now or datetime.now(UTC)
    await session.flush()
    return CommandView.from_orm(command, client_uuid)


async def expire_due(session: AsyncSession, now: datetime | None = None) -> list[CommandView]:
    """QUEUED/SENT commands past their expiry become EXPIRED."""
    now = now or datetime.now(UTC)
    rows = (await session.execute(
        update(Command)
        .where(Command.status.in_(DELIVERABLE), Command.expires_at.is_not(None), Command.expires_at <= now)
        .values(status=S.EXPIRED.value, finished_at=now)
        .returning(Command.uuid)
    )).scalars().all()
    return await views_by_uuid(session, rows) if rows else []


async def views_by_uuid(session: AsyncSession, uuids: Sequence[str]) -> list[CommandView]:
    views: list[CommandView] = []
    for start in range(0, len(uuids), 1000):
        rows = (await session.execute(
            select(Command, Client.client_uuid).join(Client, Client.id == Command.client_id)
            .where(Command.uuid.in_(uuids[start:start + 1000]))
        )).all()
        views.extend(CommandView.from_orm(c, u) for c, u in rows)
    return views


async def get_command(session: AsyncSession, command_uuid: str) -> CommandView:
    views = await views_by_uuid(session, [command_uuid])
    if not views:
        raise NotFound(COMMAND_NOT_FOUND, command=command_uuid)
    return views[0]


async def list_commands(
    session: AsyncSession, *, agent_id: int = 0, project_id: int | None = None, statuses: Sequence[str] = (),
    type_name: str = "", page: int = 1, page_size: int = 20, max_page_size: int = 200,
) -> tuple[list[CommandView], int, int, int]:
    """(commands newest first, page, page_size, total)."""
    page = max(page, 1)
    page_size = min(page_size if page_size > 0 else 20, max_page_size)
    conditions = []
    if agent_id:
        conditions.append(Command.client_id == agent_id)
    if project_id is not None:
        conditions.append(Client.project_id == project_id)
    if statuses:
        conditions.append(Command.status.in_(statuses))
    if type_name:
        conditions.append(Command.type == type_name)
    total = (await session.execute(
        select(func.count(Command.id)).join(Client, Client.id == Command.client_id).where(*conditions)
    )).scalar_one()
    rows = (await session.execute(
        select(Command, Client.client_uuid).join(Client, Client.id == Command.client_id).where(*conditions)
        .order_by(Command.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )).all()
    return [CommandView.from_orm(c, u) for c, u in rows], page, page_size, total


def add_protos(views: Sequence[CommandView], commands: Any) -> None:
    """Append the views' protos to a repeated Command field."""
    shared: dict[int, bytes] = {}
    add = commands.add
    for view in views:
        fill_proto(add(), view, shared)


def fill_proto(message: common_pb2.Command, view: CommandView, shared: dict[int, bytes]) -> None:
    """Fill an empty Command message from ``view``. Views sharing one payload object share one
    serialized message in ``shared``: its bytes are merged, then the view's own id, agent and
    agent uuid are set (several times faster than building each message)."""
    template = shared.get(id(view.payload))
    if template is None:
        template = shared[id(view.payload)] = view.to_proto().SerializeToString()
    message.MergeFromString(template)
    message.id, message.agent_id, message.client_uuid = view.id, view.agent_id, view.client_uuid
