"""Seed 1 admin REST API under /admin/api/v1 (versions, channels; stats in admin_stats.py).

Seed 1 `versions` are releases of kind ``client``: ``file_url``/``file_size``/
``file_checksum`` become one artifact (platform ``any`` unless ``platform`` is given),
``is_published`` mirrors status ``published``. Every route takes an optional
``project`` query parameter (default: the configured default project). Answers use the
seed 1 envelope ``{"code": <status>, "data": ...}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.http.auth import client_ip, require_principal
from server.http.errors import LegacyErrorBody
from server.runtime import Runtime
from server.services import channels as channel_svc
from server.services import releases as release_svc
from server.services.artifacts import spec_from_url
from server.services.paging import page_spec
from server.services.channels import ChannelInfo
from server.services.projects import ensure_project, project_row
from server.services.releases import ReleaseInfo
from server.services.audit import record_audit
from server.services.roles import Principal, Role

__all__ = ["router"]

READ = [Depends(require_principal(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require_principal(Role.OPERATOR))]

router = APIRouter(prefix="/admin/api/v1", tags=["seed 1 admin API"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": LegacyErrorBody, "description": "Invalid input"},
    401: {"model": LegacyErrorBody, "description": "Missing or unknown API token"},
    403: {"model": LegacyErrorBody, "description": "The token's role is too low"},
    404: {"model": LegacyErrorBody, "description": "Unknown project, channel or version"},
}


class VersionCreate(BaseModel):
    version: str = Field(max_length=50, examples=["v1.2.3"])
    channel: str = Field("stable", max_length=50)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    release_notes: str | None = None
    breaking_changes: str | None = None
    min_upgrade_version: str | None = Field(None, max_length=50)
    file_url: str = Field(max_length=1000)
    file_size: int
    file_checksum: str = Field(max_length=128)
    is_forced: bool = False
    #: Upkeep extensions.
    platform: str = "any"
    release_notes_i18n: dict[str, str] = Field(default_factory=dict)
    rollout_percentage: int | None = None
    #: Publish at once ("立即发布").
    publish: bool = False


class VersionUpdate(BaseModel):
    channel: str | None = Field(None, max_length=50)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    release_notes: str | None = None
    breaking_changes: str | None = None
    min_upgrade_version: str | None = Field(None, max_length=50)
    file_url: str | None = Field(None, max_length=1000)
    file_size: int | None = None
    file_checksum: str | None = Field(None, max_length=128)
    is_forced: bool | None = None
    platform: str | None = None
    release_notes_i18n: dict[str, str] | None = None
    rollout_percentage: int | None = None


class VersionOut(BaseModel):
    id: int
    version: str
    channel: str
    title: str
    description: str | None
    release_notes: str | None
    breaking_changes: str | None
    min_upgrade_version: str | None
    file_url: str
    file_size: int
    file_checksum: str
    is_published: bool
    is_forced: bool
    publish_time: datetime | None
    created_at: datetime
    updated_at: datetime
    project: str
    status: str
    rollout_percentage: int | None


class VersionEnvelope(BaseModel):
    code: int
    data: VersionOut


class VersionPage(BaseModel):
    items: list[VersionOut]
    total: int
    page: int
    limit: int


class VersionPageEnvelope(BaseModel):
    code: int
    data: VersionPage


class ChannelUpdate(BaseModel):
    rollout_percentage: int | None = None
    is_active: bool | None = None
    auto_publish: bool | None = None
    display_name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = None


class ChannelOut(BaseModel):
    id: int
    name: str
    display_name: str
    description: str | None
    is_active: bool
    auto_publish: bool
    rollout_percentage: int
    created_at: datetime


class ChannelEnvelope(BaseModel):
    code: int
    data: ChannelOut


class ChannelListEnvelope(BaseModel):
    code: int
    data: list[ChannelOut]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": status, "data": data}, status_code=status)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _version_json(r: ReleaseInfo, public_url: str) -> dict[str, Any]:
    art = next((a for a in r.artifacts if a.platform == "any"), r.artifacts[0] if r.artifacts else None)
    url = ""
    if art is not None:
        url = art.external_url or f"{public_url}/download/{art.id}/{art.file_name}"
    return {
        "id": r.id, "version": r.display_version, "channel": r.channel, "title": r.title,
        "description": r.description, "release_notes": r.release_notes, "breaking_changes": r.breaking_changes,
        "min_upgrade_version": r.min_upgrade_version, "file_url": url, "file_size": art.size if art else 0,
        "file_checksum": art.checksum if art else "", "is_published": r.is_published, "is_forced": r.is_forced,
        "publish_time": _iso(r.publish_time), "created_at": _iso(r.created_at), "updated_at": _iso(r.updated_at),
        "project": r.project, "status": r.status, "rollout_percentage": r.rollout_percentage,
    }


def _channel_json(c: ChannelInfo) -> dict[str, Any]:
    return {
        "id": c.id, "name": c.name, "display_name": c.display_name, "description": c.description,
        "is_active": c.is_active, "auto_publish": c.auto_publish, "rollout_percentage": c.rollout_percentage,
        "created_at": _iso(c.created_at),
    }


async def _audit(session, request: Request, who: Principal, action: str, target: int, detail: Any = None) -> None:
    await record_audit(session, who, action, action.split(".")[0], target, detail, client_ip(request))


async def _project(session, runtime: Runtime, project: str | None) -> str:
    """The slug to use; the default project is created on first use."""
    if project:
        return (await project_row(session, project)).slug
    return (await ensure_project(session, runtime.settings.default_project)).slug


@router.post("/versions", status_code=201, response_model=VersionEnvelope, responses={**ERRORS, 409: {
    "model": LegacyErrorBody, "description": "The version exists"}})
async def create_version(body: VersionCreate, request: Request, who: Operator, project: str | None = None) -> JSONResponse:
    """Create a version (draft, or published when ``publish`` or the channel auto-publishes)."""
    runtime = _runtime(request)
    spec = spec_from_url(url=body.file_url, size=body.file_size, checksum=body.file_checksum, platform=body.platform)
    async with runtime.session_factory() as s, s.begin():
        slug = await _project(s, runtime, project)
        created = await release_svc.create_release(
            s, project=slug, version=body.version, channel=body.channel, kind="client", title=body.title,
            description=body.description, release_notes=body.release_notes,
            release_notes_i18n=body.release_notes_i18n, breaking_changes=body.breaking_changes,
            min_upgrade_version=body.min_upgrade_version, is_forced=body.is_forced,
            rollout_percentage=body.rollout_percentage, artifacts=[spec], publish=body.publish,
        )
        await _audit(s, request, who, "release.create", created.id, {"version": created.display_version})
    return _ok(_version_json(created, runtime.settings.public_url), 201)


@router.get("/versions", response_model=VersionPageEnvelope, responses=ERRORS, dependencies=READ)
async def list_versions(
    request: Request,
    channel: str | None = None,
    page: int = 1,
    limit: int = 20,
    project: str | None = None,
    status: str | None = Query(None, description="draft, published, paused or revoked"),
) -> JSONResponse:
    """Versions newest first; ``limit`` is capped by the server's max_page_size."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        slug = await _project(s, runtime, project)
        found = await release_svc.list_releases(
            s, project=slug, channel=channel, kind="client", statuses=[status] if status else None,
            spec=page_spec(page, limit, maximum=runtime.settings.max_page_size),
        )
    return _ok({
        "items": [_version_json(r, runtime.settings.public_url) for r in found.items],
        "total": found.total, "page": found.page, "limit": found.size,
    })


