"""Admin authentication at both edges: 401/403 over HTTP and gRPC, in both languages."""

from __future__ import annotations

import os
import subprocess
import sys

import grpc
import httpx
import pytest
from sqlalchemy import func, select

from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import admin_pb2_grpc, common_pb2
from server.app import UpkeepServer
from server.db.models import ApiToken, AuditLog
from server.rpc.errors import ERROR_CODE_KEY
from server.services import tokens
from server.services.roles import Role
from tests.fixtures.servers import REPO_ROOT, run_cli, server_env

pytestmark = pytest.mark.integration


async def _token(server: UpkeepServer, role: Role, name: str | None = None) -> str:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s, s.begin():
        return (await tokens.create_token(s, name=name or role.label, role=role)).secret


async def _count(server: UpkeepServer, model: type) -> int:
    assert server.runtime is not None
    async with server.runtime.session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(autouse=True)
def _clean_database(db_engine) -> None:  # type: ignore[no-untyped-def]
    """Every test starts from empty tables (db_url is shared by the session)."""


@pytest.fixture
async def http(running_server: UpkeepServer):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_server.http_port}", timeout=10) as client:
        yield client


@pytest.fixture
async def admin_stub(running_server: UpkeepServer):  # type: ignore[no-untyped-def]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running_server.grpc_port}") as channel:
        yield admin_pb2_grpc.AdminServiceStub(channel)


