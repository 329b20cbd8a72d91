"""Bundle upload (multipart) and package downloads (Range, ETag, X-Accel-Redirect).

    POST /admin/api/v1/releases/{release_id}/bundle              operator; form field ``file``
    GET  /api/v1/packages/{project}/{version}/docker.zip
    GET  /api/v1/packages/{project}/{version}/incremental-from-{from}.zip

Downloads honour ``Range``/``If-Range`` and answer ``If-None-Match`` with 304. With
``accel_redirect_prefix`` set, the server only checks the request and hands the file to
nginx (``X-Accel-Redirect: <prefix>/<storage key>``), which serves it with sendfile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import UploadFile
from pydantic import BaseModel

from common.errors import InvalidInput
from common.i18n import N_
from server.http.auth import AUTH_RESPONSES, client_ip, require_principal
from server.http.errors import ErrorBody
from server.http.files import LargeFileResponse
from server.runtime import Runtime
from server.services import bundles
from server.services.roles import Principal, Role
from server.storage.spool import upload_too_large

__all__ = ["router"]

router = APIRouter(tags=["bundles"])
_BLOCK = 1024 * 1024
_FORM_OVERHEAD = 64 * 1024
NO_FILE = N_("The form has no file field named 'file'.")
_UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}},
        }}},
    }
}


class PackageOut(BaseModel):
    url: str
    hash: str
    size: int


class BundleOut(BaseModel):
    release_id: int
    artifact_id: int
    manifest_id: int
    key_id: str
    file_count: int
    total_size: int
    chunk_count: int
    new_chunk_count: int
    stored_bytes: int
    full: PackageOut


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def _blocks(upload: UploadFile) -> AsyncIterator[bytes]:
    while block := await upload.read(_BLOCK):
        yield block


@router.post(
    "/admin/api/v1/releases/{release_id}/bundle", status_code=201, response_model=BundleOut,
    responses={**AUTH_RESPONSES, 400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}},
    openapi_extra=_UPLOAD_SCHEMA,
)
async def upload_bundle(
    release_id: int, request: Request, checksum: str = "", principal: Principal = Depends(require_principal(Role.OPERATOR)),
) -> BundleOut:
    """Upload the zip or tar of a service release's compose folder (multipart field ``file``)."""
    runtime = _runtime(request)
    limit = runtime.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_OVERHEAD:  # refuse before reading the body
        raise upload_too_large(limit)
    async with request.form(max_files=1, max_fields=4) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput(NO_FILE, error_code="NO_FILE")
        archive = await bundles.spool_upload(runtime.settings, _blocks(file))
    try:
        result = await bundles.ingest_bundle(
            runtime.session_factory, runtime.settings, release_id=release_id, archive=archive, checksum=checksum,
            principal=principal, ip=client_ip(request), file_name=file.filename or "",
        )
    finally:
        archive.unlink(missing_ok=True)
    runtime.spawn(bundles.prepare_pair(runtime.session_factory, runtime.settings, release_id), name=f"bundle-pair-{release_id}")
    return BundleOut(
        release_id=release_id, artifact_id=result.artifact_id, manifest_id=result.signed.id, key_id=result.signed.key_id,
        file_count=result.file_count, total_size=result.total_size, chunk_count=result.chunk_count,
        new_chunk_count=result.new_chunk_count, stored_bytes=result.stored_bytes,
        full=PackageOut(url=result.full.url, hash=result.full.hash, size=result.full.size),
    )


@router.get("/api/v1/packages/{project}/{version}/{file_name}", responses={404: {"model": ErrorBody}})
async def download_package(project: str, version: str, file_name: str, request: Request) -> Response:
    """A full or incremental zip (seed §7.2.2 ``packages``)."""
    runtime = _runtime(request)
    async with runtime.session_factory() as session:
        package = await bundles.package_file(session, runtime.settings, project=project, version=version, file_name=file_name)
    etag = f'"{package.etag}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    prefix = runtime.settings.accel_redirect_prefix
    if prefix or package.path is None:
        headers["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{package.key}"
        headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return Response(media_type="application/zip", headers=headers)
    return LargeFileResponse(package.path, media_type="application/zip", filename=file_name, headers=headers)
