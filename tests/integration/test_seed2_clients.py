"""Seed 2 §8 client API against the seed's own examples: register, X-Client-ID, history,
announcements, diagnostics — on SQLite and PostgreSQL, errors in both languages."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import admin_pb2_grpc, common_pb2
from server.app import UpkeepServer
from server.db.models import (
    AuditLog,
    Client,
    ClientSelfUpgradeHistory,
    Diagnostic,
    EventRollup,
    ServiceUpgradeHistory,
    UpdateEvent,
)
from server.services import projects, tokens
from server.services.announcements import AnnouncementBus
from server.services.roles import Role
from tests.fixtures.seed_examples import seed_example, shape
from tests.fixtures.servers import make_settings

pytestmark = pytest.mark.integration

SEED = "service_upgrade_platform/"
UUID = seed_example(SEED + "register_request.json")["client_uuid"]
DIAG_LIMIT = 4096


@pytest.fixture
async def server(db_engine, db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    srv = UpkeepServer(
        make_settings(db_url, tmp_path / "data", UPKEEP_MAX_DIAGNOSTICS_BYTES=str(DIAG_LIMIT)), console=False
    )
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def http(server: UpkeepServer):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10) as client:
        yield client


@pytest.fixture
async def admin(server: UpkeepServer):  # type: ignore[no-untyped-def]
    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        secret = (await tokens.create_token(s, name="ops", role=Role.OPERATOR)).secret
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        yield stub, (("authorization", f"Bearer {secret}"),)


async def _count(server: UpkeepServer, model: type) -> int:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def _client_row(server: UpkeepServer, uuid: str = UUID) -> Client:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        row = await s.scalar(select(Client).where(Client.client_uuid == uuid))
    assert row is not None
    return row


def _seed_error(response: httpx.Response, status: int, error_code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert shape(body) == shape(seed_example(SEED + "error.json"))
    assert body["error_code"] == error_code
    return body


async def test_register(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    created = await http.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))
    assert created.status_code == 201 and created.content == b""
    row = await _client_row(server)
    assert (row.os_type, row.os_version, row.architecture, row.kind) == ("macos", "14.5", "aarch64", "app")

    again = await http.post(
        "/api/v1/clients/register", json=seed_example(SEED + "register_request.json"),
        headers={"accept-language": "zh-CN"},
    )
    assert "已注册" in _seed_error(again, 409, "CLIENT_EXISTS")["message"]

    for bad in (b"{not json", b'{"os_type": "linux"}', b'{"client_uuid": "not-a-uuid"}', b'[]'):
        response = await http.post(
            "/api/v1/clients/register", content=bad, headers={"content-type": "application/json"}
        )
        _seed_error(response, 400, "INVALID_CLIENT_ID" if b"not-a-uuid" in bad else "INVALID_INPUT")
    unknown = await http.post(
        "/api/v1/clients/register",
        json={"client_uuid": "00000000-0000-0000-0000-000000000001", "project": "nope"},
    )
    _seed_error(unknown, 404, "PROJECT_NOT_FOUND")
    assert await _count(server, Client) == 1  # nothing else was created


async def test_register_into_a_named_project(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        await projects.create_project(s, slug="duck", name="Duck")
    response = await http.post(
        "/api/v1/clients/register", json={**seed_example(SEED + "register_request.json"), "project": "duck"}
    )
    assert response.status_code == 201
    async with server.runtime.session_factory() as s:
        project = await projects.get_project(s, "duck")
    assert (await _client_row(server)).project_id == project.id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/history/service-upgrades"),
        ("POST", "/api/v1/history/client-self-upgrades"),
        ("GET", "/api/v1/announcements"),
        ("POST", "/api/v1/diagnostics/upload"),
    ],
)
async def test_x_client_id_is_required(http: httpx.AsyncClient, method: str, path: str) -> None:
    body = seed_example(SEED + "service_upgrade_request.json") if method == "POST" else None
    missing = await http.request(method, path, json=body)
    assert _seed_error(missing, 400, "MISSING_CLIENT_ID")["message"] == "The X-Client-ID header is required."
    chinese = await http.request(method, path, json=body, headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert "X-Client-ID" in _seed_error(chinese, 400, "MISSING_CLIENT_ID")["message"]
    assert "请求头" in chinese.json()["message"]
    malformed = await http.request(method, path, json=body, headers={"x-client-id": "12345"})
    _seed_error(malformed, 400, "INVALID_CLIENT_ID")


async def test_every_call_with_x_client_id_marks_the_client_seen(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    """§8.1: the server updates ``last_seen_at`` from X-Client-ID on each call (register aside)."""
    await http.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))
    calls = [
        ("GET", "/api/v1/announcements", {}),
        ("GET", "/api/v1/services/updates/manifest", {"params": {"current_version": "1.0.0"}}),
        ("POST", "/api/v1/history/client-self-upgrades",
         {"json": seed_example(SEED + "client_self_upgrade_request.json")}),
        ("POST", "/api/v1/diagnostics/upload", {"files": {"file": ("diag.zip", b"PK", "application/zip")}}),
    ]
    for method, path, kwargs in calls:
        before = (await _client_row(server)).last_seen_at
        reply = await http.request(method, path, headers={"X-Client-ID": UUID}, **kwargs)
        assert reply.status_code < 400, (path, reply.text)
        assert (await _client_row(server)).last_seen_at > before, path


async def test_history_reports(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    await http.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))
    seen_before = (await _client_row(server)).last_seen_at
    headers = {"X-Client-ID": UUID.upper()}  # any UUID spelling identifies the client

    service = await http.post(
        "/api/v1/history/service-upgrades", json=seed_example(SEED + "service_upgrade_request.json"), headers=headers
    )
    assert service.status_code == 202 and service.content == b""
    own = await http.post(
        "/api/v1/history/client-self-upgrades", json=seed_example(SEED + "client_self_upgrade_request.json"),
        headers=headers,
    )
    assert own.status_code == 202 and own.content == b""

    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        svc = (await s.scalars(select(ServiceUpgradeHistory))).one()
        cli = (await s.scalars(select(ClientSelfUpgradeHistory))).one()
    assert (svc.from_version, svc.to_version, svc.status) == ("1.1.0", "1.2.0", "SUCCESS")
    assert svc.details == "Upgrade failed due to network error during image pull."
    assert (cli.from_version, cli.to_version, cli.status, cli.details) == ("0.1.0", "0.2.0", "SUCCESS", None)
    row = await _client_row(server)
    assert (row.service_version, row.client_version) == ("1.2.0", "0.2.0")
    assert row.last_seen_at > seen_before

    failed = {"from_version": "1.2.0", "to_version": "1.3.0", "status": "FAILED", "details": "health check"}
    assert (await http.post("/api/v1/history/service-upgrades", json=failed, headers=headers)).status_code == 202
    assert (await _client_row(server)).service_version == "1.2.0"  # a failure changes no installed version

    for bad in ({**failed, "status": "MAYBE"}, {**failed, "to_version": "one"}, {"status": "SUCCESS"}):
        response = await http.post("/api/v1/history/service-upgrades", json=bad, headers=headers)
        assert response.status_code == 400 and set(response.json()) == {"error_code", "message"}
    stranger = await http.post(
        "/api/v1/history/service-upgrades", json=failed,
        headers={"X-Client-ID": "00000000-0000-0000-0000-0000000000ff", "accept-language": "zh-CN"},
    )
    assert "未注册" in _seed_error(stranger, 404, "CLIENT_NOT_REGISTERED")["message"]
    assert await _count(server, ServiceUpgradeHistory) == 2

    async with server.runtime.session_factory() as s:  # one success/failed event per accepted report
        events = (await s.execute(
            select(UpdateEvent.action, UpdateEvent.version, UpdateEvent.client_version, UpdateEvent.error_message)
            .order_by(UpdateEvent.id)
        )).all()
        rolled = await s.scalar(
            select(func.sum(EventRollup.count)).where(EventRollup.action == "success", EventRollup.region == "*")
        )
    assert [tuple(e) for e in events] == [
        ("success", "1.2.0", "1.1.0", None), ("success", "0.2.0", "0.1.0", None), ("failed", "1.3.0", "1.2.0", "health check"),
    ]
    assert rolled == 2


def _ts(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


async def test_announcements(server: UpkeepServer, http: httpx.AsyncClient, admin) -> None:  # type: ignore[no-untyped-def]
    stub, md = admin
    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        await projects.create_project(s, slug="other", name="Other")
    await http.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))
    headers = {"X-Client-ID": UUID}
    seed_text = seed_example(SEED + "announcements_response.json")["announcements"][0]["content"]
    now = datetime.now(UTC)

    bus = server.runtime.component("announcements", AnnouncementBus)
    with bus.subscribe() as pushed:
        first = await stub.CreateAnnouncement(
            pb.CreateAnnouncementRequest(
                level=common_pb2.ANNOUNCEMENT_LEVEL_INFO,
                content={"en": "Maintenance on June 26, 2:00-3:00.", "zh_CN": seed_text},
            ),
            metadata=md,
        )
        live = await asyncio.wait_for(anext(pushed), 5)
    assert live.id == first.announcement.id and live.content["zh_CN"] == seed_text
    await stub.CreateAnnouncement(  # another project's: never shown to this client
        pb.CreateAnnouncementRequest(level=common_pb2.ANNOUNCEMENT_LEVEL_CRITICAL, content={"en": "x"}, project="other"),
        metadata=md,
    )
    await stub.CreateAnnouncement(  # expired
        pb.CreateAnnouncementRequest(
            level=common_pb2.ANNOUNCEMENT_LEVEL_WARNING, content={"en": "old"},
            visible_from=_ts(now - timedelta(days=2)), visible_until=_ts(now - timedelta(days=1)),
        ),
        metadata=md,
    )
    await stub.CreateAnnouncement(  # scheduled
        pb.CreateAnnouncementRequest(
            level=common_pb2.ANNOUNCEMENT_LEVEL_WARNING, content={"en": "later"}, visible_from=_ts(now + timedelta(days=1)),
        ),
        metadata=md,
    )
    default_project = await http.get("/api/v1/announcements", headers={**headers, "accept-language": "zh-CN"})
    assert default_project.status_code == 200
    body = default_project.json()
    assert shape(body) == shape(seed_example(SEED + "announcements_response.json"))
    assert body["announcements"][0]["id"] == first.announcement.id
    assert body["announcements"][0]["content"] == seed_text
    assert body["announcements"][0]["level"] == "info"
    assert [a["id"] for a in body["announcements"]] == [first.announcement.id]
    created_at = body["announcements"][0]["created_at"]
    assert created_at.endswith("Z") and abs(datetime.fromisoformat(created_at) - now) < timedelta(minutes=1)

    english = (await http.get("/api/v1/announcements", headers={**headers, "accept-language": "en-US"})).json()
    assert english["announcements"][0]["content"] == "Maintenance on June 26, 2:00-3:00."
    later = await http.get("/api/v1/announcements", params={"since": created_at}, headers=headers)
    assert later.json() == {"announcements": []}
    earlier = await http.get(
        "/api/v1/announcements", params={"since": (now - timedelta(hours=1)).isoformat()}, headers=headers
    )
    assert len(earlier.json()["announcements"]) == 1
    bad = await http.get("/api/v1/announcements", params={"since": "yesterday"}, headers=headers)
    _seed_error(bad, 400, "INVALID_SINCE")

    listed = await stub.ListAnnouncements(pb.ListAnnouncementsRequest(), metadata=md)
    assert listed.page.total == 4
    await stub.DeleteAnnouncement(pb.DeleteAnnouncementRequest(announcement_id=first.announcement.id), metadata=md)
    assert (await http.get("/api/v1/announcements", headers=headers)).json() == {"announcements": []}
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await stub.DeleteAnnouncement(pb.DeleteAnnouncementRequest(announcement_id=first.announcement.id), metadata=md)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as no_english:
        await stub.CreateAnnouncement(
            pb.CreateAnnouncementRequest(level=common_pb2.ANNOUNCEMENT_LEVEL_INFO, content={"zh_CN": "只有中文"}),
            metadata=md,
        )
    assert no_english.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (await stub.ListAnnouncements(pb.ListAnnouncementsRequest(), metadata=md)).page.total == 3


async def test_diagnostics_upload(server: UpkeepServer, http: httpx.AsyncClient) -> None:
    await http.post("/api/v1/clients/register", json=seed_example(SEED + "register_request.json"))
    headers = {"X-Client-ID": UUID}
    payload = bytes(range(256)) * 8  # 2 KiB, under the 4 KiB limit
    name = f"diag-log-{UUID}-20250624160000.zip"
    response = await http.post(
        "/api/v1/diagnostics/upload", files={"file": (name, payload, "application/zip")}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()
    assert (body["file_name"], body["size"], body["sha256"]) == (name, len(payload), digest)
    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        row = (await s.scalars(select(Diagnostic))).one()
    stored = server.runtime.settings.storage_dir / "blobs" / row.storage_key
    assert stored.read_bytes() == payload and row.storage_key.startswith(f"diagnostics/{UUID}/")

    too_big = await http.post(
        "/api/v1/diagnostics/upload", files={"file": ("big.zip", b"x" * (DIAG_LIMIT * 20), "application/zip")},
        headers={**headers, "accept-language": "zh-CN"},
    )
    _seed_error(too_big, 413, "PAYLOAD_TOO_LARGE")

    async def chunked():  # type: ignore[no-untyped-def]
        boundary = b"upkeepboundary"
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="s.zip"\r\n\r\n'
        for _ in range(10):
            yield b"y" * 1024  # over the limit, without a Content-Length to refuse early
        yield b"\r\n--" + boundary + b"--\r\n"

    streamed = await http.post(
        "/api/v1/diagnostics/upload", content=chunked(),
        headers={**headers, "content-type": "multipart/form-data; boundary=upkeepboundary"},
    )
    _seed_error(streamed, 413, "PAYLOAD_TOO_LARGE")
    not_multipart = await http.post("/api/v1/diagnostics/upload", content=b"raw", headers=headers)
    _seed_error(not_multipart, 400, "INVALID_INPUT")
    assert await _count(server, Diagnostic) == 1
    scratch = server.runtime.settings.storage_dir / "tmp"
    assert list(scratch.iterdir()) == []  # refused uploads left nothing behind

    async with server.runtime.session_factory() as s, s.begin():
        viewer = (await tokens.create_token(s, name="viewer", role=Role.VIEWER)).secret
        operator = (await tokens.create_token(s, name="ops", role=Role.OPERATOR)).secret
    listed = await http.get("/admin/api/v1/diagnostics", params={"client_uuid": UUID}, headers={"authorization": f"Bearer {operator}"})
    assert listed.status_code == 200
    assert [(d["id"], d["sha256"], d["client_uuid"]) for d in listed.json()["diagnostics"]] == [(body["id"], digest, UUID)]
    for project, expected in ((server.runtime.settings.default_project, [body["id"]]), ("elsewhere", [])):
        per_project = await http.get("/admin/api/v1/diagnostics", params={"project": project},
                                     headers={"authorization": f"Bearer {operator}"})
        assert [d["id"] for d in per_project.json()["diagnostics"]] == expected
    denied = await http.get(f"/admin/api/v1/diagnostics/{body['id']}/download", headers={"authorization": f"Bearer {viewer}"})
    assert denied.status_code == 403 and denied.json()["code"] == 403
    fetched = await http.get(f"/admin/api/v1/diagnostics/{body['id']}/download", headers={"authorization": f"Bearer {operator}"})
    assert fetched.status_code == 200 and fetched.content == payload
    assert fetched.headers["x-checksum-sha256"] == digest.removeprefix("sha256:")
    async with server.runtime.session_factory() as s:
        audited = (await s.scalars(select(AuditLog.action).where(AuditLog.target_id == str(body["id"])))).all()
    assert audited == ["diagnostics.download"]
    stored.unlink()  # a lost blob is a clear 404, not a crash
    lost = await http.get(f"/admin/api/v1/diagnostics/{body['id']}/download", headers={"authorization": f"Bearer {operator}"})
    assert lost.status_code == 404 and lost.json()["error_code"] == "DIAGNOSTIC_NOT_FOUND"
