import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReleaseKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_KIND_UNSPECIFIED: _ClassVar[ReleaseKind]
    RELEASE_KIND_SERVICE: _ClassVar[ReleaseKind]
    RELEASE_KIND_CLIENT: _ClassVar[ReleaseKind]

class ReleaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_STATUS_UNSPECIFIED: _ClassVar[ReleaseStatus]
    RELEASE_STATUS_DRAFT: _ClassVar[ReleaseStatus]
    RELEASE_STATUS_PUBLISHED: _ClassVar[ReleaseStatus]
    RELEASE_STATUS_PAUSED: _ClassVar[ReleaseStatus]
    RELEASE_STATUS_REVOKED: _ClassVar[ReleaseStatus]

class RuleAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_ACTION_UNSPECIFIED: _ClassVar[RuleAction]
    RULE_ACTION_ALLOW: _ClassVar[RuleAction]
    RULE_ACTION_BLOCK: _ClassVar[RuleAction]
    RULE_ACTION_PIN: _ClassVar[RuleAction]

class AnnouncementLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANNOUNCEMENT_LEVEL_UNSPECIFIED: _ClassVar[AnnouncementLevel]
    ANNOUNCEMENT_LEVEL_INFO: _ClassVar[AnnouncementLevel]
    ANNOUNCEMENT_LEVEL_WARNING: _ClassVar[AnnouncementLevel]
    ANNOUNCEMENT_LEVEL_CRITICAL: _ClassVar[AnnouncementLevel]

class ClientKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLIENT_KIND_UNSPECIFIED: _ClassVar[ClientKind]
    CLIENT_KIND_AGENT: _ClassVar[ClientKind]
    CLIENT_KIND_POLLING: _ClassVar[ClientKind]

class ContainerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTAINER_STATE_UNSPECIFIED: _ClassVar[ContainerState]
    CONTAINER_STATE_CREATED: _ClassVar[ContainerState]
    CONTAINER_STATE_RUNNING: _ClassVar[ContainerState]
    CONTAINER_STATE_RESTARTING: _ClassVar[ContainerState]
    CONTAINER_STATE_PAUSED: _ClassVar[ContainerState]
    CONTAINER_STATE_EXITED: _ClassVar[ContainerState]
    CONTAINER_STATE_DEAD: _ClassVar[ContainerState]

class ContainerHealth(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTAINER_HEALTH_UNSPECIFIED: _ClassVar[ContainerHealth]
    CONTAINER_HEALTH_NONE: _ClassVar[ContainerHealth]
    CONTAINER_HEALTH_STARTING: _ClassVar[ContainerHealth]
    CONTAINER_HEALTH_HEALTHY: _ClassVar[ContainerHealth]
    CONTAINER_HEALTH_UNHEALTHY: _ClassVar[ContainerHealth]

class ServiceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_STATUS_UNSPECIFIED: _ClassVar[ServiceStatus]
    SERVICE_STATUS_RUNNING: _ClassVar[ServiceStatus]
    SERVICE_STATUS_DEGRADED: _ClassVar[ServiceStatus]
    SERVICE_STATUS_STOPPED: _ClassVar[ServiceStatus]
    SERVICE_STATUS_UNKNOWN: _ClassVar[ServiceStatus]

class CommandType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMAND_TYPE_UNSPECIFIED: _ClassVar[CommandType]
    COMMAND_TYPE_UPGRADE: _ClassVar[CommandType]
    COMMAND_TYPE_BACKUP: _ClassVar[CommandType]
    COMMAND_TYPE_ROLLBACK: _ClassVar[CommandType]
    COMMAND_TYPE_RESTART: _ClassVar[CommandType]
    COMMAND_TYPE_SELF_UPDATE: _ClassVar[CommandType]
    COMMAND_TYPE_COLLECT_DIAGNOSTICS: _ClassVar[CommandType]

class CommandStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMAND_STATUS_UNSPECIFIED: _ClassVar[CommandStatus]
    COMMAND_STATUS_QUEUED: _ClassVar[CommandStatus]
    COMMAND_STATUS_SENT: _ClassVar[CommandStatus]
    COMMAND_STATUS_ACKED: _ClassVar[CommandStatus]
    COMMAND_STATUS_RUNNING: _ClassVar[CommandStatus]
    COMMAND_STATUS_SUCCEEDED: _ClassVar[CommandStatus]
    COMMAND_STATUS_FAILED: _ClassVar[CommandStatus]
    COMMAND_STATUS_CANCELLED: _ClassVar[CommandStatus]
    COMMAND_STATUS_EXPIRED: _ClassVar[CommandStatus]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_VIEWER: _ClassVar[Role]
    ROLE_OPERATOR: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]

class UpgradeOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPGRADE_OUTCOME_UNSPECIFIED: _ClassVar[UpgradeOutcome]
    UPGRADE_OUTCOME_SUCCESS: _ClassVar[UpgradeOutcome]
    UPGRADE_OUTCOME_FAILED: _ClassVar[UpgradeOutcome]

class ManifestEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MANIFEST_ENCODING_UNSPECIFIED: _ClassVar[ManifestEncoding]
    MANIFEST_ENCODING_JSON: _ClassVar[ManifestEncoding]
    MANIFEST_ENCODING_PROTOBUF: _ClassVar[ManifestEncoding]
RELEASE_KIND_UNSPECIFIED: ReleaseKind
RELEASE_KIND_SERVICE: ReleaseKind
RELEASE_KIND_CLIENT: ReleaseKind
RELEASE_STATUS_UNSPECIFIED: ReleaseStatus
RELEASE_STATUS_DRAFT: ReleaseStatus
RELEASE_STATUS_PUBLISHED: ReleaseStatus
RELEASE_STATUS_PAUSED: ReleaseStatus
RELEASE_STATUS_REVOKED: ReleaseStatus
RULE_ACTION_UNSPECIFIED: RuleAction
RULE_ACTION_ALLOW: RuleAction
RULE_ACTION_BLOCK: RuleAction
RULE_ACTION_PIN: RuleAction
ANNOUNCEMENT_LEVEL_UNSPECIFIED: AnnouncementLevel
ANNOUNCEMENT_LEVEL_INFO: AnnouncementLevel
ANNOUNCEMENT_LEVEL_WARNING: AnnouncementLevel
ANNOUNCEMENT_LEVEL_CRITICAL: AnnouncementLevel
CLIENT_KIND_UNSPECIFIED: ClientKind
CLIENT_KIND_AGENT: ClientKind
CLIENT_KIND_POLLING: ClientKind
CONTAINER_STATE_UNSPECIFIED: ContainerState
CONTAINER_STATE_CREATED: ContainerState
CONTAINER_STATE_RUNNING: ContainerState
CONTAINER_STATE_RESTARTING: ContainerState
CONTAINER_STATE_PAUSED: ContainerState
CONTAINER_STATE_EXITED: ContainerState
CONTAINER_STATE_DEAD: ContainerState
CONTAINER_HEALTH_UNSPECIFIED: ContainerHealth
CONTAINER_HEALTH_NONE: ContainerHealth
CONTAINER_HEALTH_STARTING: ContainerHealth
CONTAINER_HEALTH_HEALTHY: ContainerHealth
CONTAINER_HEALTH_UNHEALTHY: ContainerHealth
SERVICE_STATUS_UNSPECIFIED: ServiceStatus
SERVICE_STATUS_RUNNING: ServiceStatus
SERVICE_STATUS_DEGRADED: ServiceStatus
SERVICE_STATUS_STOPPED: ServiceStatus
SERVICE_STATUS_UNKNOWN: ServiceStatus
COMMAND_TYPE_UNSPECIFIED: CommandType
COMMAND_TYPE_UPGRADE: CommandType
COMMAND_TYPE_BACKUP: CommandType
COMMAND_TYPE_ROLLBACK: CommandType
COMMAND_TYPE_RESTART: CommandType
COMMAND_TYPE_SELF_UPDATE: CommandType
COMMAND_TYPE_COLLECT_DIAGNOSTICS: CommandType
COMMAND_STATUS_UNSPECIFIED: CommandStatus
COMMAND_STATUS_QUEUED: CommandStatus
COMMAND_STATUS_SENT: CommandStatus
COMMAND_STATUS_ACKED: CommandStatus
COMMAND_STATUS_RUNNING: CommandStatus
COMMAND_STATUS_SUCCEEDED: CommandStatus
COMMAND_STATUS_FAILED: CommandStatus
COMMAND_STATUS_CANCELLED: CommandStatus
COMMAND_STATUS_EXPIRED: CommandStatus
ROLE_UNSPECIFIED: Role
ROLE_VIEWER: Role
ROLE_OPERATOR: Role
ROLE_ADMIN: Role
UPGRADE_OUTCOME_UNSPECIFIED: UpgradeOutcome
UPGRADE_OUTCOME_SUCCESS: UpgradeOutcome
UPGRADE_OUTCOME_FAILED: UpgradeOutcome
MANIFEST_ENCODING_UNSPECIFIED: ManifestEncoding
MANIFEST_ENCODING_JSON: ManifestEncoding
MANIFEST_ENCODING_PROTOBUF: ManifestEncoding

