"""Agents (enrolled clients): credentials, what they report, listing, revocation.

An agent authenticates every Connect with its uuid and the secret Enroll gave it; the
server keeps only a SHA-256 of the secret (a 256-bit random value, so a slow password
hash would add nothing but cost at reconnect storms).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from common.i18n import N_
from generated.upkeep.v1 import common_pb2
from server.db.models import Client, ClientKind, Project, ServiceUpgradeHistory

__all__ = [
    "AgentFilter",
    "AgentIdentity",
    "AgentView",
    "Page",
    "authenticate_agent",
    "get_agent",
    "hash_secret",
    "list_agents",
    "new_secret",
    "revoke_agent",
    "resolve_agents",
    "mark_all_offline",
    "check_labels",
    "check_secret",
    "verify_agent",
    "load_credentials",
    "project_id",
]

BAD_CREDENTIALS = N_("Unknown agent or wrong secret.")
MISSING_CREDENTIALS = N_("Agent credentials missing: send x-upkeep-client-id and authorization: Bearer <secret>.")
REVOKED = N_("This agent was revoked; enroll it again to reconnect.")
AGENT_NOT_FOUND = N_("Agent {agent} not found.")
MAX_LABELS = 64
MAX_LABEL_TEXT = 200
BAD_LABELS = N_("Labels: at most 64, keys and values up to 200 characters.")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    if len(labels) > MAX_LABELS or any(len(k) > MAX_LABEL_TEXT or len(v) > MAX_LABEL_TEXT or not k for k, v in labels.items()):
        raise InvalidInput(BAD_LABELS, error_code="INVALID_LABELS")
    return dict(labels)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AgentIdentity:
    """Who holds a Connect stream."""

    id: int
    client_uuid: str
    project_id: int
    project: str
    labels: dict[str, str]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AgentView:
    id: int
    client_uuid: str
    kind: str
    project: str
    os_type: str
    os_version: str
    architecture: str
    region: str
    labels: dict[str, str]
    client_version: str
    service_version: str
    hostname: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    online: bool
    #: ServiceState as a protobuf JSON dict.
    service_state: dict[str, Any] | None
    revoked: bool

    @classmethod
    def from_orm(cls, client: Client, project_slug: str) -> AgentView:
        return cls(
            id=client.id,
            client_uuid=client.client_uuid,
            kind=client.kind,
            project=project_slug,
            os_type=client.os_type or "",
            os_version=client.os_version or "",
            architecture=client.architecture or "",
            region=client.region or "",
            labels=dict(client.labels or {}),
            client_version=client.client_version or "",
            service_version=client.service_version or "",
            hostname=client.hostname or "",
            first_seen_at=client.first_seen_at,
            last_seen_at=client.last_seen_at,
            online=bool(client.online),
            service_state=client.service_state if isinstance(client.service_state, dict) else None,
            revoked=client.revoked_at is not None,
        )

    def to_proto(self) -> common_pb2.Agent:
        agent = common_pb2.Agent(
            id=self.id,
            client_uuid=self.client_uuid,
            kind=common_pb2.CLIENT_KIND_AGENT if self.kind == ClientKind.AGENT else common_pb2.CLIENT_KIND_POLLING,
            project=self.project,
            os_type=self.os_type,
            os_version=self.os_version,
            architecture=self.architecture,
            platform=f"{self.os_type}-{self.architecture}" if self.os_type and self.architecture else "",
            region=self.region,
            labels=self.labels,
            client_version=self.client_version,
            service_version=self.service_version,
            hostname=self.hostname,
            online=self.online,
            revoked=self.revoked,
            channel="stable",
        )
        if self.first_seen_at:
            agent.first_seen_at.FromDatetime(self.first_seen_at)
        if self.last_seen_at:
            agent.last_seen_at.FromDatetime(self.last_seen_at)
        if self.service_state:
            json_format.ParseDict(self.service_state, agent.service_state, ignore_unknown_fields=True)
        return agent


def _credential_query() -> Select[Any]:
    return (
        select(Client.id, Client.client_uuid, Client.project_id, Client.labels, Client.credential_hash,
               Client.revoked_at, Project.slug)
        .join(Project, Project.id == Client.project_id)
        .where(Client.kind == ClientKind.AGENT.value)
    )


def _identity(row: Any) -> AgentIdentity:
    return AgentIdentity(
        id=row.id, client_uuid=row.client_uuid, project_id=row.project_id, project=row.slug, labels=dict(row.labels or {})
    )


def check_secret(credential_hash: str | None, secret: str) -> bool:
    return bool(credential_hash) and hmac.compare_digest(credential_hash or "", hash_secret(secret))


async def load_credentials(session: AsyncSession) -> dict[str, tuple[AgentIdentity, str]]:
    """uuid → (identity, credential hash) of every enrolled, unrevoked agent (the hub's cache)."""
    rows = await session.execute(_credential_query().where(Client.revoked_at.is_(None), Client.credential_hash.is_not(None)))
    return {row.client_uuid: (_identity(row), row.credential_hash) for row in rows}


async def authenticate_agent(session: AsyncSession, client_uuid: str, secret: str) -> AgentIdentity:
    """The agent holding ``secret``; UNAUTHENTICATED if wrong, PERMISSION_DENIED if revoked."""
    return (await verify_agent(session, client_uuid, secret))[0]


async def verify_agent(session: AsyncSession, client_uuid: str, secret: str) -> tuple[AgentIdentity, str]:
    """Like :func:`authenticate_agent`, also returning the credential hash (for the hub's cache)."""
    if not client_uuid or not secret:
        raise Unauthenticated(MISSING_CREDENTIALS)
    row = (await session.execute(_credential_query().where(Client.client_uuid == client_uuid))).one_or_none()
    if row is None:
        raise Unauthenticated(BAD_CREDENTIALS)
    if row.revoked_at is not None:
        raise PermissionDenied(REVOKED, error_code="AGENT_REVOKED")
    if not check_secret(row.credential_hash, secret):
        raise Unauthenticated(BAD_CREDENTIALS)
    return _identity(row), row.credential_hash


async def mark_all_offline(session: AsyncSession) -> int:
    """At start-up no agent holds a stream to this process."""
    result = await session.execute(
        update(Client).where(Client.kind == ClientKind.AGENT.value, Client.online.is_(True)).values(online=False)
    )
    return result.rowcount or 0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AgentFilter:
    project: str = ""
    online: bool | None = None
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    client_version: str = ""
    service_version: str = ""
    region: str = ""
    search: str = ""
    kind: str = ""
    include_revoked: bool = False
    agent_ids: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    items: list[Any]
    page: int
    page_size: int
    total: int


def _filtered(query: Select[Any], f: AgentFilter) -> Select[Any]:
    if f.project:
        query = query.where(Project.slug == f.project)
    if f.online is not None:
        query = query.where(Client.online.is_(f.online))
    if f.client_version:
        query = query.where(Client.client_version == f.client_version)
    if f.service_version:
        query = query.where(Client.service_version == f.service_version)
    if f.region:
        query = query.where(Client.region == f.region)
    if f.kind:
        query = query.where(Client.kind == f.kind)
    if not f.include_revoked:
        query = query.where(Client.revoked_at.is_(None))
    if f.agent_ids:
        query = query.where(Client.id.in_(f.agent_ids))
    if f.search:
        like = f"%{f.search}%"
        query = query.where(or_(Client.client_uuid.like(like), Client.hostname.like(like)))
    return query


def _labels_match(labels: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items())


async def list_agents(session: AsyncSession, f: AgentFilter, *, page: int = 1, page_size: int = 20, max_page_size: int = 200) -> Page:
    """Matching clients, most recently seen first. Label filters apply in Python (JSON column)."""
    page = max(page, 1)
    page_size = min(page_size if page_size > 0 else 20, max_page_size)
    base = _filtered(select(Client, Project.slug).join(Project, Project.id == Client.project_id), f)
    if f.labels:
        rows = [(c, slug) for c, slug in (await session.execute(base.order_by(Client.last_seen_at.desc(), Client.id))).all()
                if _labels_match(c.labels or {}, f.labels)]
        total = len(rows)
        rows = rows[(page - 1) * page_size: page * page_size]
    else:
        total = (await session.execute(_filtered(select(func.count(Client.id)).join(Project, Project.id == Client.project_id), f))).scalar_one()
        rows = (await session.execute(
            base.order_by(Client.last_seen_at.desc(), Client.id).offset((page - 1) * page_size).limit(page_size)
        )).all()
    return Page(items=[AgentView.from_orm(c, slug) for c, slug in rows], page=page, page_size=page_size, total=total)


async def resolve_agents(session: AsyncSession, f: AgentFilter) -> dict[int, str]:
    """The enrolled, unrevoked agents a selector matches: id → client uuid, in id order."""
    f = dataclasses.replace(f, kind=ClientKind.AGENT.value, include_revoked=False)
    if not f.labels:  # no labels to match: 20,000 labels parsed for nothing otherwise
        query = _filtered(select(Client.id, Client.client_uuid).join(Project, Project.id == Client.project_id), f)
        return dict((await session.execute(query.order_by(Client.id))).all())
    query = _filtered(select(Client.id, Client.client_uuid, Client.labels).join(Project, Project.id == Client.project_id), f)
    return {row.id: row.client_uuid for row in (await session.execute(query.order_by(Client.id))).all()
            if _labels_match(row.labels or {}, f.labels)}


async def get_agent(session: AsyncSession, *, agent_id: int = 0, client_uuid: str = "") -> AgentView:
    query = select(Client, Project.slug).join(Project, Project.id == Client.project_id)
    query = query.where(Client.id == agent_id) if agent_id else query.where(Client.client_uuid == client_uuid)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise NotFound(AGENT_NOT_FOUND, agent=agent_id or client_uuid)
    return AgentView.from_orm(row[0], row[1])


async def revoke_agent(session: AsyncSession, agent_id: int, now: datetime | None = None) -> AgentView:
    """Drop the credential: the agent can no longer connect until it enrolls again."""
    client = await session.get(Client, agent_id)
    if client is None or client.kind != ClientKind.AGENT.value:
        raise NotFound(AGENT_NOT_FOUND, agent=agent_id)
    client.revoked_at = client.revoked_at or (now or datetime.now(UTC))
    client.credential_hash = None
    client.online = False
    await session.flush()
    return await get_agent(session, agent_id=agent_id)


PROJECT_NOT_FOUND = N_("Project {project} not found.")


async def project_id(session: AsyncSession, slug: str) -> int:
    found = await session.scalar(select(Project.id).where(Project.slug == slug))
    if found is None:
        raise NotFound(PROJECT_NOT_FOUND, project=slug)
    return found


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpgradeRecordView:
    """One row of an agent's service upgrade history (seed 2 §5.2.2)."""

    id: int
    from_version: str
    to_version: str
    status: str
    details: str
    upgraded_at: datetime
    command_id: int | None


async def upgrade_history(session: AsyncSession, agent_id: int, *, limit: int = 50) -> list[UpgradeRecordView]:
    """The agent's service upgrades, newest first."""
    history = ServiceUpgradeHistory
    rows = await session.scalars(
        select(history).where(history.client_id == agent_id).order_by(history.id.desc()).limit(limit)
    )
    return [
        UpgradeRecordView(id=r.id, from_version=r.from_version, to_version=r.to_version, status=r.status,
                          details=r.details or "", upgraded_at=r.upgraded_at, command_id=r.command_id)
        for r in rows
    ]
