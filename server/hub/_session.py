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
import dataclasses

from common.errors import UpkeepError
from generated.upkeep.v1 import agent_pb2 as pb
from server.services.agents import AgentIdentity

__all__ = ["OUTBOX_LIMIT", "AgentSession"]

OUTBOX_LIMIT = 1024


@dataclasses.dataclass(eq=False, kw_only=True, slots=True)
class AgentSession:
    identity: AgentIdentity
    #: Labels of its Hello (else the stored ones): which maintenance windows apply.
    labels: dict[str, str]
    session_id: str
    #: Loop time of the last message from the agent.
    last_heard: float
    outbox: asyncio.Queue[pb.ConnectResponse | None] = dataclasses.field(default_factory=asyncio.Queue)
    #: Command uuids written to this stream (an ack for one of them needs no ownership query).
    written: set[str] = dataclasses.field(default_factory=set)
    #: Last service state seen, serialized without its time (to spot changes).
    state_key: bytes = b""
    closed: bool = False
    goodbye: pb.Goodbye | None = None
    error: UpkeepError | None = None

    @property
    def agent_id(self) -> int:
        return self.identity.id

    def push(self, message: pb.ConnectResponse) -> bool:
        """Queue a message for the agent; False if the session is closed (or just closed for lag)."""
        if self.closed:
            return False
        if self.outbox.qsize() >= OUTBOX_LIMIT:
            self.close()
            return False
        self.outbox.put_nowait(message)
        return True

    def close(self, *, goodbye: pb.Goodbye | None = None, error: UpkeepError | None = None) -> None:
        """End the stream after what is queued: with a Goodbye, a status error, or plainly."""
        if self.closed:
            return
        self.closed = True
        self.goodbye = goodbye
        self.error = error
        self.outbox.put_nowait(None)
