"""Storage garbage collection: chunks and packages no release uses any more leave the store.

    collect_garbage(session_factory, settings, *, orphan_age=ORPHAN_AGE) -> GarbageReport
    collect_unreferenced(session, store, *, limit) -> CollectedChunks   (one batch, caller's transaction)
    lock_chunks(session, exclusive=)                                    (ingest takes it shared)

Deleting a release only drops its chunk references (``bundles.release_chunk_references``);
this removes, in batches:

1. chunk rows with no reference left, and their files;
2. chunk files without a row that are older than ``orphan_age`` (left by an ingest that
   failed or crashed before it recorded its chunks);
3. packages of deleted releases (``packages/<release>/``) and cached delta packs between
   manifests of which one is gone (``deltas/<from>-<to>/``).

Safety against a concurrent ingest that reuses a chunk: an ingest stores or skips chunk
files first, then records its references in one transaction that holds the chunk lock
shared and, under it, writes back any chunk file that is missing by then. A collection
batch holds the lock exclusively and deletes files before it commits. So whichever
transaction runs second sees the other's effect: a batch never deletes a chunk that an
ingest has referenced, and an ingest never commits a reference to a deleted file.
PostgreSQL uses a transaction-scoped advisory lock; SQLite transactions begin IMMEDIATE
and already exclude each other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.db import models as m
from server.services.bundle_deltas import PAIRS, pair_ids
from server.storage import ChunkStore, open_store

__all__ = [
    "ORPHAN_AGE",
    "PACKAGES",
    "CollectedChunks",
    "GarbageReport",
    "collect_garbage",
    "collect_unreferenced",
    "delete_blobs",
    "lock_chunks",
    "package_release",
]

logger = logging.getLogger(__name__)

#: Chunk files without a row are left alone this long (an ingest may be about to record them).
ORPHAN_AGE = timedelta(hours=1)
BATCH = 500
_LOCK_KEY = 0x75706B6565700001  # "upkeep" + 1: the chunk store
#: Blob folder of each release's packages: ``packages/<release id>/...``.
PACKAGES = "packages"


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectedChunks:
    chunk_ids: tuple[str, ...]
    stored_bytes: int


@dataclass(frozen=True, kw_only=True, slots=True)
class GarbageReport:
    chunks: int
    chunk_bytes: int
    orphan_chunks: int
    blobs: int
    blob_bytes: int


async def lock_chunks(session: AsyncSession, *, exclusive: bool) -> None:
    """Take the chunk store's lock for the rest of the session's transaction."""
    if session.bind.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await session.execute(text(f"SELECT {function}(:key)"), {"key": _LOCK_KEY})
    else:
        await session.connection()  # SQLite: BEGIN IMMEDIATE takes the database's write lock now


async def collect_unreferenced(session: AsyncSession, store: ChunkStore, *, limit: int = BATCH) -> CollectedChunks:
    """Delete up to ``limit`` chunks with no reference, files first; commit to make it final."""
    await lock_chunks(session, exclusive=True)
    rows = (await session.execute(select(m.Chunk.id, m.Chunk.stored_size).where(m.Chunk.refcount <= 0).order_by(m.Chunk.id).limit(limit))).all()
    ids = tuple(row.id for row in rows)
    if ids:
        await asyncio.to_thread(_delete_chunks, store, ids)
        await session.execute(delete(m.Chunk).where(m.Chunk.id.in_(ids)))
    return CollectedChunks(chunk_ids=ids, stored_bytes=sum(row.stored_size for row in rows))


def package_release(key: str) -> int | None:
    """The release whose packages folder holds blob ``key``; None for other keys."""
    parts = key.split("/")
    return int(parts[1]) if len(parts) > 2 and parts[0] == PACKAGES and parts[1].isdigit() else None


def delete_blobs(store: ChunkStore, keys: list[str]) -> int:
    """Delete blobs; returns the bytes they held."""
    size = 0
    for key in keys:
        size += store.blob_size(key) or 0
        store.delete_blob(key)
    return size


def _delete_chunks(store: ChunkStore, ids: tuple[str, ...]) -> None:
    for cid in ids:
        store.delete_chunk(cid)


async def _collect_orphans(session_factory: async_sessionmaker[AsyncSession], store: ChunkStore, cutoff: float) -> int:
    candidates = await asyncio.to_thread(lambda: sorted(cid for cid, mtime in store.stored_chunks() if mtime < cutoff))
    removed = 0
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        async with session_factory() as session, session.begin():
            await lock_chunks(session, exclusive=True)
            known = set((await session.execute(select(m.Chunk.id).where(m.Chunk.id.in_(batch)))).scalars())
            orphans = tuple(cid for cid in batch if cid not in known)
            await asyncio.to_thread(_delete_chunks, store, orphans)
        removed += len(orphans)
    return removed


async def _collect_blobs(session_factory: async_sessionmaker[AsyncSession], store: ChunkStore) -> tuple[int, int]:
    keys = await asyncio.to_thread(lambda: [*store.blob_keys(PACKAGES), *store.blob_keys(PAIRS)])
    async with session_factory() as session:
        releases = set((await session.execute(select(m.Release.id))).scalars())
        manifests = set((await session.execute(select(m.BundleManifest.id))).scalars())

    def gone(key: str) -> bool:
        if (release_id := package_release(key)) is not None:
            return release_id not in releases
        if (pair := pair_ids(key)) is not None:
            return not set(pair) <= manifests
        return False

    stale = [key for key in keys if gone(key)]
    return len(stale), await asyncio.to_thread(delete_blobs, store, stale)


async def collect_garbage(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, *, orphan_age: timedelta = ORPHAN_AGE,
) -> GarbageReport:
    """Remove what no release uses any more (see the module docstring); safe while the server runs."""
    store = open_store(settings)
    cutoff = time.time() - orphan_age.total_seconds()
    chunks = chunk_bytes = 0
    while True:
        async with session_factory() as session, session.begin():
            batch = await collect_unreferenced(session, store)
        chunks += len(batch.chunk_ids)
        chunk_bytes += batch.stored_bytes
        if len(batch.chunk_ids) < BATCH:
            break
    orphans = await _collect_orphans(session_factory, store, cutoff)
    blobs, blob_bytes = await _collect_blobs(session_factory, store)
    report = GarbageReport(chunks=chunks, chunk_bytes=chunk_bytes, orphan_chunks=orphans, blobs=blobs, blob_bytes=blob_bytes)
    logger.info("storage collected: %s", report)
    return report
