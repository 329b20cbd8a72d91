"""Announcements (seed 2 §8.5): level, text per locale, project or global, visibility window.

    create_announcement(session, NewAnnouncement, created_by=) -> AnnouncementInfo
    list_announcements(session, spec, project=, active_only=, since=) -> Page   (console, gRPC)
    client_announcements(session, project_id, since=) -> list                  (seed 2 GET)
    delete_announcement(session, announcement_id)
    AnnouncementBus                                                             (live push)

A created announcement reaches every started ``AnnouncementBus`` once the creating
transaction commits, whoever created it (gRPC, console); a rollback publishes nothing.

A client sees global announcements and those of its project while ``now`` is inside the
window. Its ``since`` compares with the time an announcement became visible (the later of
creation and ``visible_from``), so a scheduled announcement is not missed by a client that
polled before it opened; that time is what the seed's ``created_at`` field carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

from sqlalchemy import case, delete, event, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from common.errors import InvalidInput, NotFound
from common.i18n import DEFAULT_LOCALE, LOCALES, N_, normalize_locale
from server.db.models import Announcement, AnnouncementLevel, Project
from server.services.paging import Page, PageSpec
from server.services.projects import get_project

__all__ = [
    "AnnouncementBus",
    "AnnouncementInfo",
    "NewAnnouncement",
    "client_announcements",
    "create_announcement",
    "delete_announcement",
    "list_announcements",
    "localized",
]

logger = logging.getLogger(__name__)

BAD_LEVEL = N_("Invalid level {level!r}: expected info, warning or critical.")
NO_CONTENT = N_("An announcement needs text, at least in English (en).")
TOO_LONG = N_("An announcement text is at most {maximum} characters.")
BAD_LOCALE = N_("Unknown language {locale}; use one of: {choices}.")
BAD_WINDOW = N_("The visibility window ends before it starts.")
NOT_FOUND = N_("Announcement {announcement_id} was not found.")

MAX_TEXT = 10_000
_PENDING = "upkeep_new_announcements"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AnnouncementInfo:
    id: int
    level: str
    #: Locale -> text; ``en`` is the fallback.
    content: dict[str, str]
    #: Project slug; None = global.
    project: str | None
    visible_from: datetime | None
    visible_until: datetime | None
    created_at: datetime
    created_by: str | None

    @property
    def published_at(self) -> datetime:
        """When clients start seeing it."""
        if self.visible_from is not None and self.visible_from > self.created_at:
            return self.visible_from
        return self.created_at

    def text(self, locale: str | None) -> str:
        return localized(self.content, locale)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class NewAnnouncement:
    level: str
    content: dict[str, str]
    project: str | None = None
    visible_from: datetime | None = None
    visible_until: datetime | None = None


def localized(content: dict[str, str], locale: str | None) -> str:
    """The text for ``locale``: exact, then same language, then English, then any."""
    wanted = normalize_locale(locale) or DEFAULT_LOCALE
    if content.get(wanted):
        return content[wanted]
    language = wanted.split("_")[0]
    for key, text in content.items():
        if key.split("_")[0] == language and text:
            return text
    return content.get(DEFAULT_LOCALE) or next((t for t in content.values() if t), "")


def _info(row: Announcement, project: str | None) -> AnnouncementInfo:
    content = {DEFAULT_LOCALE: row.content, **(row.content_i18n or {})}
    return AnnouncementInfo(
        id=row.id, level=row.level, content=content, project=project, visible_from=row.visible_from,
        visible_until=row.visible_until, created_at=row.created_at, created_by=row.created_by,
    )


def _check(new: NewAnnouncement) -> tuple[str, dict[str, str]]:
    level = new.level.strip().lower()
    if level not in {lv.value for lv in AnnouncementLevel}:
        raise InvalidInput(BAD_LEVEL, error_code="INVALID_LEVEL", level=new.level)
    content: dict[str, str] = {}
    for key, text in new.content.items():
        locale = normalize_locale(key)
        if locale not in LOCALES:
            raise InvalidInput(BAD_LOCALE, error_code="INVALID_LOCALE", locale=key, choices=", ".join(LOCALES))
        if len(text) > MAX_TEXT:
            raise InvalidInput(TOO_LONG, error_code="ANNOUNCEMENT_TOO_LONG", maximum=MAX_TEXT)
        if text.strip():
            content[locale] = text.strip()
    if not content.get(DEFAULT_LOCALE):
        raise InvalidInput(NO_CONTENT, error_code="ANNOUNCEMENT_EMPTY")
    if new.visible_from and new.visible_until and new.visible_until <= new.visible_from:
        raise InvalidInput(BAD_WINDOW, error_code="INVALID_WINDOW")
    return level, content


async def create_announcement(
    session: AsyncSession, new: NewAnnouncement, *, created_by: str | None = None
) -> AnnouncementInfo:
    """Store an announcement; started buses get it when the transaction commits."""
    level, content = _check(new)
    project = await get_project(session, new.project.strip().lower()) if new.project else None
    row = Announcement(
        project_id=project.id if project else None, level=level, content=content.pop(DEFAULT_LOCALE),
        content_i18n=content, visible_from=new.visible_from, visible_until=new.visible_until, created_by=created_by,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    info = _info(row, project.slug if project else None)
    session.info.setdefault(_PENDING, []).append(info)
    return info


def _published_at():  # type: ignore[no-untyped-def]
    return case(
        (Announcement.visible_from > Announcement.created_at, Announcement.visible_from),
        else_=Announcement.created_at,
    )


def _visible(now: datetime):  # type: ignore[no-untyped-def]
    return (
        or_(Announcement.visible_from.is_(None), Announcement.visible_from <= now),
        or_(Announcement.visible_until.is_(None), Announcement.visible_until > now),
    )


async def client_announcements(
    session: AsyncSession, project_id: int | None, *, since: datetime | None = None, limit: int = 100
) -> list[AnnouncementInfo]:
    """Visible now to a client of ``project_id`` (None: global only), oldest first."""
    now = datetime.now(UTC)
    scope = Announcement.project_id.is_(None)
    if project_id is not None:
        scope = or_(scope, Announcement.project_id == project_id)
    query = select(Announcement, Project.slug).outerjoin(Project, Project.id == Announcement.project_id).where(
        scope, *_visible(now)
    )
    if since is not None:
        query = query.where(_published_at() > since)
    rows = await session.execute(query.order_by(_published_at().desc(), Announcement.id.desc()).limit(limit))
    return sorted((_info(r, slug) for r, slug in rows), key=lambda a: (a.published_at, a.id))


async def list_announcements(
    session: AsyncSession,
    spec: PageSpec,
    *,
    project: str | None = None,
    active_only: bool = False,
    since: datetime | None = None,
) -> Page[AnnouncementInfo]:
    """Newest first; ``project`` None = all, else that project's and global ones."""
    query = select(Announcement, Project.slug).outerjoin(Project, Project.id == Announcement.project_id)
    if project:
        found = await get_project(session, project.strip().lower())
        query = query.where(or_(Announcement.project_id.is_(None), Announcement.project_id == found.id))
    if active_only:
        query = query.where(*_visible(datetime.now(UTC)))
    if since is not None:
        query = query.where(_published_at() > since)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(Announcement.id.desc()).offset(spec.offset).limit(spec.size))
    return Page(items=[_info(r, slug) for r, slug in rows], page=spec.page, size=spec.size, total=total or 0)


