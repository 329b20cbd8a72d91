"""Who is signed in to this browser: a signed, server-side session that expires.

    /login ──sign_in()──► session {user id, name, role, expires_at} ──► pages
       ▲                                  │ expired, signed out, user disabled or role changed
       └──────────────────────────────────┘  (checked on every page load, action and live refresh)

An expired session sends the browser to ``/login?next=<page>&expired=1``: the sign-in page
says why, in the language the session had, and leads back to the page afterwards.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

from nicegui import app, context, ui

from common.errors import UpkeepError
from server.services.roles import Principal, Role
from webui.i18n import N_, _, locale

__all__ = [
    "ROLE_NAMES", "action", "current_principal", "live", "login_url", "notify_error", "role_name", "session_expired",
    "sign_in", "sign_out", "to_the_end",
]

ROLE_NAMES: dict[Role, str] = {Role.VIEWER: N_("Viewer"), Role.OPERATOR: N_("Operator"), Role.ADMIN: N_("Administrator")}

P = ParamSpec("P")
T = TypeVar("T")
_KEY = "auth"
logger = logging.getLogger(__name__)


def sign_in(principal: Principal, max_age_s: int, *, keep_expiry: bool = False) -> None:
    """Start a session of ``max_age_s`` (or update the principal of the running one)."""
    previous = app.storage.user.get(_KEY) or {}
    expires_at = previous["expires_at"] if keep_expiry and previous else time.time() + max_age_s
    app.storage.user[_KEY] = {
        "id": principal.id,
        "name": principal.name,
        "role": principal.role.label,
        "expires_at": expires_at,
    }


def sign_out() -> None:
    app.storage.user.pop(_KEY, None)


def session_expired() -> bool:
    """True when this browser had a session that has run out (not signed out, never signed in)."""
    data = app.storage.user.get(_KEY)
    return bool(data) and data.get("expires_at", 0) < time.time()


def login_url(target: str, *, expired: bool = False) -> str:
    return "/login?" + urlencode({"next": target, **({"expired": "1"} if expired else {})}, safe="/")


def _to_login() -> None:
    """Leave a page whose session has run out for the sign-in page (back here afterwards)."""
    ui.navigate.to(login_url(context.client.request.url.path, expired=True))


def current_principal() -> Principal | None:
    """The signed-in user, or None when nobody is signed in or the session expired."""
    data = app.storage.user.get(_KEY)
    if not data:
        return None
    if data.get("expires_at", 0) < time.time():
        sign_out()
        return None
    return Principal(name=data["name"], role=Role.parse(data["role"]), kind="user", id=data["id"])


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])


def notify_error(exc: UpkeepError) -> None:
    ui.notify(exc.translated(locale()), type="negative", multi_line=True)


def action(
    role: Role,
) -> Callable[[Callable[P, Awaitable[Any]]], Callable[P, Awaitable[None]]]:
    """Guard a console action: a live session with ``role``; errors become a message, not a crash."""

    def decorate(handler: Callable[P, Awaitable[Any]]) -> Callable[P, Awaitable[None]]:
        @functools.wraps(handler)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            principal = current_principal()
            if principal is None:
                _to_login()
                return
            if principal.role < role:
                ui.notify(_("This action needs the {role} role.").format(role=role_name(role)), type="negative")
                return
            try:
                await handler(*args, **kwargs)
            except UpkeepError as exc:
                notify_error(exc)

        return guarded

    return decorate


def live(refresh: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    """A page's periodic refresh: stops showing data once the session has run out."""

    async def refresh_while_signed_in() -> None:
        if current_principal() is None:
            _to_login()
            return
        result = refresh()
        if inspect.isawaitable(result):
            await to_the_end(result)

    return refresh_while_signed_in


async def to_the_end(work: Awaitable[T]) -> T:
    """Await ``work`` and let it finish even if the caller is cancelled.

    A page that goes away cancels its timers' running callbacks and its tasks. Cut inside a
    transaction (say while waiting for SQLite's write lock), the connection can be dropped
    with the transaction still open, holding the lock until the process exits.
    """
    task = asyncio.ensure_future(work)
    task.add_done_callback(_drop_outcome)
    return await asyncio.shield(task)


def _drop_outcome(task: asyncio.Future[Any]) -> None:
    """A refresh for a page that went away may fail on its deleted elements: nobody awaits it."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("console refresh ended: %r", task.exception())
