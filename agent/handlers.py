"""Command handlers: what the agent does when the server pushes a command.

The agent link (agent/link/) receives a Command, records its id (at most once), and calls
the handler registered for its type with a :class:`CommandContext`. The handler reports
progress through ``ctx.progress(step, percent, message)`` and returns a result dict, or
raises :class:`common.errors.UpkeepError` (reported as FAILED with its code and message).

    registry = HandlerRegistry()
    registry.register("upgrade", upgrade_handler)      # agent/upgrade plugs in here
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["CommandContext", "Handler", "HandlerRegistry", "ProgressFn", "payload_field"]

ProgressFn = Callable[[str, float, str], Awaitable[None]]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CommandContext:
    command_id: str
    #: "upgrade" | "backup" | "rollback" | "restart" | "self_update" | "collect_diagnostics"
    command_type: str
    #: The typed payload as a plain dict (protobuf message → dict at the link's edge).
    payload: dict[str, Any]
    #: ``await ctx.progress("backup", 20.0, "Backing up data")``
    progress: ProgressFn
    #: Set when the server cancels the command; long handlers check it between steps.
    cancelled: asyncio.Event


Handler = Callable[[CommandContext], Awaitable[dict[str, Any]]]


def payload_field(payload: dict[str, Any], name: str, default: Any = None) -> Any:
    """A payload field by its snake_case name; stored payloads may use protobuf JSON camelCase."""
    camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
    return payload.get(name, payload.get(camel, default))


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, command_type: str, handler: Handler) -> None:
        if command_type in self._handlers:
            raise ValueError(f"a handler for {command_type!r} is registered already")
        self._handlers[command_type] = handler

    def get(self, command_type: str) -> Handler | None:
        return self._handlers.get(command_type)

    def types(self) -> list[str]:
        return sorted(self._handlers)
