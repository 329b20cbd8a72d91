"""Seed 1 HTTP API against the seed's own examples (tests/fixtures/seeds), SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from server.db.models import Release, UpdateEvent
from server.services import projects
from server.services.roles import Role
from server.services.tokens import create_token

SEED = json.loads((Path(__file__).parents[1] / "fixtures/seeds/runpanel_update_service.json").read_text())
CHECKSUM = "sha256:" + "3f" * 32
GO_TYPES = {"bool": bool, "string": str, "int": int, "int64": int}

pytestmark = pytest.mark.integration


async def make_token(server, role: Role) -> str:
    async with server.runtime.session_factory() as s, s.begin():
        return (await create_token(s, name=f"test-{role.label}", role=role)).secret


@pytest.fixture
async def http(db_engine, running_server):
    """A client of the running server carrying an operator token."""
    token = await make_token(running_server, Role.OPERATOR)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_server.http_port}", timeout=10,
                                 headers={"authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def sf(db_engine, running_server):
    return running_server.runtime.session_factory


def seed_version(**changes):
    body = dict(SEED["admin_create_version"]["body"], file_checksum=CHECKSUM)  # seed's is elided ("abc123...")
    body.update(changes)
    return body


async def release_count(sf) -> int:
    async with sf() as s:
        return await s.scalar(select(func.count()).select_from(Release))


async def test_seed_example_round_trip_with_cn_mirror(http, sf):
    async with sf() as s, s.begin():
        await projects.ensure_project(s, "default")
        await projects.update_project(s, "default", download_mirrors={
            "default": "https://releases.runpanel.dev", "cn": "https://releases.runpanel.cn"})
    ex = SEED["check_update"]
    created = await http.post(SEED["admin_create_version"]["path"], json=seed_version(
        file_url="https://releases.runpanel.dev/v1.2.3/paneld-linux-amd64", platform="linux-amd64"))
    assert created.status_code == 201, created.text
    version = created.json()["data"]
    assert set(SEED["versions_columns"]) <= set(version)
    assert version["is_published"] is False and version["version"] == "v1.2.3"

    before = (await http.post(ex["path"], json=ex["body"])).json()
    assert before == {"code": 200, "data": {**before["data"], "has_update": False}}

    path = SEED["admin_publish_version"]["path"].format(id=version["id"])
    published = await http.post(path)
    assert published.status_code == 200 and published.json()["data"]["is_published"] is True

    answer = await http.post(ex["path"], json=ex["body"])
    assert answer.status_code == 200
    got, expected = answer.json(), ex["response"]
    assert set(got) == set(expected) and set(got["data"]) == set(expected["data"])
    for key, go_type in SEED["go_client_fields"].items():
        if key.startswith("_"):
            continue
        value = got[key] if key == "code" else got["data"][key]
        assert type(value) is GO_TYPES[go_type], (key, value)
    data = got["data"]
    for key in ("has_update", "latest_version", "download_url", "file_size", "is_forced", "title",
                "min_upgrade_version"):
        assert data[key] == expected["data"][key], key
    assert data["file_checksum"] == CHECKSUM
    assert data["release_notes"] == SEED["admin_create_version"]["body"]["release_notes"]

    glob = (await http.post(ex["path"], json={**ex["body"], "region": "global"})).json()["data"]
    assert glob["download_url"] == "https://releases.runpanel.dev/v1.2.3/paneld-linux-amd64"
    assert glob["file_checksum"] == data["file_checksum"]


async def test_download_and_install_events_are_recorded(http, sf):
    created = (await http.post("/admin/api/v1/versions", json=seed_version(publish=True))).json()["data"]
    for name in ("download_started", "install_result"):
        ex = SEED[name]
        reply = await http.post(ex["path"], json=ex["body"])
        assert reply.status_code == 200 and reply.json()["code"] == 200, reply.text
    failed = await http.post("/api/v1/install-result", json={**SEED["install_result"]["body"], "success": False,
                                                              "error_message": "disk full"})
    assert failed.status_code == 200
    async with sf() as s:
        rows = (await s.execute(select(UpdateEvent.action, UpdateEvent.release_id, UpdateEvent.error_message)
                                .order_by(UpdateEvent.id))).all()
    assert [tuple(r) for r in rows] == [
        ("download", created["id"], None), ("success", created["id"], None), ("failed", created["id"], "disk full")]


async def test_check_events_and_stats_endpoints(http, running_server):
    await http.post("/admin/api/v1/versions", json=seed_version(publish=True))
    body = SEED["check_update"]["body"]
    for i in range(6):
        region = "cn" if i % 3 else "global"
        await http.post("/api/v1/check-update", json={**body, "client_id": f"c{i}", "region": region,
                                                      "current_version": "v1.2.0" if i < 4 else "1.1.0"})
    await http.post(SEED["install_result"]["path"], json=SEED["install_result"]["body"])
    await running_server.runtime.components["events"].flush()
    ex = SEED["admin_stats"]
    stats = (await http.get(ex["path"], params=ex["query"])).json()
    assert stats["code"] == 200
    assert stats["data"]["actions"]["check"] == 6 and stats["data"]["actions"]["success"] == 1
    assert stats["data"]["total"] == 7 and stats["data"]["success_rate"] == 100.0
    only = (await http.get(ex["path"], params={"period": "24h", "action": "check"})).json()["data"]
    assert only["actions"] == {"check": 6} and only["total"] == 6
    dist = (await http.get(SEED["admin_stats_distribution"]["path"])).json()["data"]
    assert [(v["version"], v["count"]) for v in dist["versions"]] == [("1.2.0", 4), ("1.1.0", 2)]
    assert dist["releases"][0]["version"] == "v1.2.3" and dist["releases"][0]["successes"] == 1
    regions = (await http.get(SEED["admin_stats_regions"]["path"])).json()["data"]
    assert [(r["region"], r["count"]) for r in regions["regions"]] == [("cn", 4), ("global", 2)]


async def test_fast_lane_and_route_answer_byte_for_byte_alike(http, running_server, sf):
    """A body too large for the fast lane goes through the FastAPI route: same bytes, same event."""
    await http.post("/admin/api/v1/versions", json=seed_version(
        publish=True, title="RunPanel v1.2.3 稳定版发布", release_notes="修复 — “引号” 与 emoji 🚀"))
    body = json.dumps({**SEED["check_update"]["body"], "client_id": "lane"})
    headers = {"content-type": "application/json", "user-agent": "RunPanel/1.2.0"}
    lane = await http.post("/api/v1/check-update", content=body, headers=headers)
    route = await http.post("/api/v1/check-update", content=body + " " * 70_000, headers=headers)
    assert lane.status_code == route.status_code == 200
    assert lane.content == route.content and "稳定版".encode() in lane.content
    assert lane.headers["content-type"] == route.headers["content-type"] == "application/json"
    assert lane.headers["content-length"] == route.headers["content-length"]
    await running_server.runtime.components["events"].flush()
    async with sf() as s:
        rows = (await s.execute(select(UpdateEvent.client_id, UpdateEvent.user_agent, UpdateEvent.action)
                                .where(UpdateEvent.client_id == "lane"))).all()
    assert [tuple(r) for r in rows] == [("lane", "RunPanel/1.2.0", "check")] * 2


async def test_fast_lane_hands_bad_input_to_the_route(http):
    """Errors keep the route's envelope, whichever way the request came in."""
    as_text = await http.post("/api/v1/check-update", content=json.dumps(SEED["check_update"]["body"]),
                              headers={"content-type": "text/plain"})
    wrong_type = await http.post("/api/v1/check-update", json={"current_version": 120})
    assert as_text.status_code == wrong_type.status_code == 400
    assert as_text.json()["error_code"] == wrong_type.json()["error_code"] == "INVALID_INPUT"
    assert as_text.json()["code"] == 400


