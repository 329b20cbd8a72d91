"""API tokens for scripts: random, shown once, stored as a SHA-256 hash, carrying a role.

    create_token(...) -> CreatedToken     the plaintext exists only in this return value
    authenticate_token(session, raw)      -> Principal, or Unauthenticated (401)
    list_tokens / revoke_token / get_token

A token is ``upk_`` + 43 url-safe characters (256 random bits), so a plain SHA-256 of it
is as good as a slow hash and lets the lookup use the unique index. The first 12
characters are kept as the display prefix. ``last_used_at`` is refreshed at most once a
minute per token, so busy scripts do not turn every read into a write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound, Unauthenticated
from common.i18n import N_
from server.db.models import ApiToken
from server.services.paging import Page, PageSpec
from server.services.roles import Principal, Role

__all__ = [
    "TOKEN_PREFIX",
    "ApiTokenInfo",
    "CreatedToken",
    "INVALID_TOKEN",
    "MISSING_TOKEN",
    "authenticate_token",
    "create_token",
    "get_token",
    "hash_token",
    "list_tokens",
    "revoke_token",
]

TOKEN_PREFIX = "upk_"
DISPLAY_PREFIX_LENGTH = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)

MISSING_TOKEN = N_("An API token is required: send the header Authorization: Bearer <token>.")
INVALID_TOKEN = N_("The API token is invalid, expired or revoked.")
TOKEN_NOT_FOUND = N_("API token {token_id} was not found.")
BAD_TOKEN_NAME = N_("A token name is 1-100 characters.")
BAD_TTL = N_("A token lifetime must be positive.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ApiTokenInfo:
    """A token as listed: never the secret, only its display prefix."""

    id: int
    name: str
    role: Role
    prefix: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_orm(cls, row: ApiToken) -> ApiTokenInfo:
        return cls(
            id=row.id, name=row.name, role=Role.parse(row.role), prefix=row.prefix,
            created_by=row.created_by, created_at=row.created_at, expires_at=row.expires_at,
            last_used_at=row.last_used_at, revoked_at=row.revoked_at,
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CreatedToken:
    info: ApiTokenInfo
    #: The plaintext token; shown once, never stored.
    secret: str


def hash_token(raw: str) -> str:
    """Hex SHA-256 of a token, the form kept in the database."""
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    created_by: str | None = None,
    ttl: timedelta | None = None,
) -> CreatedToken:
    """A new token; ``ttl`` None = no expiry."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(BAD_TOKEN_NAME, error_code="INVALID_TOKEN_NAME")
    if ttl is not None and ttl <= timedelta(0):
        raise InvalidInput(BAD_TTL, error_code="INVALID_TTL")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
        role=role.label,
        created_by=created_by,
        expires_at=datetime.now(UTC) + ttl if ttl is not None else None,
    )
    session.add(row)
    await session.flush()
    return CreatedToken(info=ApiTokenInfo.from_orm(row), secret=secret)


async def authenticate_token(session: AsyncSession, raw: str | None) -> Principal:
    """The principal a token stands for; Unauthenticated when missing, unknown, expired or revoked."""
    if not raw:
        raise Unauthenticated(MISSING_TOKEN, error_code="TOKEN_REQUIRED")
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw.strip())))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthenticated(INVALID_TOKEN, error_code="INVALID_TOKEN")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        await session.flush()
    return Principal(name=row.name, role=Role.parse(row.role), kind="token", id=row.id)


async def _load(session: AsyncSession, token_id: int) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(TOKEN_NOT_FOUND, error_code="TOKEN_NOT_FOUND", token_id=token_id)
    return row


async def get_token(session: AsyncSession, token_id: int) -> ApiTokenInfo:
    return ApiTokenInfo.from_orm(await _load(session, token_id))


async def list_tokens(session: AsyncSession, spec: PageSpec, *, include_revoked: bool = False) -> Page[ApiTokenInfo]:
    """Newest first; revoked tokens only when asked."""
    query = select(ApiToken)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(ApiToken.id.desc()).offset(spec.offset).limit(spec.size))
    return Page(items=[ApiTokenInfo.from_orm(r) for r in rows], page=spec.page, size=spec.size, total=total or 0)


async def revoke_token(session: AsyncSession, token_id: int) -> ApiTokenInfo:
    """Revoke for good (idempotent: the first revocation time is kept)."""
    row = await _load(session, token_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()
    return ApiTokenInfo.from_orm(row)
