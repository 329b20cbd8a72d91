"""Admin REST for uploaded diagnostics bundles: list and download (operator role, audited)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from common.errors import NotFound
from server.http.auth import AUTH_RESPONSES, client_ip, require_principal
from server.http.errors import ErrorBody
from server.runtime import Runtime
from server.services import diagnostics
from server.services.audit import record_audit
from server.services.clients import parse_client_uuid
from server.services.paging import page_spec
from server.services.roles import Principal, Role
from server.storage import open_store

__all__ = ["router"]

router = APIRouter(prefix="/admin/api/v1/diagnostics", tags=["diagnostics"], responses=AUTH_RESPONSES)
operator = require_principal(Role.OPERATOR)


class DiagnosticOut(BaseModel):
    id: int
    client_uuid: str
    file_name: str
    size: int
    sha256: str
    created_at: datetime


class DiagnosticPage(BaseModel):
    diagnostics: list[DiagnosticOut]
    page: int
    limit: int
    total: int


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


@router.get("", response_model=DiagnosticPage, responses={400: {"model": ErrorBody}})
async def list_uploads(
    request: Request,
    page: int = Query(1, ge=1),
    limit: int = Query(20, ge=1),
    client_uuid: str | None = Query(None, description="Only this client's uploads"),
    project: str | None = Query(None, max_length=64, description="Only uploads of this project's clients (slug)"),
    _principal: Principal = Depends(operator),
) -> DiagnosticPage:
    """Uploaded bundles, newest first."""
    runtime = _runtime(request)
    spec = page_spec(page, limit, maximum=runtime.settings.max_page_size)
    wanted = parse_client_uuid(client_uuid) if client_uuid else None
    async with runtime.session_factory() as session:
        result = await diagnostics.list_diagnostics(session, spec, client_uuid=wanted, project=project)
    return DiagnosticPage(
        diagnostics=[
            DiagnosticOut(id=d.id, client_uuid=d.client_uuid, file_name=d.file_name, size=d.size, sha256=d.sha256,
                          created_at=d.created_at)
            for d in result.items
        ],
        page=result.page, limit=result.size, total=result.total,
    )


@router.get(
    "/{diagnostic_id}/download", response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The bundle"},
               404: {"model": ErrorBody}},
)
async def download(diagnostic_id: int, request: Request, principal: Principal = Depends(operator)) -> FileResponse:
    """The uploaded file (``X-Checksum-SHA256`` carries its hash); the download is audited."""
    runtime = _runtime(request)
    async with runtime.session_factory() as session, session.begin():
        info = await diagnostics.get_diagnostic(session, diagnostic_id)
        await record_audit(
            session, principal, "diagnostics.download", "diagnostic", info.id,
            {"client_uuid": info.client_uuid, "file_name": info.file_name}, client_ip(request),
        )
    path = open_store(runtime.settings).local_path(info.storage_key)
    if path is None or not path.is_file():
        raise NotFound(diagnostics.NOT_FOUND, error_code="DIAGNOSTIC_NOT_FOUND", diagnostic_id=diagnostic_id)
    return FileResponse(
        path, filename=info.file_name, media_type="application/octet-stream",
        headers={"X-Checksum-SHA256": info.sha256.removeprefix("sha256:")},
    )
