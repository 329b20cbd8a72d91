"""One agent: facts, upgrade history, command log; push a command and watch it step by step.

Progress arrives from the agent hub's watch stream (one subscription per open page);
the page redraws at most every ``REDRAW_S`` seconds however many events arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from nicegui import background_tasks, context, ui

from common.errors import NotFound
from generated.upkeep.v1 import common_pb2
from server.hub import AgentHub
from server.services import agents, commands
from server.services.roles import Role
from webui.i18n import N_, _, fmt_datetime
from webui.labels import (
    FINISHED_COMMANDS,
    command_status_label,
    command_step_label,
    command_type_label,
    upgrade_details_label,
    upgrade_result_label,
)
from webui.commands import push_upgrade, release_options, send_command, service_releases
from webui.dialogs import confirm
from webui.layout import PageContext, console_page
from webui.session import action, live, to_the_end
from webui.state import runtime, transaction

REDRAW_S = 0.5


def _hub() -> AgentHub:
    return runtime().component("agent_hub", AgentHub)


@console_page("/agents/{agent_id}", N_("Agent"))
async def agent_detail_page(ctx: PageContext, agent_id: str) -> None:
    try:
        async with transaction() as session:
            agent = await agents.get_agent(session, agent_id=int(agent_id))
    except (NotFound, ValueError):
        ui.label(_("This agent does not exist.")).classes("text-negative")
        return
    ui.label(agent.hostname or agent.client_uuid).classes("text-h6").props('data-testid="agent-name"')
    facts = ui.column().classes("gap-1")
    if ctx.can(Role.OPERATOR):
        await _command_bar(ctx, agent.id)
    await _live_log(agent, facts)


async def _live_log(agent: agents.AgentView, facts: ui.column) -> None:  # noqa: C901
    agent_id = agent.id
    steps: dict[str, list[str]] = {}

    def draw_facts() -> None:
        facts.clear()
        with facts:
            state = _("Online") if agent.online else _("Offline")
            for label, value in (
                (_("State"), state), (_("ID"), agent.client_uuid), (_("Service version"), agent.service_version),
                (_("Agent version"), agent.client_version), (_("Region"), agent.region),
                (_("Platform"), "-".join(p for p in (agent.os_type, agent.architecture) if p)),
                (_("Labels"), ", ".join(f"{k}={v}" for k, v in sorted(agent.labels.items()))),
                (_("Last seen"), fmt_datetime(agent.last_seen_at)),
            ):
                with ui.row().classes("gap-2"):
                    ui.label(label + ":").classes("text-grey-8 w-32")
                    ui.label(value or "—").props(f'data-testid="fact-{label}"')

    draw_facts()

    ui.label(_("Commands")).classes("text-subtitle1 mt-4")
    command_log = ui.column().classes("w-full gap-2").props('data-testid="command-log"')
    ui.label(_("Upgrade history")).classes("text-subtitle1 mt-4")
    history_columns = [
        {"name": "time", "label": _("Time"), "field": "time", "align": "left"},
        {"name": "from", "label": _("From"), "field": "from", "align": "left"},
        {"name": "to", "label": _("To"), "field": "to", "align": "left"},
        {"name": "status", "label": _("Result"), "field": "status", "align": "left"},
        {"name": "details", "label": _("Details"), "field": "details", "align": "left"},
    ]
    history = ui.table(columns=history_columns, rows=[], row_key="id").classes("w-full").props(
        f'flat bordered dense hide-bottom data-testid="upgrade-history" no-data-label="{_("Nothing to show.")}"')

    async def redraw() -> None:
        nonlocal agent
        async with transaction() as session:
            agent = await agents.get_agent(session, agent_id=agent_id)
            listed, _page, _size, _total = await commands.list_commands(session, agent_id=agent_id, page_size=20)
            upgrades = await agents.upgrade_history(session, agent_id)
        draw_facts()
        command_log.clear()
        with command_log:
            for view in listed:
                _command_card(view, steps.get(view.id, []))
        history.rows = [
            {"id": h.id, "time": fmt_datetime(h.upgraded_at), "from": h.from_version, "to": h.to_version,
             "status": upgrade_result_label(h.status), "details": upgrade_details_label(h.details)}
            for h in upgrades
        ]
        history.update()

    await redraw()
    dirty = asyncio.Event()

    def on_event(command: common_pb2.Command) -> None:
        if command.HasField("progress") and command.progress.step:
            seen = steps.setdefault(command.id, [])
            line = f"{command_step_label(command.progress.step)} · {command.progress.percent}%"
            if command.progress.message:
                line += f" · {command.progress.message}"
            if not seen or seen[-1] != line:
                seen.append(line)
        dirty.set()

    hub = _hub()
    watcher = hub.subscribe(project=agent.project, agent_ids=[agent_id], include_commands=True)

    async def follow() -> None:
        with contextlib.suppress(Exception):
            async for event in hub.events(watcher):
                if event.HasField("command"):
                    on_event(event.command)
                else:
                    dirty.set()

    async def redraw_when_dirty() -> None:
        while True:
            await dirty.wait()
            dirty.clear()
            await to_the_end(redraw())
            await asyncio.sleep(REDRAW_S)

    tasks = [background_tasks.create(follow(), name=f"console-watch-{agent_id}"),
             background_tasks.create(redraw_when_dirty(), name=f"console-redraw-{agent_id}")]

    def stop() -> None:
        hub.watchers.unsubscribe(watcher)
        for task in tasks:
            task.cancel()

    context.client.on_delete(stop)
    ui.timer(5.0, live(dirty.set))  # last-seen and history also change without a command event


def _command_card(view: commands.CommandView, steps: list[str]) -> None:
    finished = view.status in FINISHED_COMMANDS
    color = {"succeeded": "positive", "failed": "negative"}.get(view.status, "primary" if not finished else "grey")
    with ui.card().classes("w-full p-2").props(f'flat bordered data-testid="command-{view.type}"'):
        with ui.row().classes("items-center gap-3"):
            ui.badge(command_status_label(view.status), color=color).props('data-testid="command-status"')
            ui.label(command_type_label(view.type)).classes("font-bold")
            version = (view.payload.get("upgrade") or {}).get("version")
            if version:
                ui.label(version)
            ui.label(fmt_datetime(view.created_at)).classes("text-grey-8 text-sm")
            ui.label(view.created_by).classes("text-grey-8 text-sm")
        progress = view.progress or {}
        if not finished and progress:
            ui.linear_progress(value=int(progress.get("percent", 0)) / 100, show_value=False).classes("w-full")
        for line in steps:
            ui.label(line).classes("text-xs font-mono").props('data-testid="command-step"')
        result = view.result or {}
        if error := result.get("error") or result.get("message"):
            if failed_step := result.get("failed_step"):
                error = f"{command_step_label(failed_step)}: {error}"
            ui.label(error).classes("text-sm " + ("text-negative" if view.status == "failed" else "")).props(
                'data-testid="command-error"')


async def _command_bar(ctx: PageContext, agent_id: int) -> None:
    assert ctx.project is not None
    published = await service_releases(ctx.project.slug)
    by_id = {r.id: r for r in published}

    @action(Role.OPERATOR)
    async def send(kind: str, payload: common_pb2.CommandPayload) -> None:
        await send_command(ctx, agent_id, kind, payload)

    @action(Role.OPERATOR)
    async def upgrade() -> None:
        await push_upgrade(ctx, agent_id, by_id.get(release.value))

    async def rollback() -> None:
        if not await confirm(_("Roll this agent's service back to a backup?"), ok=_("Roll back")):
            return
        payload = common_pb2.CommandPayload(rollback=common_pb2.RollbackPayload(backup_id=backup_id.value or ""))
        await send("rollback", payload)

    async def restart() -> None:
        if await confirm(_("Restart this agent's service?"), ok=_("Restart")):
            await send("restart", common_pb2.CommandPayload(restart=common_pb2.RestartPayload()))

    with ui.row().classes("w-full items-end gap-3"):
        release = ui.select(release_options(published), label=_("Release")).classes("w-56").props('data-testid="upgrade-release"')
        ui.button(_("Upgrade"), icon="upgrade", on_click=upgrade).props('data-testid="push-upgrade"')
        ui.button(_("Backup"), icon="save",
                  on_click=lambda: send("backup", common_pb2.CommandPayload(backup=common_pb2.BackupPayload()))).props(
            'outline data-testid="push-backup"')
        backup_id = ui.input(_("Backup ID (empty: latest)")).classes("w-48")
        ui.button(_("Roll back"), icon="history", on_click=rollback).props('outline data-testid="push-rollback"')
        ui.button(_("Restart"), icon="restart_alt", on_click=restart).props('outline data-testid="push-restart"')
