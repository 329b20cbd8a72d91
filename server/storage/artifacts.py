"""Where uploaded single-file artifacts live: a tiny store interface and its local backend.

Blobs are content-addressed (``artifacts/<aa>/<sha256 hex>``), so the same file uploaded
twice is stored once. A write goes to a temporary file first and is renamed into place
only when complete and within the size limit, so a failed upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from common.errors import InvalidInput
from common.i18n import N_
from server.storage.spool import spool

__all__ = ["ArtifactStore", "LocalArtifactStore", "StoredBlob", "blob_key"]

CHECKSUM_MISMATCH = N_("The uploaded file's checksum {actual} differs from the expected {expected}")
SIZE_MISMATCH = N_("The uploaded file has {actual} bytes, not the announced {expected}")


def blob_key(checksum: str) -> str:
    """Where content with ``checksum`` (``sha256:<hex>``) is stored."""
    hexdigest = checksum.removeprefix("sha256:")
    return f"artifacts/{hexdigest[:2]}/{hexdigest}"


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredBlob:
    key: str
    size: int
    #: ``sha256:<hex>`` of the content.
    checksum: str
    #: This save put the file there (the same content was not stored before).
    created: bool = False


class ArtifactStore(Protocol):
    async def save(
        self, data: AsyncIterable[bytes], *, max_bytes: int, expected_checksum: str | None = None,
        expected_size: int | None = None,
    ) -> StoredBlob: ...

    def path(self, key: str) -> Path: ...

    async def delete(self, key: str) -> None: ...


class LocalArtifactStore:
    """Blobs under ``<storage_dir>/artifacts``."""

    def __init__(self, storage_dir: Path) -> None:
        self.root = Path(storage_dir)
        self._dir = self.root / "artifacts"

    @property
    def scratch_dir(self) -> Path:
        """Where uploads are spooled before they are renamed into place."""
        return self._dir / "tmp"

    async def save(
        self, data: AsyncIterable[bytes], *, max_bytes: int, expected_checksum: str | None = None,
        expected_size: int | None = None,
    ) -> StoredBlob:
        """Store ``data``; nothing is kept when it passes ``max_bytes`` (PayloadTooLarge) or
        differs from the expected checksum or size (InvalidInput)."""
        staged = await spool(data, directory=self.scratch_dir, max_bytes=max_bytes)
        try:
            if expected_checksum and expected_checksum != staged.sha256:
                raise InvalidInput(CHECKSUM_MISMATCH, error_code="CHECKSUM_MISMATCH",
                                   actual=staged.sha256, expected=expected_checksum)
            if expected_size and expected_size != staged.size:
                raise InvalidInput(SIZE_MISMATCH, error_code="SIZE_MISMATCH", actual=staged.size, expected=expected_size)
            key = blob_key(staged.sha256)
            target = self.path(key)
            await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
            created = not await asyncio.to_thread(target.exists)
            await asyncio.to_thread(os.replace, staged.path, target)
        except BaseException:
            staged.path.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=staged.size, checksum=staged.sha256, created=created)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self._dir.resolve()):
            raise ValueError(f"storage key outside the artifact store: {key!r}")
        return path

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)
