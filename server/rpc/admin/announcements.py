"""AdminService methods: announcements (the bus pushes created ones once committed)."""

from __future__ import annotations

import grpc

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import common_pb2
from server.rpc.auth import authenticate, peer_ip
from server.rpc.convert import from_timestamp, page_response, spec_from_proto, timestamp
from server.runtime import Runtime
from server.services import announcements as ann
from server.services.audit import actor_name, record_audit
from server.services.roles import Role

__all__ = ["AnnouncementsAdminMixin", "announcement_to_proto"]

LEVEL_REQUIRED = N_("A level is required: info, warning or critical.")

_LEVELS = {
    "info": common_pb2.ANNOUNCEMENT_LEVEL_INFO,
    "warning": common_pb2.ANNOUNCEMENT_LEVEL_WARNING,
    "critical": common_pb2.ANNOUNCEMENT_LEVEL_CRITICAL,
}
_LEVEL_NAMES = {v: k for k, v in _LEVELS.items()}


def announcement_to_proto(info: ann.AnnouncementInfo) -> common_pb2.Announcement:
    return common_pb2.Announcement(
        id=info.id, level=_LEVELS[info.level], content=info.content, project=info.project or "",  # type: ignore[arg-type]
        visible_from=timestamp(info.visible_from), visible_until=timestamp(info.visible_until),
        created_at=timestamp(info.created_at),
    )


class AnnouncementsAdminMixin:
    runtime: Runtime

    async def CreateAnnouncement(
        self, request: pb.CreateAnnouncementRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateAnnouncementResponse:
        principal = await authenticate(context, self.runtime, Role.OPERATOR)
        level = _LEVEL_NAMES.get(request.level)
        if level is None:
            raise InvalidInput(LEVEL_REQUIRED, error_code="INVALID_LEVEL")
        new = ann.NewAnnouncement(
            level=level, content=dict(request.content), project=request.project or None,
            visible_from=from_timestamp(request, "visible_from"), visible_until=from_timestamp(request, "visible_until"),
        )
        async with self.runtime.session_factory() as session, session.begin():
            info = await ann.create_announcement(session, new, created_by=actor_name(principal))
            await record_audit(
                session, principal, "announcement.create", "announcement", info.id,
                {"level": info.level, "project": info.project}, peer_ip(context),
            )
        return pb.CreateAnnouncementResponse(announcement=announcement_to_proto(info))

    async def ListAnnouncements(
        self, request: pb.ListAnnouncementsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListAnnouncementsResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        spec = spec_from_proto(request.page, maximum=self.runtime.settings.max_page_size)
        async with self.runtime.session_factory() as session:
            page = await ann.list_announcements(
                session, spec, project=request.project or None, active_only=request.active_only,
                since=from_timestamp(request, "since"),
            )
        return pb.ListAnnouncementsResponse(
            announcements=[announcement_to_proto(a) for a in page.items], page=page_response(page)
        )

    async def DeleteAnnouncement(
        self, request: pb.DeleteAnnouncementRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAnnouncementResponse:
        principal = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as session, session.begin():
            await ann.delete_announcement(session, request.announcement_id)
            await record_audit(
                session, principal, "announcement.delete", "announcement", request.announcement_id, None, peer_ip(context)
            )
        return pb.DeleteAnnouncementResponse()
