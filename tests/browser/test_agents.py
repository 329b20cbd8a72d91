"""Agents in the browser: a live agent appears online, upgrades are pushed from its row and its page,
followed step by step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from generated.upkeep.v1 import agent_pb2 as pb
from generated.upkeep.v1 import common_pb2
from server.services import enrollment, projects, releases
from server.services.roles import Role
from tests.browser.console import ADMIN, choose_project, ensure_user, run_service, screenshot, sign_in
from tests.browser.stream_agent import StreamAgent
from tests.fixtures.servers import ServerProcess

pytestmark = pytest.mark.browser


def _fleet_project(console: ServerProcess) -> str:
    """Project "fleet" with a published service release v1.1.0; returns an enrollment token."""

    async def prepare(session):  # type: ignore[no-untyped-def]
        if "fleet" not in [p.slug for p in await projects.list_projects(session)]:
            await projects.create_project(session, slug="fleet", name="Fleet")
            await releases.create_release(session, project="fleet", version="v1.1.0", kind="service",
                                          title="Faster", publish=True)
        _view, token = await enrollment.create_token(session, project="fleet", labels={"site": "sh"})
        return token

    return run_service(console, prepare)


def test_live_agent_and_pushed_upgrade(page: Page, console: ServerProcess) -> None:
    ensure_user(console, *ADMIN, Role.ADMIN)
    token = _fleet_project(console)
    sign_in(page)
    choose_project(page, "fleet", "Fleet")
    page.get_by_test_id("nav-agents").click()
    table = page.get_by_test_id("agents-table")
    expect(table).not_to_contain_text("node-a")

    agent = StreamAgent(console.grpc_target, token, hostname="node-a").start()
    try:
        row = table.get_by_role("row").filter(has_text="node-a")
        expect(row).to_contain_text("Online", timeout=15_000)  # the list refreshes itself
        page.get_by_test_id("agent-search").fill("no-such-host")
        expect(row).to_have_count(0)
        page.get_by_test_id("agent-search").fill("node-a")
        expect(row).to_contain_text("1.0.0")
        screenshot(page, "agents-en")

        row.get_by_test_id("upgrade-node-a").click()  # from the list: the agent page's dialog
        dialog = page.get_by_test_id("upgrade-dialog")
        dialog.get_by_test_id("upgrade-release").click()
        page.get_by_role("option").filter(has_text="v1.1.0").click()
        dialog.get_by_test_id("push-upgrade").click()
        expect(page.get_by_test_id("confirm-dialog")).to_contain_text("v1.1.0")
        page.get_by_test_id("confirm-ok").click()
        from_list = agent.next_command()
        assert from_list.type == common_pb2.COMMAND_TYPE_UPGRADE and from_list.payload.upgrade.version == "v1.1.0"
        expect(dialog).to_be_hidden()
        screenshot(page, "agents-upgraded-from-row-en")

        page.get_by_test_id("agent-node-a").click()
        expect(page.get_by_test_id("agent-name")).to_have_text("node-a")
        page.get_by_test_id("upgrade-release").click()
        page.get_by_role("option").filter(has_text="v1.1.0").click()
        page.get_by_test_id("push-upgrade").click()
        page.get_by_test_id("confirm-ok").click()

        command = agent.next_command()
        assert command.type == common_pb2.COMMAND_TYPE_UPGRADE and command.payload.upgrade.version == "v1.1.0"
        card = page.get_by_test_id("command-upgrade").first
        agent.send(command_ack=pb.CommandAck(command_id=command.id, accepted=True))
        for number, (step, label) in enumerate((("backup", "Backup"), ("apply", "Apply files"), ("health", "Health check")), start=1):
            agent.send(command_progress=common_pb2.CommandProgress(
                command_id=command.id, step=step, percent=number * 30, message=f"{step} step"))
            expect(card.get_by_test_id("command-step").nth(number - 1)).to_contain_text(f"{label} · {number * 30}%")
        expect(card.get_by_test_id("command-status")).to_have_text("Running")
        agent.send(command_result=common_pb2.CommandResult(
            command_id=command.id, success=True, from_version="1.0.0", to_version="1.1.0"))
        expect(card.get_by_test_id("command-status")).to_have_text("Succeeded")
        expect(page.get_by_test_id("upgrade-history")).to_contain_text("1.1.0")
        screenshot(page, "agent-detail-en")

        page.get_by_test_id("push-restart").click()
        page.get_by_test_id("confirm-ok").click()
        restart = agent.next_command()
        agent.send(command_result=common_pb2.CommandResult(
            command_id=restart.id, success=False, failed_step="health", error="app is unhealthy"))
        card = page.get_by_test_id("command-restart").first
        expect(card.get_by_test_id("command-status")).to_have_text("Failed")
        expect(card.get_by_test_id("command-error")).to_have_text("Health check: app is unhealthy")  # the step named
        agent.send(command_result=common_pb2.CommandResult(  # the upgrade pushed from the list fails the same way
            command_id=from_list.id, success=False, from_version="1.1.0", to_version="1.1.0", failed_step="health",
            error="app is unhealthy"))
        failed = page.get_by_test_id("upgrade-history").get_by_role("row").filter(has_text="Failed")
        expect(failed).to_contain_text("Health check: app is unhealthy")
    finally:
        agent.stop()
