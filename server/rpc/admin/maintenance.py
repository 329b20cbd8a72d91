"""AdminService methods: maintenance windows (stored, then pushed to connected agents)."""

from __future__ import annotations

import grpc

from generated.upkeep.v1 import admin_pb2
from server.hub import AgentHub
from server.rpc.auth import authenticate, peer_ip
from server.runtime import Runtime
from server.services import maintenance
from server.services.audit import record_audit
from server.services.roles import Role

__all__ = ["MaintenanceAdminMixin"]


class MaintenanceAdminMixin:
    runtime: Runtime

    async def SetMaintenanceWindows(
        self, request: admin_pb2.SetMaintenanceWindowsRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.SetMaintenanceWindowsResponse:
        principal = await authenticate(context, self.runtime, Role.OPERATOR)
        specs = [maintenance.WindowSpec(cron=w.cron, duration=w.duration.ToTimedelta()) for w in request.windows]
        async with self.runtime.session_factory() as s, s.begin():
            project_id, views = await maintenance.set_windows(
                s, project=request.project, agent_id=request.agent_id, label_selector=dict(request.label_selector), windows=specs,
            )
            await record_audit(s, principal, "maintenance_windows.set", "project", project_id, {
                "agent_id": request.agent_id or None, "label_selector": dict(request.label_selector),
                "windows": [{"cron": v.cron, "minutes": v.duration_minutes} for v in views],
            }, peer_ip(context))
        notified = await self.runtime.component("agent_hub", AgentHub).windows_changed(project_id)
        return admin_pb2.SetMaintenanceWindowsResponse(windows=[v.to_proto() for v in views], agents_notified=notified)

    async def ListMaintenanceWindows(
        self, request: admin_pb2.ListMaintenanceWindowsRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.ListMaintenanceWindowsResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s:
            views = await maintenance.list_windows(s, project=request.project, agent_id=request.agent_id)
        return admin_pb2.ListMaintenanceWindowsResponse(windows=[v.to_proto() for v in views])
