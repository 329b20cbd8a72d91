import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from generated.upkeep.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GoodbyeReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOODBYE_REASON_UNSPECIFIED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_REVOKED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_REPLACED: _ClassVar[GoodbyeReason]
    GOODBYE_REASON_SHUTDOWN: _ClassVar[GoodbyeReason]
GOODBYE_REASON_UNSPECIFIED: GoodbyeReason
GOODBYE_REASON_REVOKED: GoodbyeReason
GOODBYE_REASON_REPLACED: GoodbyeReason
GOODBYE_REASON_SHUTDOWN: GoodbyeReason

class EnrollRequest(_message.Message):
    __slots__ = ("enrollment_token", "client_uuid", "os", "os_version", "arch", "hostname", "labels", "client_version", "service_version", "region")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENROLLMENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    ARCH_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    enrollment_token: str
    client_uuid: str
    os: str
    os_version: str
    arch: str
    hostname: str
    labels: _containers.ScalarMap[str, str]
    client_version: str
    service_version: str
    region: str
    def __init__(self, enrollment_token: _Optional[str] = ..., client_uuid: _Optional[str] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., arch: _Optional[str] = ..., hostname: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., client_version: _Optional[str] = ..., service_version: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class EnrollResponse(_message.Message):
    __slots__ = ("agent_id", "client_uuid", "secret", "project", "signing_public_key", "enrolled_at")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SIGNING_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ENROLLED_AT_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    client_uuid: str
    secret: str
    project: str
    signing_public_key: str
    enrolled_at: _timestamp_pb2.Timestamp
    def __init__(self, agent_id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., secret: _Optional[str] = ..., project: _Optional[str] = ..., signing_public_key: _Optional[str] = ..., enrolled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Inventory(_message.Message):
    __slots__ = ("compose_project", "compose_dir", "compose_version", "docker_version", "containers", "installed_release_id", "installed_manifest_id", "disk_free_bytes")
    COMPOSE_PROJECT_FIELD_NUMBER: _ClassVar[int]
    COMPOSE_DIR_FIELD_NUMBER: _ClassVar[int]
    COMPOSE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DOCKER_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    INSTALLED_RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTALLED_MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    compose_project: str
    compose_dir: str
    compose_version: str
    docker_version: str
    containers: _containers.RepeatedCompositeFieldContainer[_common_pb2.ContainerStatus]
    installed_release_id: int
    installed_manifest_id: int
    disk_free_bytes: int
    def __init__(self, compose_project: _Optional[str] = ..., compose_dir: _Optional[str] = ..., compose_version: _Optional[str] = ..., docker_version: _Optional[str] = ..., containers: _Optional[_Iterable[_Union[_common_pb2.ContainerStatus, _Mapping]]] = ..., installed_release_id: _Optional[int] = ..., installed_manifest_id: _Optional[int] = ..., disk_free_bytes: _Optional[int] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("agent_id", "client_uuid", "client_version", "service_version", "os", "os_version", "arch", "hostname", "labels", "inventory", "last_acked_command_id", "executed_command_ids", "running_command_ids", "last_acked_telemetry_seq", "service_state", "locale")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    ARCH_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    LAST_ACKED_COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_COMMAND_IDS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_COMMAND_IDS_FIELD_NUMBER: _ClassVar[int]
    LAST_ACKED_TELEMETRY_SEQ_FIELD_NUMBER: _ClassVar[int]
    SERVICE_STATE_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    client_uuid: str
    client_version: str
    service_version: str
    os: str
    os_version: str
    arch: str
    hostname: str
    labels: _containers.ScalarMap[str, str]
    inventory: Inventory
    last_acked_command_id: str
    executed_command_ids: _containers.RepeatedScalarFieldContainer[str]
    running_command_ids: _containers.RepeatedScalarFieldContainer[str]
    last_acked_telemetry_seq: int
    service_state: _common_pb2.ServiceState
    locale: str
    def __init__(self, agent_id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., client_version: _Optional[str] = ..., service_version: _Optional[str] = ..., os: _Optional[str] = ..., os_version: _Optional[str] = ..., arch: _Optional[str] = ..., hostname: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., inventory: _Optional[_Union[Inventory, _Mapping]] = ..., last_acked_command_id: _Optional[str] = ..., executed_command_ids: _Optional[_Iterable[str]] = ..., running_command_ids: _Optional[_Iterable[str]] = ..., last_acked_telemetry_seq: _Optional[int] = ..., service_state: _Optional[_Union[_common_pb2.ServiceState, _Mapping]] = ..., locale: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("seq", "sent_at", "service_state")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    SERVICE_STATE_FIELD_NUMBER: _ClassVar[int]
    seq: int
    sent_at: _timestamp_pb2.Timestamp
    service_state: _common_pb2.ServiceState
    def __init__(self, seq: _Optional[int] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_state: _Optional[_Union[_common_pb2.ServiceState, _Mapping]] = ...) -> None: ...

class CommandAck(_message.Message):
    __slots__ = ("command_id", "accepted")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    accepted: bool
    def __init__(self, command_id: _Optional[str] = ..., accepted: _Optional[bool] = ...) -> None: ...

class UpgradeRecord(_message.Message):
    __slots__ = ("from_version", "to_version", "outcome", "details", "command_id", "upgraded_at")
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    UPGRADED_AT_FIELD_NUMBER: _ClassVar[int]
    from_version: str
    to_version: str
    outcome: _common_pb2.UpgradeOutcome
    details: str
    command_id: str
    upgraded_at: _timestamp_pb2.Timestamp
    def __init__(self, from_version: _Optional[str] = ..., to_version: _Optional[str] = ..., outcome: _Optional[_Union[_common_pb2.UpgradeOutcome, str]] = ..., details: _Optional[str] = ..., command_id: _Optional[str] = ..., upgraded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Metric(_message.Message):
    __slots__ = ("name", "value", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: float
    labels: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., value: _Optional[float] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TelemetryEvent(_message.Message):
    __slots__ = ("occurred_at", "service_upgrade", "self_upgrade", "metric")
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SERVICE_UPGRADE_FIELD_NUMBER: _ClassVar[int]
    SELF_UPGRADE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    occurred_at: _timestamp_pb2.Timestamp
    service_upgrade: UpgradeRecord
    self_upgrade: UpgradeRecord
    metric: Metric
    def __init__(self, occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_upgrade: _Optional[_Union[UpgradeRecord, _Mapping]] = ..., self_upgrade: _Optional[_Union[UpgradeRecord, _Mapping]] = ..., metric: _Optional[_Union[Metric, _Mapping]] = ...) -> None: ...

class TelemetryBatch(_message.Message):
    __slots__ = ("seq", "events")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    seq: int
    events: _containers.RepeatedCompositeFieldContainer[TelemetryEvent]
    def __init__(self, seq: _Optional[int] = ..., events: _Optional[_Iterable[_Union[TelemetryEvent, _Mapping]]] = ...) -> None: ...

class ConnectRequest(_message.Message):
    __slots__ = ("hello", "heartbeat", "command_ack", "command_progress", "command_result", "telemetry_batch")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ACK_FIELD_NUMBER: _ClassVar[int]
    COMMAND_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    COMMAND_RESULT_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_BATCH_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    heartbeat: Heartbeat
    command_ack: CommandAck
    command_progress: _common_pb2.CommandProgress
    command_result: _common_pb2.CommandResult
    telemetry_batch: TelemetryBatch
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., command_ack: _Optional[_Union[CommandAck, _Mapping]] = ..., command_progress: _Optional[_Union[_common_pb2.CommandProgress, _Mapping]] = ..., command_result: _Optional[_Union[_common_pb2.CommandResult, _Mapping]] = ..., telemetry_batch: _Optional[_Union[TelemetryBatch, _Mapping]] = ...) -> None: ...

class AgentSettings(_message.Message):
    __slots__ = ("maintenance_windows", "maintenance_window_duration", "check_interval", "channel", "backup_retention", "health_check_timeout", "max_chunks_per_fetch")
    MAINTENANCE_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    MAINTENANCE_WINDOW_DURATION_FIELD_NUMBER: _ClassVar[int]
    CHECK_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    BACKUP_RETENTION_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MAX_CHUNKS_PER_FETCH_FIELD_NUMBER: _ClassVar[int]
    maintenance_windows: _containers.RepeatedScalarFieldContainer[str]
    maintenance_window_duration: _duration_pb2.Duration
    check_interval: _duration_pb2.Duration
    channel: str
    backup_retention: int
    health_check_timeout: _duration_pb2.Duration
    max_chunks_per_fetch: int
    def __init__(self, maintenance_windows: _Optional[_Iterable[str]] = ..., maintenance_window_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., check_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., channel: _Optional[str] = ..., backup_retention: _Optional[int] = ..., health_check_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_chunks_per_fetch: _Optional[int] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("agent_id", "session_id", "heartbeat_interval", "server_time", "server_version", "settings")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    SERVER_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    session_id: str
    heartbeat_interval: _duration_pb2.Duration
    server_time: _timestamp_pb2.Timestamp
    server_version: str
    settings: AgentSettings
    def __init__(self, agent_id: _Optional[int] = ..., session_id: _Optional[str] = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., server_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., server_version: _Optional[str] = ..., settings: _Optional[_Union[AgentSettings, _Mapping]] = ...) -> None: ...

class CommandCancel(_message.Message):
    __slots__ = ("command_id", "reason")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    reason: str
    def __init__(self, command_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class TelemetryAck(_message.Message):
    __slots__ = ("seq",)
    SEQ_FIELD_NUMBER: _ClassVar[int]
    seq: int
    def __init__(self, seq: _Optional[int] = ...) -> None: ...

class CommandResultAck(_message.Message):
    __slots__ = ("command_id",)
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    def __init__(self, command_id: _Optional[str] = ...) -> None: ...

class Goodbye(_message.Message):
    __slots__ = ("reason", "message", "reconnect_after")
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RECONNECT_AFTER_FIELD_NUMBER: _ClassVar[int]
    reason: GoodbyeReason
    message: str
    reconnect_after: _duration_pb2.Duration
    def __init__(self, reason: _Optional[_Union[GoodbyeReason, str]] = ..., message: _Optional[str] = ..., reconnect_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ConnectResponse(_message.Message):
    __slots__ = ("welcome", "command", "cancel", "announcement", "telemetry_ack", "goodbye", "settings", "result_ack")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_ACK_FIELD_NUMBER: _ClassVar[int]
    GOODBYE_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    RESULT_ACK_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    command: _common_pb2.Command
    cancel: CommandCancel
    announcement: _common_pb2.Announcement
    telemetry_ack: TelemetryAck
    goodbye: Goodbye
    settings: AgentSettings
    result_ack: CommandResultAck
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., command: _Optional[_Union[_common_pb2.Command, _Mapping]] = ..., cancel: _Optional[_Union[CommandCancel, _Mapping]] = ..., announcement: _Optional[_Union[_common_pb2.Announcement, _Mapping]] = ..., telemetry_ack: _Optional[_Union[TelemetryAck, _Mapping]] = ..., goodbye: _Optional[_Union[Goodbye, _Mapping]] = ..., settings: _Optional[_Union[AgentSettings, _Mapping]] = ..., result_ack: _Optional[_Union[CommandResultAck, _Mapping]] = ...) -> None: ...

class GetManifestRequest(_message.Message):
    __slots__ = ("release_id", "base_release_id")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    base_release_id: int
    def __init__(self, release_id: _Optional[int] = ..., base_release_id: _Optional[int] = ...) -> None: ...

class GetManifestResponse(_message.Message):
    __slots__ = ("manifest", "signed_bytes_delta", "delta_base_release_id")
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BYTES_DELTA_FIELD_NUMBER: _ClassVar[int]
    DELTA_BASE_RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    manifest: _common_pb2.SignedManifest
    signed_bytes_delta: bytes
    delta_base_release_id: int
    def __init__(self, manifest: _Optional[_Union[_common_pb2.SignedManifest, _Mapping]] = ..., signed_bytes_delta: _Optional[bytes] = ..., delta_base_release_id: _Optional[int] = ...) -> None: ...

class FetchChunksRequest(_message.Message):
    __slots__ = ("release_id", "chunk_ids", "base_file_sha256s", "accept_delta", "base_release_id")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    BASE_FILE_SHA256S_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DELTA_FIELD_NUMBER: _ClassVar[int]
    BASE_RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    base_file_sha256s: _containers.RepeatedScalarFieldContainer[str]
    accept_delta: bool
    base_release_id: int
    def __init__(self, release_id: _Optional[int] = ..., chunk_ids: _Optional[_Iterable[str]] = ..., base_file_sha256s: _Optional[_Iterable[str]] = ..., accept_delta: _Optional[bool] = ..., base_release_id: _Optional[int] = ...) -> None: ...

class ChunkData(_message.Message):
    __slots__ = ("chunk_id", "data", "raw_size")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    RAW_SIZE_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    data: bytes
    raw_size: int
    def __init__(self, chunk_id: _Optional[str] = ..., data: _Optional[bytes] = ..., raw_size: _Optional[int] = ...) -> None: ...

class ChunkBatch(_message.Message):
    __slots__ = ("chunks",)
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[ChunkData]
    def __init__(self, chunks: _Optional[_Iterable[_Union[ChunkData, _Mapping]]] = ...) -> None: ...

class DeltaTarget(_message.Message):
    __slots__ = ("chunk_id", "offset", "size")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    offset: int
    size: int
    def __init__(self, chunk_id: _Optional[str] = ..., offset: _Optional[int] = ..., size: _Optional[int] = ...) -> None: ...

class DeltaPack(_message.Message):
    __slots__ = ("pack_id", "base_file_sha256", "targets", "frame_index", "frame_count", "data", "raw_size", "base_chunk_ids")
    PACK_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_FILE_SHA256_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    RAW_SIZE_FIELD_NUMBER: _ClassVar[int]
    BASE_CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    pack_id: str
    base_file_sha256: str
    targets: _containers.RepeatedCompositeFieldContainer[DeltaTarget]
    frame_index: int
    frame_count: int
    data: bytes
    raw_size: int
    base_chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pack_id: _Optional[str] = ..., base_file_sha256: _Optional[str] = ..., targets: _Optional[_Iterable[_Union[DeltaTarget, _Mapping]]] = ..., frame_index: _Optional[int] = ..., frame_count: _Optional[int] = ..., data: _Optional[bytes] = ..., raw_size: _Optional[int] = ..., base_chunk_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class FetchChunksResponse(_message.Message):
    __slots__ = ("delta_pack", "chunks")
    DELTA_PACK_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    delta_pack: DeltaPack
    chunks: ChunkBatch
    def __init__(self, delta_pack: _Optional[_Union[DeltaPack, _Mapping]] = ..., chunks: _Optional[_Union[ChunkBatch, _Mapping]] = ...) -> None: ...

class DiagnosticsMetadata(_message.Message):
    __slots__ = ("command_id", "file_name", "size", "sha256", "user_consented", "note")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    USER_CONSENTED_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    file_name: str
    size: int
    sha256: str
    user_consented: bool
    note: str
    def __init__(self, command_id: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ..., user_consented: _Optional[bool] = ..., note: _Optional[str] = ...) -> None: ...

class UploadDiagnosticsRequest(_message.Message):
    __slots__ = ("metadata", "data")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    metadata: DiagnosticsMetadata
    data: bytes
    def __init__(self, metadata: _Optional[_Union[DiagnosticsMetadata, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadDiagnosticsResponse(_message.Message):
    __slots__ = ("diagnostics_id", "size", "sha256")
    DIAGNOSTICS_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    diagnostics_id: int
    size: int
    sha256: str
    def __init__(self, diagnostics_id: _Optional[int] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...
