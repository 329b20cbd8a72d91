"""Service bundles: ingest, signed manifests, and the seed's packages.

    ingest_bundle(session_factory, settings, release_id=, archive=) -> BundleResult
    signed_manifest(session, release_id) -> SignedManifest
    package_info(session, settings, release_id=, client_version=) -> Packages
    package_file(session, settings, project=, version=, file_name=) -> PackageFile
    prepare_pair(session_factory, settings, release_id)       (background, after ingest)

Ingest: unpack safely (bundle_archive) → hash and chunk every file → store new chunks
(zstd, shared by every release and project) → build the full zip → sign the manifest →
record manifest, chunk references and the full-package artifact in one transaction.
Nothing is stored before the archive has passed every check. The incremental zip and the
delta packs against the previous release come afterwards (``prepare_pair``), cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common import manifest as mf
from common.chunking import FileDigest, chunk_id, compress_against, compress_chunk, cut_file
from common.errors import Conflict, InvalidInput, NotFound
from common.i18n import N_
from common.versions import parse_version
from server.config import Settings
from server.db import models as m
from server.services import bundle_packages as pk
from server.services.bundle_archive import ArchiveLimits, UnpackedBundle, unpack
from server.services.audit import record_audit
from server.services.bundle_deltas import PAIRS, pair_ids
from server.services.chunk_gc import PACKAGES, delete_blobs, lock_chunks, package_release
from server.services.roles import Principal
from server.services.signing import signing_key
from server.storage import ChunkStore, open_store
from server.storage.spool import spool, upload_too_large

__all__ = [
    "BundleResult",
    "PackageFile",
    "PackageInfo",
    "Packages",
    "ingest_bundle",
    "release_chunk_references",
    "manifest_delta",
    "package_file",
    "package_info",
    "prepare_pair",
    "previous_manifest",
    "signed_manifest",
    "spool_upload",
]

logger = logging.getLogger(__name__)

FULL_NAME = "docker.zip"
RELEASE_NOT_FOUND = N_("Release {release_id} does not exist.")
NOT_A_SERVICE = N_("Release {release_id} is not a service release; only service releases take bundles.")
HAS_BUNDLE = N_("Release {release_id} already has a bundle.")
NO_BUNDLE = N_("Release {release_id} has no bundle yet.")
CHECKSUM_MISMATCH = N_("The upload's checksum {actual} does not match the expected {expected}.")
PACKAGE_NOT_FOUND = N_("Package {name} does not exist.")
SIZE_MISMATCH = N_("The upload has {actual} bytes but {expected} were announced.")
EMPTY_UPLOAD = N_("The upload is empty.")


@dataclass(frozen=True, kw_only=True, slots=True)
class PackageInfo:
    """One downloadable package (seed §7.2.2 ``packages.full`` / ``packages.incremental``)."""

    url: str
    #: ``sha256:<hex>`` of the zip.
    hash: str
    size: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Packages:
    full: PackageInfo
    #: Against the client's version when it is the previous release; the full package when
    #: the release is the first one or the client is further behind.
    incremental: PackageInfo


@dataclass(frozen=True, kw_only=True, slots=True)
class PackageFile:
    """A stored package ready to send: blob key, size, ETag and, locally, its path."""

    key: str
    size: int
    etag: str
    path: Path | None


@dataclass(frozen=True, kw_only=True, slots=True)
class BundleResult:
    release_id: int
    artifact_id: int
    signed: mf.SignedManifest
    file_count: int
    total_size: int
    chunk_count: int
    new_chunk_count: int
    stored_bytes: int
    full: PackageInfo


@dataclass(frozen=True, kw_only=True, slots=True)
class _Target:
    release_id: int
    project: str
    version: str


def _full_key(release_id: int) -> str:
    return f"{PACKAGES}/{release_id}/{FULL_NAME}"


def _incremental_name(from_version: str) -> str:
    return f"incremental-from-{from_version}.zip"


def _url(settings: Settings, project: str, version: str, name: str) -> str:
    return f"{settings.public_url}/api/v1/packages/{project}/{version}/{name}"


async def _target(session: AsyncSession, release_id: int) -> _Target:
    row = (
        await session.execute(
            select(m.Release.id, m.Release.kind, m.Release.version, m.Project.slug)
            .join(m.Project, m.Project.id == m.Release.project_id)
            .where(m.Release.id == release_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(RELEASE_NOT_FOUND, release_id=release_id)
    if row.kind != m.ReleaseKind.SERVICE:
        raise InvalidInput(NOT_A_SERVICE, error_code="NOT_A_SERVICE_RELEASE", release_id=release_id)
    return _Target(release_id=row.id, project=row.slug, version=row.version)


async def _manifest_row(session: AsyncSession, release_id: int) -> m.BundleManifest | None:
    return (
        await session.execute(select(m.BundleManifest).where(m.BundleManifest.release_id == release_id).order_by(m.BundleManifest.id.desc()))
    ).scalars().first()


def _to_signed(row: m.BundleManifest, key_id: str) -> mf.SignedManifest:
    return mf.SignedManifest(
        id=row.id, signed_bytes=row.manifest, signature=row.signature or "", key_id=key_id, manifest=mf.parse(row.manifest)
    )


def _store_chunks(store: ChunkStore, bundle: UnpackedBundle, target: _Target) -> tuple[mf.Manifest, dict[str, int]]:
    """Chunk every file into the store; returns (manifest, stored size of each chunk written now)."""
    files: list[mf.ManifestFile] = []
    written: dict[str, int] = {}
    for path, mode in bundle.files.items():
        digest: list[FileDigest] = []
        refs: list[mf.ChunkRef] = []
        for piece in cut_file(bundle.root / path, digest):
            refs.append(mf.ChunkRef(id=piece.id, offset=piece.offset, size=piece.size))
            if not store.has_chunk(piece.id):
                frame = compress_chunk(piece.data)
                if store.put_chunk(piece.id, frame):
                    written[piece.id] = len(frame)
        files.append(mf.ManifestFile(path=path, mode=mode, size=digest[0].size, sha256=digest[0].sha256, chunks=tuple(refs)))
    manifest = mf.Manifest(
        project=target.project, release_id=target.release_id, version=target.version,
        created_at=datetime.now(UTC).replace(microsecond=0), files=tuple(files),
    )
    return manifest, written


def _prepare(settings: Settings, store: ChunkStore, archive: Path, target: _Target, work: Path) -> tuple[mf.Manifest, dict[str, int], pk.BuiltZip, str, Path]:
    limits = ArchiveLimits(max_bytes=settings.max_bundle_bytes, max_files=settings.max_bundle_files)
    bundle = unpack(archive, work / "tree", limits)
    manifest, written = _store_chunks(store, bundle, target)
    built = pk.build_zip(list(manifest.files), pk.tree_bytes(bundle.root), work / FULL_NAME, date=manifest.created_at.timetuple()[:6])
    with built.path.open("rb") as fp:
        zip_signature = bytes(signing_key(settings).secret.sign(fp, prehash=True)).decode() + "\n"
    return manifest, written, built, zip_signature, bundle.root


def _restore_missing(store: ChunkStore, manifest: mf.Manifest, root: Path) -> dict[str, int]:
    """Store again, from the unpacked tree, chunks whose file went away since they were
    checked (collected meanwhile); returns their stored sizes."""
    restored: dict[str, int] = {}
    for file in manifest.files:
        for ref in file.chunks:
            if ref.id in restored or store.has_chunk(ref.id):
                continue
            with (root / file.path).open("rb") as fp:
                fp.seek(ref.offset)
                data = fp.read(ref.size)
            if chunk_id(data) != ref.id:
                raise RuntimeError(f"unpacked file {file.path} changed during ingest")
            frame = compress_chunk(data)
            store.put_chunk(ref.id, frame)
            restored[ref.id] = len(frame)
    return restored


async def _reference_chunks(session: AsyncSession, manifest: mf.Manifest, written: dict[str, int]) -> None:
    """Insert new chunk rows, or count one more reference on existing ones."""
    rows = [
        {"id": cid, "size": size, "stored_size": written.get(cid, 0), "refcount": 1}
        for cid, size in sorted(manifest.chunk_sizes().items())
    ]
    if not rows:
        return
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(m.Chunk).on_conflict_do_update(index_elements=[m.Chunk.id], set_={"refcount": m.Chunk.refcount + 1})
    await session.execute(stmt, rows)


async def ingest_bundle(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, *, release_id: int, archive: Path, checksum: str = "",
    principal: Principal | None = None, ip: str | None = None, file_name: str = "",
) -> BundleResult:
    """Turn an uploaded archive into the release's signed manifest, chunks and full package.

    The audit row (``bundle.upload`` by ``principal``) is written in the same transaction.
    """
    async with session_factory() as session:
        target = await _target(session, release_id)
        if await _manifest_row(session, release_id) is not None:
            raise Conflict(HAS_BUNDLE, error_code="BUNDLE_EXISTS", release_id=release_id)
    if checksum:
        actual = await asyncio.to_thread(_sha256_file, archive)
        if actual != checksum.lower():
            raise InvalidInput(CHECKSUM_MISMATCH, error_code="CHECKSUM_MISMATCH", actual=actual, expected=checksum)
    store = open_store(settings)
    work = Path(tempfile.mkdtemp(dir=store.scratch_dir()))
    try:
        manifest, written, built, zip_signature, root = await asyncio.to_thread(_prepare, settings, store, archive, target, work)
        key = signing_key(settings)
        signed_bytes = mf.encode(manifest)
        signature = key.sign(signed_bytes, trusted_comment=f"upkeep manifest {target.project} {target.version}")
        full_key = _full_key(release_id)
        await asyncio.to_thread(_drop_stale_blobs, store, lambda key: package_release(key) == release_id)
        size = await asyncio.to_thread(store.put_blob, full_key, built.path)
        try:
            async with session_factory() as session, session.begin():
                if await _manifest_row(session, release_id) is not None:
                    raise Conflict(HAS_BUNDLE, error_code="BUNDLE_EXISTS", release_id=release_id)
                row = m.BundleManifest(release_id=release_id, manifest=signed_bytes, signature=signature)
                session.add(row)
                await session.flush()
                # Shared with other ingests, exclusive of garbage collection (chunk_gc).
                await lock_chunks(session, exclusive=False)
                await _reference_chunks(session, manifest, written)
                restored = await asyncio.to_thread(_restore_missing, store, manifest, root)
                for cid, stored_size in restored.items():
                    await session.execute(update(m.Chunk).where(m.Chunk.id == cid).values(stored_size=stored_size))
                written.update(restored)
                artifact = m.Artifact(
                    release_id=release_id, platform="any", file_name=FULL_NAME, size=size, checksum=built.sha256,
                    signature=zip_signature, storage_key=full_key, manifest_id=row.id,
                )
                session.add(artifact)
                await session.flush()
                await record_audit(
                    session, principal, "bundle.upload", "release", release_id,
                    {"file_name": file_name, "files": len(manifest.files), "new_chunks": len(written)}, ip,
                )
                signed = _to_signed(row, key.key_id)
                artifact_id = artifact.id
        except IntegrityError as exc:
            raise Conflict(HAS_BUNDLE, error_code="BUNDLE_EXISTS", release_id=release_id) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    await asyncio.to_thread(_drop_stale_blobs, store, lambda key: signed.id in (pair_ids(key) or ()))
    logger.info("bundle ingested release=%s files=%s new_chunks=%s", release_id, len(manifest.files), len(written))
    return BundleResult(
        release_id=release_id, artifact_id=artifact_id, signed=signed, file_count=len(manifest.files),
        total_size=manifest.total_size, chunk_count=len(manifest.chunk_ids()), new_chunk_count=len(written),
        stored_bytes=sum(written.values()), full=PackageInfo(url=_url(settings, target.project, target.version, FULL_NAME), hash=built.sha256, size=size),
    )


def _drop_stale_blobs(store: ChunkStore, stale: Callable[[str], bool]) -> None:
    """Before a new bundle: packages and delta packs left under the same ids by a deleted
    release (SQLite hands out the newest deleted id again)."""
    delete_blobs(store, [key for key in (*store.blob_keys(PACKAGES), *store.blob_keys(PAIRS)) if stale(key)])


async def spool_upload(settings: Settings, blocks: AsyncIterator[bytes], *, declared_size: int = 0) -> Path:
    """Write an incoming upload to a scratch file within ``max_upload_bytes``; the caller deletes it."""
    limit = settings.max_upload_bytes
    if declared_size > limit:
        raise upload_too_large(limit)
    staged = await spool(blocks, directory=open_store(settings).scratch_dir(), max_bytes=limit, suffix=".upload")
    try:
        if staged.size == 0:
            raise InvalidInput(EMPTY_UPLOAD, error_code="EMPTY_UPLOAD")
        if declared_size and staged.size != declared_size:
            raise InvalidInput(SIZE_MISMATCH, error_code="SIZE_MISMATCH", actual=staged.size, expected=declared_size)
    except BaseException:
        staged.path.unlink(missing_ok=True)
        raise
    return staged.path


def _sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fp:
        while block := fp.read(4 * 1024 * 1024):
            sha.update(block)
    return f"sha256:{sha.hexdigest()}"


async def signed_manifest(session: AsyncSession, settings: Settings, release_id: int, *, project: str | None = None) -> mf.SignedManifest:
    """The release's signed manifest; NotFound when it has no bundle or is not of ``project``."""
    target = await _target(session, release_id)
    if project is not None and target.project != project:
        raise NotFound(RELEASE_NOT_FOUND, release_id=release_id)
    row = await _manifest_row(session, release_id)
    if row is None:
        raise NotFound(NO_BUNDLE, error_code="BUNDLE_NOT_FOUND", release_id=release_id)
    return _to_signed(row, signing_key(settings).key_id)


