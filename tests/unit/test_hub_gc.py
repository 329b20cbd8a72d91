"""A large fan-out first promotes young objects to the oldest GC generation, uncollected."""

from __future__ import annotations

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
from server.runtime import Runtime
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
