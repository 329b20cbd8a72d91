"""Announcements: level, text per language, visibility window; this project's and global ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nicegui import ui

from common.errors import UpkeepError
from server.services import announcements as ann
from server.services import audit
from server.services.paging import PageSpec
from server.services.roles import Role
from webui.dialogs import confirm
from webui.forms import FormErrors, slot
from webui.i18n import N_, _, fmt_datetime, locale
from webui.layout import PageContext, console_page
from webui.paging import PagedTable
from webui.session import action
from webui.state import transaction

LEVELS: dict[str, str] = {"info": N_("Information"), "warning": N_("Warning"), "critical": N_("Critical")}
LEVEL_COLORS: dict[str, str] = {"info": "primary", "warning": "warning", "critical": "negative"}


def _when(text: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (UTC) from the form, or None."""
    text = (text or "").strip()
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) if text else None


@console_page("/announcements", N_("Announcements"))
async def announcements_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    can_change = ctx.can(Role.OPERATOR)
    columns = [
        {"name": "level", "label": _("Level"), "field": "level", "align": "left"},
        {"name": "text", "label": _("Text"), "field": "text", "align": "left"},
        {"name": "scope", "label": _("Shown to"), "field": "scope", "align": "left"},
        {"name": "from", "label": _("Visible from"), "field": "from", "align": "left"},
        {"name": "until", "label": _("Visible until"), "field": "until", "align": "left"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        async with transaction() as session:
            result = await ann.list_announcements(session, PageSpec(page=page, size=size), project=project)
        return [
            {
                "id": a.id, "level": _(LEVELS.get(a.level, a.level)), "color": LEVEL_COLORS.get(a.level, "grey"),
                "text": a.text(locale()), "scope": _("This project") if a.project else _("Every project"),
                "from": fmt_datetime(a.visible_from), "until": fmt_datetime(a.visible_until), "can": can_change,
            }
            for a in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="announcements-table")
    paged.table.add_slot("body-cell-level", """<q-td :props="props">
        <q-badge :color="props.row.color" :label="props.value" /></q-td>""")
    paged.table.add_slot("body-cell-actions", slot("""<q-td :props="props"><q-btn v-if="props.row.can" flat dense
        no-caps color="negative" label="%(delete)s" @click="$parent.$emit('delete', props.row.id)" /></q-td>""",
                                                 delete=_("Delete")))

    @action(Role.OPERATOR)
    async def delete(announcement_id: int) -> None:
        if not await confirm(_("Delete this announcement?"), ok=_("Delete")):
            return
        async with transaction() as session:
            await ann.delete_announcement(session, announcement_id)
            await audit.record_audit(session, ctx.principal, "announcement.delete", "announcement", announcement_id,
                                     None, ctx.ip)
        await paged.refresh()

    paged.table.on("delete", lambda e: delete(int(e.args)))
    if can_change:
        ui.button(_("New announcement"), icon="add", on_click=lambda: _dialog(ctx, paged)).props(
            'data-testid="new-announcement"')
    await paged.refresh()


def _dialog(ctx: PageContext, paged: PagedTable) -> None:
    assert ctx.project is not None
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[36rem]"):
        ui.label(_("New announcement")).classes("text-h6")
        level = ui.select({k: _(v) for k, v in LEVELS.items()}, value="info", label=_("Level")).classes("w-48")
        english = ui.textarea(_("Text in English")).props('rows=3 data-testid="announcement-en"').classes("w-full")
        chinese = ui.textarea(_("Text in Chinese")).props('rows=3 data-testid="announcement-zh"').classes("w-full")
        everywhere = ui.switch(_("Show to every project"), value=False)
        with ui.row().classes("w-full gap-3 no-wrap"):
            start = ui.input(_("Visible from (UTC)"), placeholder="2026-01-31 08:00").classes("w-1/2").props(
                'data-testid="announcement-from"')
            end = ui.input(_("Visible until (UTC)"), placeholder="2026-02-28 08:00").classes("w-1/2").props(
                'data-testid="announcement-until"')
        errors = FormErrors({"INVALID_WINDOW": end})

        @action(Role.OPERATOR)
        async def save() -> None:
            errors.clear()
            if not english.value.strip():
                errors.field(english, _("This field is required."))
            try:
                window = _when(start.value), _when(end.value)
            except ValueError:
                errors.field(start if start.value and not _parses(start.value) else end,
                             _("Use the form YYYY-MM-DD HH:MM."))
                return
            if errors.any:
                return
            content = {"en": english.value.strip(), **({"zh_CN": chinese.value.strip()} if chinese.value.strip() else {})}
            new = ann.NewAnnouncement(level=level.value, content=content,
                                      project=None if everywhere.value else ctx.project.slug,  # type: ignore[union-attr]
                                      visible_from=window[0], visible_until=window[1])
            try:
                async with transaction() as session:
                    info = await ann.create_announcement(session, new, created_by=ctx.principal.name)
                    await audit.record_audit(session, ctx.principal, "announcement.create", "announcement", info.id,
                                             {"level": info.level}, ctx.ip)
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            await paged.refresh()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Publish"), on_click=save).props('data-testid="announcement-save"')


def _parses(text: str) -> bool:
    try:
        _when(text)
    except ValueError:
        return False
    return True
