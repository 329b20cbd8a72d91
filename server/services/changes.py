"""Which projects a transaction changed, announced after it commits.

Services call ``mark_changed(session, project_id)``; when the session commits, every
listener registered with ``on_commit`` hears the project ids (the release catalog
drops its cached snapshot). A rolled-back transaction announces nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

__all__ = ["mark_changed", "on_commit"]

logger = logging.getLogger(__name__)

_KEY = "upkeep_changed_projects"
_listeners: list[Callable[[frozenset[int]], None]] = []


def mark_changed(session: AsyncSession | Session, project_id: int) -> None:
    session.info.setdefault(_KEY, set()).add(project_id)


def on_commit(listener: Callable[[frozenset[int]], None]) -> Callable[[], None]:
    """Register ``listener``; returns a function that unregisters it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    changed = session.info.pop(_KEY, None)
    if changed:
        ids = frozenset(changed)
        for listener in list(_listeners):
            listener(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: object) -> None:
    if previous_transaction is not None and getattr(previous_transaction, "parent", None) is None:
        session.info.pop(_KEY, None)
