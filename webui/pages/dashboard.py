"""Dashboard: the fleet and the releases of the current project at a glance."""

from __future__ import annotations

from nicegui import ui

from webui.i18n import N_, _
from webui.layout import PageContext, console_page


@console_page("/", N_("Dashboard"))
async def dashboard_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    ui.label(ctx.project.name or ctx.project.slug).classes("text-subtitle1")
