"""Backups of the compose service: the compose folder and the data folder, each a tar + zstd
archive, recorded in ``history.db`` (table ``backups``); restore, retention, storage moves."""

from agent.backup.archive import clear_folder, extract_bundle, extract_tar_zst, write_tar_zst
from agent.backup.service import (
    BackupRecord,
    StorageMove,
    create_backup,
    detect_storage_move,
    get_backup,
    list_backups,
    migrate_storage,
    prune_pre_upgrade,
    remember_storage_dir,
    restore_backup,
)

__all__ = [
    "BackupRecord",
    "StorageMove",
    "clear_folder",
    "create_backup",
    "detect_storage_move",
    "extract_bundle",
    "extract_tar_zst",
    "get_backup",
    "list_backups",
    "migrate_storage",
    "prune_pre_upgrade",
    "remember_storage_dir",
    "restore_backup",
    "write_tar_zst",
]