async def release_chunk_references(session: AsyncSession, release_id: int) -> int:
    """Drop the release's references to its chunks (before the release is deleted); returns how many.

    Chunks left with no reference stay in storage until ``chunk_gc.collect_garbage`` removes them.
    """
    rows = (await session.execute(select(m.BundleManifest.manifest).where(m.BundleManifest.release_id == release_id))).scalars().all()
    ids = sorted({cid for data in rows for cid in mf.parse(data).chunk_ids()})
    for start in range(0, len(ids), 500):
        await session.execute(
            update(m.Chunk).where(m.Chunk.id.in_(ids[start : start + 500]), m.Chunk.refcount > 0).values(refcount=m.Chunk.refcount - 1)
        )
    return len(ids)


async def manifest_delta(session: AsyncSession, signed: mf.SignedManifest, *, base_release_id: int, project: str) -> bytes | None:
    """``signed``'s bytes compressed against the base release's signed manifest, when that is known."""
    if not base_release_id or base_release_id == signed.manifest.release_id:
        return None
    try:
        await _target(session, base_release_id)
    except (NotFound, InvalidInput):
        return None
    base = await _manifest_row(session, base_release_id)
    if base is None or mf.parse(base.manifest).project != project:
        return None
    return await asyncio.to_thread(compress_against, signed.signed_bytes, base.manifest)


