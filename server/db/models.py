"""SQLAlchemy 2.0 models of the Upkeep server (the only schema; Alembic mirrors it).

Conventions:

* Portable types only (see `server.db.types`): every timestamp is `UTCDateTime`
  (aware UTC in and out), JSON is `sqlalchemy.JSON`, IPs are `String(45)`, UUIDs are
  `String(36)`. Migrations run identically on SQLite and PostgreSQL.
* Enumerations are `StrEnum`s stored as short strings and guarded by a named CHECK
  constraint, so a new value needs a migration but no database enum type.
* Every relationship is `lazy="raise"`: load with `selectinload()` / `joinedload()`
  explicitly. One-to-many collections use `passive_deletes=True` and rely on the
  foreign key's `ON DELETE CASCADE`, so deleting a parent never loads its children.
* ORM objects stay inside `server/services`; nothing else imports them.

Seed mapping: seed 1 `versions` -> `releases` (+ `artifacts` for file_url/file_size/
file_checksum), `update_stats` -> `update_events`; seed 2 §5.2 tables keep their names.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from server.db.types import JSONAny, JSONDict, BigIntPK, UTCDateTime

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    # enums
    "ReleaseKind",
    "ReleaseStatus",
    "ClientKind",
    "CommandStatus",
    "RuleAction",
    "RolloutStatus",
    "RolloutAgentState",
    "EventAction",
    "UpgradeStatus",
    "AnnouncementLevel",
    "Role",
    # tables
    "Project",
    "Channel",
    "Release",
    "Artifact",
    "BundleManifest",
    "Chunk",
    "UpdateRule",
    "Client",
    "Command",
    "Rollout",
    "RolloutAgent",
    "UpdateEvent",
    "ClientActivity",
    "EventDailyRollup",
    "EventRollup",
    "TelemetryBatch",
    "AgentMetric",
    "ServiceUpgradeHistory",
    "ClientSelfUpgradeHistory",
    "Announcement",
    "Diagnostic",
    "MaintenanceWindow",
    "User",
    "ApiToken",
    "EnrollmentToken",
    "AuditLog",
    "utcnow",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC now; the Python-side default for `updated_at`."""
    return datetime.now(UTC)


# --------------------------------------------------------------------------- enums


class ReleaseKind(enum.StrEnum):
    SERVICE = "service"  # compose bundle upgraded by agents
    CLIENT = "client"  # application binary (seed 1 versions, Tauri apps)


class ReleaseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    REVOKED = "revoked"


class ClientKind(enum.StrEnum):
    AGENT = "agent"
    APP = "app"


class CommandStatus(enum.StrEnum):
    """Command lifecycle::

        queued --> sent --> acked --> running --> succeeded
           |         |        |          +------> failed
           +---------+--------+--> cancelled / expired
    """

    QUEUED = "queued"
    SENT = "sent"
    ACKED = "acked"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class RuleAction(enum.StrEnum):
    ALLOW = "allow"
    BLOCK = "block"
    PIN = "pin"


class RolloutStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABORTED = "aborted"


