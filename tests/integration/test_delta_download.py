"""Agent downloads over real gRPC: only missing chunks travel, cuts resume, damage is caught.

Faults are real: connections cut by a loopback TCP proxy, bytes flipped on disk (staged
files, installed files, the server's chunk store), manifests altered in the database,
and an agent pinned to another key.
"""

from __future__ import annotations

import asyncio
import random
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import zstandard
from sqlalchemy import update

from agent.download import ChunkDownloader, InstalledBundle
from common import manifest as mf
from common.errors import InvalidInput, Unavailable
from common.signing import generate_key
from generated.upkeep.v1 import agent_pb2 as pb
from generated.upkeep.v1 import agent_pb2_grpc
from server.app import UpkeepServer
from server.db import models as m
from server.services import bundles
from server.services.signing import public_key
from tests.fixtures.bundles import BundleSpec, archive_dir, enroll_agent, make_release, write_bundle
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration


@dataclass
class Setup:
    server: UpkeepServer
    creds: tuple[tuple[str, str], ...]
    key: str
    v1: int
    v2: int
    src1: Path
    src2: Path
    m1: mf.Manifest
    m2: mf.Manifest
    b1: bytes
    b2: bytes


@pytest.fixture
async def setup(db_url: str, session_factory, tmp_path: Path) -> AsyncIterator[Setup]:  # type: ignore[no-untyped-def]
    server = UpkeepServer(make_settings(db_url, tmp_path / "data"), console=False)
    await server.start()
    try:
        settings = server.settings
        spec = dict(base_layer_sizes=(2_000_000, 1_000_000), app_files=30, app_file_size=30_000, changed_share=0.2)
        src1 = write_bundle(tmp_path / "v1", BundleSpec(version="1.0.0", **spec))  # type: ignore[arg-type]
        src2 = write_bundle(tmp_path / "v2", BundleSpec(version="1.1.0", **spec))  # type: ignore[arg-type]
        (src2 / "config" / "new.env").write_text("NEW=1\n")
        (src1 / "config" / "old.env").write_text("OLD=1\n")
        v1 = await make_release(session_factory, "demo", "1.0.0")
        v2 = await make_release(session_factory, "demo", "1.1.0")
        r1 = await bundles.ingest_bundle(session_factory, settings, release_id=v1, archive=archive_dir(src1, tmp_path / "v1.zip"))
        r2 = await bundles.ingest_bundle(session_factory, settings, release_id=v2, archive=archive_dir(src2, tmp_path / "v2.zip"))
        await bundles.prepare_pair(session_factory, settings, v2)
        creds, _ = await enroll_agent(session_factory, "demo")
        yield Setup(server, creds, public_key(settings).public_key, v1, v2, src1, src2, r1.signed.manifest, r2.signed.manifest,
                    r1.signed.signed_bytes, r2.signed.signed_bytes)
    finally:
        await server.stop()


def _downloader(target: str, s: Setup, staging: Path, key: str | None = None) -> tuple[grpc.aio.Channel, ChunkDownloader]:
    channel = grpc.aio.insecure_channel(target)
    return channel, ChunkDownloader(agent_pb2_grpc.AgentServiceStub(channel), metadata=s.creds, public_key=key or s.key, staging_root=staging)


async def _download(s: Setup, staging: Path, release_id: int, **kw):  # type: ignore[no-untyped-def]
    channel, downloader = _downloader(f"127.0.0.1:{s.server.grpc_port}", s, staging)
    async with channel:
        return await downloader.download(release_id, **kw)


def _same_tree(a: Path, b: Path) -> None:
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for name in files_a:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _installed(s: Setup, tmp_path: Path) -> InstalledBundle:
    root = tmp_path / "node"
    if not root.exists():
        shutil.copytree(s.src1, root)
    return InstalledBundle(root=root, release_id=s.v1, manifest=s.m1, signed_bytes=s.b1)


def _bytes_of(manifest: mf.Manifest, ids: set[str]) -> int:
    return sum(size for cid, size in manifest.chunk_sizes().items() if cid in ids)


