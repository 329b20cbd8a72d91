"""The agent hub: every connected agent's session, command fan-out, presence, watchers.

One session per connected agent, with a reader task and the RPC's response stream as its
writer; presence and command status changes are written in batches; a second Connect
for the same agent replaces the first; revocation closes the stream at once.
"""

from server.hub._hub import MAX_MESSAGE_BYTES, AgentHub

__all__ = ["MAX_MESSAGE_BYTES", "AgentHub"]
