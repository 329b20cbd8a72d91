"""What the agent makes of a stream's end, on a real grpc.aio server and a connection
reset for real (SO_LINGER 0) by a loopback proxy between them."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator

import grpc
import pytest

from agent.link.channel import SEND_CUT, stream_status

pytestmark = pytest.mark.integration

METHOD = "/upkeep.test.Echo/Stream"


class ResettingProxy:
    """Forwards one TCP port to another until ``reset()`` aborts every connection with RST."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.writers: list[asyncio.StreamWriter] = []
        self.pipes: list[asyncio.Future[object]] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [client_writer, server_writer]
        self.pipes.append(asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer),
                                         return_exceptions=True))

    def reset(self) -> None:
        writers, self.writers = self.writers, []
        for writer in writers:
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

    async def close(self) -> None:
        self.reset()
        self.server.close()
        await self.server.wait_closed()
        await asyncio.gather(*self.pipes)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def _stream(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
    yield b"welcome"
    async for request in requests:
        if request == b"fail":
            await context.abort(grpc.StatusCode.INTERNAL, "the handler failed")


@pytest.fixture
async def proxied_target() -> AsyncIterator[tuple[str, ResettingProxy]]:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "upkeep.test.Echo", {"Stream": grpc.stream_stream_rpc_method_handler(_stream)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    proxy = ResettingProxy(port)
    proxy_port = await proxy.start()
    yield f"127.0.0.1:{proxy_port}", proxy
    await proxy.close()
    await server.stop(None)


async def _end_of(channel: grpc.aio.Channel, after_welcome) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    """Open a stream, wait for its first message, run ``after_welcome(send)``, return the error reading ends with."""
    outbox: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def drain() -> AsyncIterator[bytes]:
        while (item := await outbox.get()) is not None:
            yield item

    call = channel.stream_stream(METHOD)(drain())
    assert await call.read() == b"welcome"
    after_welcome(outbox.put_nowait)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await asyncio.wait_for(call.read(), 10)
    outbox.put_nowait(None)
    return raised.value


async def test_a_send_cut_by_a_reset_connection_is_a_lost_link(proxied_target: tuple[str, ResettingProxy]) -> None:
    target, proxy = proxied_target
    raw_codes = set()
    # Which of grpc's two completions lands last (the transport's status or the failed send)
    # varies; repeat until the client has overwritten the status with INTERNAL at least once.
    for _attempt in range(12):
        async with grpc.aio.insecure_channel(target) as channel:
            def reset_then_send(send) -> None:  # type: ignore[no-untyped-def]
                proxy.reset()
                send(b"heartbeat")

            error = await _end_of(channel, reset_then_send)
        raw_codes.add(error.code())
        assert stream_status(error) == (grpc.StatusCode.UNAVAILABLE, SEND_CUT if error.code() is grpc.StatusCode.INTERNAL
                                        else error.details())
        if grpc.StatusCode.INTERNAL in raw_codes:
            break
    assert grpc.StatusCode.INTERNAL in raw_codes, f"the reset never cut a send: {raw_codes}"
    assert raw_codes <= {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE}


async def test_an_internal_status_from_the_server_stays_internal(proxied_target: tuple[str, ResettingProxy]) -> None:
    target, _proxy = proxied_target
    async with grpc.aio.insecure_channel(target) as channel:
        error = await _end_of(channel, lambda send: send(b"fail"))
    assert stream_status(error) == (grpc.StatusCode.INTERNAL, "the handler failed")
