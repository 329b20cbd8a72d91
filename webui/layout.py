"""The shared page frame: left navigation, header (project, language, user, sign out).

Every console page is declared with ``@console_page(path, title, role=...)``: the wrapper
checks the session (sign-in page otherwise), the role (a message otherwise), picks the
language, draws the frame and calls the page body with a ``PageContext``.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
from collections.abc import Awaitable, Callable, Iterator

from fastapi import Request
from nicegui import app, context, ui

from common.errors import NotFound
from common.i18n import negotiate_locale, use_locale
from server.services import auth, projects
from server.services.projects import ProjectInfo
from server.services.roles import Principal, Role
from webui.i18n import LANGUAGES, N_, QUASAR_LANGUAGE, _, locale, set_locale
from webui.session import current_principal, login_url, role_name, session_expired, sign_in, sign_out
from webui.state import runtime

__all__ = ["NAVIGATION", "PageContext", "console_page", "frame", "use_browser_language"]

#: (path, title, icon, minimum role) of every navigation entry, in order.
#: How long a page may take to build before NiceGUI answers 500 (its default, 3 s, is
#: exceeded by a busy server whose pages read the database while building).
PAGE_BUILD_TIMEOUT_S = 15.0

NAVIGATION: tuple[tuple[str, str, str, Role], ...] = (
    ("/", N_("Dashboard"), "dashboard", Role.VIEWER),
    ("/projects", N_("Projects"), "folder", Role.VIEWER),
    ("/releases", N_("Releases"), "new_releases", Role.VIEWER),
    ("/channels", N_("Channels"), "alt_route", Role.VIEWER),
    ("/rules", N_("Update rules"), "rule", Role.VIEWER),
    ("/agents", N_("Agents"), "dns", Role.VIEWER),
    ("/statistics", N_("Statistics"), "insights", Role.VIEWER),
    ("/announcements", N_("Announcements"), "campaign", Role.VIEWER),
    ("/diagnostics", N_("Diagnostics"), "medical_services", Role.VIEWER),
    ("/settings", N_("Settings"), "settings", Role.ADMIN),
)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PageContext:
    """What a page body knows about the request it serves."""

    principal: Principal
    #: The current project (None only when no project exists yet).
    project: ProjectInfo | None
    projects: tuple[ProjectInfo, ...]
    #: The browser's address, for the audit log.
    ip: str | None = None

    def can(self, role: Role) -> bool:
        return self.principal.role >= role


def use_browser_language(request: Request) -> str:
    """The session's locale, defaulting from the browser's Accept-Language."""
    if "locale" not in app.storage.user:
        set_locale(negotiate_locale(request.headers.get("accept-language")))
    chosen = locale()
    _apply_quasar_language(chosen)
    return chosen


def _apply_quasar_language(chosen: str) -> None:
    """Quasar's own texts and the html lang attribute follow the session, per client."""
    client = context.client
    page = copy.copy(client.page)
    page.language = QUASAR_LANGUAGE[chosen]  # type: ignore[assignment]
    client.page = page


async def _refresh_principal(principal: Principal) -> Principal | None:
    """Re-read the user: a disabled or deleted account loses its session, a new role applies now."""
    async with runtime().session_factory() as session:
        try:
            user = await auth.get_user(session, principal.id or 0)
        except NotFound:
            return None
    if not user.is_active:
        return None
    if user.role != principal.role:
        refreshed = dataclasses.replace(principal, role=user.role)
        sign_in(refreshed, runtime().settings.session_max_age_s, keep_expiry=True)
        return refreshed
    return principal


async def _projects() -> tuple[ProjectInfo, ...]:
    async with runtime().session_factory() as session:
        return tuple(await projects.list_projects(session))


def _current_project(available: tuple[ProjectInfo, ...]) -> ProjectInfo | None:
    wanted = app.storage.user.get("project")
    for project in available:
        if project.slug == wanted:
            return project
    default = runtime().settings.default_project
    chosen = next((p for p in available if p.slug == default), available[0] if available else None)
    if chosen is not None:
        app.storage.user["project"] = chosen.slug
    return chosen


