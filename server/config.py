"""The server's one settings object: defaults, then an optional TOML file, then ``UPKEEP_*``.

    load_settings(environ=os.environ, config_file=None) -> Settings

Every field can be set in the TOML file (flat ``key = value``, or ``[section]`` tables whose
keys are joined with ``_``: ``[grpc] listen = ...`` sets ``grpc_listen``) and overridden by
``UPKEEP_<FIELD>`` in the environment (``UPKEEP_DATABASE_URL``). The file itself is named
by ``--config`` or ``UPKEEP_CONFIG``. Values are cast to the field's type; a bad value fails
fast with a message naming the key. Nothing else in the server reads ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

__all__ = ["ConfigError", "Settings", "load_settings", "parse_listen"]

ENV_PREFIX = "UPKEEP_"


class ConfigError(ValueError):
    """A setting could not be read; the message names the key."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Server settings. Paths are resolved against the working directory at load time."""

    #: SQLAlchemy URL; ``sqlite+aiosqlite:///...`` (embedded default) or ``postgresql+psycopg://...``.
    database_url: str = ""
    #: Folder for the embedded database, keys and secrets.
    data_dir: Path = Path("data")
    #: Folder for stored artifacts, chunks and diagnostics (local storage backend).
    storage_dir: Path = Path("")
    #: gRPC listener (agents, admin API, update API). ``0.0.0.0:50051`` exposes it.
    grpc_listen: str = "127.0.0.1:50051"
    #: HTTP listener (bridge, downloads, console). ``0.0.0.0:8080`` exposes it.
    http_listen: str = "127.0.0.1:8080"
    #: Base URL clients use to reach the HTTP listener (download links are built on it).
    public_url: str = ""
    #: Project used by requests that name none (seed 1 clients).
    default_project: str = "default"
    #: Console session secret (seed 1's JWT_SECRET); generated into data_dir when empty.
    session_secret: str = ""
    session_max_age_s: int = 8 * 3600
    log_level: str = "INFO"
    #: Seconds both listeners get to finish in-flight work on SIGTERM/SIGINT.
    shutdown_grace_s: float = 5.0
    heartbeat_interval_s: int = 30
    #: Missed heartbeat intervals before an agent counts as offline.
    heartbeat_grace_intervals: float = 2.5
    command_ttl_s: int = 7 * 24 * 3600
    #: Telemetry timestamps further than this in the future are refused.
    telemetry_future_tolerance_s: int = 300
    max_upload_bytes: int = 2 * 1024**3
    #: Largest diagnostics bundle a client may upload (seed 2 §10.1).
    max_diagnostics_bytes: int = 256 * 1024**2
    #: A service bundle may unpack to at most this many bytes and files.
    max_bundle_bytes: int = 16 * 1024**3
    max_bundle_files: int = 20_000
    max_json_body_bytes: int = 1024**2
    max_page_size: int = 100
    #: When set, downloads answer with ``X-Accel-Redirect: <prefix>/<key>`` for nginx.
    accel_redirect_prefix: str = ""
    #: Minisign secret key for manifests; created in data_dir when missing.
    signing_key_path: Path = Path("")
    #: Seconds between storage garbage collections inside the server (as ``upkeep-server gc``
    #: does); 0 turns them off, e.g. when cron runs the command instead.
    gc_interval_s: float = 6 * 3600

    @property
    def grpc_address(self) -> tuple[str, int]:
        return parse_listen(self.grpc_listen, "grpc_listen")

    @property
    def http_address(self) -> tuple[str, int]:
        return parse_listen(self.http_listen, "http_listen")

    def ensure_dirs(self) -> None:
        """Create data and storage folders (first start)."""
        for path in (self.data_dir, self.storage_dir, self.signing_key_path.parent):
            path.mkdir(parents=True, exist_ok=True)

    def resolved_session_secret(self) -> str:
        """The configured secret, or one generated once and kept in data_dir."""
        if self.session_secret:
            return self.session_secret
        path = self.data_dir / "session_secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def parse_listen(value: str, key: str = "listen") -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` → (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{key}: expected host:port, got {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def _cast(key: str, raw: Any, kind: Any) -> Any:
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is Path:
            return Path(str(raw)).expanduser()
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key}: cannot read {raw!r} as {kind.__name__}") from exc


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def default_public_url(host: str, port: int) -> str:
    """The console's address when `public_url` is not set: the HTTP listener's own."""
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def load_settings(
    environ: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
) -> Settings:
    """Build the settings: defaults ← TOML file ← ``UPKEEP_*`` environment."""
    environ = os.environ if environ is None else environ
    hints = get_type_hints(Settings)
    fields = {f.name for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}

    path = config_file or environ.get(f"{ENV_PREFIX}CONFIG")
    if path:
        try:
            with open(path, "rb") as fp:
                table = tomllib.load(fp)
        except OSError as exc:
            raise ConfigError(f"config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from exc
        for key, raw in _flatten(table).items():
            if key not in fields:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            values[key] = _cast(key, raw, hints[key])

    for name in fields:
        env_key = f"{ENV_PREFIX}{name.upper()}"
        if env_key in environ:
            values[name] = _cast(env_key, environ[env_key], hints[name])

    settings = Settings(**values)
    data_dir = settings.data_dir.resolve()
    derived = {
        "data_dir": data_dir,
        "storage_dir": (settings.storage_dir if str(settings.storage_dir) not in ("", ".") else data_dir / "storage").resolve(),
        "signing_key_path": (
            settings.signing_key_path if str(settings.signing_key_path) not in ("", ".") else data_dir / "keys" / "minisign.key"
        ).resolve(),
        "database_url": settings.database_url or f"sqlite+aiosqlite:///{data_dir / 'upkeep.db'}",
    }
    derived["public_url"] = (settings.public_url or default_public_url(*settings.http_address)).rstrip("/")
    settings.grpc_address  # validate early
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"log_level: unknown level {settings.log_level!r}")
    return dataclasses.replace(settings, **derived)
