"""Seed 1 statistics under /admin/api/v1/stats (totals, version and region distribution).

Answers use the seed 1 envelope ``{"code": 200, "data": ...}``; figures come from
server/services/stats.py (rollups, never a scan of the raw events).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.http.admin_v1 import ERRORS, READ, _iso, _ok, _project, _runtime
from server.runtime import Runtime
from server.services import stats as stats_svc
from server.services.projects import project_row

__all__ = ["router"]

router = APIRouter(prefix="/admin/api/v1", tags=["seed 1 admin API"])


class SeriesPointOut(BaseModel):
    #: Start of the hour (periods up to 48h) or day, UTC.
    time: datetime
    #: action -> events in that hour or day.
    counts: dict[str, int]


class StatsOut(BaseModel):
    period: str = Field(examples=["7d"])
    action: str = Field(examples=["all"])
    since: datetime
    total: int = Field(description="Events in the period (of the asked action, or all)")
    actions: dict[str, int] = Field(description="action -> events")
    success_rate: float = Field(description="success / (success + failed) * 100")
    series: list[SeriesPointOut]
    clients: int = Field(description="Distinct clients with an event (of the asked action) in the period")
    clients_by_action: dict[str, int] = Field(description="action -> distinct clients in the period")
    total_clients: int = Field(description="Distinct clients ever seen (total users)")


class StatsEnvelope(BaseModel):
    code: int
    data: StatsOut


class VersionShare(BaseModel):
    version: str
    #: Check events from this version in the period.
    count: int
    #: Distinct clients whose last check in the period came from this version.
    clients: int
    #: Share of those clients (0-100).
    percentage: float


class ReleaseAdoption(BaseModel):
    id: int
    version: str
    publish_time: datetime | None
    checks: int
    downloads: int
    installs: int
    successes: int
    failures: int
    #: Distinct clients running this release (their last check in the period).
    clients: int
    #: clients / active_clients * 100.
    adoption_rate: float
    active_clients: int
    success_rate: float


class DistributionOut(BaseModel):
    period: str
    #: Check events in the period.
    total: int
    #: Distinct clients that checked in the period.
    clients: int
    versions: list[VersionShare]
    releases: list[ReleaseAdoption]


class DistributionEnvelope(BaseModel):
    code: int
    data: DistributionOut


class RegionShare(BaseModel):
    #: ``""`` for clients that sent no region.
    region: str
    #: Check events from this region in the period.
    count: int
    #: Distinct clients whose last check in the period came from this region.
    clients: int
    #: Share of those clients (0-100).
    percentage: float


class RegionsOut(BaseModel):
    period: str
    #: Check events in the period.
    total: int
    #: Distinct clients that checked in the period.
    clients: int
    regions: list[RegionShare]


class RegionsEnvelope(BaseModel):
    code: int
    data: RegionsOut


async def _project_id(session, runtime: Runtime, project: str | None) -> int:  # type: ignore[no-untyped-def]
    slug = await _project(session, runtime, project)
    return (await project_row(session, slug)).id


@router.get("/stats", response_model=StatsEnvelope, responses=ERRORS, dependencies=READ)
async def stats(request: Request, period: str = "7d", action: str = "all", project: str | None = None) -> JSONResponse:
    """Event totals per action over ``period`` (24h, 7d, 30d...) with a time series."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        proj = await _project_id(s, runtime, project)
        found = await stats_svc.event_stats(s, project_id=proj, period=period, action=action)
    return _ok({
        "period": found.period, "action": found.action, "since": _iso(found.since), "total": found.total,
        "actions": found.by_action, "success_rate": found.success_rate,
        "series": [{"time": _iso(p.start), "counts": p.counts} for p in found.series],
        "clients": found.clients, "clients_by_action": found.clients_by_action, "total_clients": found.total_clients,
    })


@router.get("/stats/distribution", response_model=DistributionEnvelope, responses=ERRORS, dependencies=READ)
async def distribution(request: Request, period: str = "30d", project: str | None = None) -> JSONResponse:
    """Client versions seen in checks over ``period``, newest first, with adoption per release."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        proj = await _project_id(s, runtime, project)
        report = await stats_svc.version_report(s, project_id=proj, period=period)
    rows = report.versions
    return _ok({
        "period": period,
        "total": sum(r.count for r in rows),
        "clients": sum(r.clients for r in rows),
        "versions": [{"version": r.key, "count": r.count, "clients": r.clients, "percentage": r.percentage}
                     for r in rows],
        "releases": [{
            "id": a.release_id, "version": a.display_version, "publish_time": _iso(a.publish_time),
            "checks": a.checks, "downloads": a.downloads, "installs": a.installs, "successes": a.successes,
            "failures": a.failures, "clients": a.clients, "adoption_rate": a.adoption_rate,
            "active_clients": a.active_clients, "success_rate": a.success_rate,
        } for a in report.releases],
    })


@router.get("/stats/regions", response_model=RegionsEnvelope, responses=ERRORS, dependencies=READ)
async def regions(request: Request, period: str = "30d", project: str | None = None) -> JSONResponse:
    """Checks per region over ``period``, largest first."""
    runtime = _runtime(request)
    async with runtime.session_factory() as s, s.begin():
        proj = await _project_id(s, runtime, project)
        rows = await stats_svc.region_distribution(s, project_id=proj, period=period)
    return _ok({
        "period": period,
        "total": sum(r.count for r in rows),
        "clients": sum(r.clients for r in rows),
        "regions": [{"region": r.key, "count": r.count, "clients": r.clients, "percentage": r.percentage}
                    for r in rows],
    })
