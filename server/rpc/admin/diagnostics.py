"""AdminService methods: uploaded diagnostics bundles (the HTTP list's filters, over gRPC)."""

from __future__ import annotations

import grpc

from generated.upkeep.v1 import admin_pb2
from server.rpc.auth import authenticate
from server.rpc.convert import page_response, spec_from_proto
from server.runtime import Runtime
from server.services import diagnostics
from server.services.clients import parse_client_uuid
from server.services.roles import Role

__all__ = ["DiagnosticsAdminMixin"]

#: Where server/http/diagnostics.py serves a bundle's file.
DOWNLOAD_PATH = "/admin/api/v1/diagnostics/{id}/download"


def _bundle(info: diagnostics.DiagnosticInfo) -> admin_pb2.DiagnosticsBundle:
    message = admin_pb2.DiagnosticsBundle(
        id=info.id, client_uuid=info.client_uuid, file_name=info.file_name, size=info.size, sha256=info.sha256,
        download_path=DOWNLOAD_PATH.format(id=info.id),
    )
    message.created_at.FromDatetime(info.created_at)
    return message


class DiagnosticsAdminMixin:
    runtime: Runtime

    async def ListDiagnostics(
        self, request: admin_pb2.ListDiagnosticsRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.ListDiagnosticsResponse:
        await authenticate(context, self.runtime, Role.OPERATOR)
        spec = spec_from_proto(request.page, maximum=self.runtime.settings.max_page_size)
        client_uuid = parse_client_uuid(request.client_uuid) if request.client_uuid else None
        async with self.runtime.session_factory() as s:
            page = await diagnostics.list_diagnostics(s, spec, client_uuid=client_uuid, project=request.project or None)
        return admin_pb2.ListDiagnosticsResponse(diagnostics=[_bundle(d) for d in page.items], page=page_response(page))
