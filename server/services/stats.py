"""Statistics over update events, read from rollups and client activity (see `events`).

Periods are ``<n>h``, ``<n>d`` or ``<n>w`` (``24h``, ``7d``, ``30d``...) up to a year;
a window starts on the hour (``hour_of(now - period)``) and includes events written so
far. Event counts are sums over the rollups: hourly rows up to the window's first
midnight, daily rows from there (hourly only for hourly series), so an answer reads at
most ~24 hours plus one row set per day however many events there are.

Client counts are exact, never estimates: the seed's dashboard shows total users and
adoption as numbers. `client_activity` holds each client's newest event per action and
of any action (``*``), so "clients active since T" is an index range count of rows with
``last_at >= T`` (no DISTINCT) and each client counts once, at the version and region
it reported last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput
from common.i18n import N_
from common.versions import Version
from server.db.models import ClientActivity, EventAction, EventDailyRollup, EventRollup, Release, ReleaseStatus
from server.services.events import ALL, day_of, hour_of

__all__ = [
    "AdoptionRow",
    "DistributionRow",
    "StatsSummary",
    "VersionReport",
    "adoption",
    "event_stats",
    "parse_period",
    "region_distribution",
    "version_distribution",
    "version_report",
]

PERIOD = re.compile(r"^(\d{1,4})([hdw])$")
MAX_PERIOD = timedelta(days=366)
BAD_PERIOD = N_("Invalid period {period!r}: expected e.g. 24h, 7d or 30d (at most a year)")
BAD_ACTION = N_("Invalid action {action!r}: expected all, check, download, install, success or failed")
ACTIONS = tuple(a.value for a in EventAction)


def parse_period(text: str) -> timedelta:
    match = PERIOD.match((text or "").strip().lower())
    if not match:
        raise InvalidInput(BAD_PERIOD, error_code="INVALID_PERIOD", period=text)
    n, unit = int(match.group(1)), match.group(2)
    span = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
    if not timedelta(hours=1) <= span <= MAX_PERIOD:
        raise InvalidInput(BAD_PERIOD, error_code="INVALID_PERIOD", period=text)
    return span


def check_action(action: str | None) -> str | None:
    """None for ``all``/empty, the action otherwise; InvalidInput when unknown."""
    value = (action or "all").strip().lower()
    if value == "all":
        return None
    if value not in ACTIONS:
        raise InvalidInput(BAD_ACTION, error_code="INVALID_ACTION", action=action)
    return value


def window_start(period: str, now: datetime | None = None) -> datetime:
    return hour_of((now or datetime.now(UTC)) - parse_period(period))


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesPoint:
    #: Start of the day (periods over 48h) or hour, UTC.
    start: datetime
    counts: dict[str, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class StatsSummary:
    period: str
    #: ``all`` or one action.
    action: str
    since: datetime
    total: int
    #: action -> count (only the asked action unless ``all``).
    by_action: dict[str, int]
    #: success / (success + failed), 0 when neither happened.
    success_rate: float
    series: list[SeriesPoint]
    #: action -> distinct clients with that action in the period.
    clients_by_action: dict[str, int]
    #: Distinct clients with any (or the asked) action in the period.
    clients: int
    #: Distinct clients the project has ever seen (the dashboard's "total users").
    total_clients: int


@dataclass(frozen=True, kw_only=True, slots=True)
class DistributionRow:
    key: str
    #: Check events in the period.
    count: int
    #: Distinct clients whose last check in the period reported this key.
    clients: int
    #: Share of those clients, 0-100 with two decimals.
    percentage: float


@dataclass(frozen=True, kw_only=True, slots=True)
class AdoptionRow:
    release_id: int
    version: str
    display_version: str
    channel_id: int
    publish_time: datetime | None
    #: Checks from clients running this version in the period.
    checks: int
    downloads: int
    installs: int
    successes: int
    failures: int
    #: Distinct clients whose last check in the period came from this version.
    clients: int
    #: clients / active_clients * 100.
    adoption_rate: float
    #: Distinct clients that checked in the period (the base of ``adoption_rate``).
    active_clients: int
    #: Checks from every version in the period.
    total_checks: int
    #: successes / (successes + failures) * 100.
    success_rate: float


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionReport:
    """What ``version_distribution`` and ``adoption`` answer, over one window."""

    versions: list[DistributionRow]
    releases: list[AdoptionRow]


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


async def _sums(
    session: AsyncSession, project_id: int, since: datetime, keys: tuple[str, ...], *, hourly: bool = False,
    **match: str,
) -> Counter[tuple[Any, ...]]:
    """Rollup counts since ``since`` grouped by ``keys``: hourly rows before the first midnight, daily after."""
    first_day = day_of(since)
    if first_day < since:
        first_day += timedelta(days=1)
    parts = [(EventRollup, since, None)] if hourly else [(EventRollup, since, first_day), (EventDailyRollup, first_day, None)]
    out: Counter[tuple[Any, ...]] = Counter()
    for model, start, end in parts:
        where = [model.project_id == project_id, model.bucket_start >= start]
        if end is not None:
            where.append(model.bucket_start < end)
        where += [getattr(model, k) == v for k, v in match.items()]
        columns = [getattr(model, k) for k in keys]
        for *key, n in await session.execute(select(*columns, func.sum(model.count)).where(*where).group_by(*columns)):
            out[tuple(key)] += int(n)
    return out


def _active(project_id: int, since: datetime | None = None, action: str | None = None) -> list[Any]:
    where = [ClientActivity.project_id == project_id]
    if since is not None:
        where.append(ClientActivity.last_at >= since)
    if action is not None:
        where.append(ClientActivity.action == action)
    return where


async def _clients_by(session: AsyncSession, project_id: int, since: datetime, column: Any) -> dict[str, int]:
    """Distinct clients whose last check since ``since`` reported each value of ``column``."""
    rows = await session.execute(
        select(column, func.count()).where(*_active(project_id, since, "check")).group_by(column))
    return {key: int(n) for key, n in rows}


async def event_stats(session: AsyncSession, *, project_id: int, period: str = "7d", action: str | None = "all") -> StatsSummary:
    """Totals per action, a time series and distinct clients over ``period``."""
    since = window_start(period)
    only = check_action(action)
    daily = parse_period(period) > timedelta(hours=48)
    match = {"region": ALL, **({"action": only} if only else {})}
    sums = await _sums(session, project_id, since, ("bucket_start", "action"), hourly=not daily, **match)
    by_action = {a: 0 for a in ((only,) if only else ACTIONS)}
    series: dict[datetime, dict[str, int]] = {}
    for (bucket, act), count in sums.items():
        by_action[act] = by_action.get(act, 0) + count
        key = day_of(bucket) if daily else bucket
        point = series.setdefault(key, {})
        point[act] = point.get(act, 0) + count
    clients_by_action = {a: 0 for a in by_action}
    for act, n in await session.execute(
        select(ClientActivity.action, func.count()).where(
            ClientActivity.project_id == project_id, ClientActivity.action.in_(list(by_action)),
            ClientActivity.last_at >= since,
        ).group_by(ClientActivity.action)
    ):
        clients_by_action[act] = int(n)
    clients = await session.scalar(
        select(func.count()).select_from(ClientActivity).where(*_active(project_id, since, only or ALL)))
    total_clients = await session.scalar(
        select(func.count()).select_from(ClientActivity).where(*_active(project_id, None, ALL)))
    ok, bad = by_action.get("success", 0), by_action.get("failed", 0)
    return StatsSummary(
        period=period, action=only or "all", since=since, total=sum(by_action.values()), by_action=by_action,
        success_rate=_pct(ok, ok + bad),
        series=[SeriesPoint(start=k, counts=v) for k, v in sorted(series.items())],
        clients_by_action=clients_by_action, clients=int(clients or 0), total_clients=int(total_clients or 0),
    )


def _rows(counts: dict[str, int], clients: dict[str, int], order) -> list[DistributionRow]:  # type: ignore[no-untyped-def]
    total = sum(clients.values())
    return [DistributionRow(key=k, count=counts.get(k, 0), clients=clients.get(k, 0),
                            percentage=_pct(clients.get(k, 0), total))
            for k in sorted(set(counts) | set(clients), key=lambda k: order(k, counts.get(k, 0), clients.get(k, 0)))]


def _version_order(key: str, _count: int, _clients: int) -> tuple[int, object]:
    try:
        return (0, _Desc(Version.parse(key)))
    except InvalidInput:
        return (1, key)


class _Desc:
    __slots__ = ("v",)

    def __init__(self, v: Version) -> None:
        self.v = v

    def __lt__(self, other: _Desc) -> bool:
        return other.v < self.v


async def version_distribution(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[DistributionRow]:
    """Clients per version (newest first): each client once, at the version of its last check."""
    since = window_start(period)
    counts = {k[0]: n for k, n in (await _sums(session, project_id, since, ("version",), action="check",
                                                region=ALL)).items()}
    return _rows(counts, await _clients_by(session, project_id, since, ClientActivity.version), _version_order)


async def region_distribution(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[DistributionRow]:
    """Clients per region (most clients first); ``""`` is clients that sent no region."""
    since = window_start(period)
    counts = {k[0]: n for k, n in (await _sums(session, project_id, since, ("region",), action="check",
                                                version=ALL)).items()}
    return _rows(counts, await _clients_by(session, project_id, since, ClientActivity.region),
                 lambda key, count, clients: (-clients, -count, key))


async def adoption(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[AdoptionRow]:
    """Per published release: clients running it (of those active in the period), downloads, outcomes."""
    since = window_start(period)
    counts, running = await _by_action_and_version(session, project_id, since)
    return await _adoption_rows(session, project_id, counts, running)


async def version_report(session: AsyncSession, *, project_id: int, period: str = "30d") -> VersionReport:
    """``version_distribution`` and ``adoption`` together: each query once, over the same window."""
    since = window_start(period)
    counts, running = await _by_action_and_version(session, project_id, since)
    checks = {v: n for (a, v), n in counts.items() if a == "check"}
    return VersionReport(versions=_rows(checks, running, _version_order),
                         releases=await _adoption_rows(session, project_id, counts, running))


async def _by_action_and_version(
    session: AsyncSession, project_id: int, since: datetime,
) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Event counts per (action, version) and clients per version of their last check, since ``since``."""
    counts = {(a, v): n for (a, v), n in (await _sums(session, project_id, since, ("action", "version"),
                                                      region=ALL)).items()}
    return counts, await _clients_by(session, project_id, since, ClientActivity.version)


async def _adoption_rows(
    session: AsyncSession, project_id: int, counts: dict[tuple[str, str], int], running: dict[str, int],
) -> list[AdoptionRow]:
    total_checks = sum(n for (a, _v), n in counts.items() if a == "check")
    active = sum(running.values())
    releases = await session.scalars(
        select(Release).where(Release.project_id == project_id, Release.status == ReleaseStatus.PUBLISHED)
        .order_by(Release.major.desc(), Release.minor.desc(), Release.patch.desc(), Release.id.desc())
    )
    out = []
    for r in releases:
        get = lambda action: counts.get((action, r.version), 0)  # noqa: E731
        ok, bad = get("success"), get("failed")
        on_it = running.get(r.version, 0)
        out.append(AdoptionRow(
            release_id=r.id, version=r.version, display_version=r.display_version, channel_id=r.channel_id,
            publish_time=r.publish_time, checks=get("check"), downloads=get("download"), installs=get("install"),
            successes=ok, failures=bad, clients=on_it, adoption_rate=_pct(on_it, active), active_clients=active,
            total_checks=total_checks, success_rate=_pct(ok, ok + bad),
        ))
    return out
