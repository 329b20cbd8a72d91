"""``upkeep-agent download``: fetch and stage a service release ahead of its upgrade.

Shows bytes, rate and ETA. What is staged stays verified in ``<state_dir>/downloads``, so
a later upgrade of the same release (pushed or by hand, or a rerun after an interruption)
only fetches what is still missing.
"""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from agent.config import AgentConfig
from agent.download import ChunkDownloader, open_download_channel
from agent.download.housekeeping import prune_downloads
from agent.download.progress import rich_bar
from agent.download.pushed import manifest_store, staging_root
from agent.link import channel_credentials, server_access
from agent.store import Store
from agent.upgrade.engine import VERSION_KEY
from common.i18n import _
from generated.upkeep.v1 import agent_pb2_grpc

__all__ = ["register"]

console = Console(highlight=False)


async def _download(config: AgentConfig, release_id: int, allow_downgrade: bool) -> None:
    store = Store(config.history_db)
    try:
        access = server_access(config, store)
        installed_version = store.get(VERSION_KEY) or config.versions.service
    finally:
        store.close()
    manifests = manifest_store(config)
    prune_downloads(staging_root(config), manifests, installed_version, keep_release_id=release_id)
    installed = manifests.installed(config.compose_dir, installed_version, access.public_key)
    bar, progress = rich_bar(_("release {release_id}").format(release_id=release_id))
    async with open_download_channel(access.target, channel_credentials(config.server)) as channel:
        downloader = ChunkDownloader(
            agent_pb2_grpc.AgentServiceStub(channel), metadata=access.metadata, public_key=access.public_key,
            staging_root=staging_root(config), progress=progress,
        )
        with bar:
            result = await downloader.download(release_id, installed=installed, allow_downgrade=allow_downgrade)
    stats = result.stats
    console.print(_("Staged {version} in {folder}: {fetched} bytes fetched, {local} reused from the installed release, {resumed} resumed.").format(
        version=result.manifest.version, folder=result.folder, fetched=stats.fetched_bytes, local=stats.local_bytes, resumed=stats.resumed_bytes,
    ), soft_wrap=True)


def cmd_download(args: argparse.Namespace, config: AgentConfig) -> int:
    asyncio.run(_download(config, args.release_id, args.allow_downgrade))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("download", help=_("fetch and verify a service release ahead of its upgrade"))
    parser.add_argument("--release-id", type=int, required=True, help=_("release to stage"))
    parser.add_argument("--allow-downgrade", action="store_true", help=_("accept a release older than the installed one"))
    parser.set_defaults(handler=cmd_download)
