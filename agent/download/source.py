"""The upgrade engine's bundle source over chunked delta downloads (see agent/upgrade/sources.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import grpc

from agent.download.channel import open_download_channel
from agent.download.fetcher import ChunkDownloader, DownloadResult
from agent.download.housekeeping import prune_downloads
from agent.download.installed import InstalledBundle, ManifestStore
from agent.download.progress import RateMeter
from agent.upgrade.sources import Progress, StagedBundle
from common.errors import Unavailable
from common.i18n import N_, _
from generated.upkeep.v1 import agent_pb2_grpc

__all__ = ["ChunkSource"]

RETRYING = N_("The server is unreachable or the transfer broke; resuming in {seconds} s")
UNREACHABLE = N_("Cannot reach the server at {address}: {error}")


@dataclasses.dataclass(kw_only=True)
class ChunkSource:
    """A service release fetched as chunks from the control server.

    Downloads use their own gRPC channel, so the control stream's heartbeats and commands
    never wait behind data. The staging root persists across attempts: a download cut off
    (server restarted, connection dropped) is retried after each of ``retry_delays`` and
    resumes from the chunks already verified there.
    """

    target: str
    metadata: Sequence[tuple[str, str]]
    public_key: str
    release_id: int
    version: str
    #: The compose folder now installed and its version (whose verified manifest indexes it).
    compose_dir: Path
    installed_version: str
    staging_root: Path
    manifests: ManifestStore
    allow_downgrade: bool = False
    size_bytes: int = 0
    channel_credentials: grpc.ChannelCredentials | None = None
    retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 15.0)

    @property
    def description(self) -> str:
        return f"release {self.release_id} ({self.version}) from {self.target}"

    async def stage(self, folder: Path, progress: Progress) -> StagedBundle:
        await asyncio.to_thread(
            prune_downloads, self.staging_root, self.manifests, self.installed_version, keep_release_id=self.release_id
        )
        installed = self.manifests.installed(self.compose_dir, self.installed_version, self.public_key)
        meter = RateMeter()
        percent = 0.0

        async def report(done: int, total: int) -> None:
            nonlocal percent
            percent = 90.0 * done / total if total else 0.0
            await progress(percent, meter.line(done, total))

        for delay in (*self.retry_delays, None):
            try:
                result = await self._download(installed, report)
                break
            except (Unavailable, grpc.aio.AioRpcError) as exc:
                if delay is None or not _transient(exc):
                    if isinstance(exc, grpc.aio.AioRpcError) and _transient(exc):
                        raise Unavailable(UNREACHABLE, error_code="SERVER_UNREACHABLE", address=self.target,
                                          error=exc.details() or exc.code().name) from exc
                    raise
                await progress(percent, _(RETRYING).format(seconds=f"{delay:g}"))
                await asyncio.sleep(delay)  # a pause before reconnecting, not synchronisation
        self.manifests.save(result.release_id, result.signed_bytes, result.signature, result.manifest.version)
        folder.mkdir(parents=True, exist_ok=True)
        for entry in result.folder.iterdir():
            os.replace(entry, folder / entry.name) if _same_device(entry, folder) else shutil.move(entry, folder / entry.name)
        shutil.rmtree(result.folder.parent, ignore_errors=True)
        return StagedBundle(folder=folder, version=result.manifest.version, full=True, deleted=result.deleted)

    async def _download(self, installed: InstalledBundle | None, report: Callable[[int, int], Awaitable[None]]) -> DownloadResult:
        async with open_download_channel(self.target, self.channel_credentials) as channel:
            downloader = ChunkDownloader(
                agent_pb2_grpc.AgentServiceStub(channel), metadata=self.metadata, public_key=self.public_key,
                staging_root=self.staging_root, progress=report,
            )
            return await downloader.download(self.release_id, installed=installed, allow_downgrade=self.allow_downgrade)


def _transient(exc: Exception) -> bool:
    """The server went away or the transfer broke: worth another attempt (it resumes)."""
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    return isinstance(exc, Unavailable) and exc.error_code == "FETCH_FAILED"


def _same_device(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev
