"""Confirmation before anything destructive."""

from __future__ import annotations

from nicegui import ui

from webui.i18n import _

__all__ = ["confirm"]


async def confirm(message: str, *, ok: str | None = None) -> bool:
    """Ask; True only when the user confirms."""
    with ui.dialog() as dialog, ui.card().props('data-testid="confirm-dialog"'):
        ui.label(message)
        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(ok or _("Confirm"), on_click=lambda: dialog.submit(True)).props(
                'color=negative data-testid="confirm-ok"'
            )
    result = await dialog
    dialog.delete()
    return bool(result)
