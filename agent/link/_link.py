"""The agent's end of the Connect stream.

    ┌──────────── run(stop) ─────────────────────────────────────────────┐
    │ connecting ─► Hello ─► Welcome ─► connected ──stream ends/fails──┐ │
    │     ▲                                                            │ │
    │     └──────── jittered, capped exponential backoff ◄─────────────┘ │
    └── Goodbye REVOKED / REPLACED, or UNAUTHENTICATED / PERMISSION_DENIED: stop ──┘

While connected: heartbeats with the compose service state; commands are recorded before
they are acknowledged and run at most once (``executed_commands``) through the handler
registry, even while disconnected; results and telemetry stay in history.db until the
server acknowledges them, and are resent after every reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf import json_format

from agent.config import AgentConfig
from agent.handlers import CommandContext, HandlerRegistry
from agent.link._backoff import Backoff
from agent.link.channel import open_channel, stream_status
from agent.link._state import Identity, LinkState
from agent.settings import save_settings
from agent.store import Store
from common.errors import UpkeepError
from common.i18n import N_, _
from generated.upkeep.v1 import agent_pb2 as pb, agent_pb2_grpc, common_pb2

__all__ = ["AgentLink", "LinkStopped"]

logger = logging.getLogger(__name__)

StateProvider = Callable[[], Awaitable[common_pb2.ServiceState]]
TELEMETRY_POLL_S = 0.5
UNSUPPORTED = N_("This agent cannot run {type} commands.")
INTERRUPTED = N_("The agent stopped while the command ran; it was not resumed.")
CANCELLED = N_("Cancelled by the server before it ran.")
COMMAND_TYPES = {value: name.removeprefix("COMMAND_TYPE_").lower() for name, value in common_pb2.CommandType.items()}


class LinkStopped(Exception):
    """The server will not take this agent back (revoked, replaced or refused): stop, do not retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _unknown_state() -> common_pb2.ServiceState:
    return common_pb2.ServiceState(status=common_pb2.SERVICE_STATUS_UNKNOWN)