async def previous_manifest(session: AsyncSession, release_id: int) -> tuple[str, m.BundleManifest] | None:
    """(version, manifest row) of the newest bundled service release older than ``release_id``."""
    release = await session.get(m.Release, release_id)
    if release is None:
        return None
    rows = (
        await session.execute(
            select(m.Release.version, m.BundleManifest)
            .join(m.BundleManifest, m.BundleManifest.release_id == m.Release.id)
            .where(m.Release.project_id == release.project_id, m.Release.kind == m.ReleaseKind.SERVICE, m.Release.id != release_id)
        )
    ).all()
    current = parse_version(release.version)
    older = [(parse_version(v), v, row) for v, row in rows if parse_version(v) < current]
    if not older:
        return None
    _, version, row = max(older, key=lambda item: item[0])
    return version, row


def _incremental_meta_key(release_id: int, from_version: str) -> str:
    return f"packages/{release_id}/{_incremental_name(from_version)}.json"


def _build_incremental(store: ChunkStore, release_id: int, old: mf.Manifest, new: mf.Manifest) -> pk.BuiltZip:
    changed, deleted = pk.changed_files(old, new)
    work = Path(tempfile.mkdtemp(dir=store.scratch_dir()))
    try:
        built = pk.build_zip(
            changed, lambda f: pk.file_bytes(store, f), work / "incremental.zip",
            date=new.created_at.timetuple()[:6], extra=pk.incremental_info(old, new, deleted),
        )
        key = f"packages/{release_id}/{_incremental_name(old.version)}"
        store.put_blob(key, built.path)
        meta = work / "meta.json"
        meta.write_text(json.dumps({"size": built.size, "sha256": built.sha256}))
        store.put_blob(_incremental_meta_key(release_id, old.version), meta)
        return built
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _incremental_meta(store: ChunkStore, release_id: int, from_version: str) -> dict[str, object] | None:
    key = _incremental_meta_key(release_id, from_version)
    if store.blob_size(key) is None:
        return None
    with store.open_blob(key) as fp:
        return json.loads(fp.read())


