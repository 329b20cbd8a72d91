"""Real server process + real ``upkeep-agent run`` processes on loopback: enrollment,
presence, commands run once through the real backup handler, kill -9 of the server with
commands queued and telemetry in flight, replacement, revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from agent.link import report_telemetry
from agent.store import Store
from generated.upkeep.v1 import admin_pb2, agent_pb2 as pb, common_pb2
from server.db.defaults import new_project
from server.db.engine import make_session_factory
from server.db.models import ServiceUpgradeHistory, TelemetryBatch
from server.services import tokens
from server.services.roles import Role
from tests.fixtures.agents import AgentProcess
from tests.fixtures.control import Admin, Stack, all_online, command_status, next_event, online
from tests.fixtures.servers import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def stack(db_url: str, db_engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Stack]:
    async with make_session_factory(db_engine)() as s, s.begin():
        s.add(new_project(slug="shop", name="Shop"))
        token = (await tokens.create_token(s, name="ops", role=Role.ADMIN)).secret
    stack = Stack(db_url, db_engine, tmp_path, token)
    try:
        yield stack
    finally:
        stack.server.kill()


@pytest.fixture
async def admin(stack: Stack) -> AsyncIterator[Admin]:
    admin = Admin(stack.target, stack.token)
    yield admin
    await admin.close()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[AgentProcess]]:
    made: list[AgentProcess] = []
    yield made
    for node in made:
        node.kill()


async def enrolled(stack: Stack, admin: Admin, nodes: list[AgentProcess], tmp_path: Path, name: str) -> tuple[AgentProcess, int]:
    token = (await admin.call("CreateEnrollmentToken", admin_pb2.CreateEnrollmentTokenRequest(project="shop", max_uses=1))).token
    node = AgentProcess(tmp_path / name, stack.target, name)
    nodes.append(node)
    result = node.enroll(token, stack.target, labels="site=sh")
    assert result.returncode == 0, result.stderr
    agent_id = int(node.query("SELECT agent_id FROM client_identity")[0][0])
    return node, agent_id


async def test_enroll_run_command_once_and_clean_stop(stack: Stack, admin: Admin, nodes, tmp_path: Path) -> None:
    watch = await admin.watch(include_commands=True)
    node, agent_id = await enrolled(stack, admin, nodes, tmp_path, "a")
    node.start()
    await next_event(watch, online(agent_id))
    sent = await admin.call("SendCommand", admin_pb2.SendCommandRequest(
        agent_id=agent_id, type=common_pb2.COMMAND_TYPE_BACKUP,
        payload=common_pb2.CommandPayload(backup=common_pb2.BackupPayload(backup_type="manual"))))
    command_id = sent.commands[0].id
    await next_event(watch, command_status(command_id, common_pb2.COMMAND_STATUS_SUCCEEDED))
    got = (await admin.call("GetCommand", admin_pb2.GetCommandRequest(command_id=command_id))).command
    assert got.result.success and got.result.backup_id
    assert node.query("SELECT id FROM backups") == [(int(got.result.backup_id),)]
    await wait_until(lambda: node.query("SELECT reported FROM executed_commands WHERE command_id = ?", (command_id,)) == [(1,)], 10)
    status = node.cli("status")
    assert "connected" in status.stdout, status.stdout + status.stderr
    assert node.terminate() == 0, node.log()
    await next_event(watch, online(agent_id, False))
    watch.cancel()


async def test_server_kill9_with_queued_commands_and_telemetry_in_flight(stack: Stack, admin: Admin, nodes, tmp_path: Path) -> None:
    watch = await admin.watch()
    a, a_id = await enrolled(stack, admin, nodes, tmp_path, "a")
    b, b_id = await enrolled(stack, admin, nodes, tmp_path, "b")
    a.start()
    b.start()
    await all_online(watch, {a_id, b_id})
    assert b.terminate() == 0, b.log()
    await next_event(watch, online(b_id, False))
    backup = common_pb2.CommandPayload(backup=common_pb2.BackupPayload())
    queued_b = (await admin.call("SendCommand", admin_pb2.SendCommandRequest(agent_id=b_id, type=common_pb2.COMMAND_TYPE_BACKUP, payload=backup))).commands[0].id
    queued_a = (await admin.call("SendCommand", admin_pb2.SendCommandRequest(agent_id=a_id, type=common_pb2.COMMAND_TYPE_BACKUP, payload=backup))).commands[0].id
    watch.cancel()
    await admin.close()
    events = 600
    store = Store(a.history_db)
    for n in range(events):
        report_telemetry(store, pb.TelemetryEvent(service_upgrade=pb.UpgradeRecord(
            from_version="1.0.0", to_version=f"2.0.{n}", outcome=common_pb2.UPGRADE_OUTCOME_SUCCESS)))
    store.close()
    await wait_until(lambda: stack.count(TelemetryBatch), 30, 0.005)  # telemetry is flowing
    stack.server.kill()  # SIGKILL
    stack.restart()
    admin = Admin(stack.target, stack.token)
    watch = await admin.watch()
    b.start()
    await all_online(watch, {a_id, b_id})
    for command_id in (queued_a, queued_b):
        await wait_until(lambda: _status(admin, command_id), 60, 0.1)
    assert await wait_until(lambda: _telemetry_done(stack, a), 60, 0.1)
    assert await stack.count(ServiceUpgradeHistory) == events
    async with make_session_factory(stack.engine)() as s:
        versions = (await s.scalars(select(ServiceUpgradeHistory.to_version))).all()
    assert sorted(versions) == sorted(f"2.0.{n}" for n in range(events))
    for node, command_id in ((a, queued_a), (b, queued_b)):
        assert node.query("SELECT command_id FROM executed_commands") == [(command_id,)]
        assert len(node.query("SELECT id FROM backups")) == 1, node.log()
    watch.cancel()
    await admin.close()
    for node in (a, b):
        assert node.terminate() == 0, node.log()


async def _status(admin: Admin, command_id: str) -> bool:
    command = (await admin.call("GetCommand", admin_pb2.GetCommandRequest(command_id=command_id))).command
    return command.status == common_pb2.COMMAND_STATUS_SUCCEEDED


async def _telemetry_done(stack: Stack, node: AgentProcess) -> bool:
    return node.query("SELECT COUNT(*) FROM outbox WHERE kind = 'telemetry'") == [(0,)]


async def test_second_process_replaces_first(stack: Stack, admin: Admin, nodes, tmp_path: Path) -> None:
    watch = await admin.watch()
    first, agent_id = await enrolled(stack, admin, nodes, tmp_path, "a")
    first.start()
    await next_event(watch, online(agent_id))
    second = AgentProcess(first.root, stack.target, "a")
    second.log_path = first.root / "second.log"
    nodes.append(second)
    second.start()
    assert first.proc is not None and first.proc.wait(30) == 3, first.log()
    assert "GOODBYE_REASON_REPLACED" in first.log()
    assert second.proc is not None and second.proc.poll() is None
    agent = (await admin.call("GetAgent", admin_pb2.GetAgentRequest(agent_id=agent_id))).agent
    assert agent.online
    assert second.terminate() == 0, second.log()
    watch.cancel()


async def test_revoked_agent_cut_off_and_wrong_secret_refused(stack: Stack, admin: Admin, nodes, tmp_path: Path) -> None:
    watch = await admin.watch()
    node, agent_id = await enrolled(stack, admin, nodes, tmp_path, "a")
    node.start()
    await next_event(watch, online(agent_id))
    await admin.call("RevokeAgent", admin_pb2.RevokeAgentRequest(agent_id=agent_id, reason="stolen"))
    assert node.proc is not None and node.proc.wait(30) == 3, node.log()
    assert "GOODBYE_REASON_REVOKED" in node.log()
    node.start()
    assert node.proc.wait(30) == 3
    assert "PERMISSION_DENIED" in node.log()
    other, other_id = await enrolled(stack, admin, nodes, tmp_path, "b")
    other.query("UPDATE client_identity SET secret = 'wrong'")
    other.start()
    assert other.proc is not None and other.proc.wait(30) == 3
    assert "UNAUTHENTICATED" in other.log()
    watch.cancel()


async def test_status_shows_pending_work_until_the_server_has_it(stack: Stack, admin: Admin, nodes, tmp_path: Path) -> None:
    node, _ = await enrolled(stack, admin, nodes, tmp_path, "p")
    store = Store(node.history_db)
    for n in range(3):
        report_telemetry(store, pb.TelemetryEvent(metric=pb.Metric(name="restarts", value=n)))
    store.close()
    status = node.cli("status")
    assert "0 running, 0 results, 3 telemetry events to send" in " ".join(status.stdout.split()), status.stdout
    node.start()
    assert await wait_until(lambda: _telemetry_done(stack, node), 60, 0.1)
    status = node.cli("status")
    assert "0 running, 0 results, 0 telemetry events to send" in " ".join(status.stdout.split()), status.stdout
    assert node.terminate() == 0, node.log()
