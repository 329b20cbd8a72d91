"""Readable names of audit actions (the log stores stable English identifiers)."""

from __future__ import annotations

from webui.i18n import N_, _

__all__ = ["label"]

LABELS: dict[str, str] = {
    "user.create": N_("Created a user"),
    "user.set_role": N_("Changed a role"),
    "user.set_active": N_("Enabled or disabled a user"),
    "token.create": N_("Created an API token"),
    "token.revoke": N_("Revoked an API token"),
    "project.create": N_("Created a project"),
    "project.update": N_("Edited a project"),
}


def label(action: str) -> str:
    """The translated name of ``action``, or the identifier itself when unknown."""
    return _(LABELS[action]) if action in LABELS else action
