"""The agent's ``config.toml``: seed 2 §6, extended with the server link, TLS, heartbeat,
health checks, scheduling and state location.

    [versions]        client (this agent), service (the deployed compose service)
    [docker]          compose_file, data_dir, compose ("auto" | "v2" | "v1"), health_timeout_s, http_probe_url
    [endpoints]       base_url + the seed's manifest/announcement URIs (HTTP clients)
    [backup]          storage_dir, keep_pre_upgrade
    [server]          grpc address, TLS material, pinned manifest public key
    [heartbeat]       interval_s (the server's Welcome may override)
    [schedule]        maintenance_windows (cron), check_frequency ("start" | "<N>h" | "never")
    [agent]           state_dir (history.db lives here), locale, log_level

Relative paths are resolved against the folder of the config file, as the seed's
``./docker/docker-compose.yml`` and ``./backups`` imply.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from common.errors import InvalidInput
from common.i18n import N_

__all__ = [
    "AgentConfig",
    "BackupConfig",
    "DockerConfig",
    "EndpointsConfig",
    "ScheduleConfig",
    "ServerLinkConfig",
    "load_config",
]

DEFAULT_CONFIG_PATH = Path("config.toml")
BAD_CONFIG = N_("Configuration file {path}: {error}")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class VersionsConfig:
    client: str = "0.1.0"
    service: str = "0.0.0"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DockerConfig:
    compose_file: Path = Path("docker/docker-compose.yml")
    #: The service's data directory, backed up separately (seed §7.3: docker/data).
    data_dir: Path | None = None
    #: "auto" picks `docker compose` (v2) when present, else `docker-compose` (v1).
    compose: str = "auto"
    #: Compose project name; defaults to the compose file's folder name.
    project_name: str = ""
    health_timeout_s: float = 120.0
    #: Optional HTTP probe that must answer 2xx after an upgrade.
    http_probe_url: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EndpointsConfig:
    base_url: str = ""
    service_manifest_uri: str = "/api/v1/docker/update/manifest"
    client_manifest_uri: str = "/api/v1/client/update/manifest"
    announcements_uri: str = "/api/v1/announcements"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BackupConfig:
    storage_dir: Path = Path("backups")
    #: Pre-upgrade backups kept (older ones are deleted); manual backups are never pruned.
    keep_pre_upgrade: int = 5


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServerLinkConfig:
    #: gRPC target of the control server, e.g. "updates.example.com:50051".
    address: str = ""
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    #: Minisign public key (base64 line) pinned for manifest signatures.
    public_key: str = ""
    #: Reconnect delays: the first retry waits about this long, doubling up to the cap (both jittered).
    reconnect_initial_s: float = 0.5
    reconnect_max_s: float = 10.0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleConfig:
    maintenance_windows: tuple[str, ...] = ()
    #: "start" (check at every start), "<N>h" (every N hours), or "never".
    check_frequency: str = "24h"

    @property
    def check_interval_s(self) -> float | None:
        """Seconds between checks, 0 for start-up only, None for never."""
        if self.check_frequency == "never":
            return None
        if self.check_frequency == "start":
            return 0.0
        match = re.fullmatch(r"(\d+(?:\.\d+)?)h", self.check_frequency)
        if not match:
            raise InvalidInput(BAD_CONFIG, path="config.toml", error=f"schedule.check_frequency={self.check_frequency!r}")
        return float(match.group(1)) * 3600


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AgentConfig:
    path: Path = DEFAULT_CONFIG_PATH
    versions: VersionsConfig = VersionsConfig()
    docker: DockerConfig = DockerConfig()
    endpoints: EndpointsConfig = EndpointsConfig()
    backup: BackupConfig = BackupConfig()
    server: ServerLinkConfig = ServerLinkConfig()
    heartbeat_interval_s: float = 30.0
    schedule: ScheduleConfig = ScheduleConfig()
    state_dir: Path = Path(".upkeep")
    locale: str = ""
    log_level: str = "INFO"

    @property
    def history_db(self) -> Path:
        return self.state_dir / "history.db"

    @property
    def compose_dir(self) -> Path:
        return self.docker.compose_file.parent

    @property
    def data_dir(self) -> Path:
        return self.docker.data_dir or self.compose_dir / "data"


def _section(cls: type, raw: dict[str, Any], base: Path, path: Path, prefix: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            raise InvalidInput(BAD_CONFIG, error_code="INVALID_CONFIG", path=str(path), error=f"unknown key {prefix}{key}")
        kind = str(fields[key].type)
        if "Path" in kind and value is not None:
            value = (base / Path(str(value)).expanduser()).resolve()
        elif "tuple" in kind:
            value = tuple(value)
        elif kind in ("float", "int") and not isinstance(value, (int, float)):
            raise InvalidInput(BAD_CONFIG, error_code="INVALID_CONFIG", path=str(path), error=f"{prefix}{key} must be a number")
        values[key] = value
    return cls(**values)


def load_config(path: str | Path | None = None) -> AgentConfig:
    """Read ``config.toml`` (a missing file gives the defaults, relative to the working dir)."""
    config_path = Path(path or DEFAULT_CONFIG_PATH).expanduser().resolve()
    base = config_path.parent
    table: dict[str, Any] = {}
    if config_path.exists():
        try:
            table = tomllib.loads(config_path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(BAD_CONFIG, error_code="INVALID_CONFIG", path=str(config_path), error=str(exc)) from exc
    endpoints = dict(table.get("endpoints", {}))
    # The seed nests the URIs in sub-tables; flatten them.
    for sub, key in (("service_update", "service_manifest_uri"), ("client_self_update", "client_manifest_uri")):
        if isinstance(endpoints.get(sub), dict):
            endpoints[key] = endpoints.pop(sub).get("manifest_uri", getattr(EndpointsConfig(), key))
    if isinstance(endpoints.get("announcements"), dict):
        endpoints["announcements_uri"] = endpoints.pop("announcements").get("list_uri", EndpointsConfig().announcements_uri)
    agent = table.get("agent", {})
    heartbeat = table.get("heartbeat", {})
    return AgentConfig(
        path=config_path,
        versions=_section(VersionsConfig, table.get("versions", {}), base, config_path, "versions."),
        docker=_section(DockerConfig, {"compose_file": "docker/docker-compose.yml", **table.get("docker", {})}, base, config_path, "docker."),
        endpoints=_section(EndpointsConfig, endpoints, base, config_path, "endpoints."),
        backup=_section(BackupConfig, {"storage_dir": "backups", **table.get("backup", {})}, base, config_path, "backup."),
        server=_section(ServerLinkConfig, table.get("server", {}), base, config_path, "server."),
        heartbeat_interval_s=float(heartbeat.get("interval_s", 30.0)),
        schedule=_section(ScheduleConfig, table.get("schedule", {}), base, config_path, "schedule."),
        state_dir=(base / agent.get("state_dir", ".upkeep")).resolve(),
        locale=str(agent.get("locale", "")),
        log_level=str(agent.get("log_level", "INFO")),
    )
