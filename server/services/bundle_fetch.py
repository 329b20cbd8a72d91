"""What FetchChunks sends: delta packs where cached and useful, plain chunk frames otherwise.

    plan_fetch(session, settings, request) -> FetchPlan       (validates the request)
    fetch_frames(settings, plan) -> AsyncIterator[ChunkBatchFrame | PackFrame]

Frames stay under 1 MiB: plain chunks travel as stored (no recompression), as many whole
chunks per frame as fit. Storage is read a few MiB at a time in a thread, the next read
running while the current one is sent, and the consumer (the gRPC stream) pulls frames
one by one, so a slow agent holds the server to a few MiB in flight, never a whole bundle.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from server.config import Settings
from server.db import models as m
from server.services import bundle_deltas
from server.services.bundles import signed_manifest
from server.storage import ChunkStore, open_store

__all__ = ["FRAME_BYTES", "MAX_CHUNKS_PER_FETCH", "ChunkBatchFrame", "ChunkFrame", "FetchPlan", "FetchRequest", "PackFrame", "fetch_frames", "plan_fetch"]

MAX_CHUNKS_PER_FETCH = 4096
FRAME_BYTES = 1024 * 1024
PACK_FRAME_DATA = FRAME_BYTES - 64 * 1024  # room for the pack header in the first frame
#: Protobuf bytes around one chunk in a batch: id, sizes, tags and lengths.
CHUNK_OVERHEAD = 96
_READ_BYTES = 8 * 1024 * 1024
UNKNOWN_CHUNKS = N_("{count} requested chunks are not part of release {release_id}, e.g. {example}.")
TOO_MANY_CHUNKS = N_("At most {limit} chunks can be fetched per call.")
NO_CHUNKS = N_("No chunk ids were given.")


@dataclass(frozen=True, kw_only=True, slots=True)
class FetchRequest:
    release_id: int
    chunk_ids: Sequence[str]
    #: Project of the calling agent; releases of other projects are not found.
    project: str
    #: Release the agent has installed and verified (delta base); 0 = none.
    base_release_id: int = 0
    base_file_sha256s: Sequence[str] = ()
    accept_delta: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class FetchPlan:
    plain: tuple[tuple[str, int], ...]  # (chunk id, raw size)
    packs: tuple[bundle_deltas.Pack, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ChunkFrame:
    chunk_id: str
    data: bytes
    raw_size: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ChunkBatchFrame:
    """Whole chunks that fit one frame together."""

    chunks: tuple[ChunkFrame, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class PackFrame:
    pack: bundle_deltas.Pack
    frame_index: int
    frame_count: int
    data: bytes


async def _manifest_id(session: AsyncSession, release_id: int) -> int | None:
    return (
        await session.execute(
            select(m.BundleManifest.id).where(m.BundleManifest.release_id == release_id).order_by(m.BundleManifest.id.desc()).limit(1)
        )
    ).scalar_one_or_none()


async def plan_fetch(session: AsyncSession, settings: Settings, request: FetchRequest) -> FetchPlan:
    """Check the request against the release's manifest and choose packs for it."""
    if not request.chunk_ids:
        raise InvalidInput(NO_CHUNKS, error_code="NO_CHUNKS")
    if len(request.chunk_ids) > MAX_CHUNKS_PER_FETCH:
        raise InvalidInput(TOO_MANY_CHUNKS, error_code="TOO_MANY_CHUNKS", limit=MAX_CHUNKS_PER_FETCH)
    target = await signed_manifest(session, settings, request.release_id, project=request.project)
    sizes = target.manifest.chunk_sizes()
    unknown = [c for c in request.chunk_ids if c not in sizes]
    if unknown:
        raise NotFound(UNKNOWN_CHUNKS, error_code="UNKNOWN_CHUNKS", count=len(unknown), release_id=request.release_id, example=unknown[0][:80])
    wanted = list(dict.fromkeys(request.chunk_ids))
    packs: list[bundle_deltas.Pack] = []
    if request.accept_delta and request.base_release_id:
        base_id = await _manifest_id(session, request.base_release_id)
        cached = None
        if base_id is not None:
            cached = await asyncio.to_thread(bundle_deltas.load_pair, open_store(settings), base_id, target.id)
        held = set(request.base_file_sha256s)
        wanted_set = set(wanted)
        for pack in cached or ():
            ids = {t[0] for t in pack.targets}
            if pack.base_file_sha256 in held and ids <= wanted_set:
                packs.append(pack)
                wanted_set -= ids
        wanted = [c for c in wanted if c in wanted_set]
    return FetchPlan(plain=tuple((c, sizes[c]) for c in wanted), packs=tuple(packs))


async def fetch_frames(settings: Settings, plan: FetchPlan) -> AsyncIterator[ChunkBatchFrame | PackFrame]:
    """Frames for ``plan``: packs first, then plain chunks in request order."""
    store = open_store(settings)
    for pack in plan.packs:
        count = max(1, -(-pack.size // PACK_FRAME_DATA))
        blob = await asyncio.to_thread(store.open_blob, pack.key)
        try:
            for index in range(count):
                data = await asyncio.to_thread(blob.read, PACK_FRAME_DATA)
                yield PackFrame(pack=pack, frame_index=index, frame_count=count, data=data)
        finally:
            blob.close()
    reads = _read_groups(plan.plain)
    pending: asyncio.Future[list[ChunkFrame]] | None = None
    try:
        for index, group in enumerate(reads):
            if pending is None:
                pending = asyncio.ensure_future(asyncio.to_thread(_read_chunks, store, group))
            frames = await pending
            pending = asyncio.ensure_future(asyncio.to_thread(_read_chunks, store, reads[index + 1])) if index + 1 < len(reads) else None
            for batch in _batches(frames):
                yield ChunkBatchFrame(chunks=batch)
    finally:
        if pending is not None:
            pending.cancel()


def _read_groups(plain: Sequence[tuple[str, int]]) -> list[Sequence[tuple[str, int]]]:
    """Chunks in groups of about ``_READ_BYTES`` raw bytes (one storage read each)."""
    groups: list[Sequence[tuple[str, int]]] = []
    start = size = 0
    for index, (_, raw) in enumerate(plain):
        size += raw
        if size >= _READ_BYTES:
            groups.append(plain[start : index + 1])
            start, size = index + 1, 0
    if start < len(plain):
        groups.append(plain[start:])
    return groups


def _read_chunks(store: ChunkStore, group: Sequence[tuple[str, int]]) -> list[ChunkFrame]:
    return [ChunkFrame(chunk_id=cid, data=store.get_chunk(cid), raw_size=raw) for cid, raw in group]


def _batches(frames: list[ChunkFrame]) -> Iterator[tuple[ChunkFrame, ...]]:
    """Consecutive chunks grouped so each group's message stays within ``FRAME_BYTES``."""
    batch: list[ChunkFrame] = []
    size = 0
    for frame in frames:
        cost = len(frame.data) + CHUNK_OVERHEAD
        if batch and size + cost > FRAME_BYTES:
            yield tuple(batch)
            batch, size = [], 0
        batch.append(frame)
        size += cost
    if batch:
        yield tuple(batch)
