"""One agent's Connect stream on the server.

    connect ─► authenticate ─► Hello ─► register (replaces an older session)
                                          │
              Welcome, queued commands ◄──┘
                     │
      reader task: heartbeats, acks, progress, results, telemetry
      writer (the RPC's response stream): the outbox, in order
                     │
      close(goodbye | error) ─► outbox ends ─► Goodbye / status ─► unregister, offline

The outbox is unbounded for control messages but a session whose agent stops reading
is closed once it holds ``OUTBOX_LIMIT`` messages: its commands are durable and come
back on reconnect.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses

from common.errors import UpkeepError
from generated.upkeep.v1 import agent_pb2 as pb
from server.services.agents import AgentIdentity

__all__ = ["OUTBOX_LIMIT", "AgentSession"]

OUTBOX_LIMIT = 1024


@dataclasses.dataclass(eq=False, kw_only=True, slots=True)
class AgentSession:
    """One stream's state. Kept small: 20,000 of these live in one process, so the outbox
    is a deque that exists only while messages wait, and the writer waits on one future."""

    identity: AgentIdentity
    #: Labels of its Hello (else the stored ones): which maintenance windows apply.
    labels: dict[str, str]
    session_id: str
    #: Loop time of the last message from the agent.
    last_heard: float
    #: Command uuids written to this stream (an ack for one of them needs no ownership query).
    written: set[str] | None = None
    #: Last service state seen, serialized without its time (to spot changes).
    state_key: bytes = b""
    closed: bool = False
    goodbye: pb.Goodbye | None = None
    error: UpkeepError | None = None
    _outbox: collections.deque[pb.ConnectResponse] | None = None
    _waiter: asyncio.Future[None] | None = None
    #: Looked up once: on Python 3.11 each get_running_loop() is a getpid() system call.
    _loop: asyncio.AbstractEventLoop = dataclasses.field(default_factory=asyncio.get_running_loop, repr=False)

    @property
    def agent_id(self) -> int:
        return self.identity.id

    def push(self, message: pb.ConnectResponse) -> bool:
        """Queue a message for the agent; False if the session is closed (or just closed for lag)."""
        if self.closed:
            return False
        if self._outbox is None:
            self._outbox = collections.deque()
        elif len(self._outbox) >= OUTBOX_LIMIT:
            self.close()
            return False
        self._outbox.append(message)
        self._wake()
        return True

    async def next(self) -> pb.ConnectResponse | None:
        """The next queued message; None once the session is closed and what it held is out."""
        while True:
            outbox = self._outbox
            if outbox:
                message = outbox.popleft()
                if not outbox:
                    self._outbox = None
                return message
            if self.closed:
                return None
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def mark_written(self, command_id: str) -> bool:
        """Record a command written to the stream; False if it was written before."""
        if self.written is None:
            self.written = set()
        elif command_id in self.written:
            return False
        self.written.add(command_id)
        return True

    def wrote(self, command_id: str) -> bool:
        return self.written is not None and command_id in self.written

    def close(self, *, goodbye: pb.Goodbye | None = None, error: UpkeepError | None = None) -> None:
        """End the stream after what is queued: with a Goodbye, a status error, or plainly."""
        if self.closed:
            return
        self.closed = True
        self.goodbye = goodbye
        self.error = error
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
