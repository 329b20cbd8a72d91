"""Bearer-token authentication for AdminService calls.

    principal = await authenticate(context, self.runtime, Role.OPERATOR)

Raises Unauthenticated / PermissionDenied; the error interceptor turns them into
UNAUTHENTICATED / PERMISSION_DENIED with a translated message.
"""

from __future__ import annotations

import grpc

from server.runtime import Runtime
from server.services.roles import Principal, Role, require_role
from server.services.tokens import authenticate_token

__all__ = ["authenticate", "bearer_token", "parse_bearer", "peer_ip"]


def bearer_token(context: grpc.aio.ServicerContext) -> str | None:
    """The token of an ``authorization: Bearer <token>`` metadata entry, if any."""
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return parse_bearer(value)
    return None


def parse_bearer(value: str | bytes) -> str | None:
    """The token of an ``authorization`` value ``Bearer <token>``, if it is one."""
    scheme, _sep, token = str(value).partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def peer_ip(context: grpc.aio.ServicerContext) -> str | None:
    """The caller's IP from ``ipv4:1.2.3.4:5678`` / ``ipv6:[::1]:5678``, for the audit log."""
    peer = context.peer() or ""
    kind, _sep, rest = peer.partition(":")
    if kind == "ipv4":
        return rest.rpartition(":")[0] or None
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]") or None
    return None


async def authenticate(context: grpc.aio.ServicerContext, runtime: Runtime, min_role: Role) -> Principal:
    """The caller's principal, at least ``min_role``."""
    async with runtime.session_factory() as session, session.begin():
        principal = await authenticate_token(session, bearer_token(context))
    require_role(principal, min_role)
    return principal
