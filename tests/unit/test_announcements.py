"""Announcement language choice and the live bus."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from server.services.announcements import AnnouncementBus, AnnouncementInfo, localized


def _info(n: int) -> AnnouncementInfo:
    return AnnouncementInfo(
        id=n, level="info", content={"en": f"a{n}"}, project=None, visible_from=None, visible_until=None,
        created_at=datetime.now(UTC), created_by=None,
    )


def test_localized_falls_back_to_language_then_english() -> None:
    content = {"en": "Maintenance", "zh_CN": "维护"}
    assert localized(content, "zh-CN") == "维护"
    assert localized(content, "zh") == "维护"
    assert localized(content, "fr-FR") == "Maintenance"
    assert localized(content, None) == "Maintenance"
    assert localized({"zh_CN": "维护"}, "en") == "维护"


async def test_bus_delivers_to_every_subscriber_and_drops_oldest_when_behind() -> None:
    bus = AnnouncementBus(queue_size=2)
    with bus.subscribe() as fast, bus.subscribe() as slow:
        assert bus.subscribers == 2
        bus.publish(_info(1))
        assert (await asyncio.wait_for(anext(fast), 1)).id == 1
        bus.publish(_info(2))
        bus.publish(_info(3))
        assert [(await anext(slow)).id for _ in range(2)] == [2, 3]  # 1 was dropped for it
    assert bus.subscribers == 0


async def test_committed_announcements_reach_started_buses_and_rollbacks_do_not(memory_session_factory) -> None:  # type: ignore[no-untyped-def]
    from server.services.announcements import NewAnnouncement, create_announcement

    bus = AnnouncementBus()
    await bus.start()
    try:
        with bus.subscribe() as pushed:
            async with memory_session_factory() as s:
                async with s.begin():
                    await create_announcement(s, NewAnnouncement(level="info", content={"en": "dropped"}))
                    await s.rollback()
            async with memory_session_factory() as s, s.begin():
                created = await create_announcement(s, NewAnnouncement(level="warning", content={"en": "kept"}))
            # Publishing happens at commit, in order: had the rolled-back one gone out, it would be first.
            assert await asyncio.wait_for(anext(pushed), 1) == created
            assert bus.backlog == 0
    finally:
        await bus.stop()
