"""The daemon's bundle sources: an upgrade command's payload -> a ChunkSource on the link's terms.

    sources = pushed_sources(config, store, engine.current_version)
    sources({"release_id": 7, "version": "2.0.0", "is_rollback": False}) -> ChunkSource

Deferred upgrades (scheduled tasks of kind "payload") call the same factory when they run,
so they fetch with the credentials and installed version of that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.config import AgentConfig
from agent.download.installed import ManifestStore
from agent.download.source import ChunkSource
from agent.handlers import payload_field
from agent.link import server_access
from agent.store import Store
from common.errors import InvalidInput
from common.i18n import N_
from common.versions import Version

__all__ = ["manifest_store", "pushed_sources", "staging_root"]

NO_RELEASE = N_("The upgrade command names no release")


def staging_root(config: AgentConfig) -> Path:
    """Where downloads are staged; shared with ``upkeep-agent download`` so a staged release is reused."""
    return config.state_dir / "downloads"


def manifest_store(config: AgentConfig) -> ManifestStore:
    return ManifestStore(config.state_dir / "manifests")


def pushed_sources(config: AgentConfig, store: Store, installed_version: Callable[[], str]) -> Callable[[dict[str, Any]], ChunkSource]:
    def build(payload: dict[str, Any]) -> ChunkSource:
        release_id = int(payload_field(payload, "release_id", 0) or 0)
        if release_id <= 0:
            raise InvalidInput(NO_RELEASE, error_code="INVALID_COMMAND_PAYLOAD")
        access = server_access(config, store)
        return ChunkSource(
            target=access.target, metadata=access.metadata, channel_credentials=access.channel_credentials,
            public_key=access.public_key, release_id=release_id,
            version=Version.parse(str(payload_field(payload, "version", ""))).normalized,
            compose_dir=config.compose_dir, installed_version=installed_version(), staging_root=staging_root(config),
            manifests=manifest_store(config),
            allow_downgrade=bool(payload_field(payload, "is_rollback", False)),
        )

    return build