async def test_versions_list_update_delete_and_channels(http, sf):
    ids = []
    for v in ("v1.0.0", "v1.1.0", "v2.0.0-beta.1"):
        reply = await http.post("/admin/api/v1/versions", json=seed_version(
            version=v, channel="beta" if "beta" in v else "stable"))
        ids.append(reply.json()["data"]["id"])
    ex = SEED["admin_list_versions"]
    listed = (await http.get(ex["path"], params=ex["query"])).json()["data"]
    assert [v["version"] for v in listed["items"]] == ["v1.1.0", "v1.0.0"] and listed["total"] == 2
    page2 = (await http.get(ex["path"], params={"page": 2, "limit": 1})).json()["data"]
    assert [v["version"] for v in page2["items"]] == ["v1.1.0"] and page2["total"] == 3

    updated = await http.put(SEED["admin_update_version"]["path"].format(id=ids[0]),
                             json={"title": "New title", "file_size": 42})
    assert updated.status_code == 200
    assert updated.json()["data"]["title"] == "New title" and updated.json()["data"]["file_size"] == 42
    assert updated.json()["data"]["file_checksum"] == CHECKSUM

    deleted = await http.delete(SEED["admin_delete_version"]["path"].format(id=ids[0]))
    assert deleted.status_code == 200
    assert (await http.delete(f"/admin/api/v1/versions/{ids[0]}")).status_code == 404
    assert await release_count(sf) == 2

    channels = (await http.get(SEED["admin_list_channels"]["path"])).json()["data"]
    assert [{k: c[k] for k in ("name", "display_name", "description")} for c in channels] == SEED["channels_seeded"]
    assert set(SEED["channels_columns"]) == set(channels[0])
    ex = SEED["admin_update_channel"]
    changed = await http.put(ex["path"].format(id=channels[0]["id"]), json=ex["body"])
    assert changed.status_code == 200 and changed.json()["data"]["rollout_percentage"] == 50


