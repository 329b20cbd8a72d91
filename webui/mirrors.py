"""A project's download mirrors: one row per region, "default" the fallback.

    edit rows ──► [Save] ──► mirrors_from_rows + update_project (audited "project.mirrors")
A bad or repeated row leaves its message in the dialog and saves nothing.
"""

from __future__ import annotations

import itertools

from nicegui import ui

from common.errors import UpkeepError
from server.services import audit, projects
from server.services.projects import ProjectInfo
from server.services.roles import Role
from webui.forms import FormErrors
from webui.i18n import _
from webui.layout import PageContext
from webui.session import action
from webui.state import transaction

__all__ = ["open_mirrors_dialog"]


def _ordered(mirrors: dict[str, str]) -> list[tuple[str, str]]:
    """``default`` first, then the regions by name."""
    return sorted(mirrors.items(), key=lambda item: (item[0] != "default", item[0]))


def open_mirrors_dialog(ctx: PageContext, project: ProjectInfo) -> None:
    rows: list[tuple[ui.input, ui.input]] = []
    numbers = itertools.count()  # test ids stay unique when rows are removed and added
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[40rem] max-w-full").props(
        'data-testid="mirrors-dialog"'
    ):
        ui.label(_("Download mirrors of {project}").format(project=project.name)).classes("text-h6")
        ui.label(_("A client downloads from the mirror of its region, else from the \"default\" one, else from "
                   "this server. The checksum stays the same.")).classes("text-sm text-grey-8")
        listing = ui.column().classes("w-full gap-1")

        def add_row(region: str = "", url: str = "") -> None:
            index = next(numbers)
            with listing, ui.row().classes("w-full no-wrap items-start gap-2") as row:
                region_input = ui.input(_("Region"), value=region, placeholder="cn").classes("w-32").props(
                    f'data-testid="mirror-region-{index}"')
                url_input = ui.input(_("Base URL"), value=url, placeholder="https://").classes("grow").props(
                    f'data-testid="mirror-url-{index}"')
                entry = (region_input, url_input)

                def remove() -> None:
                    rows.remove(entry)
                    row.delete()

                ui.button(icon="delete", on_click=remove).props(
                    f'flat dense round color=negative data-testid="mirror-remove-{index}"')
            rows.append(entry)

        for region, url in _ordered(project.download_mirrors) or [("default", "")]:
            add_row(region, url)
        ui.button(_("Add a mirror"), icon="add", on_click=lambda: add_row()).props(
            'flat data-testid="mirror-add"')
        errors = FormErrors()

        @action(Role.OPERATOR)
        async def save() -> None:
            errors.clear()
            try:
                async with transaction() as session:
                    mirrors = projects.mirrors_from_rows((r.value or "", u.value or "") for r, u in rows)
                    saved = await projects.update_project(session, project.slug, download_mirrors=mirrors)
                    await audit.record_audit(session, ctx.principal, "project.mirrors", "project", saved.slug,
                                             saved.download_mirrors, ctx.ip)
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            ui.navigate.reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Save"), on_click=save).props('data-testid="mirrors-save"')
