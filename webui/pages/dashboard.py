"""Dashboard: the fleet and the releases of the current project at a glance, updating live."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from server.services import agents, audit, channels, releases, stats
from server.services.agents import AgentFilter
from server.services.paging import PageSpec
from webui import audit_labels
from webui.i18n import N_, _, fmt_datetime, fmt_number, fmt_percent
from webui.labels import channel_label
from webui.layout import PageContext, console_page
from webui.session import live
from webui.state import transaction

#: Seconds between refreshes: one batch of queries per open dashboard, however busy the fleet.
REFRESH_S = 5.0
PERIODS: dict[str, str] = {"24h": N_("Last 24 hours"), "7d": N_("Last 7 days"), "30d": N_("Last 30 days")}
SERIES: dict[str, str] = {"check": N_("Checks"), "download": N_("Downloads"), "success": N_("Successes"),
                          "failed": N_("Failures")}


@console_page("/", N_("Dashboard"))
async def dashboard_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project

    period = ui.select({k: _(v) for k, v in PERIODS.items()}, value="7d", label=_("Period")).classes("w-48").props(
        'data-testid="dashboard-period"')
    with ui.row().classes("w-full gap-4"):
        cards = {
            key: _card(title, key)
            for key, title in (("clients", _("Total clients")), ("online", _("Agents online now")),
                               ("published", _("Published releases")), ("success", _("Upgrade success rate")))
        }
    with ui.row().classes("w-full gap-4 no-wrap items-start"):
        with ui.card().classes("w-1/2"):
            ui.label(_("Latest version per channel")).classes("text-subtitle1")
            latest = ui.table(columns=[
                {"name": "channel", "label": _("Channel"), "field": "channel", "align": "left"},
                {"name": "version", "label": _("Version"), "field": "version", "align": "left"},
                {"name": "published", "label": _("Published"), "field": "published", "align": "left"},
                {"name": "adoption", "label": _("Adoption"), "field": "adoption", "align": "right"},
            ], rows=[], row_key="channel").classes("w-full").props(
                f'flat dense hide-bottom data-testid="latest-versions" no-data-label="{_("Nothing to show.")}"')
        with ui.card().classes("w-1/2"):
            ui.label(_("Recent activity")).classes("text-subtitle1")
            activity = ui.column().classes("gap-1 w-full").props('data-testid="recent-activity"')
    with ui.card().classes("w-full"):
        ui.label(_("Update trend")).classes("text-subtitle1")
        chart = ui.echart({
            "tooltip": {"trigger": "axis"}, "legend": {"data": [_(v) for v in SERIES.values()]},
            "xAxis": {"type": "category", "data": []}, "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"name": _(v), "type": "line", "smooth": True, "data": []} for v in SERIES.values()],
        }).classes("w-full h-72").props('data-testid="trend-chart"')

    async def refresh() -> None:
        async with transaction() as session:
            clients = await agents.list_agents(session, AgentFilter(project=project.slug), page_size=1)
            online = await agents.list_agents(session, AgentFilter(project=project.slug, online=True, kind="agent"),
                                              page_size=1)
            published = await releases.list_releases(session, project=project.slug, statuses=["published"],
                                                     spec=PageSpec(page=1, size=1))
            summary = await stats.event_stats(session, project_id=project.id, period=period.value)
            adoption = await stats.adoption(session, project_id=project.id, period=period.value)
            channel_list = await channels.list_channels(session, project.slug)
            recent = await audit.list_audit(session, PageSpec(page=1, size=8))
        cards["clients"].set_text(fmt_number(clients.total))
        cards["online"].set_text(fmt_number(online.total))
        cards["published"].set_text(fmt_number(published.total))
        outcomes = summary.by_action.get("success", 0) + summary.by_action.get("failed", 0)
        cards["success"].set_text(fmt_percent(summary.success_rate / 100) if outcomes else "—")
        latest.rows = _latest_rows(channel_list, adoption)
        latest.update()
        activity.clear()
        with activity:
            for entry in recent.items:
                with ui.row().classes("gap-2 text-sm"):
                    ui.label(fmt_datetime(entry.created_at)).classes("text-grey-8")
                    ui.label(audit_labels.actor(entry.actor))
                    ui.label(audit_labels.label(entry.action))
                    ui.label(entry.target_id or "").classes("text-grey-8")
        labels = [fmt_datetime(point.start) for point in summary.series]
        chart.options["xAxis"]["data"] = labels
        for series, key in zip(chart.options["series"], SERIES, strict=True):
            series["data"] = [point.counts.get(key, 0) for point in summary.series]
        chart.update()

    period.on_value_change(refresh)
    await refresh()
    ui.timer(REFRESH_S, live(refresh))


def _card(title: str, key: str) -> ui.label:
    with ui.card().classes("min-w-52 grow"):
        ui.label(title).classes("text-caption text-grey-8")
        return ui.label("—").classes("text-h4").props(f'data-testid="card-{key}"')


def _latest_rows(channel_list: list[Any], adoption: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for channel in channel_list:
        newest = next((a for a in adoption if a.channel_id == channel.id), None)  # adoption is newest first
        if newest is None:
            continue
        rows.append({
            "channel": channel_label(channel.name, channel.display_name), "version": newest.display_version,
            "published": fmt_datetime(newest.publish_time), "adoption": fmt_percent(newest.adoption_rate / 100),
        })
    return rows
