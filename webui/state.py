"""Process-wide handle on the server runtime for console pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.runtime import Runtime

__all__ = ["runtime", "set_runtime", "transaction"]

_runtime: Runtime | None = None


def set_runtime(value: Runtime) -> None:
    global _runtime
    _runtime = value


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the console is not mounted")
    return _runtime


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[AsyncSession]:
    """One short transaction for a page's read or action (committed on success)."""
    async with runtime().session_factory() as session, session.begin():
        yield session
