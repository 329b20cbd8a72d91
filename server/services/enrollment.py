"""Enrollment tokens and Enroll: token + agent uuid + facts → agent id and secret.

Tokens are created by an admin for a project, with labels, a use limit and an expiry;
only their SHA-256 is stored. Re-enrolling a known uuid with a valid token rotates the
agent's secret (and lifts a revocation); it uses the token like a first enrollment.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from common.i18n import N_
from common.platforms import canonical_arch, canonical_os
from generated.upkeep.v1 import admin_pb2
from server.db.models import Client, ClientKind, EnrollmentToken, Project
from server.services.agents import check_labels, hash_secret, new_secret

__all__ = [
    "EnrollmentResult",
    "EnrollmentTokenView",
    "EnrollRequestData",
    "create_token",
    "enroll",
    "list_tokens",
    "revoke_token",
]

TOKEN_PREFIX = "upk_enr_"
PROJECT_NOT_FOUND = N_("Project {project} not found.")
TOKEN_INVALID = N_("The enrollment token is not valid.")
TOKEN_EXPIRED = N_("The enrollment token has expired.")
TOKEN_USED_UP = N_("The enrollment token has been used up.")
TOKEN_REVOKED = N_("The enrollment token was revoked.")
TOKEN_NOT_FOUND = N_("Enrollment token {token} not found.")
BAD_UUID = N_("client_uuid must be a UUID.")
BAD_MAX_USES = N_("max_uses must be 0 (unlimited) or more.")
BAD_TTL = N_("ttl must be positive.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EnrollmentTokenView:
    id: int
    project: str
    labels: dict[str, str]
    description: str
    max_uses: int
    uses: int
    expires_at: datetime | None
    created_at: datetime | None
    revoked_at: datetime | None
    token_prefix: str
    created_by: str

    def to_proto(self) -> admin_pb2.EnrollmentToken:
        message = admin_pb2.EnrollmentToken(
            id=self.id, project=self.project, labels=self.labels, description=self.description,
            max_uses=self.max_uses, uses=self.uses, token_prefix=self.token_prefix, created_by=self.created_by,
        )
        for name in ("expires_at", "created_at", "revoked_at"):
            value = getattr(self, name)
            if value is not None:
                getattr(message, name).FromDatetime(value)
        return message


def _view(token: EnrollmentToken, project: str) -> EnrollmentTokenView:
    labels = dict(token.labels or {})
    description = labels.pop("__description", "")
    return EnrollmentTokenView(
        id=token.id, project=project, labels=labels, description=description, max_uses=token.max_uses or 0,
        uses=token.uses, expires_at=token.expires_at, created_at=token.created_at, revoked_at=token.revoked_at,
        token_prefix=token.prefix or "", created_by=token.created_by or "",
    )


async def _project(session: AsyncSession, slug: str) -> Project:
    project = await session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND, project=slug)
    return project


async def create_token(
    session: AsyncSession, *, project: str, labels: dict[str, str], description: str = "", max_uses: int = 0,
    ttl: timedelta | None = None, created_by: str = "", now: datetime | None = None,
) -> tuple[EnrollmentTokenView, str]:
    """A new token; returns its view and the plaintext (shown once)."""
    if max_uses < 0:
        raise InvalidInput(BAD_MAX_USES)
    if ttl is not None and ttl <= timedelta(0):
        raise InvalidInput(BAD_TTL)
    check_labels(labels)
    owner = await _project(session, project)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    stored_labels = dict(labels)
    if description:
        stored_labels["__description"] = description[:500]
    token = EnrollmentToken(
        project_id=owner.id, token_hash=hash_secret(plaintext), prefix=plaintext[: len(TOKEN_PREFIX) + 4],
        labels=stored_labels, max_uses=max_uses or None, expires_at=now + ttl if ttl else None,
        created_by=created_by or None,
    )
    session.add(token)
    await session.flush()
    return _view(token, owner.slug), plaintext


async def list_tokens(session: AsyncSession, *, project: str = "", include_revoked: bool = False) -> list[EnrollmentTokenView]:
    query = select(EnrollmentToken, Project.slug).join(Project, Project.id == EnrollmentToken.project_id)
    if project:
        query = query.where(Project.slug == project)
    if not include_revoked:
        query = query.where(EnrollmentToken.revoked_at.is_(None))
    rows = (await session.execute(query.order_by(EnrollmentToken.id.desc()))).all()
    return [_view(token, slug) for token, slug in rows]


async def revoke_token(session: AsyncSession, token_id: int, now: datetime | None = None) -> EnrollmentTokenView:
    row = (await session.execute(
        select(EnrollmentToken, Project.slug).join(Project, Project.id == EnrollmentToken.project_id).where(EnrollmentToken.id == token_id)
    )).one_or_none()
    if row is None:
        raise NotFound(TOKEN_NOT_FOUND, token=token_id)
    token, slug = row
    token.revoked_at = token.revoked_at or (now or datetime.now(UTC))
    await session.flush()
    return _view(token, slug)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EnrollRequestData:
    token: str
    client_uuid: str
    os: str = ""
    os_version: str = ""
    arch: str = ""
    hostname: str = ""
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    client_version: str = ""
    service_version: str = ""
    region: str = ""
    ip: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EnrollmentResult:
    agent_id: int
    client_uuid: str
    secret: str
    project: str
    enrolled_at: datetime


async def enroll(session: AsyncSession, request: EnrollRequestData, now: datetime | None = None) -> EnrollmentResult:
    """Use the token once and issue (or rotate) the agent's secret."""
    now = now or datetime.now(UTC)
    try:
        client_uuid = str(uuid.UUID(request.client_uuid))
    except ValueError as exc:
        raise InvalidInput(BAD_UUID, error_code="INVALID_CLIENT_UUID") from exc
    labels = check_labels(request.labels)
    os_type = canonical_os(request.os) if request.os else None
    arch = canonical_arch(request.arch) if request.arch else None
    token = await session.scalar(
        select(EnrollmentToken).where(EnrollmentToken.token_hash == hash_secret(request.token)).with_for_update()
    )
    if token is None:
        raise Unauthenticated(TOKEN_INVALID, error_code="ENROLLMENT_TOKEN_INVALID")
    if token.revoked_at is not None:
        raise PermissionDenied(TOKEN_REVOKED, error_code="ENROLLMENT_TOKEN_REVOKED")
    if token.expires_at is not None and token.expires_at <= now:
        raise PermissionDenied(TOKEN_EXPIRED, error_code="ENROLLMENT_TOKEN_EXPIRED")
    if token.max_uses is not None and token.uses >= token.max_uses:
        raise PermissionDenied(TOKEN_USED_UP, error_code="ENROLLMENT_TOKEN_USED_UP")
    project = await session.get_one(Project, token.project_id)
    merged = {k: v for k, v in (token.labels or {}).items() if not k.startswith("__")} | labels
    secret = new_secret()
    client = await session.scalar(select(Client).where(Client.client_uuid == client_uuid))
    if client is None:
        client = Client(client_uuid=client_uuid, kind=ClientKind.AGENT.value, project_id=project.id)
        session.add(client)
    client.kind = ClientKind.AGENT.value
    client.project_id = project.id
    client.labels = merged
    client.credential_hash = hash_secret(secret)
    client.revoked_at = None
    client.hostname = request.hostname or client.hostname
    client.os_type = os_type or client.os_type
    client.os_version = request.os_version or client.os_version
    client.architecture = arch or client.architecture
    client.client_version = request.client_version or client.client_version
    client.service_version = request.service_version or client.service_version
    client.region = request.region or client.region
    client.last_ip = request.ip or client.last_ip
    token.uses += 1
    await session.flush()
    return EnrollmentResult(agent_id=client.id, client_uuid=client_uuid, secret=secret, project=project.slug, enrolled_at=now)
