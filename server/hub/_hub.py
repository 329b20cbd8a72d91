"""AgentHub: the live sessions of every connected agent, and what reaches them."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import duration_pb2, json_format, timestamp_pb2
from sqlalchemy.exc import SQLAlchemyError

from common.errors import InvalidInput, PayloadTooLarge, PermissionDenied, Unavailable, UpkeepError
from common.i18n import N_
from common.platforms import canonical_arch, canonical_os
from generated.upkeep.v1 import admin_pb2, agent_pb2 as pb, common_pb2
from server.hub._batcher import Pending
from server.hub._session import AgentSession
from server.hub._shared import SharedLoads
from server.hub._watch import Watcher, Watchers
from server.runtime import Runtime
from server.services import agents as agents_svc
from server.services import commands as commands_svc
from server.services import projects as projects_svc
from server.services import telemetry as telemetry_svc
from server.services.agents import AgentIdentity, check_labels
from server.services.commands import CommandView
from server.services.announcements import AnnouncementBus
from server.services.changes import on_commit
from server.services.maintenance import MaintenanceWindows, WindowView, project_windows, windows_for
from server.services.presence import flush_presence

__all__ = ["AgentHub", "MAX_MESSAGE_BYTES"]

logger = logging.getLogger(__name__)

#: Largest message an agent may send on Connect (agent.proto's size rule).
MAX_MESSAGE_BYTES = 1024 * 1024
HELLO_TIMEOUT_S = 30.0
#: A Connect stream's ends: the next request (None once the agent closed it); send a response.
Reader = Callable[[], Awaitable[pb.ConnectRequest | None]]
Writer = Callable[[pb.ConnectResponse], Awaitable[None]]
FLUSH_INTERVAL_S = 1.0
EXPIRY_SWEEP_S = 30.0
WINDOW_CACHE_S = 30.0
#: In a reconnect storm, how long the next queued-command lookup waits for more connects.
RESUME_GATHER_S = 0.05
#: A fan-out to this many agents first promotes the young objects (promote_young_objects), and
#: its writes start without a young collection (collect_after_this_turn).
PROMOTE_BEFORE_FANOUT = 1_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

HELLO_FIRST = N_("The first message on Connect must be Hello.")
HELLO_TWICE = N_("Hello may be sent only once per stream.")
EMPTY_MESSAGE = N_("Empty Connect message.")
MESSAGE_TOO_LARGE = N_("Message of {size} bytes exceeds the limit of {limit} bytes.")
WRONG_AGENT = N_("Hello names agent {claimed}, but the credentials belong to agent {actual}.")
SERVER_BUSY = N_("The server cannot store this right now; retry.")
WATCH_BEHIND = N_("The watch stream fell behind; subscribe again.")


def promote_young_objects() -> None:
    """Move every object the collector tracks to its oldest generation, uncollected
    (``gc.freeze`` then ``gc.unfreeze``: both constant time).

    Each stream renews the objects of its waiting read with every message, so between fan-outs
    the young generation fills with the streams' read state while CPython's allocation count,
    which decides when to collect, hardly moves (each new object replaces a freed one). The
    young collection that a fan-out's allocations trigger then traversed all of it: 0.27-0.32 s
    at 19,900 agents after a minute of heartbeats, against 0.07 s after promotion. Young
    garbage is promoted too, and waits for a full collection.
    """
    gc.freeze()
    gc.unfreeze()


def collect_after_this_turn(loop: asyncio.AbstractEventLoop) -> None:
    """No automatic collection until the callbacks scheduled so far have run; what they left
    alive is then promoted (promote_young_objects).

    A fan-out's writers all start their writes in one turn of the event loop, and each write
    keeps its objects alive until the loop takes its completion, in a later turn. A young
    collection in that turn traverses all of them and frees nothing: 0.05-0.07 s at 19,900
    agents, in the middle of the sends.
    """
    if not gc.isenabled():
        return
    gc.disable()

    def resume() -> None:
        promote_young_objects()
        gc.enable()

    loop.call_soon(resume)


def _now() -> datetime:
    return datetime.now(UTC)


def _state_key(state: common_pb2.ServiceState) -> bytes:
    copy = common_pb2.ServiceState()
    copy.CopyFrom(state)
    copy.ClearField("observed_at")
    return copy.SerializeToString(deterministic=True)


class AgentHub:
    """One process's agent sessions, command fan-out, presence batching and watchers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.sessions: dict[int, AgentSession] = {}
        self.watchers = Watchers()
        self._pending = Pending()
        #: Commands written to their streams and not acknowledged by the last flush (see flush).
        self._held_sent: set[str] = set()
        self._tasks: list[asyncio.Task[Any]] = []
        self._flush_lock = asyncio.Lock()
        #: uuid → (identity, credential hash): connects need no query (Enroll and revoke invalidate).
        self._credentials: dict[str, tuple[AgentIdentity, str]] = {}
        #: Per agent, its commands that may still be QUEUED or SENT (a superset: acks, results,
        #: cancels and expiry remove them). A connecting agent without any, or whose Hello
        #: reports having them all, needs no query for what to deliver.
        self._undelivered: dict[int, set[str]] = {}
        #: Per project, loaded once for all connects arriving together.
        self._project_windows = SharedLoads(self._load_windows, WINDOW_CACHE_S)
        #: Per project: (health timeout s, backup retention) of the settings agents are given.
        self._project_defaults = SharedLoads(self._load_defaults, WINDOW_CACHE_S)
        #: Connects waiting for their queued commands: (agent, ids its Hello reported, answer).
        self._resuming: list[tuple[int, set[str], asyncio.Future[list[CommandView]]]] = []
        self._resume_task: asyncio.Task[None] | None = None
        self._changed_projects: asyncio.Queue[frozenset[int]] = asyncio.Queue()
        self._unlisten: Any = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        _server_version()  # read now: in a connect storm at the open-file limit, the read can fail
        async with self.runtime.session_factory() as s, s.begin():
            count = await agents_svc.mark_all_offline(s)
            self._credentials = await agents_svc.load_credentials(s)
            self._undelivered = await commands_svc.undelivered_by_agent(s)
        if count:
            logger.info("marked %d agents offline at start-up", count)
        self._tasks = [
            asyncio.create_task(self._every(FLUSH_INTERVAL_S, self.flush), name="hub-flush"),
            asyncio.create_task(self._every(self._liveness_period(), self._sweep_silent), name="hub-liveness"),
            asyncio.create_task(self._every(EXPIRY_SWEEP_S, self.expire_commands), name="hub-expiry"),
            asyncio.create_task(self._push_settings(), name="hub-agent-settings"),
        ]
        loop = asyncio.get_running_loop()

        def projects_changed(ids: frozenset[int]) -> None:  # runs inside any commit: never raise there
            with contextlib.suppress(RuntimeError):  # loop closed
                loop.call_soon_threadsafe(self._changed_projects.put_nowait, ids)

        self._unlisten = on_commit(projects_changed)
        bus = self.runtime.components.get("announcements")
        if isinstance(bus, AnnouncementBus):
            subscription = bus.subscribe()
            self._tasks.append(asyncio.create_task(self._relay(subscription), name="hub-announcements"))

    async def _relay(self, subscription: Any) -> None:
        """Push announcements to connected agents as they are published (visible ones now)."""
        from server.rpc.admin.announcements import announcement_to_proto

        with subscription as announcements:
            async for info in announcements:
                now = _now()
                if info.visible_from and info.visible_from > now or info.visible_until and info.visible_until <= now:
                    continue
                self.announce(info.project or "", announcement_to_proto(info))

    async def stop(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
        for session in list(self.sessions.values()):
            session.close(goodbye=pb.Goodbye(reason=pb.GOODBYE_REASON_SHUTDOWN))
        self.watchers.close_all()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for agent_id in list(self.sessions):
            self._pending.offline(agent_id)
        self.sessions.clear()
        with contextlib.suppress(Exception):
            await self.flush(final=True)

    def _liveness_period(self) -> float:
        return max(self.settings.heartbeat_interval_s / 2, 0.5)

    async def _every(self, period: float, job: Any) -> None:
        while True:
            await asyncio.sleep(period)
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub job %s failed", getattr(job, "__name__", job))

    # ------------------------------------------------------------------ sessions

    async def serve(
        self, *, client_uuid: str, secret: str, peer_ip: str | None, read: Reader, write: Writer
    ) -> None:
        """One Connect call: ``read`` answers the next request (None at the end), ``write`` sends."""
        identity = await self._authenticate(client_uuid, secret)
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_S):  # no extra task, unlike wait_for
                first = await read()
        except TimeoutError:
            return
        if first is None:
            return
        self._check_size(first)
        if first.WhichOneof("body") != "hello":
            raise InvalidInput(HELLO_FIRST, error_code="HELLO_EXPECTED")
        hello = first.hello
        if (hello.agent_id and hello.agent_id != identity.id) or (hello.client_uuid and hello.client_uuid != identity.client_uuid):
            raise PermissionDenied(WRONG_AGENT, error_code="AGENT_MISMATCH", claimed=hello.agent_id or hello.client_uuid, actual=identity.id)
        labels = check_labels(dict(hello.labels))
        session = AgentSession(identity=identity, labels=labels or identity.labels, session_id=uuid.uuid4().hex,
                               last_heard=time.monotonic())
        previous = self.sessions.get(identity.id)
        self.sessions[identity.id] = session
        if previous is not None:
            previous.close(goodbye=pb.Goodbye(reason=pb.GOODBYE_REASON_REPLACED))
        try:
            welcome, pending = await self._admit(session, hello, labels, peer_ip)
            await write(pb.ConnectResponse(welcome=welcome))
            self._push_commands(session, pending)
            reader = asyncio.create_task(self._read(session, read))
            try:
                # The writer, inline (a task of its own would cost a frame per agent).
                while (message := await session.next()) is not None:
                    if message.HasField("command") and not self._first_write(session, message.command.id):
                        continue
                    await write(message)
                if session.goodbye is not None:
                    await write(pb.ConnectResponse(goodbye=session.goodbye))
                if session.error is not None:
                    raise session.error
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
        finally:
            session.close()
            if self.sessions.get(identity.id) is session:
                del self.sessions[identity.id]
                self._pending.offline(identity.id)
                if self.watchers:
                    self.watchers.presence(identity.project, self._presence(identity, online=False))

    async def _authenticate(self, client_uuid: str, secret: str) -> AgentIdentity:
        """From the credential cache when it holds this secret, else from the database."""
        cached = self._credentials.get(client_uuid)
        if cached is not None and agents_svc.check_secret(cached[1], secret):
            return cached[0]
        try:
            async with self.runtime.session_factory() as s:
                identity, credential = await agents_svc.verify_agent(s, client_uuid, secret)
        except SQLAlchemyError as exc:
            raise Unavailable(SERVER_BUSY) from exc
        self._credentials[client_uuid] = (identity, credential)
        return identity

    def forget(self, client_uuid: str) -> None:
        """Drop a cached credential (re-enrolled or revoked agent)."""
        self._credentials.pop(client_uuid, None)

    def _queued(self, views: Iterable[CommandView]) -> None:
        """Durable commands now waiting for their agents (looked for at the agents' next connect)."""
        undelivered = self._undelivered
        for view in views:
            undelivered.setdefault(view.agent_id, set()).add(view.id)

    def _delivered(self, agent_id: int, command_id: str) -> None:
        """The command is past SENT (acknowledged, finished, cancelled or expired)."""
        undelivered = self._undelivered.get(agent_id)
        if undelivered is not None:
            undelivered.discard(command_id)
            if not undelivered:
                del self._undelivered[agent_id]

    async def _load_defaults(self, project_id: int) -> tuple[int | None, int | None]:
        async with self.runtime.session_factory() as s:
            info = await projects_svc.project_by_id(s, project_id)
        return info.agent_health_timeout_s, info.agent_backup_retention

    async def _settings(self, project_id: int, agent_id: int, labels: dict[str, str]) -> pb.AgentSettings:
        """One agent's settings: the windows that apply to it and its project's defaults."""
        windows = await self._windows(project_id, agent_id, labels)
        health_timeout_s, backup_retention = await self._project_defaults.get(project_id)
        settings = pb.AgentSettings(channel="stable", maintenance_windows=windows.crons, backup_retention=backup_retention or 0)
        if windows.duration_minutes:
            settings.maintenance_window_duration.FromSeconds(windows.duration_minutes * 60)
        if health_timeout_s:
            settings.health_check_timeout.FromSeconds(health_timeout_s)
        return settings

    async def _push_settings(self) -> None:
        """Projects changed in a commit of this process: connected agents get their new settings at once."""
        while True:
            changed = await self._changed_projects.get()
            for project_id in changed:
                if not any(s.identity.project_id == project_id for s in list(self.sessions.values())):
                    self._project_defaults.forget(project_id)
                    continue
                before = self._project_defaults.loaded(project_id)
                try:
                    if await self._project_defaults.get(project_id, fresh=True) != before:  # not another change (releases...)
                        await self._push_settings_to(project_id)
                except (SQLAlchemyError, UpkeepError) as exc:
                    logger.warning("agent settings of project %s not pushed: %s", project_id, exc)

    async def windows_changed(self, project_id: int) -> int:
        """Push fresh settings to the project's connected agents; returns how many got them."""
        self._project_windows.forget(project_id)
        return await self._push_settings_to(project_id)

    async def _push_settings_to(self, project_id: int) -> int:
        pushed = 0
        for session in [s for s in list(self.sessions.values()) if s.identity.project_id == project_id]:
            pushed += session.push(pb.ConnectResponse(settings=await self._settings(project_id, session.agent_id, session.labels)))
        return pushed

    async def _windows(self, project_id: int, agent_id: int, labels: dict[str, str]) -> MaintenanceWindows:
        return windows_for(await self._project_windows.get(project_id), agent_id, labels)

    async def _load_windows(self, project_id: int) -> list[WindowView]:
        async with self.runtime.session_factory() as s:
            return await project_windows(s, project_id)

    async def _admit(
        self, session: AgentSession, hello: pb.Hello, labels: dict[str, str], peer_ip: str | None
    ) -> tuple[pb.Welcome, list[CommandView]]:
        identity = session.identity
        now = _now()
        values: dict[str, Any] = {"online": True, "last_seen_at": now, "last_ip": peer_ip}
        facts = {
            "client_version": hello.client_version, "service_version": hello.service_version, "os_version": hello.os_version,
            "hostname": hello.hostname, "os_type": _canonical(canonical_os, hello.os),
            "architecture": _canonical(canonical_arch, hello.arch),
        }
        values.update((key, value[:50] if key.endswith("version") else value[:255]) for key, value in facts.items() if value)
        if labels:
            values["labels"] = labels
        if hello.HasField("service_state"):
            values["service_state"] = json_format.MessageToDict(hello.service_state, preserving_proto_field_name=True)
            session.state_key = _state_key(hello.service_state)
        self._pending.hello(identity.id, values)
        done = {*hello.executed_command_ids, *hello.running_command_ids}
        if hello.last_acked_command_id:
            done.add(hello.last_acked_command_id)
        pending: list[CommandView] = []
        try:
            undelivered = self._undelivered.get(identity.id)
            if undelivered is not None and undelivered <= done:
                # It has them all (a restart after a fan-out): marked ACKED with the next flush.
                for command_id in undelivered:
                    self._pending.status("acked", command_id)
                del self._undelivered[identity.id]
            elif undelivered is not None:
                pending = await self._resume(identity.id, done, set(undelivered))
            settings = await self._settings(identity.project_id, identity.id, session.labels)
        except SQLAlchemyError as exc:
            raise Unavailable(SERVER_BUSY) from exc
        since_epoch = now - _EPOCH  # exact, unlike a float; Timestamp.FromDatetime is pure Python and slow
        welcome = pb.Welcome(
            agent_id=identity.id, session_id=session.session_id, server_version=_server_version(), settings=settings,
            heartbeat_interval=duration_pb2.Duration(seconds=int(self.settings.heartbeat_interval_s)),
            server_time=timestamp_pb2.Timestamp(seconds=since_epoch.days * 86_400 + since_epoch.seconds,
                                                nanos=since_epoch.microseconds * 1000),
        )
        if self.watchers:
            self.watchers.presence(identity.project, self._presence(identity, online=True, hello=hello))
        return welcome, pending

    async def _resume(self, agent_id: int, done: set[str], known: set[str]) -> list[CommandView]:
        """The agent's commands still to deliver (its reported ones marked ACKED first).

        Agents connecting together share one query: requests made while one runs wait for
        the next, so a reconnect storm costs a few statements instead of one per agent.
        ``known`` is what ``_undelivered`` held for it before the query: each is now either
        in the answer or past delivery. Commands queued meanwhile stay listed.
        """
        future: asyncio.Future[list[CommandView]] = asyncio.get_running_loop().create_future()
        self._resuming.append((agent_id, done, future))
        if self._resume_task is None:
            self._resume_task = asyncio.create_task(self._resume_batches(), name="hub-resume")
        pending = await future
        for command_id in known.difference(view.id for view in pending):
            self._delivered(agent_id, command_id)
        self._queued(pending)
        return pending

    async def _resume_batches(self) -> None:
        try:
            while self._resuming:
                batch, self._resuming = self._resuming, []
                reported: dict[int, set[str]] = {}
                for agent_id, done, _future in batch:
                    reported.setdefault(agent_id, set()).update(done)
                try:
                    async with self.runtime.session_factory() as s, s.begin():
                        pending = await commands_svc.resume_agents(s, reported, _now())
                except Exception as exc:  # each waiting connect reports it
                    for _agent_id, _done, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for agent_id, _done, future in batch:
                    if not future.done():
                        future.set_result(pending[agent_id])
                if self._resuming:  # a storm: let the next batch grow (its fixed cost is most of the work)
                    await asyncio.sleep(RESUME_GATHER_S)
        finally:
            self._resume_task = None

    def _first_write(self, session: AgentSession, command_id: str) -> bool:
        """Whether the command goes out now (not written to this stream before); marks it SENT."""
        if not session.mark_written(command_id):
            return False
        self._pending.status("sent", command_id)
        return True

    async def _read(self, session: AgentSession, read: Reader) -> None:
        try:
            while (message := await read()) is not None:
                session.last_heard = time.monotonic()
                await self._handle(session, message)
            session.close()
        except asyncio.CancelledError:
            raise
        except UpkeepError as exc:
            session.close(error=exc)
        except SQLAlchemyError as exc:
            logger.warning("agent %s: database error: %s", session.agent_id, exc)
            session.close(error=Unavailable(SERVER_BUSY))
        except Exception as exc:  # the transport failed: the agent reconnects
            logger.debug("agent %s: stream ended: %r", session.agent_id, exc)
            session.close()

    def _check_size(self, message: pb.ConnectRequest) -> None:
        size = message.ByteSize()
        if size > MAX_MESSAGE_BYTES:
            raise PayloadTooLarge(MESSAGE_TOO_LARGE, error_code="MESSAGE_TOO_LARGE", size=size, limit=MAX_MESSAGE_BYTES)

    async def _handle(self, session: AgentSession, message: pb.ConnectRequest) -> None:
        self._check_size(message)
        kind = message.WhichOneof("body")
        identity = session.identity
        if kind == "heartbeat":
            self._heartbeat(session, message.heartbeat)
        elif kind == "command_ack":
            await self._ack(session, message.command_ack)
        elif kind == "command_progress":
            async with self.runtime.session_factory() as s, s.begin():
                view = await commands_svc.record_progress(s, identity.id, message.command_progress, _now())
            self._command_event(identity, view)
        elif kind == "command_result":
            async with self.runtime.session_factory() as s, s.begin():
                view, changed = await commands_svc.finish_command(s, identity.id, message.command_result, _now())
            self._delivered(identity.id, view.id)
            session.push(pb.ConnectResponse(result_ack=pb.CommandResultAck(command_id=view.id)))
            if changed:
                self._command_event(identity, view)
        elif kind == "telemetry_batch":
            batch = message.telemetry_batch
            telemetry_svc.validate_batch(batch, _now(), timedelta(seconds=self.settings.telemetry_future_tolerance_s))
            await self.settle(identity.id)  # upgrade records set service_version directly
            async with self.runtime.session_factory() as s, s.begin():
                await telemetry_svc.record_batch(s, identity.id, batch, _now())
            session.push(pb.ConnectResponse(telemetry_ack=pb.TelemetryAck(seq=batch.seq)))
        elif kind == "hello":
            raise InvalidInput(HELLO_TWICE, error_code="HELLO_REPEATED")
        else:
            raise InvalidInput(EMPTY_MESSAGE, error_code="EMPTY_MESSAGE")

    def _heartbeat(self, session: AgentSession, heartbeat: pb.Heartbeat) -> None:
        # Only heartbeats (and Hellos) advance last_seen: a fan-out's acks rewrite no client rows.
        self._pending.seen(session.agent_id)
        if not heartbeat.HasField("service_state"):
            return
        key = _state_key(heartbeat.service_state)
        if key == session.state_key:
            return
        session.state_key = key
        self._pending.state(session.agent_id, json_format.MessageToDict(heartbeat.service_state, preserving_proto_field_name=True))
        presence = self._presence(session.identity, online=True)
        presence.service_state.CopyFrom(heartbeat.service_state)
        self.watchers.presence(session.identity.project, presence)

    async def _ack(self, session: AgentSession, ack: pb.CommandAck) -> None:
        if not session.wrote(ack.command_id):
            async with self.runtime.session_factory() as s:
                if not await commands_svc.owned_uuids(s, session.agent_id, [ack.command_id]):
                    raise PermissionDenied(commands_svc.NOT_YOUR_COMMAND, error_code="COMMAND_NOT_OWNED", command=ack.command_id)
        self._pending.status("acked", ack.command_id)
        self._delivered(session.agent_id, ack.command_id)

    def _presence(self, identity: AgentIdentity, *, online: bool, hello: pb.Hello | None = None) -> admin_pb2.AgentPresence:
        presence = admin_pb2.AgentPresence(agent_id=identity.id, client_uuid=identity.client_uuid, online=online)
        presence.last_seen_at.FromDatetime(_now())
        if hello is not None:
            presence.client_version = hello.client_version
            presence.service_version = hello.service_version
            if hello.HasField("service_state"):
                presence.service_state.CopyFrom(hello.service_state)
        return presence

    def _command_event(self, identity: AgentIdentity, view: CommandView) -> None:
        if self.watchers.want_commands:
            message = view.to_proto()
            message.client_uuid = identity.client_uuid
            self.watchers.command(identity.project, message)

    # ------------------------------------------------------------------ pushing to agents

    def prepare(self, views: list[CommandView]) -> list[tuple[CommandView, pb.ConnectResponse]]:
        """Each new command with its message to the agent (built before the rows commit)."""
        if len(views) >= PROMOTE_BEFORE_FANOUT:
            promote_young_objects()
        shared: dict[int, bytes] = {}
        prepared = []
        for view in views:
            message = pb.ConnectResponse()
            commands_svc.fill_proto(message.command, view, shared)
            prepared.append((view, message))
        return prepared

    def deliver(self, prepared: list[tuple[CommandView, pb.ConnectResponse]]) -> int:
        """Push committed commands (from ``prepare``) to the agents connected here; returns how many went out."""
        self._queued(view for view, _message in prepared)
        sessions = self.sessions
        delivered = 0
        for view, message in prepared:
            session = sessions.get(view.agent_id)
            if session is not None:
                delivered += session.push(message)
        if delivered >= PROMOTE_BEFORE_FANOUT:
            collect_after_this_turn(asyncio.get_running_loop())  # after the writers woken above
        return delivered

    def _push_commands(self, session: AgentSession, views: list[CommandView]) -> None:
        for view in views:
            session.push(pb.ConnectResponse(command=view.to_proto()))

    def cancel(self, view: CommandView, reason: str = "") -> None:
        self._delivered(view.agent_id, view.id)
        session = self.sessions.get(view.agent_id)
        if session is not None:
            session.push(pb.ConnectResponse(cancel=pb.CommandCancel(command_id=view.id, reason=reason)))
            self._command_event(session.identity, view)

    def revoke(self, agent_id: int, reason: str = "") -> bool:
        """Close the agent's stream at once with Goodbye{REVOKED}."""
        for client_uuid, (identity, _hash) in list(self._credentials.items()):
            if identity.id == agent_id:
                self.forget(client_uuid)
        session = self.sessions.get(agent_id)
        if session is None:
            return False
        session.close(goodbye=pb.Goodbye(reason=pb.GOODBYE_REASON_REVOKED, message=reason))
        return True

    def announce(self, project: str, announcement: common_pb2.Announcement) -> int:
        """Push an announcement to the connected agents of ``project`` (every agent if empty)."""
        message = pb.ConnectResponse(announcement=announcement)
        return sum(session.push(message) for session in list(self.sessions.values())
                   if not project or session.identity.project == project)

    def is_online(self, agent_id: int) -> bool:
        return agent_id in self.sessions

    # ------------------------------------------------------------------ background jobs

    async def settle(self, agent_id: int) -> None:
        """Write the agent's batched presence now, before a direct write to (or read of) its row.

        Otherwise a batch holding older values (a Hello's versions, online=True) could
        land after that write and undo it.
        """
        if self._flush_lock.locked() or self._pending.touches(agent_id):
            await self.flush()

    async def flush(self, *, final: bool = False) -> None:
        """Write the collected presence and command status changes.

        A command written to its stream is marked SENT one flush later, if its ack has not
        come by then: most commands then take one status update (QUEUED to ACKED, sent_at
        filled), not two. A fan-out to 20,000 agents otherwise rewrote 20,000 rows more
        while it was still being sent. ``final`` writes them all (the hub is stopping).
        """
        async with self._flush_lock:
            batch, self._pending = self._pending, Pending()
            acked = batch.statuses["acked"]
            held = self._held_sent - acked
            fresh = batch.statuses["sent"] - acked
            sent, hold = (held | fresh, set()) if final else (held, fresh)
            if not (batch.presence or sent or acked):
                self._held_sent = hold
                return
            batch.presence.offline -= self.sessions.keys()
            moved: list[str] = []
            now = _now()
            try:
                async with self.runtime.session_factory() as s, s.begin():
                    await flush_presence(s, batch.presence, now)
                    moved += await commands_svc.mark_status(s, "sent", sent, now)
                    moved += await commands_svc.mark_status(s, "acked", acked, now)
            except Exception:
                self._pending.merge(batch)
                raise
            self._held_sent = hold
            if moved and self.watchers.want_commands:
                await self._emit_commands(moved)

    async def _emit_commands(self, uuids: list[str]) -> None:
        async with self.runtime.session_factory() as s:
            views = await commands_svc.views_by_uuid(s, uuids)
        for view in views:
            session = self.sessions.get(view.agent_id)
            self.watchers.command(session.identity.project if session else "", view.to_proto())

    async def _sweep_silent(self) -> None:
        """Close sessions whose agent missed heartbeats for the grace period."""
        limit = self.settings.heartbeat_interval_s * self.settings.heartbeat_grace_intervals
        cutoff = time.monotonic() - limit
        for session in list(self.sessions.values()):
            if session.last_heard < cutoff:
                logger.info("agent %s silent for %.0fs: closing its session", session.agent_id, limit)
                session.close()

    async def expire_commands(self, now: datetime | None = None) -> list[CommandView]:
        async with self.runtime.session_factory() as s, s.begin():
            expired = await commands_svc.expire_due(s, now)
        for view in expired:
            self.cancel(view, "expired")
        return expired

    # ------------------------------------------------------------------ WatchAgents

    def subscribe(self, *, project: str, agent_ids: Iterable[int], include_commands: bool) -> Watcher:
        """A new subscriber; its first events say which matching agents are connected now."""
        watcher = self.watchers.subscribe(project=project, agent_ids=frozenset(agent_ids), include_commands=include_commands)
        for session in list(self.sessions.values()):
            if watcher.wants(session.identity.project, session.agent_id):
                event = admin_pb2.WatchAgentsResponse(presence=self._presence(session.identity, online=True))
                event.event_time.FromDatetime(_now())
                watcher.offer(event)
        return watcher

    async def events(self, watcher: Watcher) -> AsyncIterator[admin_pb2.WatchAgentsResponse]:
        """The subscriber's events until the hub stops; unsubscribes when the caller leaves."""
        try:
            while True:
                event = await watcher.queue.get()
                if event is None:
                    if watcher.overflowed:
                        raise Unavailable(WATCH_BEHIND, error_code="WATCH_OVERFLOW")
                    return
                yield event
        finally:
            self.watchers.unsubscribe(watcher)


def _canonical(parse: Any, value: str) -> str:
    """The canonical os/arch name, or "" for an empty or unknown one."""
    try:
        return parse(value) if value else ""
    except InvalidInput:
        return ""


@functools.cache
def _server_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    with contextlib.suppress(PackageNotFoundError):
        return version("upkeep")
    return "0.0.0"
