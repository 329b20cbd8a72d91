"""Update manifests for polling clients (seed 2 §8.3 and the Tauri updater).

    GET /api/v1/services/updates/manifest?current_version=   seed §7.2.2 manifest, 304 when current
    GET /api/v1/docker/update/manifest                        alias (seed §6 config path)
    GET /api/v1/client/updates/manifest?platform=&current_version=   Tauri static JSON, 204 when none
    GET /api/v1/client/update/manifest                        alias (seed §6 config path)
    GET /{project}/tauri/{target}/{arch}/{current_version}    Tauri dynamic endpoint, 204 when none

Seed 2 routes need ``X-Client-ID`` (400 without); the client's registered project, region
and labels steer the answer, ``channel`` (query) picks another channel. The Tauri dynamic
endpoint takes ``X-Client-ID`` when the app sends it and otherwise rolls out by caller IP.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel

from common.errors import InvalidInput
from common.platforms import canonical_platform
from common.versions import Version
from server.http.auth import client_ip
from server.http.clients import ERRORS_400, client_uuid_header, iso_z
from server.http.errors import ErrorBody, request_locale
from server.runtime import Runtime
from server.services import clients, manifests
from server.services.events import EventRecord, EventRecorder
from server.services.resolve import ReleaseCatalog, UpdateAnswer, UpdateQuery

__all__ = ["router"]

router = APIRouter(tags=["updates (seed 2, Tauri)"])

ERRORS_404 = {404: {"model": ErrorBody, "description": "Unknown project or channel"}}


class PackageOut(BaseModel):
    url: str
    hash: str
    size: int


class PackagesOut(BaseModel):
    full: PackageOut
    incremental: PackageOut


class ServiceManifestOut(BaseModel):
    """Seed 2 §7.2.2 ``manifest.json``."""

    version: str
    release_date: str
    channel: str
    notes: str
    packages: PackagesOut


class TauriPlatformOut(BaseModel):
    signature: str
    url: str


class TauriStaticOut(BaseModel):
    """Tauri updater static JSON (seed 2 §8.3.2)."""

    version: str
    notes: str
    pub_date: str
    platforms: dict[str, TauriPlatformOut]


class TauriDynamicOut(BaseModel):
    """Tauri updater dynamic-server answer."""

    version: str
    notes: str
    pub_date: str
    url: str
    signature: str


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _catalog(runtime: Runtime) -> ReleaseCatalog:
    return runtime.component("releases", ReleaseCatalog)


def _client_platform(client: clients.ClientInfo | None) -> str | None:
    """The registered os/arch as a canonical platform, when it is one."""
    if client is None or not client.os_type or not client.architecture:
        return None
    try:
        return canonical_platform(client.os_type, client.architecture)
    except InvalidInput:  # an unusual registration must not break the check
        return None


def _query(
    request: Request,
    client_id: str,
    client: clients.ClientInfo | None,
    current_version: str,
    *,
    platform: str | None,
    channel: str | None,
    project: str | None = None,
) -> UpdateQuery:
    """Who asks: the request's values, and what the client registered with."""
    return UpdateQuery(
        client_id=client_id, current_version=current_version,
        project=project or (client.project if client else None), channel=channel or None, platform=platform,
        region=client.region if client else None, labels=client.labels if client else {},
        locale=request_locale(request),
    )


async def _registered(runtime: Runtime, client_uuid: str) -> clients.ClientInfo | None:
    # A short session of its own: resolution may open one, and SQLite allows one writer.
    async with runtime.session_factory() as session:
        return await clients.get_client(session, client_uuid)


async def _checked(
    request: Request, answer: UpdateAnswer, query: UpdateQuery, client_uuid: str | None, **versions: str
) -> None:
    """Record the ``check`` event and, for a registered client, refresh last_seen_at and its version."""
    runtime = _runtime(request)
    runtime.component("events", EventRecorder).record(EventRecord(
        action="check", version=answer.latest_version, project_id=answer.project_id,
        release_id=answer.release.id if answer.release else None, client_id=query.client_id,
        client_version=query.current_version, region=query.region, ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    ))
    if client_uuid:
        async with runtime.session_factory() as session, session.begin():
            await clients.touch_client(session, client_uuid, ip=client_ip(request), **versions)


