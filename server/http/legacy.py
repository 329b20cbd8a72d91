"""Seed 1 client API (RunPanel and other polling apps), byte-compatible with its Go client.

    POST /api/v1/check-update      -> {"code": 200, "data": {has_update, latest_version, ...}}
    POST /api/v1/download-started  -> records a `download` event
    POST /api/v1/install-result    -> records a `success` or `failed` event

A request naming no ``project`` uses the configured default project. Errors keep the
seed 1 envelope ``{"code", "error_code", "message"}`` (server/http/errors.py).
"""

from __future__ import annotations

import functools
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from common.i18n import negotiate_locale
from common.versions import Version
from server.http.errors import LegacyErrorBody
from server.http.fastlane import Fallback, Lane, LaneRequest
from server.runtime import Runtime
from server.services.events import EventRecord, EventRecorder
from server.services.resolve import ReleaseCatalog, UpdateQuery, resolve_update

__all__ = ["lanes", "router"]

router = APIRouter(prefix="/api/v1", tags=["seed 1 client API"])

ERRORS = {
    400: {"model": LegacyErrorBody, "description": "Malformed body, invalid version or platform"},
    404: {"model": LegacyErrorBody, "description": "Unknown project or channel"},
}


class CheckUpdateRequest(BaseModel):
    current_version: str = Field(max_length=50, examples=["v1.2.0"])
    channel: str | None = Field(None, max_length=50, examples=["stable"])
    client_id: str = Field("", max_length=128, examples=["unique-client-id"])
    region: str | None = Field(None, max_length=50, examples=["cn"])
    arch: str | None = Field(None, max_length=32, examples=["amd64"])
    os: str | None = Field(None, max_length=32, examples=["linux"])
    #: Upkeep extensions (optional; seed 1 clients never send them).
    project: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=16)
    labels: dict[str, str] = Field(default_factory=dict)


class CheckUpdateData(BaseModel):
    has_update: bool
    latest_version: str
    download_url: str
    file_size: int
    file_checksum: str
    is_forced: bool
    title: str
    release_notes: str
    min_upgrade_version: str


class CheckUpdateResponse(BaseModel):
    code: int = 200
    data: CheckUpdateData


class DownloadStartedRequest(BaseModel):
    version: str = Field(max_length=50, examples=["v1.2.3"])
    client_id: str = Field("", max_length=128)
    project: str | None = Field(None, max_length=64)
    region: str | None = Field(None, max_length=50)


class InstallResultRequest(DownloadStartedRequest):
    success: bool
    error_message: str = Field("", max_length=10_000)
    #: Version the client ran before (optional).
    previous_version: str | None = Field(None, max_length=50)


class Recorded(BaseModel):
    recorded: bool = True


class RecordedResponse(BaseModel):
    code: int = 200
    data: Recorded


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _origin(request: Request) -> tuple[str | None, str | None]:
    return (request.client.host if request.client else None), request.headers.get("user-agent")


@functools.lru_cache(maxsize=256)
def _locale(accept_language: str | None) -> str:
    return negotiate_locale(accept_language)


async def _check(
    runtime: Runtime, body: CheckUpdateRequest, *, accept_language: str | None, ip: str | None, agent: str | None
) -> bytes:
    """Resolve, record the `check` event and render the answer (route and fast lane alike)."""
    answer = await resolve_update(
        runtime.component("releases", ReleaseCatalog),
        UpdateQuery(
            client_id=body.client_id, current_version=body.current_version, project=body.project,
            channel=body.channel, region=body.region, os=body.os, arch=body.arch, labels=body.labels,
            locale=body.locale or _locale(accept_language),
        ),
    )
    runtime.component("events", EventRecorder).record(EventRecord(
        action="check", version=answer.latest_version, project_id=answer.project_id,
        release_id=answer.release.id if answer.release else None, client_id=body.client_id or None,
        client_version=body.current_version, region=body.region, ip_address=ip, user_agent=agent,
    ))
    return json.dumps({"code": 200, "data": {
        "has_update": answer.has_update,
        "latest_version": answer.latest_version,
        "download_url": answer.download_url,
        "file_size": answer.file_size,
        "file_checksum": answer.file_checksum,
        "is_forced": answer.is_forced,
        "title": answer.title,
        "release_notes": answer.release_notes,
        "min_upgrade_version": answer.min_upgrade_version,
    }}, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@router.post("/check-update", response_model=CheckUpdateResponse, responses=ERRORS)
async def check_update(body: CheckUpdateRequest, request: Request) -> Response:
    """Is there an update for this client? Records a `check` event."""
    ip, agent = _origin(request)
    return Response(
        await _check(_runtime(request), body, accept_language=request.headers.get("accept-language"), ip=ip, agent=agent),
        media_type="application/json",
    )


def lanes(runtime: Runtime) -> dict[tuple[str, str], Lane]:
    """check-update's fast lane (server/http/fastlane.py): the same answer without the framework."""

    async def check_update_lane(request: LaneRequest) -> bytes:
        content_type = request.headers.get("content-type")
        if content_type is not None and content_type.partition(";")[0].strip().lower() != "application/json":
            raise Fallback
        try:
            body = CheckUpdateRequest.model_validate_json(request.body)
            return await _check(runtime, body, accept_language=request.headers.get("accept-language"),
                                ip=request.client_host, agent=request.headers.get("user-agent"))
        except Exception as exc:  # the route answers it, with its own error envelope
            raise Fallback from exc

    return {("POST", f"{router.prefix}/check-update"): check_update_lane}


async def _record(request: Request, body: DownloadStartedRequest, action: str, **extra: str | None) -> JSONResponse:
    runtime = _runtime(request)
    snap = await runtime.component("releases", ReleaseCatalog).snapshot(body.project)
    release = snap.published(body.version)
    if release is None:
        Version.parse(body.version)  # a malformed version is a 400
    ip, agent = _origin(request)
    await runtime.component("events", EventRecorder).record_durable(EventRecord(
        action=action, version=body.version, project_id=snap.project.id,
        release_id=release.id if release else None, client_id=body.client_id or None, region=body.region,
        ip_address=ip, user_agent=agent, **extra,
    ))
    return JSONResponse({"code": 200, "data": {"recorded": True}})


@router.post("/download-started", response_model=RecordedResponse, responses=ERRORS)
async def download_started(body: DownloadStartedRequest, request: Request) -> JSONResponse:
    """The client started downloading ``version``: records a `download` event."""
    return await _record(request, body, "download")


@router.post("/install-result", response_model=RecordedResponse, responses=ERRORS)
async def install_result(body: InstallResultRequest, request: Request) -> JSONResponse:
    """The client installed ``version``: records `success` or `failed` with the error."""
    return await _record(
        request, body, "success" if body.success else "failed",
        error_message=body.error_message or None, client_version=body.previous_version,
    )
