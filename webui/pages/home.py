"""Placeholder landing page until the console pages land."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from common.i18n import _, negotiate_locale, use_locale


@ui.page("/")
def home_page(request: Request) -> None:
    with use_locale(negotiate_locale(request.headers.get("accept-language"))):
        ui.label("Upkeep").classes("text-h4")
        ui.label(_("The update control plane is running."))
