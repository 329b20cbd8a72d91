"""Where uploaded single-file artifacts live: a tiny store interface and its local backend.

Blobs are content-addressed (``artifacts/<aa>/<sha256 hex>``), so the same file uploaded
twice is stored once. A write goes to a temporary file first and is renamed into place
only when complete and within the size limit, so a failed upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from common.errors import InvalidInput, PayloadTooLarge
from common.i18n import N_

__all__ = ["ArtifactStore", "LocalArtifactStore", "StoredBlob", "UPLOAD_TOO_LARGE"]

UPLOAD_TOO_LARGE = N_("The upload exceeds the size limit of {limit} bytes")
CHECKSUM_MISMATCH = N_("The uploaded file's checksum {actual} differs from the expected {expected}")
SIZE_MISMATCH = N_("The uploaded file has {actual} bytes, not the announced {expected}")


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredBlob:
    key: str
    size: int
    #: ``sha256:<hex>`` of the content.
    checksum: str


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

    async def save(
        self, data: AsyncIterable[bytes], *, max_bytes: int, expected_checksum: str | None = None,
        expected_size: int | None = None,
    ) -> StoredBlob:
        """Store ``data``; nothing is kept when it passes ``max_bytes`` (PayloadTooLarge) or
        differs from the expected checksum or size (InvalidInput)."""
        tmp_dir = self._dir / "tmp"
        await asyncio.to_thread(tmp_dir.mkdir, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
        tmp = Path(tmp_name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as fp:
                async for piece in data:
                    size += len(piece)
                    if size > max_bytes:
                        raise PayloadTooLarge(UPLOAD_TOO_LARGE, error_code="UPLOAD_TOO_LARGE", limit=max_bytes)
                    digest.update(piece)
                    await asyncio.to_thread(fp.write, piece)
            hexdigest = digest.hexdigest()
            if expected_checksum and expected_checksum != f"sha256:{hexdigest}":
                raise InvalidInput(CHECKSUM_MISMATCH, error_code="CHECKSUM_MISMATCH",
                                   actual=f"sha256:{hexdigest}", expected=expected_checksum)
            if expected_size and expected_size != size:
                raise InvalidInput(SIZE_MISMATCH, error_code="SIZE_MISMATCH", actual=size, expected=expected_size)
            key = f"artifacts/{hexdigest[:2]}/{hexdigest}"
            target = self.path(key)
            await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(os.replace, tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size, checksum=f"sha256:{hexdigest}")

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self._dir.resolve()):
            raise ValueError(f"storage key outside the artifact store: {key!r}")
        return path

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)
