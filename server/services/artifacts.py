"""Artifacts: the downloadable file of a release for one platform.

An artifact is an external URL (seed 1 `file_url`) or a blob in the artifact store
(uploaded). Its download URL is built for the client's region from the project's
mirrors (region -> base URL; `default` is the fallback); the checksum never changes.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from common.platforms import canonical_platform
from server.db.models import Artifact, Release
from server.storage.artifacts import ArtifactStore, StoredBlob
from server.storage.spool import upload_too_large

__all__ = [
    "ArtifactInfo",
    "ArtifactSpec",
    "UploadSpec",
    "attach_blob",
    "check_upload",
    "artifact_row",
    "download_url",
    "get_artifact",
    "normalize_checksum",
    "put_artifact",
    "recorded_or_removed",
    "replace_external_artifacts",
    "spec_from_url",
]

logger = logging.getLogger(__name__)

CHECKSUM = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")
BAD_CHECKSUM = N_("Invalid checksum {value!r}: expected sha256:<64 hex digits>")
BAD_URL = N_("Invalid file URL {value!r}: expected http(s)://...")
BAD_SIZE = N_("Invalid file size {value}: expected a positive number of bytes")
BAD_FILE_NAME = N_("Invalid file name {value!r}")
ARTIFACT_NOT_FOUND = N_("Artifact {artifact_id} not found")
RELEASE_NOT_FOUND = N_("Release {release_id} not found")


@dataclass(frozen=True, kw_only=True, slots=True)
class ArtifactInfo:
    id: int
    release_id: int
    #: Canonical ``os-arch`` or ``any``.
    platform: str
    file_name: str
    size: int
    #: ``sha256:<hex>``.
    checksum: str
    signature: str | None
    external_url: str | None
    #: Key in the artifact store for uploaded files.
    storage_key: str | None
    manifest_id: int | None
    created_at: datetime | None

    @classmethod
    def from_orm(cls, row: Artifact) -> ArtifactInfo:
        return cls(
            id=row.id, release_id=row.release_id, platform=row.platform, file_name=row.file_name,
            size=row.size, checksum=row.checksum, signature=row.signature, external_url=row.external_url,
            storage_key=row.storage_key, manifest_id=row.manifest_id, created_at=row.created_at,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ArtifactSpec:
    """A validated artifact to attach (external URL or stored blob)."""

    platform: str
    file_name: str
    size: int
    checksum: str
    signature: str | None = None
    external_url: str | None = None
    storage_key: str | None = None


def normalize_checksum(value: str) -> str:
    match = CHECKSUM.match((value or "").strip())
    if not match:
        raise InvalidInput(BAD_CHECKSUM, error_code="INVALID_CHECKSUM", value=value)
    return f"sha256:{match.group(1).lower()}"


def spec_from_url(
    *, url: str, size: int, checksum: str, platform: str = "any", file_name: str = "", signature: str | None = None
) -> ArtifactSpec:
    """Validate an externally hosted file (seed 1 `file_url`/`file_size`/`file_checksum`)."""
    if not re.match(r"^https?://[^\s/]+", url or ""):
        raise InvalidInput(BAD_URL, error_code="INVALID_URL", value=url)
    if size is None or size <= 0:
        raise InvalidInput(BAD_SIZE, error_code="INVALID_SIZE", value=size)
    name = file_name or url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "download"
    return ArtifactSpec(
        platform=canonical_platform(platform or "any"), file_name=name[:255], size=size,
        checksum=normalize_checksum(checksum), signature=signature or None, external_url=url,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadSpec:
    """A validated upload announcement: what the stored blob must match."""

    platform: str
    file_name: str
    #: Announced size (0 = unknown); the blob must have exactly this many bytes.
    size: int
    #: Expected ``sha256:<hex>`` or None.
    checksum: str | None
    #: Bytes accepted before the upload is refused with 413.
    max_bytes: int


def check_upload(*, platform: str, file_name: str, size: int, checksum: str, limit: int) -> UploadSpec:
    """Validate an upload before any byte is stored (PayloadTooLarge for an announced oversize)."""
    name = (file_name or "").strip()
    if not name or "/" in name or "\\" in name or name in (".", "..") or len(name) > 255:
        raise InvalidInput(BAD_FILE_NAME, error_code="INVALID_FILE_NAME", value=file_name)
    if size < 0:
        raise InvalidInput(BAD_SIZE, error_code="INVALID_SIZE", value=size)
    if size > limit:
        raise upload_too_large(limit)
    return UploadSpec(
        platform=canonical_platform(platform or "any"), file_name=name, size=size,
        checksum=normalize_checksum(checksum) if checksum else None, max_bytes=limit,
    )


async def attach_blob(
    session: AsyncSession, release_id: int, upload: UploadSpec, blob: StoredBlob, *, signature: str | None = None
) -> ArtifactInfo:
    """Attach a stored blob to the release as its ``upload.platform`` artifact."""
    if await session.get(Release, release_id) is None:  # deleted while the file was uploading
        raise NotFound(RELEASE_NOT_FOUND, error_code="RELEASE_NOT_FOUND", release_id=release_id)
    return await put_artifact(session, release_id, ArtifactSpec(
        platform=upload.platform, file_name=upload.file_name, size=blob.size, checksum=blob.checksum,
        signature=signature, storage_key=blob.key,
    ))


async def put_artifact(session: AsyncSession, release_id: int, spec: ArtifactSpec) -> ArtifactInfo:
    """Attach ``spec`` to the release, replacing the artifact of the same platform."""
    await session.execute(
        delete(Artifact).where(Artifact.release_id == release_id, Artifact.platform == spec.platform)
    )
    row = Artifact(
        release_id=release_id, platform=spec.platform, file_name=spec.file_name, size=spec.size,
        checksum=spec.checksum, signature=spec.signature, external_url=spec.external_url,
        storage_key=spec.storage_key,
    )
    session.add(row)
    await session.flush()
    return ArtifactInfo.from_orm(row)


@contextlib.asynccontextmanager
async def recorded_or_removed(
    session_factory: async_sessionmaker[AsyncSession], store: ArtifactStore, blobs: Sequence[StoredBlob]
) -> AsyncIterator[None]:
    """Around the transaction that records ``blobs`` (a list the block may still fill):
    when the block fails, the files it stored leave the store again.

    A file stays when this save did not create it or a committed artifact row uses it:
    the store is content-addressed, so the same file may belong to another release.
    """
    try:
        yield
    except BaseException:
        created = {blob.key for blob in blobs if blob.created}
        if created:
            async with session_factory() as session:
                used = set((await session.scalars(select(Artifact.storage_key).where(Artifact.storage_key.in_(created)))).all())
            for key in sorted(created - used):
                await store.delete(key)
                logger.info("removed artifact blob %s: its transaction did not commit", key)
        raise


async def replace_external_artifacts(session: AsyncSession, release_id: int, specs: list[ArtifactSpec]) -> None:
    """Drop the release's externally hosted artifacts and attach ``specs`` instead."""
    await session.execute(
        delete(Artifact).where(Artifact.release_id == release_id, Artifact.external_url.is_not(None))
    )
    for spec in specs:
        await put_artifact(session, release_id, spec)