async def test_cold_download_then_upgrade_moves_only_changed_chunks(setup: Setup, tmp_path: Path) -> None:
    cold = await _download(setup, tmp_path / "stage", setup.v1)
    _same_tree(cold.folder, setup.src1)
    assert cold.stats.fetched_bytes == cold.stats.total_bytes == _bytes_of(setup.m1, setup.m1.chunk_ids())

    installed = _installed(setup, tmp_path)
    new_ids = setup.m2.chunk_ids() - setup.m1.chunk_ids()
    plain = await _download(setup, tmp_path / "plain", setup.v2, installed=installed, accept_delta=False)
    _same_tree(plain.folder, setup.src2)
    assert plain.stats.chunks_fetched == len(new_ids) and plain.stats.fetched_bytes == _bytes_of(setup.m2, new_ids)
    assert plain.stats.local_bytes == _bytes_of(setup.m2, setup.m2.chunk_ids() & setup.m1.chunk_ids())
    assert plain.deleted == ("config/old.env",)
    assert plain.stats.fetched_bytes < setup.m2.total_size / 3  # base layers stayed home

    channel, downloader = _downloader(f"127.0.0.1:{setup.server.grpc_port}", setup, tmp_path / "probe")
    async with channel:
        reply = await downloader.stub.GetManifest(pb.GetManifestRequest(release_id=setup.v2, base_release_id=setup.v1), metadata=setup.creds)
    assert reply.delta_base_release_id == setup.v1 and not reply.manifest.signed_bytes
    assert 0 < len(reply.signed_bytes_delta) < len(setup.b2) / 4  # the manifest itself travels as a delta

    delta = await _download(setup, tmp_path / "delta", setup.v2, installed=installed)
    _same_tree(delta.folder, setup.src2)
    assert delta.stats.packs >= 1 and delta.stats.corrupt == 0
    assert delta.stats.wire_bytes < plain.stats.wire_bytes / 2  # packs compress against what the node holds


