"""Seed 2 §8 HTTP API for clients without an agent, byte-compatible with the seed.

    POST /api/v1/clients/register               201 (empty), 409 known uuid, 400 bad body
    POST /api/v1/history/service-upgrades       202 (empty)
    POST /api/v1/history/client-self-upgrades   202 (empty)
    GET  /api/v1/announcements?since=           {"announcements": [{id, level, content, created_at}]}
    POST /api/v1/diagnostics/upload             201 {id, file_name, size, sha256}; 413 over the limit

Every route but register needs ``X-Client-ID`` (400 without) and refreshes the client's
``last_seen_at``. Errors: ``{"error_code": ..., "message": ...}`` in the Accept-Language.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from common.errors import InvalidInput
from common.i18n import N_
from server.http.auth import client_ip
from server.http.errors import ErrorBody, request_locale
from server.http.multipart import first_file_part
from server.runtime import Runtime
from server.services import announcements as ann
from server.services import clients, diagnostics
from server.storage import open_store
from server.storage.spool import upload_too_large

__all__ = ["client_uuid_header", "iso_z", "router"]

router = APIRouter(prefix="/api/v1", tags=["clients (seed 2)"])

BAD_SINCE = N_("Invalid time {value!r}: expected ISO 8601 like 2025-06-25T14:00:00Z.")

ERRORS_400 = {400: {"model": ErrorBody, "description": "Bad body, or X-Client-ID missing or malformed"}}
ERRORS_404 = {404: {"model": ErrorBody, "description": "The client is not registered"}}


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with ``Z``, as the seed writes times (microseconds kept when present)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def client_uuid_header(
    x_client_id: str | None = Header(None, alias="X-Client-ID", description="The client's UUID (seed 2 §8.1)"),
) -> str:
    """The canonical client UUID from ``X-Client-ID``; 400 when missing or malformed."""
    return clients.parse_client_uuid(x_client_id)


class RegisterBody(BaseModel):
    """Seed 2 §8.2.1, plus optional Upkeep fields."""

    client_uuid: str = Field(max_length=64)
    os_type: str | None = Field(None, max_length=32)
    os_version: str | None = Field(None, max_length=64)
    architecture: str | None = Field(None, max_length=32)
    project: str | None = Field(None, max_length=64, description="Project slug; default project when absent")
    hostname: str | None = Field(None, max_length=255)
    region: str | None = Field(None, max_length=50)
    client_version: str | None = Field(None, max_length=50)
    service_version: str | None = Field(None, max_length=50)
    labels: dict[str, str] = Field(default_factory=dict)


class UpgradeBody(BaseModel):
    """Seed 2 §8.4.1 / §8.4.2."""

    from_version: str = Field(max_length=50)
    to_version: str = Field(max_length=50)
    status: str = Field(description="SUCCESS or FAILED")
    details: str | None = None


class AnnouncementOut(BaseModel):
    id: int
    level: str
    content: str
    created_at: str


class AnnouncementList(BaseModel):
    announcements: list[AnnouncementOut]


class DiagnosticOut(BaseModel):
    id: int
    file_name: str
    size: int
    sha256: str


@router.post(
    "/clients/register", status_code=201, response_class=Response,
    responses={201: {"description": "Registered (empty body)"}, **ERRORS_400,
               404: {"model": ErrorBody, "description": "Unknown project"},
               409: {"model": ErrorBody, "description": "client_uuid already registered"}},
)
async def register(body: RegisterBody, request: Request) -> Response:
    """Register a client on its first start."""
    runtime = _runtime(request)
    registration = clients.Registration(**body.model_dump(), ip=client_ip(request))
    async with runtime.session_factory() as session, session.begin():
        await clients.register_client(session, registration, default_project=runtime.settings.default_project)
    return Response(status_code=201)


async def _report(request: Request, client_uuid: str, body: UpgradeBody, kind: clients.UpgradeKind) -> Response:
    report = clients.UpgradeReport(kind=kind, **body.model_dump())
    async with _runtime(request).session_factory() as session, session.begin():
        client = clients.require_client(await clients.touch_client(session, client_uuid, ip=client_ip(request)), client_uuid)
        await clients.record_upgrade(
            session, client, report, ip=client_ip(request), user_agent=request.headers.get("user-agent")
        )
    return Response(status_code=202)


@router.post(
    "/history/service-upgrades", status_code=202, response_class=Response,
    responses={202: {"description": "Recorded (empty body)"}, **ERRORS_400, **ERRORS_404},
)
async def service_upgrade(
    body: UpgradeBody, request: Request, client_uuid: str = Depends(client_uuid_header)
) -> Response:
    """Report the result of a Docker service upgrade."""
    return await _report(request, client_uuid, body, clients.UpgradeKind.SERVICE)


@router.post(
    "/history/client-self-upgrades", status_code=202, response_class=Response,
    responses={202: {"description": "Recorded (empty body)"}, **ERRORS_400, **ERRORS_404},
)
async def client_self_upgrade(
    body: UpgradeBody, request: Request, client_uuid: str = Depends(client_uuid_header)
) -> Response:
    """Report the result of the client's own update (sent by the new version)."""
    return await _report(request, client_uuid, body, clients.UpgradeKind.CLIENT_SELF)


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(BAD_SINCE, error_code="INVALID_SINCE", value=value[:64]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/announcements", response_model=AnnouncementList, responses=ERRORS_400)
async def announcements(
    request: Request,
    since: str | None = Query(None, description="ISO 8601; only announcements published after it"),
    client_uuid: str = Depends(client_uuid_header),
) -> AnnouncementList:
    """Announcements visible to this client now (its project's and global ones), in its language."""
    moment = _parse_since(since)
    locale = request_locale(request)
    async with _runtime(request).session_factory() as session, session.begin():
        client = await clients.touch_client(session, client_uuid, ip=client_ip(request))
        items = await ann.client_announcements(session, client.project_id if client else None, since=moment)
    return AnnouncementList(
        announcements=[
            AnnouncementOut(id=a.id, level=a.level, content=a.text(locale), created_at=iso_z(a.published_at))
            for a in items
        ]
    )


@router.post(
    "/diagnostics/upload", status_code=201, response_model=DiagnosticOut,
    responses={**ERRORS_400, **ERRORS_404, 413: {"model": ErrorBody, "description": "Over the size limit"}},
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"],
    }}}}},
)
async def upload_diagnostics(request: Request, client_uuid: str = Depends(client_uuid_header)) -> DiagnosticOut:
    """Upload a user-approved diagnostics bundle (multipart, one file)."""
    runtime = _runtime(request)
    limit = runtime.settings.max_diagnostics_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise upload_too_large(limit)
    async with runtime.session_factory() as session, session.begin():
        client = clients.require_client(await clients.touch_client(session, client_uuid, ip=client_ip(request)), client_uuid)
    store = open_store(runtime.settings)
    part = await first_file_part(request)
    staged = await diagnostics.stage_upload(part.chunks, directory=store.scratch_dir(), max_bytes=limit)
    async with runtime.session_factory() as session, session.begin():
        info = await diagnostics.store_diagnostic(session, store, client, staged, file_name=part.file_name)
    return DiagnosticOut(id=info.id, file_name=info.file_name, size=info.size, sha256=info.sha256)
