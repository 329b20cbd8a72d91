"""The agent link on a real in-process server (SQLite and PostgreSQL), spoken by a raw
gRPC client: enrollment, sessions, commands, telemetry and every bad-input edge."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import event, func, select

from generated.upkeep.v1 import admin_pb2, admin_pb2_grpc, agent_pb2 as pb, agent_pb2_grpc, common_pb2
from server.app import UpkeepServer
from server.db.defaults import new_project
from server.services import tokens
from server.services.roles import Role
from server.db.models import (
    AgentMetric, AuditLog, Channel, Client, Command, EventRollup, MaintenanceWindow, Project, Release, ServiceUpgradeHistory,
    TelemetryBatch, UpdateEvent,
)

pytestmark = pytest.mark.integration


class Link:
    """One raw Connect stream: a queue of requests and the response iterator."""

    def __init__(self, stub: agent_pb2_grpc.AgentServiceStub, client_uuid: str, secret: str) -> None:
        self.requests: asyncio.Queue[pb.ConnectRequest | None] = asyncio.Queue()
        self.call = stub.Connect(
            self._iterate(), metadata=(("x-upkeep-client-id", client_uuid), ("authorization", f"Bearer {secret}"))
        )

    async def _iterate(self) -> AsyncIterator[pb.ConnectRequest]:
        while (item := await self.requests.get()) is not None:
            yield item

    def send(self, **body: object) -> None:
        self.requests.put_nowait(pb.ConnectRequest(**body))

    async def receive(self, kind: str | None = None, timeout: float = 10) -> pb.ConnectResponse:
        while True:
            message = await asyncio.wait_for(self.call.read(), timeout)
            assert message is not grpc.aio.EOF, "stream ended"
            if kind is None or message.WhichOneof("body") == kind:
                return message

    async def status(self, timeout: float = 10) -> grpc.StatusCode:
        """Drain to the end; the final status."""
        async def drain() -> None:
            while await self.call.read() is not grpc.aio.EOF:
                pass
        try:
            await asyncio.wait_for(drain(), timeout)
        except grpc.aio.AioRpcError as exc:
            return exc.code()
        return await self.call.code()

    def close(self) -> None:
        self.requests.put_nowait(None)
        self.call.cancel()


@pytest.fixture
async def server(db_engine: object, running_server: UpkeepServer) -> UpkeepServer:
    """The in-process server over a database emptied for this test, with project "shop"."""
    async with running_server.runtime.session_factory() as s, s.begin():
        s.add(new_project(slug="shop", name="Shop"))
    return running_server


@pytest.fixture
async def channel(server: UpkeepServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}") as ch:
        yield ch


@pytest.fixture
async def admin_token(server: UpkeepServer) -> str:
    async with server.runtime.session_factory() as s, s.begin():
        return (await tokens.create_token(s, name="ops", role=Role.ADMIN)).secret


def _with_bearer(details: grpc.aio.ClientCallDetails, token: str) -> grpc.aio.ClientCallDetails:
    metadata = (*(details.metadata or ()), ("authorization", f"Bearer {token}"))
    return grpc.aio.ClientCallDetails(details.method, details.timeout, metadata, details.credentials, details.wait_for_ready)


class _BearerUnary(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, token: str) -> None:
        self.token = token

    async def intercept_unary_unary(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(_with_bearer(details, self.token), request)


class _BearerStream(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, token: str) -> None:
        self.token = token

    async def intercept_unary_stream(self, continuation, details, request):  # type: ignore[no-untyped-def]
        return await continuation(_with_bearer(details, self.token), request)


@pytest.fixture
async def admin(server: UpkeepServer, admin_token: str) -> AsyncIterator[admin_pb2_grpc.AdminServiceStub]:
    """AdminService stub on its own channel that sends an admin API token with every call."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}", interceptors=[_BearerUnary(admin_token), _BearerStream(admin_token)]) as channel:
        yield admin_pb2_grpc.AdminServiceStub(channel)


@pytest.fixture
def agents(channel: grpc.aio.Channel) -> agent_pb2_grpc.AgentServiceStub:
    return agent_pb2_grpc.AgentServiceStub(channel)


async def make_token(admin: admin_pb2_grpc.AdminServiceStub, **kw: object) -> str:
    reply = await admin.CreateEnrollmentToken(admin_pb2.CreateEnrollmentTokenRequest(project="shop", labels={"site": "sh"}, **kw))
    return reply.token


async def enroll(agents: agent_pb2_grpc.AgentServiceStub, token: str, client_uuid: str | None = None) -> pb.EnrollResponse:
    return await agents.Enroll(pb.EnrollRequest(
        enrollment_token=token, client_uuid=client_uuid or str(uuid.uuid4()), os="linux", arch="amd64",
        hostname="node-1", labels={"role": "web"}, client_version="0.1.0", service_version="1.0.0",
    ))


