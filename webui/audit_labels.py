"""Readable names of audit actions (the log stores stable English identifiers)."""

from __future__ import annotations

from webui.i18n import N_, _

__all__ = ["actor", "label"]

LABELS: dict[str, str] = {
    "user.create": N_("Created a user"),
    "user.set_role": N_("Changed a role"),
    "user.set_active": N_("Enabled or disabled a user"),
    "token.create": N_("Created an API token"),
    "token.revoke": N_("Revoked an API token"),
    "project.create": N_("Created a project"),
    "project.update": N_("Edited a project"),
    "project.mirrors": N_("Changed the download mirrors"),
    "channel.update": N_("Changed a channel"),
    "rule.create": N_("Created a rule"),
    "rule.update": N_("Edited a rule"),
    "rule.delete": N_("Deleted a rule"),
    "rule.reorder": N_("Reordered the rules"),
    "announcement.create": N_("Published an announcement"),
    "announcement.delete": N_("Deleted an announcement"),
    "command.send": N_("Sent a command"),
    "enrollment_token.create": N_("Created an enrollment token"),
    "enrollment_token.revoke": N_("Revoked an enrollment token"),
    "bundle.upload": N_("Uploaded a service bundle"),
    "release.create": N_("Created a release"),
    "release.update": N_("Edited a release"),
    "release.publish": N_("Published a release"),
    "release.pause": N_("Paused a release"),
    "release.revoke": N_("Revoked a release"),
    "release.delete": N_("Deleted a release"),
}


def label(action: str) -> str:
    """The translated name of ``action``, or the identifier itself when unknown."""
    return _(LABELS[action]) if action in LABELS else action


def actor(value: str) -> str:
    """The name in an audit actor (``user:alice`` / ``token:ci`` → ``alice`` / ``ci``)."""
    return value.split(":", 1)[-1]
