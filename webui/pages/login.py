"""Sign-in, and the first administrator's creation on a server without users."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import Request
from nicegui import ui

from common.errors import UpkeepError
from server.services import auth
from webui.forms import FormErrors
from webui.i18n import LANGUAGES, _, locale, set_locale
from webui.layout import PAGE_BUILD_TIMEOUT_S, use_browser_language
from webui.session import current_principal, sign_in
from webui.state import runtime


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


@ui.page("/login", response_timeout=PAGE_BUILD_TIMEOUT_S)
async def login_page(request: Request, next: str | None = None, expired: str | None = None) -> None:  # noqa: A002
    use_browser_language(request)
    target = _safe_next(next)
    if current_principal() is not None:
        ui.navigate.to(target)
        return
    async with runtime().session_factory() as session:
        first_start = not await auth.any_user_exists(session)
    ui.page_title(_("Sign in") + " · Upkeep")

    def switch_language(event) -> None:  # type: ignore[no-untyped-def]
        set_locale(event.value)
        ui.navigate.reload()

    with ui.column().classes("absolute-center items-stretch gap-3 w-96"):
        with ui.row().classes("items-center justify-between"):
            ui.label("Upkeep").classes("text-h4 font-bold text-primary")
            ui.toggle(LANGUAGES, value=locale(), on_change=switch_language).props(
                'dense no-caps data-testid="language"'
            )
        with ui.card().classes("w-full"):
            if first_start:
                _first_admin_form(target)
            else:
                if expired:
                    ui.label(_("Your session has expired. Please sign in again.")).classes("text-warning").props(
                        'data-testid="session-expired"')
                _sign_in_form(target)


def _sign_in_form(target: str) -> None:
    ui.label(_("Sign in")).classes("text-h6")
    username = ui.input(_("Username")).props('autofocus data-testid="username"').classes("w-full")
    password = ui.input(_("Password"), password=True).props('data-testid="password"').classes("w-full")
    errors = FormErrors()

    async def submit() -> None:
        errors.clear()
        if not username.value.strip():
            errors.field(username, _("Enter your username."))
        if not password.value:
            errors.field(password, _("Enter your password."))
        if errors.any:
            return
        async with runtime().session_factory() as session, session.begin():
            principal = await auth.authenticate_user(session, username.value, password.value)
            user = await auth.get_user(session, principal.id or 0) if principal else None
        if principal is None or user is None:
            errors.form(_("Wrong username or password."))
            return
        if user.locale:
            set_locale(user.locale)
        sign_in(principal, runtime().settings.session_max_age_s)
        ui.navigate.to(target)

    password.on("keydown.enter", submit)
    ui.button(_("Sign in"), on_click=submit).props('data-testid="sign-in"').classes("w-full")


def _first_admin_form(target: str) -> None:
    ui.label(_("Create the first administrator")).classes("text-h6")
    ui.label(_("No user exists yet. The account you create now manages this server.")).classes(
        "text-sm text-grey-8"
    )
    username = ui.input(_("Username")).props('autofocus data-testid="username"').classes("w-full")
    password = ui.input(_("Password"), password=True).props('data-testid="password"').classes("w-full")
    confirm = ui.input(_("Repeat the password"), password=True).props('data-testid="password2"').classes("w-full")
    errors = FormErrors(
        {"INVALID_USERNAME": username, "USER_EXISTS": username, "WEAK_PASSWORD": password, "INVALID_PASSWORD": password}
    )

    async def submit() -> None:
        errors.clear()
        if not username.value.strip():
            errors.field(username, _("Enter a username."))
        if password.value != confirm.value:
            errors.field(confirm, _("The two passwords differ."))
        if errors.any:
            return
        try:
            async with runtime().session_factory() as session, session.begin():
                if await auth.any_user_exists(session):
                    errors.form(_("An administrator already exists. Sign in instead."))
                    return
                user = await auth.create_admin(session, username=username.value, password=password.value)
                user = await auth.set_locale(session, user.id, locale())
        except UpkeepError as exc:
            errors.show(exc)
            return
        sign_in(user.principal(), runtime().settings.session_max_age_s)
        ui.navigate.to(target)

    confirm.on("keydown.enter", submit)
    ui.button(_("Create administrator"), on_click=submit).props('data-testid="create-admin"').classes("w-full")