def console_page(
    path: str, title: str, *, role: Role = Role.VIEWER
) -> Callable[[Callable[..., Awaitable[None]]], Callable[[Request], Awaitable[None]]]:
    """Register a signed-in page; ``title`` is an N_()-marked id; path parameters reach the body as strings."""

    def decorate(body: Callable[..., Awaitable[None]]) -> Callable[[Request], Awaitable[None]]:
        @ui.page(path, response_timeout=PAGE_BUILD_TIMEOUT_S)
        async def page(request: Request) -> None:
            chosen = use_browser_language(request)
            expired = session_expired()
            principal = current_principal()
            if principal is not None:
                principal = await _refresh_principal(principal)
            if principal is None:
                sign_out()
                ui.navigate.to(login_url(request.url.path, expired=expired))
                return
            available = await _projects()
            ctx = PageContext(
                principal=principal, project=_current_project(available), projects=available,
                ip=request.client.host if request.client else None,
            )
            with use_locale(chosen), frame(title, ctx):
                if not ctx.can(role):
                    ui.label(_("This page needs the {role} role.").format(role=role_name(role))).classes(
                        "text-negative"
                    )
                    return
                await body(ctx, **request.path_params)

        return page

    return decorate


@contextlib.contextmanager
def frame(title: str, ctx: PageContext) -> Iterator[ui.column]:
    """Header, left navigation and the content column the page fills."""
    ui.page_title(_(title) + " · Upkeep")
    ui.colors(primary="#2f5d8a")
    with ui.header().classes("items-center gap-3 px-4 py-2 bg-primary text-white"):
        ui.button(icon="menu", on_click=lambda: drawer.toggle()).props("flat round dense color=white")
        ui.label("Upkeep").classes("text-h6 font-bold")
        ui.space()
        _project_selector(ctx)
        _language_switch(ctx)
        ui.label(f"{ctx.principal.name} · {role_name(ctx.principal.role)}").classes("text-sm").props(
            'data-testid="whoami"'
        )
        sign_out_label = _("Sign out")
        ui.button(icon="logout", on_click=_logout).props(
            f'flat round dense color=white data-testid="logout" aria-label="{sign_out_label}"'
        ).tooltip(sign_out_label)
    with ui.left_drawer(value=True, fixed=True).classes("bg-grey-2 p-0").props("width=210 breakpoint=900") as drawer:
        with ui.list().classes("w-full"):
            for target, label, icon, needed in NAVIGATION:
                if not ctx.can(needed):
                    continue
                with ui.item(on_click=functools.partial(ui.navigate.to, target)).props(
                    f'clickable data-testid="nav-{target.strip("/") or "dashboard"}"'
                ):
                    with ui.item_section().props("avatar"):
                        ui.icon(icon)
                    ui.item_section(_(label))
    with ui.column().classes("w-full gap-4 p-2") as content:
        ui.label(_(title)).classes("text-h5")
        yield content


def _project_selector(ctx: PageContext) -> None:
    if not ctx.projects:
        return
    options = {p.slug: p.name or p.slug for p in ctx.projects}

    def choose(event) -> None:  # type: ignore[no-untyped-def]
        app.storage.user["project"] = event.value
        ui.navigate.reload()

    label = _("Project")
    ui.select(options, value=ctx.project.slug if ctx.project else None, on_change=choose).props(
        f'dense dark standout options-dense data-testid="project-select" aria-label="{label}"'
    ).classes("w-48")


def _language_switch(ctx: PageContext) -> None:
    async def choose(event) -> None:  # type: ignore[no-untyped-def]
        chosen = set_locale(event.value)
        async with runtime().session_factory() as session, session.begin():
            await auth.set_locale(session, ctx.principal.id or 0, chosen)
        ui.navigate.reload()

    ui.toggle(LANGUAGES, value=locale(), on_change=choose).props(
        'dense no-caps color=white text-color=primary toggle-color=grey-4 data-testid="language"'
    )


def _logout() -> None:
    sign_out()
    ui.navigate.to("/login")
