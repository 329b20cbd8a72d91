"""Files dropped into the release dialog: kept as scratch files, checksum shown before saving.

    receive(file_name, data) -> Upload          on drop: <storage>/console-uploads/, hashed
    store_artifact(upload) -> StoredBlob        on save: a client artifact into the artifact store
    stored_artifacts()                          around that save's transaction: no file kept if it fails
    discard(uploads)                            when the dialog closes or its browser goes away
    discard_stale(settings)                     at start-up: what a crashed process left behind

A service bundle is ingested from its scratch file on save. Nothing reaches the stores
before the release is saved, so a cancelled dialog leaves nothing on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from server.config import Settings
from server.services.artifacts import recorded_or_removed
from server.storage.artifacts import LocalArtifactStore, StoredBlob
from server.storage.spool import spool
from webui.state import runtime

__all__ = ["Upload", "discard", "discard_stale", "receive", "scratch_dir", "store_artifact", "stored_artifacts"]

_READ_SIZE = 1024 * 1024


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Upload:
    file_name: str
    size: int
    #: ``sha256:<hex>``
    checksum: str
    #: Scratch file, removed when the dialog closes.
    path: Path


def scratch_dir(settings: Settings) -> Path:
    return settings.storage_dir / "console-uploads"


async def receive(file_name: str, data: AsyncIterator[bytes]) -> Upload:
    settings = runtime().settings
    staged = await spool(data, directory=scratch_dir(settings), max_bytes=settings.max_upload_bytes,
                         suffix=Path(file_name).suffix)
    return Upload(file_name=file_name, size=staged.size, checksum=staged.sha256, path=staged.path)


async def store_artifact(upload: Upload) -> StoredBlob:
    """Copy the scratch file into the artifact store (the scratch file stays for a retried save)."""
    settings = runtime().settings
    return await LocalArtifactStore(settings.storage_dir).save(
        _read(upload.path), max_bytes=settings.max_upload_bytes, expected_checksum=upload.checksum,
        expected_size=upload.size,
    )


@contextlib.asynccontextmanager
async def stored_artifacts() -> AsyncIterator[list[StoredBlob]]:
    """Around the transaction that records artifacts: what ``store_artifact`` stored into
    the yielded list leaves the store again when the transaction does not commit."""
    rt = runtime()
    blobs: list[StoredBlob] = []
    async with recorded_or_removed(rt.session_factory, LocalArtifactStore(rt.settings.storage_dir), blobs):
        yield blobs


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as fp:
        while block := await asyncio.to_thread(fp.read, _READ_SIZE):
            yield block


def discard(uploads: Iterable[Upload]) -> None:
    for upload in uploads:
        upload.path.unlink(missing_ok=True)


def discard_stale(settings: Settings) -> int:
    """Remove scratch files older than a session (no dialog can still save them); returns how many."""
    folder = scratch_dir(settings)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - settings.session_max_age_s
    stale = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < cutoff]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
