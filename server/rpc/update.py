"""UpdateService: CheckUpdate over gRPC, the same answer as the HTTP bridge."""

from __future__ import annotations

import grpc

from generated.upkeep.v1 import update_pb2 as pb
from generated.upkeep.v1 import update_pb2_grpc
from server.rpc.auth import peer_ip
from server.rpc.errors import metadata_locale
from server.runtime import Runtime
from server.services.events import EventRecord, EventRecorder
from server.services.resolve import ReleaseCatalog, UpdateQuery, resolve_update

__all__ = ["UpdateServicer"]


class UpdateServicer(update_pb2_grpc.UpdateServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def CheckUpdate(self, request: pb.CheckUpdateRequest, context: grpc.aio.ServicerContext) -> pb.CheckUpdateResponse:
        """Resolve the update (no authentication) and record a `check` event."""
        answer = await resolve_update(
            self.runtime.component("releases", ReleaseCatalog),
            UpdateQuery(
                client_id=request.client_id, current_version=request.current_version,
                project=request.project or None, channel=request.channel or None, region=request.region or None,
                os=request.os or None, arch=request.arch or None, labels=dict(request.labels),
                locale=request.locale or metadata_locale(context),
            ),
        )
        self.runtime.component("events", EventRecorder).record(EventRecord(
            action="check", version=answer.latest_version, project_id=answer.project_id,
            release_id=answer.release.id if answer.release else None, client_id=request.client_id or None,
            client_version=request.current_version, region=request.region or None, ip_address=peer_ip(context),
            user_agent="grpc",
        ))
        return pb.CheckUpdateResponse(
            has_update=answer.has_update, latest_version=answer.latest_version, download_url=answer.download_url,
            file_size=answer.file_size, file_checksum=answer.file_checksum, is_forced=answer.is_forced,
            title=answer.title, release_notes=answer.release_notes, min_upgrade_version=answer.min_upgrade_version,
            required_intermediate=answer.required_intermediate, target_version=answer.target_version,
            release_id=answer.release.id if answer.release else 0, signature=answer.signature,
        )
