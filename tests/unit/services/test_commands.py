"""Creating commands over a real (in-memory SQLite) database: rows, views and ``prepare``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from generated.upkeep.v1 import common_pb2
from server.db.models import Client, Command
from server.services import commands, projects


def test_uuid4_strings_are_canonical_distinct_version_4_uuids() -> None:
    made = commands.uuid4_strings(20_000)
    assert len(made) == len(set(made)) == 20_000
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert commands.uuid4_strings(0) == []


async def _agents(sf, count: int) -> dict[int, str]:
    async with sf() as s, s.begin():
        project = await projects.create_project(s, slug="p")
        clients = [Client(client_uuid=str(uuid.uuid4()), project_id=project.id) for _ in range(count)]
        s.add_all(clients)
        await s.flush()
        return {c.id: c.client_uuid for c in clients}


def _restart() -> common_pb2.CommandPayload:
    payload = common_pb2.CommandPayload()
    payload.restart.SetInParent()
    return payload


async def _create(s, agents: dict[int, str], prepare):
    return await commands.create_commands(
        s, agents, type_number=common_pb2.COMMAND_TYPE_RESTART, payload=_restart(), expires_at=None,
        ttl=timedelta(hours=1), prepare=prepare, created_by="ops",
    )


async def test_prepare_sees_the_views_that_are_written(memory_session_factory) -> None:
    agents = await _agents(memory_session_factory, 3)
    seen: list[list[commands.CommandView]] = []

    def prepare(views):
        seen.append(list(views))
        return len(views)

    async with memory_session_factory() as s, s.begin():
        views, prepared = await _create(s, agents, prepare)
    assert prepared == 3 and seen == [views]
    assert {(v.agent_id, v.client_uuid) for v in views} == set(agents.items())
    async with memory_session_factory() as s:
        rows = (await s.execute(select(Command.uuid, Command.client_id, Command.status, Command.created_by))).all()
    assert sorted(rows) == sorted((v.id, v.agent_id, "queued", "ops") for v in views)


async def test_a_failing_prepare_leaves_no_rows_and_no_running_insert(memory_session_factory) -> None:
    agents = await _agents(memory_session_factory, 2)

    def prepare(views):
        raise RuntimeError("prepare failed")

    with pytest.raises(RuntimeError, match="prepare failed"):
        async with memory_session_factory() as s, s.begin():
            await _create(s, agents, prepare)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    async with memory_session_factory() as s:
        assert (await s.execute(select(Command.id))).all() == []


async def test_an_unknown_agent_fails_the_whole_insert(memory_session_factory) -> None:
    agents = await _agents(memory_session_factory, 2)
    agents[max(agents) + 100] = str(uuid.uuid4())  # enrolled nowhere: the foreign key refuses it
    with pytest.raises(IntegrityError):
        async with memory_session_factory() as s, s.begin():
            await _create(s, agents, lambda views: None)
    async with memory_session_factory() as s:
        assert (await s.execute(select(Command.id))).all() == []
