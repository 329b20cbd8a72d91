"""AdminService methods: API tokens and server info."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import grpc

from common.i18n import LOCALES
from generated.upkeep.v1 import admin_pb2 as pb
from server.app import package_version
from server.rpc.auth import authenticate, peer_ip
from server.rpc.convert import (
    duration_or_none,
    page_response,
    role_from_proto,
    role_to_proto,
    spec_from_proto,
    timestamp,
)
from server.runtime import Runtime
from server.services import tokens
from server.services.audit import actor_name, record_audit
from server.services.roles import Role
from server.services.signing import public_key

__all__ = ["AccountsAdminMixin", "api_token_to_proto"]


def api_token_to_proto(info: tokens.ApiTokenInfo) -> pb.ApiToken:
    return pb.ApiToken(
        id=info.id,
        name=info.name,
        role=role_to_proto(info.role),  # type: ignore[arg-type]
        token_prefix=info.prefix,
        created_at=timestamp(info.created_at),
        expires_at=timestamp(info.expires_at),
        last_used_at=timestamp(info.last_used_at),
        revoked_at=timestamp(info.revoked_at),
        created_by=info.created_by or "",
    )


class AccountsAdminMixin:
    runtime: Runtime

    async def CreateApiToken(
        self, request: pb.CreateApiTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateApiTokenResponse:
        principal = await authenticate(context, self.runtime, Role.ADMIN)
        role = role_from_proto(request.role)
        async with self.runtime.session_factory() as session, session.begin():
            created = await tokens.create_token(
                session, name=request.name, role=role, created_by=actor_name(principal),
                ttl=duration_or_none(request, "ttl"),
            )
            await record_audit(
                session, principal, "api_token.create", "api_token", created.info.id,
                {"name": created.info.name, "role": role.label}, peer_ip(context),
            )
        return pb.CreateApiTokenResponse(api_token=api_token_to_proto(created.info), token=created.secret)

    async def ListApiTokens(
        self, request: pb.ListApiTokensRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListApiTokensResponse:
        await authenticate(context, self.runtime, Role.ADMIN)
        spec = spec_from_proto(request.page, maximum=self.runtime.settings.max_page_size)
        async with self.runtime.session_factory() as session:
            page = await tokens.list_tokens(session, spec, include_revoked=request.include_revoked)
        return pb.ListApiTokensResponse(
            api_tokens=[api_token_to_proto(t) for t in page.items], page=page_response(page)
        )

    async def RevokeApiToken(
        self, request: pb.RevokeApiTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.RevokeApiTokenResponse:
        principal = await authenticate(context, self.runtime, Role.ADMIN)
        async with self.runtime.session_factory() as session, session.begin():
            info = await tokens.revoke_token(session, request.api_token_id)
            await record_audit(
                session, principal, "api_token.revoke", "api_token", info.id, {"name": info.name}, peer_ip(context)
            )
        return pb.RevokeApiTokenResponse(api_token=api_token_to_proto(info))

    async def GetServerInfo(
        self, request: pb.GetServerInfoRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetServerInfoResponse:
        principal = await authenticate(context, self.runtime, Role.VIEWER)
        key = await asyncio.to_thread(public_key, self.runtime.settings)
        return pb.GetServerInfoResponse(
            server_version=package_version(),
            signing_public_key=key.public_key_file,
            signing_key_id=key.key_id,
            default_project=self.runtime.settings.default_project,
            locales=list(LOCALES),
            server_time=timestamp(datetime.now(UTC)),
            caller_role=role_to_proto(principal.role),  # type: ignore[arg-type]
        )
