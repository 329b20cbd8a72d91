"""Storage garbage collection on SQLite and PostgreSQL: what goes, what stays, racing an ingest."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from common.chunking import chunk_id, compress_chunk, decompress_chunk
from server.db import models as m
from server.services import bundles, chunk_gc
from server.services.releases import delete_release
from server.storage import open_store
from tests.fixtures.bundles import BundleSpec, archive_dir, make_release, write_bundle
from tests.fixtures.servers import make_settings, run_cli, server_env, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, tmp_path / "data")


def _bundle(tmp_path: Path, version: str, spec: BundleSpec | None = None) -> Path:
    folder = write_bundle(tmp_path / f"src-{version}", spec or BundleSpec(version=version))
    return archive_dir(folder, tmp_path / f"bundle-{version}.zip")


def _stored(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {cid for cid, _ in open_store(settings).stored_chunks()}


def _intact(settings, manifest) -> bool:  # type: ignore[no-untyped-def]
    """Every chunk of ``manifest`` is stored and decompresses to its id."""
    store = open_store(settings)
    sizes = manifest.chunk_sizes()
    return all(store.has_chunk(c) and chunk_id(decompress_chunk(store.get_chunk(c), sizes[c])) == c for c in sizes)


async def _chunk_rows(session_factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as s:
        return dict((await s.execute(select(m.Chunk.id, m.Chunk.refcount))).all())


def _orphan(settings, seed: bytes, age_s: float) -> str:  # type: ignore[no-untyped-def]
    data = seed * 5000
    cid = chunk_id(data)
    store = open_store(settings)
    store.put_chunk(cid, compress_chunk(data))
    when = time.time() - age_s
    os.utime(settings.storage_dir / "chunks" / cid[:2] / f"{cid}.zst", (when, when))
    return cid


async def test_gc_removes_only_what_no_release_uses(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "1.1.0")
    first = await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=_bundle(tmp_path, "1.0.0"))
    second = await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=_bundle(tmp_path, "1.1.0"))
    await bundles.prepare_pair(session_factory, settings, v2)  # incremental zip and delta packs v1 -> v2
    old_orphan = _orphan(settings, b"crashed upload", age_s=3 * 3600)
    new_orphan = _orphan(settings, b"upload in progress", age_s=0)
    store = open_store(settings)
    blobs_before = set(store.blob_keys("packages")) | set(store.blob_keys("deltas"))
    pair = f"deltas/{first.signed.id}-{second.signed.id}/"
    assert any(k.startswith(pair) for k in blobs_before) and f"packages/{v1}/docker.zip" in blobs_before

    nothing = await chunk_gc.collect_garbage(session_factory, settings)
    assert (nothing.chunks, nothing.blobs, nothing.orphan_chunks) == (0, 0, 1)  # only the old orphan file
    assert old_orphan not in _stored(settings) and new_orphan in _stored(settings)

    async with session_factory() as s, s.begin():
        await delete_release(s, v1)
    old, new = first.signed.manifest.chunk_ids(), second.signed.manifest.chunk_ids()
    assert old - new and old & new

    report = await chunk_gc.collect_garbage(session_factory, settings)

    assert report.chunks == len(old - new) and report.chunk_bytes > 0
    assert _stored(settings) == new | {new_orphan}
    assert await _chunk_rows(session_factory) == dict.fromkeys(new, 1)
    assert _intact(settings, second.signed.manifest)
    blobs_after = set(store.blob_keys("packages")) | set(store.blob_keys("deltas"))
    gone = {k for k in blobs_before if k.startswith((f"packages/{v1}/", pair))}
    assert blobs_after == blobs_before - gone and report.blobs == len(gone)
    assert f"packages/{v2}/docker.zip" in blobs_after and not (settings.storage_dir / "blobs" / "packages" / str(v1)).exists()
    async with session_factory() as s:
        located = await bundles.package_file(s, settings, project="demo", version="1.1.0", file_name="docker.zip")
    assert located.path is not None and located.path.stat().st_size == located.size

    again = await chunk_gc.collect_garbage(session_factory, settings)
    assert (again.chunks, again.orphan_chunks, again.blobs) == (0, 0, 0)


async def test_gc_racing_an_ingest_that_reuses_the_chunks_loses_none(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The ingest finds the chunks stored, the collection then deletes them before the
    ingest records its references: the ingest stores them again under the lock."""
    spec = BundleSpec(version="1.0.0", base_layer_sizes=(12_000_000, 4_000_000))  # takes a while to cut and zip
    archive = _bundle(tmp_path, "1.0.0", spec)
    gone = await make_release(session_factory, "one", "1.0.0")
    reuser = await make_release(session_factory, "two", "1.0.0")  # made first: SQLite reuses the newest deleted id
    first = await bundles.ingest_bundle(session_factory, settings, release_id=gone, archive=archive)
    async with session_factory() as s, s.begin():
        await delete_release(s, gone)
    ids = first.signed.manifest.chunk_ids()
    assert set((await _chunk_rows(session_factory)).values()) == {0}

    scratch = open_store(settings).scratch_dir()
    ingest = asyncio.create_task(bundles.ingest_bundle(session_factory, settings, release_id=reuser, archive=archive))
    await wait_until(lambda: any(scratch.iterdir()) or ingest.done())  # its first read is over; cutting runs
    assert not ingest.done()
    async with session_factory() as s, s.begin():
        await chunk_gc.lock_chunks(s, exclusive=True)
        # The full zip is stored after every chunk was found present: the ingest now waits on the lock.
        await wait_until(lambda: (settings.storage_dir / "blobs" / "packages" / str(reuser) / "docker.zip").exists(), timeout=60)
        collected = await chunk_gc.collect_unreferenced(s, open_store(settings), limit=len(ids) + 10)
        assert set(collected.chunk_ids) == ids and not _stored(settings) & ids
    result = await ingest

    assert result.signed.manifest.chunk_ids() == ids
    assert _intact(settings, result.signed.manifest)
    assert await _chunk_rows(session_factory) == dict.fromkeys(ids, 1)
    async with session_factory() as s:
        stored_sizes = (await s.execute(select(m.Chunk.stored_size))).scalars().all()
    assert all(size > 0 for size in stored_sizes)
    report = await chunk_gc.collect_garbage(session_factory, settings)
    assert report.chunks == 0 and _intact(settings, result.signed.manifest)