async def test_unknown_ids_are_404_in_seed_envelope_and_change_nothing(http, sf):
    created = (await http.post("/admin/api/v1/versions", json=seed_version())).json()["data"]
    channels = (await http.get(SEED["admin_list_channels"]["path"])).json()["data"]
    missing = max([created["id"], *(c["id"] for c in channels)]) + 1000
    cases = [
        ("put", SEED["admin_update_version"]["path"], {"title": "x"}, "RELEASE_NOT_FOUND"),
        ("post", SEED["admin_publish_version"]["path"], None, "RELEASE_NOT_FOUND"),
        ("delete", SEED["admin_delete_version"]["path"], None, "RELEASE_NOT_FOUND"),
        ("put", SEED["admin_update_channel"]["path"], SEED["admin_update_channel"]["body"], "CHANNEL_NOT_FOUND"),
    ]
    for method, path, body, code in cases:
        reply = await http.request(method.upper(), path.format(id=missing), json=body,
                                   headers={"accept-language": "zh-CN"})
        assert reply.status_code == 404, (path, reply.text)
        payload = reply.json()
        assert payload["code"] == 404 and payload["error_code"] == code and "未找到" in payload["message"]
    assert (await http.get(SEED["admin_list_channels"]["path"])).json()["data"] == channels
    listed = (await http.get("/admin/api/v1/versions")).json()["data"]["items"]
    assert [(v["id"], v["title"], v["is_published"]) for v in listed] == [(created["id"], created["title"], False)]


async def test_publish_time_and_an_inactive_channel_as_the_seed_columns_say(http):
    created = (await http.post("/admin/api/v1/versions", json=seed_version())).json()["data"]
    assert created["is_published"] is False and created["publish_time"] is None
    published = (await http.post(SEED["admin_publish_version"]["path"].format(id=created["id"]))).json()["data"]
    assert published["is_published"] is True and published["publish_time"] is not None
    ex = SEED["check_update"]
    assert (await http.post(ex["path"], json=ex["body"])).json()["data"]["has_update"] is True

    stable = next(c for c in (await http.get(SEED["admin_list_channels"]["path"])).json()["data"]
                  if c["name"] == ex["body"]["channel"])
    path = SEED["admin_update_channel"]["path"].format(id=stable["id"])
    off = (await http.put(path, json={"is_active": False})).json()["data"]
    assert off["is_active"] is False and off["rollout_percentage"] == stable["rollout_percentage"]
    silent = (await http.post(ex["path"], json=ex["body"])).json()
    assert silent["code"] == 200 and silent["data"]["has_update"] is False and silent["data"]["download_url"] == ""
    assert set(silent["data"]) == set(ex["response"]["data"])
    assert (await http.put(path, json={"is_active": True})).json()["data"]["is_active"] is True
    assert (await http.post(ex["path"], json=ex["body"])).json()["data"]["latest_version"] == "v1.2.3"


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), [
    ("post", "/api/v1/check-update", "{not json", 400, "INVALID_INPUT"),
    ("post", "/api/v1/check-update", {"current_version": "1.2", "client_id": "x"}, 400, "INVALID_VERSION"),
    ("post", "/api/v1/check-update", {"current_version": "1.2.0", "channel": "nightly"}, 404, "CHANNEL_NOT_FOUND"),
    ("post", "/api/v1/check-update", {"current_version": "1.2.0", "project": "nope"}, 404, "PROJECT_NOT_FOUND"),
    ("post", "/api/v1/check-update", {"current_version": "1.2.0", "os": "plan9", "arch": "x"}, 400, "INVALID_PLATFORM"),
    ("post", "/api/v1/download-started", {"version": "banana", "client_id": "x"}, 400, "INVALID_VERSION"),
    ("post", "/admin/api/v1/versions", "{", 400, "INVALID_INPUT"),
    ("post", "/admin/api/v1/versions", {**SEED["admin_create_version"]["body"], "version": "1.2",
                                        "file_checksum": CHECKSUM}, 400, "INVALID_VERSION"),
    ("post", "/admin/api/v1/versions", SEED["admin_create_version"]["body"], 400, "INVALID_CHECKSUM"),
    ("post", "/admin/api/v1/versions", {**SEED["admin_create_version"]["body"], "file_checksum": CHECKSUM,
                                       "channel": "nightly"}, 404, "CHANNEL_NOT_FOUND"),
    ("get", "/admin/api/v1/versions?limit=1000", None, 400, "PAGE_TOO_LARGE"),
    ("get", "/admin/api/v1/versions?page=-1", None, 400, "INVALID_PAGE"),
    ("get", "/admin/api/v1/stats?period=forever", None, 400, "INVALID_PERIOD"),
    ("get", "/admin/api/v1/stats?action=dance", None, 400, "INVALID_ACTION"),
    ("put", "/admin/api/v1/channels/1", {"rollout_percentage": 101}, 400, "INVALID_PERCENTAGE"),
])
async def test_bad_input_is_refused_in_seed_envelope_and_changes_nothing(http, sf, method, path, body, status, code):
    kwargs = {"content": body} if isinstance(body, str) else ({"json": body} if body is not None else {})
    if isinstance(body, str):
        kwargs["headers"] = {"content-type": "application/json"}
    reply = await getattr(http, method)(path, **kwargs)
    assert reply.status_code == status, reply.text
    payload = reply.json()
    assert payload["code"] == status and payload["error_code"] == code and payload["message"]
    assert await release_count(sf) == 0


