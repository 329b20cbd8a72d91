"""ChunkDownloader: plan, fetch, verify and stage one release (see the package docstring)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from agent.download.installed import InstalledBundle
from agent.download.staging import Staging
from common import manifest as mf
from common.chunking import chunk_id, decompress_against, decompress_chunk
from common.errors import InvalidInput, Unavailable
from common.i18n import N_
from common.versions import parse_version
from generated.upkeep.v1 import agent_pb2 as pb
from generated.upkeep.v1 import agent_pb2_grpc

__all__ = ["ChunkDownloader", "DownloadResult", "DownloadStats", "Progress"]

logger = logging.getLogger(__name__)

WRONG_RELEASE = N_("The server sent the manifest of release {got} instead of {wanted}.")
DOWNGRADE = N_("Release {target} is older than the installed {installed}; only an explicit rollback may install it.")
CORRUPT = N_("{count} chunks stayed damaged after {attempts} attempts, e.g. {example}.")
FILE_MISMATCH = N_("Staged file {path} does not match its checksum.")
FETCH_FAILED = N_("Fetching chunks failed: {error}")
MAX_ATTEMPTS = 3
#: Messages (each at most 1 MiB) verified and written together in one thread hop.
_APPLY_MESSAGES = 8
MAX_PACK_RAW = 256 * 1024 * 1024
MAX_MANIFEST = 64 * 1024 * 1024
PLAIN_STREAMS = 2

#: await progress(bytes staged, bytes total).
Progress = Callable[[int, int], Awaitable[None]]


@dataclass(kw_only=True, slots=True)
class DownloadStats:
    total_bytes: int = 0
    resumed_bytes: int = 0
    local_bytes: int = 0
    fetched_bytes: int = 0
    #: Payload bytes received (compressed chunk frames and pack data).
    wire_bytes: int = 0
    chunks_fetched: int = 0
    packs: int = 0
    corrupt: int = 0
    #: Wall time of the whole download, and of the FetchChunks calls alone.
    seconds: float = 0.0
    fetch_seconds: float = 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class DownloadResult:
    folder: Path
    release_id: int
    manifest: mf.Manifest
    signed_bytes: bytes
    signature: str
    #: Installed paths the release no longer has.
    deleted: tuple[str, ...]
    stats: DownloadStats = field(default_factory=DownloadStats)


class _LocalIndex:
    """Chunks of the installed release, read from its files and checked before use."""

    def __init__(self, installed: InstalledBundle | None) -> None:
        self.places: dict[str, tuple[Path, int, int]] = {}
        self.installed = installed
        if installed is not None:
            for file in installed.manifest.files:
                for ref in file.chunks:
                    self.places.setdefault(ref.id, (installed.root / file.path, ref.offset, ref.size))

    def read(self, cid: str) -> bytes | None:
        place = self.places.get(cid)
        if place is None:
            return None
        path, offset, size = place
        try:
            with path.open("rb") as fp:
                fp.seek(offset)
                data = fp.read(size)
        except OSError:
            return None
        return data if len(data) == size and chunk_id(data) == cid else None


@dataclass(kw_only=True, slots=True)
class _Pack:
    header: pb.DeltaPack
    parts: list[bytes] = field(default_factory=list)


class ChunkDownloader:
    def __init__(
        self, stub: agent_pb2_grpc.AgentServiceStub, *, metadata: Sequence[tuple[str, str]], public_key: str, staging_root: Path,
        max_chunks_per_fetch: int = 1024, progress: Progress | None = None,
    ) -> None:
        self.stub = stub
        self.metadata = tuple(metadata)
        self.public_key = public_key
        self.staging_root = staging_root
        self.max_chunks = max_chunks_per_fetch
        self.progress = progress

    async def manifest(self, release_id: int, installed: InstalledBundle | None = None) -> tuple[pb.SignedManifest, mf.Manifest]:
        """The release's manifest, its signature checked against the pinned key."""
        base = installed if installed is not None and installed.signed_bytes else None
        request = pb.GetManifestRequest(release_id=release_id, base_release_id=base.release_id if base else 0)
        response = await self.stub.GetManifest(request, metadata=self.metadata)
        signed = response.manifest
        if response.signed_bytes_delta:
            if base is None or response.delta_base_release_id != base.release_id:
                raise InvalidInput(WRONG_RELEASE, error_code="WRONG_MANIFEST", got=response.delta_base_release_id, wanted=release_id)
            try:
                signed.signed_bytes = decompress_against(response.signed_bytes_delta, base.signed_bytes, MAX_MANIFEST)
            except ValueError as exc:
                raise InvalidInput(mf.BAD_MANIFEST, error_code="BAD_MANIFEST", detail=str(exc)) from exc
        manifest = mf.verify_signed(self.public_key, signed.signed_bytes, signed.signature)
        if manifest.release_id != release_id:
            raise InvalidInput(WRONG_RELEASE, error_code="WRONG_MANIFEST", got=manifest.release_id, wanted=release_id)
        return signed, manifest

    async def download(
        self, release_id: int, *, installed: InstalledBundle | None = None, allow_downgrade: bool = False, accept_delta: bool = True,
    ) -> DownloadResult:
        started = time.monotonic()
        signed, manifest = await self.manifest(release_id, installed)
        if installed is not None and parse_version(manifest.version) < parse_version(installed.manifest.version) and not allow_downgrade:
            raise InvalidInput(DOWNGRADE, error_code="DOWNGRADE_REFUSED", target=manifest.version, installed=installed.manifest.version)
        staging = await asyncio.to_thread(Staging, self.staging_root, release_id, signed.signed_bytes, signed.signature, manifest)
        stats = DownloadStats(total_bytes=sum(staging.sizes.values()))
        try:
            have = await asyncio.to_thread(self._resume, staging, stats)
            local = _LocalIndex(installed)
            await asyncio.to_thread(self._copy_local, staging, local, have, stats)
            await self._report(stats)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                missing = [c for c in staging.sizes if c not in have]
                if not missing:
                    break
                fetch_started = time.monotonic()
                corrupt = await self._fetch(staging, local, release_id, missing, have, stats, accept_delta and attempt == 1)
                stats.fetch_seconds += time.monotonic() - fetch_started
                if corrupt and attempt == MAX_ATTEMPTS:
                    raise Unavailable(CORRUPT, error_code="CORRUPT_CHUNKS", count=len(corrupt), attempts=MAX_ATTEMPTS, example=sorted(corrupt)[0])
            bad = await asyncio.to_thread(staging.bad_files)
            if bad:
                await asyncio.to_thread(staging.forget, {c.id for f in bad for c in f.chunks})
                raise InvalidInput(FILE_MISMATCH, error_code="STAGED_FILE_MISMATCH", path=bad[0].path)
            await asyncio.to_thread(staging.finish)
        finally:
            await asyncio.to_thread(staging.close)
        stats.seconds = time.monotonic() - started
        old_paths = {f.path for f in installed.manifest.files} if installed else set()
        return DownloadResult(
            folder=staging.files_dir, release_id=release_id, manifest=manifest, signed_bytes=signed.signed_bytes,
            signature=signed.signature, deleted=tuple(sorted(old_paths - {f.path for f in manifest.files})), stats=stats,
        )

    async def _report(self, stats: DownloadStats) -> None:
        if self.progress is not None:
            await self.progress(stats.resumed_bytes + stats.local_bytes + stats.fetched_bytes, stats.total_bytes)

    @staticmethod
    def _resume(staging: Staging, stats: DownloadStats) -> set[str]:
        have = set()
        for cid in dict.fromkeys(staging.logged()):
            if staging.verified_in_place(cid):
                have.add(cid)
                stats.resumed_bytes += staging.sizes[cid]
        return have

    @staticmethod
    def _copy_local(staging: Staging, local: _LocalIndex, have: set[str], stats: DownloadStats) -> None:
        for cid, size in staging.sizes.items():
            if cid in have:
                continue
            data = local.read(cid)
            if data is not None:
                staging.write(cid, data)
                have.add(cid)
                stats.local_bytes += size
        staging.flush_log()

    async def _fetch(
        self, staging: Staging, local: _LocalIndex, release_id: int, missing: list[str], have: set[str], stats: DownloadStats, delta: bool,
    ) -> set[str]:
        """Fetch ``missing`` in calls of at most ``max_chunks``; returns ids that arrived damaged.

        Plain downloads run two streams at once (one decodes while the other waits on the
        network); delta downloads use one, so every pack's chunks are in the same request.
        """
        corrupt: set[str] = set()
        installed = local.installed
        bases = sorted({f.sha256 for f in installed.manifest.files}) if installed and delta else []
        streams = 1 if bases or len(missing) < 64 else PLAIN_STREAMS
        size = min(self.max_chunks, -(-len(missing) // streams))
        requests = [
            pb.FetchChunksRequest(
                release_id=release_id, chunk_ids=missing[start : start + size], accept_delta=bool(bases),
                base_release_id=installed.release_id if bases and installed else 0, base_file_sha256s=bases,
            )
            for start in range(0, len(missing), size)
        ]
        packs: dict[str, _Pack] = {}
        lock = threading.Lock()
        gate = asyncio.Semaphore(streams)

        def apply(batch: list[pb.FetchChunksResponse]) -> None:
            with lock:
                self._apply(staging, local, batch, packs, have, corrupt, stats)

        async def run(request: pb.FetchChunksRequest) -> None:
            async with gate:
                await self._stream(request, apply, stats)

        await asyncio.gather(*(run(r) for r in requests))
        return corrupt

    async def _stream(self, request: pb.FetchChunksRequest, apply: Callable[[list[pb.FetchChunksResponse]], None], stats: DownloadStats) -> None:
        """One FetchChunks call; received frames are verified and written in a thread, batch by batch."""
        pending: asyncio.Future[None] | None = None
        batch: list[pb.FetchChunksResponse] = []
        try:
            async for message in self.stub.FetchChunks(request, metadata=self.metadata, compression=grpc.Compression.Gzip):
                batch.append(message)
                if len(batch) >= _APPLY_MESSAGES:
                    if pending is not None:
                        await pending
                        await self._report(stats)
                    pending = asyncio.ensure_future(asyncio.to_thread(apply, batch))
                    batch = []
            if pending is not None:
                await pending
            await asyncio.to_thread(apply, batch)
        except grpc.aio.AioRpcError as exc:
            if pending is not None:
                await pending
            await asyncio.to_thread(apply, batch)  # keep every verified chunk that arrived before the cut
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
                raise Unavailable(FETCH_FAILED, error_code="FETCH_FAILED", error=exc.details() or exc.code().name) from exc
            raise
        await self._report(stats)

    def _apply(
        self, staging: Staging, local: _LocalIndex, batch: list[pb.FetchChunksResponse], packs: dict[str, _Pack],
        have: set[str], corrupt: set[str], stats: DownloadStats,
    ) -> None:
        for message in batch:
            if message.WhichOneof("payload") == "chunks":
                for chunk in message.chunks.chunks:
                    self._apply_chunk(staging, chunk, have, corrupt, stats)
            elif message.WhichOneof("payload") == "delta_pack":
                self._apply_pack_frame(staging, local, message.delta_pack, packs, have, corrupt, stats)
        staging.flush_log()

    @staticmethod
    def _apply_chunk(staging: Staging, chunk: pb.ChunkData, have: set[str], corrupt: set[str], stats: DownloadStats) -> None:
        cid, frame = chunk.chunk_id, chunk.data  # each read of a bytes field copies it
        stats.wire_bytes += len(frame)
        expected = staging.sizes.get(cid)
        if expected is None or cid in have:
            return
        try:
            data = decompress_chunk(frame, expected)
        except ValueError:
            data = b""
        if chunk_id(data) != cid:
            corrupt.add(cid)
            stats.corrupt += 1
            logger.warning("chunk %s arrived damaged", cid)
            return
        staging.write(cid, data)
        have.add(cid)
        corrupt.discard(cid)
        stats.fetched_bytes += expected
        stats.chunks_fetched += 1

    def _apply_pack_frame(
        self, staging: Staging, local: _LocalIndex, frame: pb.DeltaPack, packs: dict[str, _Pack],
        have: set[str], corrupt: set[str], stats: DownloadStats,
    ) -> None:
        data = frame.data
        stats.wire_bytes += len(data)
        if frame.frame_index == 0:
            packs[frame.pack_id] = _Pack(header=frame)
        pack = packs.get(frame.pack_id)
        if pack is None:
            return
        pack.parts.append(data)
        if frame.frame_index + 1 < frame.frame_count:
            return
        del packs[frame.pack_id]
        header = pack.header
        targets = [(t.chunk_id, t.offset, t.size) for t in header.targets]
        raw = self._unpack(local, header, b"".join(pack.parts))
        stats.packs += 1
        for cid, offset, size in targets:
            data = raw[offset : offset + size] if raw is not None else b""
            if staging.sizes.get(cid) != size or chunk_id(data) != cid:
                corrupt.add(cid)
                stats.corrupt += 1
                continue
            if cid not in have:
                staging.write(cid, data)
                have.add(cid)
                stats.fetched_bytes += size
                stats.chunks_fetched += 1

    @staticmethod
    def _unpack(local: _LocalIndex, header: pb.DeltaPack, data: bytes) -> bytes | None:
        """Decompress a pack with its dictionary rebuilt from verified local chunks; None if impossible."""
        if not 0 < header.raw_size <= MAX_PACK_RAW:
            return None
        parts = []
        for cid in header.base_chunk_ids:
            chunk = local.read(cid)
            if chunk is None:
                return None
            parts.append(chunk)
        try:
            return decompress_against(data, b"".join(parts), header.raw_size)
        except ValueError:
            return None
