"""Blob and chunk storage behind one small interface (local folder now, S3-compatible later).

    ChunkStore                       the interface (blocking; call through asyncio.to_thread)
    LocalStore(root)                 chunks/<ab>/<id>.zst, blobs/<key>
    open_store(settings) -> ChunkStore

Chunks are content-addressed zstd frames, written once and shared by every release and
project. Blobs are named files (full and incremental zips, delta packs). Writes are atomic:
a reader never sees a partial chunk or blob.
"""

from server.storage._base import ChunkStore
from server.storage._local import LocalStore, open_store

__all__ = ["ChunkStore", "LocalStore", "open_store"]
