"""AdminService, assembled from one mixin per area.

    releases.py       projects, channels, releases, artifacts, rules, stats
    accounts.py       API tokens, enrollment tokens, server info
    announcements.py  announcements (pushed to live subscribers)
    agents.py         agents, commands, WatchAgents
    maintenance.py    maintenance windows
    bundles.py        UploadBundle, bundle manifests
    diagnostics.py    uploaded diagnostics bundles
"""

from __future__ import annotations

from generated.upkeep.v1 import admin_pb2_grpc
from server.rpc.admin.accounts import AccountsAdminMixin
from server.rpc.admin.agents import AgentsAdminMixin
from server.rpc.admin.announcements import AnnouncementsAdminMixin
from server.rpc.admin.bundles import BundlesAdminMixin
from server.rpc.admin.diagnostics import DiagnosticsAdminMixin
from server.rpc.admin.maintenance import MaintenanceAdminMixin
from server.rpc.admin.releases import ReleasesAdminMixin
from server.runtime import Runtime

__all__ = ["AdminServicer"]


class AdminServicer(
    ReleasesAdminMixin,
    AccountsAdminMixin,
    AnnouncementsAdminMixin,
    AgentsAdminMixin,
    BundlesAdminMixin,
    DiagnosticsAdminMixin,
    MaintenanceAdminMixin,
    admin_pb2_grpc.AdminServiceServicer,
):
    """Methods no mixin provides answer UNIMPLEMENTED (the generated base)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
