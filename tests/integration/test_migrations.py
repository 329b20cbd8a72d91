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
