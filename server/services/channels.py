"""Channels of a project (seed 1 `channels`): list and change rollout / activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from server.db.models import Channel
from server.services.changes import mark_changed
from server.services.projects import project_row

__all__ = ["ChannelInfo", "channel_row", "get_channel", "list_channels", "update_channel"]

CHANNEL_NOT_FOUND = N_("Channel {channel!r} not found")
BAD_PERCENTAGE = N_("rollout_percentage must be between 0 and 100, got {value}")


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelInfo:
    id: int
    project_id: int
    name: str
    display_name: str
    description: str | None
    is_active: bool
    #: A release created in this channel is published at once.
    auto_publish: bool
    #: Share of clients (0-100) offered this channel's releases, unless a release overrides it.
    rollout_percentage: int
    created_at: datetime

    @classmethod
    def from_orm(cls, row: Channel) -> ChannelInfo:
        return cls(
            id=row.id, project_id=row.project_id, name=row.name, display_name=row.display_name,
            description=row.description, is_active=row.is_active, auto_publish=row.auto_publish,
            rollout_percentage=row.rollout_percentage, created_at=row.created_at,
        )


def check_percentage(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise InvalidInput(BAD_PERCENTAGE, error_code="INVALID_PERCENTAGE", value=value)
    return value


async def channel_row(session: AsyncSession, project_id: int, channel: str | int) -> Channel:
    """The channel of ``project_id`` by name or id (services only); NotFound otherwise."""
    query = select(Channel).where(Channel.project_id == project_id)
    if isinstance(channel, int):
        query = query.where(Channel.id == channel)
    else:
        query = query.where(Channel.name == channel.strip().lower())
    row = await session.scalar(query)
    if row is None:
        raise NotFound(CHANNEL_NOT_FOUND, error_code="CHANNEL_NOT_FOUND", channel=channel)
    return row


async def list_channels(session: AsyncSession, project: str) -> list[ChannelInfo]:
    proj = await project_row(session, project)
    rows = await session.scalars(select(Channel).where(Channel.project_id == proj.id).order_by(Channel.id))
    return [ChannelInfo.from_orm(r) for r in rows]


async def get_channel(session: AsyncSession, project: str, channel: str | int) -> ChannelInfo:
    proj = await project_row(session, project)
    return ChannelInfo.from_orm(await channel_row(session, proj.id, channel))


async def update_channel(
    session: AsyncSession,
    project: str | None,
    channel: str | int,
    *,
    rollout_percentage: int | None = None,
    is_active: bool | None = None,
    auto_publish: bool | None = None,
    display_name: str | None = None,
    description: str | None = None,
) -> ChannelInfo:
    """Change the given fields (None leaves a field as it is); validates before writing.

    ``project`` None: ``channel`` is a channel id of any project.
    """
    check_percentage(rollout_percentage)
    if project is None and isinstance(channel, int):
        row = await session.get(Channel, channel)
        if row is None:
            raise NotFound(CHANNEL_NOT_FOUND, error_code="CHANNEL_NOT_FOUND", channel=channel)
    else:
        row = await channel_row(session, (await project_row(session, project or "")).id, channel)
    if rollout_percentage is not None:
        row.rollout_percentage = rollout_percentage
    if is_active is not None:
        row.is_active = is_active
    if auto_publish is not None:
        row.auto_publish = auto_publish
    if display_name:
        row.display_name = display_name
    if description is not None:
        row.description = description
    await session.flush()
    mark_changed(session, row.project_id)
    return ChannelInfo.from_orm(row)
