"""Stored artifacts over HTTP: download with Range/ETag/checksum, multipart upload.

    GET  /download/{artifact_id}/{file_name}              the file (Range, If-Range, If-None-Match)
    POST /admin/api/v1/releases/{release_id}/artifacts    multipart ``file`` (+ platform, checksum,
                                                          signature); operator token; 413 over the limit

Downloads carry ``ETag: "<sha256 hex>"``, ``X-Checksum: sha256:<hex>`` and ``Digest``;
an externally hosted artifact answers 302 to its URL. With ``accel_redirect_prefix`` set,
nginx serves the bytes (``X-Accel-Redirect: <prefix>/<storage key>``).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from server.http.auth import client_ip, require_principal
from server.http.errors import ErrorBody, LegacyErrorBody
from server.http.files import LargeFileResponse
from server.runtime import Runtime
from server.services import artifacts, releases
from server.services.audit import record_audit
from server.services.roles import Principal, Role
from server.storage.artifacts import LocalArtifactStore
from server.storage.spool import upload_too_large

__all__ = ["router"]

router = APIRouter(tags=["downloads"])

LENGTH_REQUIRED = N_("The upload needs a Content-Length header")
BLOB_MISSING = N_("The file of artifact {artifact_id} is missing from storage")
UPLOAD_CHUNK = 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


@router.get(
    "/download/{artifact_id}/{file_name}",
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "Partial content"},
               302: {"description": "Externally hosted"}, 304: {"description": "Not modified"},
               404: {"model": ErrorBody}, 416: {"description": "Range not satisfiable"}},
)
async def download(artifact_id: int, file_name: str, request: Request) -> Response:
    """The artifact's bytes, resumable with Range."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s:
        info = await artifacts.get_artifact(s, artifact_id)
    if info.file_name != file_name:
        raise NotFound(artifacts.ARTIFACT_NOT_FOUND, error_code="ARTIFACT_NOT_FOUND", artifact_id=artifact_id)
    if info.storage_key is None:
        if info.external_url:
            return RedirectResponse(info.external_url, status_code=302)
        raise NotFound(BLOB_MISSING, error_code="BLOB_MISSING", artifact_id=artifact_id)
    hexdigest = info.checksum.removeprefix("sha256:")
    headers = {
        "etag": f'"{hexdigest}"',
        "x-checksum": info.checksum,
        "digest": "sha-256=" + base64.b64encode(bytes.fromhex(hexdigest)).decode(),
        "cache-control": "public, max-age=31536000, immutable",
    }
    if headers["etag"] in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    prefix = runtime.settings.accel_redirect_prefix
    if prefix:
        return Response(headers={
            **headers, "x-accel-redirect": f"{prefix.rstrip('/')}/{info.storage_key}",
            "content-disposition": f'attachment; filename="{info.file_name}"',
        })
    path = LocalArtifactStore(runtime.settings.storage_dir).path(info.storage_key)
    if not path.is_file():
        raise NotFound(BLOB_MISSING, error_code="BLOB_MISSING", artifact_id=artifact_id)
    return LargeFileResponse(path, filename=info.file_name, headers=headers, media_type="application/octet-stream")


def _limit_upload(request: Request, content_length: Annotated[int | None, Header()] = None) -> int:
    """Refuse before reading: no Content-Length (411-worthy, 400 here) or over the limit (413)."""
    limit = _runtime(request).settings.max_upload_bytes
    if content_length is None:
        raise InvalidInput(LENGTH_REQUIRED, error_code="LENGTH_REQUIRED")
    if content_length > limit + MULTIPART_OVERHEAD:
        raise upload_too_large(limit)
    return limit


@router.post(
    "/admin/api/v1/releases/{release_id}/artifacts", status_code=201,
    responses={400: {"model": LegacyErrorBody}, 401: {"model": LegacyErrorBody}, 403: {"model": LegacyErrorBody},
               404: {"model": LegacyErrorBody}, 413: {"model": LegacyErrorBody}},
)
async def upload(
    release_id: int,
    request: Request,
    who: Annotated[Principal, Depends(require_principal(Role.OPERATOR))],
    limit: Annotated[int, Depends(_limit_upload)],
    file: Annotated[UploadFile, File()],
    platform: Annotated[str, Form()] = "any",
    checksum: Annotated[str, Form()] = "",
    signature: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Store a single-file artifact for one platform of the release (replaces that platform's file)."""
    runtime = _runtime(request)
    spec = artifacts.check_upload(
        platform=platform, file_name=file.filename or "", size=0, checksum=checksum, limit=limit,
    )
    async with runtime.session_factory() as s:
        await releases.get_release(s, release_id)

    async def chunks() -> AsyncIterator[bytes]:
        while piece := await file.read(UPLOAD_CHUNK):
            yield piece

    store = LocalArtifactStore(runtime.settings.storage_dir)
    blob = await store.save(chunks(), max_bytes=limit, expected_checksum=spec.checksum)
    async with artifacts.recorded_or_removed(runtime.session_factory, store, [blob]), runtime.session_factory() as s, s.begin():
        info = await artifacts.attach_blob(s, release_id, spec, blob, signature=signature or None)
        await record_audit(s, who, "artifact.upload", "artifact", info.id,
                           {"release_id": release_id, "platform": info.platform}, client_ip(request))
    return JSONResponse({"code": 201, "data": {
        "id": info.id, "release_id": info.release_id, "platform": info.platform, "file_name": info.file_name,
        "file_size": info.size, "file_checksum": info.checksum,
        "url": runtime.settings.public_url + artifacts.stored_path(info),
    }}, status_code=201)
