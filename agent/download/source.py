"""The upgrade engine's bundle source over chunked delta downloads (see agent/upgrade/sources.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import grpc

from agent.download.channel import open_download_channel
from agent.download.fetcher import ChunkDownloader
from agent.download.housekeeping import prune_downloads
from agent.download.installed import ManifestStore
from agent.download.progress import RateMeter
from agent.upgrade.sources import Progress, StagedBundle
from generated.upkeep.v1 import agent_pb2_grpc

__all__ = ["ChunkSource"]


@dataclasses.dataclass(kw_only=True)
class ChunkSource:
    """A service release fetched as chunks from the control server.

    Downloads use their own gRPC channel, so the control stream's heartbeats and commands
    never wait behind data. The staging root persists across attempts: an interrupted
    download resumes from the chunks already verified there.
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

    @property
    def description(self) -> str:
        return f"release {self.release_id} ({self.version}) from {self.target}"

    async def stage(self, folder: Path, progress: Progress) -> StagedBundle:
        await asyncio.to_thread(
            prune_downloads, self.staging_root, self.manifests, self.installed_version, keep_release_id=self.release_id
        )
        installed = self.manifests.installed(self.compose_dir, self.installed_version, self.public_key)
        meter = RateMeter()

        async def report(done: int, total: int) -> None:
            await progress(90.0 * done / total if total else 0.0, meter.line(done, total))

        async with open_download_channel(self.target, self.channel_credentials) as channel:
            downloader = ChunkDownloader(
                agent_pb2_grpc.AgentServiceStub(channel), metadata=self.metadata, public_key=self.public_key,
                staging_root=self.staging_root, progress=report,
            )
            result = await downloader.download(self.release_id, installed=installed, allow_downgrade=self.allow_downgrade)
        self.manifests.save(result.release_id, result.signed_bytes, result.signature, result.manifest.version)
        folder.mkdir(parents=True, exist_ok=True)
        for entry in result.folder.iterdir():
            os.replace(entry, folder / entry.name) if _same_device(entry, folder) else shutil.move(entry, folder / entry.name)
        shutil.rmtree(result.folder.parent, ignore_errors=True)
        return StagedBundle(folder=folder, version=result.manifest.version, full=True, deleted=result.deleted)


def _same_device(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev
