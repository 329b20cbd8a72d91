"""Update events (seed 1 `update_stats`), written in batches with their rollups.

    record(event)            append; the batch is written within ``flush_interval_s``
    await record_durable(e)  append and wait until the batch holding it has committed
    flush()                  write everything pending now (also done on stop)

One transaction per batch inserts the events (COPY on PostgreSQL), upserts their
`event_rollups` rows (project, hour, action, version, region) += count and the same per
day in `daily_rollups`, so rollups always equal the events they summarise, and
moves each client's `client_activity` rows (its newest event per action, and of any
action as ``*``) forward: exact client counts of any window ending now, without DISTINCT. A batch that fails is kept and retried; callers of ``record_durable``
see the error instead (their request was not acknowledged). Check events are recorded
with ``record``: a crash may lose the last fraction of a second of checks, a clean stop
loses none.

Rollups have two dimensions kept apart so the table stays small: each event adds one
to its (version, region ``*``) row and one to its (version ``*``, region) row. Totals
and per-version figures read the region-``*`` rows, per-region figures the version-``*``
rows. Rollup ``version`` is the client's own version for ``check`` (so checks give the
version distribution of the fleet) and the event's version for every other action.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.errors import InvalidInput
from common.versions import Version
from server.db.copy import copy_rows
from server.db.models import ClientActivity, EventAction, EventDailyRollup, EventRollup, UpdateEvent

__all__ = ["ALL", "EventRecord", "EventRecorder", "day_of", "hour_of", "rollup_version", "write_events"]

logger = logging.getLogger(__name__)

ROLLUP_KEY = ("project_id", "bucket_start", "action", "version", "region")
#: The "every value" marker of the rollup dimension a row does not split by.
ALL = "*"


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def day_of(moment: datetime) -> datetime:
    """Midnight UTC of ``moment``'s day."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def rollup_version(text: str | None) -> str:
    """Normalised version for rollups (as given when it does not parse)."""
    if not text:
        return ""
    try:
        return Version.parse(text).normalized[:50]
    except InvalidInput:
        return text.strip()[:50]


@dataclass(frozen=True, kw_only=True, slots=True)
class EventRecord:
    action: str
    #: Version the event is about (offered, downloaded, installed).
    version: str
    project_id: int | None
    release_id: int | None = None
    client_id: str | None = None
    client_version: str | None = None
    region: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    error_message: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        EventAction(self.action)  # ValueError on an unknown action: a programming error


#: update_events columns written for each event, in COPY order.
EVENT_COLUMNS = ("project_id", "release_id", "version", "client_id", "client_version", "region", "ip_address",
                 "user_agent", "action", "error_message", "created_at")


#: Their PostgreSQL types: set once per COPY, so rows are not inspected value by value.
EVENT_COPY_TYPES = ("int4", "int4", "varchar", "varchar", "varchar", "varchar", "varchar", "text", "varchar", "text", "timestamptz")


