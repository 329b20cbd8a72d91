"""The server's housekeeping on SQLite and PostgreSQL: scratch that killed processes left behind,
periodic storage garbage collection."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from server.app import UpkeepServer
from server.db import models as m
from server.services import bundles
from server.services.releases import delete_release
from server.storage import open_store
from server.storage.artifacts import LocalArtifactStore
from tests.fixtures.bundles import BundleSpec, archive_dir, make_release, write_bundle
from tests.fixtures.servers import make_settings, wait_until

pytestmark = pytest.mark.integration


def _age(path: Path, seconds: float) -> None:
    """Backdate ``path`` and everything in it, as if untouched for ``seconds``."""
    when = time.time() - seconds
    for folder, dirs, files in os.walk(path, topdown=False):
        for name in (*dirs, *files):
            os.utime(os.path.join(folder, name), (when, when))
    os.utime(path, (when, when))


def _ingest_folder(scratch: Path) -> Path:
    """A build folder like an ingest's (server/services/bundles.py), with unpacked files."""
    work = Path(tempfile.mkdtemp(dir=scratch))
    (work / "root" / "images").mkdir(parents=True)
    (work / "root" / "docker-compose.yml").write_text("services: {}\n")
    (work / "root" / "images" / "app.tar").write_bytes(os.urandom(4096))
    return work


async def test_scratch_of_killed_ingests_and_uploads_is_swept_at_start(db_engine: object, db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path / "data")
    scratch = open_store(settings).scratch_dir()
    killed = _ingest_folder(scratch)
    _age(killed, 2 * 3600)
    running = _ingest_folder(scratch)  # still being built: its newest file is fresh
    _age(running, 2 * 3600)
    (running / "root" / "images" / "app.tar").touch()
    spooled = scratch / "abc.upload"
    spooled.write_bytes(b"half an upload")
    _age(spooled, 2 * 3600)
    artifact_tmp = LocalArtifactStore(settings.storage_dir).scratch_dir
    artifact_tmp.mkdir(parents=True)
    (half := artifact_tmp / "tmpx").write_bytes(b"half an artifact")
    _age(half, 2 * 3600)

    server = UpkeepServer(settings, console=False)
    await server.start()
    try:
        assert not killed.exists() and not spooled.exists() and not half.exists()
        assert (running / "root" / "images" / "app.tar").stat().st_size == 4096
        assert sorted(p.name for p in scratch.iterdir()) == [running.name]
    finally:
        await server.stop()


async def test_periodic_collection_removes_unreferenced_chunks(db_engine: object, db_url: str, tmp_path: Path) -> None:
    """No ``upkeep-server gc``: the server's own collection removes what a deleted release left."""
    settings = make_settings(db_url, tmp_path / "data", UPKEEP_GC_INTERVAL_S="0.2")
    server = UpkeepServer(settings, console=False)
    await server.start()
    try:
        session_factory = server.runtime.session_factory
        ingested = {}
        for version in ("1.0.0", "1.1.0"):
            archive = archive_dir(write_bundle(tmp_path / version, BundleSpec(version=version)), tmp_path / f"{version}.zip")
            release_id = await make_release(session_factory, "demo", version)
            ingested[release_id] = await bundles.ingest_bundle(session_factory, settings, release_id=release_id, archive=archive)
        (gone, gone_bundle), (kept, kept_bundle) = ingested.items()
        old, new = gone_bundle.signed.manifest.chunk_ids(), kept_bundle.signed.manifest.chunk_ids()
        assert old - new and old & new
        async with session_factory() as s, s.begin():
            await delete_release(s, gone)

        def stored() -> set[str]:
            return {cid for cid, _ in open_store(settings).stored_chunks()}

        async def recorded() -> set[str]:
            async with session_factory() as s:
                return set((await s.scalars(select(m.Chunk.id))).all())

        def packages(release_id: int) -> Path:
            return settings.storage_dir / "blobs" / "packages" / str(release_id)

        async def collected() -> bool:
            # A batch deletes files before its transaction commits: wait for the commit too.
            # Packages of deleted releases go after the chunks, in the same pass.
            return not (old - new) & stored() and not (old - new) & await recorded() and not packages(gone).exists()

        await wait_until(collected, timeout=30, interval=0.1)
        assert stored() == new
        assert await recorded() == new
        assert (packages(kept) / "docker.zip").is_file()
    finally:
        await server.stop()
