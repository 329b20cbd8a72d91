"""The agent link: enrollment and the long-lived Connect stream to the control server."""

from agent.link._backoff import Backoff
from agent.link._enroll import enroll, parse_labels
from agent.link._link import AgentLink, LinkStopped
from agent.link._state import Identity, LinkState, report_telemetry
from agent.link.access import ServerAccess, server_access
from agent.link.channel import channel_credentials, open_channel

__all__ = [
    "AgentLink", "Backoff", "Identity", "LinkState", "LinkStopped", "ServerAccess", "channel_credentials", "enroll",
    "open_channel", "parse_labels", "report_telemetry", "server_access",
]
