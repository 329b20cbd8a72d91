"""The agent's local SQLite store (``history.db``).

One connection per process, WAL mode, schema versioned with ``PRAGMA user_version``:
``MIGRATIONS`` is append-only (index + 1 = version). Modules of the agent keep their
queries next to their logic and go through :meth:`Store.tx` / :meth:`Store.query`.
Calls are quick and synchronous; async code wraps bigger work in ``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MIGRATIONS", "Store"]

MIGRATIONS: list[str] = [
    # 1: seed 2 §5.1 tables, plus what the agent link and the upgrade engine need.
    """
    CREATE TABLE client_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        client_uuid TEXT NOT NULL UNIQUE,
        created_at DATETIME NOT NULL,
        agent_id TEXT,
        secret TEXT,
        server_address TEXT,
        project TEXT,
        enrolled_at DATETIME
    );
    CREATE TABLE backups (
        id INTEGER PRIMARY KEY,
        file_path TEXT NOT NULL UNIQUE,
        data_file_path TEXT,
        service_version TEXT NOT NULL,
        backup_type TEXT NOT NULL,
        status TEXT NOT NULL,
        size_bytes INTEGER NOT NULL DEFAULT 0,
        details TEXT,
        created_at DATETIME NOT NULL
    );
    CREATE TABLE scheduled_tasks (
        id INTEGER PRIMARY KEY,
        task_type TEXT NOT NULL,
        target_version TEXT NOT NULL,
        scheduled_at DATETIME NOT NULL,
        status TEXT NOT NULL,
        details TEXT,
        created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
        completed_at DATETIME
    );
    CREATE INDEX idx_scheduled_tasks_status ON scheduled_tasks(status, scheduled_at);
    CREATE TABLE upgrade_history (
        id INTEGER PRIMARY KEY,
        from_version TEXT NOT NULL,
        to_version TEXT NOT NULL,
        status TEXT NOT NULL,
        details TEXT,
        failed_step TEXT,
        step_timings TEXT,
        trigger TEXT NOT NULL DEFAULT 'cli',
        command_id TEXT,
        started_at DATETIME NOT NULL,
        finished_at DATETIME,
        seen_by_user INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE executed_commands (
        command_id TEXT PRIMARY KEY,
        command_type TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT,
        received_at DATETIME NOT NULL,
        finished_at DATETIME,
        reported INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        payload BLOB NOT NULL,
        created_at DATETIME NOT NULL
    );
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the agent link seals telemetry rows of the outbox into numbered batches (resent
    # under the same number until acknowledged) and keeps command results until acknowledged.
    """
    ALTER TABLE outbox ADD COLUMN batch_seq INTEGER;
    CREATE INDEX idx_outbox_batch ON outbox(kind, batch_seq);
    ALTER TABLE executed_commands ADD COLUMN result_proto BLOB;
    """,
]


class Store:
    """Thread-safe access to ``history.db``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for index, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in filter(str.strip, script.split(";")):
                        self._conn.execute(statement)
                    self._conn.execute(f"PRAGMA user_version = {index}")
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def get(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM kv WHERE key = ?", (key,))
        return rows[0]["value"] if rows else default

    def put(self, key: str, value: str) -> None:
        with self.tx() as conn:
            conn.execute("INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
