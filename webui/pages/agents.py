"""Agents of the current project: a live, server-side paged list with search and filters; operators
push an upgrade from a row (the agent page's dialog)."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

from server.services import agents
from server.services.agents import AgentFilter
from server.services.roles import Role
from webui.commands import upgrade_dialog
from webui.i18n import N_, _, fmt_datetime
from webui.layout import PageContext, console_page
from webui.paging import PagedTable
from webui.session import live
from webui.state import transaction

#: Seconds between refreshes of the visible page (one query per open console, however busy the fleet).
REFRESH_S = 3.0


def parse_labels(text: str) -> dict[str, str]:
    """``k=v, k2=v2`` → dict (entries without ``=`` are ignored)."""
    pairs = (part.split("=", 1) for part in text.split(",") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs if k.strip()}


@console_page("/agents", N_("Agents"))
async def agents_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    with ui.row().classes("w-full items-end gap-3"):
        search = ui.input(_("Search host name or ID")).props('clearable debounce=250 data-testid="agent-search"')
        state = ui.select({"": _("Online and offline"), "online": _("Online"), "offline": _("Offline")}, value="",
                          label=_("State")).classes("w-44").props('data-testid="agent-state"')
        region = ui.input(_("Region")).props("clearable debounce=250").classes("w-32")
        version = ui.input(_("Service version")).props("clearable debounce=250").classes("w-36")
        labels = ui.input(_("Labels (key=value, ...)")).props("clearable debounce=250").classes("w-56")

    columns = [
        {"name": "state", "label": _("State"), "field": "state", "align": "left"},
        {"name": "hostname", "label": _("Host"), "field": "hostname", "align": "left"},
        {"name": "service_version", "label": _("Service version"), "field": "service_version", "align": "left"},
        {"name": "client_version", "label": _("Agent version"), "field": "client_version", "align": "left"},
        {"name": "region", "label": _("Region"), "field": "region", "align": "left"},
        {"name": "labels", "label": _("Labels"), "field": "labels", "align": "left"},
        {"name": "platform", "label": _("Platform"), "field": "platform", "align": "left"},
        {"name": "last_seen", "label": _("Last seen"), "field": "last_seen", "align": "left"},
    ]
    if ctx.can(Role.OPERATOR):
        columns.append({"name": "actions", "label": "", "field": "id", "align": "right"})
    online_text, offline_text = _("Online"), _("Offline")

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        wanted = AgentFilter(
            project=project, online={"online": True, "offline": False}.get(state.value),
            search=(search.value or "").strip(), region=(region.value or "").strip(),
            service_version=(version.value or "").strip(), labels=parse_labels(labels.value or ""),
        )
        async with transaction() as session:
            result = await agents.list_agents(session, wanted, page=page, page_size=size)
        return [
            {
                "id": a.id, "online": a.online, "state": online_text if a.online else offline_text,
                "hostname": a.hostname or a.client_uuid, "service_version": a.service_version or "—",
                "client_version": a.client_version or "—", "region": a.region or "—",
                "labels": ", ".join(f"{k}={v}" for k, v in sorted(a.labels.items())),
                "platform": "-".join(p for p in (a.os_type, a.architecture) if p) or "—",
                "last_seen": fmt_datetime(a.last_seen_at),
            }
            for a in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="agents-table")
    paged.table.props("row-key=id")
    paged.table.add_slot("body-cell-state", """<q-td :props="props">
        <q-badge :color="props.row.online ? 'positive' : 'grey'" :label="props.value" /></q-td>""")
    paged.table.add_slot("body-cell-hostname", """<q-td :props="props">
        <a :href="'/agents/' + props.row.id" class="text-primary" :data-testid="'agent-' + props.value">
        {{ props.value }}</a></q-td>""")
    if ctx.can(Role.OPERATOR):
        upgrade_label = _("Upgrade")
        paged.table.add_slot("body-cell-actions", f"""<q-td :props="props">
            <q-btn flat round dense color="primary" icon="upgrade" aria-label="{upgrade_label}"
                   :data-testid="'upgrade-' + props.row.hostname" @click="$parent.$emit('push_upgrade', props.row)">
            <q-tooltip>{upgrade_label}</q-tooltip></q-btn></q-td>""")

        async def push(event: GenericEventArguments) -> None:
            await upgrade_dialog(ctx, int(event.args["id"]), event.args["hostname"])

        paged.table.on("push_upgrade", push)
    for control in (search, state, region, version, labels):
        control.on_value_change(paged.first_page)
    await paged.refresh()
    ui.timer(REFRESH_S, live(paged.refresh))
