"""AdminService methods: agents."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["AgentsAdminMixin"]


class AgentsAdminMixin:
    runtime: Runtime
