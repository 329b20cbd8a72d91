"""Update resolution: THE one function that tells a client whether, and to what, to update.

    resolve_update(catalog, UpdateQuery) -> UpdateAnswer

Every adapter calls it: the seed 1 HTTP check, the seed 2 service manifest, the Tauri
endpoints, gRPC UpdateService.CheckUpdate and the agent link. Steps (DESIGN "Update
resolution"):

    project (default when unnamed) ─► channel (default when unnamed; inactive → none)
      ─► published, non-revoked releases of the kind, newer than the client, publish time
         reached, with an artifact for the client's platform (or ``any``), semver order
      ─► first matching enabled rule by priority: block → none, pin → nothing newer
         than the pinned version, allow → go on
      ─► rollout gate per release: bucket(client id, release id) < percentage
         (release override, else channel), so raising it only adds clients
      ─► newest passing release; if the client is below its min_upgrade_version, the
         newest passing release the client can take now (an intermediate) instead
      ─► answer with the artifact's URL built for the client's region

Reads come from ``ReleaseCatalog``: an in-memory snapshot per project (published
releases, artifacts, channels, enabled rules), dropped when a transaction that changed
the project commits (``server.services.changes``) and reloaded at most every
``max_age_s`` seconds anyway (changes made by another server replica).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.errors import InvalidInput, NotFound
from common.i18n import N_, normalize_locale
from common.platforms import ANY, canonical_platform
from common.versions import Version, VersionRange
from server.db.models import Channel, Release, ReleaseStatus, UpdateRule
from server.services.artifacts import ArtifactInfo, artifacts_of, download_url
from server.services.changes import on_commit
from server.services.channels import CHANNEL_NOT_FOUND, ChannelInfo
from server.services.projects import ProjectInfo, ensure_project, get_project
from server.services.releases import ReleaseInfo
from server.services.rules import RuleInfo, rule_matches

__all__ = ["ProjectSnapshot", "ReleaseCatalog", "UpdateAnswer", "UpdateQuery", "rollout_bucket", "resolve_update"]

logger = logging.getLogger(__name__)

NO_DEFAULT_PROJECT = N_("No project named and no default project configured")


def rollout_bucket(client_id: str, release_id: int) -> int:
    """Stable bucket 0-99 of (client, release): the client is in when bucket < percentage."""
    digest = hashlib.sha256(f"{client_id}\x00{release_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateQuery:
    """Who asks. ``platform`` wins over ``os``/``arch``; aliases are accepted."""

    client_id: str
    #: Installed version, ``v`` prefix allowed.
    current_version: str
    #: Project slug; None = the configured default project.
    project: str | None = None
    #: Channel name; None = the project's default channel.
    channel: str | None = None
    #: ``client`` (apps, seed 1, Tauri) or ``service`` (compose bundles, seed 2 manifest).
    kind: str = "client"
    region: str | None = None
    os: str | None = None
    arch: str | None = None
    platform: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Locale for release notes (``zh_CN``, ``en``...).
    locale: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateAnswer:
    """The resolution. Without an update, ``latest_version`` is the client's own version."""

    has_update: bool
    project: str
    project_id: int
    channel: str
    #: Client's version as it sent it.
    current_version: str
    #: Version to install now (display form), or the client's version when none.
    latest_version: str
    #: The offered release (None when there is no update).
    release: ReleaseInfo | None = None
    #: The offered release's artifact for the client's platform.
    artifact: ArtifactInfo | None = None
    download_url: str = ""
    file_size: int = 0
    file_checksum: str = ""
    signature: str = ""
    #: Forced when the offered release or any skipped newer-than-current one is forced.
    is_forced: bool = False
    title: str = ""
    #: In the query's locale when the release has it.
    release_notes: str = ""
    min_upgrade_version: str = ""
    #: The offer is an intermediate step because the client is below the newest's minimum.
    required_intermediate: bool = False
    #: Newest release this client is headed for (display form); "" when none.
    target_version: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Candidate:
    version: Version
    release: ReleaseInfo
    min_upgrade: Version | None
    artifacts: dict[str, ArtifactInfo]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Rule:
    info: RuleInfo
    version_range: VersionRange | None
    pin: Version | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProjectSnapshot:
    """Everything resolution reads for one project, immutable."""

    project: ProjectInfo
    channels: dict[str, ChannelInfo]
    #: (channel id, kind) -> published releases, newest first.
    releases: dict[tuple[int, str], tuple[_Candidate, ...]]
    rules: tuple[_Rule, ...]
    #: (channel id, kind) -> versions of published forced releases.
    forced: dict[tuple[int, str], tuple[Version, ...]] = field(default_factory=dict)
    #: (normalised version, kind) -> published release.
    by_version: dict[tuple[str, str], ReleaseInfo] = field(default_factory=dict)

    def published(self, version: str, kind: str = "client") -> ReleaseInfo | None:
        """The published release ``version`` of ``kind`` (None if unknown or not published)."""
        try:
            return self.by_version.get((Version.parse(version).normalized, kind))
        except InvalidInput:
            return None


