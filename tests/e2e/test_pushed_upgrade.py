"""An admin pushes upgrades over AdminService to a real ``upkeep-agent run`` daemon, which fetches
the release as chunks from a real ``upkeep-server serve`` and upgrades a compose service on dockerd.

Faults are real: the server process is killed with SIGKILL in the middle of the upgrade.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from generated.upkeep.v1 import admin_pb2, common_pb2
from server.db.engine import make_session_factory
from server.db.models import Command, ServiceUpgradeHistory, UpdateEvent
from tests.e2e.upgrade_kit import app_images, bundle, install, node  # noqa: F401
from tests.fixtures.control import Admin, Stack, next_event, online
from tests.fixtures.pushed import Daemon, link_node, publish_bundle
from tests.fixtures.servers import run_cli, server_env, wait_until
from tests.fixtures.service_bundles import AppImages, Node, fetch, fill_data, snapshot

pytestmark = pytest.mark.e2e

FINISHED = {common_pb2.COMMAND_STATUS_SUCCEEDED, common_pb2.COMMAND_STATUS_FAILED,
            common_pb2.COMMAND_STATUS_CANCELLED, common_pb2.COMMAND_STATUS_EXPIRED}
FLOW = ["download", "validate", "backup", "stop", "apply", "load", "start", "health", "cleanup", "record", "done"]


@dataclasses.dataclass
class Fleet:
    stack: Stack
    admin: Admin
    node: Node
    daemon: Daemon
    agent_id: int
    releases: dict[str, int]
    data: dict[str, tuple[str, int, str]]


@pytest.fixture
async def fleet(db_url: str, db_engine: AsyncEngine, tmp_path: Path, node: Node, app_images: AppImages) -> AsyncIterator[Fleet]:  # noqa: F811
    """Releases 1.0.0 and 2.0.0 published on a real server; the node runs 1.0.0 and its daemon is online."""
    created = await asyncio.to_thread(run_cli, ["token", "create", "--role", "admin", "--name", "e2e"], server_env(db_url, tmp_path / "data"))
    assert created.returncode == 0, created.stderr
    stack = Stack(db_url, db_engine, tmp_path, created.stdout.strip())
    admin = Admin(stack.target, stack.token)
    daemon = Daemon(node)
    try:
        await admin.call("CreateProject", admin_pb2.CreateProjectRequest(slug="shop", name="Shop"))
        releases = {version: await publish_bundle(admin, stack.env, "shop", version, bundle(node, app_images, version))
                    for version in ("1.0.0", "2.0.0")}
        (await install(node, app_images, "1.0.0")).store.close()
        fill_data(node.data_dir)
        link_node(node, stack.target)
        token = (await admin.call("CreateEnrollmentToken", admin_pb2.CreateEnrollmentTokenRequest(project="shop"))).token
        agent_id = await asyncio.to_thread(daemon.enroll, token, stack.target)
        watch = await admin.watch(agent_ids=[agent_id])
        daemon.start()
        await next_event(watch, online(agent_id), 60)
        watch.cancel()
        fleet = Fleet(stack=stack, admin=admin, node=node, daemon=daemon, agent_id=agent_id, releases=releases,
                      data=snapshot(node.data_dir))
        yield fleet
        admin = fleet.admin  # a test may have reconnected
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
        await admin.close()
        stack.server.kill()


async def push(fleet: Fleet, version: str, *, is_rollback: bool = False) -> str:
    payload = common_pb2.CommandPayload(upgrade=common_pb2.UpgradePayload(
        release_id=fleet.releases[version], version=version, is_rollback=is_rollback))
    sent = await fleet.admin.call("SendCommand", admin_pb2.SendCommandRequest(
        agent_id=fleet.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE, payload=payload))
    return sent.commands[0].id


async def follow(watch: grpc.aio.UnaryStreamCall, command_id: str, *, until=None, timeout: float = 180):  # type: ignore[no-untyped-def]
    """(progress as [(step, percent)], the command when it finished or ``until(command)`` held)."""
    progress: list[tuple[str, int]] = []
    stop = until or (lambda command: command.status in FINISHED)

    async def read() -> common_pb2.Command:
        while True:
            event = await watch.read()
            assert event is not grpc.aio.EOF, "watch ended"
            if event.WhichOneof("event") != "command" or event.command.id != command_id:
                continue
            command = event.command
            if command.progress.step and (command.progress.step, command.progress.percent) not in progress[-1:]:
                progress.append((command.progress.step, command.progress.percent))
            if stop(command):
                return command

    return progress, await asyncio.wait_for(read(), timeout)


async def history_of(engine: AsyncEngine, command_id: str) -> list[ServiceUpgradeHistory]:
    async with make_session_factory(engine)() as s:
        return list((await s.scalars(
            select(ServiceUpgradeHistory).join(Command, Command.id == ServiceUpgradeHistory.command_id).where(Command.uuid == command_id)
        )).all())


async def success_events(engine: AsyncEngine, version: str) -> int:
    async with make_session_factory(engine)() as s:
        return len((await s.scalars(select(UpdateEvent.id).where(UpdateEvent.action == "success", UpdateEvent.version == version))).all())


async def test_pushed_upgrade_progress_history_downgrade_refused_and_rollback(fleet: Fleet) -> None:
    # The project keeps one pre-upgrade backup per node (config.toml says 3): pushed live to the daemon.
    await fleet.admin.call("UpdateProject", admin_pb2.UpdateProjectRequest(project="shop", agent_backup_retention=1))
    await wait_until(lambda: fleet.daemon.query("SELECT value FROM kv WHERE key = 'settings.backup_retention'") == [("1",)], 30, 0.05)
    watch = await fleet.admin.watch(agent_ids=[fleet.agent_id], include_commands=True)
    command_id = await push(fleet, "2.0.0")
    progress, command = await follow(watch, command_id)
    assert command.status == common_pb2.COMMAND_STATUS_SUCCEEDED, (command, fleet.daemon.log()[-3000:])
    assert (command.result.from_version, command.result.to_version) == ("1.0.0", "2.0.0")
    steps = [step for step, _percent in progress]
    assert [s for s in FLOW if s in steps] == sorted(set(steps), key=steps.index), progress  # in the flow's order
    assert {"download", "backup", "apply", "health", "done"} <= set(steps), progress
    percents = [percent for _step, percent in progress]
    assert percents == sorted(percents) and percents[-1] == 100, progress
    rows = await history_of(fleet.stack.engine, command_id)
    assert [(r.from_version, r.to_version, r.status) for r in rows] == [("1.0.0", "2.0.0", "SUCCESS")]
    assert {"download", "backup", "apply", "load", "start", "health"} <= set(rows[0].step_timings or {})
    assert all(seconds >= 0 for seconds in rows[0].step_timings.values())
    assert fetch(fleet.node.url + "/version") == "2.0.0"
    assert fetch(fleet.node.url + "/data/page.txt") == "data page 1\n"
    assert snapshot(fleet.node.data_dir) == fleet.data

    # An older release is refused when queued (the agent would refuse it too), unless it is a rollback.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await push(fleet, "1.0.0")
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION, refused.value
    assert "2.0.0" in refused.value.details() and "1.0.0" in refused.value.details()
    assert fetch(fleet.node.url + "/version") == "2.0.0"

    rollback_id = await push(fleet, "1.0.0", is_rollback=True)
    _progress, rolled = await follow(watch, rollback_id)
    assert rolled.status == common_pb2.COMMAND_STATUS_SUCCEEDED, (rolled, fleet.daemon.log()[-3000:])
    assert (rolled.result.from_version, rolled.result.to_version) == ("2.0.0", "1.0.0")
    assert fetch(fleet.node.url + "/version") == "1.0.0"
    assert snapshot(fleet.node.data_dir) == fleet.data
    assert fleet.daemon.query("SELECT service_version FROM backups WHERE backup_type = 'pre-upgrade'") == [("2.0.0",)]
    watch.cancel()


@pytest.mark.parametrize("moment", ["download", "apply"])
async def test_server_killed_mid_upgrade_result_arrives_once(fleet: Fleet, moment: str) -> None:
    """Killed at the first progress report (the download resumes once the server is back), or while the
    service is being replaced (the agent finishes alone and reports when it reconnects)."""
    watch = await fleet.admin.watch(agent_ids=[fleet.agent_id], include_commands=True)
    command_id = await push(fleet, "2.0.0")
    steps = {"download": {"download"}, "apply": {"stop", "apply", "load", "start"}}[moment]
    progress, command = await follow(watch, command_id, until=lambda c: c.progress.step in steps or c.status in FINISHED)
    assert command.status == common_pb2.COMMAND_STATUS_RUNNING, progress
    fleet.stack.server.kill()  # SIGKILL: the control stream drops mid-upgrade
    watch.cancel()
    await fleet.admin.close()
    fleet.stack.restart()
    fleet.admin = Admin(fleet.stack.target, fleet.stack.token)
    assert fleet.daemon.running(), fleet.daemon.log()[-3000:]

    async def finished() -> common_pb2.Command | None:
        got = (await fleet.admin.call("GetCommand", admin_pb2.GetCommandRequest(command_id=command_id))).command
        return got if got.status in FINISHED else None

    final = await wait_until(finished, 180, 0.2)
    assert final.status == common_pb2.COMMAND_STATUS_SUCCEEDED and final.result.to_version == "2.0.0", final
    # Result acknowledged and telemetry drained: both reports of the upgrade reached the server.
    await wait_until(lambda: fleet.daemon.query("SELECT reported FROM executed_commands WHERE command_id = ?", (command_id,)) == [(1,)], 60, 0.1)
    await wait_until(lambda: fleet.daemon.query("SELECT COUNT(*) FROM outbox WHERE kind = 'telemetry'") == [(0,)], 60, 0.1)
    rows = await history_of(fleet.stack.engine, command_id)
    assert [(r.to_version, r.status) for r in rows] == [("2.0.0", "SUCCESS")]
    assert {"apply", "health"} <= set(rows[0].step_timings or {})
    assert await success_events(fleet.stack.engine, "2.0.0") == 1
    assert fleet.daemon.query("SELECT COUNT(*) FROM executed_commands") == [(1,)]
    assert fetch(fleet.node.url + "/version") == "2.0.0"
    assert snapshot(fleet.node.data_dir) == fleet.data
