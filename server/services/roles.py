"""Who may do what: viewer reads, operator publishes and pushes, admin manages accounts."""

from __future__ import annotations

import dataclasses
import enum

from common.errors import PermissionDenied
from common.i18n import N_

__all__ = ["Principal", "Role", "require_role"]

NOT_ALLOWED = N_("This action needs the {role} role.")


class Role(enum.IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, value: str) -> Role:
        return cls[value.strip().upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """An authenticated caller: a console user or an API token."""

    name: str
    role: Role
    #: "user" or "token"
    kind: str
    id: int | None = None


def require_role(principal: Principal, needed: Role) -> None:
    """Raise PermissionDenied (403 / PERMISSION_DENIED) unless ``principal`` has ``needed``."""
    if principal.role < needed:
        raise PermissionDenied(NOT_ALLOWED, role=needed.label)
