"""Seed 2 clients: registration, identification by ``X-Client-ID``, upgrade history.

    register_client(session, Registration, default_project=) -> ClientInfo   (409 when known)
    parse_client_uuid(raw) -> str                                            (400 when malformed)
    touch_client(session, client_uuid, ip=) -> ClientInfo | None             (last_seen_at)
    record_upgrade(session, client, UpgradeReport) -> UpgradeRecord          (history + event)

A client belongs to the project it registered with (the default project otherwise).
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import Conflict, InvalidInput, NotFound
from common.i18n import N_
from common.versions import Version
from server.db.models import (
    Client,
    ClientKind,
    EventAction,
    ClientSelfUpgradeHistory,
    Project,
    ServiceUpgradeHistory,
    UpgradeStatus,
)
from server.services.events import EventRecord, write_events
from server.services.projects import ensure_project, get_project

__all__ = [
    "ClientInfo",
    "Registration",
    "UpgradeKind",
    "UpgradeRecord",
    "UpgradeReport",
    "get_client",
    "parse_client_uuid",
    "record_upgrade",
    "register_client",
    "require_client",
    "touch_client",
]

MISSING_CLIENT_ID = N_("The X-Client-ID header is required.")
BAD_CLIENT_ID = N_("Invalid client id {value!r}: expected a UUID.")
CLIENT_EXISTS = N_("The client {client_uuid} is already registered.")
CLIENT_NOT_REGISTERED = N_("The client {client_uuid} is not registered: call POST /api/v1/clients/register first.")
BAD_STATUS = N_("Invalid status {status!r}: expected SUCCESS or FAILED.")
DETAILS_TOO_LONG = N_("The details are longer than {maximum} characters.")

MAX_DETAILS = 64 * 1024


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ClientInfo:
    id: int
    client_uuid: str
    kind: str
    project: str
    project_id: int
    os_type: str | None
    os_version: str | None
    architecture: str | None
    region: str | None
    labels: dict[str, str]
    client_version: str | None
    service_version: str | None
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def from_orm(cls, row: Client, project: str) -> ClientInfo:
        return cls(
            id=row.id, client_uuid=row.client_uuid, kind=row.kind, project=project, project_id=row.project_id,
            os_type=row.os_type, os_version=row.os_version, architecture=row.architecture, region=row.region,
            labels=dict(row.labels or {}), client_version=row.client_version, service_version=row.service_version,
            first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Registration:
    """Seed 2 §8.2.1 body, plus optional fields a client may add."""

    client_uuid: str
    os_type: str | None = None
    os_version: str | None = None
    architecture: str | None = None
    #: Project slug; None = the default project.
    project: str | None = None
    hostname: str | None = None
    region: str | None = None
    client_version: str | None = None
    service_version: str | None = None
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    ip: str | None = None


class UpgradeKind(enum.StrEnum):
    SERVICE = "service"  # seed 2 §8.4.1, service_upgrade_history
    CLIENT_SELF = "client_self"  # seed 2 §8.4.2, client_self_upgrade_history


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpgradeReport:
    kind: UpgradeKind
    from_version: str
    to_version: str
    #: ``SUCCESS`` or ``FAILED``.
    status: str
    details: str | None = None
    step_timings: dict[str, float] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpgradeRecord:
    id: int
    kind: UpgradeKind
    client_id: int
    from_version: str
    to_version: str
    status: str
    details: str | None
    upgraded_at: datetime


def parse_client_uuid(raw: str | None) -> str:
    """The canonical lower-case form of a client UUID; InvalidInput when missing or malformed."""
    if raw is None or not raw.strip():
        raise InvalidInput(MISSING_CLIENT_ID, error_code="MISSING_CLIENT_ID")
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise InvalidInput(BAD_CLIENT_ID, error_code="INVALID_CLIENT_ID", value=raw[:64]) from None


def _version_or_none(text: str | None) -> str | None:
    return Version.parse(text).display if text else None


async def register_client(session: AsyncSession, reg: Registration, *, default_project: str) -> ClientInfo:
    """Insert a new polling client; Conflict (409) when the uuid is known."""
    client_uuid = parse_client_uuid(reg.client_uuid)
    slug = (reg.project or default_project).strip().lower()
    project = await (ensure_project(session, slug) if slug == default_project else get_project(session, slug))
    if await session.scalar(select(Client.id).where(Client.client_uuid == client_uuid)):
        raise Conflict(CLIENT_EXISTS, error_code="CLIENT_EXISTS", client_uuid=client_uuid)
    row = Client(
        client_uuid=client_uuid, kind=ClientKind.APP.value, project_id=project.id,
        hostname=reg.hostname, os_type=reg.os_type, os_version=reg.os_version, architecture=reg.architecture,
        region=reg.region, labels=dict(reg.labels), client_version=_version_or_none(reg.client_version),
        service_version=_version_or_none(reg.service_version), last_ip=reg.ip, last_seen_at=datetime.now(UTC),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # registered concurrently
        raise Conflict(CLIENT_EXISTS, error_code="CLIENT_EXISTS", client_uuid=client_uuid) from None
    return ClientInfo.from_orm(row, project.slug)


async def get_client(session: AsyncSession, client_uuid: str) -> ClientInfo | None:
    """The client registered as ``client_uuid``; None when unknown."""
    found = (await session.execute(
        select(Client, Project.slug).join(Project, Project.id == Client.project_id).where(Client.client_uuid == client_uuid)
        .execution_options(populate_existing=True)
    )).first()
    return ClientInfo.from_orm(found[0], found[1]) if found else None


async def touch_client(
    session: AsyncSession,
    client_uuid: str,
    *,
    ip: str | None = None,
    client_version: str | None = None,
    service_version: str | None = None,
) -> ClientInfo | None:
    """Refresh ``last_seen_at`` (and the IP and versions it reports) of a known client; None when unknown."""
    values: dict[str, Any] = {"last_seen_at": datetime.now(UTC)}
    for column, value in (("last_ip", ip), ("client_version", client_version), ("service_version", service_version)):
        if value:
            values[column] = value
    result = await session.execute(update(Client).where(Client.client_uuid == client_uuid).values(**values))
    if not result.rowcount:
        return None
    return await get_client(session, client_uuid)


def require_client(client: ClientInfo | None, client_uuid: str) -> ClientInfo:
    """NotFound (404) for an unregistered client where a record needs one."""
    if client is None:
        raise NotFound(CLIENT_NOT_REGISTERED, error_code="CLIENT_NOT_REGISTERED", client_uuid=client_uuid)
    return client


async def record_upgrade(
    session: AsyncSession,
    client: ClientInfo,
    report: UpgradeReport,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> UpgradeRecord:
    """A history row and its ``success``/``failed`` event, in the caller's transaction;
    on success the client's installed version moves to ``to_version``."""
    status = report.status.strip().upper()
    if status not in {s.value for s in UpgradeStatus}:
        raise InvalidInput(BAD_STATUS, error_code="INVALID_STATUS", status=report.status)
    from_version = Version.parse(report.from_version).display
    to_version = Version.parse(report.to_version).display
    if report.details and len(report.details) > MAX_DETAILS:
        raise InvalidInput(DETAILS_TOO_LONG, error_code="DETAILS_TOO_LONG", maximum=MAX_DETAILS)
    model = ServiceUpgradeHistory if report.kind is UpgradeKind.SERVICE else ClientSelfUpgradeHistory
    row = model(
        client_id=client.id, from_version=from_version, to_version=to_version, status=status,
        details=report.details or None, step_timings=report.step_timings,
    )
    session.add(row)
    if status == UpgradeStatus.SUCCESS:
        column = "service_version" if report.kind is UpgradeKind.SERVICE else "client_version"
        await session.execute(update(Client).where(Client.id == client.id).values({column: to_version}))
    await session.flush()
    await write_events(session, [EventRecord(
        action=EventAction.SUCCESS.value if status == UpgradeStatus.SUCCESS else EventAction.FAILED.value,
        version=to_version, project_id=client.project_id, client_id=client.client_uuid, client_version=from_version,
        region=client.region, ip_address=ip, user_agent=user_agent,
        error_message=None if status == UpgradeStatus.SUCCESS else (report.details or None),
    )])
    return UpgradeRecord(
        id=row.id, kind=report.kind, client_id=client.id, from_version=from_version, to_version=to_version,
        status=status, details=row.details, upgraded_at=row.upgraded_at,
    )
