"""Scheduled upgrades (seed §5.1.3, §7.4): at most one PENDING upgrade in ``scheduled_tasks``
(a new one cancels the old), one-off times or the next maintenance window (cron, croniter),
and the runner the daemon calls.

    PENDING ──due──▶ IN_PROGRESS ──▶ COMPLETED | FAILED
       └──new schedule / cancel──▶ CANCELLED

Maintenance windows come from ``[schedule] maintenance_windows`` and from the server
(``kv['schedule.server_windows']``, a JSON list the agent link writes from its settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable

from croniter import croniter

from agent.config import AgentConfig
from agent.store import Store
from agent.upgrade import UpgradeEngine, UpgradeResult
from agent.upgrade.sources import BundleSource, source_from_spec
from common.errors import Conflict, InvalidInput, NotFound
from common.i18n import N_

__all__ = [
    "SERVER_WINDOWS_KEY",
    "ScheduledTask",
    "cancel_task",
    "list_tasks",
    "maintenance_windows",
    "next_window",
    "pending_upgrade",
    "run_due",
    "run_scheduler",
    "schedule_upgrade",
]

logger = logging.getLogger(__name__)

#: Builds the source of a pushed upgrade from its command payload (the daemon provides it).
SourceFactory = Callable[[dict], BundleSource]

SERVICE_UPGRADE = "SERVICE_UPGRADE"
SERVER_WINDOWS_KEY = "schedule.server_windows"
IN_THE_PAST = N_("The time {time} is in the past; pick a future time")
BAD_CRON = N_("{expression!r} is not a valid cron expression (five fields: minute hour day month weekday)")
NO_WINDOW = N_("No maintenance window is configured; give one with --window CRON or in [schedule] maintenance_windows")
TASK_NOT_FOUND = N_("Scheduled task {id} does not exist")
TASK_NOT_PENDING = N_("Scheduled task {id} is {status}, not PENDING")
BAD_TIME = N_("{value!r} is not a time; use ISO 8601 like 2026-06-25T02:00 (local time) or 2026-06-25T02:00Z")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ScheduledTask:
    id: int
    task_type: str
    target_version: str
    scheduled_at: dt.datetime
    #: PENDING | IN_PROGRESS | COMPLETED | FAILED | CANCELLED
    status: str
    details: dict
    created_at: str
    completed_at: str | None

    @classmethod
    def from_row(cls, row) -> ScheduledTask:  # type: ignore[no-untyped-def]
        return cls(id=row["id"], task_type=row["task_type"], target_version=row["target_version"],
                   scheduled_at=dt.datetime.fromisoformat(row["scheduled_at"]), status=row["status"],
                   details=json.loads(row["details"] or "{}"), created_at=str(row["created_at"]), completed_at=row["completed_at"])


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_time(value: str) -> dt.datetime:
    """An ISO 8601 time; without a zone it is the node's local time. Returned in UTC."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError as exc:
        raise InvalidInput(BAD_TIME, error_code="INVALID_TIME", value=value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.astimezone(dt.UTC)


def next_window(expression: str, after: dt.datetime | None = None) -> dt.datetime:
    """The next start of the cron window ``expression`` (evaluated in UTC, as the server's settings are) after ``after``."""
    if not croniter.is_valid(expression) or len(expression.split()) != 5:
        raise InvalidInput(BAD_CRON, error_code="INVALID_CRON", expression=expression)
    start = after or _utcnow()
    return croniter(expression, start).get_next(dt.datetime).astimezone(dt.UTC)


def maintenance_windows(config: AgentConfig, store: Store) -> list[str]:
    server = json.loads(store.get(SERVER_WINDOWS_KEY) or "[]")
    return [*config.schedule.maintenance_windows, *server]


def earliest_window(windows: list[str], after: dt.datetime | None = None) -> dt.datetime:
    if not windows:
        raise InvalidInput(NO_WINDOW, error_code="NO_MAINTENANCE_WINDOW")
    return min(next_window(w, after) for w in windows)


def schedule_upgrade(store: Store, *, source: dict, at: dt.datetime, now: dt.datetime | None = None) -> ScheduledTask:
    """Record a pending upgrade at ``at``; any other pending upgrade is cancelled (seed §5.1.3)."""
    current = now or _utcnow()
    if at <= current:
        raise InvalidInput(IN_THE_PAST, error_code="SCHEDULE_IN_PAST", time=at.isoformat())
    if source.get("kind") != "payload":
        source_from_spec(source)  # refuse an unusable source now, not at 2 a.m.
    with store.tx() as conn:
        conn.execute("UPDATE scheduled_tasks SET status = 'CANCELLED', completed_at = ?, details = json_set(COALESCE(details, '{}'), '$.reason', 'replaced')"
                     " WHERE task_type = ? AND status = 'PENDING'", (current.isoformat(), SERVICE_UPGRADE))
        cursor = conn.execute(
            "INSERT INTO scheduled_tasks(task_type, target_version, scheduled_at, status, details, created_at) VALUES (?, ?, ?, 'PENDING', ?, ?)",
            (SERVICE_UPGRADE, source["version"], at.astimezone(dt.UTC).isoformat(), json.dumps({"source": source}), current.isoformat()))
        task_id = cursor.lastrowid
    return _get(store, task_id)


def _get(store: Store, task_id: int) -> ScheduledTask:
    rows = store.query("SELECT * FROM scheduled_tasks WHERE id = ?", (task_id,))
    if not rows:
        raise NotFound(TASK_NOT_FOUND, error_code="TASK_NOT_FOUND", id=task_id)
    return ScheduledTask.from_row(rows[0])


def list_tasks(store: Store, *, limit: int = 20) -> list[ScheduledTask]:
    return [ScheduledTask.from_row(r) for r in store.query("SELECT * FROM scheduled_tasks ORDER BY id DESC LIMIT ?", (limit,))]


def pending_upgrade(store: Store) -> ScheduledTask | None:
    rows = store.query("SELECT * FROM scheduled_tasks WHERE task_type = ? AND status = 'PENDING' ORDER BY scheduled_at LIMIT 1", (SERVICE_UPGRADE,))
    return ScheduledTask.from_row(rows[0]) if rows else None


def cancel_task(store: Store, task_id: int) -> ScheduledTask:
    task = _get(store, task_id)
    if task.status != "PENDING":
        raise Conflict(TASK_NOT_PENDING, error_code="TASK_NOT_PENDING", id=task_id, status=task.status)
    with store.tx() as conn:
        conn.execute("UPDATE scheduled_tasks SET status = 'CANCELLED', completed_at = ? WHERE id = ? AND status = 'PENDING'",
                     (_utcnow().isoformat(), task_id))
    return _get(store, task_id)


def _claim(store: Store, task_id: int) -> bool:
    with store.tx() as conn:
        return conn.execute("UPDATE scheduled_tasks SET status = 'IN_PROGRESS' WHERE id = ? AND status = 'PENDING'", (task_id,)).rowcount == 1


async def run_due(engine: UpgradeEngine, *, now: dt.datetime | None = None, bundle_sources: SourceFactory | None = None) -> list[UpgradeResult]:
    """Run every pending task whose time has come; record each outcome in its row."""
    store = engine.store
    results = []
    rows = store.query("SELECT * FROM scheduled_tasks WHERE status = 'PENDING' AND task_type = ? ORDER BY scheduled_at", (SERVICE_UPGRADE,))
    for task in map(ScheduledTask.from_row, rows):
        if task.scheduled_at > (now or _utcnow()) or not _claim(store, task.id):
            continue
        logger.info("running scheduled upgrade task=%s version=%s", task.id, task.target_version)
        details = dict(task.details)
        try:
            result = await engine.upgrade(_source(task.details["source"], bundle_sources), trigger="schedule",
                                          command_id=task.details["source"].get("command_id"))
        except Conflict as exc:  # another upgrade holds the node: try again at the next tick
            with store.tx() as conn:
                conn.execute("UPDATE scheduled_tasks SET status = 'PENDING' WHERE id = ?", (task.id,))
            logger.info("scheduled task %s postponed: %s", task.id, exc)
            continue
        except InvalidInput as exc:
            details.update(error=str(exc))
            status, result = "FAILED", None
        else:
            details.update(history_id=result.history_id, failed_step=result.failed_step, error=result.error)
            status = "COMPLETED" if result.ok else "FAILED"
            results.append(result)
        with store.tx() as conn:
            conn.execute("UPDATE scheduled_tasks SET status = ?, details = ?, completed_at = ? WHERE id = ?",
                         (status, json.dumps(details), _utcnow().isoformat(), task.id))
    return results


def _source(spec: dict, bundle_sources: SourceFactory | None) -> BundleSource:
    if spec.get("kind") == "payload" and bundle_sources is not None:
        return bundle_sources(spec["payload"])
    return source_from_spec(spec)


async def run_scheduler(config: AgentConfig, store: Store, engine: UpgradeEngine, stop_event: asyncio.Event, *,
                        bundle_sources: SourceFactory | None = None, max_sleep_s: float = 30.0) -> None:
    """The daemon's scheduler loop: runs due tasks until ``stop_event`` is set.

    ``bundle_sources`` builds the source of upgrades pushed by the server and deferred to a
    window (their stored form is the command's payload).
    """
    while not stop_event.is_set():
        await run_due(engine, bundle_sources=bundle_sources)
        pending = pending_upgrade(store)
        delay = max_sleep_s
        if pending is not None:
            delay = min(delay, max((pending.scheduled_at - _utcnow()).total_seconds(), 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=delay)
