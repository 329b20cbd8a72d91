"""The NiceGUI admin console, mounted into the server's FastAPI app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from server.runtime import Runtime

__all__ = ["mount_console"]

_mounted = False


def mount_console(app: FastAPI, runtime: Runtime) -> None:
    """Mount the console at ``/`` (NiceGUI is a process-wide singleton: once per process)."""
    global _mounted
    if _mounted:
        raise RuntimeError("the console can be mounted once per process")
    from nicegui import ui
    from nicegui.storage import Storage

    from webui import pages  # noqa: F401  (registers the pages)
    from webui.state import set_runtime
    from webui.uploads import discard_stale

    set_runtime(runtime)
    discard_stale(runtime.settings)
    _prune_slot_stacks_only_when_held()
    # Browser sessions live with the server's data, not in the working directory.
    Storage.path = (runtime.settings.data_dir / "console-sessions").resolve()
    ui.run_with(
        app,
        title="Upkeep",
        storage_secret=runtime.settings.resolved_session_secret(),
        show_welcome_message=False,
        reconnect_timeout=10.0,
    )
    _mounted = True


def _prune_slot_stacks_only_when_held() -> None:
    """NiceGUI's 10-second slot-stack prune lists every asyncio task; with 10,000 agent
    streams (several tasks each) that took about 2 % of a core (py-spy). Stacks are removed
    when their ``with`` block ends, so the prune has work only when one is held: skip it otherwise."""
    from nicegui.slot import Slot

    prune = Slot.prune_stacks.__func__  # type: ignore[attr-defined]

    async def prune_when_held(cls: type[Slot]) -> None:
        if cls.stacks:
            await prune(cls)

    Slot.prune_stacks = classmethod(prune_when_held)  # type: ignore[method-assign,assignment]