async def _load_snapshot(session: AsyncSession, project: ProjectInfo) -> ProjectSnapshot:
    channels = {
        c.name: ChannelInfo.from_orm(c)
        for c in await session.scalars(select(Channel).where(Channel.project_id == project.id))
    }
    by_id = {c.id: c.name for c in channels.values()}
    rows = list(await session.scalars(
        select(Release).where(Release.project_id == project.id, Release.status == ReleaseStatus.PUBLISHED)
    ))
    arts = await artifacts_of(session, [r.id for r in rows])
    grouped: dict[tuple[int, str], list[_Candidate]] = {}
    for row in rows:
        info = ReleaseInfo.from_orm(row, project=project.slug, channel=by_id[row.channel_id], artifacts=arts[row.id])
        candidate = _Candidate(
            version=Version.parse(row.display_version), release=info,
            min_upgrade=Version.parse(row.min_upgrade_version) if row.min_upgrade_version else None,
            artifacts={a.platform: a for a in info.artifacts},
        )
        grouped.setdefault((row.channel_id, row.kind), []).append(candidate)
    rules = []
    for row in await session.scalars(
        select(UpdateRule).where(UpdateRule.project_id == project.id, UpdateRule.enabled.is_(True))
        .order_by(UpdateRule.priority.desc(), UpdateRule.id)
    ):
        info = RuleInfo.from_orm(row, by_id)
        rules.append(_Rule(
            info=info,
            version_range=VersionRange.parse(info.target_version_range) if info.target_version_range else None,
            pin=Version.parse(info.pin_version) if info.pin_version else None,
        ))
    return ProjectSnapshot(
        project=project, channels=channels,
        releases={k: tuple(sorted(v, key=lambda c: c.version, reverse=True)) for k, v in grouped.items()},
        rules=tuple(rules),
        by_version={(c.release.version, c.release.kind): c.release for v in grouped.values() for c in v},
        forced={k: tuple(c.version for c in v if c.release.is_forced) for k, v in grouped.items()},
    )


@dataclass(slots=True)
class _Entry:
    snapshot: ProjectSnapshot
    epoch: int
    loaded_at: float


