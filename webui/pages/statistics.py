"""Statistics of the current project: period and action filters, charts, CSV export."""

from __future__ import annotations

import csv
import io

from nicegui import ui

from server.services import stats
from webui.i18n import N_, _, fmt_datetime, fmt_number, fmt_percent
from webui.layout import PageContext, console_page
from webui.state import transaction

PERIODS: dict[str, str] = {
    "24h": N_("Last 24 hours"), "7d": N_("Last 7 days"), "30d": N_("Last 30 days"), "90d": N_("Last 90 days"),
}
ACTIONS: dict[str, str] = {
    "all": N_("All actions"), "check": N_("Checks"), "download": N_("Downloads"), "install": N_("Installs"),
    "success": N_("Successes"), "failed": N_("Failures"),
}


@console_page("/statistics", N_("Statistics"))
async def statistics_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project
    with ui.row().classes("w-full items-end gap-3"):
        period = ui.select({k: _(v) for k, v in PERIODS.items()}, value="7d", label=_("Period")).classes(
            "w-48").props('data-testid="stats-period"')
        chosen = ui.select({k: _(v) for k, v in ACTIONS.items()}, value="all", label=_("Action")).classes(
            "w-48").props('data-testid="stats-action"')
        ui.space()
        export = ui.button(_("Export CSV"), icon="download").props('outline data-testid="stats-export"')
    totals = ui.row().classes("w-full gap-4").props('data-testid="stats-totals"')
    with ui.row().classes("w-full gap-4 no-wrap"):
        versions = ui.echart(_pie(_("Version distribution"))).classes("w-1/2 h-72").props(
            'data-testid="stats-versions"')
        regions = ui.echart(_pie(_("Region distribution"))).classes("w-1/2 h-72").props(
            'data-testid="stats-regions"')
    outcomes = ui.echart({
        "title": {"text": _("Successes and failures over time"), "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "xAxis": {"type": "category", "data": []}, "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": _("Successes"), "type": "bar", "stack": "o", "data": [], "color": "#21ba45"},
                   {"name": _("Failures"), "type": "bar", "stack": "o", "data": [], "color": "#c10015"}],
    }).classes("w-full h-72").props('data-testid="stats-outcomes"')
    current: dict[str, list[list[str]]] = {"rows": []}

    async def refresh() -> None:
        async with transaction() as session:
            summary = await stats.event_stats(session, project_id=project.id, period=period.value,
                                              action=chosen.value)
            by_version = await stats.version_distribution(session, project_id=project.id, period=period.value)
            by_region = await stats.region_distribution(session, project_id=project.id, period=period.value)
        totals.clear()
        with totals:
            for action_key, count in summary.by_action.items():
                with ui.card().classes("min-w-36"):
                    ui.label(_(ACTIONS.get(action_key, action_key))).classes("text-caption text-grey-8")
                    ui.label(fmt_number(count)).classes("text-h5")
            with ui.card().classes("min-w-36"):
                ui.label(_("Success rate")).classes("text-caption text-grey-8")
                ui.label(fmt_percent(summary.success_rate / 100)).classes("text-h5")
        versions.options["series"][0]["data"] = [{"name": r.key or "—", "value": r.count} for r in by_version[:12]]
        regions.options["series"][0]["data"] = [{"name": r.key or _("Unknown"), "value": r.count} for r in by_region]
        outcomes.options["xAxis"]["data"] = [fmt_datetime(p.start) for p in summary.series]
        outcomes.options["series"][0]["data"] = [p.counts.get("success", 0) for p in summary.series]
        outcomes.options["series"][1]["data"] = [p.counts.get("failed", 0) for p in summary.series]
        for chart in (versions, regions, outcomes):
            chart.update()
        keys = list(summary.by_action)
        current["rows"] = [["time", *keys]] + [
            [p.start.isoformat(), *(str(p.counts.get(k, 0)) for k in keys)] for p in summary.series
        ]

    def download() -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(current["rows"])
        ui.download.content(buffer.getvalue().encode(), f"{project.slug}-stats-{period.value}.csv", "text/csv")

    export.on_click(download)
    period.on_value_change(refresh)
    chosen.on_value_change(refresh)
    await refresh()


def _pie(title: str) -> dict:
    return {
        "title": {"text": title, "textStyle": {"fontSize": 14}}, "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": []}],
    }
