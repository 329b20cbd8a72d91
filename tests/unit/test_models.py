"""Model constraints and conventions on in-memory SQLite (fast; no Alembic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.defaults import new_project
from server.db.models import (
    NAMING_CONVENTION,
    Artifact,
    Base,
    Channel,
    Client,
    Command,
    CommandStatus,
    Project,
    Release,
    ReleaseKind,
    ReleaseStatus,
    UpdateRule,
)

SF = async_sessionmaker[AsyncSession]


async def _project(sf: SF, slug: str = "p") -> tuple[int, int]:
    """(project id, stable channel id)."""
    async with sf() as s, s.begin():
        project = new_project(slug=slug, name=slug.upper())
        s.add(project)
        await s.flush()
        stable = await s.scalar(
            select(Channel.id).where(Channel.project_id == project.id, Channel.name == "stable")
        )
        assert stable is not None
        return project.id, stable


def _release(project_id: int, channel_id: int, version: str = "1.2.3", **kw: object) -> Release:
    major, minor, patch = (int(x) for x in version.split("-")[0].split("."))
    return Release(
        project_id=project_id, channel_id=channel_id, version=version,
        display_version=f"v{version}", major=major, minor=minor, patch=patch,
        kind=kw.pop("kind", ReleaseKind.CLIENT), title=f"v{version}", **kw,
    )


async def _fails(sf: SF, *objs: Base) -> None:
    with pytest.raises(IntegrityError):
        async with sf() as s, s.begin():
            s.add_all(objs)


async def test_release_defaults_and_timestamps(memory_session_factory: SF) -> None:
    project_id, stable = await _project(memory_session_factory)
    async with memory_session_factory() as s, s.begin():
        release = _release(project_id, stable)
        s.add(release)
        await s.flush()
        # eager_defaults: server values are present without a (forbidden) lazy load
        assert release.status == ReleaseStatus.DRAFT
        assert release.is_forced is False and release.is_prerelease is False
        assert release.release_notes_i18n == {} and release.prerelease == ""
        assert release.rollout_percentage is None
        assert release.created_at.tzinfo is not None
        assert abs(release.created_at - datetime.now(UTC)) < timedelta(minutes=1)


async def test_unique_project_version_kind(memory_session_factory: SF) -> None:
    sf = memory_session_factory
    project_id, stable = await _project(sf)
    other_id, other_stable = await _project(sf, "q")
    async with sf() as s, s.begin():
        s.add_all([
            _release(project_id, stable),
            _release(project_id, stable, kind=ReleaseKind.SERVICE),  # other kind: fine
            _release(other_id, other_stable),  # other project: fine
        ])
    await _fails(sf, _release(project_id, stable))


async def test_channel_names_unique_per_project(memory_session_factory: SF) -> None:
    project_id, _ = await _project(memory_session_factory)
    await _fails(
        memory_session_factory, Channel(project_id=project_id, name="beta", display_name="x")
    )


@pytest.mark.parametrize("pct", [-1, 101])
async def test_rollout_percentage_check(memory_session_factory: SF, pct: int) -> None:
    sf = memory_session_factory
    project_id, stable = await _project(sf)
    await _fails(sf, Channel(project_id=project_id, name="c", display_name="c", rollout_percentage=pct))
    await _fails(sf, _release(project_id, stable, rollout_percentage=pct))
    async with sf() as s, s.begin():  # the bounds themselves are fine
        s.add(Channel(project_id=project_id, name="zero", display_name="z", rollout_percentage=0))
        s.add(_release(project_id, stable, rollout_percentage=100))


async def test_enum_and_rule_checks(memory_session_factory: SF) -> None:
    sf = memory_session_factory
    project_id, stable = await _project(sf)
    await _fails(sf, _release(project_id, stable, status="live"))
    await _fails(sf, UpdateRule(project_id=project_id, name="r", action="pin"))  # no pin_version
    async with sf() as s, s.begin():
        s.add(UpdateRule(project_id=project_id, name="r", action="pin", pin_version="1.0.0"))
        client = Client(client_uuid="a1b2c3d4-e5f6-7890-1234-567890abcdef", project_id=project_id)
        s.add(client)
        await s.flush()
        command = Command(client_id=client.id, type="upgrade")
        s.add(command)
        await s.flush()
        assert command.status == CommandStatus.QUEUED and len(command.uuid) == 36
        client_id = client.id
    await _fails(sf, Command(client_id=client_id, type="upgrade", status="done"))


async def test_artifact_needs_a_location(memory_session_factory: SF) -> None:
    sf = memory_session_factory
    project_id, stable = await _project(sf)
    async with sf() as s, s.begin():
        release = _release(project_id, stable)
        s.add(release)
        await s.flush()
        release_id = release.id
    fields = dict(release_id=release_id, platform="any", file_name="paneld", size=1, checksum="sha256:00")
    await _fails(sf, Artifact(**fields))
    async with sf() as s, s.begin():
        s.add(Artifact(**fields, external_url="https://releases.runpanel.dev/v1.2.3/paneld"))
    await _fails(sf, Artifact(**fields, storage_key="k"))  # unique (release, platform)


async def test_foreign_keys_enforced_and_cascade(memory_session_factory: SF) -> None:
    sf = memory_session_factory
    await _fails(sf, Channel(project_id=999, name="x", display_name="x"))
    project_id, _ = await _project(sf)
    async with sf() as s, s.begin():
        await s.execute(delete(Project).where(Project.id == project_id))
    async with sf() as s:
        assert (await s.scalars(select(Channel))).all() == []


async def test_timestamps_are_utc_and_naive_is_refused(memory_session_factory: SF) -> None:
    sf = memory_session_factory
    project_id, stable = await _project(sf)
    plus8 = datetime(2025, 6, 25, 18, 0, tzinfo=timezone(timedelta(hours=8)))
    async with sf() as s, s.begin():
        release = _release(project_id, stable, publish_time=plus8)
        s.add(release)
        await s.flush()
        release_id = release.id
    async with sf() as s:
        stored = await s.scalar(select(Release.publish_time).where(Release.id == release_id))
    assert stored == plus8 and stored.tzinfo == UTC and stored.hour == 10
    with pytest.raises(StatementError, match="naive datetime"):
        async with sf() as s, s.begin():
            s.add(_release(project_id, stable, "2.0.0", publish_time=datetime(2025, 1, 1)))


async def test_relationships_never_lazy_load(memory_session_factory: SF) -> None:
    await _project(memory_session_factory)
    async with memory_session_factory() as s:
        project = await s.scalar(select(Project))
        assert project is not None
        with pytest.raises(InvalidRequestError):
            _ = project.channels


def test_constraint_names_follow_convention() -> None:
    assert Base.metadata.naming_convention == NAMING_CONVENTION
    for table in Base.metadata.sorted_tables:
        for constraint in (*table.constraints, *table.indexes):
            assert constraint.name and str(constraint.name).startswith(
                ("pk_", "fk_", "uq_", "ck_", "ix_")
            ), (table.name, constraint)
            assert len(str(constraint.name)) <= 63  # PostgreSQL identifier limit
    checks = {c.name for c in Channel.__table__.constraints}
    assert "ck_channels_rollout_percentage" in checks
    assert "uq_channels_project_id_name" in checks
