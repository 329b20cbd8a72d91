"""Update manifests against the seeds' own examples: seed 2 §7.2.2 service manifest (304 when
current, §6 alias), Tauri static JSON (§8.3.2) and the Tauri dynamic endpoint (204 when none)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from server.app import UpkeepServer
from server.db.models import Client, UpdateEvent
from server.services import bundles, channels, releases
from server.services.artifacts import spec_from_url
from server.services.events import EventRecorder
from tests.fixtures.bundles import BundleSpec, archive_dir, write_bundle
from tests.fixtures.seed_examples import seed_example, shape
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration

SEED = "service_upgrade_platform/"
UUID = seed_example(SEED + "register_request.json")["client_uuid"]
PUBLIC = "http://updates.test"
SHA = "sha256:" + "ab" * 32
TAURI = seed_example(SEED + "client_manifest.json")


@pytest.fixture
async def server(db_engine, db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    srv = UpkeepServer(make_settings(db_url, tmp_path / "data", UPKEEP_PUBLIC_URL=PUBLIC), console=False)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def http(server: UpkeepServer):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=30) as client:
        assert (await client.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))).status_code == 201
        yield client


async def _service_release(server: UpkeepServer, tmp_path: Path, version: str, *, bundle: bool = True) -> int:
    runtime = server.runtime
    assert runtime is not None
    async with runtime.session_factory() as s, s.begin():
        info = await releases.create_release(
            s, project="default", version=version, kind="service", release_notes=f"Notes {version}",
            release_notes_i18n={"zh_CN": f"### 新增功能 {version}"},
            artifacts=[] if bundle else [spec_from_url(url=f"https://cdn.test/{version}/docker.zip", size=1234, checksum=SHA)],
        )
    if bundle:
        folder = write_bundle(tmp_path / f"src-{version}", BundleSpec(version=version, base_layer_sizes=(200_000,), app_files=5))
        archive = archive_dir(folder, tmp_path / f"bundle-{version}.zip")
        await bundles.ingest_bundle(runtime.session_factory, runtime.settings, release_id=info.id, archive=archive)
    async with runtime.session_factory() as s, s.begin():
        await releases.publish_release(s, info.id)
    return info.id


async def _client_release(server: UpkeepServer, version: str, **extra: object) -> int:
    assert server.runtime is not None
    specs = [
        spec_from_url(url=entry["url"].replace("1.2.0", version.lstrip("v")), size=1000 + i, checksum=SHA,
                      platform=platform, signature=entry["signature"])
        for i, (platform, entry) in enumerate(TAURI["platforms"].items())
    ]
    async with server.runtime.session_factory() as s, s.begin():
        info = await releases.create_release(
            s, project="default", version=version, kind="client", release_notes="Fixed some bugs.",
            release_notes_i18n={"zh_CN": TAURI["notes"]}, artifacts=specs, publish=True, **extra,  # type: ignore[arg-type]
        )
    return info.id


async def _checks(server: UpkeepServer) -> list[tuple[str, str]]:
    """(offered or current version, client's version) of every recorded check, oldest first."""
    assert server.runtime is not None
    await server.runtime.component("events", EventRecorder).flush()
    async with server.runtime.session_factory() as s:
        rows = await s.execute(
            select(UpdateEvent.version, UpdateEvent.client_version).where(UpdateEvent.action == "check")
            .order_by(UpdateEvent.id)
        )
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def _client_row(server: UpkeepServer) -> Client:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        row = await s.scalar(select(Client).where(Client.client_uuid == UUID))
    assert row is not None
    return row


async def test_service_manifest_from_bundles(server: UpkeepServer, http: httpx.AsyncClient, tmp_path: Path) -> None:
    await _service_release(server, tmp_path, "1.0.0")
    await _service_release(server, tmp_path, "1.1.0")
    headers = {"X-Client-ID": UUID, "accept-language": "zh-CN"}
    seen = (await _client_row(server)).last_seen_at

    response = await http.get("/api/v1/services/updates/manifest", params={"current_version": "1.0.0"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert shape(body) == shape(seed_example(SEED + "service_manifest.json"))
    assert (body["version"], body["channel"], body["notes"]) == ("1.1.0", "stable", "### 新增功能 1.1.0")
    assert body["release_date"].endswith("Z") and datetime.fromisoformat(body["release_date"])
    full, incremental = body["packages"]["full"], body["packages"]["incremental"]
    assert full["url"] == f"{PUBLIC}/api/v1/packages/default/1.1.0/docker.zip"
    assert incremental["url"] == f"{PUBLIC}/api/v1/packages/default/1.1.0/incremental-from-1.0.0.zip"
    assert full["hash"].startswith("sha256:") and incremental["size"] < full["size"]
    row = await _client_row(server)
    assert row.service_version == "1.0.0" and row.last_seen_at > seen

    alias = await http.get("/api/v1/docker/update/manifest", params={"current_version": "1.0.0"}, headers=headers)
    assert alias.status_code == 200 and alias.json() == body
    english = await http.get("/api/v1/services/updates/manifest", params={"current_version": "1.0.0"}, headers={"X-Client-ID": UUID})
    assert english.json()["notes"] == "Notes 1.1.0"
    far_behind = (await http.get(
        "/api/v1/services/updates/manifest", params={"current_version": "0.9.0"}, headers=headers
    )).json()
    assert far_behind["packages"]["incremental"] == far_behind["packages"]["full"]

    current = await http.get("/api/v1/services/updates/manifest", params={"current_version": "v1.1.0"}, headers=headers)
    assert current.status_code == 304 and current.content == b""
    assert (await _client_row(server)).service_version == "v1.1.0"
    assert await _checks(server) == [
        ("1.1.0", "1.0.0"), ("1.1.0", "1.0.0"), ("1.1.0", "1.0.0"), ("1.1.0", "0.9.0"), ("v1.1.0", "v1.1.0"),
    ]


async def test_service_manifest_bad_input_changes_nothing(server: UpkeepServer, http: httpx.AsyncClient, tmp_path: Path) -> None:
    await _service_release(server, tmp_path, "2.0.0", bundle=False)
    headers = {"X-Client-ID": UUID}
    ok = (await http.get("/api/v1/services/updates/manifest", params={"current_version": "1.0.0"}, headers=headers)).json()
    assert ok["packages"]["full"] == ok["packages"]["incremental"] == {
        "url": "https://cdn.test/2.0.0/docker.zip", "hash": SHA, "size": 1234,
    }
    before = await _client_row(server)
    cases = [
        ({}, headers, 400, "INVALID_INPUT"),
        ({"current_version": "one"}, {**headers, "accept-language": "zh-CN"}, 400, "INVALID_VERSION"),
        ({"current_version": "1.0.0", "channel": "nightly"}, headers, 404, "CHANNEL_NOT_FOUND"),
        ({"current_version": "1.0.0"}, {}, 400, "MISSING_CLIENT_ID"),
    ]
    for params, hdrs, status, code in cases:
        response = await http.get("/api/v1/services/updates/manifest", params=params, headers=hdrs)
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error_code", "message"} and response.json()["error_code"] == code
    after = await _client_row(server)
    assert (after.service_version, after.last_seen_at) == (before.service_version, before.last_seen_at)
    assert len(await _checks(server)) == 1  # refused requests recorded nothing


async def test_tauri_static_manifest(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    await _client_release(server, "v1.2.0")
    headers = {"X-Client-ID": UUID, "accept-language": "zh-CN"}
    params = {"platform": "windows-x86_64", "current_version": "1.0.0"}
    response = await http.get("/api/v1/client/updates/manifest", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert shape(body) == shape(TAURI)
    assert body == {**TAURI, "pub_date": body["pub_date"]}  # every field as in the seed's example
    assert (await _client_row(server)).client_version == "1.0.0"

    alias = await http.get("/api/v1/client/update/manifest", params={**params, "platform": "windows-x64"}, headers=headers)
    assert alias.status_code == 200 and alias.json() == body
    none = await http.get("/api/v1/client/updates/manifest", params={**params, "current_version": "1.2.0"}, headers=headers)
    assert none.status_code == 204 and none.content == b""
    bad = await http.get("/api/v1/client/updates/manifest", params={**params, "platform": "beos-x86_64"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_PLATFORM"
    missing = await http.get("/api/v1/client/updates/manifest", params=params)
    assert missing.status_code == 400 and missing.json()["error_code"] == "MISSING_CLIENT_ID"


async def test_tauri_static_manifest_needs_both_query_parameters(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    """§8.3.2: ``platform`` and ``current_version`` are required; a refused call touches nothing."""
    await _client_release(server, "v1.2.0")
    seen = (await _client_row(server)).last_seen_at
    for params in ({"current_version": "1.0.0"}, {"platform": "windows-x86_64"}, {}):
        reply = await http.get("/api/v1/client/updates/manifest", params=params,
                               headers={"X-Client-ID": UUID, "accept-language": "zh-CN"})
        assert reply.status_code == 400, reply.text
        assert shape(reply.json()) == shape(seed_example(SEED + "error.json"))
        assert reply.json()["error_code"] == "INVALID_INPUT" and "请求格式错误" in reply.json()["message"]
    row = await _client_row(server)
    assert (row.client_version, row.last_seen_at) == (None, seen)
    assert await _checks(server) == []
    answered = await http.get("/api/v1/client/updates/manifest", headers={"X-Client-ID": UUID},
                              params={"platform": "windows-x86_64", "current_version": "1.0.0"})
    assert answered.status_code == 200 and (await _client_row(server)).last_seen_at > seen


async def test_tauri_dynamic_endpoint(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    release_id = await _client_release(server, "1.2.0")
    windows = TAURI["platforms"]["windows-x86_64"]
    answer = await http.get("/default/tauri/windows/x86_64/1.0.0")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"version", "notes", "pub_date", "url", "signature"}
    assert (body["version"], body["url"], body["signature"], body["notes"]) == (
        "1.2.0", windows["url"], windows["signature"], "Fixed some bugs.",
    )
    assert datetime.fromisoformat(body["pub_date"]).tzinfo is not None  # RFC 3339
    mac = (await http.get("/default/tauri/darwin/aarch64/v1.1.9", headers={"X-Client-ID": UUID})).json()
    assert mac["url"] == TAURI["platforms"]["darwin-aarch64"]["url"]
    assert (await _client_row(server)).client_version == "v1.1.9"

    assert (await http.get("/default/tauri/linux/x86_64/1.2.0")).status_code == 204
    assert await _checks(server) == [("1.2.0", "1.0.0"), ("1.2.0", "v1.1.9"), ("1.2.0", "1.2.0")]
    assert (await http.get("/default/tauri/linux/i686/1.0.0")).status_code == 204  # no artifact for it
    unknown = await http.get("/nope/tauri/linux/x86_64/1.0.0", headers={"accept-language": "zh-CN"})
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "PROJECT_NOT_FOUND"
    bad = await http.get("/default/tauri/linux/x86_64/latest")
    assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_VERSION"

    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        await releases.update_release(s, release_id, rollout_percentage=0)
    assert (await http.get("/default/tauri/windows/x86_64/1.0.0")).status_code == 204  # rolled out to nobody
    async with server.runtime.session_factory() as s, s.begin():
        await channels.update_channel(s, "default", "stable", is_active=False)
        await releases.update_release(s, release_id, rollout_percentage=100)
    assert (await http.get("/default/tauri/windows/x86_64/1.0.0")).status_code == 204  # inactive channel
