"""``Enroll``: trade an enrollment token for this node's agent identity and secret."""

from __future__ import annotations

import platform
import socket

import grpc

from agent.config import AgentConfig
from agent.link.channel import open_channel
from agent.link._state import LinkState
from agent.store import Store
from common.errors import InvalidInput, PermissionDenied, Unauthenticated, Unavailable
from common.i18n import N_
from generated.upkeep.v1 import agent_pb2 as pb, agent_pb2_grpc

__all__ = ["enroll"]

SERVER_UNREACHABLE = N_("Cannot reach the server at {address}: {error}")
ENROLL_REFUSED = N_("The server refused the enrollment: {error}")
BAD_LABEL = N_("Labels must look like key=value,key2=value2 (got {value!r}).")

_REFUSALS = {
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
}


def parse_labels(text: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(BAD_LABEL, error_code="INVALID_LABELS", value=part)
        labels[key.strip()] = value.strip()
    return labels


async def enroll(config: AgentConfig, store: Store, *, server: str, token: str, labels: dict[str, str]) -> pb.EnrollResponse:
    """Enroll (or re-enroll, rotating the secret) and keep the identity in history.db."""
    state = LinkState(store)
    request = pb.EnrollRequest(
        enrollment_token=token, client_uuid=state.client_uuid(), os=platform.system().lower(), os_version=platform.release(),
        arch=platform.machine(), hostname=socket.gethostname(), labels=labels, client_version=config.versions.client,
        service_version=store.get("service.version") or config.versions.service,
    )
    async with open_channel(config.server, server) as channel:
        try:
            reply = await agent_pb2_grpc.AgentServiceStub(channel).Enroll(request, timeout=30)
        except grpc.aio.AioRpcError as exc:
            refusal = _REFUSALS.get(exc.code())
            if refusal is not None:
                raise refusal(ENROLL_REFUSED, error_code="ENROLLMENT_REFUSED", error=exc.details() or exc.code().name) from exc
            raise Unavailable(SERVER_UNREACHABLE, address=server, error=exc.details() or exc.code().name) from exc
    state.save_enrollment(agent_id=reply.agent_id, secret=reply.secret, server_address=server, project=reply.project,
                          signing_key=reply.signing_public_key)
    return reply