class RolloutAgentState(enum.StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class EventAction(enum.StrEnum):
    CHECK = "check"
    DOWNLOAD = "download"
    INSTALL = "install"
    SUCCESS = "success"
    FAILED = "failed"


class UpgradeStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class AnnouncementLevel(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


def _one_of(column: str, values: Iterable[str], *, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...)), named `ck_<table>_<name or column>`."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


def _percent(column: str, *, nullable: bool = False) -> CheckConstraint:
    cond = f"{column} >= 0 AND {column} <= 100"
    if nullable:
        cond = f"{column} IS NULL OR ({cond})"
    return CheckConstraint(cond, name=column)


# ---------------------------------------------------------------- reusable columns

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
bigpk = Annotated[int, mapped_column(BigIntPK, primary_key=True)]
created_ts = Annotated[datetime, mapped_column(UTCDateTime, server_default=func.now())]
updated_ts = Annotated[
    datetime, mapped_column(UTCDateTime, server_default=func.now(), onupdate=utcnow)
]
json_dict = Annotated[
    dict[str, Any], mapped_column(JSONDict, default=dict, server_default=text("'{}'"))
]
json_any = Annotated[Any, mapped_column(JSONAny, nullable=True)]
flag_true = Annotated[bool, mapped_column(Boolean, default=True, server_default=true())]
flag_false = Annotated[bool, mapped_column(Boolean, default=False, server_default=false())]
version_str = Annotated[str, mapped_column(String(50))]
region_str = Annotated[str, mapped_column(String(50))]


def _fk(target: str, *, ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey(target, ondelete=ondelete)


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, str: String(255)}
    # Fetch server-generated values (ids, now()) with RETURNING right after a flush,
    # so no attribute is left expired for a lazy load that async cannot do.
    __mapper_args__ = {"eager_defaults": True}

    def __repr__(self) -> str:
        pk = ", ".join(
            f"{c.key}={getattr(self, c.key, None)!r}" for c in self.__mapper__.primary_key
        )
        return f"<{type(self).__name__} {pk}>"


# ------------------------------------------------------------ projects & releases


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    default_channel: Mapped[str] = mapped_column(
        String(50), default="stable", server_default="stable"
    )
    #: region -> base URL of a download mirror (seed 1: releases.runpanel.cn for "cn").
    download_mirrors: Mapped[json_dict]
    #: Pushed to the project's agents (AgentSettings); NULL = each agent's config.toml.
    agent_health_timeout_s: Mapped[int | None] = mapped_column(Integer)
    agent_backup_retention: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]

    channels: Mapped[list[Channel]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    releases: Mapped[list[Release]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class Channel(Base):
    """Seed 1 `channels`, per project."""

    __tablename__ = "channels"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        _percent("rollout_percentage"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))  # uq (project_id, name) indexes it
    name: Mapped[str] = mapped_column(String(50))
    display_name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[flag_true]
    auto_publish: Mapped[flag_false]
    rollout_percentage: Mapped[int] = mapped_column(default=100, server_default=text("100"))
    created_at: Mapped[created_ts]

    project: Mapped[Project] = relationship(back_populates="channels", lazy="raise")


class Release(Base):
    """Seed 1 `versions`, generalised to projects and kinds.

    `version` is the normalised semver (no `v`); `display_version` is what was given.
    `major/minor/patch/is_prerelease/prerelease` let SQL order releases: sort by
    major, minor, patch DESC, then `is_prerelease` ASC (a release beats its
    prereleases); `prerelease` text order is only approximate semver (numeric
    identifiers), refine in Python when two prereleases of one core version compete.
    """

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("project_id", "version", "kind"),
        _one_of("kind", ReleaseKind),
        _one_of("status", ReleaseStatus),
        _percent("rollout_percentage", nullable=True),
        Index(None, "channel_id", "status"),
        Index(None, "project_id", "kind", "major", "minor", "patch"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    version: Mapped[version_str] = mapped_column(index=True)
    display_version: Mapped[version_str]
    major: Mapped[int]
    minor: Mapped[int]
    patch: Mapped[int]
    prerelease: Mapped[str] = mapped_column(String(100), default="", server_default="")
    is_prerelease: Mapped[flag_false]
    channel_id: Mapped[int] = mapped_column(_fk("channels.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    release_notes: Mapped[str | None] = mapped_column(Text)
    #: locale -> Markdown, e.g. {"en": "..."}; `release_notes` is the default locale.
    release_notes_i18n: Mapped[json_dict]
    breaking_changes: Mapped[str | None] = mapped_column(Text)
    min_upgrade_version: Mapped[str | None] = mapped_column(String(50))
    is_forced: Mapped[flag_false]
    status: Mapped[str] = mapped_column(
        String(16), default=ReleaseStatus.DRAFT.value, server_default=ReleaseStatus.DRAFT.value, index=True
    )
    publish_time: Mapped[datetime | None]
    #: Overrides the channel's rollout_percentage when set.
    rollout_percentage: Mapped[int | None]
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]

    project: Mapped[Project] = relationship(back_populates="releases", lazy="raise")
    channel: Mapped[Channel] = relationship(lazy="raise")
    artifacts: Mapped[list[Artifact]] = relationship(
        back_populates="release", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class BundleManifest(Base):
    """Signed file -> chunks manifest of a service bundle (delta distribution)."""

    __tablename__ = "bundle_manifests"

    id: Mapped[intpk]
    release_id: Mapped[int] = mapped_column(_fk("releases.id"), index=True)
    #: The exact signed bytes (canonical JSON); never re-serialised.
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_ts]


class Artifact(Base):
    """A downloadable file of a release for one platform (seed 1 file_url/size/checksum)."""

    __tablename__ = "artifacts"
    __table_args__ = (
        UniqueConstraint("release_id", "platform"),
        CheckConstraint(
            "external_url IS NOT NULL OR storage_key IS NOT NULL OR manifest_id IS NOT NULL",
            name="location",
        ),
    )

    id: Mapped[intpk]
    release_id: Mapped[int] = mapped_column(_fk("releases.id"))
    platform: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    checksum: Mapped[str] = mapped_column(String(128))  # "sha256:<hex>"
    signature: Mapped[str | None] = mapped_column(Text)  # minisign / Tauri .sig content
    external_url: Mapped[str | None] = mapped_column(String(1000))
    storage_key: Mapped[str | None] = mapped_column(String(512))
    manifest_id: Mapped[int | None] = mapped_column(
        _fk("bundle_manifests.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_ts]

    release: Mapped[Release] = relationship(back_populates="artifacts", lazy="raise")
    manifest: Mapped[BundleManifest | None] = relationship(lazy="raise")


class Chunk(Base):
    """A content-addressed chunk in storage, shared across releases and projects."""

    __tablename__ = "chunks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # blake3 hex
    size: Mapped[int]
    stored_size: Mapped[int]
    refcount: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[created_ts]


class UpdateRule(Base):
    """Seed 1 `update_rules` plus os/arch/labels targeting and an action."""

    __tablename__ = "update_rules"
    __table_args__ = (
        _one_of("action", RuleAction),
        CheckConstraint("action <> 'pin' OR pin_version IS NOT NULL", name="pin_version"),
        Index(None, "project_id", "priority"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    name: Mapped[str] = mapped_column(String(100))
    target_region: Mapped[str | None] = mapped_column(String(50))
    target_version_range: Mapped[str | None] = mapped_column(String(100))
    os: Mapped[str | None] = mapped_column(String(32))
    arch: Mapped[str | None] = mapped_column(String(32))
    labels: Mapped[json_dict]
    enabled: Mapped[flag_true]
    priority: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    rollout_config: Mapped[json_any]
    action: Mapped[str] = mapped_column(
        String(16), default=RuleAction.ALLOW.value, server_default=RuleAction.ALLOW.value
    )
    pin_version: Mapped[str | None] = mapped_column(String(50))
    #: The one channel the rule applies in; None = every channel.
    channel_id: Mapped[int | None] = mapped_column(_fk("channels.id"))
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]


# ------------------------------------------------------------------------ clients


class Client(Base):
    """Seed 2 `clients`: agents and polling apps alike."""

    __tablename__ = "clients"
    __table_args__ = (
        _one_of("kind", ClientKind),
        Index(None, "project_id", "online"),
    )

    id: Mapped[intpk]
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(
        String(16), default=ClientKind.APP.value, server_default=ClientKind.APP.value
    )
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    hostname: Mapped[str | None] = mapped_column(String(255))
    os_type: Mapped[str | None] = mapped_column(String(32))
    os_version: Mapped[str | None] = mapped_column(String(64))
    architecture: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(50))
    labels: Mapped[json_dict]
    client_version: Mapped[str | None] = mapped_column(String(50))
    service_version: Mapped[str | None] = mapped_column(String(50))
    #: Last inventory reported by the agent (containers, health, ...).
    service_state: Mapped[json_any]
    last_ip: Mapped[str | None] = mapped_column(String(45))
    first_seen_at: Mapped[created_ts]
    last_seen_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), default=utcnow, index=True
    )
    credential_hash: Mapped[str | None] = mapped_column(String(255))
    revoked_at: Mapped[datetime | None]
    online: Mapped[flag_false]
    connected_replica: Mapped[str | None] = mapped_column(String(100))

    project: Mapped[Project] = relationship(lazy="raise")


class Command(Base):
    """Durable per-agent command queue. `uuid` is the agent-side idempotency key."""

    __tablename__ = "commands"
    __table_args__ = (
        _one_of("status", CommandStatus),
        Index(None, "client_id", "status"),
    )

    id: Mapped[intpk]
    uuid: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    client_id: Mapped[int] = mapped_column(_fk("clients.id"))
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(
        String(16), default=CommandStatus.QUEUED.value, server_default=CommandStatus.QUEUED.value
    )
    payload: Mapped[json_dict]
    #: Latest progress: {"step": ..., "percent": ..., "message": ...}.
    progress: Mapped[json_any]
    result: Mapped[json_any]
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_ts]
    sent_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship(lazy="raise")


class Rollout(Base):
    """A release pushed to a target set of agents in phases (engine comes later)."""

    __tablename__ = "rollouts"
    __table_args__ = (
        _one_of("status", RolloutStatus),
        _percent("error_threshold", nullable=True),
    )

    id: Mapped[intpk]
    release_id: Mapped[int] = mapped_column(_fk("releases.id"), index=True)
    #: Selector: {"labels": {...}, "clients": [...], "region": ...}.
    target: Mapped[json_dict]
    #: [{"percent": 10} | {"count": 5}, ...]
    phases: Mapped[list[Any]] = mapped_column(
        JSONDict, default=list, server_default=text("'[]'")
    )
    current_phase: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: Failure percentage (0-100) of the current phase that pauses the rollout.
    error_threshold: Mapped[int | None]
    auto_advance: Mapped[flag_false]
    status: Mapped[str] = mapped_column(
        String(16), default=RolloutStatus.PENDING.value, server_default=RolloutStatus.PENDING.value
    )
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]

    release: Mapped[Release] = relationship(lazy="raise")
    agents: Mapped[list[RolloutAgent]] = relationship(
        back_populates="rollout", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class RolloutAgent(Base):
    __tablename__ = "rollout_agents"
    __table_args__ = (
        UniqueConstraint("rollout_id", "client_id"),
        _one_of("state", RolloutAgentState),
    )

    id: Mapped[intpk]
    rollout_id: Mapped[int] = mapped_column(_fk("rollouts.id"))
    client_id: Mapped[int] = mapped_column(_fk("clients.id"), index=True)
    phase: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    state: Mapped[str] = mapped_column(
        String(16),
        default=RolloutAgentState.PENDING.value,
        server_default=RolloutAgentState.PENDING.value,
    )
    command_id: Mapped[int | None] = mapped_column(_fk("commands.id", ondelete="SET NULL"))
    updated_at: Mapped[updated_ts]

    rollout: Mapped[Rollout] = relationship(back_populates="agents", lazy="raise")
    client: Mapped[Client] = relationship(lazy="raise")


# ------------------------------------------------------------- events & history


class UpdateEvent(Base):
    """Seed 1 `update_stats` (INET -> String(45) for portability)."""

    __tablename__ = "update_events"
    __table_args__ = (
        _one_of("action", EventAction),
        Index(None, "project_id", "created_at"),
    )

    id: Mapped[bigpk]
    project_id: Mapped[int | None] = mapped_column(_fk("projects.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(_fk("releases.id", ondelete="SET NULL"))
    version: Mapped[version_str] = mapped_column(index=True)
    client_id: Mapped[str | None] = mapped_column(String(128))
    client_version: Mapped[str | None] = mapped_column(String(50))
    region: Mapped[str | None] = mapped_column(String(50))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16), index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_ts] = mapped_column(index=True)


class EventRollup(Base):
    """Hourly pre-aggregated `update_events` counts (upsert on the unique key)."""

    __tablename__ = "event_rollups"
    __table_args__ = (
        UniqueConstraint("project_id", "bucket_start", "action", "version", "region"),
        _one_of("action", EventAction),
    )

    id: Mapped[bigpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    bucket_start: Mapped[datetime] = mapped_column(index=True)  # start of the hour, UTC
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[version_str] = mapped_column(default="", server_default="")
    region: Mapped[region_str] = mapped_column(default="", server_default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class EventDailyRollup(Base):
    """Daily pre-aggregated counts, same dimensions as `EventRollup` (long periods read these)."""

    __tablename__ = "daily_rollups"
    __table_args__ = (
        UniqueConstraint("project_id", "bucket_start", "action", "version", "region"),
        _one_of("action", EventAction),
    )

    id: Mapped[bigpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    bucket_start: Mapped[datetime] = mapped_column(index=True)  # midnight UTC
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[version_str] = mapped_column(default="", server_default="")
    region: Mapped[region_str] = mapped_column(default="", server_default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class ClientActivity(Base):
    """Each client's latest event per action and of any action (``*``): exact client counts, no DISTINCT."""

    __tablename__ = "client_activity"
    __table_args__ = (
        UniqueConstraint("project_id", "client_id", "action"),
        Index(None, "project_id", "action", "last_at"),
        _one_of("action", [*EventAction, "*"]),
    )

    id: Mapped[bigpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"))
    client_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    #: As in the rollups: the client's own version for ``check``, the event's otherwise.
    version: Mapped[version_str] = mapped_column(default="", server_default="")
    region: Mapped[region_str] = mapped_column(default="", server_default="")
    last_at: Mapped[datetime]


class TelemetryBatch(Base):
    """Seen (client, batch_seq) pairs so a resent telemetry batch is applied once."""

    __tablename__ = "telemetry_batches"
    __table_args__ = (UniqueConstraint("client_id", "batch_seq"),)

    id: Mapped[bigpk]
    client_id: Mapped[int] = mapped_column(_fk("clients.id"))
    batch_seq: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[created_ts]


class AgentMetric(Base):
    """A numeric measurement an agent reported in telemetry (disk free, restarts ...)."""

    __tablename__ = "agent_metrics"
    __table_args__ = (Index(None, "client_id", "name", "observed_at"),)

    id: Mapped[bigpk]
    client_id: Mapped[int] = mapped_column(_fk("clients.id"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    labels: Mapped[json_any]
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class _UpgradeHistoryMixin:
    """Seed 2 §5.2.2 / §5.2.3 columns, plus the command that caused it (if any)."""

    id: Mapped[intpk]
    from_version: Mapped[str] = mapped_column(Text)
    to_version: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    upgraded_at: Mapped[created_ts]
    #: {"backup": 1.2, "down": 3.4, ...} seconds per step.
    step_timings: Mapped[json_any]


class ServiceUpgradeHistory(_UpgradeHistoryMixin, Base):
    __tablename__ = "service_upgrade_history"
    __table_args__ = (
        _one_of("status", UpgradeStatus),
        Index(None, "client_id", "upgraded_at"),
    )

    client_id: Mapped[int] = mapped_column(_fk("clients.id"))
    command_id: Mapped[int | None] = mapped_column(_fk("commands.id", ondelete="SET NULL"))

    client: Mapped[Client] = relationship(lazy="raise")


class ClientSelfUpgradeHistory(_UpgradeHistoryMixin, Base):
    __tablename__ = "client_self_upgrade_history"
    __table_args__ = (
        _one_of("status", UpgradeStatus),
        Index(None, "client_id", "upgraded_at"),
    )

    client_id: Mapped[int] = mapped_column(_fk("clients.id"))
    command_id: Mapped[int | None] = mapped_column(_fk("commands.id", ondelete="SET NULL"))

    client: Mapped[Client] = relationship(lazy="raise")


# --------------------------------------------------------- announcements & misc


class Announcement(Base):
    """Seed 2 §8.5; `project_id` NULL means global."""

    __tablename__ = "announcements"
    __table_args__ = (_one_of("level", AnnouncementLevel),)

    id: Mapped[intpk]
    project_id: Mapped[int | None] = mapped_column(_fk("projects.id"), index=True)
    level: Mapped[str] = mapped_column(
        String(16), default=AnnouncementLevel.INFO.value, server_default=AnnouncementLevel.INFO.value
    )
    content: Mapped[str] = mapped_column(Text)  # default locale
    content_i18n: Mapped[json_dict]  # locale -> text
    visible_from: Mapped[datetime | None]
    visible_until: Mapped[datetime | None]
    created_at: Mapped[created_ts] = mapped_column(index=True)
    created_by: Mapped[str | None] = mapped_column(String(100))


class Diagnostic(Base):
    """An uploaded diagnostics bundle (seed 2 §10.1), stored in storage."""

    __tablename__ = "diagnostics"

    id: Mapped[intpk]
    client_id: Mapped[int] = mapped_column(_fk("clients.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(71))
    created_at: Mapped[created_ts]


class MaintenanceWindow(Base):
    """When agents may be upgraded without a person: one agent, a label selector, or
    (both NULL) every agent of the project. `cron` marks window starts (croniter)."""

    __tablename__ = "maintenance_windows"
    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_minutes"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(_fk("clients.id"), index=True)
    label_selector: Mapped[json_any]
    cron: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    enabled: Mapped[flag_true]
    created_at: Mapped[created_ts]


# ----------------------------------------------------------------------- security


class User(Base):
    __tablename__ = "users"
    __table_args__ = (_one_of("role", Role),)

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2
    role: Mapped[str] = mapped_column(
        String(16), default=Role.VIEWER.value, server_default=Role.VIEWER.value
    )
    locale: Mapped[str | None] = mapped_column(String(16))  # NULL: negotiate
    is_active: Mapped[flag_true]
    created_at: Mapped[created_ts]
    last_login_at: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (_one_of("role", Role),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists, never the secret
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_ts]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class EnrollmentToken(Base):
    __tablename__ = "enrollment_tokens"
    __table_args__ = (CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(_fk("projects.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str | None] = mapped_column(String(16))
    labels: Mapped[json_dict]  # applied to agents enrolled with it
    max_uses: Mapped[int | None]  # NULL: unlimited
    uses: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[created_ts]
    created_by: Mapped[str | None] = mapped_column(String(100))


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[bigpk]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[json_any]
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[created_ts] = mapped_column(index=True)
