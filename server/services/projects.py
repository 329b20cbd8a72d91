"""Projects: create, list, read, update; the default project exists on first use.

A project owns channels (stable/beta/alpha from `server.db.defaults`), releases, rules
and mirrors (`download_mirrors`: region -> base URL of a download mirror).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import Conflict, InvalidInput, NotFound
from common.i18n import N_
from server.db.defaults import new_project
from server.db.models import Project
from server.services.changes import mark_changed

__all__ = [
    "ProjectInfo",
    "create_project",
    "ensure_project",
    "get_project",
    "list_projects",
    "mirrors_from_rows",
    "project_by_id",
    "project_row",
    "update_project",
]

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
BAD_SLUG = N_("Invalid project slug {slug!r}: use 1-64 lowercase letters, digits, '.', '_' or '-'")
PROJECT_NOT_FOUND = N_("Project {slug!r} not found")
PROJECT_EXISTS = N_("Project {slug!r} already exists")
MIRROR_REGION = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
MIRROR_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
BAD_MIRROR_REGION = N_("Invalid mirror region {region!r}: use up to 50 lowercase letters, digits, '_' or '-'")
BAD_MIRROR = N_("Invalid mirror URL {url!r} for region {region!r}: expected http(s)://...")
DUPLICATE_MIRROR = N_("The region {region!r} is listed more than once")
BAD_HEALTH_TIMEOUT = N_("The agents' health check timeout must be {low} to {high} seconds (0 clears it)")
BAD_RETENTION = N_("The agents' backup retention must be {low} to {high} backups (0 clears it)")
#: Bounds of the settings pushed to agents.
HEALTH_TIMEOUT_S = (5, 3600)
BACKUP_RETENTION = (1, 100)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProjectInfo:
    id: int
    slug: str
    name: str
    description: str | None
    #: Channel used when a client names none.
    default_channel: str
    #: Region -> base URL of a download mirror ("default" is the fallback region).
    download_mirrors: dict[str, str]
    created_at: datetime
    #: Pushed to the project's agents; None = each agent's config.toml.
    agent_health_timeout_s: int | None = None
    agent_backup_retention: int | None = None

    @classmethod
    def from_orm(cls, row: Project) -> ProjectInfo:
        return cls(
            id=row.id, slug=row.slug, name=row.name, description=row.description,
            default_channel=row.default_channel, download_mirrors=dict(row.download_mirrors or {}),
            created_at=row.created_at, agent_health_timeout_s=row.agent_health_timeout_s,
            agent_backup_retention=row.agent_backup_retention,
        )


def _agent_setting(value: int, bounds: tuple[int, int], message: str, code: str) -> int | None:
    if value == 0:
        return None
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidInput(message, error_code=code, low=bounds[0], high=bounds[1])
    return value


def _check_mirrors(mirrors: dict[str, Any]) -> dict[str, str]:
    checked = {}
    for region, url in mirrors.items():
        key = str(region).strip().lower()
        if not MIRROR_REGION.match(key):
            raise InvalidInput(BAD_MIRROR_REGION, error_code="INVALID_MIRROR", region=region)
        if not isinstance(url, str) or not MIRROR_URL.match(url):
            raise InvalidInput(BAD_MIRROR, error_code="INVALID_MIRROR", url=url, region=region)
        checked[key] = url.rstrip("/")
    return checked


def mirrors_from_rows(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Mirrors as an editor lists them, (region, URL) per row; rows left blank are skipped.

    InvalidInput (INVALID_MIRROR) on the first bad row or a region listed twice.
    """
    mirrors: dict[str, str] = {}
    for region, url in rows:
        if not region.strip() and not url.strip():
            continue
        ((key, base),) = _check_mirrors({region: url.strip()}).items()
        if key in mirrors:
            raise InvalidInput(DUPLICATE_MIRROR, error_code="INVALID_MIRROR", region=key)
        mirrors[key] = base
    return mirrors


async def project_row(session: AsyncSession, slug: str) -> Project:
    """The ORM row of ``slug`` (services only); NotFound otherwise."""
    row = await session.scalar(select(Project).where(Project.slug == slug))
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND, error_code="PROJECT_NOT_FOUND", slug=slug)
    return row


async def create_project(
    session: AsyncSession,
    *,
    slug: str,
    name: str = "",
    description: str | None = None,
    default_channel: str = "stable",
    download_mirrors: dict[str, str] | None = None,
) -> ProjectInfo:
    """Create a project with the default channels. Conflict if the slug is taken."""
    if not SLUG.match(slug or ""):
        raise InvalidInput(BAD_SLUG, error_code="INVALID_PROJECT", slug=slug)
    if await session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        raise Conflict(PROJECT_EXISTS, error_code="PROJECT_EXISTS", slug=slug)
    row = new_project(
        slug=slug, name=name or slug, description=description, default_channel=default_channel or "stable",
        download_mirrors=_check_mirrors(download_mirrors or {}),
    )
    session.add(row)
    await session.flush()
    mark_changed(session, row.id)
    return ProjectInfo.from_orm(row)


async def ensure_project(session: AsyncSession, slug: str) -> ProjectInfo:
    """The project ``slug``, created with defaults when missing (the default project).

    Safe under concurrent first use: a lost race re-reads the winner's row.
    """
    row = await session.scalar(select(Project).where(Project.slug == slug))
    if row is not None:
        return ProjectInfo.from_orm(row)
    try:
        async with session.begin_nested():
            return await create_project(session, slug=slug)
    except (IntegrityError, Conflict):
        return ProjectInfo.from_orm(await project_row(session, slug))


async def project_by_id(session: AsyncSession, project_id: int) -> ProjectInfo:
    row = await session.get(Project, project_id)
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND, error_code="PROJECT_NOT_FOUND", slug=project_id)
    return ProjectInfo.from_orm(row)


async def get_project(session: AsyncSession, slug: str) -> ProjectInfo:
    return ProjectInfo.from_orm(await project_row(session, slug))


async def list_projects(session: AsyncSession) -> list[ProjectInfo]:
    rows = await session.scalars(select(Project).order_by(Project.slug))
    return [ProjectInfo.from_orm(r) for r in rows]


async def update_project(
    session: AsyncSession,
    slug: str,
    *,
    name: str | None = None,
    description: str | None = None,
    default_channel: str | None = None,
    download_mirrors: dict[str, str] | None = None,
    agent_health_timeout_s: int | None = None,
    agent_backup_retention: int | None = None,
) -> ProjectInfo:
    """Change the given fields (None leaves a field as it is; 0 clears an agent setting)."""
    row = await project_row(session, slug)
    if agent_health_timeout_s is not None:
        row.agent_health_timeout_s = _agent_setting(
            agent_health_timeout_s, HEALTH_TIMEOUT_S, BAD_HEALTH_TIMEOUT, "INVALID_HEALTH_TIMEOUT")
    if agent_backup_retention is not None:
        row.agent_backup_retention = _agent_setting(
            agent_backup_retention, BACKUP_RETENTION, BAD_RETENTION, "INVALID_BACKUP_RETENTION")
    if name is not None:
        row.name = name
    if description is not None:
        row.description = description
    if default_channel is not None:
        from server.services.channels import channel_row

        row.default_channel = (await channel_row(session, row.id, default_channel)).name
    if download_mirrors is not None:
        row.download_mirrors = _check_mirrors(download_mirrors)
    await session.flush()
    mark_changed(session, row.id)
    return ProjectInfo.from_orm(row)
