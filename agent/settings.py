"""Settings an admin pushes to the agents of a project (``AgentSettings`` in Welcome and later
``settings`` messages), kept in history.db; where the server sets none, config.toml decides.

    health_timeout_s(config, store)     [docker] health_timeout_s, or the project's
    keep_pre_upgrade(config, store)     [backup] keep_pre_upgrade, or the project's
"""

from __future__ import annotations

from agent.config import AgentConfig
from agent.store import Store
from generated.upkeep.v1 import agent_pb2 as pb

__all__ = ["health_timeout_s", "keep_pre_upgrade", "save_settings"]

HEALTH_TIMEOUT_KEY = "settings.health_timeout_s"
BACKUP_RETENTION_KEY = "settings.backup_retention"


def save_settings(store: Store, settings: pb.AgentSettings) -> None:
    """Keep what the server pushed; an unset value clears the server's say."""
    timeout = settings.health_check_timeout.ToSeconds() if settings.HasField("health_check_timeout") else 0
    with store.tx() as conn:
        for key, value in ((HEALTH_TIMEOUT_KEY, timeout), (BACKUP_RETENTION_KEY, settings.backup_retention)):
            conn.execute("INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, str(value) if value > 0 else ""))


def health_timeout_s(config: AgentConfig, store: Store) -> float:
    pushed = store.get(HEALTH_TIMEOUT_KEY)
    return float(pushed) if pushed else config.docker.health_timeout_s


def keep_pre_upgrade(config: AgentConfig, store: Store) -> int:
    pushed = store.get(BACKUP_RETENTION_KEY)
    return max(int(pushed) if pushed else config.backup.keep_pre_upgrade, 1)
