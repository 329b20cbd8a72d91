"""AgentService: Enroll and Connect (the control stream)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from generated.upkeep.v1 import agent_pb2 as pb
from server.hub import AgentHub
from server.rpc.auth import parse_bearer, peer_ip
from server.rpc.errors import request_reader
from server.runtime import Runtime
from server.services import enrollment
from server.services.signing import public_key

__all__ = ["AgentLinkMixin", "agent_credentials"]


def agent_credentials(context: grpc.aio.ServicerContext) -> tuple[str, str]:
    """(client uuid, secret) from ``x-upkeep-client-id`` and ``authorization: Bearer``."""
    client_uuid, authorization = "", None
    for key, value in context.invocation_metadata() or ():  # one pass: grpc builds the tuple on every call
        if key == "x-upkeep-client-id":
            client_uuid = str(value).strip()
        elif key == "authorization" and authorization is None:
            authorization = value
    return client_uuid, (parse_bearer(authorization) if authorization is not None else None) or ""


class AgentLinkMixin:
    runtime: Runtime

    async def Enroll(self, request: pb.EnrollRequest, context: grpc.aio.ServicerContext) -> pb.EnrollResponse:
        data = enrollment.EnrollRequestData(
            token=request.enrollment_token, client_uuid=request.client_uuid, os=request.os, os_version=request.os_version,
            arch=request.arch, hostname=request.hostname, labels=dict(request.labels), client_version=request.client_version,
            service_version=request.service_version, region=request.region, ip=peer_ip(context),
        )
        async with self.runtime.session_factory() as s, s.begin():
            result = await enrollment.enroll(s, data)
        self.runtime.component("agent_hub", AgentHub).forget(result.client_uuid)
        response = pb.EnrollResponse(
            agent_id=result.agent_id, client_uuid=result.client_uuid, secret=result.secret, project=result.project,
            signing_public_key=public_key(self.runtime.settings).public_key,
        )
        response.enrolled_at.FromDatetime(result.enrolled_at)
        return response

    async def Connect(self, request_iterator: AsyncIterator[pb.ConnectRequest], context: grpc.aio.ServicerContext) -> None:
        """On grpc's reader-writer API, which costs fewer frames per message than iteration."""
        client_uuid, secret = agent_credentials(context)
        hub = self.runtime.component("agent_hub", AgentHub)
        await hub.serve(client_uuid=client_uuid, secret=secret, peer_ip=peer_ip(context),
                        read=request_reader(context), write=context.write)