async def connect(agents: agent_pb2_grpc.AgentServiceStub, identity: pb.EnrollResponse, **hello: object) -> tuple[Link, pb.Welcome]:
    link = Link(agents, identity.client_uuid, identity.secret)
    link.send(hello=pb.Hello(**{"agent_id": identity.agent_id, "client_uuid": identity.client_uuid, "client_version": "0.1.0",
                                "service_version": "1.0.0", **hello}))
    welcome = (await link.receive("welcome")).welcome
    return link, welcome


@contextlib.contextmanager
def statements_run(server: UpkeepServer) -> Iterator[list[str]]:
    """The SQL statements the server runs inside the block, whitespace collapsed."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    engine = server.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def test_enroll_connect_and_watch_online(server: UpkeepServer, admin, agents) -> None:
    watch = admin.WatchAgents(admin_pb2.WatchAgentsRequest(project="shop"))
    await watch.initial_metadata()  # subscribed
    token = await make_token(admin)
    identity = await enroll(agents, token)
    assert identity.project == "shop" and identity.secret and identity.agent_id > 0
    link, welcome = await connect(agents, identity)
    assert welcome.agent_id == identity.agent_id
    assert welcome.heartbeat_interval.seconds == server.settings.heartbeat_interval_s
    assert abs(welcome.server_time.ToDatetime(UTC) - datetime.now(UTC)) < timedelta(seconds=5)
    event = await asyncio.wait_for(watch.read(), 10)
    assert event.presence.agent_id == identity.agent_id and event.presence.online
    await server.runtime.component("agent_hub", object).flush()
    listed = await admin.ListAgents(admin_pb2.ListAgentsRequest(project="shop", online=True, labels={"site": "sh"}))
    assert [a.id for a in listed.agents] == [identity.agent_id]
    agent = listed.agents[0]
    assert (agent.platform, agent.labels["role"], agent.hostname) == ("linux-x86_64", "web", "node-1")
    link.close()
    event = await asyncio.wait_for(watch.read(), 10)
    assert event.presence.agent_id == identity.agent_id and not event.presence.online
    watch.cancel()


async def test_heartbeats_advance_last_seen_and_other_messages_write_no_presence(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    hub = server.runtime.component("agent_hub", object)
    command_id = (await admin.SendCommand(admin_pb2.SendCommandRequest(
        agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))).commands[0].id
    await link.receive("command")

    async def last_seen_after(**body: object) -> datetime:
        link.send(**body)
        # Messages are handled in order: once this one is answered, the one before was handled.
        link.send(command_result=common_pb2.CommandResult(command_id=command_id, success=True))
        await link.receive("result_ack")
        await hub.flush()
        async with server.runtime.session_factory() as s:
            return await s.scalar(select(Client.last_seen_at).where(Client.id == identity.agent_id))

    connected = await last_seen_after(command_ack=pb.CommandAck(command_id=command_id, accepted=True))
    assert await last_seen_after(command_progress=common_pb2.CommandProgress(command_id=command_id, step="x")) == connected
    assert await last_seen_after(heartbeat=pb.Heartbeat(seq=1)) > connected
    link.close()


async def test_a_command_acknowledged_within_a_flush_takes_one_status_update(server: UpkeepServer, admin, agents) -> None:
    """SENT is written one flush after the command went out, unless its ack came first;
    a command never acknowledged still becomes SENT."""
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    hub = server.runtime.component("agent_hub", object)

    async def send() -> str:
        command_id = (await admin.SendCommand(admin_pb2.SendCommandRequest(
            agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))).commands[0].id
        assert (await link.receive("command")).command.id == command_id
        return command_id

    async def command(command_id: str) -> common_pb2.Command:
        return (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=command_id))).command

    ignored = await send()
    for _ in range(2):
        await hub.flush()
    assert (await command(ignored)).status == common_pb2.COMMAND_STATUS_SENT

    acked = await send()
    with statements_run(server) as statements:
        await hub.flush()
        link.send(command_ack=pb.CommandAck(command_id=acked, accepted=True))
        link.send(telemetry_batch=pb.TelemetryBatch(seq=1))  # answered once the ack is handled
        await link.receive("telemetry_ack")
        await hub.flush()
    assert [t for t in statements if t.startswith("UPDATE commands")] == [
        t for t in statements if t.startswith("UPDATE commands") and "acked_at" in t], statements
    assert len([t for t in statements if t.startswith("UPDATE commands")]) == 1, statements
    got = await command(acked)
    assert got.status == common_pb2.COMMAND_STATUS_ACKED and got.HasField("sent_at")
    assert got.sent_at.ToDatetime() <= got.acked_at.ToDatetime()
    link.close()


async def test_command_lifecycle_and_result(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    watch = admin.WatchAgents(admin_pb2.WatchAgentsRequest(include_commands=True, agent_ids=[identity.agent_id]))
    await watch.initial_metadata()  # subscribed
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(
        agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE,
        payload=common_pb2.CommandPayload(upgrade=common_pb2.UpgradePayload(version="1.1.0")),
    ))
    command_id = sent.commands[0].id
    pushed = (await link.receive("command")).command
    assert pushed.id == command_id and pushed.payload.upgrade.version == "1.1.0"
    link.send(command_ack=pb.CommandAck(command_id=command_id, accepted=True))
    link.send(command_progress=common_pb2.CommandProgress(command_id=command_id, step="apply", percent=50))
    link.send(command_result=common_pb2.CommandResult(command_id=command_id, success=True, from_version="1.0.0", to_version="1.1.0"))
    ack = await link.receive("result_ack")
    assert ack.result_ack.command_id == command_id
    got = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=command_id))).command
    assert got.status == common_pb2.COMMAND_STATUS_SUCCEEDED
    assert got.result.to_version == "1.1.0" and got.progress.step == "apply"
    statuses = []
    while common_pb2.COMMAND_STATUS_SUCCEEDED not in statuses:
        event = await asyncio.wait_for(watch.read(), 10)
        if event.WhichOneof("event") == "command":
            statuses.append(event.command.status)
    assert common_pb2.COMMAND_STATUS_RUNNING in statuses
    # The same result again is acknowledged and changes nothing.
    link.send(command_result=common_pb2.CommandResult(command_id=command_id, success=False, error="late"))
    assert (await link.receive("result_ack")).result_ack.command_id == command_id
    async with server.runtime.session_factory() as s:
        assert (await s.scalar(select(Command.status).where(Command.uuid == command_id))) == "succeeded"
        history = (await s.execute(select(ServiceUpgradeHistory.to_version, ServiceUpgradeHistory.status))).all()
        assert history == [("1.1.0", "SUCCESS")]
        assert await s.scalar(select(func.count()).select_from(UpdateEvent).where(UpdateEvent.action == "success")) == 1
    watch.cancel()
    link.close()


@pytest.mark.parametrize("telemetry_first", [False, True])
async def test_upgrade_recorded_once_whichever_report_arrives_first(server: UpkeepServer, admin, agents, telemetry_first: bool) -> None:
    """The agent reports a pushed upgrade twice (command result, telemetry record): one history row, with step timings."""
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(
        agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE,
        payload=common_pb2.CommandPayload(upgrade=common_pb2.UpgradePayload(version="1.1.0")),
    ))
    command_id = sent.commands[0].id
    assert (await link.receive("command")).command.id == command_id
    record = pb.UpgradeRecord(from_version="1.0.0", to_version="1.1.0", command_id=command_id, outcome=common_pb2.UPGRADE_OUTCOME_SUCCESS)
    record_event = pb.TelemetryEvent(service_upgrade=record)
    record_event.occurred_at.FromDatetime(datetime.now(UTC))
    result = common_pb2.CommandResult(command_id=command_id, success=True, from_version="1.0.0", to_version="1.1.0",
                                      steps=[common_pb2.StepTiming(step="apply", duration_ms=1500)])
    reports = [("telemetry_batch", pb.TelemetryBatch(seq=1, events=[record_event]), "telemetry_ack"),
               ("command_result", result, "result_ack")]
    for kind, body, ack in reports if telemetry_first else reversed(reports):
        link.send(**{kind: body})
        await link.receive(ack)
    async with server.runtime.session_factory() as s:
        rows = (await s.execute(select(ServiceUpgradeHistory.to_version, ServiceUpgradeHistory.step_timings))).all()
        assert rows == [("1.1.0", {"apply": 1.5})]
        assert await s.scalar(select(func.count()).select_from(UpdateEvent).where(UpdateEvent.action == "success")) == 1
    link.close()


async def test_project_agent_settings_reach_connected_and_new_agents(server: UpkeepServer, admin, agents) -> None:
    async with server.runtime.session_factory() as s, s.begin():
        project_id = await s.scalar(select(Project.id).where(Project.slug == "shop"))
        s.add(MaintenanceWindow(project_id=project_id, label_selector={}, cron="0 3 * * *", duration_minutes=60))
    identity = await enroll(agents, await make_token(admin))
    link, welcome = await connect(agents, identity)
    assert not welcome.settings.HasField("health_check_timeout") and welcome.settings.backup_retention == 0
    assert list(welcome.settings.maintenance_windows) == ["0 3 * * *"]

    zh = (("accept-language", "zh-CN"),)
    for bad in (admin_pb2.UpdateProjectRequest(project="shop", agent_backup_retention=101),
                admin_pb2.UpdateProjectRequest(project="shop", agent_health_check_timeout={"seconds": 2}),
                admin_pb2.UpdateProjectRequest(project="shop", agent_health_check_timeout={"seconds": -30})):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await admin.UpdateProject(bad, metadata=zh)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "代理节点" in (refused.value.details() or "")
    got = (await admin.GetProject(admin_pb2.GetProjectRequest(project="shop"))).project
    assert not got.HasField("agent_health_check_timeout") and got.agent_backup_retention == 0

    updated = (await admin.UpdateProject(admin_pb2.UpdateProjectRequest(
        project="shop", agent_health_check_timeout={"seconds": 240}, agent_backup_retention=2))).project
    assert (updated.agent_health_check_timeout.seconds, updated.agent_backup_retention) == (240, 2)
    pushed = (await link.receive("settings")).settings
    assert (pushed.health_check_timeout.seconds, pushed.backup_retention) == (240, 2)
    assert list(pushed.maintenance_windows) == ["0 3 * * *"]  # the whole settings, windows kept

    await admin.UpdateProject(admin_pb2.UpdateProjectRequest(project="shop", agent_backup_retention=0))
    cleared = (await link.receive("settings")).settings
    assert (cleared.health_check_timeout.seconds, cleared.backup_retention) == (240, 0)
    link.close()
    _again, welcome = await connect(agents, identity)
    assert (welcome.settings.health_check_timeout.seconds, welcome.settings.backup_retention) == (240, 0)
    _again.close()


async def test_command_sent_and_acknowledged_in_one_batch_keeps_both_times(server: UpkeepServer, admin, agents) -> None:
    """The hub writes a command sent and acknowledged between two flushes as one update."""
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    watch = admin.WatchAgents(admin_pb2.WatchAgentsRequest(include_commands=True, agent_ids=[identity.agent_id]))
    await watch.initial_metadata()  # subscribed
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))
    command_id = sent.commands[0].id
    assert (await link.receive("command")).command.id == command_id
    link.send(command_ack=pb.CommandAck(command_id=command_id, accepted=True))
    while True:
        event = await asyncio.wait_for(watch.read(), 10)
        if event.WhichOneof("event") == "command" and event.command.status == common_pb2.COMMAND_STATUS_ACKED:
            break
    got = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=command_id))).command
    assert got.status == common_pb2.COMMAND_STATUS_ACKED
    assert got.HasField("sent_at") and got.HasField("acked_at")
    assert got.created_at.ToDatetime() <= got.sent_at.ToDatetime() <= got.acked_at.ToDatetime()
    watch.cancel()
    link.close()


async def test_offline_agent_gets_queued_command_on_return_once(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))
    command_id = sent.commands[0].id
    link, _ = await connect(agents, identity)
    assert (await link.receive("command")).command.id == command_id
    link.close()
    # Received but not acknowledged: delivered again; once executed, never again.
    link, _ = await connect(agents, identity)
    assert (await link.receive("command")).command.id == command_id
    link.close()
    link, _ = await connect(agents, identity, executed_command_ids=[command_id])
    second = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_BACKUP))
    assert (await link.receive("command")).command.id == second.commands[0].id
    got = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=command_id))).command
    assert got.status == common_pb2.COMMAND_STATUS_ACKED
    link.close()


async def test_agents_reconnecting_together_each_get_their_own_queued_commands(server: UpkeepServer, admin, agents) -> None:
    """A reconnect storm shares its queued-command lookups; every agent still gets exactly its own."""
    token = await make_token(admin, max_uses=12)
    identities = [await enroll(agents, token) for _ in range(12)]
    first = {i.agent_id: (await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=i.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))).commands[0].id
             for i in identities}
    second = {i.agent_id: (await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=i.agent_id, type=common_pb2.COMMAND_TYPE_BACKUP))).commands[0].id
              for i in identities}
    executed = identities[:6]  # these report their first command as run already
    connected = await asyncio.gather(*(
        connect(agents, i, executed_command_ids=[first[i.agent_id]] if i in executed else []) for i in identities
    ))
    for identity, (link, _) in zip(identities, connected):
        expected = [second[identity.agent_id]] if identity in executed else [first[identity.agent_id], second[identity.agent_id]]
        got = [(await link.receive("command")).command for _ in expected]
        assert [c.id for c in got] == expected and {c.agent_id for c in got} == {identity.agent_id}
    for identity in executed:
        command = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=first[identity.agent_id]))).command
        assert command.status == common_pb2.COMMAND_STATUS_ACKED
        # Run by the agent, so sent at some point, though never pushed on a stream the server saw.
        assert command.HasField("sent_at") and command.sent_at.ToDatetime() <= command.acked_at.ToDatetime()
    for link, _ in connected:
        link.close()


async def test_agent_reporting_all_its_commands_reconnects_without_a_command_query(server: UpkeepServer, admin, agents) -> None:
    """After a fan-out, an agent whose Hello reports every command sent to it (as after a server
    restart) is admitted without reading commands; they become ACKED with the next flush, and
    watchers see it. One that reports only some gets the rest again."""
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    sent = [(await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=kind))).commands[0].id
            for kind in (common_pb2.COMMAND_TYPE_RESTART, common_pb2.COMMAND_TYPE_BACKUP)]
    assert [(await link.receive("command")).command.id for _ in sent] == sent
    link.close()  # received, never acknowledged: both stay SENT

    link, _ = await connect(agents, identity, executed_command_ids=sent[:1])
    assert (await link.receive("command")).command.id == sent[1]
    link.close()

    watch = admin.WatchAgents(admin_pb2.WatchAgentsRequest(include_commands=True, agent_ids=[identity.agent_id]))
    await watch.initial_metadata()  # subscribed
    with statements_run(server) as statements:
        link, _ = await connect(agents, identity, executed_command_ids=sent)
    assert not [t for t in statements if t.startswith("SELECT") and "FROM commands" in t], statements
    while True:
        got = await asyncio.wait_for(watch.read(), 10)
        if got.WhichOneof("event") == "command" and got.command.id == sent[1] and got.command.status == common_pb2.COMMAND_STATUS_ACKED:
            break
    command = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=sent[1]))).command
    assert command.status == common_pb2.COMMAND_STATUS_ACKED and command.sent_at.ToDatetime() <= command.acked_at.ToDatetime()
    # Nothing came again: the next message on the stream is a new command.
    newer = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))
    assert (await link.receive("command")).command.id == newer.commands[0].id
    watch.cancel()
    link.close()


async def test_agents_connecting_together_share_one_settings_load(server: UpkeepServer, admin, agents) -> None:
    """A connect storm reads the project's agent settings once, not once per connect that finds
    no cached copy (the old code read them 6 times for these 12 connects)."""
    token = await make_token(admin, max_uses=12)
    identities = [await enroll(agents, token) for _ in range(12)]
    with statements_run(server) as statements:
        connected = await asyncio.gather(*(connect(agents, i) for i in identities))
    assert {welcome.agent_id for _link, welcome in connected} == {i.agent_id for i in identities}
    project_reads = [t for t in statements if t.startswith("SELECT") and "FROM projects WHERE projects.id =" in t]
    window_reads = [t for t in statements if t.startswith("SELECT") and "FROM maintenance_windows" in t]
    assert len(project_reads) == 1 and len(window_reads) == 1, statements
    for link, _ in connected:
        link.close()


async def test_second_connect_replaces_first(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    first, _ = await connect(agents, identity)
    second, _ = await connect(agents, identity)
    goodbye = await first.receive("goodbye")
    assert goodbye.goodbye.reason == pb.GOODBYE_REASON_REPLACED
    assert await first.status() == grpc.StatusCode.OK
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))
    assert (await second.receive("command")).command.id == sent.commands[0].id
    second.close()


async def test_revoked_agent_is_cut_off_and_refused(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    await admin.RevokeAgent(admin_pb2.RevokeAgentRequest(agent_id=identity.agent_id, reason="stolen"))
    assert (await link.receive("goodbye")).goodbye.reason == pb.GOODBYE_REASON_REVOKED
    again = Link(agents, identity.client_uuid, identity.secret)
    again.send(hello=pb.Hello(agent_id=identity.agent_id))
    assert await again.status() == grpc.StatusCode.PERMISSION_DENIED
    got = (await admin.GetAgent(admin_pb2.GetAgentRequest(agent_id=identity.agent_id))).agent
    assert got.revoked and not got.online


async def test_wrong_secret_is_unauthenticated(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link = Link(agents, identity.client_uuid, "not-the-secret")
    link.send(hello=pb.Hello(agent_id=identity.agent_id))
    assert await link.status() == grpc.StatusCode.UNAUTHENTICATED
    assert "wrong secret" in await link.call.details()


async def test_reenroll_rotates_secret(server: UpkeepServer, admin, agents) -> None:
    token = await make_token(admin)
    first = await enroll(agents, token)
    second = await enroll(agents, token, client_uuid=first.client_uuid)
    assert second.agent_id == first.agent_id and second.secret != first.secret
    old = Link(agents, first.client_uuid, first.secret)
    old.send(hello=pb.Hello())
    assert await old.status() == grpc.StatusCode.UNAUTHENTICATED
    link, _ = await connect(agents, second)
    link.close()


@pytest.mark.parametrize("case", ["expired", "used_up", "revoked", "unknown"])
async def test_bad_enrollment_tokens_refused(server: UpkeepServer, admin, agents, case: str) -> None:
    if case == "expired":
        reply = await admin.CreateEnrollmentToken(admin_pb2.CreateEnrollmentTokenRequest(project="shop", ttl={"nanos": 1_000_000}))
        token = reply.token
        await asyncio.sleep(0.01)  # let the 1 ms lifetime run out (a clock condition, not synchronisation)
        expected = grpc.StatusCode.PERMISSION_DENIED
    elif case == "used_up":
        token = await make_token(admin, max_uses=1)
        await enroll(agents, token)
        expected = grpc.StatusCode.PERMISSION_DENIED
    elif case == "revoked":
        reply = await admin.CreateEnrollmentToken(admin_pb2.CreateEnrollmentTokenRequest(project="shop"))
        await admin.RevokeEnrollmentToken(admin_pb2.RevokeEnrollmentTokenRequest(enrollment_token_id=reply.enrollment_token.id))
        token = reply.token
        expected = grpc.StatusCode.PERMISSION_DENIED
    else:
        token = "upk_enr_nonsense"
        expected = grpc.StatusCode.UNAUTHENTICATED
    async with server.runtime.session_factory() as s:
        before = await s.scalar(select(func.count()).select_from(Client))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await enroll(agents, token)
    assert caught.value.code() == expected
    assert caught.value.details()
    async with server.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Client)) == before


async def test_telemetry_applied_once_and_acknowledged(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    events = [
        pb.TelemetryEvent(service_upgrade=pb.UpgradeRecord(from_version="1.0.0", to_version="1.1.0", outcome=common_pb2.UPGRADE_OUTCOME_FAILED,
                                                           details="health check")),
        pb.TelemetryEvent(service_upgrade=pb.UpgradeRecord(from_version="1.0.0", to_version="1.2.0", outcome=common_pb2.UPGRADE_OUTCOME_SUCCESS)),
        pb.TelemetryEvent(metric=pb.Metric(name="disk_free_bytes", value=5.5e9, labels={"mount": "/"})),
        pb.TelemetryEvent(metric=pb.Metric(name="container_restarts", value=3)),
    ]
    for event in events:
        event.occurred_at.FromDatetime(datetime.now(UTC))
    for _ in range(2):
        link.send(telemetry_batch=pb.TelemetryBatch(seq=1, events=events))
        assert (await link.receive("telemetry_ack")).telemetry_ack.seq == 1
    async with server.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(ServiceUpgradeHistory)) == 2
        assert await s.scalar(select(func.count()).select_from(TelemetryBatch)) == 1
        assert await s.scalar(select(Client.service_version).where(Client.id == identity.agent_id)) == "1.2.0"
        metrics = (await s.execute(select(AgentMetric.name, AgentMetric.value, AgentMetric.labels).order_by(AgentMetric.name))).all()
        assert [tuple(m) for m in metrics] == [("container_restarts", 3.0, None), ("disk_free_bytes", 5.5e9, {"mount": "/"})]
        assert (await s.execute(select(UpdateEvent.action, UpdateEvent.version).order_by(UpdateEvent.action))).all() == [
            ("failed", "1.1.0"), ("success", "1.2.0")]
        rollups = (await s.execute(select(EventRollup.action, EventRollup.version, EventRollup.count)
                                   .where(EventRollup.region == "*").order_by(EventRollup.action))).all()
        assert [tuple(r) for r in rollups] == [("failed", "1.1.0", 1), ("success", "1.2.0", 1)]
    link.close()


@pytest.mark.parametrize("case", ["future_telemetry", "bad_metric", "foreign_result", "wrong_agent", "no_hello", "oversize", "empty"])
async def test_bad_input_refused_and_changes_nothing(server: UpkeepServer, admin, agents, case: str) -> None:
    token = await make_token(admin)
    identity = await enroll(agents, token)
    other = await enroll(agents, token)
    foreign = (await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=other.agent_id, type=common_pb2.COMMAND_TYPE_RESTART))).commands[0]
    if case == "wrong_agent":
        link = Link(agents, identity.client_uuid, identity.secret)
        link.send(hello=pb.Hello(agent_id=other.agent_id))
        expected = grpc.StatusCode.PERMISSION_DENIED
    elif case == "no_hello":
        link = Link(agents, identity.client_uuid, identity.secret)
        link.send(heartbeat=pb.Heartbeat(seq=1))
        expected = grpc.StatusCode.INVALID_ARGUMENT
    else:
        link, _ = await connect(agents, identity)
        if case == "future_telemetry":
            event = pb.TelemetryEvent(metric=pb.Metric(name="x", value=1))
            event.occurred_at.FromDatetime(datetime.now(UTC) + timedelta(days=1))
            link.send(telemetry_batch=pb.TelemetryBatch(seq=1, events=[event]))
            expected = grpc.StatusCode.INVALID_ARGUMENT
        elif case == "bad_metric":
            good = pb.TelemetryEvent(metric=pb.Metric(name="load", value=1))
            link.send(telemetry_batch=pb.TelemetryBatch(seq=1, events=[good, pb.TelemetryEvent(metric=pb.Metric(name="load", value=float("nan")))]))
            expected = grpc.StatusCode.INVALID_ARGUMENT
        elif case == "foreign_result":
            link.send(command_result=common_pb2.CommandResult(command_id=foreign.id, success=True))
            expected = grpc.StatusCode.PERMISSION_DENIED
        elif case == "oversize":
            link.send(command_progress=common_pb2.CommandProgress(command_id=foreign.id, message="x" * (1024 * 1024 + 10)))
            expected = grpc.StatusCode.RESOURCE_EXHAUSTED
        else:
            link.send()
            expected = grpc.StatusCode.INVALID_ARGUMENT
    code = await link.status()
    assert code == expected, case
    assert (await link.call.details()), case
    async with server.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(TelemetryBatch)) == 0
        assert await s.scalar(select(func.count()).select_from(AgentMetric)) == 0
        assert await s.scalar(select(Command.status).where(Command.uuid == foreign.id)) == "queued"
        assert await s.scalar(select(Command.result).where(Command.uuid == foreign.id)) is None


async def test_cancel_reaches_the_agent(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_BACKUP))
    command_id = sent.commands[0].id
    await link.receive("command")
    cancelled = await admin.CancelCommand(admin_pb2.CancelCommandRequest(command_id=command_id, reason="not now"))
    assert cancelled.command.status == common_pb2.COMMAND_STATUS_CANCELLED
    assert (await link.receive("cancel")).cancel.command_id == command_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await admin.CancelCommand(admin_pb2.CancelCommandRequest(command_id=command_id))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    link.close()


async def test_expired_command_is_not_delivered(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    expires = datetime.now(UTC) + timedelta(hours=1)
    request = admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART)
    request.expires_at.FromDatetime(expires)
    command_id = (await admin.SendCommand(request)).commands[0].id
    hub = server.runtime.component("agent_hub", object)
    assert await hub.expire_commands(now=expires - timedelta(seconds=1)) == []
    expired = await hub.expire_commands(now=expires + timedelta(seconds=1))
    assert [v.id for v in expired] == [command_id]
    link, _ = await connect(agents, identity)
    later = await admin.SendCommand(admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_BACKUP))
    assert (await link.receive("command")).command.id == later.commands[0].id
    got = (await admin.GetCommand(admin_pb2.GetCommandRequest(command_id=command_id))).command
    assert got.status == common_pb2.COMMAND_STATUS_EXPIRED
    link.close()


async def test_send_command_validation(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    bad = [
        admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE),
        admin_pb2.SendCommandRequest(agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_RESTART,
                                     payload=common_pb2.CommandPayload(backup=common_pb2.BackupPayload())),
        admin_pb2.SendCommandRequest(type=common_pb2.COMMAND_TYPE_RESTART),
        admin_pb2.SendCommandRequest(agent_id=identity.agent_id),
    ]
    for request in bad:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await admin.SendCommand(request, metadata=(("accept-language", "zh-CN"),))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert caught.value.details()
    listed = await admin.ListCommands(admin_pb2.ListCommandsRequest(agent_id=identity.agent_id))
    assert listed.page.total == 0


async def test_upgrade_to_an_older_version_is_refused_unless_a_rollback(server: UpkeepServer, admin, agents) -> None:
    """Checked against the version the agent's Hello reported (enrolled at 1.0.0, running 2.1.0)."""
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity, service_version="2.1.0")
    async with server.runtime.session_factory() as s, s.begin():
        project = await s.scalar(select(Project).where(Project.slug == "shop"))
        channel_id = await s.scalar(select(Channel.id).where(Channel.project_id == project.id, Channel.name == "stable"))
        release = Release(project_id=project.id, version="1.5.0", display_version="v1.5.0", major=1, minor=5, patch=0,
                          channel_id=channel_id, kind="service", title="1.5", status="published")
        s.add(release)
    refused = [
        common_pb2.UpgradePayload(version="2.0.0"),
        common_pb2.UpgradePayload(release_id=release.id),
        common_pb2.UpgradePayload(release_id=release.id, version="2.2.0"),  # the release is older all the same
    ]
    for upgrade in refused:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await admin.SendCommand(admin_pb2.SendCommandRequest(
                agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE,
                payload=common_pb2.CommandPayload(upgrade=upgrade)), metadata=(("accept-language", "zh-CN"),))
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        target = upgrade.version if upgrade.version == "2.0.0" else "v1.5.0"
        assert "2.1.0" in caught.value.details() and target in caught.value.details() and "回滚" in caught.value.details()
    assert (await admin.ListCommands(admin_pb2.ListCommandsRequest(agent_id=identity.agent_id))).page.total == 0
    selector = common_pb2.AgentSelector(project="shop")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await admin.SendCommand(admin_pb2.SendCommandRequest(
            selector=selector, type=common_pb2.COMMAND_TYPE_UPGRADE,
            payload=common_pb2.CommandPayload(upgrade=common_pb2.UpgradePayload(version="1.9.9"))))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "node-1" in caught.value.details()
    allowed = [
        common_pb2.UpgradePayload(release_id=release.id, version="v1.5.0", is_rollback=True),
        common_pb2.UpgradePayload(version="2.1.1"),
    ]
    for upgrade in allowed:
        sent = await admin.SendCommand(admin_pb2.SendCommandRequest(
            agent_id=identity.agent_id, type=common_pb2.COMMAND_TYPE_UPGRADE, payload=common_pb2.CommandPayload(upgrade=upgrade)))
        assert (await link.receive("command")).command.id == sent.commands[0].id
    assert (await admin.ListCommands(admin_pb2.ListCommandsRequest(agent_id=identity.agent_id))).page.total == 2
    link.close()


