"""AgentService: GetManifest and FetchChunks."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["AgentChunksMixin"]


class AgentChunksMixin:
    runtime: Runtime
