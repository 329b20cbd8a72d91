"""Maintenance windows set by an admin reach the agents they apply to: live on the stream
and in the next Welcome (SQLite and PostgreSQL)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import duration_pb2
from sqlalchemy import func, select

from generated.upkeep.v1 import admin_pb2
from server.app import UpkeepServer
from server.db.models import MaintenanceWindow
from tests.integration.test_agent_link import admin, admin_token, agents, channel, connect, enroll, make_token, server  # noqa: F401

pytestmark = pytest.mark.integration


def window(cron: str, minutes: int = 60, *, seconds: int | None = None) -> admin_pb2.MaintenanceWindowSpec:
    return admin_pb2.MaintenanceWindowSpec(cron=cron, duration=duration_pb2.Duration(seconds=seconds if seconds is not None else minutes * 60))


async def test_windows_reach_matching_agents_live_and_at_welcome(server: UpkeepServer, admin, agents) -> None:
    token = await make_token(admin)
    web = await enroll(agents, token)  # labels role=web, site=sh
    other = await enroll(agents, token)
    web_link, welcome = await connect(agents, web)
    assert list(welcome.settings.maintenance_windows) == []
    other_link, _ = await connect(agents, other, labels={"role": "db"})

    reply = await admin.SetMaintenanceWindows(admin_pb2.SetMaintenanceWindowsRequest(
        project="shop", label_selector={"role": "web"}, windows=[window("0  2 * * *", 120)],
    ))
    assert [(w.cron, w.duration.seconds, dict(w.label_selector)) for w in reply.windows] == [("0 2 * * *", 7200, {"role": "web"})]
    assert reply.agents_notified == 2
    pushed = (await web_link.receive("settings")).settings
    assert list(pushed.maintenance_windows) == ["0 2 * * *"] and pushed.maintenance_window_duration.seconds == 7200
    assert list((await other_link.receive("settings")).settings.maintenance_windows) == []

    await admin.SetMaintenanceWindows(admin_pb2.SetMaintenanceWindowsRequest(agent_id=other.agent_id, windows=[window("30 3 * * 6", 30)]))
    assert list((await other_link.receive("settings")).settings.maintenance_windows) == ["30 3 * * 6"]
    assert list((await web_link.receive("settings")).settings.maintenance_windows) == ["0 2 * * *"]

    mine = await admin.ListMaintenanceWindows(admin_pb2.ListMaintenanceWindowsRequest(agent_id=web.agent_id))
    assert [w.cron for w in mine.windows] == ["0 2 * * *"]
    everything = await admin.ListMaintenanceWindows(admin_pb2.ListMaintenanceWindowsRequest(project="shop"))
    assert sorted((w.agent_id, w.cron) for w in everything.windows) == [(0, "0 2 * * *"), (other.agent_id, "30 3 * * 6")]

    # Setting a target again replaces its windows; an empty list clears them.
    await admin.SetMaintenanceWindows(admin_pb2.SetMaintenanceWindowsRequest(
        project="shop", label_selector={"role": "web"}, windows=[window("0 4 * * *"), window("0 22 * * 5", 90)],
    ))
    pushed = (await web_link.receive("settings")).settings
    assert list(pushed.maintenance_windows) == ["0 4 * * *", "0 22 * * 5"] and pushed.maintenance_window_duration.seconds == 5400
    assert list((await other_link.receive("settings")).settings.maintenance_windows) == ["30 3 * * 6"]
    web_link.close()
    web_link, welcome = await connect(agents, web)
    assert list(welcome.settings.maintenance_windows) == ["0 4 * * *", "0 22 * * 5"]
    await admin.SetMaintenanceWindows(admin_pb2.SetMaintenanceWindowsRequest(agent_id=other.agent_id))
    assert list((await other_link.receive("settings")).settings.maintenance_windows) == []
    async with server.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(MaintenanceWindow)) == 2
    web_link.close()
    other_link.close()


@pytest.mark.parametrize(("case", "code"), [
    ("bad_cron", grpc.StatusCode.INVALID_ARGUMENT),
    ("six_fields", grpc.StatusCode.INVALID_ARGUMENT),
    ("zero_duration", grpc.StatusCode.INVALID_ARGUMENT),
    ("part_minute", grpc.StatusCode.INVALID_ARGUMENT),
    ("both_targets", grpc.StatusCode.INVALID_ARGUMENT),
    ("no_target", grpc.StatusCode.INVALID_ARGUMENT),
    ("unknown_agent", grpc.StatusCode.NOT_FOUND),
    ("unknown_project", grpc.StatusCode.NOT_FOUND),
])
async def test_bad_windows_refused_in_the_callers_language_and_change_nothing(
    server: UpkeepServer, admin, agents, case: str, code: grpc.StatusCode,
) -> None:
    identity = await enroll(agents, await make_token(admin))
    await admin.SetMaintenanceWindows(admin_pb2.SetMaintenanceWindowsRequest(project="shop", windows=[window("0 1 * * *")]))
    request = {
        "bad_cron": admin_pb2.SetMaintenanceWindowsRequest(project="shop", windows=[window("61 1 * * *")]),
        "six_fields": admin_pb2.SetMaintenanceWindowsRequest(project="shop", windows=[window("0 0 1 * * *")]),
        "zero_duration": admin_pb2.SetMaintenanceWindowsRequest(project="shop", windows=[window("0 1 * * *", 0)]),
        "part_minute": admin_pb2.SetMaintenanceWindowsRequest(project="shop", windows=[window("0 1 * * *", seconds=90)]),
        "both_targets": admin_pb2.SetMaintenanceWindowsRequest(agent_id=identity.agent_id, label_selector={"a": "b"}),
        "no_target": admin_pb2.SetMaintenanceWindowsRequest(windows=[window("0 1 * * *")]),
        "unknown_agent": admin_pb2.SetMaintenanceWindowsRequest(agent_id=identity.agent_id + 1000),
        "unknown_project": admin_pb2.SetMaintenanceWindowsRequest(project="nope"),
    }[case]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await admin.SetMaintenanceWindows(request, metadata=(("accept-language", "zh-CN"),))
    assert raised.value.code() == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.details()), raised.value.details()
    listed = await admin.ListMaintenanceWindows(admin_pb2.ListMaintenanceWindowsRequest(project="shop"))
    assert [(w.cron, w.duration.seconds) for w in listed.windows] == [("0 1 * * *", 3600)]
