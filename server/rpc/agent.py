"""AgentService, assembled from one mixin per area.

    agent_link.py    Enroll, Connect (the control stream), UploadDiagnostics
    agent_chunks.py  GetManifest, FetchChunks (bulk data on its own stream)
"""

from __future__ import annotations

from generated.upkeep.v1 import agent_pb2_grpc
from server.rpc.agent_chunks import AgentChunksMixin
from server.rpc.agent_link import AgentLinkMixin
from server.runtime import Runtime

__all__ = ["AgentServicer"]


class AgentServicer(AgentLinkMixin, AgentChunksMixin, agent_pb2_grpc.AgentServiceServicer):
    """Methods no mixin provides answer UNIMPLEMENTED (the generated base)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
