"""Stats over recorded events on SQLite and PostgreSQL, checked against counts of the raw rows.

Events span 40 days (so hourly and daily rollups both answer), clients check more than
once and move between versions and regions; every figure must equal what a plain query
over `update_events` gives, client counts included (exact, each client once).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import distinct, event, func, select

from common.versions import Version
from server.db.models import UpdateEvent
from server.services import projects, releases
from server.services.artifacts import spec_from_url
from server.services.events import EventRecord, EventRecorder, hour_of
from server.services.roles import Role
from server.services.tokens import create_token

pytestmark = pytest.mark.integration
VERSIONS = ["1.0.0", "v1.1.0", "1.2.0", "2.0.0-rc.1"]


@pytest.fixture
async def seeded(db_engine, running_server):
    runtime = running_server.runtime
    async with runtime.session_factory() as s, s.begin():
        project = await projects.ensure_project(s, runtime.settings.default_project)
        for v in ("1.1.0", "1.2.0"):
            await releases.create_release(s, project=project.slug, version=v, publish=True, artifacts=[
                spec_from_url(url=f"https://dl.example.com/{v}", size=1, checksum="sha256:" + "ab" * 32)])
        token = (await create_token(s, name="stats", role=Role.VIEWER)).secret
    rng = random.Random(11)
    now = datetime.now(UTC)
    recorder = runtime.component("events", EventRecorder)
    for i in range(600):
        action = rng.choice(["check"] * 6 + ["download", "install", "success", "failed"])
        recorder.record(EventRecord(
            action=action, version=rng.choice(["1.1.0", "1.2.0"]), project_id=project.id,
            client_id=f"c{rng.randrange(60)}" if i % 25 else None, client_version=rng.choice(VERSIONS),
            region=rng.choice(["cn", "CN", "global", None]),
            created_at=now - timedelta(minutes=rng.randrange(0, 40 * 24 * 60)),
        ))
    await recorder.flush()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_server.http_port}", timeout=10,
                                 headers={"authorization": f"Bearer {token}"}) as http:
        for i in range(5):  # and a few through the real endpoint, now
            reply = await http.post("/api/v1/check-update", json={"current_version": "1.2.0", "client_id": f"c{i}",
                                                                   "region": "eu"})
            assert reply.status_code == 200
        await recorder.flush()
        yield http, runtime.session_factory


async def raw(sf, period: timedelta):
    since = hour_of(datetime.now(UTC) - period)
    async with sf() as s:
        rows = (await s.execute(select(UpdateEvent.client_id, UpdateEvent.action, UpdateEvent.client_version,
                                       UpdateEvent.region, UpdateEvent.created_at, UpdateEvent.id)
                                .where(UpdateEvent.created_at >= since))).all()
        ever = await s.scalar(select(func.count(distinct(UpdateEvent.client_id))))
    return rows, ever


@pytest.mark.parametrize(("period", "span"), [("24h", timedelta(hours=24)), ("7d", timedelta(days=7)),
                                              ("30d", timedelta(days=30))])
async def test_stats_equal_counts_of_raw_rows(seeded, period, span):
    http, sf = seeded
    rows, ever = await raw(sf, span)
    stats = (await http.get("/admin/api/v1/stats", params={"period": period})).json()["data"]
    assert {a: n for a, n in stats["actions"].items() if n} == Counter(r.action for r in rows)
    assert stats["total"] == len(rows) and sum(sum(p["counts"].values()) for p in stats["series"]) == len(rows)
    by_action = {a: len({r.client_id for r in rows if r.action == a and r.client_id}) for a in stats["actions"]}
    assert stats["clients_by_action"] == by_action
    assert stats["clients"] == len({r.client_id for r in rows if r.client_id}) and stats["total_clients"] == ever
    only = (await http.get("/admin/api/v1/stats", params={"period": period, "action": "check"})).json()["data"]
    assert only["clients"] == by_action["check"] and only["total"] == stats["actions"]["check"]

    checks = sorted((r for r in rows if r.action == "check"), key=lambda r: (r.created_at, r.id))
    last = {r.client_id: r for r in checks if r.client_id}  # each client's last check in the window
    versions = (await http.get("/admin/api/v1/stats/distribution", params={"period": period})).json()["data"]
    got = {v["version"]: (v["count"], v["clients"]) for v in versions["versions"]}
    events_per = Counter(Version.parse(r.client_version).normalized for r in checks)
    clients_per = Counter(Version.parse(r.client_version).normalized for r in last.values())
    assert got == {v: (events_per[v], clients_per[v]) for v in set(events_per) | set(clients_per)}
    assert versions["clients"] == len(last) and versions["total"] == len(checks)
    adoption = {a["version"]: (a["clients"], a["active_clients"], a["adoption_rate"]) for a in versions["releases"]}
    for v in ("1.1.0", "1.2.0"):
        assert adoption[v] == (clients_per[v], len(last), round(100 * clients_per[v] / len(last), 2))

    regions = (await http.get("/admin/api/v1/stats/regions", params={"period": period})).json()["data"]
    got = {r["region"]: (r["count"], r["clients"]) for r in regions["regions"]}
    events_in = Counter((r.region or "").lower() for r in checks)
    clients_in = Counter((r.region or "").lower() for r in last.values())
    assert got == {k: (events_in[k], clients_in[k]) for k in set(events_in) | set(clients_in)}
    assert [r["clients"] for r in regions["regions"]] == sorted((r["clients"] for r in regions["regions"]),
                                                                reverse=True)


async def test_distribution_reads_rollups_and_client_activity_once(seeded, running_server):
    """Versions and adoption share one read of each figure (they used to be computed twice per call)."""
    http, _sf = seeded
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = running_server.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        reply = await http.get("/admin/api/v1/stats/distribution", params={"period": "30d"})
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert reply.status_code == 200 and reply.json()["data"]["versions"]
    tables = Counter(t for text in statements for t in ("client_activity", "event_rollups", "daily_rollups")
                     if f"FROM {t}" in text)
    assert tables == {"client_activity": 1, "event_rollups": 1, "daily_rollups": 1}


async def test_two_batches_in_one_transaction_move_activity_forward_only(db_engine, session_factory):
    """Client activity keeps each client's newest event, whatever order the batches come in."""
    from server.db.models import ClientActivity
    from server.services.events import write_events

    async with session_factory() as s, s.begin():
        project = await projects.create_project(s, slug="twice")
    now = datetime.now(UTC)
    newer = [EventRecord(action="check", version="1.2.0", client_version="1.2.0", project_id=project.id,
                         client_id="k", region="cn", created_at=now)]
    older = [EventRecord(action="check", version="1.0.0", client_version="1.0.0", project_id=project.id,
                         client_id="k", region="eu", created_at=now - timedelta(hours=1)),
             EventRecord(action="download", version="1.2.0", project_id=project.id, client_id="k",
                         created_at=now - timedelta(hours=2))]
    async with session_factory() as s, s.begin():
        await write_events(s, newer)
        await write_events(s, older)
    async with session_factory() as s:
        rows = {(r.action, r.version, r.region) for r in await s.scalars(select(ClientActivity))}
    assert rows == {("check", "1.2.0", "cn"), ("download", "1.2.0", ""), ("*", "1.2.0", "cn")}
