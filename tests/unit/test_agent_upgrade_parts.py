"""Pure parts of the upgrade engine: health verdicts, image tar checks, applying files,
compose parsing, config.toml version edits, schedules, storage moves, no Docker engine."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest

from agent.backup import create_backup, detect_storage_move, list_backups, migrate_storage, remember_storage_dir
from agent.compose import ContainerState, DockerEngine, find_compose_file, parse_compose_file
from agent.compose.cli import detect_compose
from agent.config import load_config
from agent.schedule import cancel_task, list_tasks, next_window, parse_time, pending_upgrade, schedule_upgrade
from agent.store import Store
from agent.upgrade.bundle import apply_files, read_image_tar
from agent.upgrade.health import evaluate_containers
from agent.upgrade.versions_file import write_service_version
from common.errors import Conflict, FailedPrecondition, InvalidInput, NotFound, Unavailable
from tests.fixtures.service_bundles import fill_data, snapshot


def state(service: str, status: str = "running", health: str = "", exit_code: int = 0) -> ContainerState:
    return ContainerState(name=f"p-{service}-1", service=service, image="i", status=status, health=health, exit_code=exit_code)


@pytest.mark.parametrize(("states", "healthy", "final"), [
    ([state("web"), state("db", health="healthy")], True, True),
    ([state("web")], False, False),  # db has no container yet
    ([state("web"), state("db", health="starting")], False, False),
    ([state("web"), state("db", health="unhealthy")], False, True),
    ([state("web"), state("db", "exited", exit_code=1)], False, True),
    ([state("web"), state("db", "exited", exit_code=0)], True, True),  # one-shot service
    ([state("web"), state("db", "restarting")], False, False),
])
def test_health_verdicts(states: list[ContainerState], healthy: bool, final: bool) -> None:
    verdict = evaluate_containers(states, ["db", "web"])
    assert (verdict.healthy, verdict.final) == (healthy, final)
    assert verdict.healthy or verdict.reason


def _image_tar(path: Path, *, drop: str = "", manifest: bool = True) -> Path:
    files = {"config.json": b"{}", "layer1/layer.tar": b"x" * 10}
    if manifest:
        files["manifest.json"] = json.dumps([{"Config": "config.json", "RepoTags": ["app:2.0.0"], "Layers": ["layer1/layer.tar"]}]).encode()
    files.pop(drop, None)
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_image_tar_checks(tmp_path: Path) -> None:
    assert read_image_tar(_image_tar(tmp_path / "ok.tar")) == ["app:2.0.0"]
    for broken in (_image_tar(tmp_path / "a.tar", manifest=False), _image_tar(tmp_path / "b.tar", drop="layer1/layer.tar")):
        with pytest.raises(InvalidInput) as caught:
            read_image_tar(broken)
        assert caught.value.error_code == "BAD_IMAGE_TAR"
    truncated = tmp_path / "c.tar"
    truncated.write_bytes((tmp_path / "ok.tar").read_bytes()[:700])
    with pytest.raises(InvalidInput):
        read_image_tar(truncated)


def test_apply_files_deletes_and_copies_but_never_touches_protected_folders(tmp_path: Path) -> None:
    compose_dir, staged = tmp_path / "docker", tmp_path / "staged"
    fill_data(compose_dir / "data")
    (compose_dir / "old.conf").parent.mkdir(parents=True, exist_ok=True)
    (compose_dir / "old.conf").write_text("old")
    (compose_dir / "keep.conf").write_text("mine")
    (staged / "data").mkdir(parents=True)
    (staged / "data" / "page.txt").write_text("release must not overwrite data")
    (staged / "docker-compose.yml").write_text("services: {}")
    data_before = snapshot(compose_dir / "data")
    apply_files(staged, compose_dir, deleted=["old.conf", "data/page.txt", "../config.toml"], protected=[compose_dir / "data"])
    assert not (compose_dir / "old.conf").exists()
    assert (compose_dir / "keep.conf").read_text() == "mine"
    assert (compose_dir / "docker-compose.yml").read_text() == "services: {}"
    assert snapshot(compose_dir / "data") == data_before


def test_compose_files_are_found_and_parsed(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_compose_file(tmp_path)
    assert caught.value.error_code == "NO_COMPOSE_FILE"
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: 'app:1'}\n  tool: {image: t, profiles: [debug]}\n  built: {build: .}\n")
    assert parse_compose_file(find_compose_file(tmp_path)).images == {"web": "app:1", "built": ""}
    for text in ("services: [web:\n  - {", "version: '3'\n", "services:\n  web: 12\n", "- just\n- a list\n"):
        (tmp_path / "compose.yaml").write_text(text)
        with pytest.raises(InvalidInput) as caught:
            parse_compose_file(tmp_path / "compose.yaml")
        assert caught.value.error_code == "INVALID_COMPOSE_FILE"


def test_service_version_is_written_where_the_seed_keeps_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\n[versions]\nclient = "0.1.0"   # the CLI\nservice = "1.1.0"  # deployed\n\n[docker]\nservice = "not this"\n')
    write_service_version(config, "1.2.0")
    text = config.read_text()
    assert 'service = "1.2.0"  # deployed' in text and 'service = "not this"' in text and "# mine" in text
    bare = tmp_path / "bare.toml"
    bare.write_text('[docker]\ncompose = "v2"\n')
    write_service_version(bare, "2.0.0")
    assert load_config(bare).versions.service == "2.0.0"


def test_at_most_one_pending_upgrade(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    source = {"kind": "file", "path": "/b.zip", "version": "2.0.0"}
    with pytest.raises(InvalidInput) as caught:
        schedule_upgrade(store, source=source, at=now - dt.timedelta(seconds=1), now=now)
    assert caught.value.error_code == "SCHEDULE_IN_PAST"
    with pytest.raises(InvalidInput):
        schedule_upgrade(store, source={"kind": "ftp", "version": "2"}, at=now + dt.timedelta(hours=1), now=now)
    assert list_tasks(store) == []
    first = schedule_upgrade(store, source=source, at=now + dt.timedelta(hours=1), now=now)
    second = schedule_upgrade(store, source={**source, "version": "2.1.0"}, at=now + dt.timedelta(hours=2), now=now)
    assert [(t.id, t.status) for t in list_tasks(store)] == [(second.id, "PENDING"), (first.id, "CANCELLED")]
    assert pending_upgrade(store).target_version == "2.1.0"  # type: ignore[union-attr]
    cancel_task(store, second.id)
    assert pending_upgrade(store) is None
    with pytest.raises(Conflict):
        cancel_task(store, second.id)
    with pytest.raises(NotFound):
        cancel_task(store, 999)


def test_cron_windows_and_times() -> None:
    after = dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.UTC)
    assert next_window("0 3 * * *", after) == dt.datetime(2026, 6, 2, 3, 0, tzinfo=dt.UTC)
    assert next_window("*/15 * * * 1-5", after) == dt.datetime(2026, 6, 1, 12, 45, tzinfo=dt.UTC)
    for bad in ("61 25 * * *", "every night", "* * * * * *", ""):
        with pytest.raises(InvalidInput) as caught:
            next_window(bad, after)
        assert caught.value.error_code == "INVALID_CRON"
    assert parse_time("2026-06-25T02:00Z") == dt.datetime(2026, 6, 25, 2, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput):
        parse_time("tomorrow-ish")


def test_storage_dir_change_is_detected_and_migrated(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[backup]\nstorage_dir = "./old"\n[agent]\nstate_dir = "./state"\n')
    config = load_config(tmp_path / "config.toml")
    fill_data(config.data_dir)
    store = Store(config.history_db)
    remember_storage_dir(config, store)
    record = create_backup(config, store, version="1.0.0")
    assert detect_storage_move(config, store) is None
    (tmp_path / "config.toml").write_text('[backup]\nstorage_dir = "./new"\n[agent]\nstate_dir = "./state"\n')
    moved_config = load_config(tmp_path / "config.toml")
    move = detect_storage_move(moved_config, store)
    assert move is not None and (move.old, move.new, move.backups) == (tmp_path / "old", tmp_path / "new", 1)
    assert migrate_storage(moved_config, store, move) == 1
    (after,) = list_backups(store)
    assert after.file_path == tmp_path / "new" / record.file_path.name and after.file_path.is_file()
    assert after.data_file_path is not None and after.data_file_path.is_file()
    assert not record.file_path.exists()
    assert detect_storage_move(moved_config, store) is None


def test_no_docker_engine_is_a_clear_error(tmp_path: Path) -> None:
    engine = DockerEngine(base_url=f"unix://{tmp_path}/no-docker.sock")
    with pytest.raises(Unavailable) as caught:
        engine.containers("anything")
    assert caught.value.error_code == "DOCKER_UNAVAILABLE"
    assert "No Docker engine is reachable" in caught.value.translated()
    with pytest.raises(InvalidInput):
        detect_compose("v3")


def test_missing_compose_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a node without docker or docker-compose
    with pytest.raises(FailedPrecondition) as caught:
        detect_compose("v1")
    assert caught.value.error_code == "COMPOSE_NOT_FOUND"


def test_retention_prunes_only_old_pre_upgrade_backups(tmp_path: Path) -> None:
    from agent.backup import prune_pre_upgrade

    (tmp_path / "config.toml").write_text('[backup]\nkeep_pre_upgrade = 2\n[agent]\nstate_dir = "./state"\n')
    config = load_config(tmp_path / "config.toml")
    fill_data(config.data_dir)
    store = Store(config.history_db)
    manual = create_backup(config, store, version="0.9.0")
    pre = [create_backup(config, store, version=f"1.{i}.0", backup_type="pre-upgrade") for i in range(4)]
    assert prune_pre_upgrade(config, store) == [pre[1].id, pre[0].id]
    assert [b.id for b in list_backups(store)] == [pre[3].id, pre[2].id, manual.id]
    assert not pre[0].file_path.exists() and not pre[0].data_file_path.exists()  # type: ignore[union-attr]
    assert manual.file_path.exists() and pre[3].file_path.exists()


def test_pushed_settings_override_config_until_cleared(tmp_path: Path) -> None:
    from agent.backup import prune_pre_upgrade
    from agent.settings import health_timeout_s, keep_pre_upgrade, save_settings
    from generated.upkeep.v1 import agent_pb2 as pb

    (tmp_path / "config.toml").write_text('[docker]\nhealth_timeout_s = 30\n[backup]\nkeep_pre_upgrade = 3\n[agent]\nstate_dir = "./state"\n')
    config = load_config(tmp_path / "config.toml")
    fill_data(config.data_dir)
    store = Store(config.history_db)
    assert (health_timeout_s(config, store), keep_pre_upgrade(config, store)) == (30.0, 3)
    pushed = pb.AgentSettings(backup_retention=1, maintenance_windows=["0 3 * * *"])
    pushed.health_check_timeout.FromSeconds(240)
    save_settings(store, pushed)
    assert (health_timeout_s(config, store), keep_pre_upgrade(config, store)) == (240.0, 1)
    pre = [create_backup(config, store, version=f"1.{i}.0", backup_type="pre-upgrade") for i in range(3)]
    assert prune_pre_upgrade(config, store) == [pre[1].id, pre[0].id]  # the project's retention, not config.toml's
    save_settings(store, pb.AgentSettings())  # the admin cleared both
    assert (health_timeout_s(config, store), keep_pre_upgrade(config, store)) == (30.0, 3)


async def test_check_loop_checks_at_start_and_never_upgrades(tmp_path: Path) -> None:
    import asyncio

    from agent.upgrade.check import check_loop

    (tmp_path / "config.toml").write_text('[schedule]\ncheck_frequency = "start"\n[agent]\nstate_dir = "./state"\n')
    config = load_config(tmp_path / "config.toml")
    store = Store(config.history_db)
    # No server configured: the check fails quietly, and "start" means one check only.
    await asyncio.wait_for(check_loop(config, store, lambda: "1.0.0", asyncio.Event()), 10)
    assert store.get("update.available") is None
    assert store.query("SELECT COUNT(*) AS n FROM upgrade_history")[0]["n"] == 0
