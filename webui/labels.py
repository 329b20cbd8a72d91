"""Translated names of the fixed vocabularies the services speak in English identifiers."""

from __future__ import annotations

from common.steps import STEP_NAMES, step_name
from webui.i18n import N_, _, locale

__all__ = ["KINDS", "STATUSES", "channel_label", "kind_label", "status_label"]

STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "paused": N_("Paused"),
    "revoked": N_("Revoked"),
}
STATUS_COLORS: dict[str, str] = {"draft": "grey", "published": "positive", "paused": "warning", "revoked": "negative"}
KINDS: dict[str, str] = {"service": N_("Service bundle"), "client": N_("Client app")}
DEFAULT_CHANNELS: dict[str, str] = {"stable": N_("Stable"), "beta": N_("Beta"), "alpha": N_("Alpha")}


def status_label(status: str) -> str:
    return _(STATUSES[status]) if status in STATUSES else status


def kind_label(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def channel_label(name: str, display_name: str | None = None) -> str:
    """The default channels in the user's language; others by their display name."""
    if name in DEFAULT_CHANNELS:
        return _(DEFAULT_CHANNELS[name])
    return display_name or name

COMMAND_TYPES: dict[str, str] = {
    "upgrade": N_("Upgrade"),
    "backup": N_("Backup"),
    "rollback": N_("Rollback"),
    "restart": N_("Restart"),
    "self_update": N_("Agent self-update"),
    "collect_diagnostics": N_("Collect diagnostics"),
}
COMMAND_STATUSES: dict[str, str] = {
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "acked": N_("Received"),
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
}
FINISHED_COMMANDS = frozenset({"succeeded", "failed", "cancelled", "expired"})


def command_type_label(value: str) -> str:
    return _(COMMAND_TYPES[value]) if value in COMMAND_TYPES else value


def command_status_label(value: str) -> str:
    return _(COMMAND_STATUSES[value]) if value in COMMAND_STATUSES else value

UPGRADE_RESULTS: dict[str, str] = {"SUCCESS": N_("Succeeded"), "FAILED": N_("Failed")}


def upgrade_result_label(value: str) -> str:
    """Seed 2's upgrade history status (``SUCCESS`` / ``FAILED``)."""
    return _(UPGRADE_RESULTS[value.upper()]) if value.upper() in UPGRADE_RESULTS else value


def command_step_label(value: str) -> str:
    """A step an agent reports, named in the session's language (common/steps.py)."""
    return step_name(value, locale())


def upgrade_details_label(details: str | None) -> str:
    """Upgrade history details start with the failed step's id (``health: <error>``); named here."""
    step, sep, rest = (details or "").partition(": ")
    if step in STEP_NAMES:
        return f"{command_step_label(step)}: {rest}" if sep else command_step_label(step)
    return details or ""