async def prepare_pair(session_factory: async_sessionmaker[AsyncSession], settings: Settings, release_id: int) -> None:
    """Build and cache what upgrades from the previous release use (incremental zip, delta packs)."""
    from server.services import bundle_deltas

    async with session_factory() as session:
        row = await _manifest_row(session, release_id)
        prev = await previous_manifest(session, release_id)
    if row is None or prev is None:
        return
    store = open_store(settings)
    old, new = mf.parse(prev[1].manifest), mf.parse(row.manifest)
    if _incremental_meta(store, release_id, old.version) is None:
        await asyncio.to_thread(_build_incremental, store, release_id, old, new)
    await asyncio.to_thread(bundle_deltas.build_pair, store, prev[1].id, old, row.id, new)


async def package_info(session: AsyncSession, settings: Settings, *, release_id: int, client_version: str | None) -> Packages:
    """The seed's ``packages`` for a release and a client at ``client_version``.

    ``incremental`` is the zip against the client's version when that is the previous
    bundled release (built now if not cached yet); the full package otherwise.
    """
    target = await _target(session, release_id)
    artifact = (
        await session.execute(select(m.Artifact).where(m.Artifact.release_id == release_id, m.Artifact.storage_key == _full_key(release_id)))
    ).scalar_one_or_none()
    if artifact is None:
        raise NotFound(NO_BUNDLE, error_code="BUNDLE_NOT_FOUND", release_id=release_id)
    full = PackageInfo(url=_url(settings, target.project, target.version, FULL_NAME), hash=artifact.checksum, size=artifact.size)
    prev = await previous_manifest(session, release_id)
    if prev is None or client_version is None or parse_version(client_version) != parse_version(prev[0]):
        return Packages(full=full, incremental=full)
    store = open_store(settings)
    meta = await asyncio.to_thread(_incremental_meta, store, release_id, prev[0])
    if meta is None:
        row = await _manifest_row(session, release_id)
        assert row is not None
        built = await asyncio.to_thread(_build_incremental, store, release_id, mf.parse(prev[1].manifest), mf.parse(row.manifest))
        meta = {"size": built.size, "sha256": built.sha256}
    incremental = PackageInfo(
        url=_url(settings, target.project, target.version, _incremental_name(prev[0])), hash=str(meta["sha256"]), size=int(meta["size"]),  # type: ignore[call-overload]
    )
    return Packages(full=full, incremental=incremental)


