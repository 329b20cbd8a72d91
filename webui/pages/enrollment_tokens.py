"""Enrollment tokens of the current project (a section of the settings page)."""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui

from common.errors import UpkeepError
from server.services import audit, enrollment
from server.services.roles import Role
from webui.dialogs import confirm
from webui.forms import FormErrors, slot
from webui.i18n import _, fmt_datetime
from webui.layout import PageContext
from webui.pages.agents import parse_labels
from webui.session import action
from webui.state import transaction

__all__ = ["enrollment_tokens"]


async def enrollment_tokens(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    ui.label(_("Agents enroll into the project {project} with these tokens.").format(project=ctx.project.name)).classes(
        "text-grey-8")
    columns = [
        {"name": "prefix", "label": _("Starts with"), "field": "prefix", "align": "left"},
        {"name": "labels", "label": _("Labels"), "field": "labels", "align": "left"},
        {"name": "uses", "label": _("Uses"), "field": "uses", "align": "right"},
        {"name": "expires", "label": _("Expires"), "field": "expires", "align": "left"},
        {"name": "created", "label": _("Created"), "field": "created", "align": "left"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]
    table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full").props(
        'flat bordered dense hide-bottom data-testid="enrollment-table"')
    table.add_slot("body-cell-actions", slot("""<q-td :props="props"><q-btn flat dense no-caps color="negative"
        label="%(revoke)s" @click="$parent.$emit('revoke', props.row.id)" /></q-td>""", revoke=_("Revoke")))

    async def load() -> None:
        async with transaction() as session:
            listed = await enrollment.list_tokens(session, project=project)
        table.rows = [
            {
                "id": t.id, "prefix": t.token_prefix + "…",
                "labels": ", ".join(f"{k}={v}" for k, v in sorted(t.labels.items()) if not k.startswith("__")),
                "uses": f"{t.uses} / {t.max_uses}" if t.max_uses else str(t.uses),
                "expires": fmt_datetime(t.expires_at), "created": fmt_datetime(t.created_at),
            }
            for t in listed
        ]
        table.update()

    @action(Role.ADMIN)
    async def revoke(token_id: int) -> None:
        if not await confirm(_("Revoke this enrollment token? Agents can no longer enroll with it."), ok=_("Revoke")):
            return
        async with transaction() as session:
            await enrollment.revoke_token(session, token_id)
            await audit.record_audit(session, ctx.principal, "enrollment_token.revoke", "enrollment_token", token_id,
                                     None, ctx.ip)
        await load()

    table.on("revoke", lambda e: revoke(int(e.args)))
    ui.button(_("New enrollment token"), icon="key", on_click=lambda: _dialog(ctx, load)).props(
        'data-testid="new-enrollment"')
    await load()


def _dialog(ctx: PageContext, reload) -> None:  # type: ignore[no-untyped-def]
    assert ctx.project is not None
    project = ctx.project.slug
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[32rem]"):
        ui.label(_("New enrollment token")).classes("text-h6")
        labels = ui.input(_("Labels (key=value, ...)")).classes("w-full").props('data-testid="enrollment-labels"')
        uses = ui.number(_("Maximum uses (empty: unlimited)"), precision=0).classes("w-full")
        days = ui.number(_("Valid for (days, empty: no expiry)"), precision=0).classes("w-full")
        errors = FormErrors()
        shown = ui.column().classes("w-full")

        @action(Role.ADMIN)
        async def save() -> None:
            errors.clear()
            if uses.value is not None and uses.value < 1:
                errors.field(uses, _("Enter a whole number above zero."))
            if days.value is not None and days.value < 1:
                errors.field(days, _("Enter a whole number above zero."))
            if errors.any:
                return
            try:
                async with transaction() as session:
                    view, secret = await enrollment.create_token(
                        session, project=project, labels=parse_labels(labels.value or ""),
                        max_uses=int(uses.value or 0), ttl=timedelta(days=int(days.value)) if days.value else None,
                        created_by=ctx.principal.name,
                    )
                    await audit.record_audit(session, ctx.principal, "enrollment_token.create", "enrollment_token",
                                             view.id, {"project": project}, ctx.ip)
            except UpkeepError as exc:
                errors.show(exc)
                return
            create_button.disable()
            with shown:
                ui.label(_("Copy the token now: it is shown only this once.")).classes("text-warning")
                ui.input(value=secret).props('readonly outlined dense data-testid="enrollment-secret"').classes(
                    "w-full font-mono")
            await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Close"), on_click=dialog.close).props("flat")
            create_button = ui.button(_("Create"), on_click=save).props('data-testid="enrollment-save"')
