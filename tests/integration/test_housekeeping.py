"""The server's housekeeping on SQLite and PostgreSQL: scratch that killed processes left behind."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from server.app import UpkeepServer
from server.storage import open_store
from server.storage.artifacts import LocalArtifactStore
from tests.fixtures.servers import make_settings

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