async def test_duplicate_version_is_409_and_messages_follow_accept_language(http, sf):
    assert (await http.post("/admin/api/v1/versions", json=seed_version())).status_code == 201
    english = await http.post("/admin/api/v1/versions", json=seed_version(title="again"))
    chinese = await http.post("/admin/api/v1/versions", json=seed_version(title="again"),
                              headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert english.status_code == chinese.status_code == 409
    assert english.json()["error_code"] == chinese.json()["error_code"] == "VERSION_EXISTS"
    assert "already exists" in english.json()["message"]
    assert "已存在" in chinese.json()["message"]
    assert await release_count(sf) == 1
    bad = await http.post("/api/v1/check-update", json={"current_version": "x"}, headers={"accept-language": "zh"})
    assert "版本" in bad.json()["message"]


async def test_admin_api_needs_a_token_with_the_right_role(http, running_server, sf):
    base = f"http://127.0.0.1:{running_server.http_port}"
    viewer = await make_token(running_server, Role.VIEWER)
    async with httpx.AsyncClient(base_url=base, timeout=10) as anonymous:
        missing = await anonymous.get("/admin/api/v1/versions")
        wrong = await anonymous.post("/admin/api/v1/versions", json=seed_version(),
                                     headers={"authorization": "Bearer upk_wrong"})
        as_viewer = await anonymous.post("/admin/api/v1/versions", json=seed_version(),
                                         headers={"authorization": f"Bearer {viewer}"})
        viewer_reads = await anonymous.get("/admin/api/v1/channels", headers={"authorization": f"Bearer {viewer}"})
        client_api = await anonymous.post("/api/v1/check-update", json=SEED["check_update"]["body"])
    assert missing.status_code == 401 and missing.json()["code"] == 401
    assert wrong.status_code == 401 and as_viewer.status_code == 403 and as_viewer.json()["code"] == 403
    assert viewer_reads.status_code == 200 and client_api.status_code == 200
    assert await release_count(sf) == 0


async def test_openapi_documents_400_envelopes_and_stats_models(http):
    schema = (await http.get("/openapi.json")).json()
    answers = {(path, method): op["responses"] for path, ops in schema["paths"].items() for method, op in ops.items()}
    assert [key for key, responses in answers.items() if "422" in responses] == []
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error_of = lambda path, method: answers[(path, method)]["400"]["content"]["application/json"]["schema"]["$ref"]  # noqa: E731
    assert error_of("/api/v1/check-update", "post").endswith("/LegacyErrorBody")
    assert error_of("/api/v1/clients/register", "post").endswith("/ErrorBody")
    for path, model in (("/admin/api/v1/stats", "StatsEnvelope"), ("/admin/api/v1/stats/distribution",
                        "DistributionEnvelope"), ("/admin/api/v1/stats/regions", "RegionsEnvelope")):
        ok = answers[(path, "get")]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.endswith("/" + model) and model in schema["components"]["schemas"]
        assert error_of(path, "get").endswith("/LegacyErrorBody")
