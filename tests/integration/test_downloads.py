"""Artifact upload (multipart, size limit) and download (Range, ETag, checksum) over real HTTP."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from server.app import UpkeepServer
from server.services.releases import get_release
from server.services.roles import Role
from server.services.tokens import create_token
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration
LIMIT = 300_000


@pytest.fixture
async def server(db_engine, db_url, tmp_path):
    srv = UpkeepServer(make_settings(db_url, tmp_path / "data", UPKEEP_MAX_UPLOAD_BYTES=str(LIMIT)), console=False)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def http(server):
    async with server.runtime.session_factory() as s, s.begin():
        token = (await create_token(s, name="ops", role=Role.OPERATOR)).secret
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10,
                                 headers={"authorization": f"Bearer {token}"}) as client:
        yield client


def stored_files(server) -> list:
    root = server.settings.storage_dir / "artifacts"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def new_release(http) -> int:
    reply = await http.post("/admin/api/v1/versions", json={
        "version": "v1.0.0", "title": "one", "file_url": "https://dl.example.com/one", "file_size": 1,
        "file_checksum": "sha256:" + "11" * 32, "publish": True})
    assert reply.status_code == 201, reply.text
    return reply.json()["data"]["id"]


async def test_upload_then_download_with_range_etag_and_checksum(server, http):
    release_id = await new_release(http)
    payload = bytes(range(256)) * 1000
    digest = hashlib.sha256(payload).hexdigest()
    up = await http.post(f"/admin/api/v1/releases/{release_id}/artifacts",
                         files={"file": ("paneld", payload)}, data={"platform": "linux-amd64",
                                                                    "checksum": f"sha256:{digest}"})
    assert up.status_code == 201, up.text
    art = up.json()["data"]
    assert art["file_checksum"] == f"sha256:{digest}" and art["file_size"] == len(payload)
    path = httpx.URL(art["url"]).path

    full = await http.get(path)
    assert full.status_code == 200 and full.content == payload
    assert full.headers["etag"] == f'"{digest}"' and full.headers["x-checksum"] == f"sha256:{digest}"
    part = await http.get(path, headers={"range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == payload[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(payload)}"
    cached = await http.get(path, headers={"if-none-match": f'"{digest}"'})
    assert cached.status_code == 304 and cached.content == b""
    assert (await http.get(path.rsplit("/", 1)[0] + "/other-name")).status_code == 404

    answer = (await http.post("/api/v1/check-update", json={
        "current_version": "0.9.0", "client_id": "c", "os": "linux", "arch": "x86_64"})).json()["data"]
    assert answer["download_url"] == art["url"] and answer["file_checksum"] == f"sha256:{digest}"


async def test_external_artifact_redirects(http, server):
    await new_release(http)
    listed = (await http.get("/admin/api/v1/versions")).json()["data"]["items"][0]
    async with server.runtime.session_factory() as s:
        art = (await get_release(s, listed["id"])).artifacts[0]
    reply = await http.get(f"/download/{art.id}/{art.file_name}", follow_redirects=False)
    assert reply.status_code == 302 and reply.headers["location"] == "https://dl.example.com/one"


async def test_upload_over_limit_or_with_wrong_checksum_keeps_nothing(server, http):
    release_id = await new_release(http)
    too_big = await http.post(f"/admin/api/v1/releases/{release_id}/artifacts",
                              files={"file": ("big.bin", b"x" * (LIMIT * 2))})
    assert too_big.status_code == 413 and too_big.json()["error_code"] == "PAYLOAD_TOO_LARGE"
    wrong = await http.post(f"/admin/api/v1/releases/{release_id}/artifacts",
                            files={"file": ("a.bin", b"abc")}, data={"checksum": "sha256:" + "00" * 32},
                            headers={"accept-language": "zh-CN"})
    assert wrong.status_code == 400 and wrong.json()["error_code"] == "CHECKSUM_MISMATCH"
    assert "校验和" in wrong.json()["message"]
    unknown = await http.post("/admin/api/v1/releases/999999/artifacts", files={"file": ("a.bin", b"abc")})
    assert unknown.status_code == 404
    assert [p for p in stored_files(server) if p.parent.name != "tmp"] == []
    assert [p for p in stored_files(server) if p.parent.name == "tmp"] == []
    versions = (await http.get("/admin/api/v1/versions")).json()["data"]["items"]
    assert versions[0]["file_url"] == "https://dl.example.com/one"