class AgentLink:
    def __init__(
        self, config: AgentConfig, store: Store, registry: HandlerRegistry, *, state_provider: StateProvider | None = None,
    ) -> None:
        self.config = config
        self.state = LinkState(store)
        self.registry = registry
        self.state_provider = state_provider or _unknown_state
        self.backoff = Backoff(config.server.reconnect_initial_s, config.server.reconnect_max_s)
        self._outbox: asyncio.Queue[pb.ConnectRequest | None] | None = None
        self._running: dict[str, asyncio.Event] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.heartbeat_interval = config.heartbeat_interval_s

    # ------------------------------------------------------------------ lifecycle

    def recover(self) -> None:
        """Commands a previous agent process left unfinished fail now: never run twice."""
        for command_id, _status in self.state.unfinished():
            logger.warning("command %s was interrupted by an agent restart", command_id)
            self.state.finish_command(self._failure(command_id, "AGENT_RESTARTED", _(INTERRUPTED)))

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until ``stop`` is set; raises LinkStopped when the server refuses us."""
        identity = self.state.identity()
        if identity is None:
            raise LinkStopped("not enrolled")
        address = self.config.server.address or identity.server_address
        try:
            while not stop.is_set():
                self.state.set_link("connecting", server=address)
                try:
                    await self._session(identity, address, stop)
                except grpc.aio.AioRpcError as exc:
                    code, details = stream_status(exc)
                    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
                        raise LinkStopped(f"{code.name}: {details}") from exc
                    logger.info("link to %s lost: %s %s", address, code.name, details)
                self.state.set_link("disconnected", server=address)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.backoff.next())
        finally:
            self.state.set_link("disconnected", server=address)
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # ------------------------------------------------------------------ one stream

    async def _session(self, identity: Identity, address: str, stop: asyncio.Event) -> None:
        outbox: asyncio.Queue[pb.ConnectRequest | None] = asyncio.Queue()
        executed, running, newest = self.state.hello_ids()
        hello = pb.Hello(
            agent_id=identity.agent_id, client_uuid=identity.client_uuid, client_version=self.config.versions.client,
            service_version=self.state.store.get("service.version") or self.config.versions.service,
            executed_command_ids=executed, running_command_ids=running, last_acked_command_id=newest,
            last_acked_telemetry_seq=self.state.last_telemetry_ack(), locale=self.config.locale,
        )
        hello.service_state.CopyFrom(await self.state_provider())
        outbox.put_nowait(pb.ConnectRequest(hello=hello))
        async with open_channel(self.config.server, address) as channel:
            call = agent_pb2_grpc.AgentServiceStub(channel).Connect(_drain(outbox), metadata=identity.metadata)
            stopper = asyncio.create_task(stop.wait())
            first = asyncio.create_task(call.read())
            done, _pending = await asyncio.wait({stopper, first}, return_when=asyncio.FIRST_COMPLETED)
            if first not in done:
                first.cancel()
                call.cancel()
                return
            stopper.cancel()
            welcome = first.result()
            if welcome is grpc.aio.EOF or welcome.WhichOneof("body") != "welcome":
                await call.code()  # raises AioRpcError for an error status
                return
            self._welcomed(welcome.welcome, address)
            self._outbox = outbox
            helpers = [asyncio.create_task(self._heartbeats(), name="link-heartbeat"),
                       asyncio.create_task(self._telemetry(), name="link-telemetry"),
                       asyncio.create_task(self._stop_on(stop, call), name="link-stop")]
            try:
                for result in self.state.unreported_results():
                    outbox.put_nowait(pb.ConnectRequest(command_result=result))
                while (message := await call.read()) is not grpc.aio.EOF:
                    await self._dispatch(message)
                await call.code()
            except asyncio.CancelledError:
                # call.cancel() on stop surfaces here; a cancellation of this task goes on.
                current = asyncio.current_task()
                if not stop.is_set() or (current is not None and current.cancelling()):
                    raise
            finally:
                self._outbox = None
                outbox.put_nowait(None)
                for task in helpers:
                    task.cancel()
                await asyncio.gather(*helpers, return_exceptions=True)

    def _welcomed(self, welcome: pb.Welcome, address: str) -> None:
        self.backoff.reset()
        if welcome.heartbeat_interval.seconds > 0:
            self.heartbeat_interval = float(welcome.heartbeat_interval.seconds)
        self.state.set_link(
            "connected", server=address, last_seen=datetime.now(UTC).isoformat(),
            server_time=welcome.server_time.ToDatetime(UTC).isoformat(),
        )
        self._apply_settings(welcome.settings)
        logger.info("connected to %s as agent %s (session %s)", address, welcome.agent_id, welcome.session_id)

    def _apply_settings(self, settings: pb.AgentSettings) -> None:
        self.state.store.put("schedule.server_windows", json.dumps(list(settings.maintenance_windows)))
        save_settings(self.state.store, settings)

    async def _stop_on(self, stop: asyncio.Event, call: Any) -> None:
        await stop.wait()
        call.cancel()

    def _send(self, **body: Any) -> None:
        """Queue a message if connected; dropped otherwise (durable data is resent on reconnect)."""
        if self._outbox is not None:
            self._outbox.put_nowait(pb.ConnectRequest(**body))

    async def _heartbeats(self) -> None:
        seq = 0
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            seq += 1
            heartbeat = pb.Heartbeat(seq=seq, service_state=await self.state_provider())
            heartbeat.sent_at.FromDatetime(datetime.now(UTC))
            self._send(heartbeat=heartbeat)
            self.state.set_link("connected", last_seen=datetime.now(UTC).isoformat())

    async def _telemetry(self) -> None:
        sent = self.state.last_telemetry_ack()
        while True:
            self.state.seal_batches()
            for batch in self.state.batches(after=sent):
                self._send(telemetry_batch=batch)
                sent = batch.seq
            await asyncio.sleep(TELEMETRY_POLL_S)

    # ------------------------------------------------------------------ server messages

    async def _dispatch(self, message: pb.ConnectResponse) -> None:
        kind = message.WhichOneof("body")
        if kind == "command":
            self._command(message.command)
        elif kind == "cancel":
            self._cancel(message.cancel.command_id)
        elif kind == "result_ack":
            self.state.result_reported(message.result_ack.command_id)
        elif kind == "telemetry_ack":
            self.state.telemetry_acked(message.telemetry_ack.seq)
        elif kind == "settings":
            self._apply_settings(message.settings)
        elif kind == "announcement":
            self.state.store.put("link.announcement", json_format.MessageToJson(message.announcement, indent=None))
        elif kind == "goodbye":
            reason = message.goodbye.reason
            if reason in (pb.GOODBYE_REASON_REVOKED, pb.GOODBYE_REASON_REPLACED):
                raise LinkStopped(pb.GoodbyeReason.Name(reason))
            if message.goodbye.HasField("reconnect_after"):
                self.backoff.attempt = 0

    def _command(self, command: common_pb2.Command) -> None:
        type_name = COMMAND_TYPES.get(command.type, "unspecified")
        if not self.state.begin_command(command.id, type_name):
            logger.info("command %s already received: not run again", command.id)
            self._send(command_ack=pb.CommandAck(command_id=command.id, accepted=True))
            return
        handler = self.registry.get(type_name)
        self._send(command_ack=pb.CommandAck(command_id=command.id, accepted=handler is not None))
        if handler is None:
            self._finish(self._failure(command.id, "UNSUPPORTED_COMMAND", _(UNSUPPORTED).format(type=type_name)))
            return
        kind = command.payload.WhichOneof("kind")
        payload = json_format.MessageToDict(getattr(command.payload, kind), preserving_proto_field_name=True) if kind else {}
        cancelled = self._running[command.id] = asyncio.Event()
        task = asyncio.create_task(self._execute(command.id, type_name, payload, handler, cancelled), name=f"command-{command.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, command_id: str, type_name: str, payload: dict[str, Any], handler: Any, cancelled: asyncio.Event) -> None:
        started = datetime.now(UTC)
        self.state.mark_running(command_id)
        logger.info("running %s command %s", type_name, command_id)

        async def progress(step: str, percent: float, message: str) -> None:
            update = common_pb2.CommandProgress(command_id=command_id, step=step, percent=int(percent), message=message)
            update.reported_at.FromDatetime(datetime.now(UTC))
            self._send(command_progress=update)

        try:
            outcome = await handler(CommandContext(command_id=command_id, command_type=type_name, payload=payload,
                                                   progress=progress, cancelled=cancelled))
            result = common_pb2.CommandResult()
            json_format.ParseDict(outcome or {"success": True}, result, ignore_unknown_fields=True)
            result.command_id = command_id
        except asyncio.CancelledError:
            raise
        except UpkeepError as exc:
            result = self._failure(command_id, exc.error_code, exc.translated())
        except Exception as exc:  # a handler bug must still produce a result
            logger.exception("command %s failed", command_id)
            result = self._failure(command_id, "HANDLER_FAILED", str(exc) or type(exc).__name__)
        finally:
            self._running.pop(command_id, None)
        result.started_at.FromDatetime(started)
        self._finish(result)

    def _finish(self, result: common_pb2.CommandResult) -> None:
        if not result.HasField("finished_at"):
            result.finished_at.FromDatetime(datetime.now(UTC))
        self.state.finish_command(result)
        self._send(command_result=result)

    def _cancel(self, command_id: str) -> None:
        event = self._running.get(command_id)
        if event is not None:
            event.set()
        elif self.state.begin_command(command_id, "cancelled"):
            self.state.finish_command(self._failure(command_id, "CANCELLED", _(CANCELLED)))

    @staticmethod
    def _failure(command_id: str, code: str, message: str) -> common_pb2.CommandResult:
        return common_pb2.CommandResult(command_id=command_id, success=False, error_code=code, error=message)


async def _drain(queue: asyncio.Queue[pb.ConnectRequest | None]) -> AsyncIterator[pb.ConnectRequest]:
    while (item := await queue.get()) is not None:
        yield item
