"""Alembic migrations on SQLite and PostgreSQL: round trip, no model drift, seed data."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.defaults import DEFAULT_CHANNELS, ensure_default_channels, new_project
from server.db.engine import (
    alembic_config,
    downgrade,
    is_migrated,
    make_async_engine,
    migrate,
    schema_status,
)
from server.db.models import Base, Channel, Project

pytestmark = pytest.mark.integration


async def _table_names(url: str) -> set[str]:
    engine = make_async_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(fresh_db_url: str) -> None:
    model_tables = set(Base.metadata.tables)
    current, head = schema_status(fresh_db_url)
    assert current is None and head is not None
    assert not is_migrated(fresh_db_url)

    migrate(fresh_db_url)
    assert schema_status(fresh_db_url) == (head, head)
    assert is_migrated(fresh_db_url)
    assert await _table_names(fresh_db_url) == model_tables | {"alembic_version"}

    downgrade(fresh_db_url, "base")
    assert schema_status(fresh_db_url) == (None, head)
    assert await _table_names(fresh_db_url) <= {"alembic_version"}

    migrate(fresh_db_url)
    assert is_migrated(fresh_db_url)
    assert await _table_names(fresh_db_url) == model_tables | {"alembic_version"}


def test_models_match_migrations(db_url: str) -> None:
    # `alembic check`: autogenerate against the migrated database finds nothing to do.
    command.check(alembic_config(db_url))


async def test_new_project_gets_default_channels(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        s.add(new_project(slug="runpanel", name="RunPanel"))

    async with session_factory() as s:
        project = await s.scalar(select(Project).where(Project.slug == "runpanel"))
        assert project is not None and project.default_channel == "stable"
        rows = (
            await s.execute(
                select(Channel.name, Channel.display_name, Channel.description,
                       Channel.is_active, Channel.auto_publish, Channel.rollout_percentage)
                .where(Channel.project_id == project.id)
                .order_by(Channel.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("stable", "稳定版", "经过充分测试的稳定版本", True, False, 100),
        ("beta", "测试版", "功能完整的测试版本", True, False, 100),
        ("alpha", "预览版", "最新功能预览版本", True, False, 100),
    ]
    assert [c.name for c in DEFAULT_CHANNELS] == ["stable", "beta", "alpha"]


async def test_ensure_default_channels_fills_gaps(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        project = Project(slug="bare", name="Bare")
        s.add(project)
        await s.flush()
        s.add(Channel(project_id=project.id, name="beta", display_name="Beta"))
        await s.flush()
        assert await ensure_default_channels(s, project.id) == ["stable", "alpha"]
        assert await ensure_default_channels(s, project.id) == []
        names = set(await s.scalars(select(Channel.name).where(Channel.project_id == project.id)))
    assert names == {"stable", "beta", "alpha"}


async def test_0004_fills_daily_rollups_and_client_activity_from_what_exists(fresh_db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, insert

    from server.db.models import ClientActivity, EventDailyRollup, EventRollup, UpdateEvent

    migrate(fresh_db_url, "0003_rule_channel")
    engine = make_async_engine(fresh_db_url)
    now = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    events = [("a", "check", "v1.0.0", "CN", now - timedelta(days=2)), ("a", "check", "1.1.0", "eu", now),
              ("b", "check", "1.0.0", None, now - timedelta(hours=20)), ("b", "download", "1.0.0", "cn", now),
              (None, "check", "1.0.0", "cn", now)]
    try:
        async with engine.begin() as conn:
            project_id = (await conn.execute(insert(Project.__table__).values(
                slug="p", name="p", default_channel="stable", download_mirrors={}).returning(Project.id))).scalar_one()
            await conn.execute(insert(UpdateEvent.__table__), [dict(
                project_id=project_id, client_id=client, action=action, version="1.1.0", client_version=version,
                region=region, created_at=at) for client, action, version, region, at in events])
            await conn.execute(insert(EventRollup.__table__), [
                dict(project_id=project_id, bucket_start=now.replace(minute=0) - timedelta(hours=h), action="check",
                     version="1.0.0", region="*", count=n) for h, n in ((0, 2), (14, 3), (16, 5), (48, 7))])
        migrate(fresh_db_url)
        async with engine.connect() as conn:
            daily = dict((await conn.execute(select(EventDailyRollup.bucket_start, func.sum(EventDailyRollup.count))
                                             .group_by(EventDailyRollup.bucket_start))).all())
            activity = {(r.client_id, r.action): (r.version, r.region, r.last_at) for r in (await conn.execute(
                select(ClientActivity.client_id, ClientActivity.action, ClientActivity.version,
                       ClientActivity.region, ClientActivity.last_at))).all()}
    finally:
        await engine.dispose()
    day = now.replace(hour=0, minute=0)
    assert {k.astimezone(UTC) if k.tzinfo else k.replace(tzinfo=UTC): v for k, v in daily.items()} == {
        day: 5, day - timedelta(days=1): 5, day - timedelta(days=2): 7}
    assert {k: v[:2] for k, v in activity.items()} == {
        ("a", "check"): ("1.1.0", "eu"), ("b", "check"): ("1.0.0", ""), ("b", "download"): ("1.1.0", "cn"),
        ("a", "*"): ("1.1.0", "eu"), ("b", "*"): ("1.1.0", "cn")}  # 0005: each client's newest of any action
    last = activity[("a", "check")][2]
    assert (last.astimezone(UTC) if last.tzinfo else last.replace(tzinfo=UTC)) == now
