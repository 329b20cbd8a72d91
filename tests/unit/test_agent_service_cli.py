"""The service CLI without a Docker engine: status still shows one screen, check-update reads the
seed's manifests, rollback needs the typed word, a moved backup folder is offered a migration."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agent.store import Store
from tests.fixtures.service_bundles import fill_data
from tests.fixtures.terminal import run_in_terminal

REPO_ROOT = Path(__file__).resolve().parents[2]

# Seed service-upgrade-platform.md §7.2.2 and §8.3.2, transcribed.
SEED_SERVICE_MANIFEST = {
    "version": "1.2.0",
    "release_date": "2025-06-25T10:00:00Z",
    "channel": "stable",
    "notes": "### 新增功能\n- 新增了数据导出模块。",
    "packages": {
        "full": {"url": "http://xxxxx/1.2.0/docker.zip", "hash": "...", "size": 600000000},
        "incremental": {"url": "http://xxxx/1.2.0/incremental.zip", "hash": "...", "size": 5000000},
    },
}
SEED_CLIENT_MANIFEST = {
    "version": "v1.2.0",
    "notes": "修复了一些关键 bug，并优化了启动性能。",
    "pub_date": "2025-06-25T12:00:00Z",
    "platforms": {"linux-x86_64": {"signature": "sig", "url": "https://your-server.com/downloads/client/1.2.0/x.tar.gz"}},
}


def write_config(root: Path, extra: str = "") -> Path:
    (root / "docker" / "data").mkdir(parents=True, exist_ok=True)
    (root / "docker" / "docker-compose.yml").write_text("services:\n  web: {image: 'app:1'}\n")
    config = root / "config.toml"
    config.write_text('[versions]\nclient = "0.1.0"\nservice = "1.1.0"\n[docker]\nproject_name = "unit-no-docker"\n'
                      '[backup]\nstorage_dir = "./backups"\n[agent]\nstate_dir = "./state"\n' + extra)
    return config


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200", "DOCKER_HOST": "unix:///nonexistent/docker.sock", **extra}
    env.pop("LC_ALL", None)
    return env


def cli(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli", "-c", str(config), *args], cwd=REPO_ROOT, env=cli_env(**env),
                          capture_output=True, text=True, timeout=120)


def test_status_is_one_screen_even_without_docker(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store = Store(tmp_path / "state" / "history.db")
    for key, value in (("link.state", "connected"), ("link.server", "updates.example.com:50051"), ("link.last_seen", "2026-11-24T06:00:00Z")):
        store.put(key, value)
    store.close()
    result = cli(config, "status")
    assert result.returncode == 0, result.stderr
    for expected in ("connected", "updates.example.com:50051", "0.1.0", "1.1.0", "No Docker engine is reachable"):
        assert expected in result.stdout
    chinese = cli(config, "status", LANG="zh_CN.UTF-8")
    assert "服务版本" in chinese.stdout and "无法连接 Docker 引擎" in chinese.stdout


@pytest.fixture
def manifest_server():  # type: ignore[no-untyped-def]
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(f"{self.path} client={self.headers.get('X-Client-ID')}")
            body = json.dumps(SEED_SERVICE_MANIFEST if "docker" in self.path else SEED_CLIENT_MANIFEST).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, requests
    server.shutdown()
    server.server_close()


def test_check_update_reads_the_seed_manifests(tmp_path: Path, manifest_server) -> None:  # type: ignore[no-untyped-def]
    server, requests = manifest_server
    config = write_config(tmp_path, f'[endpoints]\nbase_url = "http://127.0.0.1:{server.server_address[1]}"\n')
    result = cli(config, "check-update")
    assert result.returncode == 0, result.stderr
    assert "1.1.0" in result.stdout and "1.2.0" in result.stdout and "v1.2.0" in result.stdout
    assert "新增了数据导出模块" in result.stdout and "优化了启动性能" in result.stdout
    assert any(r.startswith("/api/v1/docker/update/manifest?current_version=1.1.0") for r in requests)
    assert any("platform=linux-" in r and "current_version=0.1.0" in r for r in requests)
    client_uuid = Store(tmp_path / "state" / "history.db").query("SELECT client_uuid FROM client_identity")[0]["client_uuid"]
    assert all(r.endswith(f"client={client_uuid}") for r in requests)
    stored = json.loads(Store(tmp_path / "state" / "history.db").get("update.available") or "{}")
    assert stored["service_available"] == "1.2.0"
    assert stored["service_package"]["size"] == 600000000


def test_rollback_needs_the_typed_word(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    fill_data(tmp_path / "docker" / "data")
    made = cli(config, "backup")
    assert made.returncode == 0, made.stdout + made.stderr
    before = (tmp_path / "docker" / "docker-compose.yml").read_text()
    (tmp_path / "docker" / "docker-compose.yml").write_text(before + "# changed\n")
    argv = [sys.executable, "-m", "agent.cli", "-c", str(config), "rollback", "1"]
    code, screen = run_in_terminal(argv, "yes\n", env=cli_env(), cwd=REPO_ROOT)
    assert code == 1, screen
    assert "cannot be undone" in screen and "Type confirm to roll back" in screen and "Cancelled; nothing was changed." in screen
    assert (tmp_path / "docker" / "docker-compose.yml").read_text() == before + "# changed\n"


def test_a_moved_backup_folder_is_offered_a_migration(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    made = cli(config, "backup")
    assert made.returncode == 0, made.stderr
    old_files = sorted((tmp_path / "backups").iterdir())
    assert len(old_files) == 2
    config.write_text(config.read_text().replace('storage_dir = "./backups"', 'storage_dir = "./moved"'))
    quiet = cli(config, "list-backups")  # no terminal: asks nothing, moves nothing
    assert "changed from" in quiet.stderr and sorted((tmp_path / "backups").iterdir()) == old_files
    argv = [sys.executable, "-m", "agent.cli", "-c", str(config), "list-backups"]
    code, screen = run_in_terminal(argv, "y\n", env=cli_env(), cwd=REPO_ROOT)
    assert code == 0, screen
    assert "Moved 1 backups" in screen
    assert sorted(p.name for p in (tmp_path / "moved").iterdir()) == [p.name for p in old_files]
    assert not list((tmp_path / "backups").iterdir())
    again = cli(config, "list-backups")
    assert "changed from" not in again.stderr and str(tmp_path / "moved") in again.stdout
