"""A large fan-out first promotes young objects to the oldest GC generation, uncollected, and
its writes start without a young collection."""

from __future__ import annotations

import asyncio
import gc
import uuid
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.config import load_settings
from server.db.engine import make_async_engine, make_session_factory
from server.hub import _hub
from server.hub._session import AgentSession
from server.runtime import Runtime
from server.services.agents import AgentIdentity
from server.services.commands import CommandView


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _generation(obj: object) -> int | None:
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation)):
            return generation
    return None


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """Only what the test does moves objects between generations."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _young_cycle() -> tuple[_Node, weakref.ref[_Node]]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


def _hub_with_views(tmp_path: Path, count: int) -> tuple[_hub.AgentHub, list[CommandView]]:
    settings = load_settings(environ={"UPKEEP_DATA_DIR": str(tmp_path)})
    engine = make_async_engine("sqlite+aiosqlite://")
    hub = _hub.AgentHub(Runtime(settings=settings, engine=engine, session_factory=make_session_factory(engine)))
    now, payload = datetime.now(UTC), {"restart": {}}
    views = [CommandView(id=str(uuid.uuid4()), agent_id=n, client_uuid=str(uuid.uuid4()), type="restart", status="queued",
                         payload=payload, progress=None, result=None, created_at=now, sent_at=None, acked_at=None,
                         started_at=None, finished_at=None, expires_at=None, created_by="ops") for n in range(count)]
    return hub, views


def test_promotion_moves_young_objects_to_the_oldest_generation_uncollected(no_automatic_collection: None) -> None:
    kept = _Node()
    cycle, cycle_ref = _young_cycle()
    assert _generation(kept) == _generation(cycle) == 0
    _hub.promote_young_objects()
    assert _generation(kept) == _generation(cycle) == 2
    assert gc.get_freeze_count() == 0 and gc.get_count()[0] < 10
    del cycle
    assert cycle_ref() is not None  # promoted garbage waits for a full collection
    gc.collect()
    assert cycle_ref() is None and _generation(kept) == 2


@pytest.mark.parametrize(("count", "promoted"), [(_hub.PROMOTE_BEFORE_FANOUT - 1, False), (_hub.PROMOTE_BEFORE_FANOUT, True)])
def test_a_large_fan_out_promotes_before_building_its_messages(
    tmp_path: Path, no_automatic_collection: None, count: int, promoted: bool
) -> None:
    hub, views = _hub_with_views(tmp_path, count)
    marker = _Node()
    prepared = hub.prepare(views)
    assert len(prepared) == count and prepared[-1][1].command.id == views[-1].id
    assert _generation(marker) == (2 if promoted else 0)


@pytest.fixture
def automatic_collection() -> Iterator[None]:
    gc.collect()  # counts start at zero: nothing collects in the few allocations a test makes
    assert gc.isenabled()
    yield
    gc.enable()


async def test_collection_waits_for_the_callbacks_scheduled_before_it_then_promotes(automatic_collection: None) -> None:
    loop = asyncio.get_running_loop()
    seen_by_earlier_callback: list[bool] = []
    loop.call_soon(lambda: seen_by_earlier_callback.append(gc.isenabled()))
    marker = _Node()
    _hub.collect_after_this_turn(loop)
    assert not gc.isenabled()
    await asyncio.sleep(0)
    assert seen_by_earlier_callback == [False]
    assert gc.isenabled() and _generation(marker) == 2


async def test_collection_left_off_by_someone_else_stays_off(no_automatic_collection: None) -> None:
    _hub.collect_after_this_turn(asyncio.get_running_loop())
    await asyncio.sleep(0)
    assert not gc.isenabled()


@pytest.mark.parametrize(("count", "held"), [(_hub.PROMOTE_BEFORE_FANOUT - 1, False), (_hub.PROMOTE_BEFORE_FANOUT, True)])
async def test_a_large_delivery_holds_collection_until_its_writers_ran(
    tmp_path: Path, automatic_collection: None, count: int, held: bool
) -> None:
    hub, views = _hub_with_views(tmp_path, count)
    for view in views:
        identity = AgentIdentity(id=view.agent_id, client_uuid=view.client_uuid, project_id=1, project="shop", labels={})
        hub.sessions[view.agent_id] = AgentSession(identity=identity, labels={}, session_id=view.id, last_heard=0.0)
    writers_saw: list[bool] = []

    async def writer(session: AgentSession) -> None:
        await session.next()
        writers_saw.append(gc.isenabled())

    writers = [asyncio.create_task(writer(session)) for session in hub.sessions.values()]
    await asyncio.sleep(0)  # each waits for its first message
    assert hub.deliver(hub.prepare(views)) == count
    assert gc.isenabled() is not held
    await asyncio.gather(*writers)
    assert writers_saw == [not held] * count and gc.isenabled()
