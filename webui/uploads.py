"""Files dropped into the console: stored as they arrive, checksum shown before saving.

Client artifacts go to the content-addressed artifact store at once; a service bundle is
kept as a scratch file until the release is saved, then ingested (chunked and signed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from common.errors import PayloadTooLarge
from server.storage.artifacts import UPLOAD_TOO_LARGE, LocalArtifactStore
from webui.state import runtime

__all__ = ["Upload", "receive_artifact", "receive_bundle"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Upload:
    file_name: str
    size: int
    #: ``sha256:<hex>``
    checksum: str
    #: Artifact store key (client artifacts) or None.
    storage_key: str | None = None
    #: Scratch file awaiting ingest (service bundles) or None.
    path: Path | None = None


async def receive_artifact(file_name: str, data: AsyncIterator[bytes]) -> Upload:
    settings = runtime().settings
    stored = await LocalArtifactStore(settings.storage_dir).save(data, max_bytes=settings.max_upload_bytes)
    return Upload(file_name=file_name, size=stored.size, checksum=stored.checksum, storage_key=stored.key)


async def receive_bundle(file_name: str, data: AsyncIterator[bytes]) -> Upload:
    settings = runtime().settings
    scratch = settings.storage_dir / "console-uploads"
    await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=scratch, suffix=Path(file_name).suffix, delete=False)  # noqa: SIM115
    path = Path(handle.name)
    digest, size = hashlib.sha256(), 0
    try:
        with handle:
            async for piece in data:
                size += len(piece)
                if size > settings.max_upload_bytes:
                    raise PayloadTooLarge(UPLOAD_TOO_LARGE, error_code="UPLOAD_TOO_LARGE",
                                          limit=settings.max_upload_bytes)
                digest.update(piece)
                await asyncio.to_thread(handle.write, piece)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(file_name=file_name, size=size, checksum=f"sha256:{digest.hexdigest()}", path=path)
