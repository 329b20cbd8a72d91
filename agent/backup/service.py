"""Create, list, restore and prune backups; detect and migrate a changed ``backup.storage_dir``.

A backup is two archives in ``storage_dir``: ``<stamp>-<version>-<type>.compose.tar.zst`` (the
compose folder without the data folder, the backup folder and the agent's state) and
``….data.tar.zst`` (the data folder). Both are written before the row says ``completed``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path

from agent.backup.archive import clear_folder, extract_tar_zst, write_tar_zst
from agent.config import AgentConfig
from agent.settings import keep_pre_upgrade
from agent.store import Store
from common.errors import FailedPrecondition, NotFound
from common.i18n import N_

__all__ = [
    "BackupRecord",
    "StorageMove",
    "create_backup",
    "detect_storage_move",
    "get_backup",
    "list_backups",
    "migrate_storage",
    "prune_pre_upgrade",
    "remember_storage_dir",
    "restore_backup",
]

MANUAL = "manual"
PRE_UPGRADE = "pre-upgrade"
BACKUP_NOT_FOUND = N_("Backup {id} does not exist; see list-backups")
BACKUP_FILE_MISSING = N_("Backup {id} cannot be restored: {path} is missing")
STORAGE_KEY = "backup.storage_dir"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BackupRecord:
    id: int
    #: The compose-folder archive.
    file_path: Path
    data_file_path: Path | None
    service_version: str
    #: "manual" | "pre-upgrade"
    backup_type: str
    #: "completed" | "failed"
    status: str
    size_bytes: int
    created_at: str

    @classmethod
    def from_row(cls, row) -> BackupRecord:  # type: ignore[no-untyped-def]
        return cls(
            id=row["id"], file_path=Path(row["file_path"]),
            data_file_path=Path(row["data_file_path"]) if row["data_file_path"] else None,
            service_version=row["service_version"], backup_type=row["backup_type"], status=row["status"],
            size_bytes=row["size_bytes"], created_at=row["created_at"],
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _excluded(config: AgentConfig) -> list[Path]:
    return [config.data_dir, config.backup.storage_dir, config.state_dir]


def create_backup(config: AgentConfig, store: Store, *, version: str, backup_type: str = MANUAL) -> BackupRecord:
    """Archive the compose folder and the data folder; record the backup."""
    now = _now()
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    slug = re.sub(r"[^A-Za-z0-9.+-]", "_", version)
    base = config.backup.storage_dir / f"{stamp}-{slug}-{backup_type}"
    compose_archive = base.with_name(base.name + ".compose.tar.zst")
    data_archive = base.with_name(base.name + ".data.tar.zst")
    try:
        size = write_tar_zst(config.compose_dir, compose_archive, exclude=_excluded(config))
        size += write_tar_zst(config.data_dir, data_archive)
    except BaseException:
        compose_archive.unlink(missing_ok=True)
        data_archive.unlink(missing_ok=True)
        raise
    with store.tx() as conn:
        cursor = conn.execute(
            "INSERT INTO backups(file_path, data_file_path, service_version, backup_type, status, size_bytes, details, created_at)"
            " VALUES (?, ?, ?, ?, 'completed', ?, ?, ?)",
            (str(compose_archive), str(data_archive), version, backup_type, size,
             json.dumps({"compose_dir": str(config.compose_dir), "data_dir": str(config.data_dir)}), now.isoformat()),
        )
        backup_id = cursor.lastrowid
    return get_backup(store, backup_id)


def get_backup(store: Store, backup_id: int) -> BackupRecord:
    rows = store.query("SELECT * FROM backups WHERE id = ?", (backup_id,))
    if not rows:
        raise NotFound(BACKUP_NOT_FOUND, error_code="BACKUP_NOT_FOUND", id=backup_id)
    return BackupRecord.from_row(rows[0])


def list_backups(store: Store) -> list[BackupRecord]:
    return [BackupRecord.from_row(r) for r in store.query("SELECT * FROM backups ORDER BY id DESC")]


def restore_backup(config: AgentConfig, record: BackupRecord) -> None:
    """Replace the compose folder and the data folder with the backup's content (service must be down)."""
    for path in (record.file_path, record.data_file_path):
        if path is not None and not path.is_file():
            raise FailedPrecondition(BACKUP_FILE_MISSING, error_code="BACKUP_FILE_MISSING", id=record.id, path=str(path))
    clear_folder(config.compose_dir, keep=_excluded(config))
    extract_tar_zst(record.file_path, config.compose_dir)
    if record.data_file_path is not None:
        clear_folder(config.data_dir)
        extract_tar_zst(record.data_file_path, config.data_dir)


def delete_backup(store: Store, record: BackupRecord) -> None:
    for path in (record.file_path, record.data_file_path):
        if path is not None:
            path.unlink(missing_ok=True)
    with store.tx() as conn:
        conn.execute("DELETE FROM backups WHERE id = ?", (record.id,))


def prune_pre_upgrade(config: AgentConfig, store: Store) -> list[int]:
    """Delete pre-upgrade backups beyond the retention (newest kept); manual ones stay.

    The retention is ``[backup] keep_pre_upgrade`` unless the server pushed the project's.
    """
    keep = keep_pre_upgrade(config, store)
    rows = store.query("SELECT * FROM backups WHERE backup_type = ? ORDER BY id DESC", (PRE_UPGRADE,))
    pruned = []
    for row in rows[keep:]:
        delete_backup(store, BackupRecord.from_row(row))
        pruned.append(row["id"])
    return pruned


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StorageMove:
    old: Path
    new: Path
    #: Backups whose files are still in the old folder.
    backups: int


def detect_storage_move(config: AgentConfig, store: Store) -> StorageMove | None:
    """The storage folder changed since the last run (seed §7.6.3), or None."""
    previous = store.get(STORAGE_KEY)
    current = config.backup.storage_dir.resolve()
    if previous is None or Path(previous) == current:
        return None
    count = sum(1 for r in list_backups(store) if r.file_path.parent == Path(previous))
    return StorageMove(old=Path(previous), new=current, backups=count)


def remember_storage_dir(config: AgentConfig, store: Store) -> None:
    store.put(STORAGE_KEY, str(config.backup.storage_dir.resolve()))


def migrate_storage(config: AgentConfig, store: Store, move: StorageMove) -> int:
    """Move every backup file from ``move.old`` to ``move.new`` and repoint the rows; returns how many."""
    move.new.mkdir(parents=True, exist_ok=True)
    moved = 0
    for record in list_backups(store):
        paths = {}
        for column, path in (("file_path", record.file_path), ("data_file_path", record.data_file_path)):
            if path is not None and path.parent == move.old and path.exists():
                target = move.new / path.name
                shutil.move(str(path), str(target))
                paths[column] = str(target)
        if paths:
            with store.tx() as conn:
                for column, value in paths.items():
                    conn.execute(f"UPDATE backups SET {column} = ? WHERE id = ?", (value, record.id))
            moved += 1
    remember_storage_dir(config, store)
    return moved
