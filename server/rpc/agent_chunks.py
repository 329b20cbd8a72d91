"""AgentService: GetManifest and FetchChunks (bulk data on its own stream)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from generated.upkeep.v1 import agent_pb2 as pb
from server.rpc.agent_link import agent_credentials
from server.rpc.manifests import frame_to_proto, signed_manifest_to_proto
from server.runtime import Runtime
from server.services import bundle_fetch
from server.services.agents import AgentIdentity, authenticate_agent
from server.services.bundles import manifest_delta, signed_manifest

__all__ = ["AgentChunksMixin"]


class AgentChunksMixin:
    runtime: Runtime

    async def _agent(self, context: grpc.aio.ServicerContext) -> AgentIdentity:
        client_uuid, secret = agent_credentials(context)
        async with self.runtime.session_factory() as session:
            return await authenticate_agent(session, client_uuid, secret)

    async def GetManifest(self, request: pb.GetManifestRequest, context: grpc.aio.ServicerContext) -> pb.GetManifestResponse:
        agent = await self._agent(context)
        async with self.runtime.session_factory() as session:
            signed = await signed_manifest(session, self.runtime.settings, request.release_id, project=agent.project)
            delta = await manifest_delta(session, signed, base_release_id=request.base_release_id, project=agent.project)
        # Agents decode the signed bytes themselves: no decoded copy; the bytes travel as a
        # delta against the manifest the agent holds, or gzip-compressed.
        response = pb.GetManifestResponse(manifest=signed_manifest_to_proto(signed, decoded=False))
        if delta is not None and len(delta) < len(signed.signed_bytes):
            response.manifest.signed_bytes = b""
            response.signed_bytes_delta = delta
            response.delta_base_release_id = request.base_release_id
        else:
            context.set_compression(grpc.Compression.Gzip)
        return response

    async def FetchChunks(
        self, request: pb.FetchChunksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.FetchChunksResponse]:
        agent = await self._agent(context)
        fetch = bundle_fetch.FetchRequest(
            release_id=request.release_id, project=agent.project, chunk_ids=list(request.chunk_ids), base_release_id=request.base_release_id,
            base_file_sha256s=list(request.base_file_sha256s), accept_delta=request.accept_delta,
        )
        async with self.runtime.session_factory() as session:
            plan = await bundle_fetch.plan_fetch(session, self.runtime.settings, fetch)
        async for frame in bundle_fetch.fetch_frames(self.runtime.settings, plan):
            yield frame_to_proto(frame)
