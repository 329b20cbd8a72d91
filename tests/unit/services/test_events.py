"""The batched event writer and its rollups, over a real (in-memory SQLite) database."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.db.models import EventRollup, UpdateEvent
from server.services import projects, releases
from server.services.events import ALL, EventRecord, EventRecorder
from server.services.stats import adoption, event_stats, region_distribution, version_distribution


async def make_project(sf) -> int:
    async with sf() as s, s.begin():
        return (await projects.create_project(s, slug="p")).id


async def test_nothing_recorded_is_lost_on_stop_and_rollups_match(memory_session_factory):
    sf = memory_session_factory
    project_id = await make_project(sf)
    recorder = EventRecorder(sf, flush_interval_s=60, batch_size=300)
    await recorder.start()
    rng = random.Random(3)
    now = datetime.now(UTC)
    sent = []
    for i in range(1000):
        event = EventRecord(
            action=rng.choice(["check", "check", "download", "success", "failed"]), version="2.0.0",
            project_id=project_id, client_id=f"c{i}", client_version=rng.choice(["v1.0.0", "1.1.0", "1.2.0"]),
            region=rng.choice(["cn", "global", None]), created_at=now - timedelta(hours=rng.randrange(0, 48)),
        )
        sent.append(event)
        recorder.record(event)
    await recorder.record_durable(EventRecord(action="success", version="2.0.0", project_id=project_id))
    await recorder.stop()
    async with sf() as s:
        assert await s.scalar(select(func.count()).select_from(UpdateEvent)) == 1001
        by_version = await s.scalar(select(func.sum(EventRollup.count)).where(EventRollup.region == ALL))
        by_region = await s.scalar(select(func.sum(EventRollup.count)).where(EventRollup.version == ALL))
        assert by_version == by_region == 1001
        summary = await event_stats(s, project_id=project_id, period="7d")
        versions = {r.key: r.count for r in await version_distribution(s, project_id=project_id)}
        regions = {r.key: r.count for r in await region_distribution(s, project_id=project_id)}
    actions = Counter(e.action for e in sent) + Counter({"success": 1})
    assert {a: n for a, n in summary.by_action.items() if n} == dict(actions)
    checks = [e for e in sent if e.action == "check"]
    assert versions == dict(Counter(e.client_version.removeprefix("v") for e in checks))
    assert regions == dict(Counter(e.region or "" for e in checks))


async def test_period_window_and_adoption(memory_session_factory):
    sf = memory_session_factory
    project_id = await make_project(sf)
    async with sf() as s, s.begin():
        rel = await releases.create_release(s, project="p", version="1.1.0", publish=True)
    recorder = EventRecorder(sf)
    now = datetime.now(UTC)
    for hours, client, action, running in ((1, "a", "check", "1.1.0"), (2, "b", "check", "1.0.0"),
                                           (3, "b", "success", None), (30, "a", "check", "1.1.0"),
                                           (24 * 10, "c", "check", "1.1.0")):
        recorder.record(EventRecord(action=action, version="1.1.0", project_id=project_id, client_version=running,
                                    client_id=client, created_at=now - timedelta(hours=hours)))
    await recorder.flush()
    async with sf() as s:
        day = await event_stats(s, project_id=project_id, period="24h")
        week = await event_stats(s, project_id=project_id, period="7d")
        rows = await adoption(s, project_id=project_id, period="7d")
    assert day.by_action["check"] == 2 and day.success_rate == 100.0
    assert week.by_action["check"] == 3 and week.total == 4
    # clients a and b checked within 7 days; a runs 1.1.0 (counted once for its two checks)
    assert [(r.release_id, r.checks, r.successes, r.clients, r.active_clients, r.adoption_rate) for r in rows] == [
        (rel.id, 2, 1, 1, 2, 50.0)]
    assert (week.clients, week.clients_by_action["check"], week.total_clients) == (2, 2, 3)
    assert (day.clients, day.clients_by_action["success"]) == (2, 1)
