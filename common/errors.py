"""Errors shared by every Upkeep process.

    UpkeepError                 error_code             gRPC status           HTTP
    ├── InvalidInput            INVALID_INPUT          INVALID_ARGUMENT      400
    ├── Unauthenticated         UNAUTHENTICATED        UNAUTHENTICATED       401
    ├── PermissionDenied        PERMISSION_DENIED      PERMISSION_DENIED     403
    ├── NotFound                RESOURCE_NOT_FOUND     NOT_FOUND             404
    ├── Conflict                CONFLICT               ALREADY_EXISTS        409
    ├── PayloadTooLarge         PAYLOAD_TOO_LARGE      RESOURCE_EXHAUSTED    413
    ├── FailedPrecondition      FAILED_PRECONDITION    FAILED_PRECONDITION   412
    └── Unavailable             UNAVAILABLE            UNAVAILABLE           503

``message`` is an English message id with ``str.format`` fields; adapters translate it
for the reader with :func:`common.i18n.gettext` and fill in ``params``. ``error_code``
is a stable English identifier that clients may match on; subclasses or callers may
give a more specific one (``VERSION_EXISTS``, ``INVALID_VERSION`` ...).
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "UpkeepError",
    "InvalidInput",
    "Unauthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "FailedPrecondition",
    "Unavailable",
]


class UpkeepError(Exception):
    """Base of every error an adapter knows how to report."""

    default_code: ClassVar[str] = "INTERNAL"
    http_status: ClassVar[int] = 500
    grpc_status_name: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, *, error_code: str | None = None, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params
        self.error_code = error_code or self.default_code

    def translated(self, locale: str | None = None) -> str:
        """The message in ``locale`` (or the current locale), fields filled in."""
        from common.i18n import gettext

        text = gettext(self.message, locale=locale)
        return text.format(**self.params) if self.params else text


class InvalidInput(UpkeepError):
    default_code = "INVALID_INPUT"
    http_status = 400
    grpc_status_name = "INVALID_ARGUMENT"


class Unauthenticated(UpkeepError):
    default_code = "UNAUTHENTICATED"
    http_status = 401
    grpc_status_name = "UNAUTHENTICATED"


class PermissionDenied(UpkeepError):
    default_code = "PERMISSION_DENIED"
    http_status = 403
    grpc_status_name = "PERMISSION_DENIED"


class NotFound(UpkeepError):
    default_code = "RESOURCE_NOT_FOUND"
    http_status = 404
    grpc_status_name = "NOT_FOUND"


class Conflict(UpkeepError):
    default_code = "CONFLICT"
    http_status = 409
    grpc_status_name = "ALREADY_EXISTS"


class PayloadTooLarge(UpkeepError):
    default_code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    grpc_status_name = "RESOURCE_EXHAUSTED"


class FailedPrecondition(UpkeepError):
    default_code = "FAILED_PRECONDITION"
    http_status = 412
    grpc_status_name = "FAILED_PRECONDITION"


class Unavailable(UpkeepError):
    default_code = "UNAVAILABLE"
    http_status = 503
    grpc_status_name = "UNAVAILABLE"
