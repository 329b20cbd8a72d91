"""The hottest client call answered below the framework: an outermost ASGI layer.

    request ─► FastLane ─► (method, path) has a lane? ─ no ─► FastAPI app (routing, middleware...)
                              │ yes
                              ▼
                       lane(request) ─► bytes ─► 200 application/json
                              │ raises Fallback (bad body, unknown project, any error)
                              ▼
                       FastAPI app with the body replayed: the route answers it (same errors)

A lane handles only the happy path and must answer exactly what its FastAPI route would
(they share one function that renders the body); everything else, errors included, goes
through the route, so validation and error envelopes stay in one place. The route also
keeps the call in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FastLane", "Fallback", "LaneRequest"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bodies above this go to the framework (the route decides what to do with them).
MAX_LANE_BODY = 64 * 1024


class Fallback(Exception):
    """The lane does not answer this request: the FastAPI route does."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LaneRequest:
    body: bytes
    #: Lower-cased header names; the last value wins.
    headers: dict[str, str]
    client_host: str | None


Lane = Callable[[LaneRequest], Awaitable[bytes]]


class FastLane:
    """Wraps the ASGI app; ``lanes`` maps (method, path) to a lane."""

    def __init__(self, app: ASGIApp, lanes: dict[tuple[str, str], Lane]) -> None:
        self.app = app
        self.lanes = lanes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.lanes.get((scope.get("method", ""), scope.get("path", ""))) if scope["type"] == "http" else None
        if lane is None:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if body is None:
            return  # the client left before sending its body
        if complete:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            client = scope.get("client")
            request = LaneRequest(body=body, headers=headers, client_host=client[0] if client else None)
            try:
                answer = await lane(request)
            except Fallback:
                pass
            else:
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-length", str(len(answer)).encode()), (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": answer})
                return
        await self.app(scope, _replay(body, complete, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes | None, bool]:
    """The body (None when the client left), and False when it is too large for a lane."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_LANE_BODY:
            return b"".join(chunks), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that first hands out what the lane already read."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": not complete}

    return replay
