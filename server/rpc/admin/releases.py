"""AdminService methods: releases."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["ReleasesAdminMixin"]


class ReleasesAdminMixin:
    runtime: Runtime
