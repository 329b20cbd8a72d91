"""Diagnostics bundles uploaded by clients (seed 2 §10.1), kept in blob storage.

    stage_upload(chunks, directory=, max_bytes=) -> SpooledFile   (size limit while streaming)
    store_diagnostic(session, store, client, staged, file_name=) -> DiagnosticInfo
    list_diagnostics(session, spec, client_uuid=, project=) -> Page
    get_diagnostic(session, diagnostic_id) -> DiagnosticInfo

Blobs live under ``diagnostics/<client uuid>/<time>-<sha256 prefix>-<file name>``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from server.db.models import Client, Diagnostic, Project
from server.services.clients import ClientInfo
from server.services.paging import Page, PageSpec
from server.storage import ChunkStore
from server.storage.spool import SpooledFile, spool

__all__ = ["DiagnosticInfo", "get_diagnostic", "list_diagnostics", "stage_upload", "store_diagnostic"]

EMPTY = N_("The uploaded file is empty.")
NOT_FOUND = N_("Diagnostics upload {diagnostic_id} was not found.")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DiagnosticInfo:
    id: int
    client_uuid: str
    file_name: str
    storage_key: str
    size: int
    sha256: str
    created_at: datetime


async def stage_upload(chunks: AsyncIterable[bytes], *, directory: Path, max_bytes: int) -> SpooledFile:
    """Write ``chunks`` to a scratch file (PayloadTooLarge past ``max_bytes``, InvalidInput when empty)."""
    staged = await spool(chunks, directory=directory, max_bytes=max_bytes)
    if staged.size == 0:
        await asyncio.to_thread(staged.path.unlink, missing_ok=True)
        raise InvalidInput(EMPTY, error_code="EMPTY_UPLOAD")
    return staged


def _safe_name(file_name: str) -> str:
    base = _UNSAFE.sub("_", Path(file_name.replace("\\", "/")).name).strip("._") or "diagnostics"
    return base[-120:]


async def store_diagnostic(
    session: AsyncSession, store: ChunkStore, client: ClientInfo, staged: SpooledFile, *, file_name: str
) -> DiagnosticInfo:
    """Move the staged file into storage and record it (the blob is removed again if the row fails)."""
    now = datetime.now(UTC)
    name = _safe_name(file_name)
    key = f"diagnostics/{client.client_uuid}/{now:%Y%m%dT%H%M%S%f}-{staged.sha256[7:19]}-{name}"
    await asyncio.to_thread(store.put_blob, key, staged.path)
    try:
        row = Diagnostic(
            client_id=client.id, file_name=name, storage_key=key, size=staged.size, sha256=staged.sha256,
            created_at=now,
        )
        session.add(row)
        await session.flush()
    except BaseException:
        await asyncio.to_thread(store.delete_blob, key)
        raise
    return DiagnosticInfo(
        id=row.id, client_uuid=client.client_uuid, file_name=name, storage_key=key, size=staged.size,
        sha256=staged.sha256, created_at=now,
    )


def _info(row: Diagnostic, client_uuid: str) -> DiagnosticInfo:
    return DiagnosticInfo(
        id=row.id, client_uuid=client_uuid, file_name=row.file_name, storage_key=row.storage_key, size=row.size,
        sha256=row.sha256, created_at=row.created_at,
    )


async def get_diagnostic(session: AsyncSession, diagnostic_id: int) -> DiagnosticInfo:
    found = (await session.execute(
        select(Diagnostic, Client.client_uuid).join(Client, Client.id == Diagnostic.client_id)
        .where(Diagnostic.id == diagnostic_id)
    )).first()
    if found is None:
        raise NotFound(NOT_FOUND, error_code="DIAGNOSTIC_NOT_FOUND", diagnostic_id=diagnostic_id)
    return _info(found[0], found[1])


async def list_diagnostics(
    session: AsyncSession, spec: PageSpec, *, client_uuid: str | None = None, project: str | None = None
) -> Page[DiagnosticInfo]:
    """Newest first, optionally for one client and for the clients of one project (slug)."""
    query = select(Diagnostic, Client.client_uuid).join(Client, Client.id == Diagnostic.client_id)
    if client_uuid:
        query = query.where(Client.client_uuid == client_uuid)
    if project:
        query = query.join(Project, Project.id == Client.project_id).where(Project.slug == project)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(Diagnostic.id.desc()).offset(spec.offset).limit(spec.size))
    return Page(items=[_info(r, uuid) for r, uuid in rows], page=spec.page, size=spec.size, total=total or 0)