def _changes(body: VersionUpdate) -> dict[str, Any]:
    given = body.model_dump(exclude_unset=True)
    fields = ("channel", "title", "description", "release_notes", "breaking_changes", "min_upgrade_version",
              "is_forced", "release_notes_i18n", "rollout_percentage")
    required = ("channel", "title", "is_forced")  # null means "leave as it is"
    return {k: given[k] for k in fields if k in given and not (given[k] is None and k in required)}


@router.put("/versions/{version_id}", response_model=VersionEnvelope, responses=ERRORS)
async def update_version(version_id: int, body: VersionUpdate, request: Request, who: Operator) -> JSONResponse:
    """Change a version; the file fields replace its download when all three are given."""
    runtime = _runtime(request)
    changes = _changes(body)
    async with runtime.session_factory() as s, s.begin():
        if body.file_url is not None or body.file_size is not None or body.file_checksum is not None:
            current = await release_svc.get_release(s, version_id)
            old = next((a for a in current.artifacts if a.external_url), None)
            changes["artifacts"] = [spec_from_url(
                url=body.file_url if body.file_url is not None else (old.external_url if old else ""),
                size=body.file_size if body.file_size is not None else (old.size if old else 0),
                checksum=body.file_checksum if body.file_checksum is not None else (old.checksum if old else ""),
                platform=body.platform or (old.platform if old else "any"),
            )]
        updated = await release_svc.update_release(s, version_id, **changes)
        await _audit(s, request, who, "release.update", version_id, body.model_dump(exclude_unset=True))
    return _ok(_version_json(updated, runtime.settings.public_url))


@router.post("/versions/{version_id}/publish", response_model=VersionEnvelope, responses={**ERRORS, 412: {
    "model": LegacyErrorBody, "description": "A revoked version cannot be published"}})
async def publish_version(version_id: int, request: Request, who: Operator) -> JSONResponse:
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        published = await release_svc.publish_release(s, version_id)
        await _audit(s, request, who, "release.publish", version_id)
    return _ok(_version_json(published, runtime.settings.public_url))


@router.delete("/versions/{version_id}", response_model=VersionEnvelope, responses=ERRORS)
async def delete_version(version_id: int, request: Request, who: Operator) -> JSONResponse:
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        deleted = await release_svc.delete_release(s, version_id)
        await _audit(s, request, who, "release.delete", version_id, {"version": deleted.display_version})
    return _ok(_version_json(deleted, runtime.settings.public_url))


@router.get("/channels", response_model=ChannelListEnvelope, responses=ERRORS, dependencies=READ)
async def list_channels(request: Request, project: str | None = None) -> JSONResponse:
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        slug = await _project(s, runtime, project)
        found = await channel_svc.list_channels(s, slug)
    return _ok([_channel_json(c) for c in found])


@router.put("/channels/{channel_id}", response_model=ChannelEnvelope, responses=ERRORS)
async def update_channel(
    channel_id: int, body: ChannelUpdate, request: Request, who: Operator, project: str | None = None
) -> JSONResponse:
    """Change ``rollout_percentage`` (0-100), ``is_active``, ``auto_publish``..."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        slug = await _project(s, runtime, project)
        updated = await channel_svc.update_channel(s, slug, channel_id, **body.model_dump(exclude_unset=True))
        await _audit(s, request, who, "channel.update", channel_id, body.model_dump(exclude_unset=True))
    return _ok(_channel_json(updated))