async def test_gc_command(db_url: str, session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release = await make_release(session_factory, "cli", "1.0.0")
    result = await bundles.ingest_bundle(session_factory, settings, release_id=release, archive=_bundle(tmp_path, "1.0.0"))
    async with session_factory() as s, s.begin():
        await delete_release(s, release)
    env = server_env(db_url, tmp_path / "data")

    done = await asyncio.to_thread(run_cli, ["gc", "--json", "--orphan-age-hours", "0"], env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["chunks"] == result.chunk_count and report["blobs"] >= 1
    assert not _stored(settings) and not await _chunk_rows(session_factory)

    bad = await asyncio.to_thread(run_cli, ["gc", "--orphan-age-hours", "-1"], {**env, "LANG": "zh_CN.UTF-8"})
    assert bad.returncode == 1 and "--orphan-age-hours" in bad.stderr and "不能" in bad.stderr
    human = await asyncio.to_thread(run_cli, ["gc"], {**env, "LANG": "C.UTF-8"})
    assert human.returncode == 0 and "Removed 0 unreferenced chunks" in human.stdout


async def test_a_release_id_used_again_never_serves_the_deleted_release_packages(session_factory, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "1.1.0")
    await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=_bundle(tmp_path, "1.0.0"))
    dropped = await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=_bundle(tmp_path, "1.1.0"))
    await bundles.prepare_pair(session_factory, settings, v2)
    async with session_factory() as s, s.begin():
        await delete_release(s, v2)
    again = await make_release(session_factory, "demo", "1.1.0")  # SQLite: the same id as v2
    other = BundleSpec(version="1.1.0", seed=7)
    result = await bundles.ingest_bundle(session_factory, settings, release_id=again, archive=_bundle(tmp_path / "b", "1.1.0", other))
    assert result.signed.manifest.chunk_ids() != dropped.signed.manifest.chunk_ids()

    store = open_store(settings)
    assert list(store.blob_keys(f"packages/{again}")) == [f"packages/{again}/docker.zip"]
    assert not [k for k in store.blob_keys("deltas") if f"-{result.signed.id}/" in k or f"/{result.signed.id}-" in k]
    await bundles.prepare_pair(session_factory, settings, again)
    async with session_factory() as s:
        info = await bundles.package_info(s, settings, release_id=again, client_version="1.0.0")
        located = await bundles.package_file(s, settings, project="demo", version="1.1.0", file_name="incremental-from-1.0.0.zip")
    assert located.path is not None
    assert info.incremental.hash == "sha256:" + hashlib.sha256(located.path.read_bytes()).hexdigest() == f"sha256:{located.etag}"
    with zipfile.ZipFile(located.path) as zf:
        image = zf.read("images/app.tar")
    assert image == (tmp_path / "b" / "src-1.1.0" / "images" / "app.tar").read_bytes()