async def artifact_row(session: AsyncSession, artifact_id: int) -> Artifact:
    row = await session.get(Artifact, artifact_id)
    if row is None:
        raise NotFound(ARTIFACT_NOT_FOUND, error_code="ARTIFACT_NOT_FOUND", artifact_id=artifact_id)
    return row


async def get_artifact(session: AsyncSession, artifact_id: int) -> ArtifactInfo:
    return ArtifactInfo.from_orm(await artifact_row(session, artifact_id))


async def artifacts_of(session: AsyncSession, release_ids: list[int]) -> dict[int, list[ArtifactInfo]]:
    found: dict[int, list[ArtifactInfo]] = {rid: [] for rid in release_ids}
    if release_ids:
        rows = await session.scalars(
            select(Artifact).where(Artifact.release_id.in_(release_ids)).order_by(Artifact.platform)
        )
        for row in rows:
            found[row.release_id].append(ArtifactInfo.from_orm(row))
    return found


def stored_path(artifact: ArtifactInfo) -> str:
    """The server's download path of a stored artifact."""
    return f"/download/{artifact.id}/{artifact.file_name}"


def download_url(artifact: ArtifactInfo, *, public_url: str, mirrors: dict[str, str], region: str | None) -> str:
    """The URL a client in ``region`` downloads ``artifact`` from.

    Stored files: the region's mirror (or ``default`` mirror, or the server's public URL)
    plus the download path. External files: when the URL starts with a known mirror's
    base, that base is swapped for the region's one (seed 1: releases.runpanel.dev ->
    releases.runpanel.cn for ``cn``); otherwise the URL is returned unchanged.
    """
    wanted = mirrors.get((region or "").strip().lower()) or mirrors.get("default")
    if artifact.external_url is None:
        return (wanted or public_url).rstrip("/") + stored_path(artifact)
    url = artifact.external_url
    if wanted:
        for base in mirrors.values():
            if url.startswith(base + "/"):
                return wanted + url[len(base):]
    return url
