"""Releases (seed 1 `versions`, generalised to projects and kinds) and their lifecycle.

    draft ──publish──► published ──pause──► paused
      │                 ▲    │                │
      │                 └────┼───publish──────┘
      └──────revoke──────────┴──revoke──► revoked (final)

A release created in a channel with ``auto_publish`` (or with ``publish=True``) is
published at once. Deleting is allowed in any state. Every change marks the project
changed so the resolve catalog reloads it after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import Conflict, FailedPrecondition, InvalidInput, NotFound
from common.i18n import N_
from common.versions import Version
from server.db.models import Channel, Project, Release, ReleaseKind, ReleaseStatus
from server.services.artifacts import ArtifactInfo, ArtifactSpec, artifacts_of, put_artifact, replace_external_artifacts
from server.services.bundles import release_chunk_references
from server.services.changes import mark_changed
from server.services.channels import channel_row, check_percentage
from server.services.paging import Page, PageSpec
from server.services.projects import project_row

__all__ = [
    "UNSET",
    "ReleaseInfo",
    "create_release",
    "delete_release",
    "get_release",
    "list_releases",
    "pause_release",
    "publish_release",
    "revoke_release",
    "update_release",
]

RELEASE_NOT_FOUND = N_("Release {release_id} not found")
RELEASE_EXISTS = N_("Version {version} already exists in project {project!r}")
BAD_KIND = N_("Invalid release kind {kind!r}: expected service or client")
BAD_STATUS = N_("Invalid release status {status!r}")
CANNOT_PUBLISH = N_("A {status} release cannot be published")
CANNOT_PAUSE = N_("A {status} release cannot be paused")
CANNOT_REVOKE = N_("A {status} release cannot be revoked")
MIN_ABOVE_RELEASE = N_("The minimum upgrade version {minimum} is above the release version {version}")
TITLE_TOO_LONG = N_("The title is longer than {max} characters")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" in update calls (None may be a real value).
UNSET: Final[Any] = _Unset()


@dataclass(frozen=True, kw_only=True, slots=True)
class ReleaseInfo:
    id: int
    project_id: int
    #: Project slug.
    project: str
    #: Normalised semver without prefix (``1.2.3``).
    version: str
    #: As entered, prefix kept (``v1.2.3``).
    display_version: str
    channel_id: int
    #: Channel name.
    channel: str
    #: ``service`` or ``client``.
    kind: str
    title: str
    description: str | None
    release_notes: str | None
    #: Locale -> Markdown.
    release_notes_i18n: dict[str, str]
    breaking_changes: str | None
    min_upgrade_version: str | None
    is_forced: bool
    #: ``draft``, ``published``, ``paused`` or ``revoked``.
    status: str
    publish_time: datetime | None
    #: Overrides the channel's percentage when not None.
    rollout_percentage: int | None
    created_at: datetime
    updated_at: datetime
    artifacts: tuple[ArtifactInfo, ...] = ()

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED

    @classmethod
    def from_orm(cls, row: Release, *, project: str, channel: str, artifacts: list[ArtifactInfo]) -> ReleaseInfo:
        return cls(
            id=row.id, project_id=row.project_id, project=project, version=row.version,
            display_version=row.display_version, channel_id=row.channel_id, channel=channel, kind=row.kind,
            title=row.title, description=row.description, release_notes=row.release_notes,
            release_notes_i18n=dict(row.release_notes_i18n or {}), breaking_changes=row.breaking_changes,
            min_upgrade_version=row.min_upgrade_version, is_forced=row.is_forced, status=row.status,
            publish_time=row.publish_time, rollout_percentage=row.rollout_percentage,
            created_at=row.created_at, updated_at=row.updated_at, artifacts=tuple(artifacts),
        )


def _kind(kind: str) -> str:
    try:
        return ReleaseKind(kind).value
    except ValueError:
        raise InvalidInput(BAD_KIND, error_code="INVALID_KIND", kind=kind) from None


def _min_version(text: str | None, release: Version) -> str | None:
    """The display form of ``text``; InvalidInput when it is above the release itself."""
    if not text or not text.strip():
        return None
    minimum = Version.parse(text)
    if minimum > release:
        raise InvalidInput(
            MIN_ABOVE_RELEASE, error_code="MIN_VERSION_ABOVE_RELEASE", minimum=minimum.display, version=release.display
        )
    return minimum.display


async def _info(session: AsyncSession, row: Release) -> ReleaseInfo:
    slug = await session.scalar(select(Project.slug).where(Project.id == row.project_id))
    channel = await session.scalar(select(Channel.name).where(Channel.id == row.channel_id))
    arts = await artifacts_of(session, [row.id])
    return ReleaseInfo.from_orm(row, project=slug or "", channel=channel or "", artifacts=arts[row.id])


async def _row(session: AsyncSession, release_id: int) -> Release:
    row = await session.get(Release, release_id)
    if row is None:
        raise NotFound(RELEASE_NOT_FOUND, error_code="RELEASE_NOT_FOUND", release_id=release_id)
    return row


async def create_release(
    session: AsyncSession,
    *,
    project: str,
    version: str,
    channel: str | None = None,
    kind: str = ReleaseKind.CLIENT,
    title: str = "",
    description: str | None = None,
    release_notes: str | None = None,
    release_notes_i18n: dict[str, str] | None = None,
    breaking_changes: str | None = None,
    min_upgrade_version: str | None = None,
    is_forced: bool = False,
    rollout_percentage: int | None = None,
    artifacts: list[ArtifactSpec] | None = None,
    publish: bool = False,
) -> ReleaseInfo:
    """Create a release; Conflict (409, VERSION_EXISTS) when (project, version, kind) exists.

    Everything is validated before anything is written.
    """
    parsed = Version.parse(version)
    kind = _kind(kind)
    min_upgrade = _min_version(min_upgrade_version, parsed)
    check_percentage(rollout_percentage)
    if len(title) > 200:
        raise InvalidInput(TITLE_TOO_LONG, error_code="INVALID_TITLE", max=200)
    proj = await project_row(session, project)
    chan = await channel_row(session, proj.id, channel or proj.default_channel)
    exists = await session.scalar(
        select(Release.id).where(
            Release.project_id == proj.id, Release.version == parsed.normalized, Release.kind == kind
        )
    )
    if exists is not None:
        raise Conflict(RELEASE_EXISTS, error_code="VERSION_EXISTS", version=parsed.display, project=proj.slug)
    publish_now = publish or chan.auto_publish
    row = Release(
        project_id=proj.id, version=parsed.normalized, display_version=parsed.display,
        major=parsed.semver.major, minor=parsed.semver.minor, patch=parsed.semver.patch,
        prerelease=parsed.sort_key[3] if parsed.is_prerelease else "", is_prerelease=parsed.is_prerelease,
        channel_id=chan.id, kind=kind, title=title or parsed.display, description=description,
        release_notes=release_notes, release_notes_i18n=dict(release_notes_i18n or {}),
        breaking_changes=breaking_changes, min_upgrade_version=min_upgrade, is_forced=is_forced,
        status=ReleaseStatus.PUBLISHED if publish_now else ReleaseStatus.DRAFT,
        publish_time=datetime.now(UTC) if publish_now else None, rollout_percentage=rollout_percentage,
    )
    session.add(row)
    await session.flush()
    for spec in artifacts or ():
        await put_artifact(session, row.id, spec)
    mark_changed(session, proj.id)
    return await _info(session, row)


async def get_release(session: AsyncSession, release_id: int) -> ReleaseInfo:
    return await _info(session, await _row(session, release_id))


async def list_releases(
    session: AsyncSession,
    *,
    project: str,
    channel: str | None = None,
    kind: str | None = None,
    statuses: list[str] | None = None,
    search: str | None = None,
    spec: PageSpec = PageSpec(page=1, size=20),
) -> Page[ReleaseInfo]:
    """Releases newest version first, filtered, one page of them."""
    proj = await project_row(session, project)
    where = [Release.project_id == proj.id]
    if channel:
        where.append(Release.channel_id == (await channel_row(session, proj.id, channel)).id)
    if kind:
        where.append(Release.kind == _kind(kind))
    if statuses:
        for status in statuses:
            if status not in set(ReleaseStatus):
                raise InvalidInput(BAD_STATUS, error_code="INVALID_STATUS", status=status)
        where.append(Release.status.in_(statuses))
    if search:
        pattern = f"%{search.strip()}%"
        where.append(or_(Release.display_version.ilike(pattern), Release.title.ilike(pattern)))
    total = await session.scalar(select(func.count()).select_from(Release).where(*where)) or 0
    rows = list(
        await session.scalars(
            select(Release).where(*where)
            .order_by(Release.major.desc(), Release.minor.desc(), Release.patch.desc(),
                      Release.is_prerelease.asc(), Release.prerelease.desc(), Release.id.desc())
            .offset(spec.offset).limit(spec.size)
        )
    )
    names = dict((await session.execute(select(Channel.id, Channel.name).where(Channel.project_id == proj.id))).all())
    arts = await artifacts_of(session, [r.id for r in rows])
    items = [ReleaseInfo.from_orm(r, project=proj.slug, channel=names[r.channel_id], artifacts=arts[r.id]) for r in rows]
    return Page(items=items, page=spec.page, size=spec.size, total=total)


async def update_release(
    session: AsyncSession,
    release_id: int,
    *,
    channel: str | None = UNSET,
    title: str | None = UNSET,
    description: str | None = UNSET,
    release_notes: str | None = UNSET,
    release_notes_i18n: dict[str, str] | None = UNSET,
    breaking_changes: str | None = UNSET,
    min_upgrade_version: str | None = UNSET,
    is_forced: bool = UNSET,
    rollout_percentage: int | None = UNSET,
    artifacts: list[ArtifactSpec] | None = UNSET,
) -> ReleaseInfo:
    """Change the given fields (UNSET leaves one as it is); version and kind never change."""
    row = await _row(session, release_id)
    changes: dict[str, Any] = {}
    if channel is not UNSET and channel:
        changes["channel_id"] = (await channel_row(session, row.project_id, channel)).id
    if title is not UNSET and title:
        if len(title) > 200:
            raise InvalidInput(TITLE_TOO_LONG, error_code="INVALID_TITLE", max=200)
        changes["title"] = title
    if min_upgrade_version is not UNSET:
        changes["min_upgrade_version"] = _min_version(min_upgrade_version, Version.parse(row.display_version))
    if rollout_percentage is not UNSET:
        changes["rollout_percentage"] = check_percentage(rollout_percentage)
    for name, value in (("description", description), ("release_notes", release_notes),
                        ("breaking_changes", breaking_changes), ("is_forced", is_forced)):
        if value is not UNSET:
            changes[name] = value
    if release_notes_i18n is not UNSET:
        changes["release_notes_i18n"] = dict(release_notes_i18n or {})
    for name, value in changes.items():
        setattr(row, name, value)
    if artifacts is not UNSET and artifacts is not None:
        await replace_external_artifacts(session, row.id, artifacts)
    await session.flush()
    mark_changed(session, row.project_id)
    return await _info(session, row)


async def _transition(
    session: AsyncSession, release_id: int, allowed: set[str], target: ReleaseStatus, message: str,
    publish_time: datetime | None = None,
) -> ReleaseInfo:
    row = await _row(session, release_id)
    if row.status != target:
        if row.status not in allowed:
            raise FailedPrecondition(message, error_code="INVALID_TRANSITION", status=row.status)
        row.status = target
        if target == ReleaseStatus.PUBLISHED:
            row.publish_time = publish_time or datetime.now(UTC)
        await session.flush()
        mark_changed(session, row.project_id)
    return await _info(session, row)


async def publish_release(session: AsyncSession, release_id: int, *, publish_time: datetime | None = None) -> ReleaseInfo:
    """Publish a draft or paused release (idempotent); ``publish_time`` in the future schedules it."""
    return await _transition(
        session, release_id, {ReleaseStatus.DRAFT, ReleaseStatus.PAUSED}, ReleaseStatus.PUBLISHED,
        CANNOT_PUBLISH, publish_time,
    )


async def pause_release(session: AsyncSession, release_id: int) -> ReleaseInfo:
    return await _transition(session, release_id, {ReleaseStatus.PUBLISHED}, ReleaseStatus.PAUSED, CANNOT_PAUSE)


async def revoke_release(session: AsyncSession, release_id: int) -> ReleaseInfo:
    return await _transition(
        session, release_id, {ReleaseStatus.DRAFT, ReleaseStatus.PUBLISHED, ReleaseStatus.PAUSED},
        ReleaseStatus.REVOKED, CANNOT_REVOKE,
    )


async def delete_release(session: AsyncSession, release_id: int) -> ReleaseInfo:
    """Delete a release and its artifact rows; returns what was deleted."""
    row = await _row(session, release_id)
    info = await _info(session, row)
    await release_chunk_references(session, release_id)
    await session.delete(row)
    await session.flush()
    mark_changed(session, row.project_id)
    return info


