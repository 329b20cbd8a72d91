"""Bearer-token authentication for the admin REST API.

    @router.get("/admin/api/v1/versions")
    async def list_versions(principal: Principal = Depends(require_principal(Role.VIEWER))): ...

Missing or bad token: 401 in the request's envelope with ``WWW-Authenticate: Bearer``;
a role too low: 403. ``AUTH_RESPONSES`` documents both in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.http.errors import ErrorBody
from server.runtime import Runtime
from server.services.roles import Principal, Role, require_role
from server.services.tokens import authenticate_token

__all__ = ["AUTH_RESPONSES", "client_ip", "require_principal"]

_bearer = HTTPBearer(auto_error=False, description="API token (upkeep-server token create)")

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, unknown, expired or revoked API token"},
    403: {"model": ErrorBody, "description": "The token's role is too low"},
}


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def require_principal(min_role: Role) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, at least ``min_role``."""

    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        runtime: Runtime = request.app.state.runtime
        raw = credentials.credentials if credentials is not None else None
        async with runtime.session_factory() as session, session.begin():
            principal = await authenticate_token(session, raw)
        require_role(principal, min_role)
        return principal

    return dependency
