"""Bad bundles are refused before the service is touched; a killed agent recovers on restart;
rolling back to an older backup restores files and data."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest

from agent.upgrade import FileSource
from tests.e2e.test_upgrade import backups, history, running_container, service_version_in_config
from tests.e2e.upgrade_kit import REPO_ROOT, agent_cli, app_images, bundle, install, node  # noqa: F401
from tests.fixtures.service_bundles import fetch, fill_data, snapshot
from tests.fixtures.terminal import run_in_terminal

pytestmark = pytest.mark.e2e


async def test_bad_bundles_are_refused_and_change_nothing(node, app_images, docker_client, tmp_path):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(app_images.tars["2.0.0"].read_bytes()[:20_000])
    escaping = tmp_path / "escaping.zip"
    with zipfile.ZipFile(escaping, "w") as z:
        z.writestr("docker-compose.yml", "services: {web: {image: busybox}}\n")
        z.writestr("../outside.txt", "no")
    cases = {
        "no compose file": (bundle(node, app_images, "2.0.0", name="a.zip", compose_text=""), "validate", "NO_COMPOSE_FILE"),
        "corrupt image tar": (bundle(node, app_images, "2.0.0", name="b.zip", image_tar=truncated), "validate", "BAD_IMAGE_TAR"),
        "compose file that does not parse": (bundle(node, app_images, "2.0.0", name="c.zip", compose_text="services: [web:\n  - {"), "validate", "INVALID_COMPOSE_FILE"),
        "compose file compose rejects": (bundle(node, app_images, "2.0.0", name="d.zip", compose_text="services:\n  web:\n    image: x\n    ports: 12\n"), "validate", "INVALID_COMPOSE_FILE"),
        "image missing from the bundle": (bundle(node, app_images, "2.0.0", name="e.zip", image="upkeep-e2e/never-built:9", image_tar=None), "validate", "IMAGE_NOT_PROVIDED"),
        "path leaving the folder": (escaping, "download", "UNSAFE_ARCHIVE"),
        "missing bundle file": (tmp_path / "nope.zip", "download", "BUNDLE_NOT_FOUND"),
    }
    container, compose_dir, data = running_container(docker_client, node), snapshot(node.compose_dir), snapshot(node.data_dir)
    backups_before = backups(node)
    for case, (path, step, code) in cases.items():
        result = await engine.upgrade(FileSource(path=path, version="2.0.0"))
        assert (result.status, result.failed_step, result.error_code, result.rolled_back) == ("FAILED", step, code, False), case
        assert result.error, case
    assert running_container(docker_client, node) == container
    assert snapshot(node.compose_dir) == compose_dir
    assert snapshot(node.data_dir) == data
    assert backups(node) == backups_before
    assert not (node.root.parent / "outside.txt").exists()
    assert not list((node.root / "state" / "staging").iterdir())
    assert fetch(node.url + "/version") == "1.0.0"

    result = agent_cli(node, "upgrade", "--bundle", str(cases["no compose file"][0]), "--version", "2.0.0", "--yes")
    assert result.returncode == 1
    assert "No compose file" in result.stdout
    result = agent_cli(node, "upgrade", "--bundle", str(cases["no compose file"][0]), "--version", "not-a-version", "--yes")
    assert result.returncode == 1 and "Invalid version" in result.stderr


def journal_step(node) -> str | None:  # type: ignore[no-untyped-def]
    try:
        with sqlite3.connect(f"file:{node.root / 'state' / 'history.db'}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT value FROM kv WHERE key = 'upgrade.journal'").fetchone()
    except sqlite3.OperationalError:
        return None
    import json

    return json.loads(row[0])["step"] if row else None


async def test_agent_killed_during_apply_restores_previous_state_on_restart(node, app_images):  # noqa: F811
    await install(node, app_images)
    fill_data(node.data_dir)
    data_before, compose_before = snapshot(node.data_dir), snapshot(node.compose_dir)
    # A large file makes the apply step last long enough to be caught in it.
    big = bundle(node, app_images, "2.0.0", files={"assets/big.bin": b"\0" * 400_000_000})
    env = {**os.environ, "LANG": "C.UTF-8"}
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "-c", str(node.config_path), "upgrade", "--bundle", str(big),
                             "--version", "2.0.0", "--yes"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    step = None
    while proc.poll() is None and time.monotonic() < deadline:  # no event to await: poll the journal
        step = journal_step(node)
        if step == "apply":
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    assert proc.wait(30) == -signal.SIGKILL, f"the upgrade ended before it could be killed (last step {step})"
    assert fetch(node.url + "/version") is None, "the service should be down mid-upgrade"

    result = agent_cli(node, "status")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interrupted upgrade" in result.stdout
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_before
    assert snapshot(node.compose_dir) == compose_before
    assert journal_step(node) is None
    last = history(node)[-1]
    assert (last["to_version"], last["status"], last["failed_step"]) == ("2.0.0", "FAILED", "apply")
    assert "stopped during step apply" in last["details"]
    assert service_version_in_config(node) == "1.0.0"


async def test_rollback_to_an_older_backup_restores_files_and_data(node, app_images, docker_client):  # noqa: F811
    await install(node, app_images)
    fill_data(node.data_dir, seed=1)
    data_at_backup, compose_at_backup = snapshot(node.data_dir), snapshot(node.compose_dir)
    made = agent_cli(node, "backup")
    assert made.returncode == 0, made.stdout + made.stderr
    manual = backups(node)[-1]
    assert (manual["backup_type"], manual["service_version"], manual["status"]) == ("manual", "1.0.0", "completed")

    (node.data_dir / "page.txt").write_text("changed after the backup\n")
    (node.data_dir / "new-after-backup.txt").write_text("x")
    upgraded = agent_cli(node, "upgrade", "--bundle", str(bundle(node, app_images, "2.0.0")), "--version", "2.0.0", "--yes")
    assert upgraded.returncode == 0, upgraded.stdout
    assert fetch(node.url + "/version") == "2.0.0"

    # The old image is gone from the engine (pruned): the rollback must bring it back from the backup.
    docker_client.images.remove(app_images.ref("1.0.0"))
    listed = agent_cli(node, "list-backups")
    assert str(manual["id"]) in listed.stdout and "manual" in listed.stdout and "pre-upgrade" in listed.stdout

    refused = agent_cli(node, "rollback", str(manual["id"]))  # not a terminal and no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert fetch(node.url + "/version") == "2.0.0"
    unknown = agent_cli(node, "rollback", "9999", "--yes")
    assert unknown.returncode == 1 and "Backup 9999 does not exist" in unknown.stderr
    assert fetch(node.url + "/version") == "2.0.0"

    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    env.pop("LC_ALL", None)
    code, screen = run_in_terminal([sys.executable, "-m", "agent.cli", "-c", str(node.config_path), "rollback", str(manual["id"])],
                                   "confirm\n", env=env, cwd=REPO_ROOT, timeout=180)
    assert code == 0, screen
    assert "cannot be undone" in screen and "Service is now at 1.0.0" in screen
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_at_backup
    assert snapshot(node.compose_dir) == compose_at_backup
    assert service_version_in_config(node) == "1.0.0"
