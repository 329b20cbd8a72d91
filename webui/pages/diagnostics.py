"""Diagnostics bundles uploaded by clients of the current project, newest first, for download."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from server.services import diagnostics
from server.services.paging import PageSpec
from server.storage import open_store
from webui.forms import slot
from webui.i18n import N_, _, fmt_datetime, fmt_number
from webui.layout import PageContext, console_page
from webui.paging import PagedTable
from webui.state import runtime, transaction


@console_page("/diagnostics", N_("Diagnostics"))
async def diagnostics_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    search = ui.input(_("Client ID")).props('clearable debounce=300 data-testid="diagnostics-client"').classes("w-96")
    columns = [
        {"name": "time", "label": _("Uploaded"), "field": "time", "align": "left"},
        {"name": "client", "label": _("Client ID"), "field": "client", "align": "left"},
        {"name": "file", "label": _("File"), "field": "file", "align": "left"},
        {"name": "size", "label": _("Size (bytes)"), "field": "size", "align": "right"},
        {"name": "sha256", "label": "SHA-256", "field": "sha256", "align": "left"},
        {"name": "actions", "label": "", "field": "id", "align": "right"},
    ]
    keys: dict[int, tuple[str, str]] = {}

    async def fetch(page: int, size: int) -> tuple[list[dict[str, Any]], int]:
        async with transaction() as session:
            result = await diagnostics.list_diagnostics(
                session, PageSpec(page=page, size=size), client_uuid=(search.value or "").strip() or None,
                project=project,
            )
        keys.update({d.id: (d.storage_key, d.file_name) for d in result.items})
        return [
            {"id": d.id, "time": fmt_datetime(d.created_at), "client": d.client_uuid, "file": d.file_name,
             "size": fmt_number(d.size), "sha256": d.sha256.removeprefix("sha256:")[:16] + "…"}
            for d in result.items
        ], result.total

    paged = PagedTable(columns, fetch, testid="diagnostics-table")
    paged.table.add_slot("body-cell-actions", slot("""<q-td :props="props"><q-btn flat dense no-caps color="primary"
        label="%(download)s" @click="$parent.$emit('download', props.row.id)" /></q-td>""", download=_("Download")))

    def download(diagnostic_id: int) -> None:
        key, name = keys[diagnostic_id]
        path = open_store(runtime().settings).local_path(key)
        if path is None or not path.exists():
            ui.notify(_("The file is no longer stored."), type="warning")
            return
        ui.download.file(path, name)

    paged.table.on("download", lambda e: download(int(e.args)))
    search.on_value_change(paged.first_page)
    await paged.refresh()
