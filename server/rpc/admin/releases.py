"""AdminService methods: projects, channels, releases, artifacts, update rules, stats.

Thin: authenticate (viewer reads, operator changes), call server/services, audit changes,
convert dataclasses to protobuf (server/rpc/admin/release_convert.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import common_pb2 as cpb
from server.rpc.admin import release_convert as conv
from server.rpc.auth import authenticate, peer_ip
from server.rpc.convert import from_timestamp, page_response, spec_from_proto, timestamp
from server.runtime import Runtime
from server.services import artifacts, channels, projects, releases, rules, stats
from server.services.audit import record_audit
from server.services.releases import UNSET
from server.services.roles import Principal, Role
from server.storage.artifacts import LocalArtifactStore

__all__ = ["ReleasesAdminMixin"]

METADATA_FIRST = N_("The first message of an upload must be its metadata")


class ReleasesAdminMixin:
    runtime: Runtime

    async def _audit(self, session, who: Principal, context, action: str, target: object, detail=None) -> None:  # type: ignore[no-untyped-def]
        await record_audit(session, who, action, action.split(".")[0], target, detail, peer_ip(context))

    async def _project(self, session, slug: str) -> str:  # type: ignore[no-untyped-def]
        """``slug`` or the default project (created on first use)."""
        if slug:
            return slug
        return (await projects.ensure_project(session, self.runtime.settings.default_project)).slug

    # ------------------------------------------------------------ projects

    async def CreateProject(self, request: pb.CreateProjectRequest, context: grpc.aio.ServicerContext) -> pb.CreateProjectResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            info = await projects.create_project(
                s, slug=request.slug, name=request.name, description=request.description or None,
                default_channel=request.default_channel or "stable",
            )
            await self._audit(s, who, context, "project.create", info.slug)
        return pb.CreateProjectResponse(project=conv.project(info))

    async def ListProjects(self, request: pb.ListProjectsRequest, context: grpc.aio.ServicerContext) -> pb.ListProjectsResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        spec = spec_from_proto(request.page, maximum=self.runtime.settings.max_page_size)
        async with self.runtime.session_factory() as s, s.begin():
            found = await projects.list_projects(s)
        items = found[spec.offset:spec.offset + spec.size]
        return pb.ListProjectsResponse(
            projects=[conv.project(p) for p in items],
            page=cpb.PageResponse(page=spec.page, page_size=spec.size, total=len(found)),
        )

    async def GetProject(self, request: pb.GetProjectRequest, context: grpc.aio.ServicerContext) -> pb.GetProjectResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            info = await projects.get_project(s, await self._project(s, request.project))
        return pb.GetProjectResponse(project=conv.project(info))

    async def UpdateProject(self, request: pb.UpdateProjectRequest, context: grpc.aio.ServicerContext) -> pb.UpdateProjectResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            info = await projects.update_project(
                s, await self._project(s, request.project),
                name=request.name if request.HasField("name") else None,
                description=request.description if request.HasField("description") else None,
                default_channel=request.default_channel if request.HasField("default_channel") else None,
                agent_health_timeout_s=(request.agent_health_check_timeout.ToSeconds()
                                        if request.HasField("agent_health_check_timeout") else None),
                agent_backup_retention=request.agent_backup_retention if request.HasField("agent_backup_retention") else None,
            )
            await self._audit(s, who, context, "project.update", info.slug)
        return pb.UpdateProjectResponse(project=conv.project(info))

    async def SetDownloadMirrors(
        self, request: pb.SetDownloadMirrorsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetDownloadMirrorsResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            info = await projects.update_project(
                s, await self._project(s, request.project), download_mirrors=dict(request.mirrors))
            await self._audit(s, who, context, "project.mirrors", info.slug, info.download_mirrors)
        return pb.SetDownloadMirrorsResponse(project=conv.project(info))

    # ------------------------------------------------------------ channels

    async def ListChannels(self, request: pb.ListChannelsRequest, context: grpc.aio.ServicerContext) -> pb.ListChannelsResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            slug = await self._project(s, request.project)
            found = await channels.list_channels(s, slug)
        return pb.ListChannelsResponse(channels=[conv.channel(c, slug) for c in found])

    async def UpdateChannel(self, request: pb.UpdateChannelRequest, context: grpc.aio.ServicerContext) -> pb.UpdateChannelResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        given = {f: getattr(request, f) for f in (
            "display_name", "description", "is_active", "auto_publish", "rollout_percentage") if request.HasField(f)}
        async with self.runtime.session_factory() as s, s.begin():
            info = await channels.update_channel(s, None, request.channel_id, **given)
            slug = (await projects.project_by_id(s, info.project_id)).slug
            await self._audit(s, who, context, "channel.update", info.id, given)
        return pb.UpdateChannelResponse(channel=conv.channel(info, slug))

    # ------------------------------------------------------------ releases

    async def CreateRelease(self, request: pb.CreateReleaseRequest, context: grpc.aio.ServicerContext) -> pb.CreateReleaseResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        specs = [conv.artifact_spec(a) for a in request.artifacts]
        async with self.runtime.session_factory() as s, s.begin():
            info = await releases.create_release(
                s, project=await self._project(s, request.project), version=request.version,
                channel=request.channel or None, kind=conv.kind_from_proto(request.kind, default="client"),
                title=request.title, description=request.description or None,
                release_notes=request.release_notes or None, release_notes_i18n=dict(request.release_notes_i18n),
                breaking_changes=request.breaking_changes or None,
                min_upgrade_version=request.min_upgrade_version or None, is_forced=request.is_forced,
                rollout_percentage=request.rollout_percentage if request.HasField("rollout_percentage") else None,
                artifacts=specs, publish=request.publish,
            )
            await self._audit(s, who, context, "release.create", info.id, {"version": info.display_version})
        return pb.CreateReleaseResponse(release=conv.release(info, self.runtime.settings.public_url))

    async def ListReleases(self, request: pb.ListReleasesRequest, context: grpc.aio.ServicerContext) -> pb.ListReleasesResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        spec = spec_from_proto(request.page, maximum=self.runtime.settings.max_page_size)
        async with self.runtime.session_factory() as s, s.begin():
            found = await releases.list_releases(
                s, project=await self._project(s, request.project), channel=request.channel or None,
                kind=conv.kind_from_proto(request.kind, default=None),
                statuses=[conv.status_from_proto(x) for x in request.statuses] or None,
                search=request.search or None, spec=spec,
            )
        url = self.runtime.settings.public_url
        return pb.ListReleasesResponse(releases=[conv.release(r, url) for r in found.items], page=page_response(found))

    async def GetRelease(self, request: pb.GetReleaseRequest, context: grpc.aio.ServicerContext) -> pb.GetReleaseResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            info = await releases.get_release(s, request.release_id)
        return pb.GetReleaseResponse(release=conv.release(info, self.runtime.settings.public_url))

    async def UpdateRelease(self, request: pb.UpdateReleaseRequest, context: grpc.aio.ServicerContext) -> pb.UpdateReleaseResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        changes: dict[str, object] = {
            f: getattr(request, f) for f in (
                "channel", "title", "description", "release_notes", "breaking_changes", "min_upgrade_version",
                "is_forced", "rollout_percentage") if request.HasField(f)
        }
        if request.clear_rollout_percentage:
            changes["rollout_percentage"] = None
        if request.HasField("release_notes_i18n"):
            changes["release_notes_i18n"] = dict(request.release_notes_i18n.values)
        if request.artifacts:
            changes["artifacts"] = [conv.artifact_spec(a) for a in request.artifacts]
        async with self.runtime.session_factory() as s, s.begin():
            info = await releases.update_release(s, request.release_id, **changes)
            await self._audit(s, who, context, "release.update", info.id, sorted(changes))
        return pb.UpdateReleaseResponse(release=conv.release(info, self.runtime.settings.public_url))

    async def _lifecycle(self, context, release_id: int, action: str, call, **kw):  # type: ignore[no-untyped-def]
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            info = await call(s, release_id, **kw)
            await self._audit(s, who, context, f"release.{action}", release_id)
        return conv.release(info, self.runtime.settings.public_url)

    async def PublishRelease(self, request: pb.PublishReleaseRequest, context: grpc.aio.ServicerContext) -> pb.PublishReleaseResponse:
        release = await self._lifecycle(context, request.release_id, "publish", releases.publish_release,
                                        publish_time=from_timestamp(request, "publish_time"))
        return pb.PublishReleaseResponse(release=release)

    async def PauseRelease(self, request: pb.PauseReleaseRequest, context: grpc.aio.ServicerContext) -> pb.PauseReleaseResponse:
        return pb.PauseReleaseResponse(release=await self._lifecycle(context, request.release_id, "pause", releases.pause_release))

    async def RevokeRelease(self, request: pb.RevokeReleaseRequest, context: grpc.aio.ServicerContext) -> pb.RevokeReleaseResponse:
        return pb.RevokeReleaseResponse(release=await self._lifecycle(context, request.release_id, "revoke", releases.revoke_release))

    async def DeleteRelease(self, request: pb.DeleteReleaseRequest, context: grpc.aio.ServicerContext) -> pb.DeleteReleaseResponse:
        await self._lifecycle(context, request.release_id, "delete", releases.delete_release)
        return pb.DeleteReleaseResponse()

    async def UploadArtifact(
        self, request_iterator: AsyncIterator[pb.UploadArtifactRequest], context: grpc.aio.ServicerContext
    ) -> pb.UploadArtifactResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        first = await anext(aiter(request_iterator), None)
        if first is None or first.WhichOneof("body") != "metadata":
            raise InvalidInput(METADATA_FIRST, error_code="UPLOAD_METADATA_REQUIRED")
        meta = first.metadata
        async with self.runtime.session_factory() as s, s.begin():
            await releases.get_release(s, meta.release_id)  # NotFound before any byte is stored
        upload = artifacts.check_upload(
            platform=meta.platform, file_name=meta.file_name, size=meta.size, checksum=meta.checksum,
            limit=self.runtime.settings.max_upload_bytes,
        )

        async def data() -> AsyncIterator[bytes]:
            async for message in request_iterator:
                if message.WhichOneof("body") == "data":
                    yield message.data

        store = LocalArtifactStore(self.runtime.settings.storage_dir)
        blob = await store.save(data(), max_bytes=upload.max_bytes, expected_checksum=upload.checksum,
                                expected_size=upload.size)
        async with artifacts.recorded_or_removed(self.runtime.session_factory, store, [blob]), \
                self.runtime.session_factory() as s, s.begin():
            info = await artifacts.attach_blob(s, meta.release_id, upload, blob, signature=meta.signature or None)
            await self._audit(s, who, context, "artifact.upload", info.id,
                              {"release_id": meta.release_id, "platform": info.platform})
        return pb.UploadArtifactResponse(artifact=conv.artifact(info, self.runtime.settings.public_url))

    # ------------------------------------------------------------ update rules

    async def CreateUpdateRule(self, request: pb.CreateUpdateRuleRequest, context: grpc.aio.ServicerContext) -> pb.CreateUpdateRuleResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        r = request.rule
        async with self.runtime.session_factory() as s, s.begin():
            slug = await self._project(s, r.project)
            info = await rules.create_rule(
                s, project=slug, name=r.name, target_region=r.target_region or None,
                target_version_range=r.target_version_range or None, os=r.os or None, arch=r.arch or None,
                labels=dict(r.labels), enabled=r.enabled, priority=r.priority,
                rollout_config=r.rollout_config or None, action=conv.action_from_proto(r.action),
                pin_version=r.pin_version or None, channel=r.channel or None,
            )
            await self._audit(s, who, context, "rule.create", info.id, {"name": info.name})
        return pb.CreateUpdateRuleResponse(rule=conv.rule(info, slug))

    async def ListUpdateRules(self, request: pb.ListUpdateRulesRequest, context: grpc.aio.ServicerContext) -> pb.ListUpdateRulesResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            slug = await self._project(s, request.project)
            found = await rules.list_rules(s, slug, enabled_only=request.enabled_only)
        return pb.ListUpdateRulesResponse(rules=[conv.rule(r, slug) for r in found])

    async def UpdateUpdateRule(self, request: pb.UpdateUpdateRuleRequest, context: grpc.aio.ServicerContext) -> pb.UpdateUpdateRuleResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        changes: dict[str, object] = {
            f: getattr(request, f) for f in (
                "name", "target_region", "target_version_range", "os", "arch", "enabled", "priority",
                "rollout_config", "pin_version", "channel") if request.HasField(f)
        }
        if request.HasField("labels"):
            changes["labels"] = dict(request.labels.values)
        if request.HasField("action"):
            changes["action"] = conv.action_from_proto(request.action)
        async with self.runtime.session_factory() as s, s.begin():
            info = await rules.update_rule(s, request.rule_id, **changes)
            slug = (await projects.project_by_id(s, info.project_id)).slug
            await self._audit(s, who, context, "rule.update", info.id, sorted(changes))
        return pb.UpdateUpdateRuleResponse(rule=conv.rule(info, slug))

    async def DeleteUpdateRule(self, request: pb.DeleteUpdateRuleRequest, context: grpc.aio.ServicerContext) -> pb.DeleteUpdateRuleResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            await rules.delete_rule(s, request.rule_id)
            await self._audit(s, who, context, "rule.delete", request.rule_id)
        return pb.DeleteUpdateRuleResponse()

    async def ReorderUpdateRules(self, request: pb.ReorderUpdateRulesRequest, context: grpc.aio.ServicerContext) -> pb.ReorderUpdateRulesResponse:
        who = await authenticate(context, self.runtime, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            slug = await self._project(s, request.project)
            found = await rules.reorder_rules(s, slug, list(request.rule_ids))
            await self._audit(s, who, context, "rule.reorder", slug, list(request.rule_ids))
        return pb.ReorderUpdateRulesResponse(rules=[conv.rule(r, slug) for r in found])

    # ------------------------------------------------------------ stats

    async def _project_id(self, session, slug: str) -> int:  # type: ignore[no-untyped-def]
        return (await projects.get_project(session, await self._project(session, slug))).id

    async def GetStats(self, request: pb.GetStatsRequest, context: grpc.aio.ServicerContext) -> pb.GetStatsResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            found = await stats.event_stats(
                s, project_id=await self._project_id(s, request.project), period=request.period or "7d",
                action=conv.event_action_from_proto(request.action),
            )
        return pb.GetStatsResponse(
            totals=[conv.action_count(a, n) for a, n in found.by_action.items()],
            series=[pb.StatsBucket(start_time=timestamp(p.start), counts=[conv.action_count(a, n) for a, n in p.counts.items()])
                    for p in found.series],
            success_rate=found.success_rate / 100, unique_clients=found.clients, total_clients=found.total_clients,
        )

    async def GetVersionDistribution(
        self, request: pb.GetVersionDistributionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetVersionDistributionResponse:
        """Clients per version over 30 days (each client at the version of its last check)."""
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            rows = await stats.version_distribution(s, project_id=await self._project_id(s, request.project))
        return pb.GetVersionDistributionResponse(
            versions=[pb.VersionCount(version=r.key, clients=r.clients, percentage=r.percentage) for r in rows],
            total_clients=sum(r.clients for r in rows),
        )

    async def GetRegionDistribution(
        self, request: pb.GetRegionDistributionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetRegionDistributionResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            rows = await stats.region_distribution(
                s, project_id=await self._project_id(s, request.project), period=request.period or "7d")
        return pb.GetRegionDistributionResponse(
            regions=[pb.RegionCount(region=r.key or "unknown", clients=r.clients, events=r.count,
                                    percentage=r.percentage) for r in rows],
            total_clients=sum(r.clients for r in rows),
        )

    async def GetAdoption(self, request: pb.GetAdoptionRequest, context: grpc.aio.ServicerContext) -> pb.GetAdoptionResponse:
        await authenticate(context, self.runtime, Role.VIEWER)
        async with self.runtime.session_factory() as s, s.begin():
            slug = await self._project(s, request.project)
            rows = await stats.adoption(s, project_id=await self._project_id(s, slug))
            names = {c.id: c.name for c in await channels.list_channels(s, slug)}
        if request.release_id:
            rows = [r for r in rows if r.release_id == request.release_id]
        else:  # the newest published release of every channel
            seen: set[int] = set()
            rows = [r for r in rows if not (r.channel_id in seen or seen.add(r.channel_id))]
        return pb.GetAdoptionResponse(releases=[pb.ReleaseAdoption(
            channel=names.get(r.channel_id, ""), release_id=r.release_id, version=r.display_version,
            publish_time=timestamp(r.publish_time), adopted_clients=r.clients,
            total_clients=r.active_clients,
            adoption_rate=r.adoption_rate / 100,
        ) for r in rows])