class PageRequest(_message.Message):
    __slots__ = ("page", "page_size")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class PageResponse(_message.Message):
    __slots__ = ("page", "page_size", "total")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    total: int
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class LocalizedText(_message.Message):
    __slots__ = ("values",)
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.ScalarMap[str, str]
    def __init__(self, values: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Labels(_message.Message):
    __slots__ = ("values",)
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.ScalarMap[str, str]
    def __init__(self, values: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Project(_message.Message):
    __slots__ = ("id", "slug", "name", "description", "default_channel", "created_at", "updated_at", "download_mirrors", "agent_health_check_timeout", "agent_backup_retention")
    class DownloadMirrorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_MIRRORS_FIELD_NUMBER: _ClassVar[int]
    AGENT_HEALTH_CHECK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    AGENT_BACKUP_RETENTION_FIELD_NUMBER: _ClassVar[int]
    id: int
    slug: str
    name: str
    description: str
    default_channel: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    download_mirrors: _containers.ScalarMap[str, str]
    agent_health_check_timeout: _duration_pb2.Duration
    agent_backup_retention: int
    def __init__(self, id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., default_channel: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., download_mirrors: _Optional[_Mapping[str, str]] = ..., agent_health_check_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., agent_backup_retention: _Optional[int] = ...) -> None: ...

class Channel(_message.Message):
    __slots__ = ("id", "project", "name", "display_name", "description", "is_active", "auto_publish", "rollout_percentage", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    AUTO_PUBLISH_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    name: str
    display_name: str
    description: str
    is_active: bool
    auto_publish: bool
    rollout_percentage: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., auto_publish: _Optional[bool] = ..., rollout_percentage: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Artifact(_message.Message):
    __slots__ = ("id", "release_id", "platform", "file_name", "size", "checksum", "signature", "url", "manifest_id", "content_type", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    release_id: int
    platform: str
    file_name: str
    size: int
    checksum: str
    signature: str
    url: str
    manifest_id: int
    content_type: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., release_id: _Optional[int] = ..., platform: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., checksum: _Optional[str] = ..., signature: _Optional[str] = ..., url: _Optional[str] = ..., manifest_id: _Optional[int] = ..., content_type: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Release(_message.Message):
    __slots__ = ("id", "project", "kind", "version", "display_version", "channel", "title", "description", "release_notes", "release_notes_i18n", "breaking_changes", "min_upgrade_version", "is_forced", "status", "publish_time", "rollout_percentage", "artifacts", "created_at", "updated_at")
    class ReleaseNotesI18nEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_I18N_FIELD_NUMBER: _ClassVar[int]
    BREAKING_CHANGES_FIELD_NUMBER: _ClassVar[int]
    MIN_UPGRADE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IS_FORCED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    kind: ReleaseKind
    version: str
    display_version: str
    channel: str
    title: str
    description: str
    release_notes: str
    release_notes_i18n: _containers.ScalarMap[str, str]
    breaking_changes: str
    min_upgrade_version: str
    is_forced: bool
    status: ReleaseStatus
    publish_time: _timestamp_pb2.Timestamp
    rollout_percentage: int
    artifacts: _containers.RepeatedCompositeFieldContainer[Artifact]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., kind: _Optional[_Union[ReleaseKind, str]] = ..., version: _Optional[str] = ..., display_version: _Optional[str] = ..., channel: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., release_notes: _Optional[str] = ..., release_notes_i18n: _Optional[_Mapping[str, str]] = ..., breaking_changes: _Optional[str] = ..., min_upgrade_version: _Optional[str] = ..., is_forced: _Optional[bool] = ..., status: _Optional[_Union[ReleaseStatus, str]] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rollout_percentage: _Optional[int] = ..., artifacts: _Optional[_Iterable[_Union[Artifact, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpdateRule(_message.Message):
    __slots__ = ("id", "project", "name", "target_region", "target_version_range", "os", "arch", "labels", "enabled", "priority", "rollout_config", "action", "pin_version", "channel", "created_at", "updated_at")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_REGION_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_RANGE_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    ARCH_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_CONFIG_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PIN_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    name: str
    target_region: str
    target_version_range: str
    os: str
    arch: str
    labels: _containers.ScalarMap[str, str]
    enabled: bool
    priority: int
    rollout_config: str
    action: RuleAction
    pin_version: str
    channel: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., name: _Optional[str] = ..., target_region: _Optional[str] = ..., target_version_range: _Optional[str] = ..., os: _Optional[str] = ..., arch: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., enabled: _Optional[bool] = ..., priority: _Optional[int] = ..., rollout_config: _Optional[str] = ..., action: _Optional[_Union[RuleAction, str]] = ..., pin_version: _Optional[str] = ..., channel: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Announcement(_message.Message):
    __slots__ = ("id", "level", "content", "project", "visible_from", "visible_until", "created_at")
    class ContentEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_FROM_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    level: AnnouncementLevel
    content: _containers.ScalarMap[str, str]
    project: str
    visible_from: _timestamp_pb2.Timestamp
    visible_until: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., level: _Optional[_Union[AnnouncementLevel, str]] = ..., content: _Optional[_Mapping[str, str]] = ..., project: _Optional[str] = ..., visible_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., visible_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ContainerStatus(_message.Message):
    __slots__ = ("name", "service", "image", "image_id", "state", "health", "status_text")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    STATUS_TEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    service: str
    image: str
    image_id: str
    state: ContainerState
    health: ContainerHealth
    status_text: str
    def __init__(self, name: _Optional[str] = ..., service: _Optional[str] = ..., image: _Optional[str] = ..., image_id: _Optional[str] = ..., state: _Optional[_Union[ContainerState, str]] = ..., health: _Optional[_Union[ContainerHealth, str]] = ..., status_text: _Optional[str] = ...) -> None: ...

class ServiceState(_message.Message):
    __slots__ = ("status", "compose_project", "containers", "observed_at")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMPOSE_PROJECT_FIELD_NUMBER: _ClassVar[int]
    CONTAINERS_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_AT_FIELD_NUMBER: _ClassVar[int]
    status: ServiceStatus
    compose_project: str
    containers: _containers.RepeatedCompositeFieldContainer[ContainerStatus]
    observed_at: _timestamp_pb2.Timestamp
    def __init__(self, status: _Optional[_Union[ServiceStatus, str]] = ..., compose_project: _Optional[str] = ..., containers: _Optional[_Iterable[_Union[ContainerStatus, _Mapping]]] = ..., observed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Agent(_message.Message):
    __slots__ = ("id", "client_uuid", "kind", "project", "os_type", "os_version", "architecture", "platform", "region", "labels", "client_version", "service_version", "hostname", "first_seen_at", "last_seen_at", "online", "service_state", "revoked", "channel")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    OS_TYPE_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_STATE_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    id: int
    client_uuid: str
    kind: ClientKind
    project: str
    os_type: str
    os_version: str
    architecture: str
    platform: str
    region: str
    labels: _containers.ScalarMap[str, str]
    client_version: str
    service_version: str
    hostname: str
    first_seen_at: _timestamp_pb2.Timestamp
    last_seen_at: _timestamp_pb2.Timestamp
    online: bool
    service_state: ServiceState
    revoked: bool
    channel: str
    def __init__(self, id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., kind: _Optional[_Union[ClientKind, str]] = ..., project: _Optional[str] = ..., os_type: _Optional[str] = ..., os_version: _Optional[str] = ..., architecture: _Optional[str] = ..., platform: _Optional[str] = ..., region: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., client_version: _Optional[str] = ..., service_version: _Optional[str] = ..., hostname: _Optional[str] = ..., first_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., online: _Optional[bool] = ..., service_state: _Optional[_Union[ServiceState, _Mapping]] = ..., revoked: _Optional[bool] = ..., channel: _Optional[str] = ...) -> None: ...

class UpgradePayload(_message.Message):
    __slots__ = ("release_id", "version", "allow_downgrade", "is_rollback", "not_before", "in_maintenance_window", "skip_backup")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DOWNGRADE_FIELD_NUMBER: _ClassVar[int]
    IS_ROLLBACK_FIELD_NUMBER: _ClassVar[int]
    NOT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    IN_MAINTENANCE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    SKIP_BACKUP_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    version: str
    allow_downgrade: bool
    is_rollback: bool
    not_before: _timestamp_pb2.Timestamp
    in_maintenance_window: bool
    skip_backup: bool
    def __init__(self, release_id: _Optional[int] = ..., version: _Optional[str] = ..., allow_downgrade: _Optional[bool] = ..., is_rollback: _Optional[bool] = ..., not_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., in_maintenance_window: _Optional[bool] = ..., skip_backup: _Optional[bool] = ...) -> None: ...

class BackupPayload(_message.Message):
    __slots__ = ("note", "backup_type")
    NOTE_FIELD_NUMBER: _ClassVar[int]
    BACKUP_TYPE_FIELD_NUMBER: _ClassVar[int]
    note: str
    backup_type: str
    def __init__(self, note: _Optional[str] = ..., backup_type: _Optional[str] = ...) -> None: ...

class RollbackPayload(_message.Message):
    __slots__ = ("backup_id",)
    BACKUP_ID_FIELD_NUMBER: _ClassVar[int]
    backup_id: str
    def __init__(self, backup_id: _Optional[str] = ...) -> None: ...

class RestartPayload(_message.Message):
    __slots__ = ("services",)
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, services: _Optional[_Iterable[str]] = ...) -> None: ...

class SelfUpdatePayload(_message.Message):
    __slots__ = ("release_id", "version", "artifact")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    version: str
    artifact: Artifact
    def __init__(self, release_id: _Optional[int] = ..., version: _Optional[str] = ..., artifact: _Optional[_Union[Artifact, _Mapping]] = ...) -> None: ...

class CollectDiagnosticsPayload(_message.Message):
    __slots__ = ("reason", "log_lines")
    REASON_FIELD_NUMBER: _ClassVar[int]
    LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    reason: str
    log_lines: int
    def __init__(self, reason: _Optional[str] = ..., log_lines: _Optional[int] = ...) -> None: ...

class CommandPayload(_message.Message):
    __slots__ = ("upgrade", "backup", "rollback", "restart", "self_update", "collect_diagnostics")
    UPGRADE_FIELD_NUMBER: _ClassVar[int]
    BACKUP_FIELD_NUMBER: _ClassVar[int]
    ROLLBACK_FIELD_NUMBER: _ClassVar[int]
    RESTART_FIELD_NUMBER: _ClassVar[int]
    SELF_UPDATE_FIELD_NUMBER: _ClassVar[int]
    COLLECT_DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    upgrade: UpgradePayload
    backup: BackupPayload
    rollback: RollbackPayload
    restart: RestartPayload
    self_update: SelfUpdatePayload
    collect_diagnostics: CollectDiagnosticsPayload
    def __init__(self, upgrade: _Optional[_Union[UpgradePayload, _Mapping]] = ..., backup: _Optional[_Union[BackupPayload, _Mapping]] = ..., rollback: _Optional[_Union[RollbackPayload, _Mapping]] = ..., restart: _Optional[_Union[RestartPayload, _Mapping]] = ..., self_update: _Optional[_Union[SelfUpdatePayload, _Mapping]] = ..., collect_diagnostics: _Optional[_Union[CollectDiagnosticsPayload, _Mapping]] = ...) -> None: ...

class CommandProgress(_message.Message):
    __slots__ = ("command_id", "step", "percent", "message", "bytes_done", "bytes_total", "reported_at")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    BYTES_DONE_FIELD_NUMBER: _ClassVar[int]
    BYTES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    step: str
    percent: int
    message: str
    bytes_done: int
    bytes_total: int
    reported_at: _timestamp_pb2.Timestamp
    def __init__(self, command_id: _Optional[str] = ..., step: _Optional[str] = ..., percent: _Optional[int] = ..., message: _Optional[str] = ..., bytes_done: _Optional[int] = ..., bytes_total: _Optional[int] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StepTiming(_message.Message):
    __slots__ = ("step", "duration_ms", "success")
    STEP_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    step: str
    duration_ms: int
    success: bool
    def __init__(self, step: _Optional[str] = ..., duration_ms: _Optional[int] = ..., success: _Optional[bool] = ...) -> None: ...

class CommandResult(_message.Message):
    __slots__ = ("command_id", "success", "error", "error_code", "failed_step", "steps", "from_version", "to_version", "rolled_back", "backup_id", "diagnostics_id", "started_at", "finished_at")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILED_STEP_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLLED_BACK_FIELD_NUMBER: _ClassVar[int]
    BACKUP_ID_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    success: bool
    error: str
    error_code: str
    failed_step: str
    steps: _containers.RepeatedCompositeFieldContainer[StepTiming]
    from_version: str
    to_version: str
    rolled_back: bool
    backup_id: str
    diagnostics_id: int
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, command_id: _Optional[str] = ..., success: _Optional[bool] = ..., error: _Optional[str] = ..., error_code: _Optional[str] = ..., failed_step: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[StepTiming, _Mapping]]] = ..., from_version: _Optional[str] = ..., to_version: _Optional[str] = ..., rolled_back: _Optional[bool] = ..., backup_id: _Optional[str] = ..., diagnostics_id: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Command(_message.Message):
    __slots__ = ("id", "agent_id", "client_uuid", "type", "status", "payload", "progress", "result", "created_at", "sent_at", "acked_at", "started_at", "finished_at", "expires_at", "created_by", "rollout_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    ACKED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    agent_id: int
    client_uuid: str
    type: CommandType
    status: CommandStatus
    payload: CommandPayload
    progress: CommandProgress
    result: CommandResult
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    acked_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    created_by: str
    rollout_id: int
    def __init__(self, id: _Optional[str] = ..., agent_id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., type: _Optional[_Union[CommandType, str]] = ..., status: _Optional[_Union[CommandStatus, str]] = ..., payload: _Optional[_Union[CommandPayload, _Mapping]] = ..., progress: _Optional[_Union[CommandProgress, _Mapping]] = ..., result: _Optional[_Union[CommandResult, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., rollout_id: _Optional[int] = ...) -> None: ...

class ChunkRef(_message.Message):
    __slots__ = ("id", "offset", "size")
    ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    id: str
    offset: int
    size: int
    def __init__(self, id: _Optional[str] = ..., offset: _Optional[int] = ..., size: _Optional[int] = ...) -> None: ...

class ManifestFile(_message.Message):
    __slots__ = ("path", "mode", "size", "sha256", "chunks")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: int
    size: int
    sha256: str
    chunks: _containers.RepeatedCompositeFieldContainer[ChunkRef]
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[int] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ..., chunks: _Optional[_Iterable[_Union[ChunkRef, _Mapping]]] = ...) -> None: ...

class BundleManifest(_message.Message):
    __slots__ = ("format_version", "project", "release_id", "version", "created_at", "files", "chunker", "chunk_hash", "total_size")
    FORMAT_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    CHUNKER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_HASH_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    format_version: int
    project: str
    release_id: int
    version: str
    created_at: _timestamp_pb2.Timestamp
    files: _containers.RepeatedCompositeFieldContainer[ManifestFile]
    chunker: str
    chunk_hash: str
    total_size: int
    def __init__(self, format_version: _Optional[int] = ..., project: _Optional[str] = ..., release_id: _Optional[int] = ..., version: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., files: _Optional[_Iterable[_Union[ManifestFile, _Mapping]]] = ..., chunker: _Optional[str] = ..., chunk_hash: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class SignedManifest(_message.Message):
    __slots__ = ("manifest_id", "signed_bytes", "encoding", "signature", "key_id", "manifest")
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BYTES_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    manifest_id: int
    signed_bytes: bytes
    encoding: ManifestEncoding
    signature: str
    key_id: str
    manifest: BundleManifest
    def __init__(self, manifest_id: _Optional[int] = ..., signed_bytes: _Optional[bytes] = ..., encoding: _Optional[_Union[ManifestEncoding, str]] = ..., signature: _Optional[str] = ..., key_id: _Optional[str] = ..., manifest: _Optional[_Union[BundleManifest, _Mapping]] = ...) -> None: ...

class AgentSelector(_message.Message):
    __slots__ = ("project", "labels", "region", "service_version", "agent_ids", "online_only")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    ONLINE_ONLY_FIELD_NUMBER: _ClassVar[int]
    project: str
    labels: _containers.ScalarMap[str, str]
    region: str
    service_version: str
    agent_ids: _containers.RepeatedScalarFieldContainer[int]
    online_only: bool
    def __init__(self, project: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., region: _Optional[str] = ..., service_version: _Optional[str] = ..., agent_ids: _Optional[_Iterable[int]] = ..., online_only: _Optional[bool] = ...) -> None: ...
