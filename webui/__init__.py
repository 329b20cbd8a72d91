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
