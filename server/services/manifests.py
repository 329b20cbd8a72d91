"""Update manifests for polling clients, built on the one resolution (``resolve_update``).

    service_manifest(catalog, session_factory, settings, query) -> (answer, ServiceManifest | None)
        seed 2 §7.2.2 manifest.json; None = up to date (304)
    client_manifest(catalog, query) -> (answer, ClientManifest | None)
        Tauri updater: static JSON (every platform) and dynamic answer (the client's own
        platform); None = no update (204)

The resolution's answer comes along so the caller can record the ``check`` event.

Service packages come from the release's bundle (full zip, and the incremental zip when
the client runs the previous bundled release); a release without a bundle offers its
resolved artifact as both.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.errors import NotFound
from common.platforms import ANY
from server.config import Settings
from server.services import bundles
from server.services.artifacts import download_url
from server.services.resolve import ReleaseCatalog, UpdateAnswer, UpdateQuery, resolve_update

__all__ = [
    "ClientManifest",
    "PackageRef",
    "PlatformEntry",
    "ServiceManifest",
    "client_manifest",
    "service_manifest",
]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageRef:
    url: str
    #: ``sha256:<hex>``.
    hash: str
    size: int


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServiceManifest:
    version: str
    release_date: datetime
    channel: str
    notes: str
    full: PackageRef
    incremental: PackageRef


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PlatformEntry:
    url: str
    #: The Tauri ``.sig`` content, passed through untouched.
    signature: str


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ClientManifest:
    version: str
    notes: str
    pub_date: datetime
    #: Tauri ``os-arch`` -> download; the asking platform is always present.
    platforms: dict[str, PlatformEntry]
    #: The asking client's own entry (the dynamic endpoint's ``url``/``signature``).
    own: PlatformEntry


def _published(answer: UpdateAnswer) -> datetime:
    release = answer.release
    assert release is not None
    return release.publish_time or release.created_at


async def service_manifest(
    catalog: ReleaseCatalog,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    query: UpdateQuery,
) -> tuple[UpdateAnswer, ServiceManifest | None]:
    """The manifest of the service release this client should take (None when current)."""
    answer = await resolve_update(catalog, dataclasses.replace(query, kind="service"))
    if not answer.has_update or answer.release is None:
        return answer, None
    try:
        async with session_factory() as session:
            packages = await bundles.package_info(
                session, settings, release_id=answer.release.id, client_version=query.current_version
            )
        full = PackageRef(url=packages.full.url, hash=packages.full.hash, size=packages.full.size)
        incremental = PackageRef(url=packages.incremental.url, hash=packages.incremental.hash, size=packages.incremental.size)
    except NotFound:  # no bundle: the resolved artifact is the whole package
        full = incremental = PackageRef(url=answer.download_url, hash=answer.file_checksum, size=answer.file_size)
    return answer, ServiceManifest(
        version=answer.latest_version, release_date=_published(answer), channel=answer.channel,
        notes=answer.release_notes, full=full, incremental=incremental,
    )


async def client_manifest(catalog: ReleaseCatalog, query: UpdateQuery) -> tuple[UpdateAnswer, ClientManifest | None]:
    """The Tauri manifest of the client release for ``query.platform`` (None when none)."""
    answer = await resolve_update(catalog, dataclasses.replace(query, kind="client"))
    if not answer.has_update or answer.release is None or answer.artifact is None:
        return answer, None
    mirrors = (await catalog.snapshot(answer.project)).project.download_mirrors
    own = PlatformEntry(url=answer.download_url, signature=answer.signature)
    platforms = {
        artifact.platform: PlatformEntry(
            url=download_url(artifact, public_url=catalog.public_url, mirrors=mirrors, region=query.region),
            signature=artifact.signature or "",
        )
        for artifact in answer.release.artifacts
        if artifact.platform != ANY
    }
    asking = answer.artifact.platform if answer.artifact.platform != ANY else query.platform
    if asking:
        platforms[asking] = own
    return answer, ClientManifest(
        version=answer.latest_version, notes=answer.release_notes, pub_date=_published(answer),
        platforms=platforms, own=own,
    )
