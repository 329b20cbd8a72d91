"""The upgrade flow on a real Docker engine: success keeps data, every failing step ends in the
previous healthy state, through compose v1 and v2."""

from __future__ import annotations

import http.server
import io
import json
import socket
import sqlite3
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from agent.upgrade import FileSource, StagedBundle, UrlSource
from generated.upkeep.v1 import agent_pb2, common_pb2
from tests.e2e.upgrade_kit import agent_cli, app_images, bundle, engine_for, install, new_node, node  # noqa: F401
from tests.fixtures.service_bundles import build_app_images, fetch, fill_data, remove_repository, snapshot, wait_for_body

pytestmark = pytest.mark.e2e


def history(node) -> list[dict]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(node.root / "state" / "history.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM upgrade_history ORDER BY id")]


def backups(node) -> list[dict]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(node.root / "state" / "history.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM backups ORDER BY id")]


def running_container(docker_client, node) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    (container,) = docker_client.containers.list(filters={"label": f"com.docker.compose.project={node.project}"})
    return container.id, container.attrs["State"]["StartedAt"]


def service_version_in_config(node) -> str:  # type: ignore[no-untyped-def]
    import tomllib

    return tomllib.loads(node.config_path.read_text())["versions"]["service"]


@pytest.mark.parametrize("flavour", ["v1", "v2"])
def test_cli_upgrade_v1_to_v2_keeps_every_byte_of_data(flavour, request, tmp_path, docker_client, app_images):  # noqa: F811
    request.getfixturevalue(f"compose_{flavour}")
    node = next(gen := new_node(tmp_path, docker_client, flavour))
    try:
        first = agent_cli(node, "upgrade", "--bundle", str(bundle(node, app_images, "1.0.0", files={"old-only.txt": b"gone in 2"})),
                          "--version", "1.0.0", "--yes")
        assert first.returncode == 0, first.stdout + first.stderr
        wait_for_body(node.url + "/version", "1.0.0", 5)
        fill_data(node.data_dir)
        assert fetch(node.url + "/data/page.txt") == "data page 1\n"
        before = snapshot(node.data_dir)

        second = agent_cli(node, "upgrade", "--bundle", str(bundle(node, app_images, "2.0.0")), "--version", "2.0.0", "--yes")
        assert second.returncode == 0, second.stdout + second.stderr
        assert "Service is now at 2.0.0" in second.stdout
        assert fetch(node.url + "/version") == "2.0.0"
        assert fetch(node.url + "/data/page.txt") == "data page 1\n"
        assert snapshot(node.data_dir) == before
        assert not (node.compose_dir / "old-only.txt").exists(), "a file the release deleted is still there"
        assert (node.compose_dir / "config" / "app.conf").read_text() == "version=2.0.0\n"
        assert service_version_in_config(node) == "2.0.0"

        rows = history(node)
        assert [(r["from_version"], r["to_version"], r["status"]) for r in rows] == [("0.0.0", "1.0.0", "SUCCESS"), ("1.0.0", "2.0.0", "SUCCESS")]
        assert set(json.loads(rows[1]["step_timings"])) >= {"download", "validate", "backup", "stop", "apply", "load", "start", "health"}
        pre = [b for b in backups(node) if b["service_version"] == "1.0.0"]
        assert len(pre) == 1 and pre[0]["backup_type"] == "pre-upgrade" and pre[0]["status"] == "completed"
        assert Path(pre[0]["file_path"]).is_file() and Path(pre[0]["data_file_path"]).is_file()

        with sqlite3.connect(node.root / "state" / "history.db") as conn:
            queued = [agent_pb2.TelemetryEvent.FromString(p) for (p,) in conn.execute("SELECT payload FROM outbox WHERE kind = 'telemetry' ORDER BY seq")]
        assert [(e.service_upgrade.from_version, e.service_upgrade.to_version, e.service_upgrade.outcome) for e in queued] == [
            ("0.0.0", "1.0.0", common_pb2.UPGRADE_OUTCOME_SUCCESS), ("1.0.0", "2.0.0", common_pb2.UPGRADE_OUTCOME_SUCCESS)]

        status = agent_cli(node, "status")
        assert status.returncode == 0, status.stderr
        assert "2.0.0" in status.stdout and "running / healthy" in status.stdout
        assert f"{flavour} " in status.stdout

        assert agent_cli(node, "stop").returncode == 0
        assert fetch(node.url + "/version") is None
        assert "exited" in agent_cli(node, "status").stdout
        assert agent_cli(node, "start").returncode == 0
        wait_for_body(node.url + "/version", "2.0.0", 30)
        assert agent_cli(node, "restart").returncode == 0
        wait_for_body(node.url + "/version", "2.0.0", 30)
        logs = agent_cli(node, "logs", "--tail", "5")
        assert logs.returncode == 0 and node.project in logs.stdout
    finally:
        next(gen, None)


