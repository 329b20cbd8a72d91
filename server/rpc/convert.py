"""Small conversions between service dataclasses and protobuf values, shared by servicers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import common_pb2
from server.services.paging import Page, PageSpec, page_spec
from server.services.roles import Role

__all__ = [
    "duration_or_none",
    "from_timestamp",
    "page_response",
    "role_from_proto",
    "role_to_proto",
    "spec_from_proto",
    "timestamp",
]

ROLE_REQUIRED = N_("A role is required: viewer, operator or admin.")

_ROLE_TO_PROTO = {
    Role.VIEWER: common_pb2.ROLE_VIEWER,
    Role.OPERATOR: common_pb2.ROLE_OPERATOR,
    Role.ADMIN: common_pb2.ROLE_ADMIN,
}
_ROLE_FROM_PROTO = {v: k for k, v in _ROLE_TO_PROTO.items()}


def timestamp(value: datetime | None) -> Timestamp | None:
    """An aware datetime as a Timestamp (None stays unset)."""
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value.astimezone(UTC))
    return ts


def from_timestamp(message: object, field: str) -> datetime | None:
    """The aware UTC datetime of ``message.field``, or None when the field is unset."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    return getattr(message, field).ToDatetime(tzinfo=UTC)


def duration_or_none(message: object, field: str) -> timedelta | None:
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    value: Duration = getattr(message, field)
    return value.ToTimedelta()


def role_to_proto(role: Role) -> int:
    return _ROLE_TO_PROTO[role]


def role_from_proto(value: int) -> Role:
    try:
        return _ROLE_FROM_PROTO[value]
    except KeyError:
        raise InvalidInput(ROLE_REQUIRED, error_code="INVALID_ROLE") from None


def spec_from_proto(page: common_pb2.PageRequest, *, maximum: int) -> PageSpec:
    return page_spec(page.page, page.page_size, maximum=maximum)


def page_response(page: Page[object]) -> common_pb2.PageResponse:
    return common_pb2.PageResponse(page=page.page, page_size=page.size, total=page.total)
