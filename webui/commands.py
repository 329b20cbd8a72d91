"""Commands pushed to one agent from the console; the agent page and the agents list share them.

    service_releases(project) -> [ReleaseInfo]     what an upgrade may install (published or paused)
    send_command(ctx, agent_id, kind, payload)     queue, audit, deliver to the agent, notify
    push_upgrade(ctx, agent_id, release)           the confirm dialog, then send_command
    upgrade_dialog(ctx, agent_id, host)            choose a release, then push_upgrade
"""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui

from generated.upkeep.v1 import common_pb2
from server.hub import AgentHub
from server.services import agents, audit, commands, releases
from server.services.audit import actor_name
from server.services.paging import PageSpec
from server.services.releases import ReleaseInfo
from server.services.roles import Role
from webui.dialogs import confirm
from webui.i18n import _
from webui.labels import command_type_label, status_label
from webui.layout import PageContext
from webui.session import action
from webui.state import runtime, transaction

__all__ = ["push_upgrade", "release_options", "send_command", "service_releases", "upgrade_dialog"]


def _hub() -> AgentHub:
    return runtime().component("agent_hub", AgentHub)


async def service_releases(project: str) -> list[ReleaseInfo]:
    async with transaction() as session:
        return (await releases.list_releases(
            session, project=project, kind="service", statuses=["published", "paused"], spec=PageSpec(page=1, size=50),
        )).items


def release_options(found: list[ReleaseInfo]) -> dict[int, str]:
    return {r.id: f"{r.display_version} · {status_label(r.status)}" for r in found}


async def send_command(ctx: PageContext, agent_id: int, kind: str, payload: common_pb2.CommandPayload) -> None:
    """Queue the command (callers guard it with ``webui.session.action``: errors become a message)."""
    rt = runtime()
    await _hub().settle(agent_id)  # its last reported version first
    async with transaction() as session:
        agent = await agents.get_agent(session, agent_id=agent_id)
        views, outgoing = await commands.create_commands(
            session, {agent.id: agent.client_uuid}, type_number=common_pb2.CommandType.Value(f"COMMAND_TYPE_{kind.upper()}"),
            payload=payload, expires_at=None, ttl=timedelta(seconds=rt.settings.command_ttl_s), prepare=_hub().prepare,
            created_by=actor_name(ctx.principal),
        )
        await audit.record_audit(session, ctx.principal, "command.send", "command", views[0].id,
                                 {"type": kind, "agents": 1}, ctx.ip)
    _hub().deliver(outgoing)
    ui.notify(_("{command} sent.").format(command=command_type_label(kind)), type="positive")


async def push_upgrade(ctx: PageContext, agent_id: int, release: ReleaseInfo | None) -> bool:
    """Confirm, then queue the upgrade; False when nothing was chosen or the user declined."""
    if release is None:
        ui.notify(_("Choose a release first."), type="warning")
        return False
    if not await confirm(_("Upgrade this agent's service to {version}?").format(version=release.display_version),
                         ok=_("Upgrade")):
        return False
    payload = common_pb2.CommandPayload(upgrade=common_pb2.UpgradePayload(
        release_id=release.id, version=release.display_version))
    await send_command(ctx, agent_id, "upgrade", payload)
    return True


async def upgrade_dialog(ctx: PageContext, agent_id: int, host: str) -> None:
    """A dialog to choose the release, then the same confirmation as on the agent's page."""
    assert ctx.project is not None
    found = await service_releases(ctx.project.slug)
    by_id = {r.id: r for r in found}
    with ui.dialog() as dialog, ui.card().classes("w-96").props('data-testid="upgrade-dialog"'):
        ui.label(_("Upgrade {host}").format(host=host)).classes("text-h6")
        release = ui.select(release_options(found), label=_("Release")).classes("w-full").props(
            'data-testid="upgrade-release"')
        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=lambda: dialog.submit(False)).props("flat")

            @action(Role.OPERATOR)
            async def upgrade() -> None:
                if await push_upgrade(ctx, agent_id, by_id.get(release.value)):
                    dialog.submit(True)  # stays open when refused (the message says why)

            ui.button(_("Upgrade"), icon="upgrade", on_click=upgrade).props('data-testid="push-upgrade"')
    await dialog
    dialog.delete()
