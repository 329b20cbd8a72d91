from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CheckUpdateRequest(_message.Message):
    __slots__ = ("current_version", "channel", "client_id", "region", "arch", "os", "project", "locale", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    ARCH_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    current_version: str
    channel: str
    client_id: str
    region: str
    arch: str
    os: str
    project: str
    locale: str
    labels: _containers.ScalarMap[str, str]
    def __init__(self, current_version: _Optional[str] = ..., channel: _Optional[str] = ..., client_id: _Optional[str] = ..., region: _Optional[str] = ..., arch: _Optional[str] = ..., os: _Optional[str] = ..., project: _Optional[str] = ..., locale: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CheckUpdateResponse(_message.Message):
    __slots__ = ("has_update", "latest_version", "download_url", "file_size", "file_checksum", "is_forced", "title", "release_notes", "min_upgrade_version", "required_intermediate", "target_version", "release_id", "signature")
    HAS_UPDATE_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_URL_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    FILE_CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    IS_FORCED_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_NOTES_FIELD_NUMBER: _ClassVar[int]
    MIN_UPGRADE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_INTERMEDIATE_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    RELEASE_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    has_update: bool
    latest_version: str
    download_url: str
    file_size: int
    file_checksum: str
    is_forced: bool
    title: str
    release_notes: str
    min_upgrade_version: str
    required_intermediate: bool
    target_version: str
    release_id: int
    signature: str
    def __init__(self, has_update: _Optional[bool] = ..., latest_version: _Optional[str] = ..., download_url: _Optional[str] = ..., file_size: _Optional[int] = ..., file_checksum: _Optional[str] = ..., is_forced: _Optional[bool] = ..., title: _Optional[str] = ..., release_notes: _Optional[str] = ..., min_upgrade_version: _Optional[str] = ..., required_intermediate: _Optional[bool] = ..., target_version: _Optional[str] = ..., release_id: _Optional[int] = ..., signature: _Optional[str] = ...) -> None: ...
