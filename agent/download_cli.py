"""``upkeep-agent download``: fetch and stage a service release ahead of its upgrade.

Shows bytes, rate and ETA. What is staged stays verified in ``<state_dir>/downloads``, so
a later upgrade of the same release (or a rerun after an interruption) only fetches
what is still missing.
"""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from agent.config import AgentConfig
from agent.download import ChunkDownloader, ManifestStore
from agent.download.progress import rich_bar
from agent.link._channel import open_channel
from agent.link._state import LinkState
from agent.store import Store
from common.errors import InvalidInput
from common.i18n import N_, _
from generated.upkeep.v1 import agent_pb2_grpc

__all__ = ["register"]

console = Console(highlight=False)
NOT_ENROLLED = N_("This node is not enrolled yet: run upkeep-agent enroll first.")
NO_KEY = N_("No [server] public_key in config.toml: manifests cannot be verified.")


async def _download(config: AgentConfig, release_id: int, allow_downgrade: bool) -> None:
    store = Store(config.history_db)
    try:
        identity = LinkState(store).identity()
    finally:
        store.close()
    if identity is None:
        raise InvalidInput(NOT_ENROLLED, error_code="NOT_ENROLLED")
    if not config.server.public_key:
        raise InvalidInput(NO_KEY, error_code="NO_PUBLIC_KEY")
    manifests = ManifestStore(config.state_dir / "manifests")
    installed = manifests.installed(config.compose_dir, config.versions.service, config.server.public_key)
    metadata = (("x-upkeep-client-id", identity.client_uuid), ("authorization", f"Bearer {identity.secret}"))
    bar, progress = rich_bar(_("release {release_id}").format(release_id=release_id))
    async with open_channel(config.server, config.server.address or identity.server_address) as channel:
        downloader = ChunkDownloader(
            agent_pb2_grpc.AgentServiceStub(channel), metadata=metadata, public_key=config.server.public_key,
            staging_root=config.state_dir / "downloads", progress=progress,
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
