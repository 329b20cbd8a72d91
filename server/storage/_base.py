"""The storage interface."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator
from typing import BinaryIO, Protocol

__all__ = ["ChunkStore"]


class ChunkStore(Protocol):
    """Content-addressed chunks plus named blobs. Methods block; run them in a thread."""

    def has_chunk(self, chunk_id: str) -> bool: ...

    def put_chunk(self, chunk_id: str, frame: bytes) -> bool:
        """Store a zstd frame under its id; False when it was already there."""

    def get_chunk(self, chunk_id: str) -> bytes:
        """The stored zstd frame; FileNotFoundError when absent."""

    def delete_chunk(self, chunk_id: str) -> None: ...

    def stored_chunks(self) -> Iterator[tuple[str, float]]:
        """(id, modification time as a Unix timestamp) of every stored chunk, in no order."""

    def put_blob(self, key: str, source: Path) -> int:
        """Move or copy ``source`` to ``key``; returns its size."""

    def open_blob(self, key: str) -> BinaryIO:
        """Open a blob for reading; FileNotFoundError when absent."""

    def blob_size(self, key: str) -> int | None: ...

    def local_path(self, key: str) -> Path | None:
        """A filesystem path for the blob when the backend has one (sendfile, nginx)."""

    def delete_blob(self, key: str) -> None: ...

    def blob_keys(self, prefix: str) -> Iterator[str]:
        """Keys of the stored blobs under the folder ``prefix`` (e.g. ``packages``)."""

    def scratch_dir(self) -> Path:
        """A folder on the same filesystem for building blobs before put_blob."""