async def test_http_401_403_and_token_roundtrip(running_server: UpkeepServer, http: httpx.AsyncClient) -> None:
    missing = await http.get("/admin/api/v1/tokens")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["code"] == 401 and missing.json()["error_code"] == "TOKEN_REQUIRED"

    wrong = await http.get("/admin/api/v1/tokens", headers={"authorization": "Bearer upk_wrong", "accept-language": "zh-CN"})
    assert wrong.status_code == 401 and wrong.json()["error_code"] == "INVALID_TOKEN"
    assert "令牌" in wrong.json()["message"]

    viewer = await _token(running_server, Role.VIEWER)
    denied = await http.post(
        "/admin/api/v1/tokens", json={"name": "x", "role": "admin"}, headers={"authorization": f"Bearer {viewer}"}
    )
    assert denied.status_code == 403 and denied.json()["error_code"] == "PERMISSION_DENIED"
    assert denied.json()["message"] == "This action needs the admin role."
    assert await _count(running_server, ApiToken) == 1  # the refused call created nothing

    admin = {"authorization": f"Bearer {await _token(running_server, Role.ADMIN)}"}
    created = await http.post("/admin/api/v1/tokens", json={"name": "deploy", "role": "operator", "ttl_days": 30}, headers=admin)
    assert created.status_code == 201
    body = created.json()
    assert body["token"]["role"] == "operator" and body["token"]["expires_at"] is not None
    secret = body["secret"]
    listed = await http.get("/admin/api/v1/tokens", headers={"authorization": f"Bearer {secret}"})
    assert listed.status_code == 403  # operator may not manage tokens

    bad = await http.post("/admin/api/v1/tokens", json={"name": "x", "role": "root"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_INPUT"
    too_big = await http.get("/admin/api/v1/tokens?limit=1000", headers=admin)
    assert too_big.status_code == 400 and too_big.json()["error_code"] == "PAGE_TOO_LARGE"

    revoked = await http.delete(f"/admin/api/v1/tokens/{body['token']['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    after = await http.get("/admin/api/v1/tokens", headers={"authorization": f"Bearer {secret}"})
    assert after.status_code == 401

    audit = await http.get("/admin/api/v1/audit-log", headers=admin)
    assert audit.status_code == 200
    actions = [(e["actor"], e["action"], e["target_id"]) for e in audit.json()["entries"]]
    assert actions == [
        ("token:admin", "api_token.revoke", str(body["token"]["id"])),
        ("token:admin", "api_token.create", str(body["token"]["id"])),
    ]
    assert audit.json()["entries"][0]["ip"] == "127.0.0.1"
    schema = (await http.get("/openapi.json")).json()
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert {"401", "403"} <= set(schema["paths"]["/admin/api/v1/tokens"]["get"]["responses"])


async def test_grpc_unauthenticated_denied_and_admin(running_server: UpkeepServer, admin_stub) -> None:  # type: ignore[no-untyped-def]
    request = pb.CreateApiTokenRequest(name="robot", role=common_pb2.ROLE_VIEWER)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await admin_stub.CreateApiToken(request, metadata=(("accept-language", "zh-CN"),))
    assert missing.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "令牌" in (missing.value.details() or "")
    assert dict(missing.value.trailing_metadata() or ())[ERROR_CODE_KEY] == "TOKEN_REQUIRED"

    operator = await _token(running_server, Role.OPERATOR)
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await admin_stub.CreateApiToken(request, metadata=(("authorization", f"Bearer {operator}"),))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    info = await admin_stub.GetServerInfo(pb.GetServerInfoRequest(), metadata=(("authorization", f"Bearer {operator}"),))
    assert info.caller_role == common_pb2.ROLE_OPERATOR and info.default_project == "default"
    assert list(info.locales) == ["en", "zh_CN"]
    assert info.signing_public_key.startswith("untrusted comment:") and info.signing_key_id
    assert info.signing_key_id in info.signing_public_key.upper()

    admin_md = (("authorization", f"Bearer {await _token(running_server, Role.ADMIN)}"),)
    with pytest.raises(grpc.aio.AioRpcError) as no_role:
        await admin_stub.CreateApiToken(pb.CreateApiTokenRequest(name="x"), metadata=admin_md)
    assert no_role.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    tokens_before = await _count(running_server, ApiToken)

    created = await admin_stub.CreateApiToken(request, metadata=admin_md)
    assert created.token.startswith("upk_") and created.api_token.token_prefix == created.token[:12]
    assert await _count(running_server, ApiToken) == tokens_before + 1
    listed = await admin_stub.ListApiTokens(pb.ListApiTokensRequest(), metadata=admin_md)
    assert {t.name for t in listed.api_tokens} == {"operator", "admin", "robot"}
    assert listed.page.total == 3

    revoked = await admin_stub.RevokeApiToken(pb.RevokeApiTokenRequest(api_token_id=created.api_token.id), metadata=admin_md)
    assert revoked.api_token.HasField("revoked_at")
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await admin_stub.GetServerInfo(pb.GetServerInfoRequest(), metadata=(("authorization", f"Bearer {created.token}"),))
    assert gone.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await admin_stub.RevokeApiToken(pb.RevokeApiTokenRequest(api_token_id=9999), metadata=admin_md)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    assert await _count(running_server, AuditLog) == 2  # create + revoke; refused calls wrote nothing


def _create_admin(env: dict[str, str], name: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "create-admin", "--username", name, "--password-stdin"],
        input=password + "\n", env={**os.environ, "LANG": "C.UTF-8", **env},
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )


def test_cli_create_admin_and_tokens(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = server_env(db_url, tmp_path / "data")
    made = _create_admin(env, "root", "s3cret-pass")
    assert made.returncode == 0, made.stderr
    assert "Admin root created." in made.stdout
    again = _create_admin(env, "root", "s3cret-pass")
    assert again.returncode == 1 and "The user root already exists." in again.stderr
    weak = _create_admin(env, "other", "short")
    assert weak.returncode == 1 and "at least 8 characters" in weak.stderr

    created = run_cli(["token", "create", "--role", "operator", "--name", "cli"], env)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("upk_") and "shown only once" in created.stderr
    listed = run_cli(["token", "list"], env)
    line = next(l for l in listed.stdout.splitlines() if l.endswith("\tactive"))
    assert secret not in listed.stdout and secret[:12] in line and "\toperator\tcli\t" in line
    token_id = line.split("\t")[0]
    assert run_cli(["token", "revoke", token_id], env).returncode == 0
    assert run_cli(["token", "list"], env).stdout == ""
    assert run_cli(["token", "list", "--all"], env).stdout.rstrip().endswith("\trevoked")


def test_cli_create_admin_prompts_on_a_terminal(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import fcntl
    import pty
    import select as poll
    import termios

    env = {**os.environ, "LANG": "C.UTF-8", **server_env(db_url, tmp_path / "data")}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "create-admin", "--username", "tty"],
        stdin=slave, stdout=slave, stderr=slave, cwd=REPO_ROOT, env=env, start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # the pty becomes its terminal
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            ready, _w, _x = poll.select([master], [], [], 60)
            assert ready, f"no {marker!r} prompt; got {seen!r}"
            seen += os.read(master, 1024)

    try:
        read_until(b"Password: ")
        os.write(master, b"terminal-pass\n")
        read_until(b"Repeat the password: ")
        os.write(master, b"terminal-pass\n")
        read_until(b"Admin tty created.")
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        os.close(master)
    assert b"terminal-pass" not in seen  # never echoed
