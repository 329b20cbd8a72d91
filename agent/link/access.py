"""How other parts of the agent reach the server on the link's terms: address, credentials, TLS, pinned key.

    access = server_access(config, store)     # InvalidInput when not enrolled or no key is pinned
    open_channel(config.server, access.target) / access.channel_credentials, metadata=access.metadata
"""

from __future__ import annotations

import dataclasses

import grpc

from agent.config import AgentConfig
from agent.link._state import LinkState
from agent.link.channel import channel_credentials
from agent.store import Store
from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["ServerAccess", "server_access"]

NOT_ENROLLED = N_("This node is not enrolled yet: run upkeep-agent enroll first.")
NO_KEY = N_("No [server] public_key in config.toml and none was received at enrollment: manifests cannot be verified.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServerAccess:
    target: str
    #: Client id and agent secret, as the control stream sends them.
    metadata: tuple[tuple[str, str], ...]
    #: Minisign key that manifests must be signed with: ``[server] public_key``, else the enrollment's.
    public_key: str
    channel_credentials: grpc.ChannelCredentials | None


def server_access(config: AgentConfig, store: Store) -> ServerAccess:
    state = LinkState(store)
    identity = state.identity()
    if identity is None:
        raise InvalidInput(NOT_ENROLLED, error_code="NOT_ENROLLED")
    key = config.server.public_key or state.signing_key()
    if not key:
        raise InvalidInput(NO_KEY, error_code="NO_PUBLIC_KEY")
    return ServerAccess(target=config.server.address or identity.server_address, metadata=identity.metadata,
                        public_key=key, channel_credentials=channel_credentials(config.server))
