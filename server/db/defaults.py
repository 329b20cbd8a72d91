"""Seed data every project starts with (seed 1 `channels` pre-inserted rows)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Channel, Project

__all__ = ["ChannelDefault", "DEFAULT_CHANNELS", "DEFAULT_CHANNEL_NAME", "new_project",
           "ensure_default_channels"]


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelDefault:
    name: str
    display_name: str
    description: str


#: Seed 1 §2: stable / beta / alpha with the seed's display names and descriptions.
DEFAULT_CHANNELS: tuple[ChannelDefault, ...] = (
    ChannelDefault(name="stable", display_name="稳定版", description="经过充分测试的稳定版本"),
    ChannelDefault(name="beta", display_name="测试版", description="功能完整的测试版本"),
    ChannelDefault(name="alpha", display_name="预览版", description="最新功能预览版本"),
)

DEFAULT_CHANNEL_NAME = "stable"


def new_project(
    *,
    slug: str,
    name: str,
    description: str | None = None,
    default_channel: str = DEFAULT_CHANNEL_NAME,
    download_mirrors: dict[str, str] | None = None,
) -> Project:
    """A transient `Project` with the default channels attached; the caller adds it
    to its session (`session.add(new_project(...))`)."""
    return Project(
        slug=slug,
        name=name,
        description=description,
        default_channel=default_channel,
        download_mirrors=dict(download_mirrors or {}),
        channels=[
            Channel(name=c.name, display_name=c.display_name, description=c.description)
            for c in DEFAULT_CHANNELS
        ],
    )


async def ensure_default_channels(session: AsyncSession, project_id: int) -> list[str]:
    """Add whichever default channels `project_id` lacks; return the names added.

    Idempotent; for projects created before a default existed or by raw SQL.
    """
    existing = set(
        await session.scalars(select(Channel.name).where(Channel.project_id == project_id))
    )
    added = [c for c in DEFAULT_CHANNELS if c.name not in existing]
    session.add_all(
        Channel(
            project_id=project_id, name=c.name, display_name=c.display_name,
            description=c.description,
        )
        for c in added
    )
    if added:
        await session.flush()
    return [c.name for c in added]
