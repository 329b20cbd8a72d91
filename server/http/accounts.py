"""Admin REST for API tokens and the audit log (admin role), beside seed 1's /admin/api/v1."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from server.http.auth import AUTH_RESPONSES, client_ip, require_principal
from server.http.errors import ErrorBody
from server.runtime import Runtime
from server.services import tokens
from server.services.audit import AuditEntry, actor_name, list_audit, record_audit
from server.services.paging import page_spec
from server.services.roles import Principal, Role

__all__ = ["router"]

router = APIRouter(prefix="/admin/api/v1", tags=["accounts"], responses=AUTH_RESPONSES)
admin_only = require_principal(Role.ADMIN)


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, info: tokens.ApiTokenInfo) -> TokenOut:
        return cls(
            id=info.id, name=info.name, role=info.role.label, prefix=info.prefix, created_by=info.created_by,
            created_at=info.created_at, expires_at=info.expires_at, last_used_at=info.last_used_at,
            revoked_at=info.revoked_at,
        )


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(pattern="^(viewer|operator|admin)$")
    ttl_days: int | None = Field(default=None, gt=0, le=3650)


class TokenCreated(BaseModel):
    token: TokenOut
    #: The plaintext, returned only here.
    secret: str


class TokenPage(BaseModel):
    tokens: list[TokenOut]
    page: int
    limit: int
    total: int


class AuditOut(BaseModel):
    id: int
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: Any
    ip: str | None
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        return cls(**{name: getattr(entry, name) for name in cls.model_fields})


class AuditPage(BaseModel):
    entries: list[AuditOut]
    page: int
    limit: int
    total: int


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


@router.post("/tokens", status_code=201, response_model=TokenCreated, responses={400: {"model": ErrorBody}})
async def create_token(
    body: TokenCreate, request: Request, principal: Principal = Depends(admin_only)
) -> TokenCreated:
    """Create an API token; the secret is in this answer only."""
    role = Role.parse(body.role)
    async with _runtime(request).session_factory() as session, session.begin():
        created = await tokens.create_token(
            session, name=body.name, role=role, created_by=actor_name(principal),
            ttl=timedelta(days=body.ttl_days) if body.ttl_days else None,
        )
        await record_audit(
            session, principal, "api_token.create", "api_token", created.info.id,
            {"name": created.info.name, "role": role.label}, client_ip(request),
        )
    return TokenCreated(token=TokenOut.of(created.info), secret=created.secret)


@router.get("/tokens", response_model=TokenPage, responses={400: {"model": ErrorBody}})
async def list_tokens(
    request: Request,
    page: int = Query(1, ge=1),
    limit: int = Query(20, ge=1),
    include_revoked: bool = False,
    _principal: Principal = Depends(admin_only),
) -> TokenPage:
    spec = page_spec(page, limit, maximum=_runtime(request).settings.max_page_size)
    async with _runtime(request).session_factory() as session:
        result = await tokens.list_tokens(session, spec, include_revoked=include_revoked)
    return TokenPage(tokens=[TokenOut.of(t) for t in result.items], page=result.page, limit=result.size, total=result.total)


@router.delete("/tokens/{token_id}", response_model=TokenOut, responses={404: {"model": ErrorBody}})
async def revoke_token(token_id: int, request: Request, principal: Principal = Depends(admin_only)) -> TokenOut:
    """Revoke a token for good."""
    async with _runtime(request).session_factory() as session, session.begin():
        info = await tokens.revoke_token(session, token_id)
        await record_audit(
            session, principal, "api_token.revoke", "api_token", info.id, {"name": info.name}, client_ip(request)
        )
    return TokenOut.of(info)


@router.get("/audit-log", response_model=AuditPage, responses={400: {"model": ErrorBody}})
async def audit_log(
    request: Request,
    page: int = Query(1, ge=1),
    limit: int = Query(20, ge=1),
    actor: str | None = None,
    action: str | None = None,
    _principal: Principal = Depends(admin_only),
) -> AuditPage:
    """Who changed what, newest first."""
    spec = page_spec(page, limit, maximum=_runtime(request).settings.max_page_size)
    async with _runtime(request).session_factory() as session:
        result = await list_audit(session, spec, actor=actor, action=action)
    return AuditPage(entries=[AuditOut.of(e) for e in result.items], page=result.page, limit=result.size, total=result.total)
