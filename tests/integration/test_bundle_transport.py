"""Bundles over the wire: UploadBundle / GetManifest / FetchChunks (gRPC), multipart upload and
package downloads with Range, ETag and X-Accel-Redirect (HTTP), on a real in-process server."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import blake3
import grpc
import httpx
import pytest
from sqlalchemy import func, select

from common import manifest as mf
from common.chunking import decompress_chunk
from generated.upkeep.v1 import admin_pb2, admin_pb2_grpc, agent_pb2, agent_pb2_grpc
from server.app import UpkeepServer
from server.db import models as m
from server.services import tokens
from server.services.roles import Role
from server.services.signing import public_key
from tests.fixtures.bundles import BundleSpec, archive_dir, enroll_agent, make_release, write_bundle
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration
MAX_UPLOAD = 8 * 1024 * 1024


async def _server(db_url: str, data: Path, **env: str) -> UpkeepServer:
    server = UpkeepServer(make_settings(db_url, data, UPKEEP_MAX_UPLOAD_BYTES=str(MAX_UPLOAD), **env), console=False)
    await server.start()
    return server


@pytest.fixture
async def server(db_url: str, tmp_path: Path, session_factory) -> AsyncIterator[UpkeepServer]:  # type: ignore[no-untyped-def]
    srv = await _server(db_url, tmp_path / "data")
    try:
        yield srv
    finally:
        await srv.stop()


async def _token(server: UpkeepServer, role: Role = Role.OPERATOR) -> str:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        return (await tokens.create_token(s, name=f"ci-{role.label}", role=role)).secret


def _archive(tmp_path: Path, version: str, fmt: str = "zip") -> Path:
    folder = write_bundle(tmp_path / f"src-{version}", BundleSpec(version=version))
    return archive_dir(folder, tmp_path / f"bundle-{version}.{fmt}", fmt)


def _upload_frames(release_id: int, archive: Path, size: int | None = None) -> list[admin_pb2.UploadBundleRequest]:
    data = archive.read_bytes()
    meta = admin_pb2.UploadBundleMetadata(release_id=release_id, file_name=archive.name, size=len(data) if size is None else size,
                                          checksum="sha256:" + hashlib.sha256(data).hexdigest())
    frames = [admin_pb2.UploadBundleRequest(metadata=meta)]
    frames += [admin_pb2.UploadBundleRequest(data=data[i : i + 1_000_000]) for i in range(0, len(data), 1_000_000)]
    return frames


async def test_grpc_upload_manifest_and_fetch(server: UpkeepServer, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release_id = await make_release(session_factory, "demo", "1.0.0")
    token = await _token(server)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        agent = agent_pb2_grpc.AgentServiceStub(channel)
        auth = (("authorization", f"Bearer {token}"),)

        viewer = await _token(server, Role.VIEWER)
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await admin.UploadBundle(iter(_upload_frames(release_id, _archive(tmp_path, "1.0.0"))), metadata=(("authorization", f"Bearer {viewer}"),))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED

        with pytest.raises(grpc.aio.AioRpcError) as wrong_size:
            await admin.UploadBundle(iter(_upload_frames(release_id, _archive(tmp_path, "1.0.0"), size=5)), metadata=auth)
        assert wrong_size.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        uploaded = await admin.UploadBundle(iter(_upload_frames(release_id, _archive(tmp_path, "1.0.0"))), metadata=auth)
        assert uploaded.file_count == 4 and uploaded.new_chunk_count == uploaded.chunk_count > 0
        assert uploaded.artifact.url.endswith("/api/v1/packages/demo/1.0.0/docker.zip")

        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await agent.GetManifest(agent_pb2.GetManifestRequest(release_id=release_id))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        other_project = await make_release(session_factory, "other", "1.0.0")
        outsider, _ = await enroll_agent(session_factory, "other")
        with pytest.raises(grpc.aio.AioRpcError) as foreign:
            await agent.GetManifest(agent_pb2.GetManifestRequest(release_id=release_id), metadata=outsider)
        assert foreign.value.code() == grpc.StatusCode.NOT_FOUND and other_project

        creds, _ = await enroll_agent(session_factory, "demo")
        got = (await agent.GetManifest(agent_pb2.GetManifestRequest(release_id=release_id), metadata=creds)).manifest
        assert got.signed_bytes == uploaded.manifest.signed_bytes
        manifest = mf.verify_signed(public_key(server.settings).public_key, got.signed_bytes, got.signature)
        assert not got.HasField("manifest")  # agents decode the signed bytes; the copy is for people
        assert [f.path for f in uploaded.manifest.manifest.files] == [f.path for f in manifest.files]

        ids = sorted(manifest.chunk_ids())
        sizes = manifest.chunk_sizes()
        received: dict[str, bytes] = {}
        per_message: list[int] = []
        async for message in agent.FetchChunks(agent_pb2.FetchChunksRequest(release_id=release_id, chunk_ids=ids), metadata=creds):
            assert message.ByteSize() <= 1024 * 1024
            per_message.append(len(message.chunks.chunks))
            for chunk in message.chunks.chunks:
                data = decompress_chunk(chunk.data, chunk.raw_size)
                assert blake3.blake3(data).hexdigest() == chunk.chunk_id and len(data) == sizes[chunk.chunk_id]
                received[chunk.chunk_id] = data
        assert sorted(received) == ids
        assert max(per_message) > 1 and len(per_message) < len(ids)  # small chunks share messages

        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            async for _ in agent.FetchChunks(agent_pb2.FetchChunksRequest(release_id=release_id, chunk_ids=[ids[0], "f" * 64]), metadata=creds):
                pass
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
        assert dict(unknown.value.trailing_metadata() or ()).get("x-upkeep-error-code") == "UNKNOWN_CHUNKS"

        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await agent.GetManifest(agent_pb2.GetManifestRequest(release_id=release_id + 999), metadata=creds)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_http_upload_and_downloads(server: UpkeepServer, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = await make_release(session_factory, "demo", "1.0.0")
    v2 = await make_release(session_factory, "demo", "1.1.0")
    token = await _token(server)
    base = f"http://127.0.0.1:{server.http_port}"
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        bad = await http.post(f"/admin/api/v1/releases/{v1}/bundle", headers=headers, files={"file": ("notes.txt", b"hello")})
        assert bad.status_code == 400 and bad.json()["error_code"] == "NOT_AN_ARCHIVE"
        assert bad.json()["message"] == "上传的文件不是 zip 或 tar 压缩包。"
        big = await http.post(f"/admin/api/v1/releases/{v1}/bundle", headers=headers, files={"file": ("big.zip", b"\0" * (MAX_UPLOAD + 200_000))})
        assert big.status_code == 413
        nofile = await http.post(f"/admin/api/v1/releases/{v1}/bundle", headers=headers, files={"other": ("x.zip", b"x")})
        assert nofile.status_code == 400
        anonymous = await http.post(f"/admin/api/v1/releases/{v1}/bundle", files={"file": ("a.zip", b"x")})
        assert anonymous.status_code == 401
        async with session_factory() as s:
            assert await s.scalar(select(func.count()).select_from(m.BundleManifest)) == 0

        first = await http.post(f"/admin/api/v1/releases/{v1}/bundle", headers=headers, files={"file": ("v1.zip", _archive(tmp_path, "1.0.0").read_bytes())})
        assert first.status_code == 201, first.text
        again = await http.post(f"/admin/api/v1/releases/{v1}/bundle", headers=headers, files={"file": ("v1.zip", _archive(tmp_path, "1.0.0").read_bytes())})
        assert again.status_code == 409 and again.json()["error_code"] == "BUNDLE_EXISTS"
        second = await http.post(
            f"/admin/api/v1/releases/{v2}/bundle", headers=headers, files={"file": ("v2.tar.gz", _archive(tmp_path, "1.1.0", "tar.gz").read_bytes())}
        )
        assert second.status_code == 201, second.text
        assert 0 < second.json()["new_chunk_count"] < second.json()["chunk_count"]

        full = second.json()["full"]
        path = "/api/v1/packages/demo/1.1.0/docker.zip"
        assert full["url"] == server.settings.public_url + path
        whole = await http.get(path)
        assert whole.status_code == 200 and len(whole.content) == full["size"]
        assert "sha256:" + hashlib.sha256(whole.content).hexdigest() == full["hash"]
        etag = whole.headers["etag"]
        assert etag == f'"{full["hash"].removeprefix("sha256:")}"'
        part = await http.get(path, headers={"Range": "bytes=100-1099"})
        assert part.status_code == 206 and part.content == whole.content[100:1100]
        assert part.headers["content-range"] == f"bytes 100-1099/{full['size']}"
        stale = await http.get(path, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
        assert stale.status_code == 200 and len(stale.content) == full["size"]
        assert (await http.get(path, headers={"If-None-Match": etag})).status_code == 304

        # The incremental package against 1.0.0 (built in the background or on demand).
        assert server.runtime is not None
        from server.services.bundles import package_info

        async with server.runtime.session_factory() as s:
            packages = await package_info(s, server.settings, release_id=v2, client_version="1.0.0")
        incremental = await http.get(packages.incremental.url.removeprefix(server.settings.public_url))
        assert incremental.status_code == 200 and len(incremental.content) == packages.incremental.size

        missing = await http.get(f"{base}/api/v1/packages/demo/9.9.9/docker.zip")
        assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_NOT_FOUND"
        assert (await http.get(f"{base}/api/v1/packages/demo/1.1.0/incremental-from-..%2F..%2Fx.zip")).status_code == 404


async def test_accel_redirect_hands_the_file_to_nginx(db_url: str, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    srv = await _server(db_url, tmp_path / "data", UPKEEP_ACCEL_REDIRECT_PREFIX="/_stored/")
    try:
        release_id = await make_release(session_factory, "demo", "1.0.0")
        token = await _token(srv)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{srv.http_port}", timeout=60) as http:
            up = await http.post(f"/admin/api/v1/releases/{release_id}/bundle", headers={"Authorization": f"Bearer {token}"},
                                 files={"file": ("v1.zip", _archive(tmp_path, "1.0.0").read_bytes())})
            assert up.status_code == 201, up.text
            answer = await http.get("/api/v1/packages/demo/1.0.0/docker.zip")
        assert answer.status_code == 200 and answer.content == b""
        assert answer.headers["x-accel-redirect"] == f"/_stored/packages/{release_id}/docker.zip"
        assert (srv.settings.storage_dir / "blobs" / "packages" / str(release_id) / "docker.zip").stat().st_size == up.json()["full"]["size"]
    finally:
        await srv.stop()
