"""Statistics over update events, read from the hourly rollups (see `events`).

Periods are ``<n>h``, ``<n>d`` or ``<n>w`` (``24h``, ``7d``, ``30d``...) up to a year;
a window starts on the hour (``hour_of(now - period)``) and includes events written so
far. Every figure is a sum over `event_rollups`, so each answer costs one indexed
aggregate however many events there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput
from common.i18n import N_
from common.versions import Version
from server.db.models import EventAction, EventRollup, Release, ReleaseStatus
from server.services.events import ALL, hour_of

__all__ = [
    "AdoptionRow",
    "DistributionRow",
    "StatsSummary",
    "adoption",
    "event_stats",
    "parse_period",
    "region_distribution",
    "version_distribution",
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


@dataclass(frozen=True, kw_only=True, slots=True)
class DistributionRow:
    key: str
    count: int
    #: Share of the total, 0-100 with two decimals.
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
    #: Share of checks coming from this version (0-100).
    adoption_rate: float
    #: Checks from every version in the period (the base of ``adoption_rate``).
    total_checks: int
    #: successes / (successes + failures) * 100.
    success_rate: float


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


async def event_stats(session: AsyncSession, *, project_id: int, period: str = "7d", action: str | None = "all") -> StatsSummary:
    """Totals per action and a time series over ``period``."""
    since = window_start(period)
    only = check_action(action)
    daily = parse_period(period) > timedelta(hours=48)
    where = [EventRollup.project_id == project_id, EventRollup.bucket_start >= since, EventRollup.region == ALL]
    if only:
        where.append(EventRollup.action == only)
    rows = (await session.execute(
        select(EventRollup.bucket_start, EventRollup.action, func.sum(EventRollup.count))
        .where(*where).group_by(EventRollup.bucket_start, EventRollup.action)
    )).all()
    by_action = {a: 0 for a in ((only,) if only else ACTIONS)}
    series: dict[datetime, dict[str, int]] = {}
    for bucket, act, count in rows:
        count = int(count)
        by_action[act] = by_action.get(act, 0) + count
        key = bucket.replace(hour=0) if daily else bucket
        point = series.setdefault(key, {})
        point[act] = point.get(act, 0) + count
    ok, bad = by_action.get("success", 0), by_action.get("failed", 0)
    return StatsSummary(
        period=period, action=only or "all", since=since, total=sum(by_action.values()), by_action=by_action,
        success_rate=_pct(ok, ok + bad),
        series=[SeriesPoint(start=k, counts=v) for k, v in sorted(series.items())],
    )


async def _grouped(session: AsyncSession, project_id: int, since: datetime, column, **match: str) -> dict[str, int]:
    where = [EventRollup.project_id == project_id, EventRollup.bucket_start >= since]
    where += [getattr(EventRollup, k) == v for k, v in match.items()]
    rows = (await session.execute(
        select(column, func.sum(EventRollup.count)).where(*where).group_by(column)
    )).all()
    return {key: int(n) for key, n in rows}


def _rows(counts: dict[str, int], order) -> list[DistributionRow]:
    total = sum(counts.values())
    return [DistributionRow(key=k, count=n, percentage=_pct(n, total)) for k, n in sorted(counts.items(), key=order)]


def _version_order(item: tuple[str, int]) -> tuple[int, object]:
    try:
        return (0, _Desc(Version.parse(item[0])))
    except InvalidInput:
        return (1, item[0])


class _Desc:
    __slots__ = ("v",)

    def __init__(self, v: Version) -> None:
        self.v = v

    def __lt__(self, other: _Desc) -> bool:
        return other.v < self.v


async def version_distribution(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[DistributionRow]:
    """Checks per client version (newest version first): the fleet's version mix."""
    since = window_start(period)
    counts = await _grouped(session, project_id, since, EventRollup.version, action="check", region=ALL)
    return _rows(counts, _version_order)


async def region_distribution(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[DistributionRow]:
    """Checks per region (largest first); ``""`` is clients that sent no region."""
    since = window_start(period)
    counts = await _grouped(session, project_id, since, EventRollup.region, action="check", version=ALL)
    return _rows(counts, lambda item: (-item[1], item[0]))


async def adoption(session: AsyncSession, *, project_id: int, period: str = "30d") -> list[AdoptionRow]:
    """Per published release: how many clients run it, downloads and install outcomes."""
    since = window_start(period)
    rows = (await session.execute(
        select(EventRollup.action, EventRollup.version, func.sum(EventRollup.count))
        .where(EventRollup.project_id == project_id, EventRollup.bucket_start >= since, EventRollup.region == ALL)
        .group_by(EventRollup.action, EventRollup.version)
    )).all()
    counts: dict[tuple[str, str], int] = {(a, v): int(n) for a, v, n in rows}
    total_checks = sum(n for (a, _v), n in counts.items() if a == "check")
    releases = await session.scalars(
        select(Release).where(Release.project_id == project_id, Release.status == ReleaseStatus.PUBLISHED)
        .order_by(Release.major.desc(), Release.minor.desc(), Release.patch.desc(), Release.id.desc())
    )
    out = []
    for r in releases:
        get = lambda action: counts.get((action, r.version), 0)  # noqa: E731
        ok, bad = get("success"), get("failed")
        out.append(AdoptionRow(
            release_id=r.id, version=r.version, display_version=r.display_version, channel_id=r.channel_id,
            publish_time=r.publish_time, checks=get("check"), downloads=get("download"), installs=get("install"),
            successes=ok, failures=bad, adoption_rate=_pct(get("check"), total_checks), total_checks=total_checks,
            success_rate=_pct(ok, ok + bad),
        ))
    return out