class CuttingProxy:
    """Loopback TCP proxy that cuts every connection after ``limit`` bytes toward the client."""

    def __init__(self, upstream_port: int, limit: int) -> None:
        self.upstream_port = upstream_port
        self.limit = limit
        self.server: asyncio.base_events.Server | None = None
        self.port = 0

    async def __aenter__(self) -> CuttingProxy:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, budget: int | None) -> None:
            sent = 0
            try:
                while data := await src.read(65536):
                    if budget is not None and sent + len(data) > budget:
                        dst.write(data[: budget - sent])
                        break
                    dst.write(data)
                    sent += len(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                for w in (writer, up_writer):
                    w.close()

        await asyncio.gather(pipe(reader, up_writer, None), pipe(up_reader, writer, self.limit))


async def test_download_cut_at_random_points_resumes_to_identical_files(setup: Setup, tmp_path: Path) -> None:
    rng = random.Random(5)
    staging = tmp_path / "stage"
    cuts = 0
    result = None
    for _attempt in range(30):
        async with CuttingProxy(setup.server.grpc_port or 0, rng.randrange(200_000, 2_500_000)) as proxy:
            channel, downloader = _downloader(f"127.0.0.1:{proxy.port}", setup, staging)
            async with channel:
                try:
                    result = await downloader.download(setup.v1)
                except Unavailable:
                    cuts += 1
                    continue
        break
    assert result is not None and cuts >= 2
    _same_tree(result.folder, setup.src1)
    assert result.stats.resumed_bytes > 0  # the last attempt did not start over
    assert result.stats.resumed_bytes + result.stats.fetched_bytes == result.stats.total_bytes


async def test_damaged_staged_and_installed_chunks_are_fetched_again(setup: Setup, tmp_path: Path) -> None:
    staging = tmp_path / "stage"
    first = await _download(setup, staging, setup.v1)
    tar = first.folder / "images" / "app.tar"
    with tar.open("r+b") as fp:  # flip a byte inside a staged chunk
        fp.seek(1_500_000)
        byte = fp.read(1)
        fp.seek(1_500_000)
        fp.write(bytes([byte[0] ^ 0xFF]))
    again = await _download(setup, staging, setup.v1)
    assert again.stats.chunks_fetched == 1 and again.stats.resumed_bytes == again.stats.total_bytes - again.stats.fetched_bytes
    _same_tree(again.folder, setup.src1)

    installed = _installed(setup, tmp_path)
    tar_v1 = installed.manifest.file("images/app.tar")
    assert tar_v1 is not None
    shared = next(c for c in tar_v1.chunks if c.id in setup.m2.chunk_ids())
    with (installed.root / "images" / "app.tar").open("r+b") as fp:  # a damaged installed chunk is not trusted
        fp.seek(shared.offset + 100)
        fp.write(b"XXXX")
    upgraded = await _download(setup, tmp_path / "up", setup.v2, installed=installed, accept_delta=False)
    _same_tree(upgraded.folder, setup.src2)
    assert upgraded.stats.chunks_fetched == len(setup.m2.chunk_ids() - setup.m1.chunk_ids()) + 1


async def test_chunk_damaged_in_server_storage_is_refused_until_repaired(setup: Setup, tmp_path: Path) -> None:
    victim = setup.m1.files[0].chunks[0] if setup.m1.files[0].chunks else next(f.chunks[0] for f in setup.m1.files if f.chunks)
    path = next((setup.server.settings.storage_dir / "chunks").rglob(f"{victim.id}.zst"))
    original = path.read_bytes()
    path.write_bytes(zstandard.ZstdCompressor().compress(b"\0" * victim.size))  # a valid frame of the wrong data
    staging = tmp_path / "stage"
    with pytest.raises(Unavailable) as damaged:
        await _download(setup, staging, setup.v1)
    assert damaged.value.error_code == "CORRUPT_CHUNKS"
    path.write_bytes(original)
    repaired = await _download(setup, staging, setup.v1)
    assert repaired.stats.chunks_fetched == 1
    _same_tree(repaired.folder, setup.src1)


async def test_tampered_manifest_other_key_and_downgrade_are_refused(setup: Setup, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = generate_key(tmp_path / "other.key").public_key
    channel, downloader = _downloader(f"127.0.0.1:{setup.server.grpc_port}", setup, tmp_path / "s1", key=other)
    async with channel:
        with pytest.raises(InvalidInput) as wrong_key:
            await downloader.download(setup.v1)
    assert wrong_key.value.error_code == "BAD_SIGNATURE"

    installed = InstalledBundle(root=setup.src2, release_id=setup.v2, manifest=setup.m2, signed_bytes=setup.b2)
    with pytest.raises(InvalidInput) as downgrade:
        await _download(setup, tmp_path / "s2", setup.v1, installed=installed)
    assert downgrade.value.error_code == "DOWNGRADE_REFUSED"
    rollback = await _download(setup, tmp_path / "s3", setup.v1, installed=installed, allow_downgrade=True)
    _same_tree(rollback.folder, setup.src1)

    async with session_factory() as s, s.begin():
        row = (await s.execute(m.BundleManifest.__table__.select().where(m.BundleManifest.release_id == setup.v1))).one()
        tampered = row.manifest.replace(b'"mode":420', b'"mode":511', 1)
        assert tampered != row.manifest
        await s.execute(update(m.BundleManifest).where(m.BundleManifest.id == row.id).values(manifest=tampered))
    with pytest.raises(InvalidInput) as altered:
        await _download(setup, tmp_path / "s4", setup.v1)
    assert altered.value.error_code == "BAD_SIGNATURE"
    assert not (tmp_path / "s1").exists() and not (tmp_path / "s4").exists()


async def test_chunk_source_stages_for_the_upgrade_engine(setup: Setup, tmp_path: Path) -> None:
    from agent.download import ManifestStore
    from agent.download.source import ChunkSource

    store = ManifestStore(tmp_path / "state" / "manifests")
    seen: list[tuple[float, str]] = []

    async def progress(percent: float, message: str) -> None:
        seen.append((percent, message))

    def source(release_id: int, version: str, installed_version: str) -> ChunkSource:
        return ChunkSource(
            target=f"127.0.0.1:{setup.server.grpc_port}", metadata=setup.creds, public_key=setup.key, release_id=release_id,
            version=version, compose_dir=tmp_path / "node", installed_version=installed_version,
            staging_root=tmp_path / "state" / "downloads", manifests=store,
        )

    first = await source(setup.v1, "1.0.0", "0.0.0").stage(tmp_path / "engine-1", progress)
    assert first.version == "1.0.0" and first.full
    _same_tree(first.folder, setup.src1)
    assert seen and seen[-1][0] == 90.0 and "/" in seen[-1][1]
    shutil.copytree(first.folder, tmp_path / "node")  # what the engine would install

    downloads = tmp_path / "state" / "downloads"
    await _download(setup, downloads, setup.v1)  # 1.0.0 staged again, now installed: of no further use
    ahead = downloads / "9999"  # a release staged ahead of its upgrade
    shutil.copytree(downloads / str(setup.v1), ahead)
    (ahead / "manifest.json").write_bytes((ahead / "manifest.json").read_bytes().replace(b'"version":"1.0.0"', b'"version":"9.0.0"'))
    second = await source(setup.v2, "1.1.0", "1.0.0").stage(tmp_path / "engine-2", progress)
    assert sorted(p.name for p in downloads.iterdir()) == [ahead.name]  # 1.0.0 (installed) pruned, 9.0.0 kept
    _same_tree(second.folder, setup.src2)
    assert second.deleted == ("config/old.env",)
    assert store.installed(tmp_path / "node", "1.1.0", setup.key) is not None
    assert not (tmp_path / "state" / "downloads" / str(setup.v2)).exists()


async def test_agent_cli_download_stages_a_release_with_progress(setup: Setup, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import sqlite3
    import subprocess
    import sys

    from server.services import enrollment

    async with session_factory() as s, s.begin():
        _view, token = await enrollment.create_token(s, project="demo", labels={})
    node = tmp_path / "node"
    (node / "docker").mkdir(parents=True)
    config = node / "config.toml"
    address = f"127.0.0.1:{setup.server.grpc_port}"

    def write_config(key: str) -> None:
        config.write_text(
            f'[server]\naddress = "{address}"\npublic_key = "{key}"\n[agent]\nstate_dir = "state"\n'
            '[docker]\ncompose_file = "docker/docker-compose.yml"\n'
        )

    def agent(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "120"}
        return subprocess.run([sys.executable, "-m", "agent.cli", "-c", str(config), *args], capture_output=True, text=True, env=env, timeout=120)

    write_config("")
    enrolled = await asyncio.to_thread(agent, "enroll", "--token", token)
    assert enrolled.returncode == 0, enrolled.stderr
    # No key in config.toml: the one the server gave at enrollment is pinned.
    done = await asyncio.to_thread(agent, "download", "--release-id", str(setup.v1))
    assert done.returncode == 0, done.stderr
    assert "Staged 1.0.0" in done.stdout
    _same_tree(node / "state" / "downloads" / str(setup.v1) / "files", setup.src1)

    with sqlite3.connect(node / "state" / "history.db") as db:
        db.execute("DELETE FROM kv WHERE key = 'link.signing_public_key'")
    unpinned = await asyncio.to_thread(agent, "download", "--release-id", str(setup.v1))
    assert unpinned.returncode == 1 and "public_key" in unpinned.stderr

    write_config(generate_key(tmp_path / "other.key").public_key)  # config.toml's key wins: another server's
    refused = await asyncio.to_thread(agent, "download", "--release-id", str(setup.v2))
    assert refused.returncode == 1 and "signature is not valid" in refused.stderr, refused.stderr
    assert not (node / "state" / "downloads" / str(setup.v2) / "files").exists()

    write_config(setup.key)
    again = await asyncio.to_thread(agent, "download", "--release-id", str(setup.v1))
    assert again.returncode == 0 and "0 bytes fetched" in again.stdout  # everything was staged and verified already