async def service_manifest(
    request: Request,
    current_version: str = Query(..., max_length=50, description="The service version the client runs"),
    channel: str | None = Query(None, max_length=50),
    client_uuid: str = Depends(client_uuid_header),
) -> Response:
    """The seed §7.2.2 manifest of the service release to take, or 304 when up to date."""
    version = Version.parse(current_version)
    runtime = _runtime(request)
    client = await _registered(runtime, client_uuid)
    query = _query(request, client_uuid, client, current_version, channel=channel, platform=_client_platform(client))
    answer, found = await manifests.service_manifest(_catalog(runtime), runtime.session_factory, runtime.settings, query)
    await _checked(request, answer, query, client_uuid, service_version=version.display)
    if found is None:
        return Response(status_code=304)
    body = ServiceManifestOut(
        version=found.version, release_date=iso_z(found.release_date), channel=found.channel, notes=found.notes,
        packages=PackagesOut(
            full=PackageOut(url=found.full.url, hash=found.full.hash, size=found.full.size),
            incremental=PackageOut(url=found.incremental.url, hash=found.incremental.hash, size=found.incremental.size),
        ),
    )
    return Response(body.model_dump_json(), media_type="application/json")


async def client_manifest(
    request: Request,
    platform: str = Query(..., max_length=40, description="Tauri target, e.g. windows-x86_64"),
    current_version: str = Query(..., max_length=50),
    channel: str | None = Query(None, max_length=50),
    client_uuid: str = Depends(client_uuid_header),
) -> Response:
    """The Tauri static-JSON manifest of the client release to take, or 204 when none."""
    version = Version.parse(current_version)
    wanted = canonical_platform(platform)
    runtime = _runtime(request)
    client = await _registered(runtime, client_uuid)
    query = _query(request, client_uuid, client, current_version, channel=channel, platform=wanted)
    answer, found = await manifests.client_manifest(_catalog(runtime), query)
    await _checked(request, answer, query, client_uuid, client_version=version.display)
    if found is None:
        return Response(status_code=204)
    body = TauriStaticOut(
        version=found.version, notes=found.notes, pub_date=iso_z(found.pub_date),
        platforms={key: TauriPlatformOut(signature=p.signature, url=p.url) for key, p in sorted(found.platforms.items())},
    )
    return Response(body.model_dump_json(), media_type="application/json")


_SERVICE_RESPONSES = {
    200: {"model": ServiceManifestOut, "description": "The manifest (seed §7.2.2)"},
    304: {"description": "Up to date"}, **ERRORS_400, **ERRORS_404,
}
_CLIENT_RESPONSES = {
    200: {"model": TauriStaticOut, "description": "Tauri static JSON"},
    204: {"description": "No update"}, **ERRORS_400, **ERRORS_404,
}
for _path in ("/api/v1/services/updates/manifest", "/api/v1/docker/update/manifest"):
    router.add_api_route(_path, service_manifest, methods=["GET"], responses=_SERVICE_RESPONSES,
                         response_class=Response, name=f"service_manifest{_path}")
for _path in ("/api/v1/client/updates/manifest", "/api/v1/client/update/manifest"):
    router.add_api_route(_path, client_manifest, methods=["GET"], responses=_CLIENT_RESPONSES,
                         response_class=Response, name=f"client_manifest{_path}")


@router.get(
    "/{project}/tauri/{target}/{arch}/{current_version}", response_class=Response,
    responses={200: {"model": TauriDynamicOut, "description": "An update"}, 204: {"description": "No update"},
               **ERRORS_400, **ERRORS_404},
)
async def tauri_dynamic(
    project: str,
    target: str,
    arch: str,
    current_version: str,
    request: Request,
    channel: str | None = Query(None, max_length=50),
    x_client_id: str | None = Header(None, alias="X-Client-ID"),
) -> Response:
    """Tauri updater dynamic endpoint: ``{{target}}`` / ``{{arch}}`` / ``{{current_version}}``."""
    version = Version.parse(current_version)
    wanted = canonical_platform(target, arch)
    runtime = _runtime(request)
    client_uuid = clients.parse_client_uuid(x_client_id) if x_client_id else None
    client = await _registered(runtime, client_uuid) if client_uuid else None
    identity = client_uuid or f"ip:{client_ip(request)}"
    query = _query(request, identity, client, current_version, channel=channel, platform=wanted, project=project)
    answer, found = await manifests.client_manifest(_catalog(runtime), query)
    await _checked(request, answer, query, client_uuid if client else None, client_version=version.display)
    if found is None:
        return Response(status_code=204)
    body = TauriDynamicOut(
        version=found.version, notes=found.notes, pub_date=iso_z(found.pub_date),
        url=found.own.url, signature=found.own.signature,
    )
    return Response(body.model_dump_json(), media_type="application/json")
