"""AdminService methods: bundles."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["BundlesAdminMixin"]


class BundlesAdminMixin:
    runtime: Runtime
