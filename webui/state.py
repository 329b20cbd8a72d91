"""Process-wide handle on the server runtime for console pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.runtime import Runtime

__all__ = ["runtime", "set_runtime"]

_runtime: Runtime | None = None


def set_runtime(value: Runtime) -> None:
    global _runtime
    _runtime = value


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the console is not mounted")
    return _runtime