async def delete_announcement(session: AsyncSession, announcement_id: int) -> None:
    result = await session.execute(delete(Announcement).where(Announcement.id == announcement_id))
    if not result.rowcount:
        raise NotFound(NOT_FOUND, error_code="ANNOUNCEMENT_NOT_FOUND", announcement_id=announcement_id)


class AnnouncementBus:
    """Component: fan-out of newly created announcements to live subscribers (agent link).

        with bus.subscribe() as subscription:      # registered at once
            async for announcement in subscription:
                ...

    Each subscriber has a bounded queue; one that falls behind loses its oldest items
    (clients also read the list when they reconnect, so nothing is lost for good).
    """

    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self._queues: set[asyncio.Queue[AnnouncementInfo]] = set()

    async def start(self) -> None:
        _buses.add(self)

    async def stop(self) -> None:
        _buses.discard(self)
        self._queues.clear()

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    @property
    def backlog(self) -> int:
        """Items waiting in subscribers' queues."""
        return sum(queue.qsize() for queue in self._queues)

    def publish(self, announcement: AnnouncementInfo) -> None:
        """Hand ``announcement`` to every subscriber."""
        for queue in self._queues:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                logger.warning("announcement subscriber is behind; dropped its oldest item")
            queue.put_nowait(announcement)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[AsyncIterator[AnnouncementInfo]]:
        queue: asyncio.Queue[AnnouncementInfo] = asyncio.Queue(self.queue_size)
        self._queues.add(queue)

        async def items() -> AsyncIterator[AnnouncementInfo]:
            while True:
                yield await queue.get()

        try:
            yield items()
        finally:
            self._queues.discard(queue)


_buses: set[AnnouncementBus] = set()


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    for info in session.info.pop(_PENDING, ()):
        for bus in list(_buses):
            bus.publish(info)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: object) -> None:
    if previous_transaction is not None and getattr(previous_transaction, "parent", None) is None:
        session.info.pop(_PENDING, None)
