"""Settings (admins): users and roles, API tokens, enrollment tokens, the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nicegui import ui

from common.errors import UpkeepError
from server.services import audit, auth, tokens
from server.services.paging import PageSpec
from server.services.roles import Role
from webui.dialogs import confirm
from webui.forms import FormErrors, slot
from webui.i18n import LANGUAGES, N_, _, fmt_datetime
from webui.layout import PageContext, console_page
from webui import audit_labels
from webui.pages.enrollment_tokens import enrollment_tokens
from webui.paging import PagedTable
from webui.session import ROLE_NAMES, action, role_name
from webui.state import transaction


@console_page("/settings", N_("Settings"), role=Role.ADMIN)
async def settings_page(ctx: PageContext) -> None:
    with ui.tabs().props("dense align=left no-caps") as tabs:
        users_tab = ui.tab("users", _("Users and roles")).props('data-testid="tab-users"')
        tokens_tab = ui.tab("tokens", _("API tokens")).props('data-testid="tab-tokens"')
        enrollment_tab = ui.tab("enrollment", _("Enrollment tokens")).props('data-testid="tab-enrollment"')
        audit_tab = ui.tab("audit", _("Audit log")).props('data-testid="tab-audit"')
    with ui.tab_panels(tabs, value=users_tab).classes("w-full"):
        with ui.tab_panel(users_tab):
            await _users(ctx)
        with ui.tab_panel(tokens_tab):
            await _api_tokens(ctx)
        with ui.tab_panel(enrollment_tab):
            await enrollment_tokens(ctx)
        with ui.tab_panel(audit_tab):
            audit_log = await _audit_log()

    async def on_tab(event) -> None:  # type: ignore[no-untyped-def]
        if event.value == "audit":
            await audit_log.refresh()

    tabs.on_value_change(on_tab)


def _role_options() -> dict[str, str]:
    return {role.label: _(ROLE_NAMES[role]) for role in Role}


async def _users(ctx: PageContext) -> None:
    columns = [
        {"name": "username", "label": _("Username"), "field": "username", "align": "left"},
        {"name": "role", "label": _("Role"), "field": "role", "align": "left"},
        {"name": "language", "label": _("Language"), "field": "language", "align": "left"},
        {"name": "active", "label": _("Status"), "field": "active", "align": "left"},
        {"name": "last_login", "label": _("Last sign-in"), "field": "last_login", "align": "left"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]
    table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full").props(
        'flat bordered dense hide-bottom data-testid="users-table"'
    )
    options = _role_options()
    table.add_slot(
        "body-cell-role",
        """<q-td :props="props">
            <q-select dense borderless emit-value map-options :options="props.row.role_options"
                      :model-value="props.row.role" @update:model-value="v => $parent.$emit('role', [props.row.id, v])"
                      :data-testid="'role-' + props.row.username" />
        </q-td>""",
    )
    table.add_slot(
        "body-cell-actions",
        """<q-td :props="props">
            <q-btn flat dense no-caps :label="props.row.toggle_label"
                   :color="props.row.is_active ? 'negative' : 'primary'"
                   @click="$parent.$emit('toggle', props.row.id)" :data-testid="'toggle-' + props.row.username" />
        </q-td>""",
    )

    async def load() -> None:
        async with transaction() as session:
            users = await auth.list_users(session)
        table.rows = [
            {
                "id": u.id, "username": u.username, "role": u.role.label,
                "role_options": [{"label": label, "value": value} for value, label in options.items()],
                "language": LANGUAGES.get(u.locale or "", _("From the browser")),
                "is_active": u.is_active, "toggle_label": _("Disable") if u.is_active else _("Enable"), "active": _("Active") if u.is_active else _("Disabled"),
                "last_login": fmt_datetime(u.last_login_at),
            }
            for u in users
        ]
        table.update()

    @action(Role.ADMIN)
    async def change_role(args: list[Any]) -> None:
        user_id, role = int(args[0]), Role.parse(args[1])
        try:
            async with transaction() as session:
                user = await auth.set_role(session, user_id, role)
                await audit.record_audit(
                    session, ctx.principal, "user.set_role", "user", user.username, {"role": role.label}, ctx.ip
                )
            ui.notify(_("{user} is now {role}.").format(user=user.username, role=role_name(role)), type="positive")
        finally:
            await load()

    @action(Role.ADMIN)
    async def toggle(user_id: int) -> None:
        row = next(r for r in table.rows if r["id"] == user_id)
        if row["is_active"] and not await confirm(
            _("Disable {user}? They are signed out and cannot sign in.").format(user=row["username"]),
            ok=_("Disable"),
        ):
            return
        try:
            async with transaction() as session:
                user = await auth.set_active(session, user_id, not row["is_active"])
                await audit.record_audit(
                    session, ctx.principal, "user.set_active", "user", user.username, {"active": user.is_active}, ctx.ip
                )
        finally:
            await load()

    table.on("role", lambda e: change_role(e.args))
    table.on("toggle", lambda e: toggle(int(e.args)))
    ui.button(_("New user"), icon="person_add", on_click=lambda: _new_user_dialog(ctx, load)).props(
        'data-testid="new-user"'
    )
    await load()


def _new_user_dialog(ctx: PageContext, reload) -> None:  # type: ignore[no-untyped-def]
    with ui.dialog(value=True) as dialog, ui.card().classes("w-96"):
        ui.label(_("New user")).classes("text-h6")
        username = ui.input(_("Username")).props('data-testid="user-username"').classes("w-full")
        password = ui.input(_("Password"), password=True).props('data-testid="user-password"').classes("w-full")
        role = ui.select(_role_options(), value=Role.VIEWER.label, label=_("Role")).props(
            'data-testid="user-role"'
        ).classes("w-full")
        errors = FormErrors(
            {"INVALID_USERNAME": username, "USER_EXISTS": username, "WEAK_PASSWORD": password,
             "INVALID_PASSWORD": password}
        )

        @action(Role.ADMIN)
        async def save() -> None:
            errors.clear()
            try:
                async with transaction() as session:
                    user = await auth.create_user(
                        session, username=username.value, password=password.value, role=Role.parse(role.value)
                    )
                    await audit.record_audit(
                        session, ctx.principal, "user.create", "user", user.username, {"role": role.value}, ctx.ip
                    )
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Create"), on_click=save).props('data-testid="user-save"')


async def _api_tokens(ctx: PageContext) -> None:
    columns = [
        {"name": "name", "label": _("Name"), "field": "name", "align": "left"},
        {"name": "role", "label": _("Role"), "field": "role", "align": "left"},
        {"name": "prefix", "label": _("Starts with"), "field": "prefix", "align": "left"},
        {"name": "created", "label": _("Created"), "field": "created", "align": "left"},
        {"name": "expires", "label": _("Expires"), "field": "expires", "align": "left"},
        {"name": "last_used", "label": _("Last used"), "field": "last_used", "align": "left"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        async with transaction() as session:
            result = await tokens.list_tokens(session, PageSpec(page=page, size=size))
        return [
            {
                "id": t.id, "name": t.name, "role": role_name(t.role), "prefix": t.prefix + "…",
                "created": fmt_datetime(t.created_at), "expires": fmt_datetime(t.expires_at),
                "last_used": fmt_datetime(t.last_used_at),
            }
            for t in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="tokens-table")
    paged.table.add_slot(
        "body-cell-actions",
        slot(
            """<q-td :props="props"><q-btn flat dense no-caps color="negative" label="%(revoke)s"
             @click="$parent.$emit('revoke', props.row.id)" /></q-td>""",
            revoke=_("Revoke"),
        ),
    )

    @action(Role.ADMIN)
    async def revoke(token_id: int) -> None:
        row = next(r for r in paged.table.rows if r["id"] == token_id)
        if not await confirm(_("Revoke the API token {name}? Scripts using it stop working.").format(name=row["name"]),
                             ok=_("Revoke")):
            return
        async with transaction() as session:
            await tokens.revoke_token(session, token_id)
            await audit.record_audit(session, ctx.principal, "token.revoke", "api_token", token_id, None, ctx.ip)
        await paged.refresh()

    paged.table.on("revoke", lambda e: revoke(int(e.args)))
    ui.button(_("New API token"), icon="key", on_click=lambda: _new_token_dialog(ctx, paged)).props(
        'data-testid="new-token"'
    )
    await paged.refresh()


def _new_token_dialog(ctx: PageContext, paged: PagedTable) -> None:
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[32rem]"):
        ui.label(_("New API token")).classes("text-h6")
        name = ui.input(_("Name")).props('data-testid="token-name"').classes("w-full")
        role = ui.select(_role_options(), value=Role.VIEWER.label, label=_("Role")).classes("w-full")
        days = ui.number(_("Valid for (days, empty: no expiry)"), min=1, max=3650, precision=0).classes("w-full")
        errors = FormErrors({"INVALID_TOKEN_NAME": name, "INVALID_TTL": days})
        shown = ui.column().classes("w-full")

        @action(Role.ADMIN)
        async def save() -> None:
            errors.clear()
            try:
                async with transaction() as session:
                    created = await tokens.create_token(
                        session, name=name.value, role=Role.parse(role.value), created_by=ctx.principal.name,
                        ttl=timedelta(days=int(days.value)) if days.value else None,
                    )
                    await audit.record_audit(
                        session, ctx.principal, "token.create", "api_token", created.info.id,
                        {"name": created.info.name, "role": role.value}, ctx.ip,
                    )
            except UpkeepError as exc:
                errors.show(exc)
                return
            create_button.disable()
            with shown:
                ui.label(_("Copy the token now: it is shown only this once.")).classes("text-warning")
                ui.input(value=created.secret).props('readonly outlined dense data-testid="token-secret"').classes(
                    "w-full font-mono"
                )
            await paged.refresh()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Close"), on_click=dialog.close).props("flat")
            create_button = ui.button(_("Create"), on_click=save).props('data-testid="token-save"')


async def _audit_log() -> PagedTable:
    columns = [
        {"name": "time", "label": _("Time"), "field": "time", "align": "left"},
        {"name": "actor", "label": _("Who"), "field": "actor", "align": "left"},
        {"name": "action", "label": _("Action"), "field": "action", "align": "left"},
        {"name": "target", "label": _("Target"), "field": "target", "align": "left"},
        {"name": "ip", "label": _("Address"), "field": "ip", "align": "left"},
    ]

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        async with transaction() as session:
            result = await audit.list_audit(session, PageSpec(page=page, size=size))
        return [
            {
                "id": e.id, "time": fmt_datetime(e.created_at), "actor": audit_labels.actor(e.actor),
                "action": audit_labels.label(e.action), "target": e.target_id or "", "ip": e.ip or "",
            }
            for e in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="audit-table")
    await paged.refresh()
    return paged