async def package_file(session: AsyncSession, settings: Settings, *, project: str, version: str, file_name: str) -> PackageFile:
    """Locate a stored package by its public name (``docker.zip`` or ``incremental-from-X.zip``)."""
    row = (
        await session.execute(
            select(m.Release.id, m.Release.version)
            .join(m.Project, m.Project.id == m.Release.project_id)
            .where(m.Project.slug == project, m.Release.kind == m.ReleaseKind.SERVICE)
        )
    ).all()
    try:
        wanted = parse_version(version)
        release_id = next(r.id for r in row if parse_version(r.version) == wanted)
    except (InvalidInput, StopIteration) as exc:
        raise NotFound(PACKAGE_NOT_FOUND, name=file_name) from exc
    store = open_store(settings)
    if file_name == FULL_NAME:
        artifact = (
            await session.execute(select(m.Artifact).where(m.Artifact.release_id == release_id, m.Artifact.storage_key == _full_key(release_id)))
        ).scalar_one_or_none()
        if artifact is None:
            raise NotFound(PACKAGE_NOT_FOUND, name=file_name)
        return PackageFile(key=artifact.storage_key or "", size=artifact.size, etag=artifact.checksum.removeprefix("sha256:"), path=store.local_path(_full_key(release_id)))
    if file_name.startswith("incremental-from-") and file_name.endswith(".zip"):
        from_version = file_name.removeprefix("incremental-from-").removesuffix(".zip")
        meta = await asyncio.to_thread(_incremental_meta, store, release_id, from_version) if _safe_version(from_version) else None
        if meta is not None:
            key = f"packages/{release_id}/{file_name}"
            return PackageFile(key=key, size=int(meta["size"]), etag=str(meta["sha256"]).removeprefix("sha256:"), path=store.local_path(key))  # type: ignore[call-overload]
    raise NotFound(PACKAGE_NOT_FOUND, name=file_name)


def _safe_version(text: str) -> bool:
    try:
        return parse_version(text).normalized == text
    except InvalidInput:
        return False
