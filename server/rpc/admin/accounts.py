"""AdminService methods: accounts."""

from __future__ import annotations

from server.runtime import Runtime

__all__ = ["AccountsAdminMixin"]


class AccountsAdminMixin:
    runtime: Runtime
