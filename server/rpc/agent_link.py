"""AgentService: Enroll, Connect and UploadDiagnostics."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["AgentLinkMixin"]


class AgentLinkMixin:
    runtime: Runtime