async def test_unhealthy_release_is_rolled_back_automatically(node, app_images, docker_client):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    data_before, compose_before = snapshot(node.data_dir), (node.compose_dir / "docker-compose.yml").read_text()
    steps: list[str] = []
    messages: list[str] = []

    async def progress(step: str, percent: float, message: str) -> None:
        steps.append(step)
        messages.append(message)

    result = await engine.upgrade(FileSource(path=bundle(node, app_images, "2.0.0", health_path="missing"), version="2.0.0"), progress=progress)
    assert (result.status, result.failed_step, result.error_code, result.rolled_back) == ("FAILED", "health", "HEALTH_CHECK_FAILED", True)
    assert "unhealthy" in result.error
    assert "rollback" in steps
    assert messages[steps.index("rollback")].startswith("Step Health check failed: "), messages  # named, not the id
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_before
    assert (node.compose_dir / "docker-compose.yml").read_text() == compose_before
    assert service_version_in_config(node) == "1.0.0" and engine.current_version() == "1.0.0"
    last = history(node)[-1]
    assert (last["status"], last["failed_step"]) == ("FAILED", "health")
    (payload,) = engine.store.query("SELECT payload FROM outbox WHERE kind = 'telemetry' ORDER BY seq DESC LIMIT 1")
    reported = agent_pb2.TelemetryEvent.FromString(payload["payload"]).service_upgrade
    assert (reported.to_version, reported.outcome) == ("2.0.0", common_pb2.UPGRADE_OUTCOME_FAILED)
    assert reported.details.startswith("health: ")
    assert "rollback" in json.loads(last["step_timings"])


