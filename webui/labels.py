"""Translated names of the fixed vocabularies the services speak in English identifiers."""

from __future__ import annotations

from webui.i18n import N_, _

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
