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

class BundleFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUNDLE_FORMAT_UNSPECIFIED: _ClassVar[BundleFormat]
    BUNDLE_FORMAT_ZIP: _ClassVar[BundleFormat]
    BUNDLE_FORMAT_TAR: _ClassVar[BundleFormat]
    BUNDLE_FORMAT_TAR_GZ: _ClassVar[BundleFormat]
    BUNDLE_FORMAT_TAR_ZST: _ClassVar[BundleFormat]

class UpdateAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPDATE_ACTION_UNSPECIFIED: _ClassVar[UpdateAction]
    UPDATE_ACTION_CHECK: _ClassVar[UpdateAction]
    UPDATE_ACTION_DOWNLOAD: _ClassVar[UpdateAction]
    UPDATE_ACTION_INSTALL: _ClassVar[UpdateAction]
    UPDATE_ACTION_SUCCESS: _ClassVar[UpdateAction]
    UPDATE_ACTION_FAILED: _ClassVar[UpdateAction]

class RolloutStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLLOUT_STATUS_UNSPECIFIED: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_PENDING: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_RUNNING: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_PAUSED: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_COMPLETED: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_ABORTED: _ClassVar[RolloutStatus]
    ROLLOUT_STATUS_FAILED: _ClassVar[RolloutStatus]
BUNDLE_FORMAT_UNSPECIFIED: BundleFormat
BUNDLE_FORMAT_ZIP: BundleFormat
BUNDLE_FORMAT_TAR: BundleFormat
BUNDLE_FORMAT_TAR_GZ: BundleFormat
BUNDLE_FORMAT_TAR_ZST: BundleFormat
UPDATE_ACTION_UNSPECIFIED: UpdateAction
UPDATE_ACTION_CHECK: UpdateAction
UPDATE_ACTION_DOWNLOAD: UpdateAction
UPDATE_ACTION_INSTALL: UpdateAction
UPDATE_ACTION_SUCCESS: UpdateAction
UPDATE_ACTION_FAILED: UpdateAction
ROLLOUT_STATUS_UNSPECIFIED: RolloutStatus
ROLLOUT_STATUS_PENDING: RolloutStatus
ROLLOUT_STATUS_RUNNING: RolloutStatus
ROLLOUT_STATUS_PAUSED: RolloutStatus
ROLLOUT_STATUS_COMPLETED: RolloutStatus
ROLLOUT_STATUS_ABORTED: RolloutStatus
ROLLOUT_STATUS_FAILED: RolloutStatus

class CreateProjectRequest(_message.Message):
    __slots__ = ("slug", "name", "description", "default_channel")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    slug: str
    name: str
    description: str
    default_channel: str
    def __init__(self, slug: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., default_channel: _Optional[str] = ...) -> None: ...

class CreateProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: _common_pb2.Project
    def __init__(self, project: _Optional[_Union[_common_pb2.Project, _Mapping]] = ...) -> None: ...

class ListProjectsRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListProjectsResponse(_message.Message):
    __slots__ = ("projects", "page")
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[_common_pb2.Project]
    page: _common_pb2.PageResponse
    def __init__(self, projects: _Optional[_Iterable[_Union[_common_pb2.Project, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetProjectRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class GetProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: _common_pb2.Project
    def __init__(self, project: _Optional[_Union[_common_pb2.Project, _Mapping]] = ...) -> None: ...

class UpdateProjectRequest(_message.Message):
    __slots__ = ("project", "name", "description", "default_channel", "agent_health_check_timeout", "agent_backup_retention")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    AGENT_HEALTH_CHECK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    AGENT_BACKUP_RETENTION_FIELD_NUMBER: _ClassVar[int]
    project: str
    name: str
    description: str
    default_channel: str
    agent_health_check_timeout: _duration_pb2.Duration
    agent_backup_retention: int
    def __init__(self, project: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., default_channel: _Optional[str] = ..., agent_health_check_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., agent_backup_retention: _Optional[int] = ...) -> None: ...

class UpdateProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: _common_pb2.Project
    def __init__(self, project: _Optional[_Union[_common_pb2.Project, _Mapping]] = ...) -> None: ...

class SetDownloadMirrorsRequest(_message.Message):
    __slots__ = ("project", "mirrors")
    class MirrorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    MIRRORS_FIELD_NUMBER: _ClassVar[int]
    project: str
    mirrors: _containers.ScalarMap[str, str]
    def __init__(self, project: _Optional[str] = ..., mirrors: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SetDownloadMirrorsResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: _common_pb2.Project
    def __init__(self, project: _Optional[_Union[_common_pb2.Project, _Mapping]] = ...) -> None: ...

class ListChannelsRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class ListChannelsResponse(_message.Message):
    __slots__ = ("channels",)
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedCompositeFieldContainer[_common_pb2.Channel]
    def __init__(self, channels: _Optional[_Iterable[_Union[_common_pb2.Channel, _Mapping]]] = ...) -> None: ...

class UpdateChannelRequest(_message.Message):
    __slots__ = ("channel_id", "display_name", "description", "is_active", "auto_publish", "rollout_percentage")
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    AUTO_PUBLISH_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    channel_id: int
    display_name: str
    description: str
    is_active: bool
    auto_publish: bool
    rollout_percentage: int
    def __init__(self, channel_id: _Optional[int] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., is_active: _Optional[bool] = ..., auto_publish: _Optional[bool] = ..., rollout_percentage: _Optional[int] = ...) -> None: ...

class UpdateChannelResponse(_message.Message):
    __slots__ = ("channel",)
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, _Mapping]] = ...) -> None: ...

class ArtifactSpec(_message.Message):
    __slots__ = ("platform", "url", "file_name", "size", "checksum", "signature")
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    platform: str
    url: str
    file_name: str
    size: int
    checksum: str
    signature: str
    def __init__(self, platform: _Optional[str] = ..., url: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., checksum: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class CreateReleaseRequest(_message.Message):
    __slots__ = ("project", "kind", "version", "channel", "title", "description", "release_notes", "release_notes_i18n", "breaking_changes", "min_upgrade_version", "is_forced", "rollout_percentage", "artifacts", "publish")
    class ReleaseNotesI18nEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_I18N_FIELD_NUMBER: _ClassVar[int]
    BREAKING_CHANGES_FIELD_NUMBER: _ClassVar[int]
    MIN_UPGRADE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IS_FORCED_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    project: str
    kind: _common_pb2.ReleaseKind
    version: str
    channel: str
    title: str
    description: str
    release_notes: str
    release_notes_i18n: _containers.ScalarMap[str, str]
    breaking_changes: str
    min_upgrade_version: str
    is_forced: bool
    rollout_percentage: int
    artifacts: _containers.RepeatedCompositeFieldContainer[ArtifactSpec]
    publish: bool
    def __init__(self, project: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ReleaseKind, str]] = ..., version: _Optional[str] = ..., channel: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., release_notes: _Optional[str] = ..., release_notes_i18n: _Optional[_Mapping[str, str]] = ..., breaking_changes: _Optional[str] = ..., min_upgrade_version: _Optional[str] = ..., is_forced: _Optional[bool] = ..., rollout_percentage: _Optional[int] = ..., artifacts: _Optional[_Iterable[_Union[ArtifactSpec, _Mapping]]] = ..., publish: _Optional[bool] = ...) -> None: ...

class CreateReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class ListReleasesRequest(_message.Message):
    __slots__ = ("project", "channel", "kind", "statuses", "search", "page")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project: str
    channel: str
    kind: _common_pb2.ReleaseKind
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.ReleaseStatus]
    search: str
    page: _common_pb2.PageRequest
    def __init__(self, project: _Optional[str] = ..., channel: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ReleaseKind, str]] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.ReleaseStatus, str]]] = ..., search: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListReleasesResponse(_message.Message):
    __slots__ = ("releases", "page")
    RELEASES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    releases: _containers.RepeatedCompositeFieldContainer[_common_pb2.Release]
    page: _common_pb2.PageResponse
    def __init__(self, releases: _Optional[_Iterable[_Union[_common_pb2.Release, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetReleaseRequest(_message.Message):
    __slots__ = ("release_id",)
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    def __init__(self, release_id: _Optional[int] = ...) -> None: ...

class GetReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class UpdateReleaseRequest(_message.Message):
    __slots__ = ("release_id", "channel", "title", "description", "release_notes", "release_notes_i18n", "breaking_changes", "min_upgrade_version", "is_forced", "rollout_percentage", "clear_rollout_percentage", "artifacts")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_I18N_FIELD_NUMBER: _ClassVar[int]
    BREAKING_CHANGES_FIELD_NUMBER: _ClassVar[int]
    MIN_UPGRADE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IS_FORCED_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    CLEAR_ROLLOUT_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    channel: str
    title: str
    description: str
    release_notes: str
    release_notes_i18n: _common_pb2.LocalizedText
    breaking_changes: str
    min_upgrade_version: str
    is_forced: bool
    rollout_percentage: int
    clear_rollout_percentage: bool
    artifacts: _containers.RepeatedCompositeFieldContainer[ArtifactSpec]
    def __init__(self, release_id: _Optional[int] = ..., channel: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., release_notes: _Optional[str] = ..., release_notes_i18n: _Optional[_Union[_common_pb2.LocalizedText, _Mapping]] = ..., breaking_changes: _Optional[str] = ..., min_upgrade_version: _Optional[str] = ..., is_forced: _Optional[bool] = ..., rollout_percentage: _Optional[int] = ..., clear_rollout_percentage: _Optional[bool] = ..., artifacts: _Optional[_Iterable[_Union[ArtifactSpec, _Mapping]]] = ...) -> None: ...

class UpdateReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class PublishReleaseRequest(_message.Message):
    __slots__ = ("release_id", "publish_time")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    publish_time: _timestamp_pb2.Timestamp
    def __init__(self, release_id: _Optional[int] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PublishReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class PauseReleaseRequest(_message.Message):
    __slots__ = ("release_id",)
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    def __init__(self, release_id: _Optional[int] = ...) -> None: ...

class PauseReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class RevokeReleaseRequest(_message.Message):
    __slots__ = ("release_id", "reason")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    reason: str
    def __init__(self, release_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RevokeReleaseResponse(_message.Message):
    __slots__ = ("release",)
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    release: _common_pb2.Release
    def __init__(self, release: _Optional[_Union[_common_pb2.Release, _Mapping]] = ...) -> None: ...

class DeleteReleaseRequest(_message.Message):
    __slots__ = ("release_id",)
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    def __init__(self, release_id: _Optional[int] = ...) -> None: ...

class DeleteReleaseResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UploadArtifactMetadata(_message.Message):
    __slots__ = ("release_id", "platform", "file_name", "size", "checksum", "signature", "content_type")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    platform: str
    file_name: str
    size: int
    checksum: str
    signature: str
    content_type: str
    def __init__(self, release_id: _Optional[int] = ..., platform: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., checksum: _Optional[str] = ..., signature: _Optional[str] = ..., content_type: _Optional[str] = ...) -> None: ...

class UploadArtifactRequest(_message.Message):
    __slots__ = ("metadata", "data")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadArtifactMetadata
    data: bytes
    def __init__(self, metadata: _Optional[_Union[UploadArtifactMetadata, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _common_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ...) -> None: ...

class UploadBundleMetadata(_message.Message):
    __slots__ = ("release_id", "file_name", "size", "checksum", "format")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    file_name: str
    size: int
    checksum: str
    format: BundleFormat
    def __init__(self, release_id: _Optional[int] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., checksum: _Optional[str] = ..., format: _Optional[_Union[BundleFormat, str]] = ...) -> None: ...

class UploadBundleRequest(_message.Message):
    __slots__ = ("metadata", "data")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadBundleMetadata
    data: bytes
    def __init__(self, metadata: _Optional[_Union[UploadBundleMetadata, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadBundleResponse(_message.Message):
    __slots__ = ("artifact", "manifest", "file_count", "total_size", "chunk_count", "new_chunk_count", "stored_bytes")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    FILE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEW_CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    STORED_BYTES_FIELD_NUMBER: _ClassVar[int]
    artifact: _common_pb2.Artifact
    manifest: _common_pb2.SignedManifest
    file_count: int
    total_size: int
    chunk_count: int
    new_chunk_count: int
    stored_bytes: int
    def __init__(self, artifact: _Optional[_Union[_common_pb2.Artifact, _Mapping]] = ..., manifest: _Optional[_Union[_common_pb2.SignedManifest, _Mapping]] = ..., file_count: _Optional[int] = ..., total_size: _Optional[int] = ..., chunk_count: _Optional[int] = ..., new_chunk_count: _Optional[int] = ..., stored_bytes: _Optional[int] = ...) -> None: ...

class CreateUpdateRuleRequest(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _common_pb2.UpdateRule
    def __init__(self, rule: _Optional[_Union[_common_pb2.UpdateRule, _Mapping]] = ...) -> None: ...

class CreateUpdateRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _common_pb2.UpdateRule
    def __init__(self, rule: _Optional[_Union[_common_pb2.UpdateRule, _Mapping]] = ...) -> None: ...

class ListUpdateRulesRequest(_message.Message):
    __slots__ = ("project", "enabled_only")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ENABLED_ONLY_FIELD_NUMBER: _ClassVar[int]
    project: str
    enabled_only: bool
    def __init__(self, project: _Optional[str] = ..., enabled_only: _Optional[bool] = ...) -> None: ...

class ListUpdateRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[_common_pb2.UpdateRule]
    def __init__(self, rules: _Optional[_Iterable[_Union[_common_pb2.UpdateRule, _Mapping]]] = ...) -> None: ...

class UpdateUpdateRuleRequest(_message.Message):
    __slots__ = ("rule_id", "name", "target_region", "target_version_range", "os", "arch", "labels", "enabled", "priority", "rollout_config", "action", "pin_version", "channel")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
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
    rule_id: int
    name: str
    target_region: str
    target_version_range: str
    os: str
    arch: str
    labels: _common_pb2.Labels
    enabled: bool
    priority: int
    rollout_config: str
    action: _common_pb2.RuleAction
    pin_version: str
    channel: str
    def __init__(self, rule_id: _Optional[int] = ..., name: _Optional[str] = ..., target_region: _Optional[str] = ..., target_version_range: _Optional[str] = ..., os: _Optional[str] = ..., arch: _Optional[str] = ..., labels: _Optional[_Union[_common_pb2.Labels, _Mapping]] = ..., enabled: _Optional[bool] = ..., priority: _Optional[int] = ..., rollout_config: _Optional[str] = ..., action: _Optional[_Union[_common_pb2.RuleAction, str]] = ..., pin_version: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class UpdateUpdateRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: _common_pb2.UpdateRule
    def __init__(self, rule: _Optional[_Union[_common_pb2.UpdateRule, _Mapping]] = ...) -> None: ...

class DeleteUpdateRuleRequest(_message.Message):
    __slots__ = ("rule_id",)
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: int
    def __init__(self, rule_id: _Optional[int] = ...) -> None: ...

class DeleteUpdateRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReorderUpdateRulesRequest(_message.Message):
    __slots__ = ("project", "rule_ids")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    project: str
    rule_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, project: _Optional[str] = ..., rule_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ReorderUpdateRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[_common_pb2.UpdateRule]
    def __init__(self, rules: _Optional[_Iterable[_Union[_common_pb2.UpdateRule, _Mapping]]] = ...) -> None: ...

class CreateAnnouncementRequest(_message.Message):
    __slots__ = ("level", "content", "project", "visible_from", "visible_until")
    class ContentEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_FROM_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    level: _common_pb2.AnnouncementLevel
    content: _containers.ScalarMap[str, str]
    project: str
    visible_from: _timestamp_pb2.Timestamp
    visible_until: _timestamp_pb2.Timestamp
    def __init__(self, level: _Optional[_Union[_common_pb2.AnnouncementLevel, str]] = ..., content: _Optional[_Mapping[str, str]] = ..., project: _Optional[str] = ..., visible_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., visible_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAnnouncementResponse(_message.Message):
    __slots__ = ("announcement",)
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    announcement: _common_pb2.Announcement
    def __init__(self, announcement: _Optional[_Union[_common_pb2.Announcement, _Mapping]] = ...) -> None: ...

class ListAnnouncementsRequest(_message.Message):
    __slots__ = ("project", "active_only", "since", "page")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project: str
    active_only: bool
    since: _timestamp_pb2.Timestamp
    page: _common_pb2.PageRequest
    def __init__(self, project: _Optional[str] = ..., active_only: _Optional[bool] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListAnnouncementsResponse(_message.Message):
    __slots__ = ("announcements", "page")
    ANNOUNCEMENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    announcements: _containers.RepeatedCompositeFieldContainer[_common_pb2.Announcement]
    page: _common_pb2.PageResponse
    def __init__(self, announcements: _Optional[_Iterable[_Union[_common_pb2.Announcement, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class DeleteAnnouncementRequest(_message.Message):
    __slots__ = ("announcement_id",)
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    announcement_id: int
    def __init__(self, announcement_id: _Optional[int] = ...) -> None: ...

class DeleteAnnouncementResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAgentsRequest(_message.Message):
    __slots__ = ("project", "online", "labels", "client_version", "service_version", "region", "search", "kind", "include_revoked", "page")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project: str
    online: bool
    labels: _containers.ScalarMap[str, str]
    client_version: str
    service_version: str
    region: str
    search: str
    kind: _common_pb2.ClientKind
    include_revoked: bool
    page: _common_pb2.PageRequest
    def __init__(self, project: _Optional[str] = ..., online: _Optional[bool] = ..., labels: _Optional[_Mapping[str, str]] = ..., client_version: _Optional[str] = ..., service_version: _Optional[str] = ..., region: _Optional[str] = ..., search: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ClientKind, str]] = ..., include_revoked: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListAgentsResponse(_message.Message):
    __slots__ = ("agents", "page")
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    agents: _containers.RepeatedCompositeFieldContainer[_common_pb2.Agent]
    page: _common_pb2.PageResponse
    def __init__(self, agents: _Optional[_Iterable[_Union[_common_pb2.Agent, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetAgentRequest(_message.Message):
    __slots__ = ("agent_id", "client_uuid")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    client_uuid: str
    def __init__(self, agent_id: _Optional[int] = ..., client_uuid: _Optional[str] = ...) -> None: ...

class GetAgentResponse(_message.Message):
    __slots__ = ("agent", "recent_commands")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    RECENT_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    agent: _common_pb2.Agent
    recent_commands: _containers.RepeatedCompositeFieldContainer[_common_pb2.Command]
    def __init__(self, agent: _Optional[_Union[_common_pb2.Agent, _Mapping]] = ..., recent_commands: _Optional[_Iterable[_Union[_common_pb2.Command, _Mapping]]] = ...) -> None: ...

class RevokeAgentRequest(_message.Message):
    __slots__ = ("agent_id", "reason")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    reason: str
    def __init__(self, agent_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RevokeAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _common_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_common_pb2.Agent, _Mapping]] = ...) -> None: ...

class SendCommandRequest(_message.Message):
    __slots__ = ("agent_id", "selector", "type", "payload", "expires_at")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    selector: _common_pb2.AgentSelector
    type: _common_pb2.CommandType
    payload: _common_pb2.CommandPayload
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, agent_id: _Optional[int] = ..., selector: _Optional[_Union[_common_pb2.AgentSelector, _Mapping]] = ..., type: _Optional[_Union[_common_pb2.CommandType, str]] = ..., payload: _Optional[_Union[_common_pb2.CommandPayload, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SendCommandResponse(_message.Message):
    __slots__ = ("commands",)
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    commands: _containers.RepeatedCompositeFieldContainer[_common_pb2.Command]
    def __init__(self, commands: _Optional[_Iterable[_Union[_common_pb2.Command, _Mapping]]] = ...) -> None: ...

class CancelCommandRequest(_message.Message):
    __slots__ = ("command_id", "reason")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    reason: str
    def __init__(self, command_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelCommandResponse(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: _common_pb2.Command
    def __init__(self, command: _Optional[_Union[_common_pb2.Command, _Mapping]] = ...) -> None: ...

class ListCommandsRequest(_message.Message):
    __slots__ = ("agent_id", "project", "statuses", "type", "rollout_id", "page")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    project: str
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.CommandStatus]
    type: _common_pb2.CommandType
    rollout_id: int
    page: _common_pb2.PageRequest
    def __init__(self, agent_id: _Optional[int] = ..., project: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.CommandStatus, str]]] = ..., type: _Optional[_Union[_common_pb2.CommandType, str]] = ..., rollout_id: _Optional[int] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCommandsResponse(_message.Message):
    __slots__ = ("commands", "page")
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    commands: _containers.RepeatedCompositeFieldContainer[_common_pb2.Command]
    page: _common_pb2.PageResponse
    def __init__(self, commands: _Optional[_Iterable[_Union[_common_pb2.Command, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetCommandRequest(_message.Message):
    __slots__ = ("command_id",)
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    def __init__(self, command_id: _Optional[str] = ...) -> None: ...

class GetCommandResponse(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: _common_pb2.Command
    def __init__(self, command: _Optional[_Union[_common_pb2.Command, _Mapping]] = ...) -> None: ...

class WatchAgentsRequest(_message.Message):
    __slots__ = ("project", "agent_ids", "include_commands")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    AGENT_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    project: str
    agent_ids: _containers.RepeatedScalarFieldContainer[int]
    include_commands: bool
    def __init__(self, project: _Optional[str] = ..., agent_ids: _Optional[_Iterable[int]] = ..., include_commands: _Optional[bool] = ...) -> None: ...

class AgentPresence(_message.Message):
    __slots__ = ("agent_id", "client_uuid", "online", "last_seen_at", "client_version", "service_version", "service_state")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_STATE_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    client_uuid: str
    online: bool
    last_seen_at: _timestamp_pb2.Timestamp
    client_version: str
    service_version: str
    service_state: _common_pb2.ServiceState
    def __init__(self, agent_id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., online: _Optional[bool] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., client_version: _Optional[str] = ..., service_version: _Optional[str] = ..., service_state: _Optional[_Union[_common_pb2.ServiceState, _Mapping]] = ...) -> None: ...

class WatchAgentsResponse(_message.Message):
    __slots__ = ("event_time", "presence", "command")
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    event_time: _timestamp_pb2.Timestamp
    presence: AgentPresence
    command: _common_pb2.Command
    def __init__(self, event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., presence: _Optional[_Union[AgentPresence, _Mapping]] = ..., command: _Optional[_Union[_common_pb2.Command, _Mapping]] = ...) -> None: ...

class MaintenanceWindow(_message.Message):
    __slots__ = ("id", "project", "agent_id", "label_selector", "cron", "duration")
    class LabelSelectorEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_SELECTOR_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    agent_id: int
    label_selector: _containers.ScalarMap[str, str]
    cron: str
    duration: _duration_pb2.Duration
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., agent_id: _Optional[int] = ..., label_selector: _Optional[_Mapping[str, str]] = ..., cron: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class MaintenanceWindowSpec(_message.Message):
    __slots__ = ("cron", "duration")
    CRON_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    cron: str
    duration: _duration_pb2.Duration
    def __init__(self, cron: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SetMaintenanceWindowsRequest(_message.Message):
    __slots__ = ("project", "agent_id", "label_selector", "windows")
    class LabelSelectorEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_SELECTOR_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    project: str
    agent_id: int
    label_selector: _containers.ScalarMap[str, str]
    windows: _containers.RepeatedCompositeFieldContainer[MaintenanceWindowSpec]
    def __init__(self, project: _Optional[str] = ..., agent_id: _Optional[int] = ..., label_selector: _Optional[_Mapping[str, str]] = ..., windows: _Optional[_Iterable[_Union[MaintenanceWindowSpec, _Mapping]]] = ...) -> None: ...

class SetMaintenanceWindowsResponse(_message.Message):
    __slots__ = ("windows", "agents_notified")
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    AGENTS_NOTIFIED_FIELD_NUMBER: _ClassVar[int]
    windows: _containers.RepeatedCompositeFieldContainer[MaintenanceWindow]
    agents_notified: int
    def __init__(self, windows: _Optional[_Iterable[_Union[MaintenanceWindow, _Mapping]]] = ..., agents_notified: _Optional[int] = ...) -> None: ...

class ListMaintenanceWindowsRequest(_message.Message):
    __slots__ = ("project", "agent_id")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    project: str
    agent_id: int
    def __init__(self, project: _Optional[str] = ..., agent_id: _Optional[int] = ...) -> None: ...

class ListMaintenanceWindowsResponse(_message.Message):
    __slots__ = ("windows",)
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    windows: _containers.RepeatedCompositeFieldContainer[MaintenanceWindow]
    def __init__(self, windows: _Optional[_Iterable[_Union[MaintenanceWindow, _Mapping]]] = ...) -> None: ...

class EnrollmentToken(_message.Message):
    __slots__ = ("id", "project", "labels", "description", "max_uses", "uses", "expires_at", "created_at", "revoked_at", "token_prefix", "created_by")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_USES_FIELD_NUMBER: _ClassVar[int]
    USES_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_PREFIX_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    labels: _containers.ScalarMap[str, str]
    description: str
    max_uses: int
    uses: int
    expires_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    token_prefix: str
    created_by: str
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., max_uses: _Optional[int] = ..., uses: _Optional[int] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., token_prefix: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class CreateEnrollmentTokenRequest(_message.Message):
    __slots__ = ("project", "labels", "description", "max_uses", "ttl")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_USES_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    project: str
    labels: _containers.ScalarMap[str, str]
    description: str
    max_uses: int
    ttl: _duration_pb2.Duration
    def __init__(self, project: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., max_uses: _Optional[int] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateEnrollmentTokenResponse(_message.Message):
    __slots__ = ("enrollment_token", "token")
    ENROLLMENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    enrollment_token: EnrollmentToken
    token: str
    def __init__(self, enrollment_token: _Optional[_Union[EnrollmentToken, _Mapping]] = ..., token: _Optional[str] = ...) -> None: ...

class ListEnrollmentTokensRequest(_message.Message):
    __slots__ = ("project", "include_revoked", "page")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project: str
    include_revoked: bool
    page: _common_pb2.PageRequest
    def __init__(self, project: _Optional[str] = ..., include_revoked: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListEnrollmentTokensResponse(_message.Message):
    __slots__ = ("enrollment_tokens", "page")
    ENROLLMENT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    enrollment_tokens: _containers.RepeatedCompositeFieldContainer[EnrollmentToken]
    page: _common_pb2.PageResponse
    def __init__(self, enrollment_tokens: _Optional[_Iterable[_Union[EnrollmentToken, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RevokeEnrollmentTokenRequest(_message.Message):
    __slots__ = ("enrollment_token_id",)
    ENROLLMENT_TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    enrollment_token_id: int
    def __init__(self, enrollment_token_id: _Optional[int] = ...) -> None: ...

class RevokeEnrollmentTokenResponse(_message.Message):
    __slots__ = ("enrollment_token",)
    ENROLLMENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    enrollment_token: EnrollmentToken
    def __init__(self, enrollment_token: _Optional[_Union[EnrollmentToken, _Mapping]] = ...) -> None: ...

class ApiToken(_message.Message):
    __slots__ = ("id", "name", "role", "token_prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_PREFIX_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    role: _common_pb2.Role
    token_prefix: str
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    last_used_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., token_prefix: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class CreateApiTokenRequest(_message.Message):
    __slots__ = ("name", "role", "ttl")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: _common_pb2.Role
    ttl: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[_common_pb2.Role, str]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateApiTokenResponse(_message.Message):
    __slots__ = ("api_token", "token")
    API_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    api_token: ApiToken
    token: str
    def __init__(self, api_token: _Optional[_Union[ApiToken, _Mapping]] = ..., token: _Optional[str] = ...) -> None: ...

class ListApiTokensRequest(_message.Message):
    __slots__ = ("include_revoked", "page")
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    include_revoked: bool
    page: _common_pb2.PageRequest
    def __init__(self, include_revoked: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListApiTokensResponse(_message.Message):
    __slots__ = ("api_tokens", "page")
    API_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    api_tokens: _containers.RepeatedCompositeFieldContainer[ApiToken]
    page: _common_pb2.PageResponse
    def __init__(self, api_tokens: _Optional[_Iterable[_Union[ApiToken, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RevokeApiTokenRequest(_message.Message):
    __slots__ = ("api_token_id",)
    API_TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    api_token_id: int
    def __init__(self, api_token_id: _Optional[int] = ...) -> None: ...

class RevokeApiTokenResponse(_message.Message):
    __slots__ = ("api_token",)
    API_TOKEN_FIELD_NUMBER: _ClassVar[int]
    api_token: ApiToken
    def __init__(self, api_token: _Optional[_Union[ApiToken, _Mapping]] = ...) -> None: ...

class GetStatsRequest(_message.Message):
    __slots__ = ("project", "period", "action", "version", "channel")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    project: str
    period: str
    action: UpdateAction
    version: str
    channel: str
    def __init__(self, project: _Optional[str] = ..., period: _Optional[str] = ..., action: _Optional[_Union[UpdateAction, str]] = ..., version: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class ActionCount(_message.Message):
    __slots__ = ("action", "count")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    action: UpdateAction
    count: int
    def __init__(self, action: _Optional[_Union[UpdateAction, str]] = ..., count: _Optional[int] = ...) -> None: ...

class StatsBucket(_message.Message):
    __slots__ = ("start_time", "counts")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    counts: _containers.RepeatedCompositeFieldContainer[ActionCount]
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counts: _Optional[_Iterable[_Union[ActionCount, _Mapping]]] = ...) -> None: ...

class GetStatsResponse(_message.Message):
    __slots__ = ("totals", "series", "unique_clients", "success_rate", "total_clients")
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    SERIES_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    totals: _containers.RepeatedCompositeFieldContainer[ActionCount]
    series: _containers.RepeatedCompositeFieldContainer[StatsBucket]
    unique_clients: int
    success_rate: float
    total_clients: int
    def __init__(self, totals: _Optional[_Iterable[_Union[ActionCount, _Mapping]]] = ..., series: _Optional[_Iterable[_Union[StatsBucket, _Mapping]]] = ..., unique_clients: _Optional[int] = ..., success_rate: _Optional[float] = ..., total_clients: _Optional[int] = ...) -> None: ...

class GetVersionDistributionRequest(_message.Message):
    __slots__ = ("project", "kind", "channel")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    project: str
    kind: _common_pb2.ReleaseKind
    channel: str
    def __init__(self, project: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ReleaseKind, str]] = ..., channel: _Optional[str] = ...) -> None: ...

class VersionCount(_message.Message):
    __slots__ = ("version", "clients", "percentage")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CLIENTS_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    version: str
    clients: int
    percentage: float
    def __init__(self, version: _Optional[str] = ..., clients: _Optional[int] = ..., percentage: _Optional[float] = ...) -> None: ...

class GetVersionDistributionResponse(_message.Message):
    __slots__ = ("versions", "total_clients")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[VersionCount]
    total_clients: int
    def __init__(self, versions: _Optional[_Iterable[_Union[VersionCount, _Mapping]]] = ..., total_clients: _Optional[int] = ...) -> None: ...

class GetRegionDistributionRequest(_message.Message):
    __slots__ = ("project", "period")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    project: str
    period: str
    def __init__(self, project: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class RegionCount(_message.Message):
    __slots__ = ("region", "clients", "events", "percentage")
    REGION_FIELD_NUMBER: _ClassVar[int]
    CLIENTS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    region: str
    clients: int
    events: int
    percentage: float
    def __init__(self, region: _Optional[str] = ..., clients: _Optional[int] = ..., events: _Optional[int] = ..., percentage: _Optional[float] = ...) -> None: ...

class GetRegionDistributionResponse(_message.Message):
    __slots__ = ("regions", "total_clients")
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    regions: _containers.RepeatedCompositeFieldContainer[RegionCount]
    total_clients: int
    def __init__(self, regions: _Optional[_Iterable[_Union[RegionCount, _Mapping]]] = ..., total_clients: _Optional[int] = ...) -> None: ...

class GetAdoptionRequest(_message.Message):
    __slots__ = ("project", "kind", "release_id")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    project: str
    kind: _common_pb2.ReleaseKind
    release_id: int
    def __init__(self, project: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ReleaseKind, str]] = ..., release_id: _Optional[int] = ...) -> None: ...

class ReleaseAdoption(_message.Message):
    __slots__ = ("channel", "release_id", "version", "publish_time", "adopted_clients", "total_clients", "adoption_rate")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    ADOPTED_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLIENTS_FIELD_NUMBER: _ClassVar[int]
    ADOPTION_RATE_FIELD_NUMBER: _ClassVar[int]
    channel: str
    release_id: int
    version: str
    publish_time: _timestamp_pb2.Timestamp
    adopted_clients: int
    total_clients: int
    adoption_rate: float
    def __init__(self, channel: _Optional[str] = ..., release_id: _Optional[int] = ..., version: _Optional[str] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., adopted_clients: _Optional[int] = ..., total_clients: _Optional[int] = ..., adoption_rate: _Optional[float] = ...) -> None: ...

class GetAdoptionResponse(_message.Message):
    __slots__ = ("releases",)
    RELEASES_FIELD_NUMBER: _ClassVar[int]
    releases: _containers.RepeatedCompositeFieldContainer[ReleaseAdoption]
    def __init__(self, releases: _Optional[_Iterable[_Union[ReleaseAdoption, _Mapping]]] = ...) -> None: ...

class ListDiagnosticsRequest(_message.Message):
    __slots__ = ("client_uuid", "project", "page")
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    client_uuid: str
    project: str
    page: _common_pb2.PageRequest
    def __init__(self, client_uuid: _Optional[str] = ..., project: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class DiagnosticsBundle(_message.Message):
    __slots__ = ("id", "client_uuid", "file_name", "size", "sha256", "created_at", "download_path")
    ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_UUID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_PATH_FIELD_NUMBER: _ClassVar[int]
    id: int
    client_uuid: str
    file_name: str
    size: int
    sha256: str
    created_at: _timestamp_pb2.Timestamp
    download_path: str
    def __init__(self, id: _Optional[int] = ..., client_uuid: _Optional[str] = ..., file_name: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., download_path: _Optional[str] = ...) -> None: ...

class ListDiagnosticsResponse(_message.Message):
    __slots__ = ("diagnostics", "page")
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[DiagnosticsBundle]
    page: _common_pb2.PageResponse
    def __init__(self, diagnostics: _Optional[_Iterable[_Union[DiagnosticsBundle, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServerInfoResponse(_message.Message):
    __slots__ = ("server_version", "signing_public_key", "signing_key_id", "default_project", "locales", "server_time", "caller_role")
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    SIGNING_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNING_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROJECT_FIELD_NUMBER: _ClassVar[int]
    LOCALES_FIELD_NUMBER: _ClassVar[int]
    SERVER_TIME_FIELD_NUMBER: _ClassVar[int]
    CALLER_ROLE_FIELD_NUMBER: _ClassVar[int]
    server_version: str
    signing_public_key: str
    signing_key_id: str
    default_project: str
    locales: _containers.RepeatedScalarFieldContainer[str]
    server_time: _timestamp_pb2.Timestamp
    caller_role: _common_pb2.Role
    def __init__(self, server_version: _Optional[str] = ..., signing_public_key: _Optional[str] = ..., signing_key_id: _Optional[str] = ..., default_project: _Optional[str] = ..., locales: _Optional[_Iterable[str]] = ..., server_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller_role: _Optional[_Union[_common_pb2.Role, str]] = ...) -> None: ...

class RolloutPhase(_message.Message):
    __slots__ = ("percent", "count", "auto_advance", "wait")
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    AUTO_ADVANCE_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    percent: int
    count: int
    auto_advance: bool
    wait: _duration_pb2.Duration
    def __init__(self, percent: _Optional[int] = ..., count: _Optional[int] = ..., auto_advance: _Optional[bool] = ..., wait: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Rollout(_message.Message):
    __slots__ = ("id", "project", "release_id", "version", "status", "target", "phases", "current_phase", "error_threshold", "targeted_agents", "succeeded_agents", "failed_agents", "pending_agents", "status_reason", "created_at", "updated_at", "created_by", "in_maintenance_window")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PHASES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PHASE_FIELD_NUMBER: _ClassVar[int]
    ERROR_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TARGETED_AGENTS_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_AGENTS_FIELD_NUMBER: _ClassVar[int]
    FAILED_AGENTS_FIELD_NUMBER: _ClassVar[int]
    PENDING_AGENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    IN_MAINTENANCE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    id: int
    project: str
    release_id: int
    version: str
    status: RolloutStatus
    target: _common_pb2.AgentSelector
    phases: _containers.RepeatedCompositeFieldContainer[RolloutPhase]
    current_phase: int
    error_threshold: float
    targeted_agents: int
    succeeded_agents: int
    failed_agents: int
    pending_agents: int
    status_reason: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    created_by: str
    in_maintenance_window: bool
    def __init__(self, id: _Optional[int] = ..., project: _Optional[str] = ..., release_id: _Optional[int] = ..., version: _Optional[str] = ..., status: _Optional[_Union[RolloutStatus, str]] = ..., target: _Optional[_Union[_common_pb2.AgentSelector, _Mapping]] = ..., phases: _Optional[_Iterable[_Union[RolloutPhase, _Mapping]]] = ..., current_phase: _Optional[int] = ..., error_threshold: _Optional[float] = ..., targeted_agents: _Optional[int] = ..., succeeded_agents: _Optional[int] = ..., failed_agents: _Optional[int] = ..., pending_agents: _Optional[int] = ..., status_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., in_maintenance_window: _Optional[bool] = ...) -> None: ...

class CreateRolloutRequest(_message.Message):
    __slots__ = ("release_id", "target", "phases", "error_threshold", "in_maintenance_window", "start_paused")
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PHASES_FIELD_NUMBER: _ClassVar[int]
    ERROR_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    IN_MAINTENANCE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    START_PAUSED_FIELD_NUMBER: _ClassVar[int]
    release_id: int
    target: _common_pb2.AgentSelector
    phases: _containers.RepeatedCompositeFieldContainer[RolloutPhase]
    error_threshold: float
    in_maintenance_window: bool
    start_paused: bool
    def __init__(self, release_id: _Optional[int] = ..., target: _Optional[_Union[_common_pb2.AgentSelector, _Mapping]] = ..., phases: _Optional[_Iterable[_Union[RolloutPhase, _Mapping]]] = ..., error_threshold: _Optional[float] = ..., in_maintenance_window: _Optional[bool] = ..., start_paused: _Optional[bool] = ...) -> None: ...

class CreateRolloutResponse(_message.Message):
    __slots__ = ("rollout",)
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    rollout: Rollout
    def __init__(self, rollout: _Optional[_Union[Rollout, _Mapping]] = ...) -> None: ...

class ListRolloutsRequest(_message.Message):
    __slots__ = ("project", "release_id", "statuses", "page")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    project: str
    release_id: int
    statuses: _containers.RepeatedScalarFieldContainer[RolloutStatus]
    page: _common_pb2.PageRequest
    def __init__(self, project: _Optional[str] = ..., release_id: _Optional[int] = ..., statuses: _Optional[_Iterable[_Union[RolloutStatus, str]]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListRolloutsResponse(_message.Message):
    __slots__ = ("rollouts", "page")
    ROLLOUTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    rollouts: _containers.RepeatedCompositeFieldContainer[Rollout]
    page: _common_pb2.PageResponse
    def __init__(self, rollouts: _Optional[_Iterable[_Union[Rollout, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class PauseRolloutRequest(_message.Message):
    __slots__ = ("rollout_id", "reason")
    ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rollout_id: int
    reason: str
    def __init__(self, rollout_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class PauseRolloutResponse(_message.Message):
    __slots__ = ("rollout",)
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    rollout: Rollout
    def __init__(self, rollout: _Optional[_Union[Rollout, _Mapping]] = ...) -> None: ...

class ResumeRolloutRequest(_message.Message):
    __slots__ = ("rollout_id",)
    ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    rollout_id: int
    def __init__(self, rollout_id: _Optional[int] = ...) -> None: ...

class ResumeRolloutResponse(_message.Message):
    __slots__ = ("rollout",)
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    rollout: Rollout
    def __init__(self, rollout: _Optional[_Union[Rollout, _Mapping]] = ...) -> None: ...

class AbortRolloutRequest(_message.Message):
    __slots__ = ("rollout_id", "reason")
    ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rollout_id: int
    reason: str
    def __init__(self, rollout_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class AbortRolloutResponse(_message.Message):
    __slots__ = ("rollout",)
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    rollout: Rollout
    def __init__(self, rollout: _Optional[_Union[Rollout, _Mapping]] = ...) -> None: ...