def _clip(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def _values(e: EventRecord) -> tuple[object, ...]:
    """One update_events row (in EVENT_COLUMNS order), clipped to the column sizes."""
    return (
        e.project_id, e.release_id, e.version[:50], _clip(e.client_id, 128), _clip(e.client_version, 50),
        _clip(e.region, 50), _clip(e.ip_address, 45), _clip(e.user_agent, 1000), e.action, e.error_message,
        e.created_at,
    )


@functools.lru_cache(maxsize=4096)
def _rollup_version(reported: str) -> str:
    return rollup_version(reported)


def _rollups(events: list[EventRecord]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(hourly, daily) rollup increments of ``events``; buckets keyed by epoch hour (cheap to compute)."""
    hourly: Counter[tuple[object, ...]] = Counter()
    for e in events:
        if e.project_id is None:
            continue
        version = _rollup_version((e.client_version if e.action == EventAction.CHECK else e.version) or "")
        region = (e.region or "").strip().lower()[:50]
        hour = int(e.created_at.timestamp() // 3600)
        hourly[(e.project_id, hour, e.action, version, ALL)] += 1
        hourly[(e.project_id, hour, e.action, ALL, region)] += 1
    daily: Counter[tuple[object, ...]] = Counter()
    for (project_id, hour, *rest), n in hourly.items():
        daily[(project_id, hour // 24, *rest)] += n
    return _bucket_rows(hourly, 3600), _bucket_rows(daily, 86400)


def _bucket_rows(counts: Counter[tuple[object, ...]], seconds: int) -> list[dict[str, object]]:
    starts: dict[object, datetime] = {}
    rows = []
    for (project_id, bucket, *rest), n in counts.items():
        start = starts.get(bucket)
        if start is None:
            start = starts[bucket] = datetime.fromtimestamp(bucket * seconds, UTC)  # type: ignore[operator]
        rows.append(dict(zip(ROLLUP_KEY, (project_id, start, *rest)), count=n))
    return rows


def _activity(events: list[EventRecord], *, any_action: bool = True) -> list[tuple[Any, ...]]:
    """The newest event of each (project, client, action), and of each (project, client, ``*``)
    unless ``any_action`` is off: rows in ACTIVITY_COLUMNS order plus the event's place in the batch."""
    latest: dict[tuple[int, str, str], tuple[int, EventRecord]] = {}
    for n, e in enumerate(events):
        if e.project_id is None or not e.client_id:
            continue
        client = e.client_id[:128]
        keys = ((e.project_id, client, e.action), (e.project_id, client, ALL)) if any_action else ((e.project_id, client, e.action),)
        for key in keys:
            seen = latest.get(key)
            if seen is None or seen[1].created_at <= e.created_at:
                latest[key] = (n, e)
    return [(
        project_id, client_id, action,
        _rollup_version((e.client_version if e.action == EventAction.CHECK else e.version) or ""),
        (e.region or "").strip().lower()[:50], e.created_at, n,
    ) for (project_id, client_id, action), (n, e) in latest.items()]


async def _insert_events(session: AsyncSession, events: list[EventRecord]) -> None:
    """Plain INSERTs on SQLite; one COPY on PostgreSQL (most of a batch's cost otherwise)."""
    if session.bind.dialect.name != "postgresql":
        await session.execute(insert(UpdateEvent.__table__), [dict(zip(EVENT_COLUMNS, _values(e))) for e in events])
        return
    await copy_rows(session, "update_events", EVENT_COLUMNS, map(_values, events), types=EVENT_COPY_TYPES)


def _upserts(dialect: str) -> dict[type, Any]:
    """One compiled-once upsert per table, run as executemany (a multi-row VALUES costs a compile per batch)."""
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statements: dict[type, Any] = {}
    for model in (EventRollup, EventDailyRollup):
        stmt = build(model.__table__)
        statements[model] = stmt.on_conflict_do_update(
            index_elements=list(ROLLUP_KEY), set_={"count": model.__table__.c.count + stmt.excluded["count"]})
    stmt = build(ClientActivity.__table__)
    statements[ClientActivity] = stmt.on_conflict_do_update(
        index_elements=["project_id", "client_id", "action"],
        set_={"version": stmt.excluded["version"], "region": stmt.excluded["region"],
              "last_at": stmt.excluded["last_at"]},
        where=ClientActivity.__table__.c.last_at <= stmt.excluded["last_at"],
    )
    return statements


_UPSERTS = {dialect: _upserts(dialect) for dialect in ("postgresql", "sqlite")}


async def write_events(session: AsyncSession, events: list[EventRecord]) -> None:
    """Insert ``events``, add them to the rollups and client activity, in the caller's transaction."""
    if not events:
        return
    await _insert_events(session, events)
    dialect = session.bind.dialect.name
    upserts = _UPSERTS[dialect]
    hourly, daily = _rollups(events)
    for model, rows in ((EventRollup, hourly), (EventDailyRollup, daily)):
        if rows:
            await session.execute(upserts[model], rows)
    if dialect == "postgresql":
        if activity := _activity(events, any_action=False):
            await _copy_activity(session, activity)
    elif activity := _activity(events):
        await session.execute(upserts[ClientActivity], [dict(zip(ACTIVITY_COLUMNS, row)) for row in activity])


#: PostgreSQL: a batch's newest event per (client, action) is COPYed into a temporary table,
#: then upserted in one statement together with each client's newest of any action (``*``).
ACTIVITY_COLUMNS = ("project_id", "client_id", "action", "version", "region", "last_at")
_STAGE_COLUMNS = (*ACTIVITY_COLUMNS, "seq")
_STAGE_TYPES = ("int4", "varchar", "varchar", "varchar", "varchar", "timestamptz", "int4")
_ACTIVITY_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS client_activity_stage (project_id integer, client_id varchar(128), "
    "action varchar(16), version varchar(50), region varchar(50), last_at timestamptz, seq integer) ON COMMIT DELETE ROWS"
)
_ACTIVITY_MERGE = (
    f"INSERT INTO client_activity ({', '.join(ACTIVITY_COLUMNS)}) "
    f"SELECT {', '.join(ACTIVITY_COLUMNS)} FROM client_activity_stage "
    "UNION ALL (SELECT DISTINCT ON (project_id, client_id) project_id, client_id, '*', version, region, last_at "
    "FROM client_activity_stage ORDER BY project_id, client_id, last_at DESC, seq DESC) "
    "ON CONFLICT (project_id, client_id, action) DO UPDATE SET version = EXCLUDED.version, "
    "region = EXCLUDED.region, last_at = EXCLUDED.last_at WHERE client_activity.last_at <= EXCLUDED.last_at"
)


async def _copy_activity(session: AsyncSession, rows: list[tuple[Any, ...]]) -> None:
    await session.execute(text(_ACTIVITY_STAGE))
    await session.execute(text("TRUNCATE client_activity_stage"))  # a transaction may write several batches
    await copy_rows(session, "client_activity_stage", _STAGE_COLUMNS, rows, types=_STAGE_TYPES)
    await session.execute(text(_ACTIVITY_MERGE))


class EventRecorder:
    """Component: batches events into few transactions (see module docstring)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        flush_interval_s: float = 0.25,
        batch_size: int = 5000,
        max_pending: int = 500_000,
    ) -> None:
        self.session_factory = session_factory
        self.flush_interval_s = flush_interval_s
        self.batch_size = batch_size
        self.max_pending = max_pending
        self._pending: list[EventRecord] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._stopping = False
        self.written = 0

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="event-recorder")

    async def stop(self) -> None:
        """Let the writer finish the batch it is writing (never cut short), then write what is pending."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._wake.set()
            await asyncio.wait([task])
        await self.flush()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, event: EventRecord) -> None:
        """Queue ``event``; written with the next batch."""
        if len(self._pending) >= self.max_pending:
            logger.warning("event queue full (%d): dropping the oldest check event", len(self._pending))
            self._pending.pop(0)
        self._pending.append(event)
        if len(self._pending) >= self.batch_size:
            self._wake.set()

    async def record_durable(self, event: EventRecord) -> None:
        """Queue ``event`` and return once it is committed (raises if the write failed)."""
        waiter = asyncio.get_running_loop().create_future()
        self._pending.append(event)
        self._waiters.append(waiter)
        self._wake.set()
        if self._task is None:  # not started (tests, CLI): write now
            await self.flush()
        await waiter

    async def flush(self) -> None:
        """Write everything pending now, in batches."""
        async with self._lock:
            while self._pending or self._waiters:
                batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size:]
                waiters = self._waiters if not self._pending else []
                if waiters:
                    self._waiters = []
                try:
                    async with self.session_factory() as session, session.begin():
                        await write_events(session, batch)
                except BaseException as exc:
                    self._pending[:0] = batch  # keep for the next try (also when cancelled)
                    self._waiters[:0] = waiters
                    if isinstance(exc, Exception):
                        for waiter in self._waiters:
                            if not waiter.done():
                                waiter.set_exception(exc)
                        self._waiters = []
                    raise
                self.written += len(batch)
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.flush()
            except Exception:
                logger.exception("writing update events failed; retrying")
                await asyncio.sleep(self.flush_interval_s)
