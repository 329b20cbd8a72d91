"""A real gRPC agent stream on its own thread, steered by a browser test.

Until the agent daemon is used end to end, this speaks the real protocol to the real server
(Enroll, Connect with Hello, acks, progress, results), so the console sees a genuine agent.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import uuid
from collections.abc import AsyncIterator

import grpc

from generated.upkeep.v1 import agent_pb2 as pb
from generated.upkeep.v1 import agent_pb2_grpc, common_pb2

__all__ = ["StreamAgent"]


class StreamAgent:
    def __init__(self, target: str, enrollment_token: str, *, hostname: str, service_version: str = "1.0.0") -> None:
        self.target, self.token, self.hostname, self.service_version = target, enrollment_token, hostname, service_version
        self.commands: queue.Queue[common_pb2.Command] = queue.Queue()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._requests: asyncio.Queue[pb.ConnectRequest | None] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"stream-agent-{hostname}", daemon=True)

    def start(self, timeout: float = 20) -> StreamAgent:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise AssertionError(f"agent did not connect within {timeout}s: {self._error!r}")
        if self._error is not None:
            raise AssertionError(f"agent failed to connect: {self._error!r}")
        return self

    def send(self, **body: object) -> None:
        assert self._loop is not None and self._requests is not None
        self._loop.call_soon_threadsafe(self._requests.put_nowait, pb.ConnectRequest(**body))

    def next_command(self, timeout: float = 20) -> common_pb2.Command:
        return self.commands.get(timeout=timeout)

    def stop(self) -> None:
        if self._loop is not None and self._requests is not None:
            self._loop.call_soon_threadsafe(self._requests.put_nowait, None)
        self._thread.join(10)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported through start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._requests = asyncio.Queue()
        async with grpc.aio.insecure_channel(self.target) as channel:
            stub = agent_pb2_grpc.AgentServiceStub(channel)
            identity = await stub.Enroll(pb.EnrollRequest(
                enrollment_token=self.token, client_uuid=str(uuid.uuid4()), os="linux", arch="amd64",
                hostname=self.hostname, labels={"role": "web"}, client_version="0.1.0",
                service_version=self.service_version,
            ))
            requests = self._requests

            async def outgoing() -> AsyncIterator[pb.ConnectRequest]:
                while (item := await requests.get()) is not None:
                    yield item

            call = stub.Connect(outgoing(), metadata=(
                ("x-upkeep-client-id", identity.client_uuid), ("authorization", f"Bearer {identity.secret}")))
            requests.put_nowait(pb.ConnectRequest(hello=pb.Hello(
                agent_id=identity.agent_id, client_uuid=identity.client_uuid, client_version="0.1.0",
                service_version=self.service_version)))
            try:
                while (message := await call.read()) is not grpc.aio.EOF:
                    kind = message.WhichOneof("body")
                    if kind == "welcome":
                        self._ready.set()
                    elif kind == "command":
                        self.commands.put(message.command)
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.CANCELLED:
                    raise
            finally:
                call.cancel()
