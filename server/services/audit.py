"""The audit log: who changed what, when and from where.

Every admin change calls :func:`record_audit` inside the transaction that makes the
change, so the change and its audit row commit (or roll back) together.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import AuditLog
from server.services.paging import Page, PageSpec
from server.services.roles import Principal

__all__ = ["AuditEntry", "actor_name", "list_audit", "record_audit"]

SYSTEM_ACTOR = "system"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    id: int
    #: ``user:<name>``, ``token:<name>`` or ``system`` (CLI, migrations).
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: Any
    ip: str | None
    created_at: datetime


def actor_name(principal: Principal | None) -> str:
    """How a principal appears in the log."""
    if principal is None:
        return SYSTEM_ACTOR
    return f"{principal.kind}:{principal.name}"[:100]


async def record_audit(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    target_type: str | None = None,
    target_id: object | None = None,
    detail: Any = None,
    ip: str | None = None,
) -> None:
    """Add one audit row to the caller's transaction (``principal`` None = the system)."""
    session.add(
        AuditLog(
            actor=actor_name(principal),
            action=action[:64],
            target_type=target_type,
            target_id=None if target_id is None else str(target_id)[:64],
            detail=detail,
            ip=ip,
        )
    )
    await session.flush()


async def list_audit(
    session: AsyncSession, spec: PageSpec, *, actor: str | None = None, action: str | None = None
) -> Page[AuditEntry]:
    """Newest first, optionally filtered by actor and action."""
    query = select(AuditLog)
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action == action)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(AuditLog.id.desc()).offset(spec.offset).limit(spec.size)
    )
    items = [
        AuditEntry(
            id=r.id, actor=r.actor, action=r.action, target_type=r.target_type,
            target_id=r.target_id, detail=r.detail, ip=r.ip, created_at=r.created_at,
        )
        for r in rows
    ]
    return Page(items=items, page=spec.page, size=spec.size, total=total or 0)