def corrupt_layer(image_tar: Path, target: Path) -> Path:
    """A docker-save archive whose structure is intact but whose layer bytes are garbage."""
    with tarfile.open(image_tar) as source, tarfile.open(target, "w") as out:
        manifest = json.load(source.extractfile("manifest.json"))  # type: ignore[arg-type]
        layers = set(manifest[0]["Layers"])
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name in layers:
                garbage = b"\x00not a layer\xff" * (member.size // 13 + 1)
                member.size = len(garbage)
                data = io.BytesIO(garbage)
            out.addfile(member, data)
    return target


async def test_failing_image_load_is_rolled_back(node, app_images, tmp_path, docker_client, busybox_image):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    data_before = snapshot(node.data_dir)
    # A release image the engine has never seen, so docker load must read its layers.
    fresh = build_app_images(docker_client, busybox_image, ["3.0.0"], tmp_path / "fresh")
    try:
        broken = corrupt_layer(fresh.tars["3.0.0"], tmp_path / "broken.tar")
        result = await engine.upgrade(FileSource(path=bundle(node, fresh, "3.0.0", image_tar=broken), version="3.0.0"))
    finally:
        remove_repository(docker_client, fresh.repository)
    assert (result.status, result.failed_step, result.error_code, result.rolled_back) == ("FAILED", "load", "IMAGE_LOAD_FAILED", True), result
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_before
    assert engine.current_version() == "1.0.0"


async def test_failing_compose_up_is_rolled_back(node, app_images):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    data_before = snapshot(node.data_dir)
    with socket.socket() as taken:  # a real fault: the release's port is in use on the node
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        result = await engine.upgrade(FileSource(path=bundle(node, app_images, "2.0.0", port=busy_port), version="2.0.0"))
    assert (result.status, result.failed_step, result.rolled_back) == ("FAILED", "start", True), result
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_before


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""
    truncate = False

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload[: len(self.payload) // 2] if self.truncate else self.payload)
        if self.truncate:
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def http_bundle_server():  # type: ignore[no-untyped-def]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_download_failures_change_nothing_and_a_good_download_installs(node, app_images, docker_client, http_bundle_server):  # noqa: F811
    import hashlib

    engine = await install(node, app_images)
    container_before = running_container(docker_client, node)
    backups_before = backups(node)
    payload = bundle(node, app_images, "2.0.0").read_bytes()
    sha = hashlib.sha256(payload).hexdigest()
    url = f"http://127.0.0.1:{http_bundle_server.server_address[1]}/2.0.0/docker.zip"
    _Handler.payload = payload

    _Handler.truncate = True  # the connection drops half-way
    result = await engine.upgrade(UrlSource(url=url, sha256=sha, version="2.0.0"))
    assert (result.status, result.failed_step, result.error_code) == ("FAILED", "download", "DOWNLOAD_FAILED")
    _Handler.truncate = False
    result = await engine.upgrade(UrlSource(url=url, sha256="0" * 64, version="2.0.0"))
    assert (result.status, result.failed_step, result.error_code) == ("FAILED", "download", "CHECKSUM_MISMATCH")
    assert running_container(docker_client, node) == container_before, "the service was touched"
    assert backups(node) == backups_before
    assert fetch(node.url + "/version") == "1.0.0"

    result = await engine.upgrade(UrlSource(url=url, sha256=sha, version="2.0.0"))
    assert result.ok, result
    assert fetch(node.url + "/version") == "2.0.0"


class IncrementalSource:
    """A source as the delta download provides one: only changed files, plus the deleted ones."""

    def __init__(self, bundle_file: Path, version: str, deleted: tuple[str, ...]) -> None:
        self.bundle_file, self.version, self.deleted = bundle_file, version, deleted
        self.description, self.size_bytes = f"incremental {version}", bundle_file.stat().st_size

    async def stage(self, folder: Path, progress) -> StagedBundle:  # type: ignore[no-untyped-def]
        with zipfile.ZipFile(self.bundle_file) as z:
            z.extractall(folder)
        await progress(100.0, "staged")
        return StagedBundle(folder=folder, version=self.version, full=False, deleted=self.deleted)


async def test_incremental_source_deletes_only_the_listed_files(node, app_images):  # noqa: F811
    engine = await install(node, app_images, files={"old.conf": b"old", "keep.conf": b"keep"})
    (node.compose_dir / "local.override").write_text("the admin's own file")
    changed = bundle(node, app_images, "2.0.0", name="incremental.zip")
    result = await engine.upgrade(IncrementalSource(changed, "2.0.0", ("old.conf",)))
    assert result.ok, result
    assert fetch(node.url + "/version") == "2.0.0"
    assert not (node.compose_dir / "old.conf").exists()
    assert (node.compose_dir / "keep.conf").read_text() == "keep"
    assert (node.compose_dir / "local.override").read_text() == "the admin's own file"
    # The next full bundle removes what the releases installed, never the admin's own file.
    result = await engine.upgrade(FileSource(path=bundle(node, app_images, "1.0.0", name="full-1.zip"), version="1.0.1"))
    assert result.ok, result
    assert not (node.compose_dir / "keep.conf").exists()
    assert (node.compose_dir / "local.override").exists()
