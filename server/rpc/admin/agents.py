"""AdminService methods: agents, commands, WatchAgents, enrollment tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import grpc

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2, agent_pb2, common_pb2
from server.hub import AgentHub
from server.rpc.auth import authenticate, peer_ip
from server.runtime import Runtime
from server.services import agents as agents_svc
from server.services import commands as commands_svc
from server.services import enrollment
from server.services.audit import actor_name, record_audit
from server.services.roles import Principal, Role

__all__ = ["AgentsAdminMixin"]

#: Initial metadata key of WatchAgents, sent once the subscription is live.
WATCHING_KEY = "x-upkeep-watching"
NO_COMMAND_TARGET = N_("Give agent_id or selector.")
SELECTOR_NEEDS_PROJECT = N_("A selector needs a project.")
KINDS = {common_pb2.CLIENT_KIND_AGENT: "agent", common_pb2.CLIENT_KIND_POLLING: "app"}


def _page(page: agents_svc.Page | tuple[int, int, int]) -> common_pb2.PageResponse:
    if isinstance(page, agents_svc.Page):
        return common_pb2.PageResponse(page=page.page, page_size=page.page_size, total=page.total)
    return common_pb2.PageResponse(page=page[0], page_size=page[1], total=page[2])


class AgentsAdminMixin:
    runtime: Runtime

    @property
    def _hub(self) -> AgentHub:
        return self.runtime.component("agent_hub", AgentHub)

    async def _authorize(self, context: grpc.aio.ServicerContext, role: Role) -> Principal:
        return await authenticate(context, self.runtime, role)

    # ------------------------------------------------------------------ agents

    async def ListAgents(self, request: admin_pb2.ListAgentsRequest, context: grpc.aio.ServicerContext) -> admin_pb2.ListAgentsResponse:
        await self._authorize(context, Role.VIEWER)
        f = agents_svc.AgentFilter(
            project=request.project, online=request.online if request.HasField("online") else None,
            labels=dict(request.labels), client_version=request.client_version, service_version=request.service_version,
            region=request.region, search=request.search, kind=KINDS.get(request.kind, ""), include_revoked=request.include_revoked,
        )
        async with self.runtime.session_factory() as s:
            page = await agents_svc.list_agents(
                s, f, page=request.page.page, page_size=request.page.page_size, max_page_size=self.runtime.settings.max_page_size
            )
        return admin_pb2.ListAgentsResponse(agents=[a.to_proto() for a in page.items], page=_page(page))

    async def GetAgent(self, request: admin_pb2.GetAgentRequest, context: grpc.aio.ServicerContext) -> admin_pb2.GetAgentResponse:
        await self._authorize(context, Role.VIEWER)
        agent_id = request.agent_id
        if not agent_id:
            async with self.runtime.session_factory() as s:
                agent_id = (await agents_svc.get_agent(s, client_uuid=request.client_uuid)).id
        await self._hub.settle(agent_id)  # its batched presence (e.g. a Hello just seen) first
        async with self.runtime.session_factory() as s:
            agent = await agents_svc.get_agent(s, agent_id=agent_id)
            recent, *_ = await commands_svc.list_commands(s, agent_id=agent.id, page_size=10)
        return admin_pb2.GetAgentResponse(agent=agent.to_proto(), recent_commands=[c.to_proto() for c in recent])

    async def RevokeAgent(self, request: admin_pb2.RevokeAgentRequest, context: grpc.aio.ServicerContext) -> admin_pb2.RevokeAgentResponse:
        principal = await self._authorize(context, Role.ADMIN)
        await self._hub.settle(request.agent_id)  # no batched online=True may land after the revoke
        async with self.runtime.session_factory() as s, s.begin():
            agent = await agents_svc.revoke_agent(s, request.agent_id)
            await record_audit(s, principal, "agent.revoke", "agent", agent.id, {"reason": request.reason}, peer_ip(context))
        self._hub.revoke(agent.id, request.reason)
        return admin_pb2.RevokeAgentResponse(agent=agent.to_proto())

    # ------------------------------------------------------------------ commands

    async def SendCommand(self, request: admin_pb2.SendCommandRequest, context: grpc.aio.ServicerContext) -> admin_pb2.SendCommandResponse:
        principal = await self._authorize(context, Role.OPERATOR)
        target = request.WhichOneof("target")
        if target is None:
            raise InvalidInput(NO_COMMAND_TARGET, error_code="NO_COMMAND_TARGET")
        expires_at = request.expires_at.ToDatetime(UTC) if request.HasField("expires_at") else None
        # Batched Hellos first: an upgrade is checked against the versions agents last reported.
        await (self._hub.settle(request.agent_id) if target == "agent_id" else self._hub.flush())
        async with self.runtime.session_factory() as s, s.begin():
            if target == "agent_id":
                agent = await agents_svc.get_agent(s, agent_id=request.agent_id)
                agents = {agent.id: agent.client_uuid}
            else:
                selector = request.selector
                if not selector.project:
                    raise InvalidInput(SELECTOR_NEEDS_PROJECT, error_code="INVALID_SELECTOR")
                agents = await agents_svc.resolve_agents(s, agents_svc.AgentFilter(
                    project=selector.project, labels=dict(selector.labels), region=selector.region,
                    service_version=selector.service_version, agent_ids=tuple(selector.agent_ids),
                ))
                if selector.online_only:
                    agents = {a: u for a, u in agents.items() if self._hub.is_online(a)}
            views, (outgoing, response) = await commands_svc.create_commands(
                s, agents, type_number=request.type, payload=request.payload, expires_at=expires_at,
                ttl=timedelta(seconds=self.runtime.settings.command_ttl_s), prepare=self._prepare_send,
                created_by=actor_name(principal),
            )
            await record_audit(
                s, principal, "command.send", "command", views[0].id if len(views) == 1 else None,
                {"type": views[0].type, "agents": len(views)}, peer_ip(context),
            )
        self._hub.deliver(outgoing)
        # The sessions' writers first: their sends start before grpc serializes this (large) answer.
        await asyncio.sleep(0)
        return response

    def _prepare_send(
        self, views: list[commands_svc.CommandView]
    ) -> tuple[list[tuple[commands_svc.CommandView, agent_pb2.ConnectResponse]], admin_pb2.SendCommandResponse]:
        """The agents' messages and the caller's answer, built while the rows are written."""
        response = admin_pb2.SendCommandResponse()
        commands_svc.add_protos(views, response.commands)
        return self._hub.prepare(views), response

    async def CancelCommand(self, request: admin_pb2.CancelCommandRequest, context: grpc.aio.ServicerContext) -> admin_pb2.CancelCommandResponse:
        principal = await self._authorize(context, Role.OPERATOR)
        async with self.runtime.session_factory() as s, s.begin():
            view = await commands_svc.cancel_command(s, request.command_id)
            await record_audit(s, principal, "command.cancel", "command", view.id, {"reason": request.reason}, peer_ip(context))
        self._hub.cancel(view, request.reason)
        return admin_pb2.CancelCommandResponse(command=view.to_proto())

    async def ListCommands(self, request: admin_pb2.ListCommandsRequest, context: grpc.aio.ServicerContext) -> admin_pb2.ListCommandsResponse:
        await self._authorize(context, Role.VIEWER)
        statuses = [common_pb2.CommandStatus.Name(v).removeprefix("COMMAND_STATUS_").lower() for v in request.statuses if v]
        async with self.runtime.session_factory() as s:
            project_id = await agents_svc.project_id(s, request.project) if request.project else None
            views, page, size, total = await commands_svc.list_commands(
                s, agent_id=request.agent_id, project_id=project_id, statuses=statuses,
                type_name=commands_svc.COMMAND_TYPES.get(request.type, ""), page=request.page.page,
                page_size=request.page.page_size, max_page_size=self.runtime.settings.max_page_size,
            )
        return admin_pb2.ListCommandsResponse(commands=[v.to_proto() for v in views], page=_page((page, size, total)))

    async def GetCommand(self, request: admin_pb2.GetCommandRequest, context: grpc.aio.ServicerContext) -> admin_pb2.GetCommandResponse:
        await self._authorize(context, Role.VIEWER)
        async with self.runtime.session_factory() as s:
            view = await commands_svc.get_command(s, request.command_id)
        return admin_pb2.GetCommandResponse(command=view.to_proto())

    async def WatchAgents(
        self, request: admin_pb2.WatchAgentsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[admin_pb2.WatchAgentsResponse]:
        await self._authorize(context, Role.VIEWER)
        watcher = self._hub.subscribe(project=request.project, agent_ids=request.agent_ids, include_commands=request.include_commands)
        # Initial metadata tells the caller that events from now on reach it.
        await context.send_initial_metadata(((WATCHING_KEY, "1"),))
        async for event in self._hub.events(watcher):
            yield event

    # ------------------------------------------------------------------ enrollment tokens

    async def CreateEnrollmentToken(
        self, request: admin_pb2.CreateEnrollmentTokenRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.CreateEnrollmentTokenResponse:
        principal = await self._authorize(context, Role.ADMIN)
        ttl = request.ttl.ToTimedelta() if request.HasField("ttl") else None
        async with self.runtime.session_factory() as s, s.begin():
            view, token = await enrollment.create_token(
                s, project=request.project or self.runtime.settings.default_project, labels=dict(request.labels),
                description=request.description, max_uses=request.max_uses, ttl=ttl, created_by=actor_name(principal),
            )
            await record_audit(s, principal, "enrollment_token.create", "enrollment_token", view.id, {"project": view.project}, peer_ip(context))
        return admin_pb2.CreateEnrollmentTokenResponse(enrollment_token=view.to_proto(), token=token)

    async def ListEnrollmentTokens(
        self, request: admin_pb2.ListEnrollmentTokensRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.ListEnrollmentTokensResponse:
        await self._authorize(context, Role.ADMIN)
        async with self.runtime.session_factory() as s:
            views = await enrollment.list_tokens(s, project=request.project, include_revoked=request.include_revoked)
        return admin_pb2.ListEnrollmentTokensResponse(
            enrollment_tokens=[v.to_proto() for v in views], page=_page((1, len(views), len(views)))
        )

    async def RevokeEnrollmentToken(
        self, request: admin_pb2.RevokeEnrollmentTokenRequest, context: grpc.aio.ServicerContext
    ) -> admin_pb2.RevokeEnrollmentTokenResponse:
        principal = await self._authorize(context, Role.ADMIN)
        async with self.runtime.session_factory() as s, s.begin():
            view = await enrollment.revoke_token(s, request.enrollment_token_id)
            await record_audit(s, principal, "enrollment_token.revoke", "enrollment_token", view.id, None, peer_ip(context))
        return admin_pb2.RevokeEnrollmentTokenResponse(enrollment_token=view.to_proto())
