"""Releases of the current project: filtered, paged list; create, edit, publish, pause, revoke."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from server.services import audit, channels, releases
from server.services.paging import PageSpec
from server.services.roles import Role
from webui.dialogs import confirm
from webui.forms import slot
from webui.i18n import N_, _, fmt_datetime
from webui.labels import KINDS, STATUSES, STATUS_COLORS, channel_label, kind_label, status_label
from webui.layout import PageContext, console_page
from webui.paging import PagedTable
from webui.release_form import open_release_dialog
from webui.session import action
from webui.state import transaction

ACTIONS: dict[str, tuple[str, ...]] = {
    "draft": ("edit", "publish", "revoke", "delete"),
    "published": ("edit", "pause", "revoke"),
    "paused": ("edit", "publish", "revoke"),
    "revoked": (),
}


@console_page("/releases", N_("Releases"))
async def releases_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    async with transaction() as session:
        channel_list = await channels.list_channels(session, project)
    channel_names = {c.name: channel_label(c.name, c.display_name) for c in channel_list}
    can_change = ctx.can(Role.OPERATOR)

    with ui.row().classes("w-full items-end gap-3"):
        channel_filter = ui.select({"": _("All channels"), **channel_names}, value="", label=_("Channel")).classes(
            "w-40").props('data-testid="filter-channel"')
        status_filter = ui.select({"": _("All statuses"), **{k: _(v) for k, v in STATUSES.items()}}, value="",
                                  label=_("Status")).classes("w-40").props('data-testid="filter-status"')
        kind_filter = ui.select({"": _("All kinds"), **{k: _(v) for k, v in KINDS.items()}}, value="",
                                label=_("Kind")).classes("w-40")
        search = ui.input(_("Search version or title")).props('clearable debounce=300 data-testid="filter-search"')
        ui.space()
        if can_change:
            ui.button(_("New release"), icon="add",
                      on_click=lambda: open_release_dialog(ctx, channel_list, None, paged.refresh)).props(
                'data-testid="new-release"')

    columns = [
        {"name": "version", "label": _("Version"), "field": "version", "align": "left"},
        {"name": "channel", "label": _("Channel"), "field": "channel", "align": "left"},
        {"name": "kind", "label": _("Kind"), "field": "kind", "align": "left"},
        {"name": "title", "label": _("Title"), "field": "title", "align": "left"},
        {"name": "status", "label": _("Status"), "field": "status", "align": "left"},
        {"name": "published", "label": _("Published"), "field": "published", "align": "left"},
        {"name": "files", "label": _("Files"), "field": "files", "align": "right"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]
    action_labels = {"edit": _("Edit"), "publish": _("Publish"), "pause": _("Pause"), "revoke": _("Revoke"),
                     "delete": _("Delete")}

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        async with transaction() as session:
            result = await releases.list_releases(
                session, project=project, channel=channel_filter.value or None, kind=kind_filter.value or None,
                statuses=[status_filter.value] if status_filter.value else None, search=search.value or None,
                spec=PageSpec(page=page, size=size),
            )
        return [
            {
                "id": r.id, "version": r.display_version, "channel": channel_names.get(r.channel, r.channel),
                "kind": kind_label(r.kind), "title": r.title, "status": status_label(r.status),
                "status_color": STATUS_COLORS.get(r.status, "grey"), "published": fmt_datetime(r.publish_time),
                "files": len(r.artifacts),
                "actions": [{"key": a, "label": action_labels[a]} for a in ACTIONS.get(r.status, ())]
                if can_change else [],
            }
            for r in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="releases-table")
    paged.table.add_slot("body-cell-status", """<q-td :props="props">
        <q-badge :color="props.row.status_color" :label="props.value" /></q-td>""")
    paged.table.add_slot("body-cell-actions", slot("""<q-td :props="props">
        <q-btn v-for="a in props.row.actions" :key="a.key" flat dense no-caps :label="a.label"
               :color="a.key === 'revoke' || a.key === 'delete' ? 'negative' : 'primary'"
               :data-testid="a.key + '-' + props.row.version"
               @click="$parent.$emit('act', [a.key, props.row.id, props.row.version])" /></q-td>"""))

    @action(Role.OPERATOR)
    async def act(args: list[Any]) -> None:
        verb, release_id, shown = str(args[0]), int(args[1]), str(args[2])
        if verb == "edit":
            async with transaction() as session:
                current = await releases.get_release(session, release_id)
            open_release_dialog(ctx, channel_list, current, paged.refresh)
            return
        if verb == "revoke" and not await confirm(
            _("Revoke {version}? Clients stop receiving it and it cannot be published again.").format(version=shown),
            ok=_("Revoke"),
        ):
            return
        if verb == "delete" and not await confirm(
            _("Delete the draft {version}?").format(version=shown), ok=_("Delete")
        ):
            return
        operations = {
            "publish": releases.publish_release, "pause": releases.pause_release,
            "revoke": releases.revoke_release, "delete": releases.delete_release,
        }
        async with transaction() as session:
            await operations[verb](session, release_id)
            await audit.record_audit(session, ctx.principal, f"release.{verb}", "release", release_id,
                                     {"version": shown}, ctx.ip)
        await paged.refresh()

    paged.table.on("act", lambda e: act(e.args))
    for control in (channel_filter, status_filter, kind_filter, search):
        control.on_value_change(paged.first_page)
    await paged.refresh()