async def test_selector_fans_out_to_matching_agents(server: UpkeepServer, admin, agents) -> None:
    token = await make_token(admin)
    web = [await enroll(agents, token) for _ in range(3)]
    db = await agents.Enroll(pb.EnrollRequest(enrollment_token=token, client_uuid=str(uuid.uuid4()), labels={"role": "db"}))
    links = [(await connect(agents, identity))[0] for identity in web]
    sent = await admin.SendCommand(admin_pb2.SendCommandRequest(
        selector=common_pb2.AgentSelector(project="shop", labels={"role": "web"}), type=common_pb2.COMMAND_TYPE_RESTART,
    ))
    assert sorted(c.agent_id for c in sent.commands) == sorted(i.agent_id for i in web)
    assert db.agent_id not in {c.agent_id for c in sent.commands}
    for link, command in zip(links, sorted(sent.commands, key=lambda c: c.agent_id)):
        assert (await link.receive("command")).command.id == command.id
        link.close()


async def test_admin_methods_need_a_token_and_are_audited(server: UpkeepServer, channel, admin, agents) -> None:
    bare = admin_pb2_grpc.AdminServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await bare.ListAgents(admin_pb2.ListAgentsRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    async with server.runtime.session_factory() as s, s.begin():
        viewer = (await tokens.create_token(s, name="eyes", role=Role.VIEWER)).secret
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await bare.CreateEnrollmentToken(admin_pb2.CreateEnrollmentTokenRequest(project="shop"),
                                         metadata=(("authorization", f"Bearer {viewer}"),))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    identity = await enroll(agents, await make_token(admin))
    await admin.RevokeAgent(admin_pb2.RevokeAgentRequest(agent_id=identity.agent_id, reason="lost"))
    async with server.runtime.session_factory() as s:
        actions = set((await s.scalars(select(AuditLog.action))).all())
    assert {"enrollment_token.create", "agent.revoke"} <= actions


async def test_published_announcement_reaches_connected_agents(server: UpkeepServer, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    link, _ = await connect(agents, identity)
    created = await admin.CreateAnnouncement(admin_pb2.CreateAnnouncementRequest(
        level=common_pb2.ANNOUNCEMENT_LEVEL_WARNING, content={"en": "Maintenance at 02:00", "zh_CN": "凌晨 2 点维护"},
        project="shop",
    ))
    pushed = (await link.receive("announcement")).announcement
    assert pushed.id == created.announcement.id
    assert dict(pushed.content) == {"en": "Maintenance at 02:00", "zh_CN": "凌晨 2 点维护"}
    assert pushed.level == common_pb2.ANNOUNCEMENT_LEVEL_WARNING
    link.close()


async def test_malformed_protobuf_is_invalid_argument_in_the_callers_language(server: UpkeepServer, channel, admin, agents) -> None:
    identity = await enroll(agents, await make_token(admin))
    garbage = b"\x0a\xff\xff\xff"  # field 1, length-delimited, truncated length
    connect_raw = channel.stream_stream("/upkeep.v1.AgentService/Connect")
    call = connect_raw(
        iter([garbage]),
        metadata=(("x-upkeep-client-id", identity.client_uuid), ("authorization", f"Bearer {identity.secret}"), ("accept-language", "zh-CN")),
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for _ in call:
            pass
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Connect" in raised.value.details() and any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.details())
    send_raw = channel.unary_unary("/upkeep.v1.AdminService/SendCommand")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await send_raw(garbage, metadata=(("accept-language", "en"),))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == "The request to SendCommand is not a valid protobuf message."
    async with server.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Command)) == 0
        assert await s.scalar(select(Client.online).where(Client.id == identity.agent_id)) is not True
