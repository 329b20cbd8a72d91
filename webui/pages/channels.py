"""Channels of the current project: active switch, rollout percentage, auto-publish."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from server.services import audit, channels
from server.services.channels import ChannelInfo
from server.services.roles import Role
from webui.i18n import N_, _
from webui.labels import channel_label
from webui.layout import PageContext, console_page
from webui.session import action
from webui.state import transaction


@console_page("/channels", N_("Channels"))
async def channels_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    async with transaction() as session:
        listed = await channels.list_channels(session, ctx.project.slug)
    with ui.row().classes("w-full gap-4"):
        for channel in listed:
            _channel_card(ctx, channel)


def _channel_card(ctx: PageContext, channel: ChannelInfo) -> None:
    assert ctx.project is not None
    project = ctx.project.slug
    can_change = ctx.can(Role.OPERATOR)

    @action(Role.OPERATOR)
    async def change(**fields: Any) -> None:
        async with transaction() as session:
            updated = await channels.update_channel(session, project, channel.name, **fields)
            await audit.record_audit(session, ctx.principal, "channel.update", "channel",
                                     f"{project}/{channel.name}", fields, ctx.ip)
        ui.notify(_("{channel} saved.").format(channel=channel_label(updated.name, updated.display_name)),
                  type="positive")

    def on(field: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(event: Any) -> None:
            await change(**{field: event.value if field != "rollout_percentage" else int(event.args)})

        return handler

    with ui.card().classes("w-80").props(f'data-testid="channel-{channel.name}"'):
        ui.label(channel_label(channel.name, channel.display_name)).classes("text-h6")
        active = ui.switch(_("Active"), value=channel.is_active).props(f'data-testid="active-{channel.name}"')
        auto = ui.switch(_("Publish new releases at once"), value=channel.auto_publish).props(
            f'data-testid="auto-{channel.name}"')
        ui.label(_("Rollout")).classes("text-caption text-grey-8")
        with ui.row().classes("w-full items-center no-wrap"):
            slider = ui.slider(min=0, max=100, step=5, value=channel.rollout_percentage).props(
                f'label data-testid="rollout-{channel.name}"').classes("grow")
            ui.label().bind_text_from(slider, "value", lambda v: f"{v} %").classes("w-12 text-right").props(
                f'data-testid="rollout-value-{channel.name}"')
        if can_change:
            active.on_value_change(on("is_active"))
            auto.on_value_change(on("auto_publish"))
            slider.on("change", on("rollout_percentage"))
        else:
            for control in (active, auto, slider):
                control.disable()