class ReleaseCatalog:
    """Component: cached per-project snapshots for resolution (see module docstring)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        default_project: str,
        public_url: str,
        max_age_s: float = 30.0,
    ) -> None:
        self.session_factory = session_factory
        self.default_project = default_project
        self.public_url = public_url.rstrip("/")
        self.max_age_s = max_age_s
        self._entries: dict[str, _Entry] = {}
        self._loading: dict[str, asyncio.Future[ProjectSnapshot]] = {}
        self._epoch = 0
        self._changed_at: dict[int, int] = {}
        self._unregister = on_commit(self.invalidate)

    async def start(self) -> None:
        """Nothing to do: the commit listener is registered at construction."""

    async def stop(self) -> None:
        self._unregister()

    def invalidate(self, project_ids: frozenset[int] | set[int]) -> None:
        """Mark ``project_ids`` changed: their snapshots reload on next use."""
        self._epoch += 1
        for project_id in project_ids:
            self._changed_at[project_id] = self._epoch

    async def snapshot(self, project: str | None = None) -> ProjectSnapshot:
        """The current snapshot of ``project`` (default project when None)."""
        slug = (project or self.default_project).strip().lower()
        if not slug:
            raise NotFound(NO_DEFAULT_PROJECT, error_code="PROJECT_NOT_FOUND")
        entry = self._entries.get(slug)
        if entry is not None and self._fresh(entry):
            return entry.snapshot
        pending = self._loading.get(slug)
        if pending is None:
            pending = asyncio.ensure_future(self._load(slug))
            self._loading[slug] = pending
            pending.add_done_callback(lambda _f: self._loading.pop(slug, None))
        return await asyncio.shield(pending)

    def _fresh(self, entry: _Entry) -> bool:
        return (
            self._changed_at.get(entry.snapshot.project.id, 0) <= entry.epoch
            and time.monotonic() - entry.loaded_at < self.max_age_s
        )

    async def _load(self, slug: str) -> ProjectSnapshot:
        epoch, started = self._epoch, time.monotonic()
        async with self.session_factory() as session, session.begin():
            if slug == self.default_project:
                project = await ensure_project(session, slug)
            else:
                project = await get_project(session, slug)
            snap = await _load_snapshot(session, project)
        self._entries[slug] = _Entry(snapshot=snap, epoch=epoch, loaded_at=started)
        return snap


@functools.lru_cache(maxsize=4096)
def _parse_version(text: str) -> Version:
    """Client versions repeat across a fleet: parse each spelling once."""
    return Version.parse(text)


@functools.lru_cache(maxsize=1024)
def _canonical(platform: str | None, os_name: str | None, arch: str | None) -> str | None:
    if platform:
        return canonical_platform(platform)
    if os_name and arch:
        return canonical_platform(os_name, arch)
    return None


def _platform(query: UpdateQuery) -> str | None:
    return _canonical(query.platform or None, query.os or None, query.arch or None)


def _notes(release: ReleaseInfo, locale: str | None) -> str:
    notes = release.release_notes_i18n
    if locale and notes:
        wanted = normalize_locale(locale) or locale
        for key in (locale, wanted, wanted.split("_")[0]):
            if notes.get(key):
                return notes[key]
        for key, text in notes.items():
            if text and (normalize_locale(key) == wanted):
                return text
    return release.release_notes or ""


async def resolve_update(catalog: ReleaseCatalog, query: UpdateQuery) -> UpdateAnswer:
    """Resolve the update for one client (no side effects; the caller records the event).

    Raises InvalidInput for a bad version or platform, NotFound for an unknown project
    or channel.
    """
    current = _parse_version(query.current_version)
    platform = _platform(query)
    snap = await catalog.snapshot(query.project)
    project = snap.project
    channel_name = (query.channel or project.default_channel).strip().lower()
    channel = snap.channels.get(channel_name)
    if channel is None:
        raise NotFound(CHANNEL_NOT_FOUND, error_code="CHANNEL_NOT_FOUND", channel=channel_name)
    none = UpdateAnswer(
        has_update=False, project=project.slug, project_id=project.id, channel=channel.name,
        current_version=query.current_version, latest_version=current.display,
    )
    if not channel.is_active:
        return none
    os_name, _sep, arch = (platform or "").partition("-")
    pin: Version | None = None
    labels = dict(query.labels)
    for rule in snap.rules:
        if rule_matches(
            rule.info, channel_id=channel.id, region=query.region, version=current, os=os_name or None, arch=arch or None,
            labels=labels, version_range=rule.version_range,
        ):
            if rule.info.action == "block":
                return none
            if rule.info.action == "pin":
                pin = rule.pin
            break
    now = datetime.now(UTC)
    gated = _gated(snap.releases.get((channel.id, query.kind), ()), current, pin, platform, query.client_id,
                   channel.rollout_percentage, now)
    first = next(gated, None)
    if first is None:
        return none
    target = first[0]
    offer, intermediate = first, False
    if target.min_upgrade is not None and current < target.min_upgrade:
        reachable = next((e for e in gated if e[0].min_upgrade is None or current >= e[0].min_upgrade), None)
        if reachable is None:
            return UpdateAnswer(
                **{**_fields(none), "min_upgrade_version": target.min_upgrade.display,
                   "target_version": target.version.display},
            )
        offer, intermediate = reachable, True
    cand, artifact = offer
    release = cand.release
    forced = any(current < v <= cand.version for v in snap.forced.get((channel.id, query.kind), ()))
    return UpdateAnswer(
        has_update=True, project=project.slug, project_id=project.id, channel=channel.name,
        current_version=query.current_version, latest_version=release.display_version, release=release,
        artifact=artifact,
        download_url=download_url(artifact, public_url=catalog.public_url, mirrors=project.download_mirrors,
                                  region=query.region),
        file_size=artifact.size, file_checksum=artifact.checksum, signature=artifact.signature or "",
        is_forced=forced, title=release.title, release_notes=_notes(release, query.locale),
        min_upgrade_version=release.min_upgrade_version or "", required_intermediate=intermediate,
        target_version=target.version.display,
    )


def _gated(
    candidates: tuple[_Candidate, ...], current: Version, pin: Version | None, platform: str | None,
    client_id: str, channel_percentage: int, now: datetime,
) -> Iterator[tuple[_Candidate, ArtifactInfo]]:
    """Releases newer than ``current`` the client may take, newest first, lazily."""
    for cand in candidates:
        if cand.version <= current:
            return
        if pin is not None and cand.version > pin:
            continue
        release = cand.release
        if release.publish_time is not None and release.publish_time > now:
            continue
        artifact = (cand.artifacts.get(platform) if platform else None) or cand.artifacts.get(ANY)
        if artifact is None:
            continue
        percentage = release.rollout_percentage if release.rollout_percentage is not None else channel_percentage
        if percentage < 100 and rollout_bucket(client_id, release.id) >= percentage:
            continue
        yield cand, artifact


def _fields(answer: UpdateAnswer) -> dict[str, object]:
    return {name: getattr(answer, name) for name in answer.__dataclass_fields__}
