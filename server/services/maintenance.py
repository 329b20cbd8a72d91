"""Maintenance windows: when agents may be upgraded without a person.

A window applies to one agent, to the agents carrying a label selector, or (neither) to
every agent of its project. ``set_windows`` replaces one target's windows; the hub
delivers each agent the union of what applies to it (Welcome and live settings).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

from croniter import croniter
from google.protobuf import duration_pb2
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2
from server.db.models import MaintenanceWindow, Project
from server.services.agents import check_labels, get_agent, project_id

__all__ = [
    "MaintenanceWindows",
    "WindowSpec",
    "WindowView",
    "list_windows",
    "project_windows",
    "set_windows",
    "windows_for",
]

MAX_WINDOWS = 20
MAX_DURATION_MINUTES = 7 * 24 * 60
BAD_CRON = N_("{cron!r} is not a valid cron expression (five fields: minute hour day month weekday).")
BAD_DURATION = N_("A maintenance window lasts from 1 minute to 7 days, in whole minutes.")
TOO_MANY = N_("At most {limit} maintenance windows per target.")
BOTH_TARGETS = N_("Give agent_id or label_selector, not both.")
NO_PROJECT = N_("Give a project or an agent_id.")
WRONG_PROJECT = N_("Agent {agent} belongs to project {actual}, not {project}.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WindowSpec:
    cron: str
    duration: timedelta


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WindowView:
    id: int
    project: str
    agent_id: int | None
    label_selector: dict[str, str]
    cron: str
    duration_minutes: int

    def to_proto(self) -> admin_pb2.MaintenanceWindow:
        return admin_pb2.MaintenanceWindow(
            id=self.id, project=self.project, agent_id=self.agent_id or 0, label_selector=self.label_selector,
            cron=self.cron, duration=duration_pb2.Duration(seconds=self.duration_minutes * 60),
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceWindows:
    """What one agent gets in its settings."""

    crons: tuple[str, ...]
    duration_minutes: int


def _checked(spec: WindowSpec) -> tuple[str, int]:
    """(normalised cron, whole minutes) of a valid window."""
    cron = " ".join(spec.cron.split())
    if len(cron.split(" ")) != 5 or not croniter.is_valid(cron):
        raise InvalidInput(BAD_CRON, error_code="INVALID_WINDOW", cron=spec.cron)
    minutes, rest = divmod(spec.duration, timedelta(minutes=1))
    if rest or not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput(BAD_DURATION, error_code="INVALID_WINDOW")
    return cron, minutes


def _view(window: MaintenanceWindow, project: str) -> WindowView:
    return WindowView(
        id=window.id, project=project, agent_id=window.client_id, label_selector=dict(window.label_selector or {}),
        cron=window.cron, duration_minutes=window.duration_minutes,
    )


async def set_windows(
    session: AsyncSession, *, project: str, agent_id: int, label_selector: dict[str, str], windows: Sequence[WindowSpec]
) -> tuple[int, list[WindowView]]:
    """Replace the windows of one target; returns (project id, the target's windows)."""
    if agent_id and label_selector:
        raise InvalidInput(BOTH_TARGETS, error_code="INVALID_WINDOW_TARGET")
    if len(windows) > MAX_WINDOWS:
        raise InvalidInput(TOO_MANY, error_code="INVALID_WINDOW", limit=MAX_WINDOWS)
    specs = [_checked(w) for w in windows]
    selector = check_labels(label_selector)
    if agent_id:
        agent = await get_agent(session, agent_id=agent_id)
        if project and project != agent.project:
            raise InvalidInput(WRONG_PROJECT, error_code="INVALID_WINDOW_TARGET", agent=agent_id, actual=agent.project, project=project)
        project = agent.project
    elif not project:
        raise InvalidInput(NO_PROJECT, error_code="INVALID_WINDOW_TARGET")
    pid = await project_id(session, project)
    existing = (await session.scalars(select(MaintenanceWindow).where(
        MaintenanceWindow.project_id == pid,
        MaintenanceWindow.client_id == agent_id if agent_id else MaintenanceWindow.client_id.is_(None),
    ))).all()
    stale = [w.id for w in existing if agent_id or dict(w.label_selector or {}) == selector]
    if stale:
        await session.execute(delete(MaintenanceWindow).where(MaintenanceWindow.id.in_(stale)))
    rows = [
        MaintenanceWindow(project_id=pid, client_id=agent_id or None, label_selector=selector, cron=cron,
                          duration_minutes=minutes, enabled=True)
        for cron, minutes in specs
    ]
    session.add_all(rows)
    await session.flush()
    return pid, [_view(w, project) for w in rows]


async def list_windows(session: AsyncSession, *, project: str = "", agent_id: int = 0) -> list[WindowView]:
    """A project's windows (every project's if empty), or those that apply to one agent."""
    query = select(MaintenanceWindow, Project.slug).join(Project, Project.id == MaintenanceWindow.project_id)
    labels: dict[str, str] = {}
    if agent_id:
        agent = await get_agent(session, agent_id=agent_id)
        labels, project = agent.labels, agent.project
    if project:
        query = query.where(MaintenanceWindow.project_id == await project_id(session, project))
    rows = (await session.execute(query.where(MaintenanceWindow.enabled.is_(True)).order_by(MaintenanceWindow.id))).all()
    views = [_view(w, slug) for w, slug in rows]
    return [v for v in views if _applies(v, agent_id, labels)] if agent_id else views


async def project_windows(session: AsyncSession, project_id: int) -> list[WindowView]:
    """The enabled windows of a project (the hub caches them briefly)."""
    rows = (await session.execute(
        select(MaintenanceWindow, Project.slug).join(Project, Project.id == MaintenanceWindow.project_id)
        .where(MaintenanceWindow.project_id == project_id, MaintenanceWindow.enabled.is_(True))
        .order_by(MaintenanceWindow.id)
    )).all()
    return [_view(w, slug) for w, slug in rows]


def _applies(window: WindowView, agent_id: int, labels: dict[str, str]) -> bool:
    if window.agent_id is not None:
        return window.agent_id == agent_id
    return all(labels.get(k) == v for k, v in window.label_selector.items())


def windows_for(windows: Sequence[WindowView], agent_id: int, labels: dict[str, str]) -> MaintenanceWindows:
    """The windows that apply to one agent: its own, its labels', its project's."""
    chosen = [w for w in windows if _applies(w, agent_id, labels)]
    return MaintenanceWindows(
        crons=tuple(dict.fromkeys(w.cron for w in chosen)),
        duration_minutes=max((w.duration_minutes for w in chosen), default=0),
    )
